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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.contract.files import atomic_write_text
from harness.evidence import collect
from harness.evidence.judge import STATUS_ZH, Measurement, Verdict, evaluate, from_json, to_json
from harness.evidence.lifecycles import lifecycle_from_dict
from harness.evidence.onsite import ResponderModel, from_replications
from harness.evidence.run import RUN_HEADER, RunResult, incident_dicts
from harness.report.html import render_html
from harness.report.junit import render_junit
from harness.report.maps import all_maps
from harness.report.markdown import render_markdown
from harness.report.plots import latency_plots
from harness.report.summary import kind_latencies
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


def _ci(interval: tuple[float, float] | None, unit: str) -> str:
    if interval is None:
        return ""
    lo, hi = (_fmt(x, unit) for x in interval)
    return f" (95% CI {lo} – {hi})"


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
            "value_text": _fmt(r.value, r.unit) + _ci(r.interval, r.unit),
            "unit": r.unit, "ok": r.ok,
            "evidence": list(r.evidence), "evidence_total": r.evidence_total,
            "basis": r.basis, "basis_note": r.basis_note,
        } for r in v.criteria],
    }


def build(scenario: Scenario, scenario_ref: str, lifecycles: list[Lifecycle],
          run: dict[str, Any], health: dict[str, Measurement],
          profile_name: str | None = None,
          model: ResponderModel | None = None) -> tuple[dict[str, Any], Any]:
    """The report document and the coverage analysis (for maps). `model`: what the responder
    model did in the run (replications judge indicator 10; a live shadow's expectations go
    beside each call)."""
    catalogue = load_catalogue()
    profile = load_profile(profile_name or scenario.acceptance.profile, catalogue)
    if profile_name is None:
        profile = profile.with_overrides(scenario.acceptance.overrides)
    coverage = collect.coverage_for(scenario, profile)
    basis = collect.RunBasis(str(run.get("mode") or "virtual"), float(run.get("speed") or 1.0),
                             bool(run.get("reference_platform")))
    measured = {**collect.from_geometry(coverage),
                **collect.from_lifecycles(lifecycles, catalogue, basis,
                                          model.expected if model else None),
                **health, **collect.from_inventory(scenario)}
    if model is not None and model.replications:
        measured |= from_replications(model, float(profile.thresholds["elderly_response_s"]))
    verdicts = evaluate(catalogue, profile, measured)
    counts = {s: sum(1 for v in verdicts if v.status == s) for s in STATUS_ZH}
    doc = {
        "schema": REPORT_SCHEMA,
        "scenario": scenario.name, "scenario_ref": scenario_ref,
        "tier": profile.tier, "tier_zh": profile.name_zh, "thresholds": profile.thresholds,
        "run": run, "counts": counts,
        "indicators": [verdict_dict(v) for v in verdicts],
        "measurements": to_json(measured),
        "incidents": incident_dicts(lifecycles, model),
    }
    if model is not None:
        doc["responder_model"] = model.as_dict()
    return doc, coverage


def write(doc: dict[str, Any], coverage: Any, scenario: Scenario, lifecycles: list[Lifecycle],
          out: Path) -> dict[str, Path]:
    """Write report.json, report.md, report.html (self-contained) and junit.xml into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    img_dir = out / "img"
    for stale in img_dir.glob("*.png"):  # a re-render into the same folder: no old figures
        stale.unlink()
    pictures = all_maps(coverage, scenario, img_dir)
    limit = doc["thresholds"].get("elderly_response_s")  # the profile's, if it sets one
    limits = {} if limit is None else {"emergency_call": float(limit)}
    clock = doc["run"].get("latency_clock") or "sim"
    rows = kind_latencies(doc["incidents"], clock)
    pictures += latency_plots(rows, clock, img_dir, limits)
    images = {p.stem: f"img/{p.name}" for p in pictures}
    paths = {"json": out / "report.json", "md": out / "report.md", "html": out / "report.html",
             "junit": out / "junit.xml"}
    # each file whole or not at all: a report half written by a dying run would mislead
    atomic_write_text(paths["json"], json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    atomic_write_text(paths["md"], render_markdown(doc, images, rows))
    files = {k: out / v for k, v in images.items()}
    atomic_write_text(paths["html"], render_html(doc, files, rows))
    atomic_write_text(paths["junit"], render_junit(doc))
    return paths


GatesFn = Callable[[dict[str, Any], dict[str, Any]], list[dict[str, object]]]


def from_run(result: RunResult, scenario: Scenario, out: Path,
             gates: GatesFn | None = None) -> dict[str, Path]:
    """The report of a run that just ended (health measured in the run itself). `gates`, given
    the results and the report document, returns the CI gates to record with it."""
    results = result.as_dict()
    doc, coverage = build(scenario, result.scenario_ref or scenario.name, result.lifecycles,
                          _run_summary(results), result.health, model=result.responder_model)
    if gates is not None:
        doc["gates"] = gates(results, doc)
    return write(doc, coverage, scenario, result.lifecycles, out)


def from_results(results_dir: Path, profile: str | None = None,
                 out: Path | None = None) -> dict[str, Path]:
    """Re-render the report of a saved run (results.json) into `out` (default: the same dir)."""
    results = json.loads((results_dir / "results.json").read_text("utf-8"))
    ref = results.get("scenario_ref") or results["scenario"]
    scenario = load(ref)
    lifecycles = [lifecycle_from_dict(d) for d in results["incidents"]]
    health = from_json(results.get("health", {}))
    doc, coverage = build(scenario, ref, lifecycles, _run_summary(results), health, profile,
                          ResponderModel.from_results(results))
    return write(doc, coverage, scenario, lifecycles, out or results_dir)


def _run_summary(results: dict[str, Any]) -> dict[str, Any]:
    """The run header every output repeats: what ran, when (UTC), where, from which file."""
    return {k: results.get(k) for k in RUN_HEADER} | {
        "reference_platform": results.get("platform") is not None,
        "summary": results.get("summary", [])}
