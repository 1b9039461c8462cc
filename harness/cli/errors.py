"""How a command refuses bad input: one line, exit status 2 (click's status for a usage error),
never a traceback. Shared by every command that loads a scenario or takes numbers for one."""

from __future__ import annotations

import click
from pydantic import ValidationError

from scenarios import ScenarioError
from scenarios.errors import Problem


class BadInput(click.ClickException):
    """A scenario, profile or option value the command cannot use."""

    exit_code = 2


def scenario_error(exc: ScenarioError) -> BadInput:
    """The error's first problem and how many more, as one line."""
    return BadInput(exc.one_line())


def option_error(exc: ValidationError, source: str = "<command line>") -> BadInput:
    """A pydantic error from validating command-line overrides, as a scenario-style line."""
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    return BadInput(Problem(f"run.{loc}", first.get("input"), first["msg"].lower())
                    .describe(source))
