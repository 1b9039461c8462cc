"""The report as one self-contained HTML file: tables, maps and plots embedded, opens offline."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import Any

from harness.evidence import STATUS_ZH
from harness.report.header import LEGEND, STATUS_EN, actor_text, run_facts

_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", system-ui, sans-serif; margin: 2em;
       color: #222; max-width: 1200px; }
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
"""


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{escape(path.stem)}" src="data:image/png;base64,{data}">'


def render_html(doc: dict[str, Any], images: dict[str, Path]) -> str:
    counts = doc["counts"]
    out = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
           f"<title>验收报告 {escape(doc['scenario'])}</title><style>{_CSS}</style></head><body>",
           f"<h1>智慧社区建设验收 — {escape(doc['scenario'])} "
           f"<span class='en'>acceptance report, {escape(doc['tier_zh'])} "
           f"{escape(doc['tier'])} tier</span></h1>",
           "<dl class='run'>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>"
                                        for k, v in run_facts(doc)) + "</dl>",
           "<p class='summary'>" + "".join(
               f"<span class='{s}'>{STATUS_ZH[s]} {STATUS_EN[s]} {n}</span>"
               for s, n in counts.items() if n or s in ("met", "not_met", "needs_evidence"))
           + "</p>",
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
    out.append("</tbody></table><h2>Evidence <span class='en'>failing places</span></h2>")
    for ind in doc["indicators"]:
        for c in ind["criteria"]:
            if c["ok"] is False and c["evidence"]:
                items = "".join(f"<li>{escape(e)}</li>" for e in c["evidence"][:50])
                more = c["evidence_total"] - min(50, len(c["evidence"]))
                if more > 0:
                    items += f"<li>… and {more} more</li>"
                out.append(f"<h3>{ind['number']} {escape(ind['name_zh'])} "
                           f"{escape(ind['name_en'])} — {escape(c['label'])} "
                           f"({escape(c['value_text'])})</h3><ul>{items}</ul>")
    if doc.get("gates"):
        out.append("<h2>CI gates</h2><ul id='gates'>" + "".join(
            f"<li class='{'met' if g['ok'] else 'not_met'}'>{'✔' if g['ok'] else '✘'} "
            f"<b>{escape(g['name'])}</b> ({escape(g['family'])}): {escape(g['message'])}</li>"
            for g in doc["gates"]) + "</ul>")
    if images:
        out.append("<h2>Maps and plots</h2>")
        out += [f"<figure id='{escape(name)}'>{_img(path)}<figcaption>{escape(name)}"
                f"</figcaption></figure>" for name, path in images.items()]
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
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"
