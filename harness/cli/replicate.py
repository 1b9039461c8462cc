"""One seeded virtual replication of a scenario variant -> one row of the sweep table.

Runs on a Dask worker (or in-process for a serial sweep): the same function, the same row.
A row holds the variant's parameters, the seed, every indicator's figure (its first
criterion's value) and verdict, the emergency calls' on-site figures and the latency
statistics of all incidents, in simulated seconds. No wall-clock figure enters a row, so a
table depends on the spec and the seeds only, never on the workers.

The geometry indicators do not depend on the seed: each worker process computes them once per
variant and keeps them (`_VARIANTS`, the last few variants), with the validated scenario.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from harness.cli.variants import Spec, Value, cost_of, label, variant_data
from harness.evidence import collect
from harness.evidence.health import from_health
from harness.evidence.judge import Measurement, Verdict, evaluate
from harness.evidence.onsite import on_site_times, within
from scenarios import Scenario, from_dict
from scenarios.acceptance import Catalogue, Profile, load_catalogue, load_profile
from sim import Lifecycle, World

#: On-site limit of indicator 10 when the profile sets none, simulated s (15 minutes).
ONSITE_LIMIT_S = 900.0
STEPS = ("observed", "acknowledged", "resolved")


@dataclass(frozen=True)
class _Variant:
    scenario: Scenario
    catalogue: Catalogue
    profile: Profile
    fixed: dict[str, Measurement]  # geometry and inventory: the same for every seed
    cost: float


#: Variants a worker keeps validated, with their geometry (the scheduler may interleave them).
KEEP_VARIANTS = 8
_VARIANTS: dict[str, _Variant] = {}


def _variant(base: dict[str, Any], spec: Spec, values: dict[str, Value]) -> _Variant:
    key = hashlib.sha256(json.dumps([spec.model_dump(mode="json"), values], sort_keys=True,
                                    default=str).encode()).hexdigest()
    if key not in _VARIANTS:
        scenario = from_dict(variant_data(base, spec, values), f"variant {values}")
        catalogue = load_catalogue()
        profile = load_profile(spec.profile or scenario.acceptance.profile, catalogue)
        if spec.profile is None:
            profile = profile.with_overrides(scenario.acceptance.overrides)
        coverage = collect.coverage_for(scenario, profile)
        fixed = {**collect.from_geometry(coverage), **collect.from_inventory(scenario)}
        if len(_VARIANTS) >= KEEP_VARIANTS:
            _VARIANTS.pop(next(iter(_VARIANTS)))  # the oldest
        _VARIANTS[key] = _Variant(scenario, catalogue, profile, fixed,
                                  cost_of(scenario, spec.cost))
    return _VARIANTS[key]


def holds(v: Verdict) -> bool:
    """Met, or modelled/indicative with every criterion holding (a prediction that it is met)."""
    if v.status == "met":
        return True
    return v.status in ("modelled", "indicative") and all(r.ok for r in v.criteria)


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else math.nan


def latency_columns(lifecycles: list[Lifecycle]) -> dict[str, float | int]:
    out: dict[str, float | int] = {"incidents": len(lifecycles),
                                   "missed": sum(1 for lc in lifecycles if lc.missed)}
    for step in STEPS:
        got = [t for lc in lifecycles if (t := lc.latency_s(step)) is not None]
        out[f"{step}_p50_s"] = _pct(got, 50)
        out[f"{step}_p95_s"] = _pct(got, 95)
        out[f"{step}_max_s"] = max(got) if got else math.nan
    return out


def onsite_columns(lifecycles: list[Lifecycle], limit_s: float) -> dict[str, float | int]:
    """Emergency calls: how many, how many on site within the limit, and their on-site times
    (an unresolved call counts as never on site: infinite)."""
    t = on_site_times(lifecycles)
    finite = [x for x in t if math.isfinite(x)]
    return {"calls": len(t), "onsite_within": within(t, limit_s),
            "onsite_mean_s": float(np.mean(finite)) if finite else math.nan,
            "onsite_p95_s": _pct(finite, 95), "onsite_max_s": max(t) if t else math.nan}


def virtual_run(scenario: Scenario, seed: int) -> tuple[World, list[Lifecycle]]:
    """One seeded replication: the world with the modelled platform, run to its end."""
    world = World(scenario, seed=seed, modelled_platform=True)
    world.run_virtual()
    return world, world.lifecycles()


def replicate(base: dict[str, Any], spec: Spec, variant: int, values: dict[str, Value],
              replication: int, seed: int) -> dict[str, Any]:
    v = _variant(base, spec, values)
    world, lifecycles = virtual_run(v.scenario, seed)
    basis = collect.RunBasis("virtual", v.scenario.run.speed)
    measured = {**v.fixed, **collect.from_lifecycles(lifecycles, v.catalogue, basis),
                **from_health(world, None)}
    verdicts = evaluate(v.catalogue, v.profile, measured)
    row: dict[str, Any] = {"variant": variant, "replication": replication, "seed": seed}
    row |= {f"p.{k}": label(x) for k, x in values.items()}
    row["cost"] = v.cost
    row["holding"] = sum(1 for x in verdicts if holds(x))
    for x in verdicts:
        n = x.indicator.number
        first = x.criteria[0].value if x.criteria else None
        row[f"i{n}.status"] = x.status
        row[f"i{n}.figure"] = math.nan if first is None else float(first)
        row[f"i{n}.holds"] = holds(x)
    limit = float(v.profile.thresholds.get("elderly_response_s", ONSITE_LIMIT_S))
    row |= onsite_columns(lifecycles, limit)
    row |= latency_columns(lifecycles)
    return row


def run_chunk(base: dict[str, Any], spec_json: str, variant: int, values: dict[str, Value],
              replications: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """A task: several replications (index, seed) of one variant."""
    spec = Spec.model_validate_json(spec_json)
    return [replicate(base, spec, variant, values, r, s) for r, s in replications]
