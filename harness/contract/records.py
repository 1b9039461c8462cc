"""An incident's lifecycle as JSON: how results.json, report.json and the control API publish it.

Each step carries simulated seconds, the monotonic wall stamp, its UTC time and who caused it;
`missed` lists the steps that never came and `blind_ack` flags an acknowledgement sent before the
platform received the alarm.
"""

from __future__ import annotations

from typing import Any

from sim import STEPS, Actor, Lifecycle, Step


def _step_dict(s: Step) -> dict[str, object]:
    out: dict[str, object] = {"t_s": round(s.t_s, 6), "wall_ns": s.wall_ns}
    if s.utc:
        out["utc"] = s.utc
    if s.by is not None:
        out["by"] = s.by.as_dict()
    return out


def lifecycle_dict(lc: Lifecycle) -> dict[str, object]:
    return {
        "id": lc.id, "kind": lc.kind, "device": lc.device, "alarm": lc.alarm,
        "steps": {s.name: _step_dict(s) for s in lc.steps},
        "missed": list(lc.missed),
        "blind_ack": lc.blind_ack,
        "latency_s": {name: {"sim": lc.latency_s(name, "sim"), "wall": lc.latency_s(name, "wall")}
                      for name in STEPS[1:] if lc.step(name) is not None},
    }


def lifecycle_from_dict(d: dict[str, Any]) -> Lifecycle:
    """The inverse of `lifecycle_dict` (for re-rendering a report from saved results)."""
    steps = tuple(Step(name, float(s["t_s"]), int(s["wall_ns"]), str(s.get("utc", "")),
                       Actor(**s["by"]) if s.get("by") else None)
                  for name, s in d["steps"].items())
    return Lifecycle(d["id"], d["kind"], d["device"], d["alarm"], steps, tuple(d["missed"]))
