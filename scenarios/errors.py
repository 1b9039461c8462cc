"""The one error type of the scenarios package.

A `ScenarioError` names the file, the field path, the offending value and the rule it broke,
so that a user can fix a scenario without reading code:
``demo.toml: site.compounds[0].buildings[2].floors = -2: must be >= 1``.

Every problem is one line of bounded length whatever the input: values are shown truncated,
line breaks escaped, secrets (any `password`) masked, and only the first problems listed. A
scenario is untrusted input, and its error may land in a CI log.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Longest value shown in a message, characters (a repr beyond it ends in '...').
MAX_VALUE_CHARS = 80
#: Longest rule text shown, characters.
MAX_RULE_CHARS = 300
#: Problems listed in a message; the rest are counted.
MAX_PROBLEMS_SHOWN = 20
#: Keys whose values never appear in a message.
SECRET_KEYS = frozenset({"password"})
MASK = "***"


def _redact(value: object, depth: int = 0) -> object:
    """`value` with every secret masked (a model-level error carries its whole table)."""
    if depth > 8:  # shown truncated anyway; bounded work on hostile nesting
        return "..."
    if isinstance(value, dict):
        return {k: MASK if k in SECRET_KEYS else _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v, depth + 1) for v in value[:10]]
    return value


def _clip(text: str, limit: int) -> str:
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def shown_value(path: str, value: object) -> str:
    """The value as a message shows it: masked if secret, one line, at most 80 characters."""
    last = path.rsplit(".", 1)[-1]
    if last in SECRET_KEYS:
        return MASK
    return _clip(repr(_redact(value)), MAX_VALUE_CHARS)


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place in a scenario file."""

    path: str
    value: object
    rule: str

    def describe(self, file: str) -> str:
        return (f"{_clip(file, MAX_VALUE_CHARS)}: {_clip(self.path, MAX_VALUE_CHARS)} = "
                f"{shown_value(self.path, self.value)}: {_clip(self.rule, MAX_RULE_CHARS)}")


class ScenarioError(ValueError):
    """A scenario file is unreadable or breaks the schema; lists every problem found."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        lines = [p.describe(file) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"{_clip(file, MAX_VALUE_CHARS)}: ... and "
                         f"{len(self.problems) - MAX_PROBLEMS_SHOWN} more problems")
        head = lines[0] if lines else f"{file}: invalid scenario"
        more = "" if len(lines) <= 1 else "\n" + "\n".join(lines[1:])
        super().__init__(head + more)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p.path for p in self.problems)

    def one_line(self) -> str:
        """The first problem, then where the others are: a command line's single error line."""
        first = str(self).split("\n", 1)[0]
        rest = [_clip(p, MAX_VALUE_CHARS) for p in self.paths[1:]]
        if not rest:
            return first
        where = ", ".join(rest[:5]) + (", ..." if len(rest) > 5 else "")
        return f"{first} (and {len(rest)} more: {where})"


def format_path(loc: tuple[int | str, ...]) -> str:
    """('devices', 3, 'floor') -> 'devices[3].floor'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"
