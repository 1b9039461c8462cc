"""What every command needs: loading a scenario by name or path, with command-line overrides,
and turning a scenario error into one line instead of a traceback."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import ValidationError

from harness.cli.errors import option_error, scenario_error
from scenarios import Scenario, ScenarioError, bundled_names, load, resolve


def load_scenario(name: str, duration: float | None = None, speed: float | None = None,
                  seed: int | None = None) -> Scenario:
    try:
        scenario = load(name)
    except ScenarioError as exc:
        raise scenario_error(exc) from None
    run = scenario.run
    updates = {k: v for k, v in (("duration_s", duration), ("speed", speed), ("seed", seed))
               if v is not None}
    if updates:
        # validated like the file's own values: `--duration inf` would otherwise run for ever
        try:
            run = type(run).model_validate({**run.model_dump(), **updates})
        except ValidationError as exc:
            raise option_error(exc) from None
        scenario = scenario.model_copy(update={"run": run})
    return scenario


def scenario_ref(name: str) -> str:
    """What `report` needs to load the scenario again: a bundled name or an absolute path."""
    return name if name in bundled_names() else str(Path(name).resolve())


def scenario_sha256(name: str) -> str:
    """SHA-256 of the scenario file's bytes (`sha256sum FILE` gives the same)."""
    return hashlib.sha256(resolve(name).read_bytes()).hexdigest()
