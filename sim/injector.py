"""The incident schedule as SimPy processes: the scenario's scripted list plus Poisson arrivals.

Random arrivals for each incident kind come from their own stream ("incidents/<kind>"): the
inter-arrival time is exponential with the scenario's rate, the target is drawn uniformly from
the devices that can carry that kind. Nothing is injected after `run.duration_s`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from devices import Device
from scenarios import INCIDENT_DEVICE_KIND, Scenario
from sim.streams import stream

InjectFn = Callable[[str, Device], object]  # returns the incident id; the schedule ignores it


def start(env: simpy.Environment, scenario: Scenario, devices: dict[str, Device], seed: int,
          inject: InjectFn) -> None:
    scripted = sorted(scenario.incidents.scripted, key=lambda s: s.at)
    env.process(_scripted(env, [(s.at, s.kind, devices[s.target]) for s in scripted], inject))
    for kind, rate in sorted(scenario.incidents.rates_per_hour.items()):
        targets = sorted((d for d in devices.values() if INCIDENT_DEVICE_KIND[kind] == d.KIND),
                         key=lambda d: d.id)
        if rate > 0 and targets:
            env.process(_poisson(env, kind, rate, targets, scenario.run.duration_s,
                                 stream(seed, f"incidents/{kind}"), inject))


def _scripted(env: simpy.Environment, plan: list[tuple[float, str, Device]],
              inject: InjectFn) -> Generator[simpy.Event, Any, None]:
    for at, kind, device in plan:
        yield env.timeout(at - env.now)
        inject(kind, device)


def _poisson(env: simpy.Environment, kind: str, rate_per_hour: float, targets: list[Device],
             until_s: float, rng: Any, inject: InjectFn) -> Generator[simpy.Event, Any, None]:
    mean_gap_s = 3600.0 / rate_per_hour
    while True:
        gap = float(rng.exponential(mean_gap_s))
        if env.now + gap > until_s:
            return
        yield env.timeout(gap)
        inject(kind, targets[int(rng.integers(len(targets)))])
