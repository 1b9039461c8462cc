"""Loading a scenario: TOML text -> validated, frozen `Scenario`, or one `ScenarioError`.

`load("demo")` finds a bundled scenario by name; `load("path/to/site.toml")` reads a file.
Schema errors from pydantic and cross-reference errors found here are reported the same way:
file, field path, value, rule.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scenarios.errors import Problem, ScenarioError
from scenarios.model import INCIDENT_DEVICE_KIND, Scenario

_BUNDLED = "data"


def bundled_names() -> list[str]:
    """Names of the scenarios shipped inside the package (usable as `load(name)`)."""
    folder = resources.files("scenarios").joinpath(_BUNDLED)
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))


def resolve(name_or_path: str | Path) -> Path:
    """A bundled scenario's file for a bare name, else the path itself."""
    text = str(name_or_path)
    if not text.endswith(".toml") and "/" not in text and text in bundled_names():
        return Path(str(resources.files("scenarios").joinpath(_BUNDLED, text + ".toml")))
    return Path(text)


def load(name_or_path: str | Path) -> Scenario:
    """Read, parse and validate a scenario; raise `ScenarioError` naming what is wrong."""
    path = resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        names = ", ".join(bundled_names())
        raise ScenarioError(str(path), [Problem("<file>", str(path),
                                                f"cannot be read ({exc.strerror}); "
                                                f"bundled scenarios: {names}")]) from None
    return loads(text, file=path.name)


def loads(text: str, file: str = "<string>") -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, [Problem("<toml>", None, f"not valid TOML: {exc}")]) from None
    return from_dict(data, file=file)


def from_dict(data: dict[str, Any], file: str = "<dict>") -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(file, [_problem(err) for err in exc.errors()]) from None
    problems = validate(scenario)
    if problems:
        raise ScenarioError(file, problems)
    return scenario


def format_path(loc: tuple[int | str, ...]) -> str:
    """('devices', 3, 'floor') -> 'devices[3].floor'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"


def _problem(err: Any) -> Problem:
    # pydantic adds the tag of a union member to loc (e.g. 'tuple[float, float]'); drop those
    # so the path is the one the user wrote.
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
    value = err.get("input")
    if err["type"] == "missing":
        value = None
    return Problem(format_path(loc), value, err["msg"].lower())


def validate(s: Scenario) -> list[Problem]:
    """Cross-reference rules that a field-by-field schema cannot express."""
    problems: list[Problem] = []
    buildings = s.buildings()
    gateways = {g.id for g in s.gateways}
    devices = {d.id: d for d in s.devices}

    _duplicates(problems, "gateways", [g.id for g in s.gateways])
    _duplicates(problems, "devices", [d.id for d in s.devices])
    _duplicates(problems, "site.compounds", [c.id for c in s.site.compounds])
    all_buildings = [(f"site.compounds[{i}].buildings[{j}]", b.id)
                     for i, c in enumerate(s.site.compounds) for j, b in enumerate(c.buildings)]
    seen: set[str] = set()
    for path, bid in all_buildings:
        if bid in seen:
            problems.append(Problem(f"{path}.id", bid, "building ids must be unique"))
        seen.add(bid)
    ports = Counter((g.host, g.port) for g in s.gateways if g.port)
    for i, g in enumerate(s.gateways):
        if g.port and ports[(g.host, g.port)] > 1:
            problems.append(Problem(f"gateways[{i}].port", g.port,
                                    "two gateways cannot share a host and port"))

    units: dict[tuple[str, int], str] = {}
    for i, d in enumerate(s.devices):
        if d.building is not None and d.building not in buildings:
            problems.append(Problem(f"devices[{i}].building", d.building,
                                    f"no such building (known: {', '.join(sorted(buildings))})"))
        if d.gateway not in gateways:
            problems.append(Problem(f"devices[{i}].gateway", d.gateway,
                                    f"no such gateway (known: {', '.join(sorted(gateways))})"))
        key = (d.gateway, d.unit)
        if key in units:
            problems.append(Problem(f"devices[{i}].unit", d.unit,
                                    f"unit id already used on gateway {d.gateway!r} "
                                    f"by device {units[key]!r}"))
        units.setdefault(key, d.id)
        if d.building is not None and d.building in buildings:
            floors = buildings[d.building].floors
            if d.floor > floors:
                problems.append(Problem(f"devices[{i}].floor", d.floor,
                                        f"building {d.building!r} has {floors} floors"))

    for i, inc in enumerate(s.incidents.scripted):
        want = INCIDENT_DEVICE_KIND[inc.kind]
        target = devices.get(inc.target)
        if target is None:
            problems.append(Problem(f"incidents.scripted[{i}].target", inc.target,
                                    "no such device"))
        elif target.kind != want:
            problems.append(Problem(f"incidents.scripted[{i}].target", inc.target,
                                    f"a {inc.kind} needs a {want}, this is a {target.kind}"))
        if inc.at > s.run.duration_s:
            problems.append(Problem(f"incidents.scripted[{i}].at", inc.at,
                                    f"must be <= run.duration_s ({s.run.duration_s})"))
    for kind, rate in s.incidents.rates_per_hour.items():
        if rate < 0:
            problems.append(Problem(f"incidents.rates_per_hour.{kind}", rate, "must be >= 0"))
        elif rate > 0 and not any(d.kind == INCIDENT_DEVICE_KIND[kind] for d in s.devices):
            problems.append(Problem(f"incidents.rates_per_hour.{kind}", rate,
                                    f"no {INCIDENT_DEVICE_KIND[kind]} to carry it"))
    for kind, secs in s.incidents.clear_after_s.items():
        if secs <= 0:
            problems.append(Problem(f"incidents.clear_after_s.{kind}", secs, "must be > 0"))
    return problems


def _duplicates(problems: list[Problem], path: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            problems.append(Problem(f"{path}[{i}].id", ident, "ids must be unique"))
        seen.add(ident)
