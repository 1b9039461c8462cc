"""The live clock: simulated time follows wall time at the speed factor and ends exactly."""

from __future__ import annotations

import asyncio

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import LiveClock


class FakeWall:
    """A monotonic clock the test moves by hand (no wall-clock tolerances in tests)."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_sync_follows_wall_time_times_speed() -> None:
    env, wall = simpy.Environment(), FakeWall()
    seen: list[float] = []

    def ticker():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield env.timeout(30)
            seen.append(env.now)

    env.process(ticker())
    clock = LiveClock(env, speed=60.0, end_s=1000.0, monotonic=wall)
    clock.start()
    wall.t += 1.01  # just over one wall second at 60x
    assert clock.sync() == pytest.approx(60.6)
    assert seen == [30.0, 60.0]
    wall.t += 100.0  # far past the end: the clock stops at the end, not beyond
    assert clock.sync() == 1000.0
    assert clock.finished


@settings(max_examples=25, deadline=None)
@given(wall_s=st.floats(0.001, 0.05), speed=st.floats(1.0, 1e4))
def test_run_always_reaches_the_end_exactly(wall_s: float, speed: float) -> None:
    env = simpy.Environment()
    end_s = wall_s * speed
    clock = LiveClock(env, speed=speed, end_s=end_s, max_tick_s=0.01)

    async def main() -> None:
        await asyncio.wait_for(clock.run(), timeout=10.0)

    asyncio.run(main())
    assert env.now == end_s and clock.finished
