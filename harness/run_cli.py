"""The run commands: `rehearse` (twin + reference platform), `serve` (twin for your platform),
`points` (the register map) and `report` (re-render a saved run's acceptance report)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path

import click
from pydantic import ValidationError

from harness import pointlist, report
from harness.cli_errors import option_error, scenario_error
from harness.console import console, endpoints_table, progress_display, results_table
from harness.modbus_gateway import Endpoint
from harness.opcua_server import OpcUaEndpoint
from harness.rehearsal import (
    PROTOCOLS,
    RunResult,
    run_live,
    run_virtual,
    write_endpoints,
    write_results,
)
from scenarios import Scenario, ScenarioError, bundled_names, load


def _load(name: str, duration: float | None = None, speed: float | None = None,
          seed: int | None = None) -> Scenario:
    try:
        scenario = load(name)
    except ScenarioError as exc:
        raise scenario_error(exc) from None
    run = scenario.run
    updates = {k: v for k, v in (("duration_s", duration), ("speed", speed), ("seed", seed))
               if v is not None}
    if updates:
        # validated like the file's own values: `--duration inf` would otherwise run for ever
        try:
            run = type(run).model_validate({**run.model_dump(), **updates})
        except ValidationError as exc:
            raise option_error(exc) from None
        scenario = scenario.model_copy(update={"run": run})
    return scenario


def _ref(name: str) -> str:
    """What `report` needs to load the scenario again: a bundled name or an absolute path."""
    return name if name in bundled_names() else str(Path(name).resolve())


def _finish(result: RunResult, out: Path, title: str, scenario: Scenario, ref: str) -> None:
    result.scenario_ref = ref
    path = write_results(result, out)
    console.print(results_table(result.stats, title))
    paths = report.from_run(result, scenario, out)
    counts = json.loads(paths["json"].read_text("utf-8"))["counts"]
    console.print(f"acceptance: [green]达标 met {counts['met']}[/] · [red]未达标 not met "
                  f"{counts['not_met']}[/] · [yellow]需人工核验 needs evidence "
                  f"{counts['needs_evidence']}[/]; report: {paths['html']}")
    if result.platform is not None and result.platform.errors:
        console.print(f"[yellow]platform errors: {result.platform.errors} "
                      f"(first: {result.platform.error_samples[0]})")
    note = " (interrupted)" if result.interrupted else ""
    console.print(f"{result.end_s:.0f} simulated s in {result.wall_s:.1f} wall s{note}; "
                  f"results: {path}")


async def _live(scenario: Scenario, platform: bool, out: Path, host: str | None,
                any_port: bool, protocol: str = "modbus") -> RunResult:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGINT, stop.set)
        loop.add_signal_handler(signal.SIGTERM, stop.set)

    modbus: list[Endpoint] = []

    async def ready(endpoints: list[Endpoint]) -> None:
        modbus.extend(endpoints)
        path = write_endpoints(endpoints, out)
        if endpoints:
            console.print(endpoints_table(endpoints))
        console.print(f"endpoints written to {path}")

    async def opcua_ready(endpoint: OpcUaEndpoint) -> None:
        write_endpoints(modbus, out, endpoint)
        console.print(f"OPC UA server: {endpoint.url} (namespace {endpoint.namespace_uri}, "
                      f"security {', '.join(endpoint.security)})")

    with progress_display() as progress:
        task = progress.add_task("simulating", total=None, sim="", incidents=0)

        def show(now: float, end: float, incidents: int) -> None:
            progress.update(task, completed=now, total=end, incidents=incidents,
                            sim=f"{now:,.0f}/{end:,.0f} s")

        return await run_live(scenario, platform=platform, host=host, any_port=any_port,
                              stop=stop, progress=show, on_ready=ready, protocol=protocol,
                              out_dir=out, on_opcua_ready=opcua_ready)


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
@click.option("--protocol", type=click.Choice(PROTOCOLS), default="modbus", show_default=True,
              help="how the reference platform connects; 'both' rehearses Modbus, then OPC UA")
def rehearse(scenario: str, out: Path, speed: float | None, duration: float | None,
             seed: int | None, virtual: bool, fixed_ports: bool, protocol: str) -> None:
    """Run SCENARIO (a bundled name or a .toml file) with the reference platform connected."""
    sc = _load(scenario, duration, speed, seed)
    if virtual:
        with progress_display() as progress:
            task = progress.add_task("simulating", total=None, sim="", incidents=0)
            result = run_virtual(sc, progress=lambda now, end, n: progress.update(
                task, completed=now, total=end, incidents=n, sim=f"{now:,.0f}/{end:,.0f} s"))
    elif protocol == "both":
        # Two runs, one per face, so each table measures one protocol's platform alone.
        for proto in ("modbus", "opcua"):
            result = asyncio.run(_live(sc, True, out / proto, None, not fixed_ports, proto))
            _finish(result, out / proto,
                    f"{sc.name}: rehearsal over {proto} (speed {result.speed:g})", sc,
                    _ref(scenario))
        return
    else:
        result = asyncio.run(_live(sc, True, out, None, not fixed_ports, protocol))
    _finish(result, out, f"{sc.name}: rehearsal ({result.mode}"
            f"{'' if result.mode == 'virtual' else ', ' + protocol}, speed {result.speed:g})",
            sc, _ref(scenario))


@click.command()
@click.argument("scenario", default="demo")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True)
@click.option("--host", help="address to bind (default: each gateway's host, 127.0.0.1)")
@click.option("--speed", type=float, help="simulated seconds per wall second (>= 1)")
@click.option("--duration", type=float, help="injection window in simulated seconds")
@click.option("--any-port", is_flag=True, help="bind free ports instead of the scenario's")
@click.option("--protocol", type=click.Choice(PROTOCOLS), default="modbus", show_default=True,
              help="which faces to serve: Modbus gateways, the OPC UA server, or both")
def serve(scenario: str, out: Path, host: str | None, speed: float | None,
          duration: float | None, any_port: bool, protocol: str) -> None:
    """Serve SCENARIO live for your own platform until Ctrl-C or the scenario's end."""
    sc = _load(scenario, duration, speed)
    try:
        result = asyncio.run(_live(sc, False, out, host, any_port, protocol))
    except OSError as exc:
        raise click.ClickException(f"cannot bind a gateway: {exc}") from None
    _finish(result, out, f"{sc.name}: served live (speed {result.speed:g})", sc, _ref(scenario))


@click.command()
@click.argument("scenario", default="demo")
@click.option("--format", "fmt", type=click.Choice(["csv", "md"]), default="csv",
              show_default=True)
def points(scenario: str, fmt: str) -> None:
    """Print the register map of every device of SCENARIO."""
    rows = pointlist.rows(_load(scenario))
    sys.stdout.write(pointlist.to_csv(rows) if fmt == "csv" else pointlist.to_markdown(rows))


@click.command(name="report")
@click.argument("results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--profile", help="judge against another tier (basic, growth, benchmark) or a "
                                "profile .toml; default: the scenario's")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="where to write the report (default: RESULTS_DIR)")
def report_command(results_dir: Path, profile: str | None, out: Path | None) -> None:
    """Re-render the acceptance report of a saved run (RESULTS_DIR/results.json)."""
    if not (results_dir / "results.json").exists():
        raise click.ClickException(f"{results_dir}: no results.json (run `commtwin rehearse`)")
    try:
        paths = report.from_results(results_dir, profile, out)
    except ScenarioError as exc:
        raise scenario_error(exc) from None
    for kind, path in paths.items():
        console.print(f"{kind:>5}: {path}")
