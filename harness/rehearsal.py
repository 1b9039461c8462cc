"""Running a rehearsal: the world, its gateways and (optionally) the reference platform together.

`run_live` serves the world on real sockets and paces it to wall time: every Modbus gateway
(`protocol="modbus"`), one OPC UA server (`"opcua"`), or both. With `platform=True` the built-in
reference platform connects over the chosen protocol (Modbus when both are served) and acts on the
alarms (a rehearsal); without it the user's own platform does (`commtwin serve`).
`run_virtual` runs the same world with the modelled platform and no sockets. Both return a
`RunResult`, which `write_results` saves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.acceptance import Measurement
from harness.measure import KindStats, lifecycle_dict, summarize
from harness.measurements import from_health
from harness.measurements import to_json as health_json
from harness.modbus_gateway import Endpoint, ModbusGateway
from harness.opcua_server import OpcUaEndpoint, OpcUaServer
from harness.reference_platform import PlatformStats, ReferencePlatform
from harness.reference_platform_opcua import OpcUaReferencePlatform
from scenarios import Scenario
from sim import Lifecycle, World

RESULTS_SCHEMA = "commtwin.results/1"
ProgressFn = Callable[[float, float, int], None]  # simulated now, end, incidents so far
ReadyFn = Callable[[list[Endpoint]], Awaitable[None] | None]
OpcUaReadyFn = Callable[[OpcUaEndpoint], Awaitable[None] | None]
PROTOCOLS = ("modbus", "opcua", "both")


@dataclass
class RunResult:
    scenario: str
    seed: int
    mode: str
    speed: float
    end_s: float
    wall_s: float
    lifecycles: list[Lifecycle]
    stats: list[KindStats]
    endpoints: list[Endpoint] = field(default_factory=list)
    platform: PlatformStats | None = None
    interrupted: bool = False
    trace_records: int = 0
    protocol: str = "modbus"
    opcua: OpcUaEndpoint | None = None
    #: Device health over the run (camera availability, meters read): see harness.measurements.
    health: dict[str, Measurement] = field(default_factory=dict)
    #: How to load the scenario again (a bundled name or an absolute path), for `report`.
    scenario_ref: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "schema": RESULTS_SCHEMA,
            "scenario": self.scenario, "scenario_ref": self.scenario_ref or self.scenario,
            "seed": self.seed, "mode": self.mode,
            "speed": self.speed, "simulated_s": round(self.end_s, 3),
            "wall_s": round(self.wall_s, 3), "interrupted": self.interrupted,
            "latency_clock": self.stats[0].clock if self.stats else None,
            "protocol": self.protocol,
            "endpoints": [e.as_dict() for e in self.endpoints],
            "opcua": None if self.opcua is None else self.opcua.as_dict(),
            "platform": None if self.platform is None else {
                k: v for k, v in vars(self.platform).items()},
            "summary": [s.as_dict() for s in self.stats],
            "incidents": [lifecycle_dict(lc) for lc in self.lifecycles],
            "trace_records": self.trace_records,
            "health": health_json(self.health),
        }


def write_results(result: RunResult, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "results.json"
    path.write_text(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def write_endpoints(endpoints: list[Endpoint], out_dir: Path,
                    opcua: OpcUaEndpoint | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "endpoints.json"
    entries = [e.as_dict() for e in endpoints] + ([opcua.as_dict()] if opcua else [])
    path.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return path


async def run_live(scenario: Scenario, *, platform: bool, speed: float | None = None,
                   seed: int | None = None, host: str | None = None,
                   any_port: bool = False, stop: asyncio.Event | None = None,
                   progress: ProgressFn | None = None,
                   on_ready: ReadyFn | None = None, protocol: str = "modbus",
                   out_dir: Path = Path("out"),
                   on_opcua_ready: OpcUaReadyFn | None = None) -> RunResult:
    """Serve the world live until its end time (or `stop`); measure every lifecycle.

    `out_dir` holds the OPC UA certificate and ns0 cache (created on first start, then reused).
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    world = World(scenario, seed=seed)
    clock = world.live_clock(speed)
    stop = stop or asyncio.Event()
    gateways = [ModbusGateway(world, g, host=host, port=0 if any_port else None)
                for g in scenario.gateways] if protocol != "opcua" else []
    opcua = (OpcUaServer(world, out_dir=out_dir, host=host, port=0 if any_port else None)
             if protocol != "modbus" else None)
    opcua_endpoint: OpcUaEndpoint | None = None
    endpoints: list[Endpoint] = []
    ref: ReferencePlatform | OpcUaReferencePlatform | None = None
    platform_stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    wall0 = time.monotonic()
    try:
        for gw in gateways:
            endpoints.append(await gw.start())
        if opcua is not None:
            opcua_endpoint = await opcua.start()
        if on_ready is not None:
            maybe = on_ready(endpoints)
            if maybe is not None:
                await maybe
        if on_opcua_ready is not None and opcua_endpoint is not None:
            maybe = on_opcua_ready(opcua_endpoint)
            if maybe is not None:
                await maybe
        if platform and opcua_endpoint is not None and not gateways:
            ref = OpcUaReferencePlatform(scenario, opcua_endpoint, cert_dir=out_dir / "opcua")
            # Subscribed before the clock starts, as the Modbus platform polls from the start.
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(ref.run(platform_stop, ready)))
            await ready.wait()
        elif platform:
            ref = ReferencePlatform(scenario, endpoints)
            tasks.append(asyncio.create_task(ref.run(platform_stop)))
        clock.start()
        wall0 = time.monotonic()
        if progress is not None:
            tasks.append(asyncio.create_task(_report(world, progress, stop)))
        await clock.run(stop)
    finally:
        platform_stop.set()
        stop.set()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for gw in gateways:
            await gw.stop()
        if opcua is not None:
            await opcua.stop()
    lifecycles = world.lifecycles()
    return RunResult(scenario.name, world.seed, "live", clock.speed, world.env.now,
                     time.monotonic() - wall0, lifecycles, summarize(lifecycles, "wall"),
                     endpoints, ref.stats if ref else None,
                     interrupted=world.env.now < world.end_s, trace_records=len(world.trace),
                     protocol=protocol, opcua=opcua_endpoint,
                     health=from_health(world, world.read_by_platform))


def run_virtual(scenario: Scenario, seed: int | None = None,
                progress: ProgressFn | None = None, chunks: int = 50) -> RunResult:
    """The same world as fast as the CPU allows, answered by the modelled platform."""
    world = World(scenario, seed=seed, modelled_platform=True)
    wall0 = time.monotonic()
    for i in range(1, chunks + 1):
        world.run_virtual(until_s=world.end_s * i / chunks)
        if progress is not None:
            progress(world.env.now, world.end_s, world.tracker.count)
    lifecycles = world.lifecycles()
    return RunResult(scenario.name, world.seed, "virtual", scenario.run.speed, world.env.now,
                     time.monotonic() - wall0, lifecycles, summarize(lifecycles, "sim"),
                     trace_records=len(world.trace), health=from_health(world, None))


async def _report(world: World, progress: ProgressFn, stop: asyncio.Event) -> None:
    while not stop.is_set():
        progress(world.env.now, world.end_s, world.tracker.count)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)
    progress(world.env.now, world.end_s, world.tracker.count)
