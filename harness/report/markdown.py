"""The report as Markdown: the notice's table, the evidence of what failed, maps, incidents."""

from __future__ import annotations

from typing import Any

from harness.report.header import LEGEND, actor_text, counts_text, run_facts


def render_markdown(doc: dict[str, Any], images: dict[str, str]) -> str:
    lines = [f"# 智慧社区建设验收 — {doc['scenario']} ({doc['tier_zh']} {doc['tier']} tier)", ""]
    lines += [f"- **{label}**: {value}" for label, value in run_facts(doc)]
    lines += ["", counts_text(doc), "",
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
    lines += ["", "## Evidence", ""]
    for ind in doc["indicators"]:
        for c in ind["criteria"]:
            if c["ok"] is False and c["evidence"]:
                more = c["evidence_total"] - len(c["evidence"][:20])
                lines.append(f"**{ind['number']} {ind['name_en']} — {c['label']}** "
                             f"({c['value_text']}, needs {c['op']} {c['threshold_text']}):")
                lines += [f"- {e}" for e in c["evidence"][:20]]
                if more > 0:
                    lines.append(f"- … and {more} more")
                lines.append("")
    if doc.get("gates"):
        lines += ["## CI gates", ""]
        lines += [f"- {'✔' if g['ok'] else '✘'} **{g['name']}** ({g['family']}): {g['message']}"
                  for g in doc["gates"]]
        lines.append("")
    if images:
        lines += ["## Maps and plots", ""]
        lines += [f"![{name}]({path})" for name, path in images.items()]
        lines.append("")
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
