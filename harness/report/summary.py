"""The one-screen summary every human rendering opens with: tier, verdict counts, every
indicator not met (figure and first piece of evidence), the slowest incident kinds, and the run's
identity. Also the per-kind latency table the plots and the summary share. Pure over the report
document, so a re-rendered report summarises the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: A kind is plotted when at least this many of its incidents were acknowledged: fewer points
#: draw no distribution, only a stray step or a single bar. The rest are in the latency table.
MIN_PLOTTED = 5
#: How many incident kinds the summary names as the slowest.
WORST = 5


@dataclass(frozen=True)
class KindLatency:
    """Injection -> acknowledgement for one incident kind, in seconds on the run's clock."""

    kind: str
    incidents: int
    acknowledged: int
    missed: int
    p50_s: float | None
    p95_s: float | None
    max_s: float | None
    values_s: tuple[float, ...]

    @property
    def plotted(self) -> bool:
        return self.acknowledged >= MIN_PLOTTED


def kind_latencies(incidents: list[dict[str, Any]], clock: str) -> list[KindLatency]:
    """One row per incident kind, in kind order."""
    out = []
    for kind in sorted({inc["kind"] for inc in incidents}):
        group = [inc for inc in incidents if inc["kind"] == kind]
        vals = [v for inc in group
                if (v := (inc.get("latency_s", {}).get("acknowledged") or {}).get(clock))
                is not None]
        missed = sum(1 for inc in group if "acknowledged" in inc["missed"])
        arr = np.asarray(vals, dtype=float)
        p50, p95, top = ((float(np.percentile(arr, 50)), float(np.percentile(arr, 95)),
                          float(arr.max())) if len(arr) else (None, None, None))
        out.append(KindLatency(kind, len(group), len(vals), missed, p50, p95, top, tuple(vals)))
    return out


def worst_latencies(rows: list[KindLatency], n: int = WORST) -> list[KindLatency]:
    """The kinds with the highest ack p95; a kind with unanswered incidents ranks first."""
    return sorted(rows, key=lambda r: (-r.missed, -(r.p95_s if r.p95_s is not None else -1),
                                       r.kind))[:n]


@dataclass(frozen=True)
class Failure:
    """One failing criterion of an indicator not met."""

    number: int
    name_zh: str
    name_en: str
    label: str
    figure: str
    evidence: str
    evidence_total: int


def failures(doc: dict[str, Any]) -> list[Failure]:
    """Every failing criterion of every indicator not met, in table order (at least one line
    per indicator not met)."""
    out = []
    for ind in doc["indicators"]:
        if ind["status"] != "not_met":
            continue
        failing = [c for c in ind["criteria"] if c["ok"] is False] or ind["criteria"][:1]
        for c in failing:
            figure = f"{c['value_text']} (needs {c['op']} {c['threshold_text']})"
            first = c["evidence"][0] if c["evidence"] else ""
            out.append(Failure(ind["number"], ind["name_zh"], ind["name_en"], c["label"],
                               figure, first, c["evidence_total"]))
    return out


def grounds(doc: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(indicator, criterion) of every figure that rests on a model or a scaled clock and holds,
    with its evidence: what a prediction rests on is shown whether or not it fails (the failing
    ones are listed with the failures)."""
    return [(ind, c) for ind in doc["indicators"] for c in ind["criteria"]
            if c["ok"] and c.get("basis", "measured") != "measured" and c["evidence"]]


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} s"


def identity(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """The run's identity on one line each: when (UTC), where, which build, which file, how."""
    run = doc["run"]
    mode = str(run.get("mode") or "virtual")
    if mode == "live":
        how = f"live, speed {run.get('speed') or 1:g}x"
    else:
        how = "virtual, speed: as fast as it runs (latencies on the simulated clock)"
    sha = run.get("scenario_sha256") or "-"
    return [("run (UTC)", f"{run.get('started_utc') or '-'} → {run.get('ended_utc') or '-'}"),
            ("host · commtwin", f"{run.get('host') or '-'} · {run.get('commtwin_version') or '-'}"),
            ("scenario", f"{doc['scenario_ref']} · sha256 {sha}"),
            ("mode", how)]
