"""The OPC UA face's computed-value refresher: slices that yield, and wakes on period edges.

Not timed: the slices are checked by what else got to run between them, the wake-ups by a
clock the test sets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from harness.faces.opcua.refresh import MIN_WAIT_S, SLICE_MAX, Computed, Refresher, Slicer
from scenarios import from_dict
from sim import World
from tests.conftest import tiny_dict


class FakeAttr:
    def __init__(self) -> None:
        self.datachange_callbacks: dict[int, Any] = {1: None}  # somebody monitors it


def refresher(log: list[str], n: int) -> tuple[Refresher, list[Computed]]:
    world = World(from_dict(tiny_dict(duration_s=3600.0)))
    meter = world.devices["meter"]
    items = [Computed(meter, None, FakeAttr()) for _ in range(n)]  # type: ignore[arg-type]
    return Refresher(world, {i: c for i, c in enumerate(items)},  # type: ignore[misc]
                     lambda c: log.append("update"), max_wait_s=1.0), items


async def test_a_refresh_yields_the_loop_at_least_every_slice_max_items() -> None:
    log: list[str] = []
    r, items = refresher(log, 10 * SLICE_MAX + 3)
    done = False

    async def other() -> None:
        while not done:
            log.append("other")
            await asyncio.sleep(0)

    task = asyncio.create_task(other())
    await asyncio.sleep(0)
    await r.refresh(items)
    done = True
    await task
    runs = "".join("u" if e == "update" else " " for e in log).split()
    assert sum(map(len, runs)) == len(items)
    assert max(map(len, runs)) <= SLICE_MAX and len(runs) >= 10


async def test_a_slicer_yields_when_its_budget_is_spent() -> None:
    slicer = Slicer(budget_s=0.0, max_items=1000)
    slicer.begin()
    await slicer.tick()  # over budget at once: a slice of one item
    slicer.end()
    assert slicer.slices == 1 and slicer.worst_s >= 0.0


@pytest.mark.parametrize("now,speed,expected", [
    (10.2, 1.0, 0.8005),     # to the next whole simulated second, and just past it
    (10.999, 1.0, MIN_WAIT_S),  # never sooner than MIN_WAIT_S
    (10.0, 100.0, 0.0105),   # speed 100: a period is 10 ms of wall time
    (10.5, 1000.0, MIN_WAIT_S),  # faster: at most 100 wakes a second
])
def test_the_refresher_wakes_just_after_the_next_period_boundary(
        now: float, speed: float, expected: float) -> None:
    r, _ = refresher([], 1)
    clock = r.world.live_clock(speed=speed)
    clock.start()
    clock.target = lambda: now  # type: ignore[method-assign]
    assert r.wait_s() == pytest.approx(expected)


def test_a_world_without_a_running_clock_refreshes_every_max_wait() -> None:
    r, _ = refresher([], 1)
    assert r.wait_s() == 1.0
