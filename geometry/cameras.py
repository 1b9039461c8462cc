"""Video coverage of key locations: camera view sectors, DORI range, building occlusion.

A camera covers a point when the point lies in its view sector (compass heading ± HFOV/2),
within the range at which the camera still delivers the required pixel density
(EN/IEC 62676-4 DORI: range = W_px / (2 D tan(HFOV/2))), and the straight line from the camera
does not cross a building footprint. Key locations are points (entrances) or polylines (roads,
fire lanes) sampled every `spacing_m`; the indicator is the share of key points covered.
The point test is analytic (exact); the sector polygons here are for maps and areas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from geometry.shapes import (
    BoolArray,
    FloatArray,
    buildings,
    far_distance,
    sample_polyline,
    shadow,
    site_boundary,
)
from scenarios.model import Site
from scenarios.site_features import Camera

#: Pixel density each DORI level needs, px/m (EN/IEC 62676-4).
DORI_PX_PER_M: dict[str, float] = {"detect": 25.0, "observe": 62.5, "recognise": 125.0,
                                   "identify": 250.0}
#: Key-location coverage asks to see what happens there: Observe is the planning default.
DEFAULT_DENSITY = "observe"
DEFAULT_SPACING_M = 10.0

IntArray = npt.NDArray[np.int64]


def dori_range_m(width_px: float, hfov_deg: float, density: str | float) -> float:
    """Farthest distance (m) at which a camera still gives `density` px/m across its view."""
    d = DORI_PX_PER_M[density] if isinstance(density, str) else float(density)
    return float(width_px / (2.0 * d * np.tan(np.radians(hfov_deg) / 2.0)))


def bearing_deg(dx: npt.ArrayLike, dy: npt.ArrayLike) -> FloatArray:
    """Compass bearing (0 = north, 90 = east) of the vector (dx east, dy north)."""
    return np.asarray(np.degrees(np.arctan2(dx, dy)) % 360.0, dtype=float)


def off_axis_deg(bearing: npt.ArrayLike, heading: npt.ArrayLike) -> FloatArray:
    """Unsigned angle between a bearing and a camera's heading, in [0, 180]."""
    return np.asarray(np.abs((np.asarray(bearing) - np.asarray(heading) + 180.0) % 360.0
                             - 180.0), dtype=float)


@dataclass(frozen=True)
class KeyPoints:
    """Key locations sampled into points: `owner[i]` indexes `site.key_locations`."""

    xy: FloatArray
    owner: IntArray
    location_ids: tuple[str, ...]
    kinds: tuple[str, ...]


def key_points(site: Site, spacing_m: float = DEFAULT_SPACING_M) -> KeyPoints:
    parts = [sample_polyline(k.points, spacing_m) for k in site.key_locations]
    xy = np.concatenate(parts) if parts else np.empty((0, 2))
    owner = np.repeat(np.arange(len(parts)), [len(p) for p in parts]).astype(np.int64)
    return KeyPoints(xy=xy, owner=owner,
                     location_ids=tuple(k.id for k in site.key_locations),
                     kinds=tuple(k.kind for k in site.key_locations))


@dataclass(frozen=True)
class CameraCoverage:
    """Per key point: how many cameras see it, and for the unseen ones, why."""

    points: KeyPoints
    seen_by: IntArray
    reasons: tuple[str, ...]
    ranges_m: FloatArray
    density: str

    @property
    def covered(self) -> BoolArray:
        return np.asarray(self.seen_by > 0, dtype=bool)


def camera_coverage(site: Site, density: str = DEFAULT_DENSITY,
                    spacing_m: float = DEFAULT_SPACING_M,
                    cameras: tuple[Camera, ...] | None = None) -> CameraCoverage:
    """Which key points each camera covers (in sector, within DORI range, unoccluded)."""
    cams = site.cameras if cameras is None else cameras
    kp = key_points(site, spacing_m)
    n = len(kp.xy)
    ranges = np.array([dori_range_m(c.width_px, c.hfov_deg, density) for c in cams], dtype=float)
    seen = np.zeros(n, dtype=np.int64)
    if n == 0 or not cams:
        reasons = tuple("no camera in the site model" if not seen[i] else "" for i in range(n))
        return CameraCoverage(kp, seen, reasons, ranges, density)
    cam_xy = np.array([c.position for c in cams], dtype=float)
    heading = np.array([c.heading_deg for c in cams], dtype=float)
    half = np.array([c.hfov_deg / 2.0 for c in cams], dtype=float)
    # Candidate pairs from bounding boxes, then exact tests on the pairs only.
    boxes = shapely.box(cam_xy[:, 0] - ranges, cam_xy[:, 1] - ranges,
                        cam_xy[:, 0] + ranges, cam_xy[:, 1] + ranges)
    ci, pi = shapely.STRtree(shapely.points(kp.xy)).query(boxes)
    dx, dy = kp.xy[pi, 0] - cam_xy[ci, 0], kp.xy[pi, 1] - cam_xy[ci, 1]
    dist = np.hypot(dx, dy)
    in_range = dist <= ranges[ci]
    in_sector = in_range & ((off_axis_deg(bearing_deg(dx, dy), heading[ci]) <= half[ci])
                            | (dist == 0))
    visible = in_sector.copy()
    b = buildings(site)
    btree = shapely.STRtree(b.polygons)
    for c in np.unique(ci[in_sector]):
        sel = np.flatnonzero((ci == c) & in_sector)
        near = btree.query(boxes[c])
        if len(near) == 0:
            continue
        sh = shadow(tuple(cam_xy[c]), b.polygons[near], far_distance(tuple(cam_xy[c]),
                                                                     boxes[c].bounds))
        visible[sel] = ~shapely.intersects_xy(sh, kp.xy[pi[sel], 0], kp.xy[pi[sel], 1])
    np.add.at(seen, pi[visible], 1)
    reasons = _reasons(kp, seen, cams, cam_xy, ranges, ci, pi, dist, in_range, in_sector,
                       b.polygons, b.ids, density)
    for arr in (seen, ranges):
        arr.flags.writeable = False
    return CameraCoverage(kp, seen, reasons, ranges, density)


def _reasons(kp: KeyPoints, seen: IntArray, cams: tuple[Camera, ...], cam_xy: FloatArray,
             ranges: FloatArray, ci: IntArray, pi: IntArray, dist: FloatArray,
             in_range: BoolArray, in_sector: BoolArray, polys: npt.NDArray[np.object_],
             bids: tuple[str, ...], density: str) -> tuple[str, ...]:
    """Why each uncovered key point is uncovered (empty string for covered ones)."""
    out = [""] * len(kp.xy)
    missing = np.flatnonzero(seen == 0)
    if len(missing) == 0:
        return tuple(out)
    cam_tree = shapely.STRtree(shapely.points(cam_xy))
    btree = shapely.STRtree(polys)
    for p in missing:
        rows = np.flatnonzero(pi == p)
        sector_rows = rows[in_sector[rows]]
        range_rows = rows[in_range[rows]]
        if len(sector_rows):
            r = sector_rows[np.argmin(dist[sector_rows])]
            seg = shapely.LineString([cam_xy[ci[r]], kp.xy[p]])
            hits = [bids[j] for j in btree.query(seg, predicate="intersects")
                    if not polys[j].intersects(shapely.Point(cam_xy[ci[r]]))]
            out[p] = (f"in view of camera {cams[ci[r]].id} but occluded by building "
                      f"{', '.join(hits) or '?'}")
        elif len(range_rows):
            r = range_rows[np.argmin(dist[range_rows])]
            c = cams[ci[r]]
            brg = float(bearing_deg(kp.xy[p, 0] - c.position[0], kp.xy[p, 1] - c.position[1]))
            out[p] = (f"outside the view of camera {c.id}: at bearing {brg:.0f}°, the camera "
                      f"looks {c.heading_deg:.0f}° ± {c.hfov_deg / 2:.0f}°")
        else:
            j = int(cam_tree.query_nearest(shapely.Point(kp.xy[p]))[0])
            d = float(np.hypot(*(kp.xy[p] - cam_xy[j])))
            out[p] = (f"beyond every camera's {density} range: nearest camera {cams[j].id} is "
                      f"{d:.0f} m away, its range {ranges[j]:.0f} m")
    return tuple(out)


def view_sectors(site: Site, density: str = DEFAULT_DENSITY,
                 cameras: tuple[Camera, ...] | None = None, arc_steps: int = 24,
                 ) -> npt.NDArray[np.object_]:
    """Each camera's visible ground (sector to DORI range minus building shadows), for maps
    and areas. Polygons inscribe the arc, so they are a hair smaller than the exact sector."""
    cams = site.cameras if cameras is None else cameras
    if not cams:
        return np.empty(0, dtype=object)
    xy = np.array([c.position for c in cams], dtype=float)
    r = np.array([dori_range_m(c.width_px, c.hfov_deg, density) for c in cams])
    head = np.radians(90.0 - np.array([c.heading_deg for c in cams]))
    half = np.radians(np.array([c.hfov_deg for c in cams]) / 2.0)
    t = np.linspace(-1.0, 1.0, arc_steps + 1)
    ang = head[:, None] + half[:, None] * t[None, :]
    arc = np.stack([xy[:, None, 0] + r[:, None] * np.cos(ang),
                    xy[:, None, 1] + r[:, None] * np.sin(ang)], axis=-1)
    ring = np.concatenate([xy[:, None, :], arc], axis=1)
    sectors = np.asarray(shapely.polygons(ring), dtype=object)
    b = buildings(site)
    tree = shapely.STRtree(b.polygons)
    si, bi = tree.query(sectors, predicate="intersects")
    out = sectors.copy()
    for c in np.unique(si):
        near = b.polygons[bi[si == c]]
        sh = shadow(tuple(xy[c]), near, far_distance(tuple(xy[c]), sectors[c].bounds))
        out[c] = shapely.difference(sectors[c], sh)
    return out


def covered_ground(site: Site, density: str = DEFAULT_DENSITY,
                   cameras: tuple[Camera, ...] | None = None) -> BaseGeometry:
    """The ground some camera sees at `density`, clipped to the community boundary."""
    sectors = view_sectors(site, density, cameras)
    seen = shapely.union_all(sectors) if len(sectors) else shapely.Polygon()
    return shapely.intersection(seen, site_boundary(site))
