"""Smart street/garden light (智能照明 indicator 5): brightness by schedule and ambient light,
remote brightness and on/off from the platform, lamp-fault alarm.

In `auto` mode the level is computed from `env.now` when read: full from dusk, a night dimming
step (40 %) from 23:00 to 05:00, and off whenever the ambient light is above the switching
threshold. Ambient light is a seeded per-day daylight curve (clear or overcast day), also
computed on read. Writing `brightness_set` puts the light in manual mode at that level; writing
`mode` 0 returns it to the schedule; `power` off forces 0 in either mode. A lamp fault (latched
until `reset`) makes the lamp draw nothing and read 0 %.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, Value, alarm_points, check_point_map
from devices.points import Access, DataType, Point, Table
from scenarios import Device as DeviceSpec

SUNRISE_H = 6.0
SUNSET_H = 18.5
SWITCH_LUX = 50.0           # photocell threshold: lamps on below this
NIGHT_DIM = (23.0, 5.0, 40)  # from, to (hours), level %
RATED_W = 60.0


class SmartLight(Device):
    KIND = "smart_light"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_points("lamp_fault", di=0, coil=0, ir=0, description="lamp or driver fault"),
        Point("reset", DataType.BOOL, Access.RW, Table.COIL, 8,
              description="write 1 after repair: clears the lamp fault"),
        Point("power", DataType.BOOL, Access.RW, Table.COIL, 9,
              description="remote on/off (0 forces the lamp off in every mode)"),
        Point("brightness_set", DataType.UINT16, Access.RW, Table.HOLDING_REGISTER, 0, unit="%",
              write_range=(0, 100), description="remote brightness; writing it selects manual"),
        Point("mode", DataType.UINT16, Access.RW, Table.HOLDING_REGISTER, 1, write_range=(0, 1),
              description="0 auto (schedule and ambient light), 1 manual (brightness_set)"),
        Point("brightness_pct", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 4, unit="%",
              description="current light output"),
        Point("ambient_lux", DataType.UINT32, Access.R, Table.INPUT_REGISTER, 5, unit="lx",
              description="ambient light at the photocell"),
        Point("power_w", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 7, unit="W",
              scale=0.1, description="electrical power drawn"),
    )
    ALARMS = ("lamp_fault",)
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "lamp_fault": IncidentSpec("lamp_fault", resolve_point="reset",
                                   description="the lamp fails (repaired, then reset)"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self._values["power"] = True
        self._values["brightness_set"] = 100
        self._overcast: dict[int, float] = {}
        self._computed["ambient_lux"] = self.ambient_lux
        self._computed["brightness_pct"] = self.brightness
        self._computed["power_w"] = lambda now: RATED_W * self.brightness(now) / 100.0

    def ambient_lux(self, now: float) -> float:
        day = int(now // 86400)
        if day not in self._overcast:  # days are drawn in order, whatever the read pattern
            for d in range(len(self._overcast), day + 1):
                self._overcast[d] = float(self.rng.choice([1.0, 0.25], p=[0.7, 0.3]))
        hour = (now % 86400) / 3600.0
        if not SUNRISE_H < hour < SUNSET_H:
            return 1.0
        sun = math.sin(math.pi * (hour - SUNRISE_H) / (SUNSET_H - SUNRISE_H))
        return round(1.0 + 60000.0 * self._overcast[day] * sun**1.5)

    def scheduled(self, now: float) -> int:
        """Level the schedule and photocell ask for at `now` (auto mode)."""
        if self.ambient_lux(now) >= SWITCH_LUX:
            return 0
        hour = (now % 86400) / 3600.0
        start, end, level = NIGHT_DIM
        return level if (hour >= start or hour < end) else 100

    def brightness(self, now: float) -> int:
        if self._values["lamp_fault"] or not self._values["power"]:
            return 0
        if self._values["mode"] == 1:
            return int(self._values["brightness_set"])
        return self.scheduled(now)

    def on_write(self, name: str, value: Value) -> None:
        if name == "reset":
            if value:
                self.clear_alarm("lamp_fault")
            return
        if name == "brightness_set":
            self._set("mode", 1)
            value = int(value)
        elif name == "mode":
            value = int(value)
        super().on_write(name, value)


check_point_map(SmartLight.KIND, SmartLight.POINTS)
