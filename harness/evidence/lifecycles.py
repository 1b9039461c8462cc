"""Lifecycle statistics: incident lifecycles -> counts and latency statistics per incident kind.

Latencies are taken on one clock: wall time in a live run (what the platform under test really
took), simulated time in a virtual run.

"Missed" has one meaning everywhere (console, results, report): a step that never came. Each
incident lists its missed steps (`observed`, `acknowledged`, `resolved`); a kind's row counts
them per step, and `missed` counts incidents with any step missing. An acknowledgement that came
before the platform ever received the alarm is *blind* (sent on a timer, not in answer to what
the platform saw): counted apart, and never credited as an answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from harness.contract.records import lifecycle_dict, lifecycle_from_dict
from sim import STEPS, Lifecycle

__all__ = ["MISSED_LEGEND", "KindStats", "lifecycle_dict", "lifecycle_from_dict", "summarize"]

#: One line for every table that shows missed steps.
MISSED_LEGEND = ("missed = steps that never came (not observed / not acknowledged / not "
                 "resolved); blind = acknowledged before the platform received the alarm")


@dataclass(frozen=True)
class KindStats:
    kind: str
    injected: int
    observed: int
    acknowledged: int
    resolved: int
    #: incidents with any step missing
    missed: int
    clock: str
    ack_p50_s: float | None
    ack_p95_s: float | None
    ack_max_s: float | None
    observe_p50_s: float | None
    resolve_p50_s: float | None
    missed_observed: int = 0
    missed_acknowledged: int = 0
    missed_resolved: int = 0
    blind_acks: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _pct(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def summarize(lifecycles: list[Lifecycle], clock: str) -> list[KindStats]:
    """One row per incident kind (sorted by name)."""
    rows = []
    for kind in sorted({lc.kind for lc in lifecycles}):
        group = [lc for lc in lifecycles if lc.kind == kind]
        counts = {step: sum(1 for lc in group if lc.step(step) is not None) for step in STEPS}
        acks = [v for lc in group if (v := lc.latency_s("acknowledged", clock)) is not None]
        obs = [v for lc in group if (v := lc.latency_s("observed", clock)) is not None]
        res = [v for lc in group if (v := lc.latency_s("resolved", clock)) is not None]
        rows.append(KindStats(
            kind=kind, injected=counts["injected"], observed=counts["observed"],
            acknowledged=counts["acknowledged"], resolved=counts["resolved"],
            missed=sum(1 for lc in group if lc.missed), clock=clock,
            ack_p50_s=_pct(acks, 50), ack_p95_s=_pct(acks, 95),
            ack_max_s=max(acks) if acks else None,
            observe_p50_s=_pct(obs, 50), resolve_p50_s=_pct(res, 50),
            missed_observed=sum(1 for lc in group if "observed" in lc.missed),
            missed_acknowledged=sum(1 for lc in group if "acknowledged" in lc.missed),
            missed_resolved=sum(1 for lc in group if "resolved" in lc.missed),
            blind_acks=sum(1 for lc in group if lc.blind_ack)))
    return rows
