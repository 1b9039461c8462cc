"""The report as Markdown: the notice's table, the evidence of what failed, maps, incidents."""

from __future__ import annotations

from typing import Any

from harness.evidence import STATUS_ZH
from harness.report.header import LEGEND, STATUS_EN, actor_text, caption, run_facts
from harness.report.summary import (
    KindLatency,
    failures,
    grounds,
    identity,
    seconds,
    worst_latencies,
)

_LATENCY_HEAD = ["| 事件类型 kind | 事件 n | 已确认 answered | 未确认 missed | p50 | p95 | max |",
                 "|---|--:|--:|--:|--:|--:|--:|"]


def _latency(rows: list[KindLatency]) -> list[str]:
    return _LATENCY_HEAD + [
        f"| {r.kind} | {r.incidents} | {r.acknowledged} | {r.missed} | {seconds(r.p50_s)} | "
        f"{seconds(r.p95_s)} | {seconds(r.max_s)} |" for r in rows]


def summary_markdown(doc: dict[str, Any], rows: list[KindLatency]) -> list[str]:
    """The one-screen summary: tier, counts, every indicator not met, the slowest kinds, the
    run's identity."""
    counts = " · ".join(f"{STATUS_ZH[s]} {STATUS_EN[s]} **{doc['counts'].get(s, 0)}**"
                        for s in STATUS_ZH)
    lines = ["## 摘要 summary", "", f"**{doc['tier_zh']} {doc['tier']} tier** — {counts}", ""]
    fails = failures(doc)
    if fails:
        lines += ["| 序号 | 未达标指标 not met | 测得 figure | 首条证据 first evidence |",
                  "|--:|---|---|---|"]
        for f in fails:
            more = f" (1 of {f.evidence_total})" if f.evidence_total > 1 else ""
            lines.append(f"| {f.number} | {f.name_zh} {f.name_en} | {f.label}: **{f.figure}** "
                         f"| {(f.evidence or '-').replace('|', '/')}{more} |")
    else:
        lines.append("无未达标指标 — no indicator is not met.")
    worst = worst_latencies(rows)
    if worst:
        lines += ["", "Slowest responses (最慢响应), injection → acknowledgement by p95:", ""]
        lines += _latency(worst)
    lines += [""] + [f"- **{label}**: {value}" for label, value in identity(doc)] + [""]
    return lines


def render_markdown(doc: dict[str, Any], images: dict[str, str],
                    rows: list[KindLatency] | None = None) -> str:
    rows = rows or []
    lines = [f"# 智慧社区建设验收 — {doc['scenario']} ({doc['tier_zh']} {doc['tier']} tier)", ""]
    lines += summary_markdown(doc, rows)
    lines += ["## 运行信息 the run", ""]
    lines += [f"- **{label}**: {value}" for label, value in run_facts(doc)]
    lines += ["", "## 指标 the indicator table", "",
              "| 一级指标 group | 序号 | 二级指标 indicator | 标准要求 standard "
              "| 完成情况 result |",
              "|---|---|---|---|---|"]
    last_group = None
    for ind in doc["indicators"]:
        group = ind["group"] if ind["group"] != last_group else ""
        last_group = ind["group"]
        measured = "; ".join(f"{c['label']}: {c['value_text']} ({c['op']} {c['threshold_text']})"
                             for c in ind["criteria"])
        result = f"**{ind['status_zh']}** {ind['status'].replace('_', ' ')}"
        if measured:
            result += f"<br>{measured}"
        for note in ind["notes"]:
            result += f"<br>*{note}*"
        lines.append(f"| {group} | {ind['number']} | {ind['name_zh']}<br>{ind['name_en']} | "
                     f"{ind['standard_zh']}<br>{ind['standard_en']} | {result} |")
    evidence: list[str] = []
    for ind in doc["indicators"]:
        for c in ind["criteria"]:
            if c["ok"] is False and c["evidence"]:
                more = c["evidence_total"] - len(c["evidence"][:20])
                evidence.append(f"**{ind['number']} {ind['name_en']} — {c['label']}** "
                                f"({c['value_text']}, needs {c['op']} {c['threshold_text']}):")
                evidence += [f"- {e}" for e in c["evidence"][:20]]
                if more > 0:
                    evidence.append(f"- … and {more} more")
                evidence.append("")
    if evidence:  # no heading over nothing
        lines += ["", "## 证据 evidence: the failing places", "", *evidence]
    else:
        lines.append("")
    held = grounds(doc)
    if held:
        lines += ["## 依据 what the modelled figures rest on", ""]
        for ind, c in held:
            more = c["evidence_total"] - len(c["evidence"][:20])
            lines.append(f"**{ind['number']} {ind['name_en']} — {c['label']}** "
                         f"({c['value_text']}, {c['basis']}: {c['basis_note'] or '-'}):")
            lines += [f"- {e}" for e in c["evidence"][:20]]
            if more > 0:
                lines.append(f"- … and {more} more")
            lines.append("")
    if doc.get("gates"):
        lines += ["## CI gates", ""]
        lines += [f"- {'✔' if g['ok'] else '✘'} **{g['name']}** ({g['family']}): {g['message']}"
                  for g in doc["gates"]]
        lines.append("")
    if rows:
        lines += ["## 响应时延 response latency per incident kind", "", *_latency(rows), ""]
    if images:
        lines += ["## 图 maps and plots", ""]
        for name, path in images.items():
            zh, en = caption(name)
            lines += [f"![{en}]({path})", "", f"*{zh} — {en}*", ""]
    lines += ["## Incidents", "", f"Simulated seconds; {LEGEND}.", "",
              "| id | device | injected s | observed | acknowledged | acknowledged by (UTC) | "
              "resolved | missed |", "|---|---|---|---|---|---|---|---|"]
    for inc in doc["incidents"]:
        t = {n: f"{s['t_s']:.1f}" for n, s in inc["steps"].items()}
        ack = inc["steps"].get("acknowledged")
        who = f"{actor_text(ack)} ({ack.get('utc', '')})" if ack else "-"
        blind = " **blind**" if inc.get("blind_ack") else ""
        lines.append(f"| {inc['id']} | {inc['device']} | {t.get('injected', '-')} | "
                     f"{t.get('observed', '-')} | {t.get('acknowledged', '-')}{blind} | {who} | "
                     f"{t.get('resolved', '-')} | {', '.join(inc['missed']) or '-'} |")
    return "\n".join(lines) + "\n"
