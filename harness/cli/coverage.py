"""`commtwin coverage` (the geometry indicator table and its maps) and `commtwin generate`
(a synthetic community written as a scenario file)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from geometry import Coverage, CoverageParams, IndicatorResult, evaluate
from geometry.cameras import DORI_PX_PER_M
from harness.cli.errors import BadInput, scenario_error
from scenarios import ScenarioError, load
from scenarios.generate import MAX_HOUSEHOLDS, to_toml
from scenarios.generate import generate as generate_site

_STATUS = {"met": ("达标 met", "green"), "not_met": ("未达标 not met", "red"),
           "no_data": ("需人工核验 no data", "yellow")}


def _measured(r: IndicatorResult) -> str:
    if r.ratio is None:
        return "—"
    return f"{100 * r.ratio:.1f}% ({r.numerator:,.0f} / {r.denominator:,.0f})"


def render_table(cov: Coverage, console: Console, evidence_lines: int = 5) -> None:
    """The indicator table, then the first failing places of every indicator not met."""
    t = Table(title="Coverage indicators (geometry, growth tier 成长型)", show_lines=False)
    for col in ("#", "indicator", "measure", "bar", "measured", "result"):
        t.add_column(col, overflow="fold")
    for r in cov.results:
        label, colour = _STATUS[r.status]
        t.add_row(str(r.number), r.title, r.measure, f">= {100 * r.threshold:.0f}%",
                  _measured(r), f"[{colour}]{label}[/{colour}]")
    console.print(t)
    for r in cov.results:
        if r.met or not r.evidence:
            continue
        console.print(f"[bold]{r.number} {r.key}[/bold] — {r.evidence_count} failing place(s)"
                      + (f"; {r.note}" if r.note else ""))
        for e in r.evidence[:evidence_lines]:
            console.print(f"  • {e.place}: {e.reason}", highlight=False)
        if r.evidence_count > evidence_lines:
            console.print(f"  … and {r.evidence_count - evidence_lines} more (see coverage.json)")


def results_json(cov: Coverage) -> str:
    return json.dumps({"indicators": [asdict(r) for r in cov.results]}, ensure_ascii=False,
                      indent=2)


@click.command()
@click.argument("scenario")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out/coverage"), show_default=True,
              help="folder for coverage.json and the PNG maps")
@click.option("--raster-m", type=click.FloatRange(min=0.1), default=1.0, show_default=True,
              help="5G raster cell size (m)")
@click.option("--rsrp-threshold", type=float, default=-105.0, show_default=True,
              help="RSRP (dBm) from which a cell counts as covered")
@click.option("--density", type=click.Choice(sorted(DORI_PX_PER_M)), default="observe",
              show_default=True, help="DORI pixel density the key-location cameras must give")
@click.option("--no-maps", is_flag=True, help="print the table only")
def coverage(scenario: str, out_dir: Path, raster_m: float, rsrp_threshold: float,
             density: str, no_maps: bool) -> None:
    """Compute the coverage indicators of SCENARIO (a bundled name such as `demo`, or a
    .toml file), print the table and write maps."""
    try:
        s = load(scenario)
    except ScenarioError as exc:
        raise scenario_error(exc) from None
    params = CoverageParams(raster_m=raster_m, rsrp_threshold_dbm=rsrp_threshold,
                            density=density)
    cov = evaluate(s, params)
    # Piped output (CI logs, files) gets a wide table rather than rich's 80-column default.
    console = Console(width=None if sys.stdout.isatty() else 160)
    render_table(cov, console)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "coverage.json").write_text(results_json(cov), encoding="utf-8")
        if not no_maps:
            from harness.report.maps import all_maps  # matplotlib only when drawing

            for p in all_maps(cov, s, out_dir):
                console.print(f"map: {p}", highlight=False, soft_wrap=True)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out_dir}: {exc.strerror}") from None
    console.print(f"table: {out_dir / 'coverage.json'}", highlight=False, soft_wrap=True)


@click.command()
@click.option("--households", type=int, required=True,
              help=f"how many households the community has (1..{MAX_HOUSEHOLDS:,})")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="scenario file to write (.toml)")
@click.option("--no-incidents", is_flag=True,
              help="leave out the incidents (by default: jiahe's rates per household, and one "
                   "of each kind scripted)")
def generate(households: int, seed: int, out_file: Path, no_incidents: bool) -> None:
    """Write a synthetic community of N households as a loadable scenario file."""
    try:
        s = generate_site(households, seed, incidents=not no_incidents)
    except ValueError as exc:  # out of range: one line, like a bad scenario
        raise BadInput(str(exc)) from None
    text = to_toml(s, header=f"generated by: commtwin generate --households {households} "
                             f"--seed {seed}" + (" --no-incidents" if no_incidents else ""))
    try:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out_file}: {exc.strerror}") from None
    n_build = len(s.buildings())
    click.echo(f"{out_file}: {households} households in {n_build} buildings, "
               f"{len(s.site.compounds)} compounds, {len(s.devices)} devices on "
               f"{len(s.gateways)} gateways, {len(s.site.cameras)} cameras, "
               f"{sum(s.incidents.rates_per_hour.values()):.3g} incidents an hour")
