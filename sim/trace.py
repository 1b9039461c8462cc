"""The trace: every point change and every lifecycle step, stamped with simulated and wall time.

Recording sits outside the models: the world attaches `Trace.point_changed` to each device as an
observer. Wall time (`time.monotonic_ns`) is kept in its own column so that `sim_lines()` — the
simulated part — is identical, byte for byte, for the same scenario and seed in virtual mode.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Record:
    t_s: float          # simulated seconds
    wall_ns: int        # time.monotonic_ns() when it was recorded
    kind: str           # "point" or "step"
    subject: str        # device id, or incident id for a step
    name: str           # point name, or lifecycle step name
    value: object

    def sim_json(self) -> str:
        return json.dumps([round(self.t_s, 6), self.kind, self.subject, self.name, self.value],
                          ensure_ascii=False, separators=(",", ":"))


class Trace:
    def __init__(self, wall_clock: Callable[[], int]) -> None:
        self._wall = wall_clock
        self.records: list[Record] = []

    def add(self, t_s: float, kind: str, subject: str, name: str, value: object,
            wall_ns: int | None = None) -> Record:
        rec = Record(t_s, self._wall() if wall_ns is None else wall_ns, kind, subject, name, value)
        self.records.append(rec)
        return rec

    def sim_lines(self) -> Iterator[str]:
        """The simulated part of the trace as JSON lines (deterministic for a seed)."""
        return (r.sim_json() for r in self.records)

    def __len__(self) -> int:
        return len(self.records)
