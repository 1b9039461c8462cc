"""OPC UA benchmark: address-space build time and memory, ns0 cache, and change-to-notification
latency against the publishing interval.

Build: for ~10k, ~50k and ~150k variables (communities from `scenarios.generate`), the twin's
direct builder (`harness.faces.opcua.space.materialize`) against asyncua's sharded bulk path
(`iserver.isession.add_nodes` with the same planned nodes, same shard folders, batches of 1,000),
each in a fresh process so RSS deltas do not mix, both with the cyclic collector paused (as the
twin's server builds); `total_s` includes making the plan (in both paths). Also the whole
`OpcUaServer.start()` of the 10,000-household community, with the ns0 cache cold and then
warm, and asyncua's `init()` without and with the twin's ns0 cache (OPC UA binary).

Latency: one OPC UA server over the demo world, one client subscribed to 40 alarm state
variables; alarms are raised and cleared through the devices (100 changes/s) and each change is
timed from the device change to the client's datachange callback (same process, same clock).

Run: `python bench/bench_opcua.py` (about two minutes). Figures are noisy: the machine has two
cores shared with other work; compare ratios within one run.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = {"10k": 625, "50k": 3125, "150k": 10_000}  # variables -> households


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _add_nodes_items(specs: list[Any]) -> list[Any]:
    from asyncua import ua
    items = []
    for s in specs:
        item = ua.AddNodesItem()
        item.RequestedNewNodeId = s.nodeid
        item.BrowseName = s.browse
        item.NodeClass = s.nodeclass
        item.ParentNodeId = s.parent
        item.ReferenceTypeId = ua.NodeId(s.reftype)
        item.TypeDefinition = ua.NodeId(s.typedef)
        if s.nodeclass is ua.NodeClass.Object:
            attrs = ua.ObjectAttributes()
            attrs.EventNotifier = s.event_notifier
        else:
            attrs = ua.VariableAttributes()
            attrs.Value = s.value
            attrs.DataType = s.datatype
            attrs.ValueRank = -1
            attrs.AccessLevel = s.access
            attrs.UserAccessLevel = s.access
        attrs.DisplayName = s.display
        if s.description is not None:
            attrs.Description = s.description
        item.NodeAttributes = attrs
        items.append(item)
    return items


async def _build_one(method: str, households: int, cache: Path) -> dict[str, Any]:
    from asyncua import Server

    from harness.faces.base import collector_paused
    from harness.faces.opcua import ns0cache
    from harness.faces.opcua import space as opcua_space
    from scenarios.generate import generate
    from sim import World

    scenario = generate(households=households, seed=0)
    world = World(scenario)
    devices = [world.devices[d.id] for d in scenario.devices]
    server = Server()
    ns0cache.install(server.iserver, cache / "ns0.bin")
    await server.init()
    ns = await server.register_namespace("urn:commtwin:bench")
    rss0 = _rss_mb()
    # Both paths with the collector paused, as the twin's server builds.
    with collector_paused():
        tp = time.perf_counter()
        specs = list(opcua_space.plan(scenario, devices, ns))  # both paths need the same plan
        plan_s = time.perf_counter() - tp
        variables = sum(1 for s in specs if s.value is not None)
        t0 = time.perf_counter()
        if method == "direct":
            opcua_space.materialize(server.iserver.aspace, specs)
        else:
            items = _add_nodes_items(specs)
            for i in range(0, len(items), 1000):
                for result in await server.iserver.isession.add_nodes(items[i:i + 1000]):
                    result.StatusCode.check()
        build_s = time.perf_counter() - t0
    return {"method": method, "households": households, "nodes": len(specs),
            "variables": variables, "plan_s": round(plan_s, 2), "build_s": round(build_s, 2),
            "total_s": round(plan_s + build_s, 2),
            "rss_delta_mb": round(_rss_mb() - rss0, 1),
            "kb_per_node": round((_rss_mb() - rss0) * 1024 / len(specs), 2)}


async def _start_one(households: int, out: Path) -> dict[str, Any]:
    from harness.faces.opcua.server import OpcUaServer
    from scenarios.generate import generate
    from sim import World

    t0 = time.perf_counter()
    scenario = generate(households=households, seed=0)
    world = World(scenario)
    t1 = time.perf_counter()
    rss0 = _rss_mb()
    server = OpcUaServer(world, out_dir=out, port=0)
    await server.start()
    t2 = time.perf_counter()
    t3 = time.perf_counter()
    refresher = server._refresher
    assert refresher is not None
    await refresher.refresh(list(server._computed.values()))  # every computed point, once
    refresh_s = time.perf_counter() - t3
    result = {"households": households, "nodes": server.stats.nodes,
              "world_s": round(t1 - t0, 2), "start_s": round(t2 - t1, 2),
              "init_s": round(server.stats.init_s, 2), "build_s": round(server.stats.build_s, 2),
              "rss_mb": round(_rss_mb(), 0),
              "server_rss_delta_mb": round(_rss_mb() - rss0, 0),
              "refresh_all_computed_s": round(refresh_s, 3)}
    await server.stop()
    return result


async def _init_one(cache: Path | None) -> dict[str, Any]:
    from asyncua import Server

    from harness.faces.opcua import ns0cache

    server = Server()
    if cache:
        ns0cache.install(server.iserver, cache / "ns0.bin")
    t0 = time.perf_counter()
    await server.init()
    return {"cache": str(cache) if cache else None, "init_s": round(time.perf_counter() - t0, 2),
            "rss_mb": round(_rss_mb(), 0)}


async def _latency(publishing_ms: float, changes: int = 400) -> dict[str, Any]:
    from asyncua import Client, ua

    import scenarios
    from harness.faces.opcua.server import OpcUaServer
    from sim import World

    sc = scenarios.load("demo")
    world = World(sc.model_copy(update={"incidents": scenarios.Incidents()}))
    buttons = [d for d in world.devices.values() if "call" in d.ALARMS][:40]
    with tempfile.TemporaryDirectory() as tmp:
        # the None endpoint, asked for by name: the bench times publishing, not encryption
        server = OpcUaServer(world, out_dir=Path(tmp), port=0, insecure=True)
        endpoint = await server.start()
        sent: dict[tuple[str, bool], float] = {}
        lat: list[float] = []

        class Handler:
            def datachange_notification(self, node: Any, value: Any, data: Any) -> None:
                key = (node.nodeid.Identifier, bool(value))
                if key in sent:
                    lat.append(time.perf_counter() - sent.pop(key))

        async with Client(endpoint.url) as c:
            sub = await c.create_subscription(publishing_ms, Handler())
            await sub.subscribe_data_change(
                [c.get_node(ua.NodeId(f"{b.id}.call", endpoint.namespace_index))
                 for b in buttons], queuesize=10)
            await asyncio.sleep(0.5)
            for i in range(changes):
                device = buttons[i % len(buttons)]
                rising = not device.alarm_active("call")
                sent[(f"{device.id}.call", rising)] = time.perf_counter()
                device.raise_alarm("call") if rising else device.clear_alarm("call")
                await asyncio.sleep(0.01)
            await asyncio.sleep(1.0)
        await server.stop()
    lat_ms = sorted(v * 1000 for v in lat)
    return {"publishing_ms": publishing_ms, "changes": changes, "received": len(lat_ms),
            "p50_ms": round(statistics.median(lat_ms), 1),
            "p99_ms": round(lat_ms[int(0.99 * (len(lat_ms) - 1))], 1)}


def _child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         check=True, env=None if env is None else {**os.environ, **env})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run every measurement (each build in a fresh process) and print a JSON report."""
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        report: dict[str, Any] = {
            "init_no_cache": _child(["init", ""]),
            "init_first_with_cache": _child(["init", str(cache)]),
            "init_cached": _child(["init", str(cache)]),
            "build": [], "start_10k_households": [], "latency": []}
        for label, households in SIZES.items():
            for method in ("direct", "asyncua_bulk"):
                row = _child(["build", method, str(households), str(cache)])
                row["size"] = label
                report["build"].append(row)
                print(json.dumps(row), file=sys.stderr)
        out = str(Path(tmp) / "out")
        xdg = {"XDG_CACHE_HOME": str(Path(tmp) / "xdg")}  # the ns0 cache: cold, then warm
        report["start_10k_households"] = [_child(["start", "10000", out], xdg),
                                          _child(["start", "10000", out], xdg)]
        for pub in (10.0, 50.0):
            report["latency"].append(_child(["latency", str(pub)]))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    if len(sys.argv) == 1:
        main()
    else:
        cmd, *rest = sys.argv[1:]
        if cmd == "build":
            res = asyncio.run(_build_one(rest[0], int(rest[1]), Path(rest[2])))
        elif cmd == "start":
            res = asyncio.run(_start_one(int(rest[0]), Path(rest[1])))
        elif cmd == "init":
            res = asyncio.run(_init_one(Path(rest[0]) if rest[0] else None))
        else:
            res = asyncio.run(_latency(float(rest[0]), *(int(n) for n in rest[1:2])))
        print(json.dumps(res))
