"""Emergency call button for elderly residents living alone (养老服务 indicator 10).

A call stays active until a responder confirms they are on site (`onsite` written 1), which
resolves it; the acceptance rule is "on site within 15 minutes". The battery drains linearly and
raises `low_battery` once, when it crosses the threshold: one event, not one per tick.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, Value, alarm_points, check_point_map
from devices.points import Access, DataType, Point, Table
from scenarios import Device as DeviceSpec

LOW_BATTERY_PCT = 20.0
DRAIN_PCT_PER_DAY = 0.25  # a coin cell lasting about a year


class CallButton(Device):
    KIND = "call_button"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_points("call", di=0, coil=0, ir=0, description="emergency call"),
        *alarm_points("low_battery", di=1, coil=1, ir=3, description="battery low"),
        Point("onsite", DataType.BOOL, Access.RW, Table.COIL, 8,
              description="write 1 when a responder is on site: ends the call"),
        Point("battery_pct", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 8, unit="%",
              scale=0.1, description="battery charge"),
    )
    ALARMS = ("call", "low_battery")
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "emergency_call": IncidentSpec("call", resolve_point="onsite",
                                       description="a resident presses the call button"),
        # The battery is swapped by the maintainer: clears after the scenario's clear_after_s.
        "call_low_battery": IncidentSpec("low_battery", resolve_point=None,
                                         description="the button's battery runs low"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self.battery_start_pct = float(rng.uniform(60.0, 100.0))
        self._computed["battery_pct"] = self._battery
        env.process(self._battery_watch())

    def _battery(self, now: float) -> float:
        return max(0.0, self.battery_start_pct - DRAIN_PCT_PER_DAY * now / 86400.0)

    def _battery_watch(self) -> Generator[simpy.Event, Any, None]:
        crossing_s = (self.battery_start_pct - LOW_BATTERY_PCT) / DRAIN_PCT_PER_DAY * 86400.0
        yield self.env.timeout(max(0.0, crossing_s))
        self.raise_alarm("low_battery")

    def on_write(self, name: str, value: Value) -> None:
        if name == "onsite":
            # A momentary command, like a panel's reset: it ends the call and reads back 0.
            if value:
                self.clear_alarm("call")
            return
        super().on_write(name, value)


check_point_map(CallButton.KIND, CallButton.POINTS)
