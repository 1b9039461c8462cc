"""Fire-hazard monitoring terminal of a compound (消防隐患 indicator 19): fire-lane occupied,
hydrant pressure low, fire door open, electrical fault (residual current / cable temperature).

One terminal carries the four sensing channels, as the integrated terminals sold for this
indicator do. Each hazard is a physical condition: it clears by itself when the car leaves, the
door closes, the pressure recovers (the scenario's `clear_after_s`), so it needs no platform
write. The measurements are computed from `env.now` when read and follow the alarms: hydrant
pressure drops, residual current and cable temperature rise while the hazard is active.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, alarm_table, check_point_map
from devices.points import Access, DataType, Point, Table
from scenarios import Device as DeviceSpec


class FireHazardSensor(Device):
    KIND = "fire_hazard_sensor"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_table(("lane_occupied", "fire lane occupied by a vehicle"),
                     ("hydrant_low", "fire hydrant pressure below 0.10 MPa"),
                     ("door_open", "fire door held open"),
                     ("electrical_fault", "residual current or cable over-temperature")),
        Point("hydrant_pressure_mpa", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 20,
              unit="MPa", scale=0.001, description="hydrant network pressure"),
        Point("residual_current_ma", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 21,
              unit="mA", scale=0.1, description="residual (leakage) current, alarm >= 300 mA"),
        Point("cable_temp_c", DataType.INT16, Access.R, Table.INPUT_REGISTER, 22, unit="°C",
              scale=0.1, description="cable temperature, alarm >= 70 °C"),
    )
    ALARMS = ("lane_occupied", "hydrant_low", "door_open", "electrical_fault")
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "fire_lane_occupied": IncidentSpec("lane_occupied", None, "a car parks on the fire lane"),
        "hydrant_pressure_low": IncidentSpec("hydrant_low", None, "hydrant pressure drops"),
        "fire_door_open": IncidentSpec("door_open", None, "a fire door is wedged open"),
        "electrical_fault": IncidentSpec("electrical_fault", None,
                                         "leakage current / hot cable in a distribution box"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self._pressure = float(rng.uniform(0.30, 0.45))
        self._leak = float(rng.uniform(3.0, 15.0))
        self._phase = float(rng.uniform(0, 2 * math.pi))
        self._computed["hydrant_pressure_mpa"] = lambda now: (
            0.05 if self._values["hydrant_low"] else
            self._pressure + 0.01 * math.sin(2 * math.pi * now / 86400 + self._phase))
        self._computed["residual_current_ma"] = lambda now: (
            350.0 if self._values["electrical_fault"] else self._leak)
        self._computed["cable_temp_c"] = lambda now: (
            85.0 if self._values["electrical_fault"] else
            28.0 + 6.0 * math.sin(2 * math.pi * now / 86400 + self._phase))


check_point_map(FireHazardSensor.KIND, FireHazardSensor.POINTS)
