"""Measurement overhead of the live twin: the 10,000-household community served at speed 1 on
Modbus and OPC UA at once, while clients in another process poll, subscribe and watch
scripted incidents.

Figures: start-up of both faces (time to ready, RSS); incident scheduled instant -> its alarm
bit in a Modbus answer (p50/p99; resolution one request round trip); loop stall (lateness of a
probe waking every 10 ms, by `loop.time()`); Modbus p50/p99 of the twin against a bare pymodbus
server in the same process and run, with 1 then 10 polling clients; OPC UA notification latency
at 50 ms publishing (alarm: from the incident's instant; computed: from the sample's period
boundary); the longest slice the OPC UA face's own work held the loop; process CPU and RSS.

`python bench/bench_live.py [--households N] [--seconds S] [--tiny]`; `--tiny` for CI.
Not a test: timing is reported, never asserted.
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
    point_address,
    progress,
    rss_mb,
    run_clients,
    scenario,
    serve,
)

METER_POINTS = ("energy_kwh", "power_kw", "voltage_v")


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=60.0, help="measured window (wall s)")
    ap.add_argument("--items", type=int, default=1000, help="monitored items per OPC UA session")
    ap.add_argument("--sessions", type=int, default=2)
    ap.add_argument("--pollers", type=int, default=10)
    ap.add_argument("--every", type=float, default=2.0, help="seconds between incidents")
    ap.add_argument("--warmup", type=float, default=20.0,
                    help="seconds for clients to connect and subscribe before measuring")
    ap.add_argument("--plain", action="store_true",
                    help="serve `scenarios.generate` output (~1 device per household) instead "
                         "of the benchmark community (~3: water and gas meters added)")
    ap.add_argument("--slow-callback-ms", type=float, default=0.0,
                    help="asyncio debug mode: log every callback that holds the loop longer "
                         "(to find a stall's cause; adds overhead, so not for figures)")
    ap.add_argument("--tiny", action="store_true", help="CI smoke sizes")
    a = ap.parse_args(argv)
    if a.tiny:
        a.households, a.seconds, a.items, a.every, a.warmup = 40, 3.0, 30, 1.0, 5.0
    return a


def spec_for(a: argparse.Namespace, served: Any, t0: float, bare_port: int) -> dict[str, Any]:
    world, opc = served.world, served.opcua
    start, end = t0 + a.warmup, t0 + a.warmup + a.seconds
    meters = [d for d in world.devices.values() if d.KIND == "electricity_meter"]
    by_gateway: dict[str, Any] = {}
    for m in meters:
        by_gateway.setdefault(m.spec.gateway, m)
    pollers = [{"port": served.ports[g], "unit": m.spec.unit, "address": 0, "count": 5}
               for g, m in list(by_gateway.items())[:a.pollers]]
    while len(pollers) < a.pollers:  # fewer gateways than pollers (tiny): share them
        pollers.append(pollers[len(pollers) % len(by_gateway)])
    nodes = [opc.index.by_point[(m.id, p)].nodeid.to_string() for m in meters
             for p in METER_POINTS]
    sessions = [nodes[k * a.items:(k + 1) * a.items] for k in range(a.sessions)]
    incidents = []
    for s in world.scenario.incidents.scripted:
        if not start <= t0 + s.at < end:
            continue
        gw, unit, address = point_address(world, s.target, "comm_fault")
        incidents.append({"at_wall": t0 + s.at, "port": served.ports[gw], "unit": unit,
                          "address": address, "nodeid":
                          opc.index.by_point[(s.target, "comm_fault")].nodeid.to_string()})
    half = start + a.seconds / 2
    return {"start": start, "end": end, "t0": t0, "url": served.url, "publishing_ms": 50,
            "bare_port": bare_port, "opcua_sessions": sessions, "incidents": incidents,
            "phases": [{"tag": "1 client", "start": start, "end": half, "bare": True,
                        "period_s": 0.02, "pollers": pollers[:1]},
                       {"tag": f"{a.pollers} clients", "start": half, "end": end, "bare": True,
                        "period_s": 0.02, "pollers": pollers}]}


async def amain(a: argparse.Namespace) -> dict[str, Any]:
    progress(f"load average {load_average()}; building {a.households:,} households")
    sc = scenario(a.households, duration_s=a.warmup + a.seconds + 60, every_s=a.every,
                  first_s=a.warmup + 1.0, catalogue=not a.plain)
    with tempfile.TemporaryDirectory() as tmp:
        served = await serve(sc, Path(tmp))
        bare_port, bare_stop = await bare_server()
        stop = asyncio.Event()
        probe = StallProbe()
        if a.slow_callback_ms:
            loop = asyncio.get_running_loop()
            loop.set_debug(True)
            loop.slow_callback_duration = a.slow_callback_ms / 1000
        clock = served.world.clock
        assert clock is not None
        clock.start()
        t0 = time.monotonic()  # the clock's start instant (simulated 0), to well under 1 ms
        tasks = [asyncio.create_task(clock.run(stop)), asyncio.create_task(probe.run(stop))]
        spec = spec_for(a, served, t0, bare_port)
        progress(f"serving; {len(spec['incidents'])} incidents scripted, clients starting")
        cpu = None
        try:
            clients = asyncio.create_task(run_clients(spec, a.warmup + a.seconds + 120))
            await asyncio.sleep(max(0.0, spec["start"] - time.monotonic()))
            cpu, stalls_before = CpuMeter(), len(probe.lateness_ms)
            report = await clients
            cpu_share = cpu.share()
        finally:
            stop.set()
            for t in tasks:
                await t
            await served.opcua.stop()
            await served.modbus.stop()
            await bare_stop()
    window = probe.lateness_ms[stalls_before:]
    lat = report["latency"]
    out = {"households": a.households, "devices": len(served.world.devices),
           "opcua_nodes": served.opcua.stats.nodes,
           "load_average_end": load_average(), "startup": served.startup,
           "loop_stall_ms": {"p50": pct(window, 50), "p99": pct(window, 99),
                             "max": max(window, default=0.0), "probes": len(window),
                             "whole_run_p99": pct(probe.lateness_ms, 99),
                             "whole_run_max": max(probe.lateness_ms, default=0.0),
                             "worst": probe.worst(t0, stalls_before),
                             # when the bench forked its client process (s after the start)
                             "client_spawn_s": [round(t - t0, 3) for t in report["spawned"]]},
           "pacing_lateness_ms": clock.lateness_ms(),
           "gc_pauses": probe.gc_summary(),
           "opcua_worst_slice_ms": served.opcua.worst_slice_s * 1000,
           "opcua_worst_slice_cpu_ms": served.opcua.worst_slice_cpu_s * 1000,
           "opcua_refreshes": served.opcua.refreshes,
           "cpu_share_of_one_core": cpu_share, "rss_end_mb": rss_mb(),
           "latency": lat, "client_errors": report["errors"]}
    for tag in ("1 client", f"{a.pollers} clients"):
        twin, bare = lat.get(f"twin {tag}", {}), lat.get(f"bare {tag}", {})
        if twin.get("n") and bare.get("n"):
            out[f"modbus p50 ratio, {tag}"] = twin["p50_ms"] / bare["p50_ms"]
            out[f"modbus p99 ratio, {tag}"] = twin["p99_ms"] / bare["p99_ms"]
    return out


def rows(out: dict[str, Any]) -> list[dict[str, object]]:
    r: list[dict[str, object]] = [
        {"bench": "live", "case": "start-up, both faces", "median_s": out["startup"]["ready_s"],
         "target": "<= 15 s"},
        {"bench": "live", "case": "loop stall (10 ms probe)",
         "p99_ms": out["loop_stall_ms"]["p99"], "target": "p99 <= 5, max <= 20 ms"}]
    for name, s in out["latency"].items():
        r.append({"bench": "live", "case": name, "p50_ms": s.get("p50_ms"),
                  "p99_ms": s.get("p99_ms")})
    return r


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    out = asyncio.run(amain(parse(argv or [])))  # run_all: defaults, not its own argv
    print(json.dumps(out, indent=1, default=str))
    return rows(out)


if __name__ == "__main__":
    main(sys.argv[1:])
