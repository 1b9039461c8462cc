"""A run: the world, the faces it is served on and (optionally) a reference platform, together.

`run_live` builds the world, starts every face the run asks for from the `FACES` registry, lets a
reference platform from `PLATFORMS` connect over one of them (a rehearsal) or leaves the world to
the user's own platform (`commtwin serve`), paces the world to wall time and stops everything,
whatever happened: a failing reference platform ends the run with its failure recorded, never
loses it. `run_virtual` runs the same world with the modelled platform and no sockets. With
responders declared, a virtual run is replicated for indicator 10 (`harness.cli.onsite`) and a
live one runs the responder model as a shadow beside the platform (`sim.shadow`). Both
return a `RunResult`, and with a `journal_dir` both write the hash-chained journal of every
lifecycle step as it happens. Nothing here knows a protocol: a new face needs no change.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from harness.cli.onsite import ReplicationFn, replicate_onsite
from harness.contract import Endpoint
from harness.evidence import RunResult, summarize
from harness.evidence.health import HEALTH_POINTS, from_health
from harness.evidence.journal import Journal, settled_lifecycles
from harness.evidence.onsite import ResponderModel, expectations, walking_model
from harness.evidence.run import utc_now, version
from harness.faces import FACES, Face, FaceOptions
from harness.platforms import PLATFORMS, Platform
from scenarios import Scenario
from sim import LiveClock, Step, World

ProgressFn = Callable[[float, float, int], None]  # simulated now, end, incidents so far
ReadyFn = Callable[[list[Endpoint]], Awaitable[None] | None]
#: Trace records a run keeps in memory before the oldest half moves to its journal.
TRACE_IN_MEMORY = 200_000
#: Incidents a run keeps in memory before the settled ones move to its journal.
INCIDENTS_IN_MEMORY = 10_000
#: Pacing lateness p99 above which a live run is flagged: its latencies include the twin's own.
PACING_LIMIT_MS = 5.0
#: What `--protocol` names: the faces served, in order.
PROTOCOLS: dict[str, tuple[str, ...]] = {"modbus": ("modbus",), "opcua": ("opcua",),
                                          "both": ("modbus", "opcua")}


def _journal(world: World, journal_dir: Path | None, mode: str, speed: float,
             identity: dict[str, Any] | None, algorithm: str,
             reference_platform: bool = False) -> Journal | None:
    """Open the run's journal and feed it every step as the world stamps it. The header says
    whether our reference platform answered, so a run rebuilt from it is judged as the live
    run would have been (its on-site times are the platform's own delays, not measurements)."""
    if journal_dir is None:
        return None
    import platform as host_platform

    header = {"scenario": world.scenario.name, "seed": world.seed, "mode": mode,
              "speed": speed, "reference_platform": reference_platform,
              "started_utc": utc_now(), "host": host_platform.node(),
              "commtwin_version": version(), **(identity or {})}
    journal = Journal(journal_dir, header, algorithm)

    def record(incident_id: str, step: Step) -> None:
        journal.step((incident_id, *world.tracker.describe(incident_id)), step)

    world.step_listeners.append(record)
    # A run of days must not grow in memory: the trace's oldest records move to the journal,
    # keeping the few changes device health needs over the whole run.
    world.trace.retain = HEALTH_POINTS
    world.trace.max_records = TRACE_IN_MEMORY
    world.trace.spill = journal.trace
    # Settled incidents too: their steps are in the journal already; it marks them settled
    # and the tracker reads them back from it when the run's records are asked for.
    world.tracker.spill_to(INCIDENTS_IN_MEMORY, journal.settled,
                           lambda ids: settled_lifecycles(journal.path, ids))
    return journal


async def run_live(scenario: Scenario, *, platform: bool, speed: float | None = None,
                   seed: int | None = None, host: str | None = None,
                   any_port: bool = False, stop: asyncio.Event | None = None,
                   progress: ProgressFn | None = None,
                   on_ready: ReadyFn | None = None, starting: Callable[[str], None] | None = None,
                   protocol: str = "modbus",
                   out_dir: Path = Path("out"), control: bool = False,
                   control_token: str | None = None, insecure: bool = False,
                   auto_trust: bool = False,
                   until_stopped: bool = False, journal_dir: Path | None = None,
                   identity: dict[str, Any] | None = None,
                   journal_hash: str = "sha256") -> RunResult:
    """Serve the world live until its end time (or `stop`); measure every lifecycle.

    `protocol` names the faces (`PROTOCOLS`); with `platform`, the reference platform connects
    over the first of them. `control` adds the HTTP control and acknowledgement face; `insecure`
    lets faces do what they refuse by default, `auto_trust` makes the OPC UA face trust any
    client certificate (see `FaceOptions`). `until_stopped` serves past the scenario's end
    (its schedule still ends there) until `stop`. `on_ready` gets every endpoint once all faces
    listen; `starting` is told each face's name as it starts (a large community's address
    space takes seconds). `out_dir` holds what faces keep between runs (the OPC UA
    certificates and trust lists); `journal_dir` receives `journal.jsonl`, whose header also
    carries `identity` (scenario file and digest).
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {tuple(PROTOCOLS)}, got {protocol!r}")
    face_names = PROTOCOLS[protocol] + (("http",) if control else ())
    # with responders declared, their model walks beside the platform: an expectation per call
    world = World(scenario, seed=seed, shadow_responders=True)
    clock = world.live_clock(speed, math.inf if until_stopped else None)
    stop = stop or asyncio.Event()
    options = FaceOptions(host=host, any_port=any_port, work_dir=out_dir,
                          control_token=control_token, insecure=insecure, auto_trust=auto_trust)
    faces: list[Face] = [FACES[name](world, options) for name in face_names]
    journal = _journal(world, journal_dir, "live", clock.speed, identity, journal_hash,
                       reference_platform=platform)
    endpoints: list[Endpoint] = []
    ref: Platform | None = None
    platform_stop = asyncio.Event()
    platform_task: asyncio.Task[None] | None = None
    tasks: list[asyncio.Task[None]] = []
    failure = ""
    wall0 = time.monotonic()
    started = utc_now()
    try:
        for name, face in zip(face_names, faces, strict=True):
            if starting is not None:
                starting(name)
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
            platform_task = asyncio.create_task(ref.run(platform_stop, ready))
            # a platform that dies ends the run: it has nothing left to measure
            platform_task.add_done_callback(lambda _: stop.set())
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
        if platform_task is not None:
            try:
                await platform_task
            except Exception as exc:  # recorded in the run, never allowed to lose it
                failure = f"the reference platform failed: {_first_cause(exc)}"
        for face in faces:
            await face.stop()
        ended = utc_now()
        if journal is not None:
            journal.close({"ended_utc": ended, "simulated_s": world.env.now,
                           "interrupted": world.env.now < world.end_s or bool(failure)})
    lifecycles = world.lifecycles()
    shadow = None if world.shadow is None else ResponderModel(
        walking_model(scenario.responders),
        expected=expectations(world.shadow.records(), world.shadow.requested, lifecycles))
    stats = ref.stats.as_dict() if ref else None
    if failure and stats is not None:
        stats["failure"] = failure
    return RunResult(scenario.name, world.seed, "live", clock.speed, world.env.now,
                     time.monotonic() - wall0, lifecycles, summarize(lifecycles, "wall"),
                     endpoints, stats,
                     interrupted=world.env.now < world.end_s or bool(failure),
                     trace_records=len(world.trace),
                     protocol=protocol, health=from_health(world, world.read_by_platform),
                     started_utc=started, ended_utc=ended, pacing=_pacing(clock),
                     responder_model=shadow)


def run_virtual(scenario: Scenario, seed: int | None = None,
                progress: ProgressFn | None = None, chunks: int = 50,
                journal_dir: Path | None = None, identity: dict[str, Any] | None = None,
                journal_hash: str = "sha256", replications: int | None = None,
                replicated: ReplicationFn | None = None) -> RunResult:
    """The same world as fast as the CPU allows, answered by the modelled platform.

    With a team walking to emergency calls, the run is then replicated (`replications`, default
    the scenario's; `replicated` reports progress) for indicator 10's on-site probability; the
    journal and every other figure are this run's alone."""
    world = World(scenario, seed=seed, modelled_platform=True)
    journal = _journal(world, journal_dir, "virtual", scenario.run.speed, identity, journal_hash)
    wall0, started = time.monotonic(), utc_now()
    try:
        for i in range(1, chunks + 1):
            world.run_virtual(until_s=world.end_s * i / chunks)
            if progress is not None:
                progress(world.env.now, world.end_s, world.tracker.count)
    finally:
        ended = utc_now()
        if journal is not None:
            journal.close({"ended_utc": ended, "simulated_s": world.env.now,
                           "interrupted": world.env.now < world.end_s})
    lifecycles = world.lifecycles()
    wall = time.monotonic() - wall0
    model = replicate_onsite(scenario, world.seed, lifecycles, replications, replicated)
    return RunResult(scenario.name, world.seed, "virtual", scenario.run.speed, world.env.now,
                     wall, lifecycles, summarize(lifecycles, "sim"),
                     trace_records=len(world.trace), health=from_health(world, None),
                     started_utc=started, ended_utc=ended, responder_model=model)


def _first_cause(exc: BaseException) -> str:
    """The error inside any task-group wrapping, as one line."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}"


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
