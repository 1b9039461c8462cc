"""`commtwin points`: the register map of every device, for whoever configures the platform."""

from __future__ import annotations

import sys

import click

from harness.cli.common import load_scenario
from harness.contract import pointlist


@click.command()
@click.argument("scenario", default="demo")
@click.option("--format", "fmt", type=click.Choice(["csv", "md"]), default="csv",
              show_default=True)
def points(scenario: str, fmt: str) -> None:
    """Print the register map of every device of SCENARIO."""
    rows = pointlist.rows(load_scenario(scenario))
    sys.stdout.write(pointlist.to_csv(rows) if fmt == "csv" else pointlist.to_markdown(rows))
