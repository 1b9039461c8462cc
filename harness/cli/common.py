"""What every command needs: loading a scenario by name or path, with command-line overrides,
and turning a scenario error into one line instead of a traceback."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

from scenarios import Scenario, ScenarioError, bundled_names, load, resolve


def load_scenario(name: str, duration: float | None = None, speed: float | None = None,
                  seed: int | None = None) -> Scenario:
    try:
        scenario = load(name)
    except ScenarioError as exc:
        raise click.ClickException(str(exc)) from None
    run = scenario.run
    updates = {k: v for k, v in (("duration_s", duration), ("speed", speed), ("seed", seed))
               if v is not None}
    if updates:
        if updates.get("speed", 1.0) < 1.0 or updates.get("duration_s", 1.0) <= 0:
            raise click.BadParameter("speed must be >= 1 and duration > 0")
        scenario = scenario.model_copy(update={"run": run.model_copy(update=updates)})
    return scenario


def scenario_ref(name: str) -> str:
    """What `report` needs to load the scenario again: a bundled name or an absolute path."""
    return name if name in bundled_names() else str(Path(name).resolve())


def scenario_sha256(name: str) -> str:
    """SHA-256 of the scenario file's bytes (`sha256sum FILE` gives the same)."""
    return hashlib.sha256(resolve(name).read_bytes()).hexdigest()
