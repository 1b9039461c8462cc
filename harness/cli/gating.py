"""The CI side of `rehearse` and `serve`: `--fail-on`, `--baseline`, `--tolerance`, and the
exit codes a pipeline reads.

Exit codes: 0 all asked-for gates pass; 1 a gate failed; 2 bad usage or a bad scenario (click's
usage status); 130 stopped by Ctrl-C (SIGINT), 143 by SIGTERM — after the results and report of
what ran are written.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from harness.cli.errors import BadInput
from harness.evidence.gates import (
    FAMILIES,
    BaselineError,
    Gate,
    failed,
    latency_gates,
    load_baseline,
    outcome_gates,
    regression_gates,
)
from scenarios import Scenario

EXIT_GATE = 1
EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}


def parse_fail_on(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--fail-on latency,missed --fail-on regression` -> the families, checked."""
    families = tuple(f.strip() for v in values for f in v.split(",") if f.strip())
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: not a gate (choose from "
                                 f"{', '.join(FAMILIES)})", param_hint="--fail-on")
    return families


def parse_tolerance(text: str) -> float:
    """`20%` or `0.2` -> 0.2."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise click.BadParameter(f"{text!r}: give a share such as 20% or 0.2",
                                 param_hint="--tolerance") from None
    if not 0 <= value <= 10:
        raise click.BadParameter(f"{text}: must be between 0% and 1000%",
                                 param_hint="--tolerance")
    return value


@dataclass(frozen=True)
class Gating:
    """What a run is held to besides the acceptance table."""

    families: tuple[str, ...] = ()
    baseline: Path | None = None
    tolerance: float = 0.2

    def checks(self, scenario: Scenario) -> Callable[[dict[str, Any], dict[str, Any]],
                                                     list[dict[str, object]]]:
        """The function the report calls with the results and its document."""
        base = None
        if self.baseline is not None:
            try:
                base = load_baseline(self.baseline)
            except BaselineError as exc:
                raise BadInput(str(exc)) from None

        def gates(results: dict[str, Any], doc: dict[str, Any]) -> list[dict[str, object]]:
            clock = results.get("latency_clock") or "wall"
            out: list[Gate] = outcome_gates(results, doc)
            out += latency_gates(results["summary"], results["incidents"],
                                 scenario.acceptance.latency, clock)
            if base is not None:
                try:
                    out += regression_gates(results["summary"], clock, base, self.tolerance)
                except BaselineError as exc:
                    out.append(Gate("regression", "regression baseline", False, str(exc)))
            return [g.as_dict() for g in out]

        return gates

    def verdict(self, doc: dict[str, Any]) -> list[dict[str, object]]:
        """The failed gates among the families asked for."""
        gates = [Gate(**g) for g in doc.get("gates", [])]
        return [g.as_dict() for g in failed(gates, self.families)]


def gating_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--fail-on`, `--baseline` and `--tolerance`, for every command that runs the twin."""
    command = click.option(
        "--tolerance", default="20%", show_default=True,
        help="how much slower a kind's ack p95 may be than the baseline's")(command)
    command = click.option(
        "--baseline", type=click.Path(dir_okay=False, path_type=Path),
        help="a baseline saved by `commtwin baseline save`: fail on regression against it")(
        command)
    return click.option(
        "--fail-on", "fail_on", multiple=True, metavar="GATES",
        help=f"exit 1 when any of these fails (comma-separated): {', '.join(FAMILIES)}; "
             "default: none")(command)
