"""Faults over time: SimPy processes that start and end the scenario's scripted and random faults.

Device-level kinds change the device itself (`stuck`, `drift`, `bad_sensor` set its
`sensor_fault`; `offline` clears its `online` flag). Every active fault, device- or gateway-level,
is also listed in `FaultState`, which the protocol servers consult on each request to decide how
to (not) answer: this module decides *when*, `harness.modbus_faults` decides *what the wire sees*.
Random faults arrive as a Poisson process per `faults.random` entry from their own stream.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import simpy

from devices import Device, SensorFault
from scenarios import Scenario
from scenarios.faults import FaultParams
from sim.streams import stream

FaultListener = Callable[[str, str, bool, float], None]  # target, kind, started?, now


@dataclass(frozen=True)
class ActiveFault:
    kind: str
    target: str
    since_s: float
    until_s: float
    delay_ms: float
    code: int


class FaultState:
    """Active faults by target (device or gateway id); what the harness reads per request."""

    def __init__(self) -> None:
        self._active: dict[str, list[ActiveFault]] = {}
        self.listeners: list[FaultListener] = []

    def active(self, target: str) -> list[ActiveFault]:
        return self._active.get(target, [])

    def first(self, target: str, kinds: tuple[str, ...]) -> ActiveFault | None:
        return next((f for f in self.active(target) if f.kind in kinds), None)

    def add(self, fault: ActiveFault, now: float) -> None:
        self._active.setdefault(fault.target, []).append(fault)
        for listener in self.listeners:
            listener(fault.target, fault.kind, True, now)

    def remove(self, fault: ActiveFault, now: float) -> None:
        faults = self._active.get(fault.target, [])
        if fault in faults:
            faults.remove(fault)
        if not faults:
            self._active.pop(fault.target, None)
        for listener in self.listeners:
            listener(fault.target, fault.kind, False, now)


def start(env: simpy.Environment, scenario: Scenario, devices: dict[str, Device], seed: int,
          state: FaultState) -> None:
    for f in sorted(scenario.faults.scripted, key=lambda f: (f.at, f.target, f.kind)):
        env.process(_scripted(env, f.at, f.kind, f.target, f, devices, state))
    for i, r in enumerate(scenario.faults.random):
        targets = sorted(d for d, dev in devices.items()
                         if r.device_kind is None or r.device_kind == dev.KIND)
        if r.rate_per_hour > 0 and targets:
            env.process(_poisson(env, r.kind, r.rate_per_hour, targets, r, devices, state,
                                 stream(seed, f"faults/{i}/{r.kind}")))


def _scripted(env: simpy.Environment, at: float, kind: str, target: str, params: FaultParams,
              devices: dict[str, Device], state: FaultState) -> Generator[simpy.Event, Any, None]:
    yield env.timeout(at)
    yield from _hold(env, kind, target, params, devices, state)


def _poisson(env: simpy.Environment, kind: str, rate: float, targets: list[str],
             params: FaultParams, devices: dict[str, Device], state: FaultState,
             rng: Any) -> Generator[simpy.Event, Any, None]:
    while True:
        yield env.timeout(float(rng.exponential(3600.0 / rate)))
        target = targets[int(rng.integers(len(targets)))]
        env.process(_hold(env, kind, target, params, devices, state))


def _hold(env: simpy.Environment, kind: str, target: str, params: FaultParams,
          devices: dict[str, Device], state: FaultState) -> Generator[simpy.Event, Any, None]:
    fault = ActiveFault(kind, target, env.now, env.now + params.duration, params.delay_ms,
                        params.code)
    device = devices.get(target)
    if device is not None:
        if kind in ("stuck", "drift", "bad_sensor"):
            device.sensor_fault = SensorFault(kind, env.now,  # type: ignore[arg-type]
                                              drift_per_h=params.drift_per_h)
        elif kind == "offline":
            device.online = False
    state.add(fault, env.now)
    yield env.timeout(params.duration)
    state.remove(fault, env.now)
    if device is not None:
        if kind in ("stuck", "drift", "bad_sensor") and not any(
                f.kind in ("stuck", "drift", "bad_sensor") for f in state.active(target)):
            device.sensor_fault = None
        elif kind == "offline" and state.first(target, ("offline",)) is None:
            device.online = True
