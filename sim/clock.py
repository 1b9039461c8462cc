"""Live pacing: the same SimPy environment, advanced to wall time by an asyncio task.

Simulated time = speed x wall seconds since `start()`. `sync()` advances the environment to the
present, and protocol handlers call it before every read or write, so a platform always sees the
world as of the instant it asked. The pacing task wakes for the next due event (or at least every
`max_tick_s`) so incidents happen on time even when nobody is reading.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import simpy


class LiveClock:
    def __init__(self, env: simpy.Environment, speed: float, end_s: float,
                 monotonic: Callable[[], float] = time.monotonic, max_tick_s: float = 0.05,
                 resolution_s: float = 50e-6) -> None:
        if speed < 1:
            raise ValueError(f"speed must be >= 1, got {speed}")
        self.env = env
        self.speed = speed
        self.end_s = end_s
        self._monotonic = monotonic
        self._max_tick_s = max_tick_s
        self._t0: float | None = None
        self._sim0 = env.now
        self._resolution_sim_s = resolution_s * speed

    def start(self) -> None:
        self._t0 = self._monotonic()
        self._sim0 = self.env.now

    @property
    def started(self) -> bool:
        return self._t0 is not None

    def target(self) -> float:
        if self._t0 is None:
            return self.env.now
        return min(self.end_s, self._sim0 + (self._monotonic() - self._t0) * self.speed)

    def sync(self) -> float:
        """Process everything due up to now (wall time); return the simulated time.

        Within `resolution_s` of wall time the world is already current: several protocol
        layers sync on one request, and each `env.run` costs a few microseconds.
        """
        target = self.target()
        # ...but the end is always reached exactly, or a run would never finish.
        if target - self.env.now > self._resolution_sim_s or (
                target >= self.end_s > self.env.now):
            self.env.run(until=target)
        return self.env.now

    @property
    def finished(self) -> bool:
        return self.env.now >= self.end_s

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Pace the environment until the end time or until `stop` is set."""
        if not self.started:
            self.start()
        while not self.finished and not (stop is not None and stop.is_set()):
            self.sync()
            due = self.env.peek()
            wait_s = self._max_tick_s if due == float("inf") else (due - self.env.now) / self.speed
            wait_s = min(max(wait_s, 0.0), self._max_tick_s,
                         (self.end_s - self.env.now) / self.speed)
            await asyncio.sleep(wait_s)
        self.sync()
