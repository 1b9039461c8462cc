"""What the three household meters share: a cumulative reading that is the exact integral of a
seeded daily profile, computed from `env.now` when read, and a self-clearing `comm_fault`.

A meter kind declares its profile (daily shape, median hourly consumption and spread) and the
names of its cumulative and rate points; `Meter.__init__` wires them to a `StepProfile`, so a
meter costs no SimPy event unless an incident happens to it.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
import simpy

from devices.base import Device
from devices.profile import RESIDENTIAL_SHAPE, StepProfile
from scenarios import Device as DeviceSpec


class Meter(Device):
    """Base of electricity, water and gas meters (subclasses declare the class attributes)."""

    TOTAL: ClassVar[str]             # cumulative point, e.g. "energy_kwh"
    RATE: ClassVar[str]              # mean rate over the current hour, e.g. "power_kw"
    SHAPE: ClassVar[tuple[float, ...]] = RESIDENTIAL_SHAPE
    MEDIAN_PER_H: ClassVar[float]    # median household consumption per hour
    SPREAD: ClassVar[float] = 0.4    # lognormal sigma across households
    START: ClassVar[tuple[float, float]]  # range of the reading at t = 0

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self.start_total = float(rng.uniform(*self.START))
        mean = float(rng.lognormal(math.log(self.MEDIAN_PER_H), self.SPREAD))
        self.profile = StepProfile(mean, rng, shape=self.SHAPE)
        self._computed[self.TOTAL] = self.total
        self._computed[self.RATE] = self.profile.rate

    def total(self, now: float) -> float:
        return self.start_total + self.profile.integral(now)
