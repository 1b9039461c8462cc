"""Loading a scenario: TOML text -> validated, frozen `Scenario`, or one `ScenarioError`.

`load("demo")` finds a bundled scenario by name; `load("path/to/site.toml")` reads a file.
Schema errors from pydantic and cross-reference errors found here are reported the same way:
file, field path, value, rule. A scenario file is untrusted input: `scenarios.files` bounds its
size, encoding and nesting before the schema sees it, and the checks here make sure every
polygon is valid and every id usable as an OPC UA NodeId, so no file ends in a traceback.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from shapely.geometry import Polygon
from shapely.validation import explain_validity

from scenarios.acceptance import TIERS, load_profile
from scenarios.errors import Problem, ScenarioError, format_path
from scenarios.files import parse, read_text
from scenarios.model import INCIDENT_DEVICE_KIND, MAX_SITE_SIDE_M, Scenario
from scenarios.opcua import inline_password_warning

_BUNDLED = "data"
#: Longest fibre run of a PON, km (ITU-T G.984.6 extended logical reach).
MAX_FIBRE_KM = 60.0


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
    text = read_text(path, f"; bundled scenarios: {', '.join(bundled_names())}")
    return loads(text, file=path.name, base_dir=path.parent)


def loads(text: str, file: str = "<string>", base_dir: Path | None = None) -> Scenario:
    return from_dict(parse(text, file), file=file, base_dir=base_dir)


def from_dict(data: dict[str, Any], file: str = "<dict>",
              base_dir: Path | None = None) -> Scenario:
    """`base_dir`: what relative paths in the file (`password_file`) are relative to."""
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ScenarioError(file, [_problem(err) for err in exc.errors()]) from None
    problems = validate(scenario)
    if problems:
        raise ScenarioError(file, problems)
    inline_password_warning(scenario.opcua, file)
    return scenario


def _problem(err: Any) -> Problem:
    # pydantic adds the tag of a union member to loc (e.g. 'tuple[float, float]'); drop those
    # so the path is the one the user wrote.
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
    value = err.get("input")
    if err["type"] == "missing" or isinstance(value, dict):
        # pydantic gives the whole enclosing table as the input of a missing field or of a
        # table-level rule: it says nothing the path does not, and could carry anything.
        value = None
    return Problem(format_path(loc), value, err["msg"].lower())


def validate(s: Scenario) -> list[Problem]:
    """Cross-reference rules that a field-by-field schema cannot express."""
    problems: list[Problem] = []
    buildings = s.buildings()
    gateways = {g.id for g in s.gateways}
    devices = {d.id: d for d in s.devices}

    # Devices and gateways share one namespace (a fault's `target` names either), and so do
    # compounds and buildings (places; OPC UA folder paths are built from both).
    _duplicates(problems, "gateways", [g.id for g in s.gateways])
    _duplicates(problems, "devices", [d.id for d in s.devices], taken=gateways,
                what="ids must be unique across devices and gateways")
    _duplicates(problems, "site.compounds", [c.id for c in s.site.compounds])
    all_buildings = [(f"site.compounds[{i}].buildings[{j}]", b.id)
                     for i, c in enumerate(s.site.compounds) for j, b in enumerate(c.buildings)]
    seen: set[str] = {c.id for c in s.site.compounds}
    for path, bid in all_buildings:
        if bid in seen:
            problems.append(Problem(f"{path}.id", bid,
                                    "building ids must be unique, also across compounds"))
        seen.add(bid)
    names: set[str] = set()
    for i, user in enumerate(s.opcua.users):
        if user.name in names:
            problems.append(Problem(f"opcua.users[{i}].name", user.name,
                                    "user names must be unique"))
        names.add(user.name)
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
        if rate > 0 and not any(d.kind == INCIDENT_DEVICE_KIND[kind] for d in s.devices):
            problems.append(Problem(f"incidents.rates_per_hour.{kind}", rate,
                                    f"no {INCIDENT_DEVICE_KIND[kind]} to carry it"))
    problems.extend(_geometry_problems(s))
    problems.extend(_site_feature_problems(s))
    problems.extend(_device_catalogue_problems(s))
    problems.extend(_acceptance_problems(s))
    return problems


def _duplicates(problems: list[Problem], path: str, ids: list[str],
                taken: set[str] | frozenset[str] = frozenset(),
                what: str = "ids must be unique") -> None:
    seen: set[str] = set(taken)
    for i, ident in enumerate(ids):
        if ident in seen:
            problems.append(Problem(f"{path}[{i}].id", ident, what))
        seen.add(ident)


#: Fields of any site feature that hold a polygon (an empty one means "not given").
_POLYGON_FIELDS = ("footprint", "boundary", "polygon")


def _polygon_problem(path: str, points: tuple[tuple[float, float], ...]) -> Problem | None:
    if len(points) < 3:
        return Problem(path, list(points), "a polygon needs >= 3 points")
    poly = Polygon(points)
    if not poly.is_valid:
        return Problem(path, list(points), f"not a valid polygon: {explain_validity(poly)}")
    if poly.area <= 0:
        return Problem(path, list(points), "a polygon must enclose an area")
    return None


def _geometry_problems(s: Scenario) -> list[Problem]:
    """Every polygon valid with an area (coverage, shadows and walking need real polygons),
    and a site small enough that its coverage raster stays bounded."""
    problems: list[Problem] = []
    polygons: list[tuple[str, tuple[tuple[float, float], ...]]] = [
        ("site.boundary", s.site.boundary)]
    for i, c in enumerate(s.site.compounds):
        polygons.append((f"site.compounds[{i}].boundary", c.boundary))
        polygons.extend((f"site.compounds[{i}].buildings[{j}].footprint", b.footprint)
                        for j, b in enumerate(c.buildings))
    # Site features are walked generically: any feature type with a polygon field is checked,
    # including ones added to `scenarios.site_features` later.
    for name in type(s.site).model_fields:
        items = getattr(s.site, name)
        if name == "compounds" or not isinstance(items, tuple):
            continue
        for i, item in enumerate(items):
            for field in _POLYGON_FIELDS:
                points = getattr(item, field, None)
                if isinstance(points, tuple) and points:
                    polygons.append((f"site.{name}[{i}].{field}", points))
    for path, points in polygons:
        problem = _polygon_problem(path, points)
        if problem is not None:
            problems.append(problem)
    xs = [x for x, _ in s.site.boundary]
    ys = [y for _, y in s.site.boundary]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    if max(width, height) > MAX_SITE_SIDE_M:
        problems.append(Problem("site.boundary", f"{width:.0f} m x {height:.0f} m",
                                f"bounding box must be <= {MAX_SITE_SIDE_M:.0f} m a side"))
    return problems


def _site_feature_problems(s: Scenario) -> list[Problem]:
    """Cross-references of the coverage features (`scenarios.site_features`)."""
    from scenarios.site_features import NR_RB

    problems: list[Problem] = []
    site = s.site
    buildings = s.buildings()
    known = ", ".join(sorted(buildings))
    for name in ("key_locations", "public_areas", "paths", "olts", "splitters", "fiber_drops",
                 "cell_sites", "cameras", "fire_detectors", "lights", "sports_grounds",
                 "book_corners"):
        _duplicates(problems, f"site.{name}", [f.id for f in getattr(site, name)])

    def floor_of(path: str, building: str, floor: int) -> None:
        if building not in buildings:
            problems.append(Problem(f"{path}.building", building,
                                    f"no such building (known: {known})"))
        elif floor > buildings[building].floors:
            problems.append(Problem(f"{path}.floor", floor,
                                    f"building {building!r} has {buildings[building].floors} "
                                    "floors"))

    for i, k in enumerate(site.key_locations):
        if k.kind in ("main_road", "fire_lane") and len(k.points) < 2:
            problems.append(Problem(f"site.key_locations[{i}].points", list(k.points),
                                    f"a {k.kind} is a polyline: give >= 2 points"))
    for i, a in enumerate(site.public_areas):
        floor_of(f"site.public_areas[{i}]", a.building, a.floor)
    for i, d in enumerate(site.fire_detectors):
        floor_of(f"site.fire_detectors[{i}]", d.building, d.floor)

    ports: set[str] = set()
    for i, olt in enumerate(site.olts):
        _duplicates(problems, f"site.olts[{i}].ports", [p.id for p in olt.ports])
        ports.update(f"{olt.id}/{p.id}" for p in olt.ports)
    splitters = {sp.id: sp for sp in site.splitters}
    for i, sp in enumerate(site.splitters):
        if sp.feed not in ports and sp.feed not in splitters:
            problems.append(Problem(f"site.splitters[{i}].feed", sp.feed,
                                    "must be an OLT port as 'olt/port' or a splitter id "
                                    f"(ports: {', '.join(sorted(ports)) or 'none'})"))
            continue
        seen, cur = {sp.id}, sp.feed
        while cur in splitters:  # walk up the cascade: it must end at an OLT port
            if cur in seen:
                problems.append(Problem(f"site.splitters[{i}].feed", sp.feed,
                                        "splitters feed each other in a loop"))
                break
            seen.add(cur)
            cur = splitters[cur].feed
    # Fibre lengths: `scenarios.site_features` bounds them below only; nothing in a PON
    # reaches past 60 km (ITU-T G.984.6 logical reach), so a longer one is a typo.
    for i, sp in enumerate(site.splitters):
        if sp.feeder_km > MAX_FIBRE_KM:
            problems.append(Problem(f"site.splitters[{i}].feeder_km", sp.feeder_km,
                                    f"must be <= {MAX_FIBRE_KM:g} km (PON reach)"))
    for i, dr in enumerate(site.fiber_drops):
        if dr.drop_km > MAX_FIBRE_KM:
            problems.append(Problem(f"site.fiber_drops[{i}].drop_km", dr.drop_km,
                                    f"must be <= {MAX_FIBRE_KM:g} km (PON reach)"))
    per_building: Counter[str] = Counter()
    for i, dr in enumerate(site.fiber_drops):
        if dr.splitter not in splitters:
            problems.append(Problem(f"site.fiber_drops[{i}].splitter", dr.splitter,
                                    "no such splitter"))
        if dr.building not in buildings:
            problems.append(Problem(f"site.fiber_drops[{i}].building", dr.building,
                                    f"no such building (known: {known})"))
            continue
        per_building[dr.building] += dr.households
        if per_building[dr.building] > buildings[dr.building].households:
            problems.append(Problem(f"site.fiber_drops[{i}].households", dr.households,
                                    f"drops to {dr.building!r} now serve "
                                    f"{per_building[dr.building]} households, it has "
                                    f"{buildings[dr.building].households}"))
    for i, c in enumerate(site.cell_sites):
        if (c.scs_khz, c.bandwidth_mhz) not in NR_RB:
            widths = sorted(bw for scs, bw in NR_RB if scs == c.scs_khz)
            problems.append(Problem(f"site.cell_sites[{i}].bandwidth_mhz", c.bandwidth_mhz,
                                    f"not an NR channel at {c.scs_khz} kHz SCS "
                                    f"(TS 38.101-1: {widths})"))
    for name in ("tv_services", "household_meters"):
        seen_b: set[str] = set()
        for i, item in enumerate(getattr(site, name)):
            path = f"site.{name}[{i}].building"
            if item.building not in buildings:
                problems.append(Problem(path, item.building, f"no such building (known: {known})"))
            elif item.building in seen_b:
                problems.append(Problem(path, item.building, "one entry per building"))
            seen_b.add(item.building)
    for i, m in enumerate(site.household_meters):
        b = buildings.get(m.building)
        if b is not None and m.remote_households > b.households:
            problems.append(Problem(f"site.household_meters[{i}].remote_households",
                                    m.remote_households,
                                    f"building {m.building!r} has {b.households} households"))
    return problems


#: Per-kind device parameters and the one kind each belongs to.
_KIND_PARAMS = {"ports": "ebike_charger", "areas": "fire_panel", "gb_id": "cctv_camera",
                "sensing": "perimeter_zone", "watch_floors": "throwing_camera",
                "columns": "throwing_camera"}


def _device_catalogue_problems(s: Scenario) -> list[Problem]:
    """Per-kind device parameters and the `faults` section's cross-references."""
    from scenarios.faults import DEVICE_ONLY_KINDS

    problems: list[Problem] = []
    buildings = s.buildings()
    devices = {d.id for d in s.devices}
    gateways = {g.id for g in s.gateways}
    gb_ids: set[str] = set()
    for i, d in enumerate(s.devices):
        for param in sorted(d.model_fields_set & _KIND_PARAMS.keys()):
            if _KIND_PARAMS[param] != d.kind:
                problems.append(Problem(f"devices[{i}].{param}", getattr(d, param),
                                        f"only a {_KIND_PARAMS[param]} takes {param}"))
        if d.kind == "cctv_camera" and d.gb_id is not None:
            if not d.gb_id.startswith(s.site.division_code):
                problems.append(Problem(f"devices[{i}].gb_id", d.gb_id,
                                        "must start with site.division_code "
                                        f"{s.site.division_code}"))
            if d.gb_id in gb_ids:
                problems.append(Problem(f"devices[{i}].gb_id", d.gb_id, "must be unique"))
            gb_ids.add(d.gb_id)
        if (d.kind == "throwing_camera" and d.building in buildings
                and d.watch_floors > buildings[d.building].floors):
            problems.append(Problem(f"devices[{i}].watch_floors", d.watch_floors,
                                    f"building {d.building!r} has "
                                    f"{buildings[d.building].floors} floors"))
    for i, f in enumerate(s.faults.scripted):
        path = f"faults.scripted[{i}]"
        if f.target not in devices and f.target not in gateways:
            problems.append(Problem(f"{path}.target", f.target, "no such device or gateway"))
        elif f.target in gateways and f.kind in DEVICE_ONLY_KINDS:
            problems.append(Problem(f"{path}.kind", f.kind,
                                    "distorts a device's readings: target a device"))
        if f.at > s.run.duration_s + s.run.drain_s:
            problems.append(Problem(f"{path}.at", f.at, "must be within the run"))
    kinds = {d.kind for d in s.devices}
    for i, r in enumerate(s.faults.random):
        if r.device_kind is not None and r.device_kind not in kinds:
            problems.append(Problem(f"faults.random[{i}].device_kind", r.device_kind,
                                    "no device of that kind "
                                    f"(present: {', '.join(sorted(kinds))})"))
    seen: set[str] = set()
    for i, q in enumerate(s.faults.quirks):
        if q.gateway not in gateways:
            problems.append(Problem(f"faults.quirks[{i}].gateway", q.gateway, "no such gateway"))
        elif q.gateway in seen:
            problems.append(Problem(f"faults.quirks[{i}].gateway", q.gateway,
                                    "one quirks entry per gateway"))
        seen.add(q.gateway)
    return problems


def _acceptance_problems(s: Scenario) -> list[Problem]:
    """The tier profile must exist and overrides must name its thresholds."""
    name = s.acceptance.profile
    if name not in TIERS and not name.endswith(".toml"):
        return [Problem("acceptance.profile", name,
                        f"must be one of {', '.join(TIERS)} or a .toml file")]
    if name in TIERS and not s.acceptance.overrides:
        return []
    try:
        known = load_profile(name).thresholds
    except ScenarioError as exc:
        # The path may name any file on the machine: say what is wrong with it, never what it
        # holds (its values would otherwise land in the message and in CI logs).
        first = exc.problems[0] if exc.problems else Problem("<file>", None, "invalid")
        why = first.rule if first.path.startswith("<") else (
            f"not a tier profile: {len(exc.problems)} problem(s), first at {first.path}")
        return [Problem("acceptance.profile", name, f"unusable: {why}")]
    return [Problem(f"acceptance.overrides.{key}", value,
                    f"no such threshold (known: {', '.join(sorted(known))})")
            for key, value in s.acceptance.overrides.items() if key not in known]
