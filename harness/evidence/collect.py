"""Measurements for the acceptance table from the site, the lifecycles and the inventory,
each keyed as the catalogue's criteria name them.

- `geometry.<key>`: the coverage indicators of `geometry.table` (ratio, its own verdict against
  the profile's threshold, and the failing places);
- `live.acknowledged.<kind>` (share of injected incidents acknowledged), `live.missed.<kind>`,
  `live.resolved_max_s.<kind>` (slowest resolution, simulated s; unresolved counts as infinite),
  `live.scenarios_exercised` (application scenarios with an incident answered end to end);
- `health.*`: device health over the run (`harness.evidence.health`);
- `inventory.compounds_with.<kind>`: share of compounds with at least one device of that kind.
"""

from __future__ import annotations

import math

import shapely

from geometry.table import Coverage, CoverageParams, Thresholds
from geometry.table import evaluate as coverage_table
from harness.evidence.judge import Measurement
from scenarios import Scenario
from scenarios.acceptance import Catalogue, Profile
from sim import Lifecycle


def coverage_for(scenario: Scenario, profile: Profile) -> Coverage:
    """The geometry table held to the profile's thresholds."""
    names = set(Thresholds.__dataclass_fields__)
    th = Thresholds(**{k: v for k, v in profile.thresholds.items() if k in names})
    return coverage_table(scenario, CoverageParams(thresholds=th))


def from_geometry(coverage: Coverage) -> dict[str, Measurement]:
    out = {}
    for r in coverage.results:
        if r.ratio is None:
            continue
        out[f"geometry.{r.key}"] = Measurement(
            r.ratio, "ratio", r.measure,
            tuple(f"{e.place}: {e.reason}" for e in r.evidence), r.evidence_count, r.met)
    return out


def from_lifecycles(lifecycles: list[Lifecycle], catalogue: Catalogue) -> dict[str, Measurement]:
    out: dict[str, Measurement] = {}
    kinds = sorted({lc.kind for lc in lifecycles})
    for kind in kinds:
        group = [lc for lc in lifecycles if lc.kind == kind]
        unacked = [lc for lc in group if lc.step("acknowledged") is None]
        out[f"live.acknowledged.{kind}"] = Measurement(
            (len(group) - len(unacked)) / len(group), "ratio",
            f"{len(group) - len(unacked)} of {len(group)} acknowledged",
            tuple(f"{lc.id} on {lc.device}: never acknowledged" for lc in unacked))
        out[f"live.missed.{kind}"] = Measurement(len(unacked), "incidents", "never acknowledged",
                                                 tuple(lc.id for lc in unacked))
        resolved = [lc.latency_s("resolved") for lc in group]
        open_ = [lc for lc, t in zip(group, resolved, strict=True) if t is None]
        worst = math.inf if open_ else max(t for t in resolved if t is not None)
        slow = sorted(((t, lc) for lc, t in zip(group, resolved, strict=True) if t is not None),
                      key=lambda p: -p[0])[:5]
        out[f"live.resolved_max_s.{kind}"] = Measurement(
            worst, "s", "slowest injection-to-resolution, simulated seconds",
            tuple([f"{lc.id} on {lc.device}: never resolved" for lc in open_]
                  + [f"{lc.id} on {lc.device}: {t:.0f} s" for t, lc in slow]))
    answered = {lc.kind for lc in lifecycles if lc.step("acknowledged") is not None}
    scenarios = [ind for ind in catalogue.indicator
                 if "L" in ind.method and answered.intersection(ind.exercised_by)]
    out["live.scenarios_exercised"] = Measurement(
        len(scenarios), "scenarios", "application scenarios with an incident answered end to end",
        tuple(f"{ind.number} {ind.name_zh} {ind.name_en}" for ind in scenarios))
    return out


def from_inventory(scenario: Scenario) -> dict[str, Measurement]:
    compound_of = {b.id: c.id for c in scenario.site.compounds for b in c.buildings}
    compounds = [c.id for c in scenario.site.compounds]
    areas = [(c.id, shapely.Polygon(c.boundary)) for c in scenario.site.compounds]
    has: dict[str, set[str]] = {}
    for d in scenario.devices:
        # a device in a building belongs to its compound; one outside (a charger shed, a gate)
        # to the compound whose boundary holds its position
        where = compound_of.get(d.building or "") or next(
            (cid for cid, poly in areas if poly.covers(shapely.Point(d.position))), None)
        if where is not None:
            has.setdefault(d.kind, set()).add(where)
    out = {}
    for kind in sorted({d.kind for d in scenario.devices} | {"ebike_charger", "garbage_station",
                        "access_gate", "perimeter_zone", "fire_hazard_sensor",
                        "elevator_ebike_detector"}):
        with_ = has.get(kind, set())
        out[f"inventory.compounds_with.{kind}"] = Measurement(
            len(with_) / len(compounds), "ratio", f"compounds with a {kind}",
            tuple(f"compound {c}: no {kind}" for c in compounds if c not in with_))
    return out
