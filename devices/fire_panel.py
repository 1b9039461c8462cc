"""Fire alarm control panel of one building (GB 50116 style): fire and fault alarms, reset.

A fire alarm latches until the platform (or a person at the panel) writes `reset`; writing
`reset` clears both alarms, as a real panel's reset button does.
"""

from __future__ import annotations

from typing import ClassVar

from devices.base import Device, IncidentSpec, Value, alarm_points, check_point_map
from devices.points import Access, DataType, Point, Table


class FirePanel(Device):
    KIND = "fire_panel"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_points("fire", di=0, coil=0, ir=0, description="fire alarm"),
        *alarm_points("fault", di=1, coil=1, ir=3, description="panel or detector fault"),
        Point("reset", DataType.BOOL, Access.RW, Table.COIL, 8,
              description="write 1 to reset the panel (clears fire and fault)"),
        Point("detectors_in_alarm", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 8,
              description="detectors currently in alarm"),
    )
    ALARMS = ("fire", "fault")
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "fire_alarm": IncidentSpec("fire", resolve_point="reset",
                                   description="a smoke detector in a public area trips"),
    }

    def inject(self, incident_kind: str, clear_after_s: float | None) -> IncidentSpec:
        spec = super().inject(incident_kind, clear_after_s)
        if spec.alarm == "fire":
            self._set("detectors_in_alarm", int(self._values["detectors_in_alarm"]) + 1)
        return spec

    def on_write(self, name: str, value: Value) -> None:
        if name == "reset":
            if value:
                self.clear_alarm("fire")
                self.clear_alarm("fault")
                self._set("detectors_in_alarm", 0)
            return  # a reset is a momentary command: it always reads back 0
        super().on_write(name, value)


check_point_map(FirePanel.KIND, FirePanel.POINTS)
