"""`commtwin baseline save RESULTS_DIR FILE`: record a run's latencies as the baseline later runs
are held to (`--baseline FILE --tolerance 20% --fail-on regression`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from harness.cli.console import console
from harness.cli.errors import BadInput
from harness.evidence.gates import baseline_from_results


@click.group()
def baseline() -> None:
    """Latency baselines for CI regression gates."""


@baseline.command(name="save")
@click.argument("results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def save(results_dir: Path, file: Path) -> None:
    """Save RESULTS_DIR/results.json's per-kind ack p95 and unacknowledged counts to FILE."""
    try:
        results = json.loads((results_dir / "results.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"{results_dir}: no readable results.json ({exc})") from None
    data = baseline_from_results(results)
    if not data["kinds"]:
        raise BadInput(f"{results_dir}: the run had no incidents: nothing to hold later runs to")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    kinds = ", ".join(f"{k} p95 {v['ack_p95_s']:.3f} s" if v["ack_p95_s"] is not None
                      else f"{k} (never acknowledged)" for k, v in data["kinds"].items())
    console.print(f"baseline of {data['scenario']} ({data['clock']} clock) written to {file}: "
                  f"{kinds}")
