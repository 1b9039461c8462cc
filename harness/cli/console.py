"""What a person sees in the terminal: the live progress display and the results table."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from harness.contract import Endpoint
from harness.evidence import MISSED_LEGEND, STATUS_ZH, KindStats

# Off a terminal (CI logs, pipes) rich would wrap tables at 80 columns; give them room.
console = Console(width=None if sys.stdout.isatty() else 120)


def progress_display() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(),
        TextColumn("{task.fields[sim]}"), TextColumn("incidents {task.fields[incidents]}"),
        TimeElapsedColumn(), console=console, transient=False)


def _fmt(value: float | None, clock: str) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if clock == "wall" and value < 10 else f"{value:.1f} s"


def _count(n: int, style: str) -> str:
    return f"[{style}]{n}[/]" if n else "0"


def results_table(stats: list[KindStats], title: str) -> Table:
    clock = stats[0].clock if stats else "wall"
    table = Table(title=title, caption=f"latency from injection, {clock}-clock time; "
                                       f"{MISSED_LEGEND}")
    table.add_column("incident kind", no_wrap=True)
    for col in ("injected", "observed", "acked", "resolved", "missed obs/ack/res", "blind"):
        table.add_column(col, justify="right")
    for col in ("ack p50", "ack p95", "ack max"):
        table.add_column(col, justify="right")
    for s in stats:
        missed = (f"{s.missed_observed}/{s.missed_acknowledged}/{s.missed_resolved}"
                  if s.missed else "0")
        table.add_row(s.kind, str(s.injected), str(s.observed), str(s.acknowledged),
                      str(s.resolved), f"[red]{missed}[/]" if s.missed else missed,
                      _count(s.blind_acks, "red"),
                      _fmt(s.ack_p50_s, clock), _fmt(s.ack_p95_s, clock),
                      _fmt(s.ack_max_s, clock))
    if not stats:
        table.add_row("(no incidents)", *["-"] * 9)
    return table


def acceptance_line(doc: dict[str, Any]) -> str:
    """The verdict counts, with the numbers of the indicators behind each non-met count."""
    styles = {"met": "green", "not_met": "red", "needs_evidence": "yellow",
              "modelled": "cyan", "indicative": "cyan"}
    parts = []
    for status, style in styles.items():
        numbers = [str(i["number"]) for i in doc["indicators"] if i["status"] == status]
        if not numbers and status in ("modelled", "indicative"):
            continue
        which = f" ({', '.join(numbers)})" if numbers and status != "met" else ""
        parts.append(f"[{style}]{STATUS_ZH[status]} {status.replace('_', ' ')} "
                     f"{len(numbers)}{which}[/]")
    return "acceptance: " + " · ".join(parts)


def endpoints_table(endpoints: list[Endpoint]) -> Table:
    table = Table(title="Endpoints")
    for col in ("face", "name", "address", "what a client needs"):
        table.add_column(col)
    for e in endpoints:
        table.add_row(e.face, e.name, e.url, e.describe())
    return table
