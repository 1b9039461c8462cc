"""Sight lines in 3-D: whether the straight line between two points above the ground passes
through a building, where buildings are prisms of their footprint and `floors x storey height`.

A line is blocked by a building when some point of the line inside the footprint's interior is
lower than the roof. The height along the line is linear in the distance travelled, so its
lowest point over one stretch inside a footprint is at an end of that stretch: the test is exact
from the ends of the pieces of `shapely.intersection(line, footprint)`. Pieces of zero length
(the line touching a corner or starting on a wall) and pieces running along a wall do not block:
a camera on a wall sees out along and away from its wall, but a line into the building's
interior is blocked, so such a camera never sees through its own building.

Vectorised over pairs: one STRtree query for every (line, footprint) candidate, one
`shapely.intersection` call over the hits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geometry.shapes import BoolArray, Buildings, FloatArray, IntArray

# Pieces shorter than this (m) are touches, not passages.
_MIN_PIECE_M = 1e-6


@dataclass(frozen=True)
class Blocked:
    """Per line: blocked or not, and the first building (index, -1 for none) that blocks it."""

    blocked: BoolArray
    by: IntArray


def building_heights_m(b: Buildings, storey_height_m: float) -> FloatArray:
    """Roof height of every building, m: floors x storey height."""
    return np.asarray(b.floors * storey_height_m, dtype=float)


def blocked_lines(src_xy: FloatArray, src_z: FloatArray, dst_xy: FloatArray, dst_z: FloatArray,
                  b: Buildings, heights_m: FloatArray, tree: shapely.STRtree | None = None,
                  ) -> Blocked:
    """For each line from (src_xy, src_z) to (dst_xy, dst_z) (metres, z above ground), whether
    a building prism blocks it."""
    n = len(src_xy)
    blocked = np.zeros(n, dtype=bool)
    by = np.full(n, -1, dtype=np.int64)
    if n == 0 or len(b.polygons) == 0:
        return Blocked(blocked, by)
    tree = shapely.STRtree(b.polygons) if tree is None else tree
    lines = shapely.linestrings(np.stack([src_xy, dst_xy], axis=1))
    li, bi = tree.query(lines, predicate="intersects")
    if len(li) == 0:
        return Blocked(blocked, by)
    # A line that stays above a roof everywhere cannot be blocked by it: skip the geometry.
    low = np.minimum(src_z[li], dst_z[li]) < heights_m[bi]
    li, bi = li[low], bi[low]
    pieces = shapely.intersection(lines[li], b.polygons[bi])
    parts, owner = shapely.get_parts(pieces, return_index=True)
    kind = shapely.get_type_id(parts)
    length = shapely.length(parts)
    keep = (kind == 1) & (length > _MIN_PIECE_M)  # LineStrings only
    parts, owner = parts[keep], owner[keep]
    if len(parts) == 0:
        return Blocked(blocked, by)
    # A piece along a wall has its midpoint on the boundary, not inside: it does not block.
    mid = shapely.line_interpolate_point(parts, 0.5, normalized=True)
    inside = shapely.contains_properly(b.polygons[bi[owner]], mid)
    parts, owner = parts[inside], owner[inside]
    coords, piece = shapely.get_coordinates(parts, return_index=True)
    hit = owner[piece]  # index into li/bi of each coordinate
    line = li[hit]
    total = np.hypot(*(dst_xy[line] - src_xy[line]).T)
    t = np.hypot(*(coords - src_xy[line]).T) / np.where(total > 0, total, 1.0)
    z = src_z[line] + (dst_z[line] - src_z[line]) * np.clip(t, 0.0, 1.0)
    under = z < heights_m[bi[hit]]
    blocked[line[under]] = True
    # Report the building met first along the line (smallest t among blocking points).
    order = np.lexsort((t[under], line[under]))
    first_line, first = np.unique(line[under][order], return_index=True)
    by[first_line] = bi[hit][under][order][first]
    return Blocked(blocked, by)
