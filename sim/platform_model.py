"""The modelled platform of virtual mode: what the reference platform would do, without sockets.

For each incident it schedules, as SimPy events: observed at the next poll (uniform within one
poll interval), acknowledged after the processing delay, then resolved by a reset (fire) or an
on-site confirmation after the travel time — or, when the scenario declares responders who
answer the incident's kind, when a responder walking the footpaths arrives
(`sim.responders`). The scenario's platform settings are seconds of the
platform's own (wall) time; at the run's speed they become `setting x speed` simulated seconds,
so a virtual run predicts what a live rehearsal at that speed would measure.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from devices import Device
from scenarios import Platform
from sim.responders import Dispatcher

ObservedFn = Callable[[Device, str], None]
WriteFn = Callable[[Device, str, bool], None]


class ModelledPlatform:
    def __init__(self, env: simpy.Environment, settings: Platform, speed: float,
                 rng: np.random.Generator, observed: ObservedFn, write: WriteFn,
                 responders: Dispatcher | None = None) -> None:
        self.env = env
        self.responders = responders
        self._write = write
        self.s = settings
        self.speed = speed
        self.rng = rng
        self._observed = observed

    def handle(self, device: Device, alarm: str, resolve_point: str | None,
               kind: str = "", where: tuple[float, float] = (0.0, 0.0),
               incident: str = "") -> None:
        self.env.process(self._respond(device, alarm, resolve_point, kind, where, incident))

    def _respond(self, device: Device, alarm: str, resolve_point: str | None, kind: str,
                 where: tuple[float, float],
                 incident: str) -> Generator[simpy.Event, Any, None]:
        poll_s = self.s.poll_interval_s * self.speed
        yield self.env.timeout(float(self.rng.uniform(0.0, poll_s)))
        if not device.alarm_active(alarm):
            return
        self._observed(device, alarm)
        if not self.s.acknowledge:
            return
        yield self.env.timeout(self.s.ack_delay_s * self.speed)
        self._write(device, f"{alarm}_ack", True)
        walks = self.responders is not None and self.responders.answers(kind)
        if walks and resolve_point == "onsite":
            assert self.responders is not None
            yield self.responders.request(kind, where, incident)
            self._write(device, resolve_point, True)
            return
        if walks:
            assert self.responders is not None
            self.responders.request(kind, where, incident)  # goes to look; the reset resolves
        if resolve_point is None:
            return
        after = self.s.travel_time_s if resolve_point == "onsite" else self.s.reset_delay_s
        yield self.env.timeout(after * self.speed)
        self._write(device, resolve_point, True)
