"""Judging the indicator table: measurements + the tier profile -> a verdict per indicator.

A verdict is one of
- 达标 met: every criterion was measured in this run, from what the platform really received and
  did (or from the site and its devices), and holds; no part needs documents;
- 未达标 not met: a measured criterion fails;
- 需人工核验 needs evidence: a criterion was not measured in this run, or documents are needed;
- 模拟估计 modelled: a criterion rests on a model or on our own settings (the modelled platform
  of a virtual run, the reference platform's travel time): a prediction, never met;
- 仅供参考 indicative: a time-limited criterion measured at a speed other than 1, where the
  platform's wall-clock latency was scaled by the speed factor: a rehearsal figure, never met.
Each measurement says its basis; the notes say what a modelled or indicative verdict predicts.
Pure functions over immutable inputs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Literal

from scenarios.acceptance import Catalogue, Criterion, Indicator, Profile, judged, standard_text

Status = Literal["met", "not_met", "needs_evidence", "modelled", "indicative"]
STATUS_ZH: dict[str, str] = {"met": "达标", "not_met": "未达标", "needs_evidence": "需人工核验",
                             "modelled": "模拟估计", "indicative": "仅供参考"}
Basis = Literal["measured", "modelled", "indicative"]


@dataclass(frozen=True)
class Measurement:
    """One measured figure and the places behind it.

    `verdict`, when set, is the measuring function's own judgement against the same threshold
    (geometry indicators add conditions such as "at least one book corner"); it then decides.
    """

    value: float
    unit: str = "ratio"
    source: str = ""
    evidence: tuple[str, ...] = ()
    evidence_total: int = 0
    verdict: bool | None = None
    #: how the figure was obtained; `basis_note` says why it is not a plain measurement
    basis: Basis = "measured"
    basis_note: str = ""
    #: a 95% confidence interval (low, high) when the figure is an estimate over replications
    interval: tuple[float, float] | None = None


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    threshold: float
    value: float | None
    unit: str
    ok: bool | None
    evidence: tuple[str, ...] = ()
    evidence_total: int = 0
    basis: Basis = "measured"
    basis_note: str = ""
    interval: tuple[float, float] | None = None


@dataclass(frozen=True)
class Verdict:
    indicator: Indicator
    status: Status
    standard_zh: str
    standard_en: str
    criteria: tuple[CriterionResult, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]


def judge(criterion: Criterion, threshold: float, m: Measurement | None) -> CriterionResult:
    if m is None:
        return CriterionResult(criterion, threshold, None, "", None)
    if m.verdict is not None:
        ok = m.verdict
    elif criterion.op == ">=":
        ok = m.value >= threshold - 1e-9
    else:
        ok = m.value <= threshold + 1e-9
    return CriterionResult(criterion, threshold, m.value, m.unit, ok, m.evidence,
                           m.evidence_total or len(m.evidence), m.basis, m.basis_note,
                           m.interval)


def evaluate(catalogue: Catalogue, profile: Profile,
             measurements: dict[str, Measurement]) -> list[Verdict]:
    """One verdict per indicator, in catalogue order."""
    out = []
    for ind in catalogue.indicator:
        results = tuple(judge(c, profile.thresholds[c.threshold], measurements.get(c.measure))
                        for c in judged(ind.criteria, measurements))
        notes = []
        soft = [r for r in results if r.basis != "measured" and r.ok is not None]
        if any(r.ok is False and r.basis == "measured" for r in results):
            status: Status = "not_met"
        elif not results or ind.needs_evidence or any(r.ok is None for r in results):
            status = "needs_evidence"
            if ind.needs_evidence:
                notes.append("part of this indicator can only be shown by documents")
            missing = [r.criterion.label or r.criterion.measure for r in results if r.ok is None]
            if missing:
                notes.append("not measured in this run: " + "; ".join(missing))
        elif soft:
            status = "modelled" if any(r.basis == "modelled" for r in soft) else "indicative"
        else:
            status = "met"
        for r in soft:
            outcome = "holds" if r.ok else "fails"
            notes.append(f"{r.basis}: {r.criterion.label or r.criterion.measure} {outcome} "
                         f"({r.basis_note})" if r.basis_note else
                         f"{r.basis}: {r.criterion.label or r.criterion.measure} {outcome}")
        out.append(Verdict(ind, status, standard_text(ind.standard_zh, profile),
                           standard_text(ind.standard_en, profile), results, tuple(notes)))
    return out


def to_json(measurements: dict[str, Measurement]) -> dict[str, dict[str, object]]:
    # `interval` only where there is one: a run's record without estimates stays as it was
    return {k: {**{f: v for f, v in asdict(m).items() if f != "interval" or v is not None},
                "value": None if math.isinf(m.value) else m.value,
                "infinite": math.isinf(m.value), "evidence": list(m.evidence)}
            for k, m in sorted(measurements.items())}


def from_json(data: dict[str, dict[str, object]]) -> dict[str, Measurement]:
    out = {}
    for k, v in data.items():
        value = math.inf if v.get("infinite") else float(v["value"])  # type: ignore[arg-type]
        out[k] = Measurement(value, str(v["unit"]), str(v["source"]),
                             tuple(v["evidence"]),  # type: ignore[arg-type]
                             int(v["evidence_total"]),  # type: ignore[call-overload]
                             v["verdict"],  # type: ignore[arg-type]
                             v.get("basis", "measured"),  # type: ignore[arg-type]
                             str(v.get("basis_note", "")),
                             _interval(v.get("interval")))
    return out


def _interval(v: object) -> tuple[float, float] | None:
    if not isinstance(v, list | tuple) or len(v) != 2:
        return None
    return (float(v[0]), float(v[1]))
