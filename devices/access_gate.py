"""Access gate of a compound entrance for people and vehicles (出入管理 indicator 15): pass
counters, authentication accepted/refused counters, forced-passage alarm.

Passes happen all day and are not incidents, so the counters are computed from `env.now` when
read, as the floor of the exact integral of a seeded daily profile (`devices.profile`), like a
meter's reading: monotone, consistent between reads, and no SimPy event per pass. A fixed share
of authentications is refused (unknown face or plate). `gate_forced` latches until `reset`.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, Value, alarm_points, check_point_map
from devices.points import Access, DataType, Point, Table
from devices.profile import RESIDENTIAL_SHAPE, StepProfile
from scenarios import Device as DeviceSpec


class AccessGate(Device):
    KIND = "access_gate"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_points("forced", di=0, coil=0, ir=0,
                      description="gate forced open or tailgating"),
        Point("reset", DataType.BOOL, Access.RW, Table.COIL, 8,
              description="write 1 when the guard has checked: clears forced"),
        Point("people_passes", DataType.UINT32, Access.R, Table.INPUT_REGISTER, 10,
              description="people passed since the counter started"),
        Point("vehicle_passes", DataType.UINT32, Access.R, Table.INPUT_REGISTER, 12,
              description="vehicles passed since the counter started"),
        Point("auth_accepted", DataType.UINT32, Access.R, Table.INPUT_REGISTER, 14,
              description="authentications accepted (face, card or plate)"),
        Point("auth_refused", DataType.UINT32, Access.R, Table.INPUT_REGISTER, 16,
              description="authentications refused"),
    )
    ALARMS = ("forced",)
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "gate_forced": IncidentSpec("forced", "reset", "someone forces the gate or tailgates"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self.people = StepProfile(float(rng.lognormal(math.log(40.0), 0.3)), rng,
                                  shape=RESIDENTIAL_SHAPE)
        self.vehicles = StepProfile(float(rng.lognormal(math.log(8.0), 0.3)), rng,
                                    shape=RESIDENTIAL_SHAPE)
        self.refused_share = float(rng.uniform(0.01, 0.04))
        self._computed["people_passes"] = lambda now: math.floor(self.people.integral(now))
        self._computed["vehicle_passes"] = lambda now: math.floor(self.vehicles.integral(now))
        self._computed["auth_refused"] = lambda now: math.floor(self._attempts(now)
                                                                * self.refused_share)
        self._computed["auth_accepted"] = lambda now: (
            math.floor(self._attempts(now)) - math.floor(self._attempts(now) * self.refused_share))

    def _attempts(self, now: float) -> float:
        return self.people.integral(now) + self.vehicles.integral(now)

    def on_write(self, name: str, value: Value) -> None:
        if name == "reset":
            if value:
                self.clear_alarm("forced")
            return
        super().on_write(name, value)


check_point_map(AccessGate.KIND, AccessGate.POINTS)
