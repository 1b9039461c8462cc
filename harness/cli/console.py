"""What a person sees in the terminal: the live progress display and the results table."""

from __future__ import annotations

import resource
import sys
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from harness.contract import Endpoint
from harness.evidence import MISSED_LEGEND, STATUS_ZH, KindStats
from scenarios import Scenario

# Off a terminal (CI logs, pipes) rich would wrap tables at 80 columns; give them room.
console = Console(width=None if sys.stdout.isatty() else 120)


def progress_display() -> Progress:
    """Each task gives `sim` (how far) and `incidents` (a count), and `counts` what it counts
    ("incidents"; a virtual run's replications count emergency calls)."""
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(),
        TextColumn("{task.fields[sim]}"),
        TextColumn("{task.fields[counts]} {task.fields[incidents]}"),
        TimeElapsedColumn(), console=console, transient=False)


def startup_line(marks: list[tuple[str, float]], ready_at: float) -> str:
    """"ready in 9.6 s (world 0.3 s, modbus 0.3 s, opcua 9.0 s); peak RSS 750 MB": `marks` are
    (face starting, monotonic time), the first ("", t0) when the run began building."""
    ends = [t for _, t in marks[1:]] + [ready_at]
    total = ready_at - marks[0][1]
    digits = 2 if total < 10 else 1  # a small community is ready in hundredths
    parts = [f"{name or 'world'} {end - t:.{digits}f} s"
             for (name, t), end in zip(marks, ends, strict=True)]
    return (f"ready in {total:.{digits}f} s ({', '.join(parts)}); "
            f"peak RSS {peak_rss_mb():,.0f} MB")


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def not_met_lines(doc: dict[str, Any]) -> list[str]:
    """One line per indicator not met or needing evidence: its figure and first evidence."""
    out = []
    for ind in doc["indicators"]:
        if ind["status"] not in ("not_met", "needs_evidence"):
            continue
        crit = next((c for c in ind["criteria"] if c["ok"] is False), None) or next(
            (c for c in ind["criteria"] if c["ok"] is None), None)
        figure = f"{crit['label']}: {crit['value_text']} (needs {crit['op']} " \
                 f"{crit['threshold_text']})" if crit else "; ".join(ind["notes"])
        first = f" — {crit['evidence'][0]}" if crit and crit["evidence"] else ""
        style = "red" if ind["status"] == "not_met" else "yellow"
        out.append(f"  [{style}]{ind['number']:>2} {ind['name_en']}[/]: {figure}{first}")
    return out


def estimate_lines(doc: dict[str, Any]) -> list[str]:
    """One line per figure estimated over replications (a virtual run's on-site probability):
    the estimate, its interval and what it rests on — a model, never met."""
    out = []
    for ind in doc["indicators"]:
        for c in ind["criteria"]:
            if "CI" not in c["value_text"]:
                continue
            outcome = {True: "holds", False: "fails", None: "not judged"}[c["ok"]]
            out.append(f"  [cyan]{ind['number']:>2} {ind['name_en']}[/]: {c['label']}: "
                       f"{c['value_text']}, needs {c['op']} {c['threshold_text']}: {outcome} "
                       f"({c['basis']}, {c['basis_note']})")
    return out


def waiting_line(scenario: Scenario, endpoints: list[Endpoint], until_stopped: bool) -> str:
    """What an integrator needs to hear once the twin listens: where, and when it ends."""
    where = ", ".join(e.url for e in endpoints if e.face != "http")
    run = scenario.run
    schedule = (f"incidents follow the scenario's schedule for {run.duration_s:,.0f} simulated s "
                f"(at {run.speed:g}x: {run.duration_s / run.speed / 60:,.1f} min)")
    ending = ("then the twin keeps serving until Ctrl-C, which writes the report"
              if until_stopped else
              f"and the run ends {run.drain_s:,.0f} s later; Ctrl-C writes the report sooner")
    return f"[bold]waiting for your platform at {where}[/]; {schedule}, {ending}"


def endpoints_table(endpoints: list[Endpoint]) -> Table:
    table = Table(title="Endpoints")
    for col in ("face", "name", "address", "what a client needs"):
        table.add_column(col)
    for e in endpoints:
        table.add_row(e.face, e.name, e.url, e.describe())
    return table
