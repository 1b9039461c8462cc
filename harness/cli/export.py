"""`commtwin export`: configuration files for the platforms integrators point at the twin.

`thingsboard` (IoT Gateway connector files), `nodered` (a flow using node-red-contrib-modbus)
and `csv` (the point list). All address the scenario's configured ports, or a running twin's
with `--endpoints endpoints.json`; the builders live in `harness.contract`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from harness.cli.common import load_scenario
from harness.contract import nodered, pointlist, thingsboard
from harness.contract.live import EndpointsError, Targets, targets


class EndpointsProblem(click.ClickException):
    """A bad endpoints file: one line on stderr and exit 2, like any usage error."""

    exit_code = 2


def load_targets(scenario_name: str, endpoints: Path | None) -> Targets:
    scenario = load_scenario(scenario_name)
    try:
        return targets(scenario, endpoints)
    except EndpointsError as exc:
        raise EndpointsProblem(str(exc)) from None


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@click.command("export")
@click.argument("platform", type=click.Choice(["thingsboard", "nodered", "csv"]))
@click.argument("scenario", default="demo")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="folder to write the files into (created if missing)")
@click.option("--endpoints", type=click.Path(path_type=Path), default=None,
              help="endpoints.json of a running twin (serve/rehearse --out): use its live "
                   "hosts and ports instead of the scenario's")
def export_command(platform: str, scenario: str, out: Path, endpoints: Path | None) -> None:
    """Write PLATFORM configuration for every device of SCENARIO into --out.

    thingsboard: modbus.json, opcua.json and README.txt for ThingsBoard IoT Gateway 3.8;
    nodered: flows.json, a Node-RED flow (node-red-contrib-modbus) that acknowledges every
    alarm it sees; csv: points.csv, the register map of `commtwin points`.
    """
    where = load_targets(scenario, endpoints)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EndpointsProblem(f"--out {out}: cannot create: {exc.strerror}") from None
    sc = where.scenario
    if platform == "thingsboard":
        written = [
            _write(out / "modbus.json",
                   json.dumps(thingsboard.modbus_config(sc), indent=2) + "\n"),
            _write(out / "opcua.json",
                   json.dumps(thingsboard.opcua_config(where), indent=2) + "\n"),
            _write(out / "README.txt", thingsboard.readme(where)),
        ]
    elif platform == "nodered":
        written = [_write(out / "flows.json", nodered.to_json(nodered.flow(sc)))]
    else:
        written = [_write(out / "points.csv", pointlist.to_csv(pointlist.rows(sc)))]
    for path in written:
        click.echo(f"wrote {path}")
    missing = {"thingsboard": {"modbus", "opcua"}, "nodered": {"modbus"},
               "csv": {"modbus"}}[platform] - where.live
    if endpoints is not None and missing:
        # The file is fine but says nothing about this protocol (e.g. served --protocol opcua).
        click.echo(f"note: {endpoints} lists no {' or '.join(sorted(missing))} endpoint; "
                   f"those addresses are the scenario's", err=True)
    if any(g.port == 0 for g in sc.gateways):
        click.echo("note: some ports are 0 (any free port); export again with --endpoints "
                   "from the running twin", err=True)
