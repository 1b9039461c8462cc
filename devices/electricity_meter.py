"""Household electricity meter (家庭能源采集 indicator 7): kWh, power, voltage, comm fault.

Readings are computed from simulated time when read (see `devices.meter`), so a meter costs
no SimPy events unless something happens to it. A `meter_fault` incident raises `comm_fault`,
which clears by itself after the scenario's `clear_after_s`.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import simpy

from devices.base import IncidentSpec, alarm_points, check_point_map
from devices.meter import Meter
from devices.points import Access, DataType, Point, Table
from scenarios import Device as DeviceSpec


class ElectricityMeter(Meter):
    KIND = "electricity_meter"
    POINTS: ClassVar[tuple[Point, ...]] = (
        Point("energy_kwh", DataType.UINT32, Access.R, Table.INPUT_REGISTER, 0, unit="kWh",
              scale=0.01, description="cumulative active energy imported"),
        Point("power_kw", DataType.FLOAT32, Access.R, Table.INPUT_REGISTER, 2, unit="kW",
              description="active power, mean over the current hour"),
        Point("voltage_v", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 4, unit="V",
              scale=0.1, description="phase voltage"),
        *alarm_points("comm_fault", di=0, coil=0, ir=8, description="metering channel fault"),
    )
    ALARMS = ("comm_fault",)
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "meter_fault": IncidentSpec("comm_fault", resolve_point=None,
                                    description="the meter's metering channel fails"),
    }
    TOTAL = "energy_kwh"
    RATE = "power_kw"
    MEDIAN_PER_H = 0.35
    START = (500.0, 20000.0)

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self._voltage_phase = 0.0
        self._computed["voltage_v"] = self._voltage

    def draw_parameters(self) -> None:
        self._voltage_phase = float(self.rng.uniform(0.0, 2 * math.pi))

    def _voltage(self, now: float) -> float:
        self.profile  # noqa: B018 -- draws the meter's parameters on first use
        # Mains sags a few volts at the evening peak; deterministic, no event needed.
        return 222.0 + 3.0 * math.sin(2 * math.pi * now / 86400.0 + self._voltage_phase)


check_point_map(ElectricityMeter.KIND, ElectricityMeter.POINTS)
