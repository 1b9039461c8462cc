"""What each candidate device would cover, for placement search: coverage matrices.

- Cameras: the key-location points (sampled every 10 m, each at its own target height and DORI
  level) and, per candidate camera, which points it sees — the same 3-D model as indicator 4
  (frustum, DORI range, buildings in the way). Cameras that are not for key locations (facade,
  general) stay: what they already see counts toward the target.
- 5G sites: the evaluated raster cells and, per candidate site, the cells it covers at the
  site's location reliability — the same TR 38.901 raster as indicator 2. A cell is covered by
  a set of sites exactly when one of them covers it alone (best server), so the set's coverage
  is the union of the candidates' columns.

`auto` candidates: cameras on both sides of the key locations, looking at them; 5G sites on a
square grid over the site, on roofs where the grid meets a building. Pure: numpy and shapely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from geometry.cameras import DEFAULT_DENSITY, camera_coverage, dori_range_m, key_points
from geometry.radio import DEFAULT_THRESHOLD_DBM, rsrp_raster
from geometry.shapes import buildings, site_boundary
from scenarios.model import Site
from scenarios.site_features import Camera, CellSite

BoolMatrix = npt.NDArray[np.bool_]

#: A camera for auto candidates when the site has none to copy: 4 MP, 90° x 50°, 4 m up.
DEFAULT_CAMERA = Camera(id="template", position=(0.0, 0.0), height_m=4.0, heading_deg=0.0,
                        hfov_deg=90.0, vfov_deg=50.0, tilt_deg=-10.0, width_px=2560,
                        height_px=1440, purpose="key_location")
#: A 5G site for auto candidates when the site has none to copy: 3.5 GHz, 100 MHz, 25 m UMa.
DEFAULT_CELL = CellSite(id="template", position=(0.0, 0.0), height_m=25.0, eirp_dbm=60.0,
                        frequency_ghz=3.5)


@dataclass(frozen=True)
class CoverMatrix:
    """`covers[i, j]`: candidate j covers place i; `already[i]`: covered by what stays."""

    xy: npt.NDArray[np.float64]
    covers: BoolMatrix
    already: npt.NDArray[np.bool_]
    what: str  # "key-location points" or "raster cells of res_m"
    cell_area_m2: float = 0.0


def camera_candidates(site: Site, offset_m: float | None = None, every: int = 2,
                      ) -> tuple[Camera, ...]:
    """Candidate cameras at every `every`-th key point: `offset_m` either side of a line
    looking back at the point, and 2 m beside it looking along the line both ways (a point
    location: from four sides), tilted onto the target height; the site's own key-location
    cameras come first. The model is the site's first key-location camera."""
    own = tuple(c for c in site.cameras if c.purpose == "key_location")
    t = own[0] if own else DEFAULT_CAMERA
    kp = key_points(site)
    reach = dori_range_m(t.width_px, t.hfov_deg, DEFAULT_DENSITY)
    d = offset_m if offset_m is not None else max(3.0, reach / 3.0)
    inside = buildings(site).polygons
    out = list(own)
    union = shapely.union_all(inside) if len(inside) else None
    for i in range(0, len(kp.xy), max(1, every)):
        loc = site.key_locations[int(kp.owner[i])]
        px, py = float(kp.xy[i, 0]), float(kp.xy[i, 1])
        if len(loc.points) >= 2:
            (x0, y0), (x1, y1) = loc.points[0], loc.points[-1]
            along = math.atan2(y1 - y0, x1 - x0)
            # either side, looking across; and beside the line, looking along it both ways
            spots = [(along + math.pi / 2, d, 0.0), (along - math.pi / 2, d, 0.0),
                     (along + math.pi / 2, 2.0, along), (along + math.pi / 2, 2.0,
                                                         along + math.pi)]
        else:
            spots = [(a, d, 0.0) for a in (0.0, math.pi / 2, math.pi, -math.pi / 2)]
        for k, (side, dist, look) in enumerate(spots):
            x, y = px + dist * math.cos(side), py + dist * math.sin(side)
            if union is not None and shapely.intersects_xy(union, x, y):
                continue
            if look:  # aim at a point half the range ahead along the line
                ax_, ay_ = x + reach / 2 * math.cos(look), y + reach / 2 * math.sin(look)
            else:
                ax_, ay_ = px, py
            reach_h = math.hypot(ax_ - x, ay_ - y)
            heading = math.degrees(math.atan2(ax_ - x, ay_ - y)) % 360.0
            tilt = -math.degrees(math.atan2(t.height_m - float(kp.target_z_m[i]), reach_h))
            out.append(t.model_copy(update={
                "id": f"cand-{i}-{k}", "position": (round(x, 2), round(y, 2)),
                "heading_deg": round(heading, 2) % 360.0, "tilt_deg": round(tilt, 2),
                "gb_id": "", "name": "", "latlon": None, "purpose": "key_location"}))
    return tuple(out)


def camera_matrix(site: Site, candidates: tuple[Camera, ...],
                  density: str = DEFAULT_DENSITY) -> CoverMatrix:
    keep = tuple(c for c in site.cameras if c.purpose != "key_location")
    kp = key_points(site, density=density)
    already = (camera_coverage(site, density, cameras=keep).covered if keep
               else np.zeros(len(kp.xy), dtype=bool))
    cols = [camera_coverage(site, density, cameras=(c,)).covered for c in candidates]
    covers = (np.stack(cols, axis=1) if cols else np.zeros((len(kp.xy), 0), dtype=bool))
    return CoverMatrix(kp.xy, covers, np.asarray(already, dtype=bool), "key-location points")


def cell_candidates(site: Site, spacing_m: float = 100.0) -> tuple[CellSite, ...]:
    """The site's own 5G sites, then one on a square grid every `spacing_m` inside the boundary
    (on the roof, 3 m above it, where the grid point falls on a tall building)."""
    t = site.cell_sites[0] if site.cell_sites else DEFAULT_CELL
    b = buildings(site)
    boundary = site_boundary(site)
    x0, y0, x1, y1 = boundary.bounds
    out = list(site.cell_sites)
    for gy in np.arange(y0 + spacing_m / 2, y1, spacing_m):
        for gx in np.arange(x0 + spacing_m / 2, x1, spacing_m):
            if not boundary.covers(shapely.Point(gx, gy)):
                continue
            h = t.height_m
            if len(b.polygons):
                hit = np.flatnonzero(shapely.intersects_xy(b.polygons, gx, gy))
                if len(hit):
                    h = max(h, float(b.floors[hit].max()) * site.coverage.storey_height_m + 3.0)
            out.append(t.model_copy(update={"id": f"cand-{int(gx)}-{int(gy)}",
                                            "position": (float(gx), float(gy)),
                                            "height_m": min(h, 150.0)}))
    return tuple(out)


def cell_matrix(site: Site, candidates: tuple[CellSite, ...], res_m: float = 5.0,
                threshold_dbm: float = DEFAULT_THRESHOLD_DBM) -> CoverMatrix:
    first = rsrp_raster(site, res_m, threshold_dbm, cells=candidates[:1])
    gx, gy = np.meshgrid(*first.xy())
    inside = first.inside
    cols = [first.covered[inside]] + [
        rsrp_raster(site, res_m, threshold_dbm, cells=(c,)).covered[inside]
        for c in candidates[1:]]
    xy = np.stack([gx[inside], gy[inside]], axis=1)
    return CoverMatrix(xy, np.stack(cols, axis=1), np.zeros(len(xy), dtype=bool),
                       f"raster cells of {res_m:g} m", res_m * res_m)
