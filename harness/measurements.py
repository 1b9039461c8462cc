"""Measurements for the acceptance table, each keyed as the catalogue's criteria name them.

- `geometry.<key>`: the coverage indicators of `geometry.table` (ratio, its own verdict against
  the profile's threshold, and the failing places);
- `live.acknowledged.<kind>` (share of injected incidents acknowledged), `live.missed.<kind>`,
  `live.resolved_max_s.<kind>` (slowest resolution, simulated s; unresolved counts as infinite),
  `live.scenarios_exercised` (application scenarios with an incident answered end to end);
- `health.camera_online` / `health.camera_image` (time-weighted over the run, from the trace),
  `health.camera_intact` (cameras online with an image at the end), `health.meters_read`
  (meters the platform read at least once; live runs only);
- `inventory.compounds_with.<kind>`: share of compounds with at least one device of that kind.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict

import shapely

from geometry.table import Coverage, CoverageParams, Thresholds
from geometry.table import evaluate as coverage_table
from harness.acceptance import Measurement
from scenarios import Scenario
from scenarios.acceptance import Catalogue, Profile
from sim import Lifecycle, World

METERS = ("electricity_meter", "water_meter", "gas_meter")


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


def _time_share(world: World, device_ids: Iterable[str], point: str) -> float | None:
    """Time-weighted share of (device x run time) during which a bool point was true."""
    end = world.env.now
    ids = list(device_ids)
    if not ids or end <= 0:
        return None
    changes: dict[str, list[tuple[float, bool]]] = {i: [] for i in ids}
    for r in world.trace.records:
        if r.kind == "point" and r.name == point and r.subject in changes:
            changes[r.subject].append((r.t_s, bool(r.value)))
    total = 0.0
    for dev_id in ids:
        steps = changes[dev_id]
        # the value before the first change is its opposite; with no change, it is today's
        value = (not steps[0][1]) if steps else bool(world.read(dev_id, point))
        t_prev = 0.0
        for t, v in steps:
            total += (t - t_prev) * value
            t_prev, value = t, v
        total += (end - t_prev) * value
    return total / (end * len(ids))


def from_health(world: World, meters_read: set[str] | None) -> dict[str, Measurement]:
    out: dict[str, Measurement] = {}
    cams = [d for d in world.devices.values() if d.KIND == "cctv_camera"]
    if cams:
        ids = [d.id for d in cams]
        for key, point in (("camera_online", "online"), ("camera_image", "image_ok")):
            share = _time_share(world, ids, point)
            if share is not None:
                out[f"health.{key}"] = Measurement(share, "ratio", f"time-weighted '{point}'")
        broken = [d.id for d in cams if not (d.read("online") and d.read("image_ok"))]
        out["health.camera_intact"] = Measurement(
            1 - len(broken) / len(cams), "ratio", "online with an image at the end of the run",
            tuple(f"{b}: offline or no image" for b in broken))
    meters = [d.id for d in world.devices.values() if d.KIND in METERS]
    if meters and meters_read is not None:
        unread = sorted(set(meters) - meters_read)
        out["health.meters_read"] = Measurement(
            1 - len(unread) / len(meters), "ratio", "meters the platform read at least once",
            tuple(f"{m}: never read" for m in unread))
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


def to_json(measurements: dict[str, Measurement]) -> dict[str, dict[str, object]]:
    return {k: {**asdict(m), "value": None if math.isinf(m.value) else m.value,
                "infinite": math.isinf(m.value), "evidence": list(m.evidence)}
            for k, m in sorted(measurements.items())}


def from_json(data: dict[str, dict[str, object]]) -> dict[str, Measurement]:
    out = {}
    for k, v in data.items():
        value = math.inf if v.get("infinite") else float(v["value"])  # type: ignore[arg-type]
        out[k] = Measurement(value, str(v["unit"]), str(v["source"]),
                             tuple(v["evidence"]),  # type: ignore[arg-type]
                             int(v["evidence_total"]),  # type: ignore[call-overload]
                             v["verdict"])  # type: ignore[arg-type]
    return out
