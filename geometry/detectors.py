"""Automatic fire alarm coverage: public areas of residential buildings inside detector discs.

GB 50116-2013: a detector protects a disc of radius R on its floor (smoke 5.8 m, heat 3.6 m
unless the detector says otherwise). The covered part of a public area is the union of the
discs of detectors on the same building and floor, clipped to the area; the indicator is
covered floor space over all public floor space.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geometry.shapes import polygon
from scenarios.model import Site
from scenarios.site_features import DETECTOR_RADIUS_M

# Discs are polygons with 4 x 32 edges: the inscribed polygon loses < 0.2% of a disc's area.
_QUAD_SEGS = 32


@dataclass(frozen=True)
class AreaCoverage:
    """One public area: its size, the part inside detector discs, and what is left out."""

    area_id: str
    building: str
    floor: int
    area_m2: float
    covered_m2: float
    detectors: int
    uncovered: BaseGeometry

    @property
    def share(self) -> float:
        return self.covered_m2 / self.area_m2 if self.area_m2 > 0 else 1.0


def detector_coverage(site: Site, radius_m: dict[str, float] | None = None,
                      ) -> tuple[AreaCoverage, ...]:
    """Covered floor space of every public area (detectors of its building and floor)."""
    radii = DETECTOR_RADIUS_M if radius_m is None else radius_m
    by_floor: dict[tuple[str, int], list[int]] = defaultdict(list)
    dets = site.fire_detectors
    for i, d in enumerate(dets):
        by_floor[(d.building, d.floor)].append(i)
    if dets:
        xy = np.array([d.position for d in dets], dtype=float)
        r = np.array([d.radius_m if d.radius_m is not None else radii[d.kind] for d in dets])
        discs = np.asarray(shapely.buffer(shapely.points(xy), r, quad_segs=_QUAD_SEGS),
                           dtype=object)
    out: list[AreaCoverage] = []
    for a in site.public_areas:
        area = polygon(a.polygon)
        members = by_floor.get((a.building, a.floor), [])
        if members:
            union = shapely.union_all(discs[members])
            covered = shapely.intersection(area, union)
            left = shapely.difference(area, union)
        else:
            covered, left = shapely.Polygon(), area
        out.append(AreaCoverage(area_id=a.id, building=a.building, floor=a.floor,
                                area_m2=float(area.area), covered_m2=float(covered.area),
                                detectors=len(members), uncovered=left))
    return tuple(out)
