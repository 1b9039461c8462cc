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


SpillFn = Callable[[list[Record]], None]


class Trace:
    """The records of a run, in memory up to a bound.

    A long live run would otherwise grow without end: past `max_records` the oldest half goes to
    `spill` (a journal outside the world) and leaves memory. Records of the points named in
    `retain` (the rare changes a whole-run figure needs, such as a camera going offline) also stay
    in `retained`, whatever was spilled.
    """

    def __init__(self, wall_clock: Callable[[], int]) -> None:
        self._wall = wall_clock
        self.records: list[Record] = []
        self.retained: list[Record] = []
        self.retain: frozenset[str] = frozenset()
        self.max_records: int | None = None
        self.spill: SpillFn | None = None
        self.spilled = 0

    def add(self, t_s: float, kind: str, subject: str, name: str, value: object,
            wall_ns: int | None = None) -> Record:
        rec = Record(t_s, self._wall() if wall_ns is None else wall_ns, kind, subject, name, value)
        self.records.append(rec)
        if kind == "point" and name in self.retain:
            self.retained.append(rec)
        if self.max_records is not None and len(self.records) >= self.max_records:
            half = self.records[:len(self.records) // 2]
            if self.spill is not None:
                self.spill(half)
            del self.records[:len(half)]
            self.spilled += len(half)
        return rec

    def point_changes(self, names: frozenset[str]) -> list[Record]:
        """Every change of these points over the whole run (spilled ones only if retained)."""
        source = self.retained if names <= self.retain and self.spilled else self.records
        return [r for r in source if r.kind == "point" and r.name in names]

    def sim_lines(self) -> Iterator[str]:
        """The simulated part of the trace as JSON lines (deterministic for a seed)."""
        return (r.sim_json() for r in self.records)

    def __len__(self) -> int:
        return self.spilled + len(self.records)
