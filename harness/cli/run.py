"""The run commands: `rehearse` (twin + reference platform) and `serve` (twin for your
platform)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from pathlib import Path

import click

from harness import report
from harness.cli.common import load_scenario, scenario_ref, scenario_sha256
from harness.cli.console import (
    acceptance_line,
    console,
    endpoints_table,
    progress_display,
    results_table,
)
from harness.cli.errors import BadInput
from harness.cli.session import PROTOCOLS, run_live, run_virtual
from harness.contract import Endpoint, write_endpoints
from harness.evidence import RunResult, write_results
from harness.faces.base import FaceConfigError
from scenarios import Scenario

INSECURE_HELP = ("OPC UA: also offer the None endpoint and anonymous roles that write, "
                 "if the scenario asks for them")
AUTO_TRUST_HELP = "OPC UA: trust any client certificate (benches), not only pki/trusted"


def _finish(result: RunResult, out: Path, title: str, scenario: Scenario, ref: str) -> None:
    result.scenario_ref = ref
    result.scenario_sha256 = scenario_sha256(ref)
    path = write_results(result, out)
    console.print(results_table(result.stats, title))
    paths = report.from_run(result, scenario, out)
    doc = json.loads(paths["json"].read_text("utf-8"))
    console.print(acceptance_line(doc) + f"; report: {paths['html']}")
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


async def _live(scenario: Scenario, platform: bool, out: Path, host: str | None,
                any_port: bool, protocol: str = "modbus", insecure: bool = False,
                auto_trust: bool = False) -> RunResult:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGINT, stop.set)
        loop.add_signal_handler(signal.SIGTERM, stop.set)

    async def ready(endpoints: list[Endpoint]) -> None:
        path = write_endpoints(endpoints, out)
        console.print(endpoints_table(endpoints))
        console.print(f"endpoints written to {path}")

    with progress_display() as progress:
        task = progress.add_task("simulating", total=None, sim="", incidents=0)

        def show(now: float, end: float, incidents: int) -> None:
            progress.update(task, completed=now, total=end, incidents=incidents,
                            sim=f"{now:,.0f}/{end:,.0f} s")

        try:
            return await run_live(scenario, platform=platform, host=host, any_port=any_port,
                                  stop=stop, progress=show, on_ready=ready, protocol=protocol,
                                  out_dir=out, insecure=insecure, auto_trust=auto_trust)
        except FaceConfigError as exc:  # a face refused the run's settings: one line
            raise BadInput(str(exc)) from None


@click.command()
@click.argument("scenario", default="demo")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True,
              help="folder for results.json and endpoints.json")
@click.option("--speed", type=float, help="simulated seconds per wall second (>= 1)")
@click.option("--duration", type=float, help="injection window in simulated seconds")
@click.option("--seed", type=int, help="seed of every random stream")
@click.option("--virtual", is_flag=True,
              help="no sockets: run as fast as possible against the modelled platform")
@click.option("--fixed-ports", is_flag=True,
              help="bind the scenario's gateway ports instead of free ones")
@click.option("--protocol", type=click.Choice(list(PROTOCOLS)), default="modbus", show_default=True,
              help="how the reference platform connects; 'both' rehearses Modbus, then OPC UA")
@click.option("--insecure", is_flag=True, help=INSECURE_HELP)
@click.option("--auto-trust", is_flag=True, help=AUTO_TRUST_HELP)
def rehearse(scenario: str, out: Path, speed: float | None, duration: float | None,
             seed: int | None, virtual: bool, fixed_ports: bool, protocol: str,
             insecure: bool, auto_trust: bool) -> None:
    """Run SCENARIO (a bundled name or a .toml file) with the reference platform connected."""
    sc = load_scenario(scenario, duration, speed, seed)
    if virtual:
        with progress_display() as progress:
            task = progress.add_task("simulating", total=None, sim="", incidents=0)
            result = run_virtual(sc, progress=lambda now, end, n: progress.update(
                task, completed=now, total=end, incidents=n, sim=f"{now:,.0f}/{end:,.0f} s"))
    elif protocol == "both":
        # Two runs, one per face, so each table measures one protocol's platform alone.
        for proto in ("modbus", "opcua"):
            result = asyncio.run(_live(sc, True, out / proto, None, not fixed_ports, proto,
                                       insecure=insecure, auto_trust=auto_trust))
            _finish(result, out / proto,
                    f"{sc.name}: rehearsal over {proto} (speed {result.speed:g})", sc,
                    scenario_ref(scenario))
        return
    else:
        result = asyncio.run(_live(sc, True, out, None, not fixed_ports, protocol,
                                   insecure=insecure, auto_trust=auto_trust))
    how = "virtual, modelled platform" if result.mode == "virtual" else (
        f"{protocol}, speed {result.speed:g}")
    _finish(result, out, f"{sc.name}: rehearsal ({how})", sc, scenario_ref(scenario))


@click.command()
@click.argument("scenario", default="demo")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True)
@click.option("--host", help="address to bind (default: each gateway's host, 127.0.0.1)")
@click.option("--speed", type=float, help="simulated seconds per wall second (>= 1)")
@click.option("--duration", type=float, help="injection window in simulated seconds")
@click.option("--any-port", is_flag=True, help="bind free ports instead of the scenario's")
@click.option("--protocol", type=click.Choice(list(PROTOCOLS)), default="modbus", show_default=True,
              help="which faces to serve: Modbus gateways, the OPC UA server, or both")
@click.option("--insecure", is_flag=True, help=INSECURE_HELP)
@click.option("--auto-trust", is_flag=True, help=AUTO_TRUST_HELP)
def serve(scenario: str, out: Path, host: str | None, speed: float | None,
          duration: float | None, any_port: bool, protocol: str, insecure: bool,
          auto_trust: bool) -> None:
    """Serve SCENARIO live for your own platform until Ctrl-C or the scenario's end."""
    sc = load_scenario(scenario, duration, speed)
    try:
        result = asyncio.run(_live(sc, False, out, host, any_port, protocol,
                                   insecure=insecure, auto_trust=auto_trust))
    except OSError as exc:
        raise click.ClickException(f"cannot bind a gateway: {exc}") from None
    _finish(result, out, f"{sc.name}: served live (speed {result.speed:g})", sc,
            scenario_ref(scenario))
