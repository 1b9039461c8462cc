"""Daily load profiles whose integral is exact at any instant, without a SimPy event per tick.

Power is constant within each hour: the hour's share of a residential daily shape, times the
meter's mean, times seeded hourly noise. The cumulative reading at time t is the exact integral
of that step function, so a meter read at any moment agrees with every earlier read.
Noise is drawn one day (24 values) at a time, in day order, from the meter's own stream, so the
values do not depend on when, or how often, the meter is read.
"""

from __future__ import annotations

import functools

import numpy as np

#: Relative hourly demand of a Chinese residential household (mean 1.0): low at night,
#: a morning peak around 07:00 and the evening peak 19:00-21:00.
RESIDENTIAL_SHAPE: tuple[float, ...] = (
    0.45, 0.40, 0.38, 0.37, 0.38, 0.50, 0.85, 1.25, 1.05, 0.85, 0.80, 1.00,
    1.15, 0.95, 0.85, 0.85, 0.95, 1.20, 1.65, 1.95, 1.90, 1.60, 1.10, 0.67,
)


@functools.lru_cache(maxsize=64)
def _normalised(shape: tuple[float, ...]) -> np.ndarray:
    # Shared by every meter of a kind (read-only): 30k meters, one array.
    out = np.asarray(shape, dtype=float) / float(np.mean(shape))
    out.setflags(write=False)
    return out


class StepProfile:
    """Hourly step power (units/h) with an exact running integral."""

    def __init__(self, mean_per_h: float, rng: np.random.Generator,
                 shape: tuple[float, ...] = RESIDENTIAL_SHAPE, noise_sigma: float = 0.15) -> None:
        if len(shape) != 24:
            raise ValueError(f"a daily shape has 24 hourly values, got {len(shape)}")
        self.mean_per_h = mean_per_h
        self._shape = _normalised(shape)
        self._rng = rng
        self._sigma = noise_sigma
        self._rate = np.empty(0)        # per-hour rate, hour 0 onwards
        self._cum = np.zeros(1)         # integral at the start of each hour

    def _extend_to_hour(self, hour: int) -> None:
        while len(self._rate) <= hour:
            noise = self._rng.lognormal(-0.5 * self._sigma**2, self._sigma, 24)
            day = self.mean_per_h * self._shape * noise
            self._rate = np.concatenate([self._rate, day])
            self._cum = np.concatenate([self._cum, self._cum[-1] + np.cumsum(day)])

    def rate(self, t_s: float) -> float:
        """Rate during the hour containing t (per hour)."""
        hour = int(max(t_s, 0.0) // 3600)
        self._extend_to_hour(hour)
        return float(self._rate[hour])

    def integral(self, t_s: float) -> float:
        """Exact integral of the rate from 0 to t (rate-hours)."""
        t_s = max(t_s, 0.0)
        hour = int(t_s // 3600)
        self._extend_to_hour(hour)
        return float(self._cum[hour] + self._rate[hour] * (t_s - hour * 3600) / 3600.0)
