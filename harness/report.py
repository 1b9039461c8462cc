"""The acceptance report: what an integrator hands an inspector, filled from measurement.

`build` judges every indicator (catalogue + tier profile + measurements) and returns the
versioned `report.json` document; `write` renders it as Markdown and self-contained HTML in the
seed notice's layout (一级指标 / 序号 / 二级指标 / 标准要求 / 完成情况, Chinese with English
alongside) with the coverage maps and latency plots, and as JUnit XML (one test case per
indicator) for CI. `from_results` re-renders a saved run.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from harness import measurements as M
from harness.acceptance import STATUS_ZH, Measurement, Verdict, evaluate
from harness.coverage_maps import all_maps
from harness.measure import lifecycle_dict, lifecycle_from_dict
from harness.rehearsal import RunResult
from harness.report_html import render_html
from harness.report_plots import latency_plots
from scenarios import Scenario, load
from scenarios.acceptance import load_catalogue, load_profile
from sim import Lifecycle

REPORT_SCHEMA = "commtwin.report/1"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    if math.isinf(value):
        return "never (open)"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    return f"{value:g} {unit}".strip()


def _threshold(value: float, unit: str) -> str:
    return f"{value * 100:g}%" if unit == "ratio" else f"{value:g}"


def verdict_dict(v: Verdict) -> dict[str, Any]:
    ind = v.indicator
    return {
        "number": ind.number, "group": ind.group, "name_zh": ind.name_zh, "name_en": ind.name_en,
        "definition": ind.definition, "method": list(ind.method),
        "standard_zh": v.standard_zh, "standard_en": v.standard_en,
        "status": v.status, "status_zh": v.status_zh, "notes": list(v.notes),
        "criteria": [{
            "measure": r.criterion.measure, "label": r.criterion.label or r.criterion.measure,
            "op": r.criterion.op, "threshold": r.threshold,
            "threshold_text": _threshold(r.threshold, r.unit or "ratio"),
            "value": None if r.value is None or math.isinf(r.value) else r.value,
            "value_text": _fmt(r.value, r.unit), "unit": r.unit, "ok": r.ok,
            "evidence": list(r.evidence), "evidence_total": r.evidence_total,
        } for r in v.criteria],
    }


def build(scenario: Scenario, scenario_ref: str, lifecycles: list[Lifecycle],
          run: dict[str, Any], health: dict[str, Measurement],
          profile_name: str | None = None) -> tuple[dict[str, Any], Any]:
    """The report document and the coverage analysis (for maps)."""
    catalogue = load_catalogue()
    profile = load_profile(profile_name or scenario.acceptance.profile, catalogue)
    if profile_name is None:
        profile = profile.with_overrides(scenario.acceptance.overrides)
    coverage = M.coverage_for(scenario, profile)
    measured = {**M.from_geometry(coverage), **M.from_lifecycles(lifecycles, catalogue),
                **health, **M.from_inventory(scenario)}
    verdicts = evaluate(catalogue, profile, measured)
    counts = {s: sum(1 for v in verdicts if v.status == s) for s in STATUS_ZH}
    doc = {
        "schema": REPORT_SCHEMA,
        "scenario": scenario.name, "scenario_ref": scenario_ref,
        "tier": profile.tier, "tier_zh": profile.name_zh, "thresholds": profile.thresholds,
        "run": run, "counts": counts,
        "indicators": [verdict_dict(v) for v in verdicts],
        "measurements": M.to_json(measured),
        "incidents": [lifecycle_dict(lc) for lc in lifecycles],
    }
    return doc, coverage


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


def render_junit(doc: dict[str, Any]) -> str:
    """One test case per indicator: not met is a failure, needs evidence is skipped."""
    suite = ET.Element("testsuite", name=f"commtwin.acceptance.{doc['scenario']}",
                       tests=str(len(doc["indicators"])),
                       failures=str(doc["counts"]["not_met"]), errors="0",
                       skipped=str(doc["counts"]["needs_evidence"]), time="0")
    for ind in doc["indicators"]:
        case = ET.SubElement(suite, "testcase", classname=f"acceptance.{doc['tier']}",
                             name=f"{ind['number']:02d} {ind['name_en']} {ind['name_zh']}",
                             time="0")
        detail = "\n".join(f"{c['label']}: {c['value_text']} ({c['op']} {c['threshold_text']})"
                           for c in ind["criteria"])
        if ind["status"] == "not_met":
            failure = ET.SubElement(case, "failure", type="NotMet",
                                    message=f"未达标 not met: {ind['standard_en']}")
            failure.text = detail + "\n" + "\n".join(
                e for c in ind["criteria"] if c["ok"] is False for e in c["evidence"][:20])
        elif ind["status"] == "needs_evidence":
            ET.SubElement(case, "skipped", message="需人工核验 needs documentary evidence: "
                          + "; ".join(ind["notes"]))
        if detail:
            ET.SubElement(case, "system-out").text = detail
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write(doc: dict[str, Any], coverage: Any, scenario: Scenario, lifecycles: list[Lifecycle],
          out: Path) -> dict[str, Path]:
    """Write report.json, report.md, report.html (self-contained) and junit.xml into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    img_dir = out / "img"
    pictures = all_maps(coverage, scenario, img_dir)
    limits = {"emergency_call": doc["thresholds"].get("elderly_response_s", 900.0)}
    clock = doc["run"].get("latency_clock") or "sim"
    pictures += latency_plots(lifecycles, clock, img_dir, limits)
    images = {p.stem: f"img/{p.name}" for p in pictures}
    paths = {"json": out / "report.json", "md": out / "report.md", "html": out / "report.html",
             "junit": out / "junit.xml"}
    paths["json"].write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")
    paths["md"].write_text(render_markdown(doc, images), "utf-8")
    paths["html"].write_text(render_html(doc, {k: out / v for k, v in images.items()}), "utf-8")
    paths["junit"].write_text(render_junit(doc), "utf-8")
    return paths


def from_run(result: RunResult, scenario: Scenario, out: Path) -> dict[str, Path]:
    """The report of a run that just ended (health measured in the run itself)."""
    doc, coverage = build(scenario, result.scenario_ref or scenario.name, result.lifecycles,
                          _run_summary(result.as_dict()), result.health)
    return write(doc, coverage, scenario, result.lifecycles, out)


def from_results(results_dir: Path, profile: str | None = None,
                 out: Path | None = None) -> dict[str, Path]:
    """Re-render the report of a saved run (results.json) into `out` (default: the same dir)."""
    results = json.loads((results_dir / "results.json").read_text("utf-8"))
    ref = results.get("scenario_ref") or results["scenario"]
    scenario = load(ref)
    lifecycles = [lifecycle_from_dict(d) for d in results["incidents"]]
    health = M.from_json(results.get("health", {}))
    doc, coverage = build(scenario, ref, lifecycles, _run_summary(results), health, profile)
    return write(doc, coverage, scenario, lifecycles, out or results_dir)


def _run_summary(results: dict[str, Any]) -> dict[str, Any]:
    keys = ("mode", "seed", "speed", "simulated_s", "wall_s", "latency_clock", "interrupted")
    return {k: results.get(k) for k in keys} | {"summary": results.get("summary", [])}
