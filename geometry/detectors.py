"""Automatic fire alarm coverage of public areas, rule by rule of GB 50116-2013 §6.2.

Each public area is a room (polygon with ceiling height h, roof slope θ and correction K).
A detector belongs to the room of its building and floor whose polygon contains its position
(the first in file order when it sits on a shared wall); a detector in no room is reported and
protects nothing. Per room:
- every room needs a detector of its own (§6.2.2 item 1): a neighbour's disc never reaches
  through the wall, because protection is clipped to the room;
- a detector counts only under a ceiling it may protect (§5.2.1, table 5.2.1: smoke <= 12 m,
  heat A1 <= 8 m, A2/B <= 6 m);
- a room narrower than 3 m (short side of its minimum rotated rectangle) is a corridor and
  follows §6.2.4 alone: along its axis, consecutive detectors at most 15 m (smoke) / 10 m (heat)
  apart and the end walls at most half that from the nearest detector; a detector protects the
  band of the corridor within half the spacing of it;
- any other room follows table 6.2.2: protection area A and radius R by room area S, h and θ;
  the count rule N >= S / (K A) (formula 6.2.2; with mixed kinds, the sum of K A over the
  detectors >= S), and no point of the room farther than R from a detector (discs clipped to
  the room; the detector's own `radius_m` replaces R when given).
The covered floor space is the union of the room's discs or bands clipped to the room; the
failures name the rule and clause. Not checked: the distance to walls and beams (§6.2.5),
obstacles (§6.2.6), air vents (§6.2.8), beams (§6.2.3), detectors centred in corridors.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geometry.shapes import polygon
from scenarios.model import Site
from scenarios.site_features import (
    GB50116_CORRIDOR_SPACING_M,
    GB50116_CORRIDOR_WIDTH_M,
    GB50116_MAX_HEIGHT_M,
    GB50116_SLOPE_BANDS_DEG,
    GB50116_TABLE_6_2_2,
    FireDetector,
    PublicArea,
)

# Discs are polygons with 4 x 32 edges: the inscribed polygon loses < 0.2% of a disc's area.
_QUAD_SEGS = 32
_STD = "GB 50116-2013"


def protection(kind: str, area_m2: float, ceiling_m: float, slope_deg: float,
               ) -> tuple[float, float] | None:
    """(A m², R m) of one detector from table 6.2.2, or None when no row applies (the ceiling
    is above what the table covers)."""
    band = sum(slope_deg > edge for edge in GB50116_SLOPE_BANDS_DEG)
    for row in GB50116_TABLE_6_2_2:
        if (row.kind == kind and row.s_above_m2 < area_m2 <= row.s_upto_m2
                and row.h_above_m < ceiling_m <= row.h_upto_m):
            return row.by_slope[band]
    return None


def required_count(area_m2: float, k: float, a_m2: float) -> int:
    """N >= S / (K A), rounded up (formula 6.2.2)."""
    return max(1, math.ceil(area_m2 / (k * a_m2) - 1e-9))


def height_limit_m(d: FireDetector) -> float:
    return GB50116_MAX_HEIGHT_M["smoke" if d.kind == "smoke" else d.heat_class]


@dataclass(frozen=True)
class AreaCoverage:
    """One public area: its size, the part protected, the rule applied ("radius" or
    "corridor"), the detectors it holds, the count it needs, and each rule it fails."""

    area_id: str
    building: str
    floor: int
    area_m2: float
    covered_m2: float
    detectors: int
    uncovered: BaseGeometry
    rule: str = "radius"
    required: int = 1
    failures: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        return self.covered_m2 / self.area_m2 if self.area_m2 > 0 else 1.0

    @property
    def compliant(self) -> bool:
        return not self.failures


def assign_detectors(site: Site) -> tuple[dict[int, list[int]], tuple[int, ...]]:
    """Detector indices per public-area index (the room containing it, same building and
    floor), and the detectors in no room."""
    rooms: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, a in enumerate(site.public_areas):
        rooms[(a.building, a.floor)].append(i)
    polys = [polygon(a.polygon) for a in site.public_areas]
    out: dict[int, list[int]] = defaultdict(list)
    stray: list[int] = []
    for j, d in enumerate(site.fire_detectors):
        p = shapely.Point(d.position)
        home = next((i for i in rooms.get((d.building, d.floor), [])
                     if shapely.covers(polys[i], p)), None)
        if home is None:
            stray.append(j)
        else:
            out[home].append(j)
    return out, tuple(stray)


def _corridor_axis(room: BaseGeometry) -> tuple[np.ndarray, np.ndarray, float, float] | None:
    """(origin, unit axis, length, width) of a room narrower than the corridor limit."""
    rect = np.asarray(shapely.get_coordinates(shapely.oriented_envelope(room)))[:4]
    if len(rect) < 4:
        return None
    e1, e2 = rect[1] - rect[0], rect[3] - rect[0]
    l1, l2 = float(np.hypot(*e1)), float(np.hypot(*e2))
    (axis, length), width = ((e1, l1), l2) if l1 >= l2 else ((e2, l2), l1)
    if width >= GB50116_CORRIDOR_WIDTH_M or length <= 0:
        return None
    return rect[0], axis / length, length, width


def _corridor(a: PublicArea, room: BaseGeometry, dets: list[FireDetector],
              geom: tuple[np.ndarray, np.ndarray, float, float],
              ) -> tuple[BaseGeometry, list[str]]:
    origin, u, length, width = geom
    fails: list[str] = []
    t = np.array([float(np.dot(np.asarray(d.position) - origin, u)) for d in dets])
    order = np.argsort(t)
    t, ds = t[order], [dets[k] for k in order]
    s = [GB50116_CORRIDOR_SPACING_M[d.kind] for d in ds]
    clause = f"({_STD} §6.2.4)"
    for k in range(len(ds) - 1):
        lim = min(s[k], s[k + 1])
        if t[k + 1] - t[k] > lim + 1e-9:
            fails.append(f"spacing {t[k + 1] - t[k]:.1f} m > {lim:g} m between {ds[k].id} and "
                         f"{ds[k + 1].id} {clause}")
    for end, d, lim in ((t[0], ds[0], s[0] / 2), (length - t[-1], ds[-1], s[-1] / 2)):
        if end > lim + 1e-9:
            fails.append(f"end wall {end:.1f} m from {d.id} > {lim:g} m (half the spacing) "
                         f"{clause}")
    n = np.array([-u[1], u[0]])
    reach = width + 1.0
    bands = [shapely.Polygon([origin + (tk - sk / 2) * u - reach * n,
                              origin + (tk + sk / 2) * u - reach * n,
                              origin + (tk + sk / 2) * u + 2 * reach * n,
                              origin + (tk - sk / 2) * u + 2 * reach * n])
             for tk, sk in zip(t, s, strict=True)]
    return shapely.union_all(bands), fails


def _room(a: PublicArea, room: BaseGeometry, dets: list[FireDetector],
          ) -> tuple[BaseGeometry, list[str], int]:
    area = float(room.area)
    fails: list[str] = []
    table = [protection(d.kind, area, a.ceiling_height_m, a.roof_slope_deg) for d in dets]
    ok = [(d, ar) for d, ar in zip(dets, table, strict=True) if ar is not None]
    if not ok:
        return shapely.Polygon(), fails, 0
    kinds = {d.kind for d, _ in ok}
    a_m2 = [ar[0] for _, ar in ok]
    if len(kinds) == 1:
        need = required_count(area, a.k_factor, a_m2[0])
        if len(ok) < need:
            fails.append(f"{len(ok)} {next(iter(kinds))} detector(s) < {need} required: "
                         f"N >= S / (K A) = {area:.1f} / ({a.k_factor:g} x {a_m2[0]:g}) = "
                         f"{area / (a.k_factor * a_m2[0]):.2f} ({_STD} §6.2.2, formula 6.2.2)")
    else:
        need = len(ok)
        if a.k_factor * sum(a_m2) < area - 1e-9:
            fails.append(f"K x sum of protection areas {a.k_factor * sum(a_m2):.1f} m² < S "
                         f"{area:.1f} m² ({_STD} §6.2.2, formula 6.2.2)")
    xy = np.array([d.position for d, _ in ok], dtype=float)
    r = np.array([d.radius_m if d.radius_m is not None else ar[1] for d, ar in ok])
    discs = shapely.buffer(shapely.points(xy), r, quad_segs=_QUAD_SEGS)
    return shapely.union_all(discs), fails, need


def _one(a: PublicArea, dets: list[FireDetector], sliver_m2: float) -> AreaCoverage:
    room = polygon(a.polygon)
    area = float(room.area)
    fails: list[str] = []
    usable = []
    for d in dets:
        lim = height_limit_m(d)
        if a.ceiling_height_m > lim:
            fails.append(f"{d.id}: ceiling {a.ceiling_height_m:g} m > {lim:g} m, the limit for "
                         f"point {d.kind} detectors ({_STD} §5.2.1, table 5.2.1)")
        else:
            usable.append(d)
    geom = _corridor_axis(room)
    rule, need = ("corridor", 1) if geom is not None else ("radius", 1)
    if not usable:
        if not dets:
            fails.append(f"no detector in the room ({_STD} §6.2.2 item 1: every room needs "
                         "its own)")
        return AreaCoverage(a.id, a.building, a.floor, area, 0.0, len(dets), room, rule, need,
                            tuple(fails))
    if geom is not None:
        prot, more = _corridor(a, room, usable, geom)
    else:
        prot, more, need = _room(a, room, usable)
    covered = shapely.intersection(room, prot)
    left = shapely.difference(room, prot)
    gap = area - float(covered.area)
    fails += more
    if rule == "radius" and gap > sliver_m2:
        radii = sorted({f"{d.radius_m if d.radius_m is not None else ar[1]:g}" for d in usable
                        if (ar := protection(d.kind, area, a.ceiling_height_m,
                                             a.roof_slope_deg)) is not None})
        fails.append(f"{gap:.1f} of {area:.1f} m² farther than R = {'/'.join(radii)} m from "
                     f"every detector ({_STD} §6.2.2, table 6.2.2)")
    return AreaCoverage(a.id, a.building, a.floor, area, float(covered.area), len(dets), left,
                        rule, need, tuple(fails))


def detector_coverage(site: Site, sliver_m2: float = 0.1) -> tuple[AreaCoverage, ...]:
    """Every public area judged by GB 50116-2013 §6.2 (see the module docstring). Uncovered
    slivers under `sliver_m2` come from drawing discs as polygons and are not failures."""
    members, _ = assign_detectors(site)
    dets = site.fire_detectors
    return tuple(_one(a, [dets[j] for j in members.get(i, [])], sliver_m2)
                 for i, a in enumerate(site.public_areas))
