"""Perimeter zone of a closed compound (周界防范 indicator 16): intrusion alarm and tamper.

The zone's sensor is an infrared beam, a radar, an electronic fence or video analytics
(`sensing`, a scenario parameter shown as `sensing_type`). Intrusion and tamper latch, as alarm
hosts do, until the guard centre writes `reset` after checking the zone.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, Value, alarm_table, check_point_map
from devices.points import Access, DataType, Point, Table
from scenarios import Device as DeviceSpec

SENSING_CODES = {"infrared": 1, "radar": 2, "electronic_fence": 3, "video": 4}


class PerimeterZone(Device):
    KIND = "perimeter_zone"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_table(("intrusion", "intrusion or climbing detected"),
                     ("tamper", "sensor enclosure opened or cut")),
        Point("reset", DataType.BOOL, Access.RW, Table.COIL, 8,
              description="write 1 after checking the zone: clears intrusion and tamper"),
        Point("armed", DataType.BOOL, Access.RW, Table.COIL, 9,
              description="zone armed (a disarmed zone still reports tamper)"),
        Point("sensing_type", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 10,
              description="1 infrared beam, 2 radar, 3 electronic fence, 4 video analytics"),
    )
    ALARMS = ("intrusion", "tamper")
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "intrusion": IncidentSpec("intrusion", "reset", "someone climbs the perimeter"),
        "perimeter_tamper": IncidentSpec("tamper", "reset", "the zone's sensor is tampered with"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self._values["armed"] = True
        self._values["sensing_type"] = SENSING_CODES[spec.sensing]

    def inject(self, incident_kind: str, clear_after_s: float | None) -> IncidentSpec:
        spec = self.INCIDENTS[incident_kind]
        if spec.alarm == "intrusion" and not self._values["armed"]:
            return spec  # a disarmed zone does not report an intrusion
        return super().inject(incident_kind, clear_after_s)

    def on_write(self, name: str, value: Value) -> None:
        if name == "reset":
            if value:
                for alarm in self.ALARMS:
                    self.clear_alarm(alarm)
            return
        super().on_write(name, value)


check_point_map(PerimeterZone.KIND, PerimeterZone.POINTS)
