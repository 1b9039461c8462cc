"""High-altitude throwing: whether cameras see every window of floors >= 3 of tall buildings.

Every residential building of >= 12 floors has window columns along each facade edge, one per
`window_spacing_m`; a window is the mid-height point of one floor in one column. A camera sees
a window when the camera stands in front of that facade, the window's bearing is within the
camera's heading ± HFOV/2, its elevation angle within tilt ± VFOV/2, and the sight line from the
camera to the window passes through no building prism (`geometry.sightline`: footprint x floors x
storey height), so a lower building in between hides the lower floors only. The indicator is
the share of windows seen.

Beyond the field of view the acceptance rule asks for, a window must also lie in the camera's
range for a DORI density (default Detect, 25 px/m): a camera 150 m away has the facade in its
view but cannot show a falling object. `FacadeParams(density=None)` drops that condition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from geometry.cameras import bearing_deg, dori_range_m, mounted_xy, off_axis_deg
from geometry.shapes import BoolArray, Buildings, FloatArray, buildings
from geometry.sightline import blocked_lines, building_heights_m
from scenarios.model import Site
from scenarios.site_features import Camera

IntArray = npt.NDArray[np.int64]

# Window points sit this far in front of the wall so the line to them does not graze it.
_OFFSET_M = 0.2
# Cameras farther than this from a building are not tried for it (keeps the pair count small).
_SEARCH_M = 300.0


@dataclass(frozen=True)
class FacadeParams:
    min_floors: int = 12
    first_floor: int = 3
    floor_height_m: float | None = None  # None: the site's storey height
    window_spacing_m: float = 3.6
    density: str | None = "detect"


@dataclass(frozen=True)
class BuildingFacades:
    """One tall building's windows: `columns[k]` is the ground point of window column k on
    facade `facade[k]` (edge index of the counter-clockwise footprint ring, which faces
    `facing[e]`); `seen[k, j]` is floor
    `first_floor + j`; `why[k, j]` is 0 seen, 1 no camera faces it within its horizontal view,
    2 blocked by a building (3-D), 3 outside every camera's vertical view or range."""

    building: str
    floors: int
    first_floor: int
    columns: FloatArray
    facade: IntArray
    facing: tuple[str, ...]
    seen: BoolArray
    why: npt.NDArray[np.int8]

    @property
    def windows(self) -> int:
        return int(self.seen.size)

    @property
    def windows_seen(self) -> int:
        return int(self.seen.sum())


WHY_TEXT = {1: "no camera in front of the facade has it in its horizontal view",
            2: "the camera line to it is blocked by another building",
            3: "outside every camera's vertical view or detection range"}


def _compass(nx: float, ny: float) -> str:
    names = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]
    return names[int(((float(bearing_deg(nx, ny)) + 22.5) % 360.0) // 45.0)]


def facade_coverage(site: Site, params: FacadeParams = FacadeParams(),
                    cameras: tuple[Camera, ...] | None = None) -> tuple[BuildingFacades, ...]:
    cams = site.cameras if cameras is None else cameras
    b = buildings(site)
    storey = site.coverage.storey_height_m
    heights = building_heights_m(b, storey)
    floor_m = storey if params.floor_height_m is None else params.floor_height_m
    cam_xy = mounted_xy(cams, b, heights)
    cam_tree = shapely.STRtree(shapely.points(cam_xy))
    btree = shapely.STRtree(b.polygons)
    out: list[BuildingFacades] = []
    for i in np.flatnonzero(b.residential & (b.floors >= params.min_floors)):
        out.append(_one_building(b.ids[i], b.polygons[i], int(b.floors[i]), params, floor_m,
                                 cams, cam_xy, cam_tree, b, btree, heights))
    return tuple(out)


def _one_building(bid: str, poly: shapely.Polygon, floors: int, params: FacadeParams,
                  floor_m: float, cams: tuple[Camera, ...], cam_xy: FloatArray,
                  cam_tree: shapely.STRtree, b: Buildings, btree: shapely.STRtree,
                  heights: FloatArray) -> BuildingFacades:
    ring = shapely.get_coordinates(shapely.orient_polygons(poly).exterior)  # counter-clockwise
    cols, facade, normals, facing = [], [], [], []
    for e in range(len(ring) - 1):
        a, d = ring[e], ring[e + 1] - ring[e]
        length = float(np.hypot(*d))
        if length < 1e-6:
            facing.append("")
            continue
        n_out = np.array([d[1], -d[0]]) / length  # outward for a counter-clockwise ring
        k = max(1, int(length // params.window_spacing_m))
        t = (np.arange(k) + 0.5) / k
        cols.append(a + t[:, None] * d + _OFFSET_M * n_out)
        facade += [e] * k
        normals.append(np.repeat(n_out[None, :], k, axis=0))
        facing.append(_compass(*n_out))
    columns = np.concatenate(cols)
    normal = np.concatenate(normals)
    levels = np.arange(params.first_floor, floors + 1)
    z = (levels - 0.5) * floor_m
    seen = np.zeros((len(columns), len(levels)), dtype=bool)
    # How far the best camera got: 0 not in horizontal view, 1 not in vertical view or range,
    # 2 in view but blocked; the camera that got farthest explains a window not seen.
    rank = np.zeros((len(columns), len(levels)), dtype=np.int8)
    near = cam_tree.query(shapely.buffer(poly, _SEARCH_M)) if len(cams) else np.empty(0, int)
    for c in near:
        cam = cams[c]
        dx, dy = columns[:, 0] - cam_xy[c, 0], columns[:, 1] - cam_xy[c, 1]
        in_front = (dx * normal[:, 0] + dy * normal[:, 1]) < 0  # camera on the outward side
        ok_h = in_front & (off_axis_deg(bearing_deg(dx, dy), cam.heading_deg)
                           <= cam.hfov_deg / 2.0)
        if not ok_h.any():
            continue
        idx = np.flatnonzero(ok_h)
        dist = np.hypot(dx[idx], dy[idx])
        elev = np.degrees(np.arctan2(z[None, :] - cam.height_m, dist[:, None]))
        ok_v = np.abs(elev - cam.tilt_deg) <= cam.vfov_deg / 2.0
        if params.density is not None:
            reach = dori_range_m(cam.width_px, cam.hfov_deg, params.density)
            ok_v &= np.hypot(dist[:, None], z[None, :] - cam.height_m) <= reach
        rank[idx] = np.maximum(rank[idx], 1)
        rows, lev = np.nonzero(ok_v)
        if len(rows) == 0:
            continue
        col = idx[rows]
        bl = blocked_lines(np.broadcast_to(cam_xy[c], (len(col), 2)),
                           np.full(len(col), cam.height_m), columns[col],
                           np.asarray(z[lev], dtype=np.float64), b, heights, btree)
        seen[col[~bl.blocked], lev[~bl.blocked]] = True
        rank[col[bl.blocked], lev[bl.blocked]] = 2
    why = np.where(seen, 0, np.array([1, 3, 2], dtype=np.int8)[rank]).astype(np.int8)
    for arr in (columns, seen, why):
        arr.flags.writeable = False
    return BuildingFacades(building=bid, floors=floors, first_floor=params.first_floor,
                           columns=columns, facade=np.asarray(facade, dtype=np.int64),
                           facing=tuple(facing), seen=seen, why=why)
