"""Live pacing: the same SimPy environment, advanced to wall time by an asyncio task.

Simulated time = speed x wall seconds since `start()`. `sync()` advances the environment to the
present, and protocol handlers call it before every read or write, so a platform always sees the
world as of the instant it asked. The pacing task sleeps until the next due event (or at most
`max_tick_s`) so incidents happen on time even when nobody is reading, and an idle world costs
next to no CPU. It also records its own lateness: how long after the intended instant each wake
brought the world to wall time, so a report can say when the twin itself was too slow.
"""

from __future__ import annotations

import asyncio
import bisect
import math
import time
from collections.abc import Awaitable, Callable

import simpy

#: Upper bin edges of the lateness histogram, ms: 10 µs x 2^(k/8), up to about 170 s.
_LATENESS_EDGES_MS: tuple[float, ...] = tuple(0.01 * 2 ** (k / 8) for k in range(193))


class LatenessHistogram:
    """Pacing lateness in fixed log-spaced bins: bounded memory however long the run.

    Bin edges grow by 2^(1/8) (9% apart) from 10 µs to about 170 s, so a percentile is known to
    within one bin; it is reported as the bin's upper edge (never optimistic) and never above the
    exact maximum, which is kept separately.
    """

    _EDGES_MS = _LATENESS_EDGES_MS

    def __init__(self) -> None:
        # bin i holds (edge[i-1], edge[i]]: bin 0 everything up to 10 µs, the last one overflow
        self._counts = [0] * (len(self._EDGES_MS) + 1)
        self.count = 0
        self.max_ms = 0.0

    def add(self, lateness_ms: float) -> None:
        lateness_ms = max(lateness_ms, 0.0)
        self._counts[bisect.bisect_left(self._EDGES_MS, lateness_ms)] += 1
        self.count += 1
        self.max_ms = max(self.max_ms, lateness_ms)

    def percentile(self, q: float) -> float:
        """The q-th percentile (0-100) in ms, as the upper edge of its bin; 0.0 when empty."""
        if self.count == 0:
            return 0.0
        rank = max(1, math.ceil(q / 100 * self.count))
        seen = 0
        for i, n in enumerate(self._counts):
            seen += n
            if seen >= rank:
                edge = self._EDGES_MS[i] if i < len(self._EDGES_MS) else self.max_ms
                return min(edge, self.max_ms)
        return self.max_ms  # unreachable: the counts sum to self.count

    def summary(self) -> dict[str, float]:
        return {"p50_ms": self.percentile(50), "p99_ms": self.percentile(99),
                "max_ms": self.max_ms, "count": float(self.count)}


class LiveClock:
    def __init__(self, env: simpy.Environment, speed: float, end_s: float,
                 monotonic: Callable[[], float] = time.monotonic, max_tick_s: float = 0.05,
                 resolution_s: float = 50e-6,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        if speed < 1:
            raise ValueError(f"speed must be >= 1, got {speed}")
        self.env = env
        self.speed = speed
        self.end_s = end_s
        self._monotonic = monotonic
        self._sleep = sleep
        self._max_tick_s = max_tick_s
        self._t0: float | None = None
        self._sim0 = env.now
        self._resolution_sim_s = resolution_s * speed
        self._lateness = LatenessHistogram()
        #: Times the pacing task woke up (a test bounds it: an idle world must not spin).
        self.wakes = 0

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
        if self.env.now < self.end_s:
            # `env.run(until=...)` stops by re-queueing its spent `until` event at `now` (SimPy
            # 4.1, Environment.step), so `peek()` would say "due now" for ever and the pacing
            # loop would never sleep. Stepping it is a no-op; events genuinely due at `now` are
            # due (wall time has reached them) and run in the order the next `run` would use.
            # Not at the end: a virtual run stops before events at `end_s`, so must this.
            while self.env.peek() <= self.env.now:
                self.env.step()
        return self.env.now

    @property
    def finished(self) -> bool:
        return self.env.now >= self.end_s

    def next_wait_s(self) -> float:
        """Wall seconds until the next event is due, the end, or `max_tick_s`, whichever first."""
        due = self.env.peek()
        # an event closer than the resolution would not be run by `sync()` yet: sleep past it
        due_s = max(due - self.env.now, self._resolution_sim_s) / self.speed
        return max(0.0, min(due_s, self._max_tick_s, (self.end_s - self.env.now) / self.speed))

    def lateness_ms(self) -> dict[str, float]:
        """Pacing lateness so far: p50/p99/max in ms and the number of wakes measured.

        Lateness of one wake = the instant the world was current again minus the instant the
        pacing task meant to wake; it measures the twin (event loop busy, slow world), not the
        platform under test.
        """
        return self._lateness.summary()

    def late(self, threshold_ms: float = 5.0) -> bool:
        """True when the twin's own pacing p99 exceeds `threshold_ms`: its timings are suspect."""
        return self._lateness.percentile(99) > threshold_ms

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Pace the environment until the end time or until `stop` is set."""
        if not self.started:
            self.start()
        self.sync()
        while not self.finished and not (stop is not None and stop.is_set()):
            wait_s = self.next_wait_s()
            intended = self._monotonic() + wait_s
            await self._sleep(wait_s)
            self.wakes += 1
            self.sync()
            self._lateness.add((self._monotonic() - intended) * 1000.0)
        self.sync()
