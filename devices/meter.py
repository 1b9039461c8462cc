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
        self._profile: StepProfile | None = None
        self.start_total = 0.0
        self._computed[self.TOTAL] = self.total
        self._computed[self.RATE] = self.rate

    @property
    def profile(self) -> StepProfile:
        """The household's profile, drawn from the meter's own stream on first use.

        Most of a large community's meters are never read in a virtual run; drawing their
        parameters on demand keeps building the world cheap, and since the stream is the
        meter's own, the values are the same whenever (and whether) they are first needed.
        """
        if self._profile is None:
            self.start_total = float(self.rng.uniform(*self.START))
            mean = float(self.rng.lognormal(math.log(self.MEDIAN_PER_H), self.SPREAD))
            self._profile = StepProfile(mean, self.rng, shape=self.SHAPE)
            self.draw_parameters()
        return self._profile

    def draw_parameters(self) -> None:
        """Subclasses draw further per-meter parameters here, after the profile's."""

    def total(self, now: float) -> float:
        profile = self.profile  # draws start_total on first use
        return self.start_total + profile.integral(now)

    def rate(self, now: float) -> float:
        return self.profile.rate(now)
