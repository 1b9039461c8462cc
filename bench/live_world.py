"""Server side of the live benchmarks: the community served on Modbus and OPC UA from one loop,
a bare pymodbus server beside it, and the probes that measure the twin's own cost.

Clients run in a separate process (`live_clients.py`) so their work does not count as the
twin's: what this process measures (loop stall, CPU, RSS) is the twin serving. Both processes
stamp with `time.monotonic()`, one clock system-wide on Linux, so an incident's scheduled wall
instant here and the moment a client saw it there can be subtracted.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymodbus.framer import FramerType
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType as SimType
from pymodbus.simulator import SimData, SimDevice

from bench.community import with_catalogue
from harness.faces.base import FaceOptions
from harness.faces.modbus import ModbusFace
from harness.faces.opcua.server import OpcUaServer
from scenarios import Scenario, ScriptedIncident
from scenarios.generate import generate
from scenarios.opcua import OpcUa
from sim import World

HERE = Path(__file__).resolve().parent


def rss_mb() -> float:
    """Resident set size now (MB), from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def progress(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q / 100))]


def scenario(households: int, duration_s: float, every_s: float, first_s: float,
             catalogue: bool = True) -> Scenario:
    """The benchmark community (`community.with_catalogue`: ~3 devices per household; without
    `catalogue`, what `scenarios.generate` makes: ~1) with a meter fault scripted every
    `every_s` simulated seconds, each on a different meter, and no random incidents (their
    timing would be noise)."""
    base = generate(households, 0)
    if catalogue:
        base = with_catalogue(base, duration_s=duration_s)
    else:
        base = base.model_copy(update={"run": base.run.model_copy(
            update={"duration_s": duration_s, "drain_s": 0.0})})
    meters = [d.id for d in base.devices if d.kind == "electricity_meter"]
    n = int((duration_s - first_s) // every_s)
    step = max(1, len(meters) // max(n, 1))
    scripted = tuple(ScriptedIncident(at=first_s + i * every_s, kind="meter_fault",
                                      target=meters[(i * step) % len(meters)]) for i in range(n))
    incidents = base.incidents.model_copy(update={"rates_per_hour": {}, "scripted": scripted})
    return base.model_copy(update={"incidents": incidents})


@dataclass
class StallProbe:
    """Wakes every `period_s`; how late each wake is, by the loop's own clock, is time the loop
    was held by something else (the twin, asyncua, pymodbus, the GC)."""

    period_s: float = 0.01
    lateness_ms: list[float] = field(default_factory=list)
    #: `time.monotonic()` of each wake, to place the worst stalls in the run.
    woke_at: list[float] = field(default_factory=list)
    #: Garbage collector pauses (ms) by generation: a full collection of a 450k-node address
    #: space is the longest thing that can hold the loop, and no slicing can cut it short.
    gc_ms: dict[int, list[float]] = field(default_factory=dict)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_t0 = time.perf_counter()
        else:
            ms = (time.perf_counter() - self._gc_t0) * 1000
            self.gc_ms.setdefault(info["generation"], []).append(ms)

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        gc.callbacks.append(self._gc)
        try:
            while not stop.is_set():
                intended = loop.time() + self.period_s
                await asyncio.sleep(self.period_s)
                self.lateness_ms.append((loop.time() - intended) * 1000)
                self.woke_at.append(time.monotonic())
        finally:
            gc.callbacks.remove(self._gc)

    def worst(self, t0: float, window_from: int, n: int = 5) -> list[dict[str, object]]:
        """The `n` longest stalls: when (s after `t0`), how long, and whether before the
        measured window (clients connecting and subscribing) or in it."""
        top = sorted(range(len(self.lateness_ms)), key=lambda i: -self.lateness_ms[i])[:n]
        return [{"at_s": round(self.woke_at[i] - t0, 2), "ms": round(self.lateness_ms[i], 1),
                 "in": "window" if i >= window_from else "warm-up"} for i in sorted(top)]

    def gc_summary(self) -> dict[str, dict[str, float]]:
        return {f"gen{g}": {"count": len(v), "max_ms": max(v), "total_ms": sum(v)}
                for g, v in sorted(self.gc_ms.items())}


async def bare_server() -> tuple[int, Any]:
    """Plain pymodbus with a plain block: the floor the twin's gateway is compared to."""
    bits = [SimData(0, count=16, datatype=SimType.BITS)]
    regs = [SimData(0, count=64, datatype=SimType.REGISTERS)]
    dev = SimDevice(1, simdata=(bits, list(bits), regs, list(regs)))
    server = ModbusTcpServer([dev], framer=FramerType.SOCKET, address=("127.0.0.1", 0))
    await server.serve_forever(background=True)
    port = server.transport.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    return port, server.shutdown


@dataclass
class Served:
    world: World
    modbus: ModbusFace
    opcua: OpcUaServer
    url: str
    ports: dict[str, int]
    startup: dict[str, float]


async def serve(sc: Scenario, work_dir: Path) -> Served:
    """Build the world and start both faces, printing progress; time and RSS of each stage."""
    t0 = time.perf_counter()
    rss0 = rss_mb()
    world = World(sc)
    world.live_clock(speed=1.0)
    t1 = time.perf_counter()
    progress(f"world built: {len(world.devices):,} devices in {t1 - t0:.2f} s, "
             f"RSS {rss_mb():.0f} MB")
    options = FaceOptions(host="127.0.0.1", any_port=True, work_dir=work_dir, insecure=True,
                          auto_trust=True)
    modbus = ModbusFace(world, options)
    endpoints = await modbus.start()
    t2 = time.perf_counter()
    progress(f"Modbus: {len(endpoints)} gateways listening in {t2 - t1:.2f} s, "
             f"RSS {rss_mb():.0f} MB")
    opcua = OpcUaServer(world, OpcUa(port=0, security=("None",), anonymous_role="viewer"),
                        out_dir=work_dir, host="127.0.0.1", port=0, insecure=True)
    ep = await opcua.start()
    t3 = time.perf_counter()
    progress(f"OPC UA: {opcua.stats.nodes:,} nodes listening in {t3 - t2:.2f} s "
             f"(init {opcua.stats.init_s:.2f} s, build {opcua.stats.build_s:.2f} s), "
             f"RSS {rss_mb():.0f} MB")
    ports = {e.gateway: e.port for e in endpoints}  # type: ignore[attr-defined]
    return Served(world, modbus, opcua, ep.url, ports, {
        "world_s": t1 - t0, "modbus_s": t2 - t1, "opcua_s": t3 - t2, "ready_s": t3 - t0,
        "rss_before_mb": rss0, "rss_ready_mb": rss_mb()})


def point_address(world: World, device_id: str, point: str) -> tuple[str, int, int]:
    d = world.devices[device_id]
    return d.spec.gateway, d.spec.unit, d.point_map[point].address


async def run_clients(spec: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Run `live_clients.py` with `spec` on stdin; its JSON report from stdout."""
    import json
    spawn_from = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "live_clients.py"), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    spawned = (spawn_from, time.monotonic())  # forking a large process holds the loop
    try:
        out, _ = await asyncio.wait_for(proc.communicate(json.dumps(spec).encode()), timeout_s)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        raise
    if proc.returncode:
        raise RuntimeError(f"live_clients.py exited {proc.returncode}")
    return {**json.loads(out), "spawned": spawned}


class CpuMeter:
    """Process CPU over a window, as a share of one core."""

    def __init__(self) -> None:
        self.cpu0, self.wall0 = time.process_time(), time.monotonic()

    def share(self) -> float:
        return (time.process_time() - self.cpu0) / max(time.monotonic() - self.wall0, 1e-9)
