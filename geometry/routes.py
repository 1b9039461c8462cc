"""Walking routes between any two places of the site, over the 15-minute-walk network.

The network is `geometry.walking.walk_network` (paths noded, compound walls cut except at
gates). A place joins the network at its nearest path segment: the straight hop to the segment,
then along it to either end, like a home or an entrance in the walk indicator. A walk is
hop + network distance + hop; two places on the same segment may also walk straight along it.
Distances from an origin are computed once (Dijkstra) and kept, so a responder model asking
the same post-to-building distances again costs a dictionary look-up. A site without paths,
or two places the walls keep apart, walk straight (the fallback is named in `Route.via`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import shapely

from geometry.walking import walk_network
from scenarios.model import Site

Point = tuple[float, float]
_ORIGIN = -1  # the virtual node an origin hangs off


@dataclass(frozen=True)
class Route:
    distance_m: float
    via: str  # "footpaths" or "straight line (no path network)" / "(walls between)"


class Router:
    """Network walking distances between points of one site (metres)."""

    def __init__(self, site: Site) -> None:
        self.net = walk_network(site)
        self._graph = nx.Graph()
        self._graph.add_weighted_edges_from(
            (int(u), int(v), float(w))
            for (u, v), w in zip(self.net.ends, self.net.lengths, strict=True))
        self._tree = shapely.STRtree(self.net.segments) if len(self.net.segments) else None
        self._snaps: dict[Point, tuple[int, float, float]] = {}
        self._from: dict[Point, dict[int, float]] = {}

    def _snap(self, p: Point) -> tuple[int, float, float]:
        """(segment, hop m, position along it m) of the place's nearest segment."""
        if p not in self._snaps:
            assert self._tree is not None
            pt = shapely.Point(p)
            seg = int(self._tree.query_nearest(pt, all_matches=False)[0])
            line = self.net.segments[seg]
            self._snaps[p] = (seg, float(shapely.distance(pt, line)),
                              float(shapely.line_locate_point(line, pt)))
        return self._snaps[p]

    def _reach(self, p: Point) -> dict[int, float]:
        if p not in self._from:
            seg, hop, along = self._snap(p)
            u, v = (int(n) for n in self.net.ends[seg])
            length = float(self.net.lengths[seg])
            self._graph.add_edge(_ORIGIN, u, weight=hop + along)
            if v != u:
                self._graph.add_edge(_ORIGIN, v, weight=hop + length - along)
            try:
                self._from[p] = nx.single_source_dijkstra_path_length(self._graph, _ORIGIN)
            finally:
                self._graph.remove_node(_ORIGIN)
        return self._from[p]

    def route(self, a: Point, b: Point) -> Route:
        a, b = (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))
        straight = math.hypot(b[0] - a[0], b[1] - a[1])
        if a == b:
            return Route(0.0, "footpaths")
        if self._tree is None:
            return Route(straight, "straight line (no path network)")
        reach = self._reach(a)
        seg, hop, along = self._snap(b)
        u, v = (int(n) for n in self.net.ends[seg])
        length = float(self.net.lengths[seg])
        best = min(reach.get(u, math.inf) + along, reach.get(v, math.inf) + length - along) + hop
        a_seg, a_hop, a_along = self._snap(a)
        if a_seg == seg:
            best = min(best, a_hop + abs(a_along - along) + hop)
        if math.isinf(best):
            return Route(straight, "straight line (walls between)")
        return Route(best, "footpaths")

    def distance_m(self, a: Point, b: Point) -> float:
        return self.route(a, b).distance_m
