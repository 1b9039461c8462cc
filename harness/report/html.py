"""The report as one self-contained HTML file: tables, maps and plots embedded, opens offline."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import Any

from harness.evidence import STATUS_ZH
from harness.report import fonts
from harness.report.header import LEGEND, STATUS_EN, actor_text, caption, run_facts
from harness.report.summary import (
    KindLatency,
    failures,
    grounds,
    identity,
    seconds,
    worst_latencies,
)

_CSS = """
body { font-family: %STACK%; margin: 2em; color: #222; max-width: 1200px; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; font-size: 14px; }
th, td { border: 1px solid #bbb; padding: 6px 8px; vertical-align: top; text-align: left; }
th { background: #eef2f7; }
.met { background: #e6f4ea; } .not_met { background: #fde8e8; }
.needs_evidence { background: #fff7e0; }
.modelled, .indicative { background: #e8f0fb; }
dl.run { display: grid; grid-template-columns: max-content auto; gap: 2px 1em; font-size: 13px; }
dl.run dt { font-weight: bold; } dl.run dd { margin: 0; }
.status { font-weight: bold; white-space: nowrap; }
.en { color: #555; font-size: 12px; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
.summary span { margin-right: 1.5em; font-weight: bold; }
#summary { border: 2px solid #445; padding: 0.2em 1em 0.6em; margin-bottom: 1.5em; }
#summary h2 { margin: 0.4em 0; } #summary table { margin: 0.4em 0; font-size: 13px; }
#summary dl.run { margin: 0.4em 0; }
#not-met td { background: #fde8e8; }
td.num { text-align: right; white-space: nowrap; }
figcaption { font-size: 14px; } .note { color: #8a4b00; }
"""


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _latency_rows(rows: list[KindLatency]) -> str:
    return "".join(
        f"<tr><td>{escape(r.kind)}</td><td class='num'>{r.incidents}</td>"
        f"<td class='num'>{r.acknowledged}</td><td class='num'>{r.missed}</td>"
        f"<td class='num'>{seconds(r.p50_s)}</td><td class='num'>{seconds(r.p95_s)}</td>"
        f"<td class='num'>{seconds(r.max_s)}</td></tr>" for r in rows)


_LATENCY_HEAD = ("<thead><tr><th>事件类型 kind</th><th>事件 n</th><th>已确认 answered</th>"
                 "<th>未确认 missed</th><th>p50</th><th>p95</th><th>max</th></tr></thead>")


def summary_html(doc: dict[str, Any], rows: list[KindLatency]) -> str:
    """The one-screen summary: tier, counts, every indicator not met, the slowest kinds, the
    run's identity."""
    counts = doc["counts"]
    out = ["<section id='summary'><h2>摘要 <span class='en'>summary</span></h2>",
           f"<p class='summary'><span>{escape(doc['tier_zh'])} "
           f"<span class='en'>{escape(doc['tier'])} tier</span></span>" + "".join(
               f"<span class='{s}'>{STATUS_ZH[s]} {STATUS_EN[s]} {counts.get(s, 0)}</span>"
               for s in STATUS_ZH) + "</p>"]
    fails = failures(doc)
    if fails:
        out.append("<table id='not-met'><thead><tr><th>序号</th><th>未达标指标 not met</th>"
                   "<th>测得 figure</th><th>首条证据 first evidence</th></tr></thead><tbody>"
                   + "".join(
                       f"<tr><td>{f.number}</td><td>{escape(f.name_zh)} "
                       f"<span class='en'>{escape(f.name_en)}</span></td>"
                       f"<td>{escape(f.label)}: <b>{escape(f.figure)}</b></td>"
                       f"<td>{escape(f.evidence or '-')}"
                       + (f" <span class='en'>(1 of {f.evidence_total})</span>"
                          if f.evidence_total > 1 else "") + "</td></tr>" for f in fails)
                   + "</tbody></table>")
    else:
        out.append("<p id='not-met'>无未达标指标 <span class='en'>no indicator is not met"
                   "</span></p>")
    worst = worst_latencies(rows)
    if worst:
        clock = "wall clock" if doc["run"].get("latency_clock") == "wall" else "simulated"
        out.append(f"<p><b>最慢响应 slowest responses</b> <span class='en'>injection → "
                   f"acknowledgement, {clock} seconds, by p95</span></p>"
                   f"<table id='worst-latency'>{_LATENCY_HEAD}<tbody>{_latency_rows(worst)}"
                   "</tbody></table>")
    out.append("<dl class='run'>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>"
                                            for k, v in identity(doc)) + "</dl></section>")
    return "".join(out)


def render_html(doc: dict[str, Any], images: dict[str, Path],
                rows: list[KindLatency] | None = None) -> str:
    rows = rows or []
    out = [f"<h1>智慧社区建设验收 — {escape(doc['scenario'])} "
           f"<span class='en'>acceptance report, {escape(doc['tier_zh'])} "
           f"{escape(doc['tier'])} tier</span></h1>",
           summary_html(doc, rows),
           "<h2>运行信息 <span class='en'>the run</span></h2>"
           "<dl class='run'>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>"
                                        for k, v in run_facts(doc)) + "</dl>",
           "<h2>指标 <span class='en'>the indicator table</span></h2>",
           "<table id='indicators'><thead><tr><th>一级指标<br><span class='en'>group</span></th>"
           "<th>序号</th><th>二级指标<br><span class='en'>indicator</span></th>"
           "<th>标准要求<br><span class='en'>standard</span></th>"
           "<th>完成情况<br><span class='en'>result</span></th></tr></thead><tbody>"]
    last = None
    for ind in doc["indicators"]:
        group = escape(ind["group"]) if ind["group"] != last else ""
        last = ind["group"]
        measured = "".join(
            f"<div>{escape(c['label'])}: <b>{escape(c['value_text'])}</b> "
            f"({escape(c['op'])} {escape(c['threshold_text'])})"
            f"{' ✔' if c['ok'] else (' ✘' if c['ok'] is False else '')}</div>"
            for c in ind["criteria"])
        notes = "".join(f"<div class='en'><i>{escape(n)}</i></div>" for n in ind["notes"])
        out.append(
            f"<tr class='{ind['status']}'><td>{group}</td><td>{ind['number']}</td>"
            f"<td>{escape(ind['name_zh'])}<br><span class='en'>{escape(ind['name_en'])}</span></td>"
            f"<td>{escape(ind['standard_zh'])}<br><span class='en'>"
            f"{escape(ind['standard_en'])}</span></td>"
            f"<td><span class='status'>{escape(ind['status_zh'])}</span> "
            f"<span class='en'>{ind['status'].replace('_', ' ')}</span>{measured}{notes}</td></tr>")
    out.append("</tbody></table>")
    evidence = []
    for ind in doc["indicators"]:
        for c in ind["criteria"]:
            if c["ok"] is False and c["evidence"]:
                items = "".join(f"<li>{escape(e)}</li>" for e in c["evidence"][:50])
                more = c["evidence_total"] - min(50, len(c["evidence"]))
                if more > 0:
                    items += f"<li>… and {more} more</li>"
                evidence.append(f"<h3>{ind['number']} {escape(ind['name_zh'])} "
                           f"{escape(ind['name_en'])} — {escape(c['label'])} "
                           f"({escape(c['value_text'])})</h3><ul>{items}</ul>")
    if evidence:  # no heading over nothing
        out.append("<h2>证据 <span class='en'>evidence: the failing places</span></h2>")
        out += evidence
    held = grounds(doc)
    if held:
        out.append("<h2>依据 <span class='en'>what the modelled figures rest on</span></h2>")
        for ind, c in held:
            items = "".join(f"<li>{escape(e)}</li>" for e in c["evidence"][:50])
            more = c["evidence_total"] - min(50, len(c["evidence"]))
            if more > 0:
                items += f"<li>… and {more} more</li>"
            out.append(f"<h3 class='{escape(c['basis'])}'>{ind['number']} "
                       f"{escape(ind['name_zh'])} {escape(ind['name_en'])} — "
                       f"{escape(c['label'])} ({escape(c['value_text'])})</h3>"
                       f"<p class='en'>{escape(c['basis'])}: {escape(c['basis_note'] or '-')}"
                       f"</p><ul>{items}</ul>")
    if doc.get("gates"):
        out.append("<h2>CI gates</h2><ul id='gates'>" + "".join(
            f"<li class='{'met' if g['ok'] else 'not_met'}'>{'✔' if g['ok'] else '✘'} "
            f"<b>{escape(g['name'])}</b> ({escape(g['family'])}): {escape(g['message'])}</li>"
            for g in doc["gates"]) + "</ul>")
    if rows:
        out.append("<h2>响应时延 <span class='en'>response latency per incident kind</span></h2>"
                   f"<table id='latency'>{_LATENCY_HEAD}<tbody>{_latency_rows(rows)}"
                   "</tbody></table>")
    if images:
        out.append("<h2>图 <span class='en'>maps and plots</span></h2>")
        for name, path in images.items():
            zh, en = caption(name)
            out.append(f"<figure id='{escape(name)}'>{_img(path, en)}<figcaption>{escape(zh)}"
                       f"<br><span class='en'>{escape(en)}</span></figcaption></figure>")
    out.append("<h2>Incidents <span class='en'>lifecycle, simulated seconds</span></h2>"
               f"<p class='en'>{escape(LEGEND)}</p>"
               "<table id='incidents'><thead><tr><th>id</th><th>device</th><th>injected</th>"
               "<th>observed</th><th>acknowledged</th><th>acknowledged by (UTC)</th>"
               "<th>resolved</th><th>missed</th></tr></thead><tbody>")
    for inc in doc["incidents"]:
        t = {n: f"{s['t_s']:.1f}" for n, s in inc["steps"].items()}
        ack = inc["steps"].get("acknowledged")
        who = f"{actor_text(ack)} ({ack.get('utc', '')})" if ack else "-"
        acked = t.get("acknowledged", "-") + (" blind" if inc.get("blind_ack") else "")
        out.append("<tr>" + "".join(f"<td>{escape(str(x))}</td>" for x in (
            inc["id"], inc["device"], t.get("injected", "-"), t.get("observed", "-"),
            acked, who, t.get("resolved", "-"),
            ", ".join(inc["missed"]) or "-")) + "</tr>")
    body = "\n".join(out)
    title = f"验收报告 {doc['scenario']}"
    face = fonts.subset_css(title + body)
    note = fonts.note(bool(face) or not any(ord(ch) >= 0x2E80 for ch in body))
    css = _CSS.replace("%STACK%", fonts.STACK)
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>{face}\n{css}</style></head><body>\n"
            + (f"<p class='note'>{escape(note)}</p>\n" if note else "")
            + body + "\n</tbody></table></body></html>\n")
