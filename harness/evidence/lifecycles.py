"""Measurement: incident lifecycles -> counts and latency statistics per incident kind.

Latencies are taken on one clock: wall time in a live run (what the platform under test really
took), simulated time in a virtual run. "Missed" counts incidents never acknowledged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sim import STEPS, Lifecycle, Step


@dataclass(frozen=True)
class KindStats:
    kind: str
    injected: int
    observed: int
    acknowledged: int
    resolved: int
    missed: int
    clock: str
    ack_p50_s: float | None
    ack_p95_s: float | None
    ack_max_s: float | None
    observe_p50_s: float | None
    resolve_p50_s: float | None

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
            missed=sum(1 for lc in group if "acknowledged" in lc.missed), clock=clock,
            ack_p50_s=_pct(acks, 50), ack_p95_s=_pct(acks, 95),
            ack_max_s=max(acks) if acks else None,
            observe_p50_s=_pct(obs, 50), resolve_p50_s=_pct(res, 50)))
    return rows


def lifecycle_dict(lc: Lifecycle) -> dict[str, object]:
    return {
        "id": lc.id, "kind": lc.kind, "device": lc.device, "alarm": lc.alarm,
        "steps": {s.name: {"t_s": round(s.t_s, 6), "wall_ns": s.wall_ns} for s in lc.steps},
        "missed": list(lc.missed),
        "latency_s": {name: {"sim": lc.latency_s(name, "sim"), "wall": lc.latency_s(name, "wall")}
                      for name in STEPS[1:] if lc.step(name) is not None},
    }


def lifecycle_from_dict(d: dict[str, Any]) -> Lifecycle:
    """The inverse of `lifecycle_dict` (for re-rendering a report from saved results)."""
    steps = tuple(Step(name, float(s["t_s"]), int(s["wall_ns"]))
                  for name, s in d["steps"].items())
    return Lifecycle(d["id"], d["kind"], d["device"], d["alarm"], steps, tuple(d["missed"]))
