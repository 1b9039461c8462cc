"""Soak: the 10,000-household community served live on both faces for N minutes under 100
Modbus clients and 10 OPC UA sessions (clients in another process), reporting per minute:
Modbus requests and p50/p99, OPC UA notifications, loop stall p99 and the twin's RSS.

Memory growth = RSS of the last minute against the first (target < 10%). Loopback only; every
loop is bounded by the run's end; the server stops by itself.

`python bench/bench_soak.py [--minutes 10] [--households N] [--tiny]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from live_world import (
    CpuMeter,
    StallProbe,
    bare_server,
    load_average,
    pct,
    progress,
    rss_mb,
    run_clients,
    scenario,
    serve,
)

METER_POINTS = ("energy_kwh", "power_kw", "voltage_v")


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--households", type=int, default=10_000)
    ap.add_argument("--modbus", type=int, default=100, help="Modbus client connections")
    ap.add_argument("--sessions", type=int, default=10, help="OPC UA sessions")
    ap.add_argument("--items", type=int, default=200, help="monitored items per session")
    ap.add_argument("--period", type=float, default=0.1, help="s between one client's polls")
    ap.add_argument("--warmup", type=float, default=30.0)
    ap.add_argument("--in-step", action="store_true",
                    help="start every poller at once (bursts of --modbus requests per period)")
    ap.add_argument("--tiny", action="store_true")
    a = ap.parse_args(argv)
    if a.tiny:
        a.minutes, a.households, a.modbus, a.sessions, a.items, a.warmup = (
            0.05, 40, 4, 2, 20, 5.0)
    return a


async def sample(stop: asyncio.Event, probe: StallProbe, start: float,
                 per_minute: dict[int, dict[str, float]]) -> None:
    """Every 5 s: the twin's RSS and the loop stall since the last sample, by minute."""
    while not stop.is_set():
        await asyncio.sleep(5)
        minute = int((time.monotonic() - start) // 60)
        # taken out of the probe: a soak must not grow its own measurements
        stalls, probe.lateness_ms[:] = list(probe.lateness_ms), []
        m = per_minute.setdefault(minute, {"rss_mb": 0.0, "stall_p99_ms": 0.0,
                                           "stall_max_ms": 0.0})
        m["rss_mb"] = rss_mb()
        m["stall_p99_ms"] = max(m["stall_p99_ms"], pct(stalls, 99) if stalls else 0.0)
        m["stall_max_ms"] = max(m["stall_max_ms"], max(stalls, default=0.0))


async def amain(a: argparse.Namespace) -> dict[str, Any]:
    seconds = a.minutes * 60
    progress(f"load average {load_average()}; {a.households:,} households, {a.minutes} min")
    sc = scenario(a.households, duration_s=a.warmup + seconds + 120, every_s=30.0,
                  first_s=a.warmup + 1.0)
    with tempfile.TemporaryDirectory() as tmp:
        served = await serve(sc, Path(tmp))
        bare_port, bare_stop = await bare_server()
        world, opc = served.world, served.opcua
        clock = world.clock
        assert clock is not None
        stop, probe = asyncio.Event(), StallProbe()
        clock.start()
        t0 = time.monotonic()
        start, end = t0 + a.warmup, t0 + a.warmup + seconds
        meters = [d for d in world.devices.values() if d.KIND == "electricity_meter"]
        pollers = [{"port": served.ports[m.spec.gateway], "unit": m.spec.unit, "address": 0,
                    "count": 5} for m in meters[::max(1, len(meters) // a.modbus)][:a.modbus]]
        nodes = [opc.index.by_point[(m.id, p)].nodeid.to_string() for m in meters
                 for p in METER_POINTS]
        spec = {"start": start, "end": end, "t0": t0, "url": served.url, "publishing_ms": 500,
                "bare_port": bare_port, "incidents": [],
                "opcua_sessions": [nodes[(k * a.items) % len(nodes):][:a.items]
                                   for k in range(a.sessions)],
                "opcua_reads": [nodes[k::97][:20] for k in range(a.sessions)],
                "phases": [{"tag": f"{a.modbus} clients", "start": start, "end": end,
                            "bare": False, "period_s": a.period, "pollers": pollers,
                            "stagger": not a.in_step}]}
        per_minute: dict[int, dict[str, float]] = {}
        tasks = [asyncio.create_task(clock.run(stop)), asyncio.create_task(probe.run(stop))]
        progress(f"serving; {a.modbus} Modbus clients and {a.sessions} OPC UA sessions "
                 f"starting, measuring from +{a.warmup:.0f} s for {a.minutes} min")
        try:
            clients = asyncio.create_task(run_clients(spec, a.warmup + seconds + 180))
            await asyncio.sleep(max(0.0, start - time.monotonic()))
            cpu = CpuMeter()
            tasks.append(asyncio.create_task(sample(stop, probe, start, per_minute)))
            report = await clients
            cpu_share = cpu.share()
        finally:
            stop.set()
            for t in tasks:
                await t
            await opc.stop()
            await served.modbus.stop()
            await bare_stop()
    minutes = {int(k): v for k, v in report["minutes"].items()}
    for m, v in per_minute.items():
        minutes.setdefault(m, {}).update(v)
    measured = [m for m in sorted(minutes) if 0 <= m < max(1, int(a.minutes))]
    rss = [minutes[m].get("rss_mb", 0.0) for m in measured if minutes[m].get("rss_mb")]
    growth = (rss[-1] - rss[0]) / rss[0] if len(rss) >= 2 else 0.0
    requests = sum(minutes[m].get("requests", 0) for m in measured)
    return {"households": a.households, "minutes": a.minutes, "modbus_clients": a.modbus,
            "pollers_in_step": a.in_step,
            "opcua_sessions": a.sessions, "items_per_session": a.items,
            "load_average_end": load_average(), "startup": served.startup,
            "per_minute": {m: minutes[m] for m in measured},
            "modbus_req_per_s": requests / seconds, "rss_first_mb": rss[0] if rss else None,
            "rss_last_mb": rss[-1] if rss else None, "rss_growth": growth,
            "cpu_share_of_one_core": cpu_share, "latency": report["latency"],
            "gc_pauses": probe.gc_summary(),
            "opcua_worst_slice_ms": opc.worst_slice_s * 1000,
            "opcua_worst_slice_cpu_ms": opc.worst_slice_cpu_s * 1000,
            "pacing_lateness_ms": clock.lateness_ms(), "client_errors": report["errors"]}


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    out = asyncio.run(amain(parse(argv or [])))  # run_all: defaults, not its own argv
    print(json.dumps(out, indent=1, default=str))
    return [{"bench": "soak", "case": f"{out['minutes']} min, RSS growth",
             "ratio": out["rss_growth"], "target": "< 10%"},
            {"bench": "soak", "case": "Modbus throughput", "req_per_s": out["modbus_req_per_s"]}]


if __name__ == "__main__":
    main(sys.argv[1:])
