"""`commtwin report`: re-render the acceptance report of a saved run."""

from __future__ import annotations

from pathlib import Path

import click

from harness import report
from harness.cli.console import console
from harness.cli.errors import scenario_error
from scenarios import ScenarioError


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
