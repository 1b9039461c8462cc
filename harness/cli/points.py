"""`commtwin points`: the register map of every device, for whoever configures the platform."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from harness.cli.export import load_targets
from harness.contract import pointlist


@click.command()
@click.argument("scenario", default="demo")
@click.option("--format", "fmt", type=click.Choice(["csv", "md"]), default="csv",
              show_default=True)
@click.option("--endpoints", type=click.Path(path_type=Path), default=None,
              help="endpoints.json of a running twin (serve/rehearse --out): show its live "
                   "hosts and ports instead of the scenario's")
def points(scenario: str, fmt: str, endpoints: Path | None) -> None:
    """Print the register map of every device of SCENARIO."""
    rows = pointlist.rows(load_targets(scenario, endpoints).scenario)
    sys.stdout.write(pointlist.to_csv(rows) if fmt == "csv" else pointlist.to_markdown(rows))
