"""What each camera sees of the plane at a target height, as polygons for maps and areas.

The 3-D model of `geometry.cameras` drawn on the plane z = target height: the camera frustum
cut by that plane (four half-planes: the sides of the image rectangle), within the horizontal
reach sqrt(R² - Δz²) of the DORI slant range R, minus the shadows of the buildings tall enough
to block (`geometry.shapes.shadow_edges` with finite shadows behind buildings the camera looks
over). Polygons inscribe arcs, so they are a hair smaller than the exact regions; the point
test of `geometry.cameras` is the exact one.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from geometry.cameras import DEFAULT_DENSITY, dori_range_m, mounted_xy
from geometry.shapes import buildings, far_distance, shadow, site_boundary
from geometry.sightline import building_heights_m
from scenarios.model import Site
from scenarios.site_features import Camera, KeyLocation

#: Face height, the schema's default target height of a key location, m.
FACE_HEIGHT_M: float = KeyLocation.model_fields["target_height_m"].default


def _half_plane(alpha: float, beta: float, gamma: float, cx: float, cy: float,
                size_m: float) -> BaseGeometry:
    """{(x, y): alpha (x - cx) + beta (y - cy) + gamma >= 0}, cut to a square of `size_m`."""
    norm = float(np.hypot(alpha, beta))
    if norm < 1e-12:
        big = shapely.box(cx - size_m, cy - size_m, cx + size_m, cy + size_m)
        return big if gamma >= 0 else shapely.Polygon()
    n = np.array([alpha, beta]) / norm
    t = np.array([-n[1], n[0]])
    p0 = np.array([cx, cy]) - gamma / norm * n
    ring = [p0 - size_m * t, p0 + size_m * t, p0 + size_m * t + 2 * size_m * n,
            p0 - size_m * t + 2 * size_m * n]
    return shapely.Polygon(ring)


def frustum_footprint(cam: Camera, xy: tuple[float, float], reach_m: float,
                      target_z_m: float) -> BaseGeometry:
    """The part of the plane z = target_z_m inside the camera's frustum and slant reach."""
    dz = target_z_m - cam.height_m
    if reach_m <= abs(dz):
        return shapely.Polygon()
    r_h = float(np.sqrt(reach_m**2 - dz**2))
    cx, cy = xy
    region = shapely.Point(cx, cy).buffer(r_h, quad_segs=16)
    psi, tau = np.radians(cam.heading_deg), np.radians(cam.tilt_deg)
    sp, cp, st, ct = np.sin(psi), np.cos(psi), np.sin(tau), np.cos(tau)
    th, tv = np.tan(np.radians(cam.hfov_deg) / 2), np.tan(np.radians(cam.vfov_deg) / 2)
    # forward, right and up of (dx, dy, dz) as (coefficient of dx, of dy, constant).
    fwd = (sp * ct, cp * ct, dz * st)
    right = (cp, -sp, 0.0)
    up = (-sp * st, -cp * st, dz * ct)
    for tan, side in ((th, right), (tv, up)):
        for sign in (1.0, -1.0):
            a, b, g = (tan * f - sign * s for f, s in zip(fwd, side, strict=True))
            region = shapely.intersection(region, _half_plane(a, b, g, cx, cy, 2 * r_h + 10))
    return region


def view_sectors(site: Site, density: str = DEFAULT_DENSITY,
                 cameras: tuple[Camera, ...] | None = None,
                 target_z_m: float = FACE_HEIGHT_M) -> npt.NDArray[np.object_]:
    """Each camera's visible part of the plane at `target_z_m` (frustum to DORI range minus
    the 3-D shadows of buildings), for maps and areas."""
    cams = site.cameras if cameras is None else cameras
    if not cams:
        return np.empty(0, dtype=object)
    b = buildings(site)
    heights = building_heights_m(b, site.coverage.storey_height_m)
    xy = mounted_xy(cams, b, heights)
    tree = shapely.STRtree(b.polygons)
    out = np.empty(len(cams), dtype=object)
    for i, c in enumerate(cams):
        reach = dori_range_m(c.width_px, c.hfov_deg, density)
        region = frustum_footprint(c, (float(xy[i, 0]), float(xy[i, 1])), reach, target_z_m)
        near = tree.query(region, predicate="intersects") if not region.is_empty else []
        # Buildings no taller than both ends of every line cannot block it.
        near = [j for j in near if heights[j] > min(c.height_m, target_z_m)]
        if near:
            h = heights[near]
            with np.errstate(divide="ignore"):
                k = np.where(c.height_m > h, (c.height_m - target_z_m) / (c.height_m - h),
                             np.inf)
            src = (float(xy[i, 0]), float(xy[i, 1]))
            sh = shadow(src, b.polygons[near], far_distance(src, region.bounds), k)
            region = shapely.difference(region, sh)
        out[i] = region
    return out


def covered_ground(site: Site, density: str = DEFAULT_DENSITY,
                   cameras: tuple[Camera, ...] | None = None) -> BaseGeometry:
    """The ground (at face height) some camera sees at `density`, clipped to the boundary."""
    sectors = view_sectors(site, density, cameras)
    seen = shapely.union_all(sectors) if len(sectors) else shapely.Polygon()
    return shapely.intersection(seen, site_boundary(site))
