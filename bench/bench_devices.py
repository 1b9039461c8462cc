"""Virtual day: 24 simulated hours of a 10,000-household community (~31k devices) in virtual
mode, against a bare SimPy loop with one process per device ticking at its telemetry period.

The twin does what the model does (meters, chargers, lights, incidents at jiahe-like rates, the
modelled platform), but values that merely change with time are computed on read, so a day
costs the events that happen. The baseline is the naive twin: every device wakes every 15 min.
Both run in this process, one after the other, `REPEATS` times; medians are reported.
Not a test: timing is reported, never asserted.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from community import community

from sim import World

DAY_S = 86400.0
TELEMETRY_S = 900.0
REPEATS = 3


def _events(env: simpy.Environment) -> int:
    # SimPy numbers every scheduled event from one counter; reading it consumes one number.
    return next(env._eid)  # type: ignore[attr-defined]


def twin_day(scenario: Any) -> tuple[float, float, int, int]:
    """(build s, run s, events, devices)."""
    gc.collect()  # the previous repeat's garbage is not this repeat's cost
    t0 = time.perf_counter()
    world = World(scenario, modelled_platform=True)
    t1 = time.perf_counter()
    world.run_virtual(until_s=DAY_S)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, _events(world.env), len(world.devices)


def baseline_day(n_devices: int) -> tuple[float, int]:
    """One process per device, waking every telemetry period (phases spread over a period)."""
    env = simpy.Environment()

    def device(phase: float):  # type: ignore[no-untyped-def]
        yield env.timeout(phase)
        while True:
            yield env.timeout(TELEMETRY_S)

    gc.collect()
    t0 = time.perf_counter()
    for i in range(n_devices):
        env.process(device(TELEMETRY_S * i / n_devices))
    env.run(until=DAY_S)
    return time.perf_counter() - t0, _events(env)


def peak_mib(scenario: Any) -> float:
    tracemalloc.start()
    world = World(scenario, modelled_platform=True)
    world.run_virtual(until_s=DAY_S)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> list[dict[str, object]]:
    scenario = community(10_000)
    builds, runs, bases = [], [], []
    events = base_events = devices = 0
    for _ in range(REPEATS):
        b, r, events, devices = twin_day(scenario)
        builds.append(b)
        runs.append(r)
        t, base_events = baseline_day(devices)
        bases.append(t)
    build, run, base = (statistics.median(x) for x in (builds, runs, bases))
    mem = peak_mib(scenario)
    total = build + run
    rows: list[dict[str, object]] = [
        {"bench": "virtual day", "case": f"twin, {devices} devices, build", "median_s": build},
        {"bench": "virtual day", "case": "twin, 24 h run", "median_s": run,
         "events": events, "events_per_s": events / run},
        {"bench": "virtual day", "case": "twin, build + run", "median_s": total,
         "peak_MiB": round(mem, 1), "target": "<= 2 s"},
        {"bench": "virtual day", "case": "baseline: bare SimPy ticking every 15 min",
         "median_s": base, "events": base_events, "events_per_s": base_events / base},
        {"bench": "virtual day", "case": "ratio baseline / twin (build + run)",
         "ratio": base / total, "target": ">= 5x"},
        {"bench": "virtual day", "case": "ratio baseline / twin (run only)", "ratio": base / run},
    ]
    return rows


if __name__ == "__main__":
    for row in main():
        print(row)
