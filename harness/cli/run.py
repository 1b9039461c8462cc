"""The run commands: `rehearse` (twin + reference platform) and `serve` (twin for your
platform). Both write results and the report of whatever ran, then exit with the status the
gates and any signal call for (`harness.cli.gating`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.progress import TaskID

from harness import report
from harness.cli.common import load_scenario, scenario_ref, scenario_sha256
from harness.cli.console import (
    acceptance_line,
    console,
    endpoints_table,
    estimate_lines,
    not_met_lines,
    progress_display,
    results_table,
    startup_line,
    waiting_line,
)
from harness.cli.errors import BadInput
from harness.cli.gating import (
    EXIT_GATE,
    EXIT_SIGNAL,
    Gating,
    gating_options,
    parse_fail_on,
    parse_tolerance,
)
from harness.cli.session import PROTOCOLS, run_live, run_virtual
from harness.contract import Endpoint, write_endpoints
from harness.contract.files import check_writable
from harness.evidence import RunResult, write_results
from harness.evidence.journal import ALGORITHMS
from harness.faces import FaceStartError
from harness.faces.base import FaceConfigError
from scenarios import Scenario


def _finish(result: RunResult, out: Path, title: str, scenario: Scenario, ref: str,
            gating: Gating) -> int:
    """Write and show what ran; return the exit status the gates call for."""
    result.scenario_ref = ref
    result.scenario_sha256 = scenario_sha256(ref)
    path = write_results(result, out)
    console.print(results_table(result.stats, title))
    paths = report.from_run(result, scenario, out, gating.checks(scenario))
    doc = json.loads(paths["json"].read_text("utf-8"))
    console.print(acceptance_line(doc) + f"; report: {paths['html']}")
    for line in not_met_lines(doc) + estimate_lines(doc):
        console.print(line)
    if result.platform and result.platform.get("failure"):
        console.print(f"[red]{result.platform['failure']}[/]: the run ended there; what it "
                      "measured until then is recorded")
    errors = result.platform.get("errors") if result.platform else None
    if errors:
        samples = result.platform.get("error_samples") if result.platform else None
        first = samples[0] if isinstance(samples, list) and samples else "?"
        console.print(f"[yellow]platform errors: {errors} (first: {first})")
    if result.pacing and result.pacing.get("late"):
        console.print(f"[yellow]the twin itself ran late (pacing p99 {result.pacing['p99_ms']} "
                      f"ms > {result.pacing['limit_ms']} ms): latencies include its lateness")
    note = " (interrupted)" if result.interrupted else ""
    pace = f" at {result.speed:g}x" if result.mode == "live" else " (virtual: as fast as it runs)"
    took = (f"{result.wall_s * 1000:.0f} wall ms" if result.wall_s < 1
            else f"{result.wall_s:.1f} wall s")
    console.print(f"{result.end_s:.0f} simulated s in {took}{pace}{note}, "
                  f"{result.started_utc} .. {result.ended_utc} on {result.host}, commtwin "
                  f"{result.commtwin_version}, scenario sha256 {result.scenario_sha256[:12]}…; "
                  f"results: {path}")
    failures = gating.verdict(doc)
    for gate in failures:
        console.print(f"[red]gate failed[/] ({gate['family']}): {gate['message']}")
    return EXIT_GATE if failures else 0


def serving_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `rehearse` and `serve` share: OPC UA security, the journal, the CI gates."""
    for option in reversed((
            click.option("--insecure", is_flag=True,
                         help="OPC UA: also offer the None endpoint and anonymous roles that "
                              "write, if the scenario asks for them"),
            click.option("--auto-trust", is_flag=True,
                         help="OPC UA: trust any client certificate (benches), not only "
                              "pki/trusted"),
            click.option("--journal-hash", type=click.Choice(ALGORITHMS), default="sha256",
                         show_default=True,
                         help="hash of the run journal's chain (sm3: GB/T 32905)"))):
        command = option(command)
    return gating_options(command)


@dataclass(frozen=True)
class Live:
    """How a live run is served."""

    platform: bool
    host: str | None = None
    any_port: bool = True
    protocol: str = "modbus"
    control: bool = False
    insecure: bool = False
    auto_trust: bool = False
    until_stopped: bool = False
    #: the scenario file and its digest, for the journal's header
    identity: dict[str, str] | None = None
    journal_hash: str = "sha256"


async def _live(scenario: Scenario, out: Path, how: Live) -> tuple[RunResult, int | None]:
    """Serve one run; return its result and the signal that stopped it, if one did."""
    stop = asyncio.Event()
    received: list[int] = []
    loop = asyncio.get_running_loop()
    def stopped_by(sig: int) -> None:
        received.append(sig)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopped_by, sig)

    marks: list[tuple[str, float]] = [("", time.monotonic())]

    def starting(face: str) -> None:
        marks.append((face, time.monotonic()))
        progress.update(start_task, description=f"starting {face}")

    async def ready(endpoints: list[Endpoint]) -> None:
        progress.remove_task(start_task)
        console.print(startup_line(marks, time.monotonic()))
        path = write_endpoints(endpoints, out)
        console.print(endpoints_table(endpoints))
        console.print(f"endpoints written to {path}")
        if not how.platform:
            console.print(waiting_line(scenario, endpoints, how.until_stopped))

    with progress_display() as progress:
        start_task = progress.add_task("building the world", total=None, sim="", incidents="",
                                       counts="")
        task = progress.add_task("simulating", total=None, sim="", incidents=0,
                                 counts="incidents")

        def show(now: float, end: float, incidents: int) -> None:
            progress.update(task, completed=now, total=end, incidents=incidents,
                            sim=f"{now:,.0f}/{end:,.0f} s")

        try:
            result = await run_live(scenario, platform=how.platform, host=how.host,
                                    any_port=how.any_port, stop=stop, progress=show,
                                    on_ready=ready, starting=starting,
                                    protocol=how.protocol, out_dir=out,
                                    control=how.control, insecure=how.insecure,
                                    auto_trust=how.auto_trust,
                                    until_stopped=how.until_stopped, journal_dir=out,
                                    identity=how.identity, journal_hash=how.journal_hash)
        except FaceStartError as exc:
            hint = "" if how.any_port else "; --any-port binds free ports instead"
            raise BadInput(f"{exc}{hint}") from None
        except FaceConfigError as exc:  # a face refused the run's settings: one line
            raise BadInput(str(exc)) from None
    return result, received[0] if received else None


def _prepare(out: Path, ref: str) -> dict[str, str]:
    """Refuse an output folder the run could not write, before the run does any work; the
    scenario's identity for the journal."""
    try:
        check_writable(out)
    except OSError as exc:
        raise BadInput(f"{out}: cannot write the run's results there "
                       f"({exc.strerror or exc})") from None
    return {"scenario_ref": ref, "scenario_sha256": scenario_sha256(ref)}


def _exit(status: int, sig: int | None) -> None:
    """A signal's status wins: the pipeline must know the run was cut short."""
    code = EXIT_SIGNAL.get(signal.Signals(sig), 130) if sig is not None else status
    if code:
        sys.exit(code)


@click.command()
@click.argument("scenario", default="demo")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True,
              help="folder for results.json, endpoints.json and the report")
@click.option("--speed", type=float, help="simulated seconds per wall second (>= 1)")
@click.option("--duration", type=float, help="injection window in simulated seconds")
@click.option("--seed", type=int, help="seed of every random stream")
@click.option("--virtual", is_flag=True,
              help="no sockets: run as fast as possible against the modelled platform")
@click.option("--fixed-ports", is_flag=True,
              help="bind the scenario's gateway ports instead of free ones")
@click.option("--protocol", type=click.Choice(list(PROTOCOLS)), default="modbus", show_default=True,
              help="how the reference platform connects; 'both' rehearses Modbus, then OPC UA")
@click.option("--replications", type=click.IntRange(1, 10_000),
              help="--virtual with responders for emergency calls: seeded runs behind "
                   "indicator 10's on-site probability (default: the scenario's, 30)")
@serving_options
def rehearse(scenario: str, out: Path, speed: float | None, duration: float | None,
             seed: int | None, virtual: bool, fixed_ports: bool, protocol: str,
             replications: int | None, insecure: bool, auto_trust: bool, journal_hash: str,
             fail_on: tuple[str, ...], baseline: Path | None, tolerance: str) -> None:
    """Run SCENARIO (a bundled name or a .toml file) with the reference platform connected.

    Exit status: 0, or 1 when a gate of --fail-on fails, 2 for bad input, 130/143 when stopped
    by Ctrl-C/SIGTERM (after writing what ran)."""
    gating = Gating(parse_fail_on(fail_on), baseline, parse_tolerance(tolerance))
    sc = load_scenario(scenario, duration, speed, seed)
    ref = scenario_ref(scenario)
    identity = _prepare(out, ref)
    if replications is not None and not virtual:
        raise BadInput("--replications: only a --virtual run is replicated (a live run "
                       "measures its calls; the responder model runs beside it)")
    if virtual:
        with progress_display() as progress:
            task = progress.add_task("simulating", total=None, sim="", incidents=0,
                                     counts="incidents")
            reps: list[TaskID] = []

            def replicated(done: int, total: int, calls: int) -> None:
                if not reps:
                    reps.append(progress.add_task("replications (indicator 10)", total=total,
                                                  sim="", incidents=0, counts="calls"))
                progress.update(reps[0], completed=done, incidents=calls,
                                sim=f"{done}/{total} runs")

            result = run_virtual(sc, progress=lambda now, end, n: progress.update(
                task, completed=now, total=end, incidents=n, sim=f"{now:,.0f}/{end:,.0f} s"),
                journal_dir=out, identity=identity, journal_hash=journal_hash,
                replications=replications, replicated=replicated)
        _exit(_finish(result, out, f"{sc.name}: rehearsal (virtual, modelled platform)", sc,
                      ref, gating), None)
        return
    # 'both': two runs, one per face, so each table measures one protocol's platform alone.
    status = 0
    for proto in (("modbus", "opcua") if protocol == "both" else (protocol,)):
        where = out / proto if protocol == "both" else out
        result, sig = asyncio.run(_live(sc, where, Live(
            True, None, not fixed_ports, proto, insecure=insecure, auto_trust=auto_trust,
            identity=identity,
            journal_hash=journal_hash)))
        status = max(status, _finish(result, where, f"{sc.name}: rehearsal ({proto}, speed "
                                     f"{result.speed:g})", sc, ref, gating))
        if sig is not None:
            _exit(status, sig)
    _exit(status, None)


@click.command()
@click.argument("scenario", default="demo")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True)
@click.option("--host", help="address to bind (default: each gateway's host, 127.0.0.1)")
@click.option("--speed", type=float, default=1.0, show_default=True,
              help="simulated seconds per wall second: 1 for a real platform's real time")
@click.option("--duration", type=float,
              help="end after this injection window (simulated s); default: serve until Ctrl-C")
@click.option("--seed", type=int, help="seed of every random stream")
@click.option("--any-port", is_flag=True, help="bind free ports instead of the scenario's")
@click.option("--protocol", type=click.Choice(list(PROTOCOLS)), default="modbus", show_default=True,
              help="which faces to serve: Modbus gateways, the OPC UA server, or both")
@click.option("--control/--no-control", default=True, show_default=True,
              help="serve the HTTP control and acknowledgement API (inject, ack by webhook)")
@serving_options
def serve(scenario: str, out: Path, host: str | None, speed: float, duration: float | None,
          seed: int | None, any_port: bool, protocol: str, control: bool, insecure: bool,
          auto_trust: bool, journal_hash: str, fail_on: tuple[str, ...], baseline: Path | None,
          tolerance: str) -> None:
    """Serve SCENARIO live for your own platform until Ctrl-C (or --duration).

    Exit status: 0, or 1 when a gate of --fail-on fails, 2 for bad input, 130/143 when stopped
    by Ctrl-C/SIGTERM (after writing the results and report)."""
    gating = Gating(parse_fail_on(fail_on), baseline, parse_tolerance(tolerance))
    sc = load_scenario(scenario, duration, speed, seed)
    identity = _prepare(out, scenario_ref(scenario))
    result, sig = asyncio.run(_live(sc, out, Live(False, host, any_port, protocol, control,
                                                  insecure, auto_trust,
                                                  until_stopped=duration is None,
                                                  identity=identity,
                                                  journal_hash=journal_hash)))
    status = _finish(result, out, f"{sc.name}: served live (speed {result.speed:g})", sc,
                     scenario_ref(scenario), gating)
    _exit(status, sig)
