"""Computed OPC UA values kept current without holding the event loop.

The twin measures a platform's latency from inside the loop that serves it, so any stretch of
its own work delays every answer it times. Two kinds of work here could be long:
- refreshing the computed points somebody monitors (30k meters' kWh, power, battery %), and
- delivering the data changes that refresh produces to asyncua's subscriptions.
Both run in slices (`Slicer`): at most `SLICE_MAX` items and `SLICE_BUDGET_S` of wall time,
then `await asyncio.sleep(0)` so protocol requests and the pacing task get their turn.

Exactness: a device samples its computed values once per `Device.REFRESH_S` simulated seconds
(`Device.read`), so refreshing more often than that shows nothing new and less often leaves a
subscriber behind. The refresher wakes just after each period boundary of simulated time (no
more often than `MIN_WAIT_S`, no less than the scenario's `refresh_s`) and only touches points
that have a monitored item. A Read computes the points it asks for before answering (the
server's PreRead), so a Read is exact to the period.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from asyncua import ua
from asyncua.server.address_space import AttributeValue

from devices import Device
from harness.faces.opcua.space import PointNode
from sim import World

#: Wall time one slice may hold the loop before yielding (checked after each item).
SLICE_BUDGET_S = 0.0005
#: Items per slice at most, whatever the clock says. Measured (community of 300 households,
#: 2,208 computed points, 1,000 monitored, load average 3 on 2 cores): refreshing one point
#: costs 15-67 us (read, quantise, compare; a change adds a DataValue and a queued
#: notification), so 16 items stay under ~1 ms at the slow end.
SLICE_MAX = 16
#: The refresher never wakes more often than this (wall seconds), whatever the speed.
MIN_WAIT_S = 0.01
#: Wake this long after a period boundary, so the boundary has passed in the world.
_AFTER_BOUNDARY_S = 0.0005


@dataclass
class Computed:
    device: Device
    pn: PointNode
    attval: AttributeValue


class Slicer:
    """Counts work and yields the loop when a slice is full; remembers the longest slice."""

    def __init__(self, budget_s: float = SLICE_BUDGET_S, max_items: int = SLICE_MAX) -> None:
        self.budget_s, self.max_items = budget_s, max_items
        self.worst_s = 0.0
        #: The longest slice in CPU time of this thread: the work itself, without the time the
        #: OS gave the core to another process (which `worst_s`, wall time, includes).
        self.worst_cpu_s = 0.0
        self.slices = 0
        self._t0 = time.perf_counter()
        self._c0 = time.thread_time()
        self._n = 0

    @property
    def active(self) -> bool:
        """A slice has work counted in it."""
        return self._n > 0

    def begin(self) -> None:
        self._t0, self._c0, self._n = time.perf_counter(), time.thread_time(), 0

    async def tick(self) -> None:
        """One item done: yield if the slice is full."""
        self._n += 1
        if self._n < self.max_items and time.perf_counter() - self._t0 < self.budget_s:
            return
        self.end()
        await asyncio.sleep(0)
        self.begin()

    def end(self) -> None:
        """The slice ends here (its work is done, or it yields): note how long it took."""
        if self._n:
            self.worst_s = max(self.worst_s, time.perf_counter() - self._t0)
            self.worst_cpu_s = max(self.worst_cpu_s, time.thread_time() - self._c0)
            self.slices += 1
        self._n = 0


class Refresher:
    """Keeps monitored computed points current, one device refresh period at a time."""

    def __init__(self, world: World, computed: dict[ua.NodeId, Computed],
                 update: Callable[[Computed], None], max_wait_s: float) -> None:
        self.world = world
        self.computed = computed
        self.update = update
        self.max_wait_s = max_wait_s
        self.period_s = min((c.device.REFRESH_S for c in computed.values()), default=1.0)
        self.slicer = Slicer()  # the scan's; also keeps the worst slice of every refresh
        self.refreshes = 0
        self._watched: list[Computed] = []
        self._rescan = asyncio.Event()  # a monitored item was created: find the watched again

    def item_created(self) -> None:
        self._rescan.set()

    async def refresh(self, items: Iterable[Computed]) -> None:
        """Bring these points to the present, in slices."""
        self.world.sync()
        slicer = Slicer()  # one per call: Reads and the refresh task interleave
        for c in items:
            self.update(c)
            await slicer.tick()
        slicer.end()
        self.slicer.worst_s = max(self.slicer.worst_s, slicer.worst_s)
        self.slicer.worst_cpu_s = max(self.slicer.worst_cpu_s, slicer.worst_cpu_s)
        self.slicer.slices += slicer.slices

    def wait_s(self) -> float:
        """Wall seconds until just after the next refresh period boundary of simulated time."""
        clock = self.world.clock
        if clock is None or not clock.started:
            return self.max_wait_s
        now = clock.target()
        boundary = (math.floor(now / self.period_s) + 1) * self.period_s
        wait = (boundary - now) / clock.speed + _AFTER_BOUNDARY_S
        return min(max(wait, MIN_WAIT_S), self.max_wait_s)

    async def _scan(self) -> None:
        """Find the computed points with a monitored item, in slices (30k dict lookups)."""
        self._rescan.clear()
        watched: list[Computed] = []
        self.slicer.begin()
        for i, c in enumerate(self.computed.values()):
            if c.attval.datachange_callbacks:
                watched.append(c)
            if i % 256 == 255:
                await self.slicer.tick()
        self.slicer.end()
        self._watched = watched

    async def run(self) -> None:
        """Sleep while nobody monitors a computed point; else refresh once per period."""
        while True:
            if self._rescan.is_set():
                await self._scan()
            if not self._watched:
                await self._rescan.wait()
                continue
            await asyncio.sleep(self.wait_s())
            await self.refresh(self._watched)
            self.refreshes += 1
            # items deleted since: drop them (a new item triggers a rescan)
            if any(not c.attval.datachange_callbacks for c in self._watched):
                self._watched = [c for c in self._watched if c.attval.datachange_callbacks]
