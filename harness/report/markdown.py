"""The report as Markdown: the notice's table, the evidence of what failed, maps, incidents."""

from __future__ import annotations

from typing import Any


def render_markdown(doc: dict[str, Any], images: dict[str, str]) -> str:
    run = doc["run"]
    lines = [f"# 智慧社区建设验收 — {doc['scenario']} ({doc['tier_zh']} {doc['tier']} tier)", "",
             f"Run: {run.get('mode')} mode, seed {run.get('seed')}, "
             f"{run.get('simulated_s', 0):,.0f} simulated s, latency clock "
             f"{run.get('latency_clock')}.  "
             f"达标 met {doc['counts']['met']} · 未达标 not met {doc['counts']['not_met']} · "
             f"需人工核验 needs evidence {doc['counts']['needs_evidence']}", "",
             "| 一级指标 group | 序号 | 二级指标 indicator | 标准要求 standard | 完成情况 result |",
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
    if images:
        lines += ["## Maps and plots", ""]
        lines += [f"![{name}]({path})" for name, path in images.items()]
        lines.append("")
    lines += ["## Incidents", "", "| id | device | injected s | observed | acknowledged | "
              "resolved | missed |", "|---|---|---|---|---|---|---|"]
    for inc in doc["incidents"]:
        t = {n: f"{s['t_s']:.1f}" for n, s in inc["steps"].items()}
        lines.append(f"| {inc['id']} | {inc['device']} | {t.get('injected', '-')} | "
                     f"{t.get('observed', '-')} | {t.get('acknowledged', '-')} | "
                     f"{t.get('resolved', '-')} | {', '.join(inc['missed']) or '-'} |")
    return "\n".join(lines) + "\n"
