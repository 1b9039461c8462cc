"""Fire alarm control panel of one building (GB 50116 style): detectors per public area, fire
and fault alarms, acknowledgement and reset.

The panel watches `areas` public areas (stairwells, corridors, lobbies), each with its own
detectors; per area it reports how many detectors there are and how many are in alarm or in
fault. A fire alarm or a detector fault latches until the platform (or a person at the panel)
writes `reset`, which clears both alarms and every area, as a real panel's reset button does.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, Value, alarm_points, check_point_map
from devices.points import Access, DataType, Point, Table
from scenarios import Device as DeviceSpec

MAX_AREAS = 8


def _area_points(k: int) -> tuple[Point, ...]:
    base = 20 + 3 * k
    return (
        Point(f"a{k}_detectors", DataType.UINT16, Access.R, Table.INPUT_REGISTER, base,
              description=f"public area {k + 1}: detectors installed (0: no such area)"),
        Point(f"a{k}_in_alarm", DataType.UINT16, Access.R, Table.INPUT_REGISTER, base + 1,
              description=f"public area {k + 1}: detectors in alarm"),
        Point(f"a{k}_in_fault", DataType.UINT16, Access.R, Table.INPUT_REGISTER, base + 2,
              description=f"public area {k + 1}: detectors in fault"),
    )


class FirePanel(Device):
    KIND = "fire_panel"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_points("fire", di=0, coil=0, ir=0, description="fire alarm"),
        *alarm_points("fault", di=1, coil=1, ir=3, description="panel or detector fault"),
        Point("reset", DataType.BOOL, Access.RW, Table.COIL, 8,
              description="write 1 to reset the panel (clears fire and fault)"),
        Point("detectors_in_alarm", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 8,
              description="detectors currently in alarm"),
        Point("areas", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 9,
              description="public areas watched by this panel"),
        *(p for k in range(MAX_AREAS) for p in _area_points(k)),
    )
    ALARMS = ("fire", "fault")
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "fire_alarm": IncidentSpec("fire", resolve_point="reset",
                                   description="a smoke detector in a public area trips"),
        "fire_panel_fault": IncidentSpec("fault", resolve_point="reset",
                                         description="a detector reports a fault"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self.areas = spec.areas
        self._values["areas"] = self.areas
        for k in range(self.areas):
            self._values[f"a{k}_detectors"] = int(rng.integers(4, 13))

    def inject(self, incident_kind: str, clear_after_s: float | None) -> IncidentSpec:
        spec = super().inject(incident_kind, clear_after_s)
        if spec.alarm == "fire":
            self._set("detectors_in_alarm", int(self._values["detectors_in_alarm"]) + 1)
        k = int(self.rng.integers(self.areas))
        field = "in_alarm" if spec.alarm == "fire" else "in_fault"
        self._set(f"a{k}_{field}", min(int(self._values[f"a{k}_{field}"]) + 1,
                                       int(self._values[f"a{k}_detectors"])))
        return spec

    def on_write(self, name: str, value: Value) -> None:
        if name == "reset":
            if value:
                self.clear_alarm("fire")
                self.clear_alarm("fault")
                self._set("detectors_in_alarm", 0)
                for k in range(self.areas):
                    self._set(f"a{k}_in_alarm", 0)
                    self._set(f"a{k}_in_fault", 0)
            return  # a reset is a momentary command: it always reads back 0
        super().on_write(name, value)


check_point_map(FirePanel.KIND, FirePanel.POINTS)
