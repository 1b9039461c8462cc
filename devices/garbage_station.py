"""Smart garbage sorting station (物业服务 indicator 13): fill level, full alarm, violation event.

The bins fill at a seeded rate and are emptied by the daily collection at 07:00; the fill level
is computed from `env.now` when read. The station raises `full` at the one instant the level
crosses 90 % (one SimPy event, not one per tick) and the collection clears it. A sorting
violation (wrong bin, dumping outside opening hours) is seen by the station's camera and
latches until the platform writes `reset`.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, Value, alarm_table, check_point_map
from devices.points import Access, DataType, Point, Table
from scenarios import Device as DeviceSpec

COLLECTION_H = 7.0
FULL_PCT = 90.0


class GarbageStation(Device):
    KIND = "garbage_station"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_table(("full", "bins at or above 90 % (cleared by collection)"),
                     ("violation", "sorting violation seen by the station camera")),
        Point("reset", DataType.BOOL, Access.RW, Table.COIL, 8,
              description="write 1 when the violation is handled: clears violation"),
        Point("fill_pct", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 10, unit="%",
              scale=0.1, description="fill level of the fullest bin"),
    )
    ALARMS = ("full", "violation")
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "garbage_violation": IncidentSpec("violation", "reset", "waste dumped unsorted"),
        "garbage_full": IncidentSpec("full", None, "bins overflow before the collection"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        # % per hour: most stations reach 60-110 % of a bin by the next morning.
        self.fill_per_h = float(rng.uniform(2.5, 4.6))
        self._computed["fill_pct"] = self.fill
        env.process(self._days())

    def since_collection_s(self, now: float) -> float:
        return (now - COLLECTION_H * 3600.0) % 86400.0

    def fill(self, now: float) -> float:
        return min(100.0, self.fill_per_h * self.since_collection_s(now) / 3600.0)

    def _days(self) -> Generator[simpy.Event, Any, None]:
        crossing_s = FULL_PCT / self.fill_per_h * 3600.0   # after a collection
        while True:
            since = self.since_collection_s(self.env.now)
            to_collection = 86400.0 - since
            if since < crossing_s < to_collection + since:
                yield self.env.timeout(crossing_s - since)
                self.raise_alarm("full")
                to_collection = 86400.0 - self.since_collection_s(self.env.now)
            yield self.env.timeout(to_collection)
            self.clear_alarm("full")

    def on_write(self, name: str, value: Value) -> None:
        if name == "reset":
            if value:
                self.clear_alarm("violation")
            return
        super().on_write(name, value)


check_point_map(GarbageStation.KIND, GarbageStation.POINTS)
