"""Measurements for the acceptance table from the site, the lifecycles and the inventory,
each keyed as the catalogue's criteria name them.

- `geometry.<key>`: the coverage indicators of `geometry.table` (ratio, its own verdict against
  the profile's threshold, and the failing places);
- `live.acknowledged.<kind>` (share of injected incidents acknowledged after the platform
  received them: blind acknowledgements fail it), `live.not_acknowledged.<kind>`,
  `live.resolved_max_s.<kind>` (slowest resolution, simulated s; unresolved counts as infinite;
  in a live run with responders declared each call's evidence has the responder model's
  expectation beside it), `model.onsite_share.emergency_call` (`harness.evidence.onsite`),
  `live.scenarios_exercised` (application scenarios with an incident answered end to end);
- `health.*`: device health over the run (`harness.evidence.health`);
- `inventory.compounds_with.<kind>`: share of compounds with at least one device of that kind.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import shapely

from geometry.table import Coverage, CoverageParams, Thresholds
from geometry.table import evaluate as coverage_table
from harness.evidence.judge import Basis, Measurement
from harness.evidence.onsite import Expected, expected_text
from scenarios import Scenario
from scenarios.acceptance import Catalogue, Profile
from sim import Lifecycle


def coverage_for(scenario: Scenario, profile: Profile) -> Coverage:
    """The geometry table held to the profile's thresholds."""
    return coverage_table(scenario, CoverageParams(thresholds=Thresholds.from_profile(profile)))


def from_geometry(coverage: Coverage) -> dict[str, Measurement]:
    out = {}
    for r in coverage.results:
        if r.ratio is None:
            continue
        out[f"geometry.{r.key}"] = Measurement(
            r.ratio, "ratio", r.measure,
            tuple(f"{e.place}: {e.reason}" for e in r.evidence), r.evidence_count, r.met)
    return out


@dataclass(frozen=True)
class RunBasis:
    """What a run's lifecycles can stand for: who answered the alarms, and at which speed."""

    mode: str                     # "live" or "virtual"
    speed: float = 1.0
    reference_platform: bool = False

    def answers(self) -> tuple[Basis, str]:
        """The basis of "the platform answered": the modelled platform's answers are a model."""
        if self.mode == "virtual":
            return "modelled", "answered by the modelled platform of a virtual run"
        return "measured", ""

    def on_site(self) -> tuple[Basis, str]:
        """The basis of a time limit on resolution (a responder on site, a reset)."""
        if self.mode == "virtual":
            return "modelled", "the modelled platform's responder travel and reset times"
        if self.reference_platform:
            return "modelled", "resolved by the reference platform after its own travel/reset delay"
        if self.speed != 1:
            return "indicative", f"speed {self.speed:g}: wall-clock latency scaled by the speed"
        return "measured", ""


def from_lifecycles(lifecycles: list[Lifecycle], catalogue: Catalogue, run: RunBasis,
                    expected: Mapping[str, Expected] | None = None) -> dict[str, Measurement]:
    """Per kind: the share answered (blind acknowledgements never count), the incidents never
    acknowledged, the slowest resolution; and the application scenarios exercised. `expected`
    (incident id -> the responder model's expectation in a live run) goes beside each call's
    measured time in the evidence; it never changes a figure."""
    expected = expected or {}

    def beside(lc: Lifecycle, measured: str) -> str:
        e = expected.get(lc.id)
        return f"{lc.id} on {lc.device}: {measured}" if e is None else \
            f"{lc.id} on {lc.device}: measured {measured}; {expected_text(e)}"

    out: dict[str, Measurement] = {}
    basis, note = run.answers()
    site_basis, site_note = run.on_site()
    for kind in sorted({lc.kind for lc in lifecycles}):
        group = [lc for lc in lifecycles if lc.kind == kind]
        unacked = [lc for lc in group if lc.step("acknowledged") is None]
        blind = [lc for lc in group if lc.blind_ack]
        answered = len(group) - len(unacked) - len(blind)
        out[f"live.acknowledged.{kind}"] = Measurement(
            answered / len(group), "ratio",
            f"{answered} of {len(group)} acknowledged after the platform received the alarm"
            + (f" ({len(blind)} blind)" if blind else ""),
            tuple([f"{lc.id} on {lc.device}: never acknowledged" for lc in unacked]
                  + [f"{lc.id} on {lc.device}: acknowledged blind (before the platform "
                     f"received the alarm)" for lc in blind]),
            verdict=False if blind else None, basis=basis, basis_note=note)
        out[f"live.not_acknowledged.{kind}"] = Measurement(
            len(unacked), "incidents", "never acknowledged", tuple(lc.id for lc in unacked),
            basis=basis, basis_note=note)
        resolved = [lc.latency_s("resolved") for lc in group]
        open_ = [lc for lc, t in zip(group, resolved, strict=True) if t is None]
        worst = math.inf if open_ else max(t for t in resolved if t is not None)
        slow = sorted(((t, lc) for lc, t in zip(group, resolved, strict=True) if t is not None),
                      key=lambda p: -p[0])[:5]
        out[f"live.resolved_max_s.{kind}"] = Measurement(
            worst, "s", "slowest injection-to-resolution, simulated seconds",
            tuple([beside(lc, "never resolved") for lc in open_]
                  + [beside(lc, f"{t:.0f} s") for t, lc in slow]),
            basis=site_basis, basis_note=site_note)
    answered_kinds = {lc.kind for lc in lifecycles
                      if lc.step("acknowledged") is not None and not lc.blind_ack}
    scenarios = [ind for ind in catalogue.indicator
                 if "L" in ind.method and answered_kinds.intersection(ind.exercised_by)]
    out["live.scenarios_exercised"] = Measurement(
        len(scenarios), "scenarios", "application scenarios with an incident answered end to end",
        tuple(f"{ind.number} {ind.name_zh} {ind.name_en}" for ind in scenarios),
        basis=basis, basis_note=note)
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
