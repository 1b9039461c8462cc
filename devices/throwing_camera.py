"""High-altitude throwing camera (高空抛物 indicator 17): a detection event with the building,
floor and window column the object came from.

The camera looks up one facade of `building` from floor 3 to `watch_floors`, across `columns`
window columns. A detection raises `throw_detected` and sets the event location registers (kept
until the next event); the building id is text, two characters per register (see
`devices.points.pack_text`). The platform writes `reset` once the event is handled.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, Value, alarm_points, check_point_map
from devices.points import Access, DataType, Point, Table, pack_text, text_points
from scenarios import Device as DeviceSpec

BUILDING_WORDS = 4
LOWEST_FLOOR = 3


class ThrowingCamera(Device):
    KIND = "throwing_camera"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_points("throw_detected", di=0, coil=0, ir=0,
                      description="object thrown from height"),
        Point("reset", DataType.BOOL, Access.RW, Table.COIL, 8,
              description="write 1 when the event is handled: clears throw_detected"),
        *text_points("event_building", 10, BUILDING_WORDS, "building of the last event"),
        Point("event_floor", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 14,
              description="floor of the last event (0: none yet)"),
        Point("event_column", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 15,
              description="window column of the last event, 1 = leftmost seen by the camera"),
        Point("watch_top_floor", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 16,
              description="top floor in view (the view starts at floor 3)"),
    )
    ALARMS = ("throw_detected",)
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "object_thrown": IncidentSpec("throw_detected", "reset",
                                      "an object falls from a window"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self._values["watch_top_floor"] = spec.watch_floors

    def inject(self, incident_kind: str, clear_after_s: float | None) -> IncidentSpec:
        floor = int(self.rng.integers(LOWEST_FLOOR, self.spec.watch_floors + 1))
        column = int(self.rng.integers(1, self.spec.columns + 1))
        words = pack_text(self.spec.building or "", BUILDING_WORDS)
        for i, w in enumerate(words):
            self._set(f"event_building_w{i}", w)
        self._set("event_floor", floor)
        self._set("event_column", column)
        return super().inject(incident_kind, clear_after_s)

    def on_write(self, name: str, value: Value) -> None:
        if name == "reset":
            if value:
                self.clear_alarm("throw_detected")
            return
        super().on_write(name, value)


check_point_map(ThrowingCamera.KIND, ThrowingCamera.POINTS)
