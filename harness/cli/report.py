"""`commtwin report` re-renders the acceptance report of a saved run (rebuilding its results
from the journal when the run died before writing them); `commtwin verify` checks the journal's
hash chain and that the report shows what the journal recorded."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from harness import report
from harness.cli.console import console
from harness.cli.errors import BadInput, scenario_error
from harness.contract.files import atomic_write_text
from harness.evidence.journal import (
    JOURNAL,
    rebuild,
    results_from_journal,
    verify_chain,
    verify_report,
)
from scenarios import ScenarioError


@click.command(name="report")
@click.argument("results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--profile", help="judge against another tier (basic, growth, benchmark) or a "
                                "profile .toml; default: the scenario's")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="where to write the report (default: RESULTS_DIR/report-<tier>)")
@click.option("--in-place", is_flag=True,
              help="overwrite the run's own report in RESULTS_DIR instead")
def report_command(results_dir: Path, profile: str | None, out: Path | None,
                   in_place: bool) -> None:
    """Re-render the acceptance report of a saved run (RESULTS_DIR/results.json).

    The run's own report stays as it was unless --in-place: the new one goes to --out."""
    results = results_dir / "results.json"
    journal = results_dir / JOURNAL
    if not results.exists():
        if not journal.exists():
            raise BadInput(f"{results_dir}: no results.json and no {JOURNAL} "
                           "(run `commtwin rehearse` or `serve` first)")
        rebuilt = rebuild(journal)
        atomic_write_text(results, json.dumps(results_from_journal(rebuilt), indent=2,
                                              ensure_ascii=False) + "\n")
        console.print(f"[yellow]{results_dir}: the run ended without writing its results; "
                      f"rebuilt {results.name} from {JOURNAL} ({len(rebuilt.lifecycles)} "
                      f"incidents{'' if rebuilt.end else ', interrupted'})[/]")
    if out is None and not in_place:
        out = results_dir / f"report-{(profile and Path(profile).stem) or 'again'}"
    try:
        paths = report.from_results(results_dir, profile, out)
    except ScenarioError as exc:
        raise scenario_error(exc) from None
    for kind, path in paths.items():
        console.print(f"{kind:>5}: {path}")


@click.command()
@click.argument("results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def verify(results_dir: Path) -> None:
    """Check RESULTS_DIR's journal chain and that its report.json matches the journal.

    Exit status 0 when both hold, 1 naming the first entry or incident that does not."""
    journal = results_dir / JOURNAL
    if not journal.exists():
        raise BadInput(f"{results_dir}: no {JOURNAL}")
    chain = verify_chain(journal)
    console.print(f"{'[green]ok[/]' if chain.ok else '[red]broken[/]'}: {chain.message}")
    if not chain.ok:
        sys.exit(1)
    report_file = results_dir / "report.json"
    if report_file.exists():
        match = verify_report(journal, report_file)
        console.print(f"{'[green]ok[/]' if match.ok else '[red]differs[/]'}: {match.message}")
        if not match.ok:
            sys.exit(1)
