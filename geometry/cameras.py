"""Video coverage of key locations in 3-D: camera frustum, DORI range, building occlusion.

A camera at (x, y, mounting height) with compass heading ψ and tilt τ (elevation of the optical
axis, up positive) covers a target point at the key location's target height (1.6 m faces by
default, 0.5 m plates where the scenario says) when
- the point lies inside the camera's rectilinear frustum: in the camera frame (right, up,
  forward), forward > 0, |atan(right/forward)| <= HFOV/2 and |atan(up/forward)| <= VFOV/2 —
  so a point right under a pole-top camera tilted 30° down (60° off its axis) is not seen;
- its slant (3-D) distance is within the range at which the camera still delivers the DORI
  pixel density the place asks (EN/IEC 62676-4: range = W_px / (2 D tan(HFOV/2)); Observe
  62.5 px/m unless the key location or the run asks for another level);
- the sight line passes through no building prism (`geometry.sightline`: footprint x floors x
  storey height). A camera inside a footprint below its roof is taken to be mounted on the
  nearest wall, looking out: its own building blocks every line into it.
Key locations are points (entrances) or polylines (roads, fire lanes) sampled every
`spacing_m`; the indicator is the share of key points covered. Maps of what each camera sees
are in `geometry.camera_views`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from geometry.shapes import BoolArray, Buildings, FloatArray, IntArray, buildings, sample_polyline
from geometry.sightline import blocked_lines, building_heights_m
from scenarios.model import Site
from scenarios.site_features import Camera

#: Pixel density each DORI level needs, px/m (EN/IEC 62676-4).
DORI_PX_PER_M: dict[str, float] = {"detect": 25.0, "observe": 62.5, "recognise": 125.0,
                                   "identify": 250.0}
#: Key-location coverage asks to see what happens there: Observe is the planning default.
DEFAULT_DENSITY = "observe"
DEFAULT_SPACING_M = 10.0


def dori_range_m(width_px: float, hfov_deg: float, density: str | float) -> float:
    """Farthest distance (m) at which a camera still gives `density` px/m across its view."""
    return float(dori_ranges_m(np.array([width_px], dtype=float),
                               np.array([hfov_deg], dtype=float), density)[0])


def dori_ranges_m(width_px: FloatArray, hfov_deg: FloatArray, density: str | float | FloatArray,
                  ) -> FloatArray:
    """`dori_range_m` over arrays (density a level name, px/m, or px/m per element)."""
    d = DORI_PX_PER_M[density] if isinstance(density, str) else density
    return np.asarray(width_px / (2.0 * np.asarray(d, dtype=float)
                                  * np.tan(np.radians(hfov_deg) / 2.0)), dtype=float)


def bearing_deg(dx: npt.ArrayLike, dy: npt.ArrayLike) -> FloatArray:
    """Compass bearing (0 = north, 90 = east) of the vector (dx east, dy north)."""
    return np.asarray(np.degrees(np.arctan2(dx, dy)) % 360.0, dtype=float)


def off_axis_deg(bearing: npt.ArrayLike, heading: npt.ArrayLike) -> FloatArray:
    """Unsigned angle between a bearing and a camera's heading, in [0, 180]."""
    return np.asarray(np.abs((np.asarray(bearing) - np.asarray(heading) + 180.0) % 360.0
                             - 180.0), dtype=float)


def camera_frame(heading_deg: npt.ArrayLike, tilt_deg: npt.ArrayLike, dx: npt.ArrayLike,
                 dy: npt.ArrayLike, dz: npt.ArrayLike) -> tuple[FloatArray, FloatArray,
                                                                FloatArray]:
    """The vector (dx east, dy north, dz up) in a camera's frame: (right, up, forward)."""
    psi, tau = np.radians(heading_deg), np.radians(tilt_deg)
    sp, cp, st, ct = np.sin(psi), np.cos(psi), np.sin(tau), np.cos(tau)
    dx, dy, dz = (np.asarray(v, dtype=float) for v in (dx, dy, dz))
    forward = dx * sp * ct + dy * cp * ct + dz * st
    right = dx * cp - dy * sp
    up = -dx * sp * st - dy * cp * st + dz * ct
    return (np.asarray(right, dtype=float), np.asarray(up, dtype=float),
            np.asarray(forward, dtype=float))


def in_view(heading_deg: npt.ArrayLike, tilt_deg: npt.ArrayLike, hfov_deg: npt.ArrayLike,
            vfov_deg: npt.ArrayLike, dx: npt.ArrayLike, dy: npt.ArrayLike, dz: npt.ArrayLike,
            ) -> tuple[BoolArray, BoolArray]:
    """(inside the horizontal field, inside the vertical field) of the camera frustum."""
    right, up, fwd = camera_frame(heading_deg, tilt_deg, dx, dy, dz)
    ahead = fwd > 0
    h = ahead & (np.abs(np.arctan2(right, fwd)) <= np.radians(hfov_deg) / 2.0 + 1e-12)
    v = ahead & (np.abs(np.arctan2(up, fwd)) <= np.radians(vfov_deg) / 2.0 + 1e-12)
    return np.asarray(h, dtype=bool), np.asarray(v, dtype=bool)


@dataclass(frozen=True)
class KeyPoints:
    """Key locations sampled into points: `owner[i]` indexes `site.key_locations`; each point
    carries its target height (m) and the DORI level it needs."""

    xy: FloatArray
    owner: IntArray
    location_ids: tuple[str, ...]
    kinds: tuple[str, ...]
    target_z_m: FloatArray
    density: tuple[str, ...]


def key_points(site: Site, spacing_m: float = DEFAULT_SPACING_M,
               density: str = DEFAULT_DENSITY) -> KeyPoints:
    parts = [sample_polyline(k.points, spacing_m) for k in site.key_locations]
    xy = np.concatenate(parts) if parts else np.empty((0, 2))
    owner = np.repeat(np.arange(len(parts)), [len(p) for p in parts]).astype(np.int64)
    z = np.array([k.target_height_m for k in site.key_locations], dtype=float)
    levels = [k.dori_level or density for k in site.key_locations]
    return KeyPoints(xy=xy, owner=owner,
                     location_ids=tuple(k.id for k in site.key_locations),
                     kinds=tuple(k.kind for k in site.key_locations),
                     target_z_m=z[owner] if len(owner) else np.empty(0),
                     density=tuple(levels[o] for o in owner))


@dataclass(frozen=True)
class CameraCoverage:
    """Per key point: how many cameras see it, and for the unseen ones, why. `ranges_m` is each
    camera's slant range at the run's density."""

    points: KeyPoints
    seen_by: IntArray
    reasons: tuple[str, ...]
    ranges_m: FloatArray
    density: str

    @property
    def covered(self) -> BoolArray:
        return np.asarray(self.seen_by > 0, dtype=bool)


def mounted_xy(cams: tuple[Camera, ...], b: Buildings, heights_m: FloatArray) -> FloatArray:
    """Camera positions, with a camera inside a footprint below its roof moved onto the nearest
    wall of it (a camera is mounted on the outside of a wall; coordinates a little inside the
    footprint name that wall)."""
    xy = np.array([c.position for c in cams], dtype=float).reshape(-1, 2)
    if not len(cams) or not len(b.polygons):
        return xy
    pts = shapely.points(xy)
    ci, bi = shapely.STRtree(b.polygons).query(pts, predicate="within")
    z = np.array([c.height_m for c in cams], dtype=float)
    under = z[ci] < heights_m[bi]
    ci, bi = ci[under], bi[under]
    if len(ci):
        rings = shapely.get_exterior_ring(b.polygons[bi])
        on_wall = shapely.line_interpolate_point(rings, shapely.line_locate_point(rings, pts[ci]))
        xy[ci] = shapely.get_coordinates(on_wall)
    return xy


def camera_coverage(site: Site, density: str = DEFAULT_DENSITY,
                    spacing_m: float = DEFAULT_SPACING_M,
                    cameras: tuple[Camera, ...] | None = None) -> CameraCoverage:
    """Which key points each camera covers (in the frustum, within DORI range, unoccluded)."""
    cams = site.cameras if cameras is None else cameras
    kp = key_points(site, spacing_m, density)
    n = len(kp.xy)
    width = np.array([c.width_px for c in cams], dtype=float)
    hfov = np.array([c.hfov_deg for c in cams], dtype=float)
    ranges = dori_ranges_m(width, hfov, density)
    seen = np.zeros(n, dtype=np.int64)
    if n == 0 or not cams:
        reasons = tuple("no camera in the site model" for _ in range(n))
        return CameraCoverage(kp, seen, reasons, ranges, density)
    b = buildings(site)
    heights = building_heights_m(b, site.coverage.storey_height_m)
    cam_xy = mounted_xy(cams, b, heights)
    cam_z = np.array([c.height_m for c in cams], dtype=float)
    heading = np.array([c.heading_deg for c in cams], dtype=float)
    tilt = np.array([c.tilt_deg for c in cams], dtype=float)
    vfov = np.array([c.vfov_deg for c in cams], dtype=float)
    px_per_m = np.array([DORI_PX_PER_M[d] for d in kp.density])
    # Candidate pairs from bounding boxes at the loosest density any point asks, then exact
    # tests on the pairs only.
    reach = dori_ranges_m(width, hfov, float(px_per_m.min()))
    boxes = shapely.box(cam_xy[:, 0] - reach, cam_xy[:, 1] - reach,
                        cam_xy[:, 0] + reach, cam_xy[:, 1] + reach)
    ci, pi = shapely.STRtree(shapely.points(kp.xy)).query(boxes)
    dx, dy = kp.xy[pi, 0] - cam_xy[ci, 0], kp.xy[pi, 1] - cam_xy[ci, 1]
    dz = kp.target_z_m[pi] - cam_z[ci]
    slant = np.sqrt(dx * dx + dy * dy + dz * dz)
    in_range = slant <= dori_ranges_m(width[ci], hfov[ci], px_per_m[pi])
    in_h, in_v = in_view(heading[ci], tilt[ci], hfov[ci], vfov[ci], dx, dy, dz)
    at_camera = slant == 0.0
    in_frustum = in_range & ((in_h & in_v) | at_camera)
    visible = in_frustum.copy()
    sel = np.flatnonzero(in_frustum)
    bl = blocked_lines(cam_xy[ci[sel]], cam_z[ci[sel]], kp.xy[pi[sel]], kp.target_z_m[pi[sel]],
                       b, heights)
    visible[sel[bl.blocked]] = False
    blocker = np.full(len(ci), -1, dtype=np.int64)
    blocker[sel] = bl.by
    np.add.at(seen, pi[visible], 1)
    stage = (in_range.astype(np.int8) + (in_range & in_h) + in_frustum)
    reasons = _reasons(kp, seen, cams, cam_xy, cam_z, ci, pi, slant, stage, blocker, b,
                       heights, width, hfov, px_per_m)
    for arr in (seen, ranges):
        arr.flags.writeable = False
    return CameraCoverage(kp, seen, reasons, ranges, density)


def _reasons(kp: KeyPoints, seen: IntArray, cams: tuple[Camera, ...], cam_xy: FloatArray,
             cam_z: FloatArray, ci: IntArray, pi: IntArray, slant: FloatArray,
             stage: npt.NDArray[np.int8], blocker: IntArray, b: Buildings,
             heights: FloatArray, width: FloatArray, hfov: FloatArray,
             px_per_m: FloatArray) -> tuple[str, ...]:
    """Why each uncovered key point is uncovered (empty string for covered ones). `stage` per
    pair: 0 out of range, 1 in range, 2 also in the horizontal field, 3 in the frustum too (so
    unseen only because a building blocks the line). The camera that got farthest explains."""
    out = [""] * len(kp.xy)
    missing = np.flatnonzero(seen == 0)
    if len(missing) == 0:
        return tuple(out)
    cam_tree = shapely.STRtree(shapely.points(cam_xy))
    order = np.argsort(pi, kind="stable")
    starts = np.searchsorted(pi[order], missing)
    ends = np.searchsorted(pi[order], missing, side="right")
    for p, s0, s1 in zip(missing, starts, ends, strict=True):
        rows = order[s0:s1]
        best = int(stage[rows].max()) if len(rows) else 0
        if best == 0:
            j = int(cam_tree.query_nearest(shapely.Point(kp.xy[p]))[0])
            d = float(np.hypot(*(kp.xy[p] - cam_xy[j])))
            r = dori_range_m(width[j], hfov[j], float(px_per_m[p]))
            out[p] = (f"beyond every camera's {kp.density[p]} range: nearest camera "
                      f"{cams[j].id} is {d:.0f} m away, its range {r:.0f} m")
            continue
        cand = rows[stage[rows] == best]
        r = cand[np.argmin(slant[cand])]
        c = cams[ci[r]]
        dx, dy = kp.xy[p] - cam_xy[ci[r]]
        if best == 3:
            k = int(blocker[r])
            out[p] = (f"in view of camera {c.id} but occluded by building {b.ids[k]} "
                      f"({heights[k]:.0f} m tall)" if k >= 0 else
                      f"in view of camera {c.id} but occluded")
        elif best == 2:
            dz = kp.target_z_m[p] - cam_z[ci[r]]
            elev = float(np.degrees(np.arctan2(dz, np.hypot(dx, dy))))
            out[p] = (f"outside the vertical view of camera {c.id}: the point is at "
                      f"{elev:.1f}° elevation, the camera looks {c.tilt_deg:.1f}° ± "
                      f"{c.vfov_deg / 2:.1f}°")
        else:
            brg = float(bearing_deg(dx, dy))
            out[p] = (f"outside the view of camera {c.id}: at bearing {brg:.0f}°, the camera "
                      f"looks {c.heading_deg:.0f}° ± {c.hfov_deg / 2:.0f}°")
    return tuple(out)
