"""The one error type of the scenarios package.

A `ScenarioError` names the file, the field path, the offending value and the rule it broke,
so that a user can fix a scenario without reading code:
``demo.toml: site.compounds[0].buildings[2].floors = -2: must be >= 1``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place in a scenario file."""

    path: str
    value: object
    rule: str

    def describe(self, file: str) -> str:
        return f"{file}: {self.path} = {self.value!r}: {self.rule}"


class ScenarioError(ValueError):
    """A scenario file is unreadable or breaks the schema; lists every problem found."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        lines = [p.describe(file) for p in self.problems]
        head = lines[0] if lines else f"{file}: invalid scenario"
        more = "" if len(lines) <= 1 else "\n" + "\n".join(lines[1:])
        super().__init__(head + more)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p.path for p in self.problems)


def format_path(loc: tuple[int | str, ...]) -> str:
    """('devices', 3, 'floor') -> 'devices[3].floor'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"
