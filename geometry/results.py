"""The result of one indicator: measured ratio, the threshold it was held against, the verdict
and the evidence (which places failed, and why). Immutable records; nothing computes here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["met", "not_met", "no_data"]

#: Evidence lists are capped so a 10,000-household site's report stays readable; the total is
#: kept in `IndicatorResult.evidence_count`.
MAX_EVIDENCE = 200

# Ratios are sums of float areas and budgets; a ratio that is 1 - 1e-12 has met a 100% bar.
_EPS = 1e-9


@dataclass(frozen=True)
class Evidence:
    """One failing place: what it is, where (local metres, when it has a position), and why."""

    place: str
    reason: str
    position: tuple[float, float] | None = None


@dataclass(frozen=True)
class IndicatorResult:
    """One row of the acceptance table.

    `ratio` is numerator / denominator (None when there is nothing to measure, which is
    `status == "no_data"`: the report shows it as needing evidence, never as met).
    """

    number: int
    key: str
    title: str
    measure: str
    numerator: float
    denominator: float
    threshold: float
    ratio: float | None
    met: bool
    status: Status
    note: str
    evidence: tuple[Evidence, ...]
    evidence_count: int


def make_result(number: int, key: str, title: str, measure: str, numerator: float,
                denominator: float, threshold: float,
                evidence: list[Evidence] | tuple[Evidence, ...], note: str = "",
                require: bool = True) -> IndicatorResult:
    """Build a consistent result. `require` is a further condition the standard adds (e.g. at
    least one book corner); when False the indicator is not met whatever the ratio."""
    if denominator <= 0:
        ratio: float | None = None
        status: Status = "no_data"
    else:
        ratio = min(1.0, max(0.0, numerator / denominator))
        status = "met" if ratio >= threshold - _EPS and require else "not_met"
    ev = tuple(evidence)
    return IndicatorResult(number=number, key=key, title=title, measure=measure,
                           numerator=float(numerator), denominator=float(denominator),
                           threshold=threshold, ratio=ratio, met=status == "met", status=status,
                           note=note, evidence=ev[:MAX_EVIDENCE], evidence_count=len(ev))
