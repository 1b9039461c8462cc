"""A run: the world, the faces it is served on and (optionally) a reference platform, together.

`run_live` builds the world, starts every face the run asks for from the `FACES` registry, lets a
reference platform from `PLATFORMS` connect over one of them (a rehearsal) or leaves the world to
the user's own platform (`commtwin serve`), paces the world to wall time and stops everything,
whatever happened. `run_virtual` runs the same world with the modelled platform and no sockets.
Both return a `RunResult`. Nothing here knows a protocol: a new face needs no change.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from harness.contract import Endpoint
from harness.evidence import RunResult, summarize
from harness.evidence.health import from_health
from harness.evidence.run import utc_now
from harness.faces import FACES, Face, FaceOptions
from harness.platforms import PLATFORMS, Platform
from scenarios import Scenario
from sim import LiveClock, World

ProgressFn = Callable[[float, float, int], None]  # simulated now, end, incidents so far
ReadyFn = Callable[[list[Endpoint]], Awaitable[None] | None]
#: Pacing lateness p99 above which a live run is flagged: its latencies include the twin's own.
PACING_LIMIT_MS = 5.0
#: What `--protocol` names: the faces served, in order.
PROTOCOLS: dict[str, tuple[str, ...]] = {"modbus": ("modbus",), "opcua": ("opcua",),
                                          "both": ("modbus", "opcua")}


async def run_live(scenario: Scenario, *, platform: bool, speed: float | None = None,
                   seed: int | None = None, host: str | None = None,
                   any_port: bool = False, stop: asyncio.Event | None = None,
                   progress: ProgressFn | None = None,
                   on_ready: ReadyFn | None = None, protocol: str = "modbus",
                   out_dir: Path = Path("out"), control: bool = False,
                   control_token: str | None = None, insecure: bool = False,
                   auto_trust: bool = False) -> RunResult:
    """Serve the world live until its end time (or `stop`); measure every lifecycle.

    `protocol` names the faces (`PROTOCOLS`); with `platform`, the reference platform connects
    over the first of them. `control` adds the HTTP control and acknowledgement face. `on_ready`
    gets every endpoint once all faces listen. `out_dir` holds what faces keep between runs (the
    OPC UA certificate and trust lists). `insecure` and `auto_trust`: `FaceOptions`.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {tuple(PROTOCOLS)}, got {protocol!r}")
    face_names = PROTOCOLS[protocol] + (("http",) if control else ())
    world = World(scenario, seed=seed)
    clock = world.live_clock(speed)
    stop = stop or asyncio.Event()
    options = FaceOptions(host=host, any_port=any_port, work_dir=out_dir,
                          control_token=control_token, insecure=insecure, auto_trust=auto_trust)
    faces: list[Face] = [FACES[name](world, options) for name in face_names]
    endpoints: list[Endpoint] = []
    ref: Platform | None = None
    platform_stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    wall0 = time.monotonic()
    started = utc_now()
    try:
        for face in faces:
            endpoints += await face.start()
        for face in faces:
            face.announce(endpoints)
        if on_ready is not None:
            maybe = on_ready(endpoints)
            if maybe is not None:
                await maybe
        if platform:
            ref = PLATFORMS[face_names[0]](scenario, endpoints, out_dir / face_names[0])
            # Connected (subscribed, for OPC UA) before the clock starts, so the platform sees
            # the run from its first simulated second.
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(ref.run(platform_stop, ready)))
            await ready.wait()
        clock.start()
        wall0, started = time.monotonic(), utc_now()
        if progress is not None:
            tasks.append(asyncio.create_task(_report(world, progress, stop)))
        await clock.run(stop)
    finally:
        platform_stop.set()
        stop.set()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for face in faces:
            await face.stop()
    lifecycles = world.lifecycles()
    return RunResult(scenario.name, world.seed, "live", clock.speed, world.env.now,
                     time.monotonic() - wall0, lifecycles, summarize(lifecycles, "wall"),
                     endpoints, ref.stats.as_dict() if ref else None,
                     interrupted=world.env.now < world.end_s, trace_records=len(world.trace),
                     protocol=protocol, health=from_health(world, world.read_by_platform),
                     started_utc=started, ended_utc=utc_now(), pacing=_pacing(clock))


def run_virtual(scenario: Scenario, seed: int | None = None,
                progress: ProgressFn | None = None, chunks: int = 50) -> RunResult:
    """The same world as fast as the CPU allows, answered by the modelled platform."""
    world = World(scenario, seed=seed, modelled_platform=True)
    wall0, started = time.monotonic(), utc_now()
    for i in range(1, chunks + 1):
        world.run_virtual(until_s=world.end_s * i / chunks)
        if progress is not None:
            progress(world.env.now, world.end_s, world.tracker.count)
    lifecycles = world.lifecycles()
    return RunResult(scenario.name, world.seed, "virtual", scenario.run.speed, world.env.now,
                     time.monotonic() - wall0, lifecycles, summarize(lifecycles, "sim"),
                     trace_records=len(world.trace), health=from_health(world, None),
                     started_utc=started, ended_utc=utc_now())


def _pacing(clock: LiveClock) -> dict[str, object]:
    """The twin's own timing: a late twin adds its lateness to every latency it measures."""
    summary: dict[str, object] = {k: round(v, 3) if isinstance(v, float) else v
                                  for k, v in clock.lateness_ms().items()}
    return summary | {"late": clock.late(PACING_LIMIT_MS), "limit_ms": PACING_LIMIT_MS}


async def _report(world: World, progress: ProgressFn, stop: asyncio.Event) -> None:
    while not stop.is_set():
        progress(world.env.now, world.end_s, world.tracker.count)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)
    progress(world.env.now, world.end_s, world.tracker.count)


__all__ = ["PROTOCOLS", "ProgressFn", "ReadyFn", "run_live", "run_virtual"]
