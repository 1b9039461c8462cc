"""A sweep's spec (`SPEC.toml`) and the scenario variants it names.

```toml
scenario = "jiahe"        # bundled name or a .toml path (relative to the spec)
replications = 20         # seeded runs per variant: seed, seed + 1, ... (the same for every
seed = 1                  # variant: common random numbers make variants comparable)
sampling = "grid"         # every combination; "random": `samples` draws
[patch.run]               # a scenario patch applied to every variant (tables merge, the
duration_s = 7200         # rest is replaced); `commtwin place` writes patches like it
[[param]]
name = "carers"
path = "responders.teams.0.shifts.0.count"   # dotted path into the scenario, list indices
values = [1, 2, 3]                           # random sampling: values, or low/high
[[param]]
name = "5g_sites"
path = "site.cell_sites"
op = "keep_first"         # "set" (default), "keep_first" (first N items of a list) or
values = [2, 4, 6]        # "keep_where" (items whose `field` is one of the value's names)
[cost]                    # price of a layout: per camera, per 5G site, per responder on duty
camera = 3000             # in each shift of the roster, plus a fixed `base`
```

Pure functions of the spec: the same spec gives the same variants in the same order.
"""

from __future__ import annotations

import copy
import itertools
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scenarios import Scenario
from sim import stream

Value = float | int | str | bool | list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Param(_Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]+$")
    path: str = Field(min_length=1)
    op: Literal["set", "keep_first", "keep_where"] = "set"
    field: str = "purpose"
    values: tuple[Value, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _some_values(self) -> Param:
        if not self.values and (self.low is None or self.high is None):
            raise ValueError(f"param {self.name}: give values, or low and high")
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError(f"param {self.name}: high = {self.high} < low = {self.low}")
        return self


class Cost(_Strict):
    base: float = 0.0
    camera: float = 0.0
    cell_site: float = 0.0
    responder: float = 0.0
    light: float = 0.0


class Spec(_Strict):
    scenario: str
    replications: int = Field(default=10, ge=1, le=100_000)
    seed: int = Field(default=0, ge=0)
    sampling: Literal["grid", "random"] = "grid"
    samples: int = Field(default=10, ge=1, le=100_000)
    profile: str | None = None
    patch: dict[str, Any] = Field(default_factory=dict)
    param: tuple[Param, ...] = ()
    cost: Cost = Cost()

    @model_validator(mode="after")
    def _unique(self) -> Spec:
        names = [p.name for p in self.param]
        if len(set(names)) != len(names):
            raise ValueError(f"param names {names}: must be unique")
        if self.sampling == "grid" and any(not p.values for p in self.param):
            raise ValueError("grid sampling needs values for every param (low/high is for "
                             "random sampling)")
        return self


class SpecError(ValueError):
    pass


def load_spec(path: Path) -> tuple[Spec, str]:
    """The spec and its scenario reference (a bundled name, or a path resolved against the
    spec's folder)."""
    try:
        spec = Spec.model_validate(tomllib.loads(path.read_text("utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise SpecError(f"{path}: {exc}") from None
    ref = spec.scenario
    if ref.endswith(".toml") and not Path(ref).is_absolute():
        ref = str((path.parent / ref).resolve())
    return spec, ref


def label(value: Value) -> float | int | str | bool:
    """A value as one table cell (a name list becomes "a+b")."""
    return "+".join(value) if isinstance(value, list) else value


def variants(spec: Spec) -> list[dict[str, Value]]:
    """Each variant's parameter values, in a fixed order."""
    if not spec.param:
        return [{}]
    if spec.sampling == "grid":
        combos = itertools.product(*(p.values or () for p in spec.param))
        return [dict(zip((p.name for p in spec.param), c, strict=True)) for c in combos]
    rng = stream(spec.seed, "sweep/sample")
    out = []
    for _ in range(spec.samples):
        row: dict[str, Value] = {}
        for p in spec.param:
            if p.values:
                row[p.name] = p.values[int(rng.integers(len(p.values)))]
            else:
                assert p.low is not None and p.high is not None
                x = float(rng.uniform(p.low, p.high))
                row[p.name] = round(x) if p.integer else x
        out.append(row)
    return out


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`patch` over `base`: tables merge key by key, anything else is replaced."""
    out = copy.deepcopy(base)
    for k, v in patch.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else \
            copy.deepcopy(v)
    return out


def _walk(data: Any, parts: list[str], path: str) -> Any:
    for part in parts:
        try:
            data = data[int(part)] if isinstance(data, list) else data[part]
        except (KeyError, IndexError, ValueError):
            raise SpecError(f"path {path}: no {part!r} in the scenario") from None
    return data


def apply(data: dict[str, Any], param: Param, value: Value) -> None:
    """Set one parameter in the scenario data (in place)."""
    *head, last = param.path.split(".")
    parent = _walk(data, head, param.path)
    key: int | str = int(last) if isinstance(parent, list) else last
    if param.op == "set":
        if isinstance(parent, dict) or (isinstance(key, int) and key < len(parent)):
            parent[key] = value
            return
        raise SpecError(f"path {param.path}: no {last!r} in the scenario")
    items = _walk(parent, [last], param.path)
    if not isinstance(items, list):
        raise SpecError(f"path {param.path}: {param.op} needs a list")
    if param.op == "keep_first":
        kept = items[:int(value)]  # type: ignore[arg-type]
    else:
        names = set(value if isinstance(value, list) else [str(value)])
        kept = [i for i in items if str(i.get(param.field)) in names]
    parent[key] = kept


def variant_data(base: dict[str, Any], spec: Spec, values: dict[str, Value]) -> dict[str, Any]:
    data = merge(base, spec.patch)
    by_name = {p.name: p for p in spec.param}
    for name, value in values.items():
        apply(data, by_name[name], value)
    return data


def cost_of(scenario: Scenario, cost: Cost) -> float:
    """The layout's price: cameras, 5G sites, smart lights and responder posts (members on
    duty summed over the shifts of the roster), plus the base."""
    site = scenario.site
    staff = sum(s.count for t in scenario.responders.teams for s in t.shifts)
    return (cost.base + cost.camera * len(site.cameras) + cost.cell_site * len(site.cell_sites)
            + cost.light * sum(1 for li in site.lights if li.smart)
            + cost.responder * staff)


def seed_sequence(first: int, count: int) -> list[int]:
    """The seeds of `count` replications: first, first + 1, ... (a sweep's and a single virtual
    run's alike, so replication r of either is the same run)."""
    return [first + r for r in range(count)]


def replication_seeds(spec: Spec) -> list[int]:
    return seed_sequence(spec.seed, spec.replications)

