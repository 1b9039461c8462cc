"""The acceptance rules as data: the indicator catalogue and the tier profiles.

`catalogue.toml` lists the 28 indicators of the Shandong table (group, names, definition, the
standard text, how each is verified, which incident kinds exercise it, and its criteria);
`profiles/{basic,growth,benchmark}.toml` give each tier's thresholds. A scenario picks a profile
in `[acceptance]` and may override single thresholds. Both files are validated like scenarios:
an error names the file, the field path, the value and the rule.
"""

from __future__ import annotations

import re
from collections.abc import Container
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from scenarios.base import Frozen
from scenarios.errors import Problem, ScenarioError, format_path
from scenarios.files import parse, read_text
from scenarios.model import Acceptance

Method = Literal["G", "L", "D", "M", "E"]
TIERS = ("basic", "growth", "benchmark")


class Criterion(Frozen):
    measure: str = Field(min_length=1, description="a measurement key, e.g. geometry.mobile_5g")
    op: Literal[">=", "<="]
    threshold: str = Field(min_length=1, description="a key of the profile's thresholds")
    label: str = ""
    #: Set: judged only in runs that measure it, and then in place of the criterion of the same
    #: indicator measuring `instead_of` (a virtual run's on-site probability over replications
    #: instead of its slowest call).
    instead_of: str = ""


def judged(criteria: tuple[Criterion, ...], measured: Container[str]) -> tuple[Criterion, ...]:
    """The criteria a run is held to: an alternative only when its measurement is there, and
    then not the criterion it replaces."""
    present = [c for c in criteria if not c.instead_of or c.measure in measured]
    replaced = {c.instead_of for c in present if c.instead_of}
    return tuple(c for c in present if c.measure not in replaced)


class Indicator(Frozen):
    number: int = Field(ge=1, le=99)
    group: str
    name_zh: str
    name_en: str
    definition: str
    standard_zh: str
    standard_en: str
    method: tuple[Method, ...] = Field(min_length=1)
    exercised_by: tuple[str, ...] = ()
    criteria: tuple[Criterion, ...] = ()

    @property
    def needs_evidence(self) -> bool:
        """Part of it can only be shown by documents: never 'met' by the twin alone."""
        return "E" in self.method


class Catalogue(Frozen):
    indicator: tuple[Indicator, ...] = Field(min_length=1)


class Profile(Frozen):
    tier: str
    name_zh: str
    thresholds: dict[str, float]

    def with_overrides(self, overrides: dict[str, float]) -> Profile:
        return self.model_copy(update={"thresholds": {**self.thresholds, **overrides}})


def _read(path: Path, text: str | None = None) -> dict[str, object]:
    return parse(text if text is not None else read_text(path), path.name)


def _errors(file: str, exc: ValidationError) -> ScenarioError:
    # A missing field's or a table rule's input is the whole enclosing table: never shown.
    return ScenarioError(file, [Problem(format_path(tuple(e["loc"])),
                                        None if e["type"] == "missing"
                                        or isinstance(e.get("input"), dict) else e.get("input"),
                                        e["msg"].lower()) for e in exc.errors()])


def _bundled(*parts: str) -> Path:
    return Path(str(resources.files("scenarios").joinpath("data", "acceptance", *parts)))


__all__ = ["TIERS", "Acceptance", "Catalogue", "Criterion", "Indicator", "Profile", "judged",
           "load_catalogue", "load_profile", "standard_text"]


def load_catalogue(path: Path | None = None) -> Catalogue:
    path = path or _bundled("catalogue.toml")
    try:
        cat = Catalogue.model_validate(_read(path))
    except ValidationError as exc:
        raise _errors(path.name, exc) from None
    seen: set[int] = set()
    for i, ind in enumerate(cat.indicator):
        if ind.number in seen:
            raise ScenarioError(path.name, [Problem(f"indicator[{i}].number", ind.number,
                                                    "indicator numbers must be unique")])
        seen.add(ind.number)
        measures = {c.measure for c in ind.criteria}
        for j, c in enumerate(ind.criteria):
            if c.instead_of and (c.instead_of == c.measure or c.instead_of not in measures):
                raise ScenarioError(path.name, [Problem(
                    f"indicator[{i}].criteria[{j}].instead_of", c.instead_of,
                    "must be the measure of another criterion of the same indicator")])
    return cat


def load_profile(name_or_path: str, catalogue: Catalogue | None = None) -> Profile:
    """A bundled tier by name, or a profile file; every threshold the catalogue names must exist."""
    path = _bundled("profiles", f"{name_or_path}.toml") if name_or_path in TIERS \
        else Path(name_or_path)
    try:
        profile = Profile.model_validate(_read(path))
    except ValidationError as exc:
        raise _errors(path.name, exc) from None
    catalogue = catalogue or load_catalogue()
    problems = [Problem(f"thresholds.{c.threshold}", None,
                        f"missing: indicator {ind.number} needs it")
                for ind in catalogue.indicator for c in ind.criteria
                if c.threshold not in profile.thresholds]
    if problems:
        raise ScenarioError(path.name, problems)
    return profile


_FIELD = re.compile(r"\{(\w+):(%|d|min)\}")


def standard_text(template: str, profile: Profile) -> str:
    """Fill `{key:%}`, `{key:d}` and `{key:min}` with the profile's thresholds."""
    def fill(m: re.Match[str]) -> str:
        value = profile.thresholds.get(m.group(1))
        if value is None:
            return m.group(0)
        if m.group(2) == "%":
            return f"{value * 100:g}%"
        if m.group(2) == "min":
            return f"{value / 60:g}"
        return f"{value:g}"
    return _FIELD.sub(fill, template)
