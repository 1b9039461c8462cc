"""What every rendering of a report repeats: the run's identity, the verdict counts, the
legend of missed steps, and who caused a lifecycle step — one wording for every format."""

from __future__ import annotations

from typing import Any

from harness.evidence import MISSED_LEGEND

LEGEND = MISSED_LEGEND
#: How each verdict reads in English, in the order reports list them.
STATUS_EN = {"met": "met", "not_met": "not met", "needs_evidence": "needs evidence",
             "modelled": "modelled", "indicative": "indicative"}


def run_facts(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs that tie the report to one run and one scenario file."""
    run = doc["run"]
    mode = str(run.get("mode"))
    if mode == "live":
        how = f"live at {run.get('speed'):g}x" if run.get("speed") else "live"
        how += ", with the reference platform" if run.get("reference_platform") else \
            ", your platform"
    else:
        how = "virtual, answered by the modelled platform"
    facts = [("mode", how), ("seed", str(run.get("seed"))),
             ("simulated", f"{run.get('simulated_s') or 0:,.0f} s"),
             ("latency clock", str(run.get("latency_clock"))),
             ("started (UTC)", str(run.get("started_utc") or "-")),
             ("ended (UTC)", str(run.get("ended_utc") or "-")),
             ("host", str(run.get("host") or "-")),
             ("commtwin", str(run.get("commtwin_version") or "-")),
             ("scenario", f"{doc['scenario_ref']} (sha256 {run.get('scenario_sha256') or '-'})")]
    pacing = run.get("pacing")
    if isinstance(pacing, dict):
        flag = " — LATE: the twin's own lateness inflates measured latencies" \
            if pacing.get("late") else ""
        facts.append(("twin pacing lateness", f"p50 {pacing.get('p50_ms')} ms, p99 "
                      f"{pacing.get('p99_ms')} ms, max {pacing.get('max_ms')} ms{flag}"))
    if run.get("interrupted"):
        facts.append(("interrupted", "yes: the run stopped before its end time"))
    return facts


def actor_text(step: dict[str, Any] | None) -> str:
    """Who caused a step: `opcua 127.0.0.1:50211 user operator1 "on my way"`."""
    if not step or not step.get("by"):
        return ""
    by = step["by"]
    parts = [by.get("face", "")]
    if by.get("peer"):
        parts.append(by["peer"])
    if by.get("user"):
        parts.append(f"user {by['user']}")
    if by.get("comment"):
        parts.append(f'"{by["comment"]}"')
    return " ".join(p for p in parts if p)


#: Each figure's caption, Chinese then English; `facade_<id>` figures are captioned per building.
CAPTIONS: dict[str, tuple[str, str]] = {
    "rsrp": ("5G网络覆盖（最佳服务小区参考信号接收功率）",
             "5G coverage: best-server RSRP over the community, gaps hatched"),
    "cameras": ("重点部位视频监控覆盖",
                "Video surveillance at entrances, main roads and fire lanes"),
    "fiber": ("千兆光纤入户", "Gigabit fibre: one dot per household, coloured by optical margin"),
    "facades": ("高空抛物监测：各高层住宅窗户在摄像机视野内的比例",
                "High-altitude throwing: windows in camera view, per tall building"),
    "walking": ("15分钟步行可达运动场地", "Walking time to the nearest sports ground"),
    "latency_hist": ("告警响应时延分布（按事件类型）",
                     "Injection → acknowledgement latency, per incident kind"),
    "latency_cdf": ("告警响应时延累计分布", "Response latency, cumulative share answered"),
}


def caption(name: str) -> tuple[str, str]:
    """(Chinese, English) caption of figure `name` (an image file's stem)."""
    if name.startswith("facade_"):
        building = name.removeprefix("facade_")
        return (f"高空抛物监测：{building}号楼未被监控的窗户",
                f"High-altitude throwing: building {building}, windows out of every camera's view")
    return CAPTIONS.get(name, (name, name))
