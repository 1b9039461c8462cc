"""The 15-minute walk: network distance along footpaths and roads from homes to sports grounds.

Paths are noded where they cross or touch (`shapely.union_all`) and become a networkx graph
weighted by length. A building joins its nearest path at the middle of the side facing it;
a sports ground joins at each entrance. The walk is the straight hop to the network, the
network distance (Dijkstra from all entrances at once) and the hop off it. Speed is a
parameter (default 1.2 m/s: 72 m/min, a conservative adult pace).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely

from geometry.shapes import FloatArray, buildings
from scenarios.model import Site

DEFAULT_SPEED_M_PER_S = 1.2
DEFAULT_LIMIT_S = 15 * 60.0

_SOURCE = -1  # the virtual node every sports-ground entrance hangs off


@dataclass(frozen=True)
class WalkNetwork:
    """The noded path network: `edges[k]` joins nodes `ends[k]` (indices into `nodes`)."""

    nodes: FloatArray
    ends: npt.NDArray[np.int64]
    lengths: FloatArray
    segments: npt.NDArray[np.object_]


def walk_network(site: Site) -> WalkNetwork:
    if not site.paths:
        return WalkNetwork(np.empty((0, 2)), np.empty((0, 2), dtype=np.int64), np.empty(0),
                           np.empty(0, dtype=object))
    noded = shapely.union_all([shapely.LineString(p.points) for p in site.paths])
    coords, part = shapely.get_coordinates(shapely.get_parts(noded), return_index=True)
    same = part[:-1] == part[1:]
    a, b = coords[:-1][same], coords[1:][same]
    keep = np.hypot(*(b - a).T) > 1e-9
    a, b = a[keep], b[keep]
    # Round to the millimetre so the ends of touching segments become one node.
    key = np.round(np.concatenate([a, b]), 3)
    nodes, inv = np.unique(key, axis=0, return_inverse=True)
    ends = inv.reshape(2, -1).T.astype(np.int64)
    segs = np.asarray(shapely.linestrings(np.stack([nodes[ends[:, 0]], nodes[ends[:, 1]]],
                                                   axis=1)), dtype=object)
    return WalkNetwork(nodes=nodes, ends=ends, lengths=np.asarray(shapely.length(segs)),
                       segments=segs)


@dataclass(frozen=True)
class WalkResult:
    """Walking distance (m, inf when unreachable) from each building to the nearest sports
    ground entrance, and each network node's distance for isochrone maps."""

    building_ids: tuple[str, ...]
    households: npt.NDArray[np.int64]
    distance_m: FloatArray
    node_distance_m: FloatArray
    network: WalkNetwork
    speed_m_per_s: float

    @property
    def time_s(self) -> FloatArray:
        return np.asarray(self.distance_m / self.speed_m_per_s, dtype=float)


def _snap(net: WalkNetwork, geoms: npt.NDArray[np.object_],
          ) -> tuple[npt.NDArray[np.int64], FloatArray, FloatArray]:
    """Nearest segment of each geometry, the hop length to it and the position along it.

    The position is where the geometry's centroid projects onto the segment: a building's
    door is taken to be in the middle of the side that faces its path.
    """
    tree = shapely.STRtree(net.segments)
    (gi, si), dist = tree.query_nearest(geoms, return_distance=True, all_matches=False)
    seg = np.full(len(geoms), -1, dtype=np.int64)
    hop = np.full(len(geoms), np.inf)
    seg[gi], hop[gi] = si, dist
    along = np.zeros(len(geoms))
    ok = seg >= 0
    if ok.any():
        along[ok] = shapely.line_locate_point(net.segments[seg[ok]],
                                              shapely.centroid(geoms[ok]))
    return seg, hop, along


def walk_to_sports(site: Site, speed_m_per_s: float = DEFAULT_SPEED_M_PER_S) -> WalkResult:
    """Network walking distance from every residential building to a sports ground."""
    if speed_m_per_s <= 0:
        raise ValueError(f"speed_m_per_s = {speed_m_per_s}: must be > 0")
    b = buildings(site)
    res = np.flatnonzero(b.residential)
    net = walk_network(site)
    entrances = [e for g in site.sports_grounds for e in g.entrances]
    dist = np.full(len(res), np.inf)
    node_d = np.full(len(net.nodes), np.inf)
    if len(net.segments) and entrances and len(res):
        g = nx.Graph()
        g.add_weighted_edges_from(
            (int(u), int(v), float(w)) for (u, v), w in zip(net.ends, net.lengths, strict=True))
        e_seg, e_hop, e_along = _snap(net, np.asarray(shapely.points(entrances), dtype=object))
        for s, h, t in zip(e_seg, e_hop, e_along, strict=True):
            u, v = net.ends[s]
            for node, w in ((u, h + t), (v, h + net.lengths[s] - t)):
                old = g.get_edge_data(_SOURCE, int(node), {"weight": np.inf})["weight"]
                g.add_edge(_SOURCE, int(node), weight=min(old, float(w)))
        reach = nx.single_source_dijkstra_path_length(g, _SOURCE, weight="weight")
        for node, d in reach.items():
            if node != _SOURCE:
                node_d[node] = d
        h_seg, h_hop, h_along = _snap(net, b.polygons[res])
        u, v = net.ends[h_seg, 0], net.ends[h_seg, 1]
        dist = h_hop + np.minimum(node_d[u] + h_along, node_d[v] + net.lengths[h_seg] - h_along)
        # A home on the same segment as an entrance walks straight along it.
        for s, h, t in zip(e_seg, e_hop, e_along, strict=True):
            same = h_seg == s
            dist[same] = np.minimum(dist[same], h_hop[same] + h + np.abs(h_along[same] - t))
    for arr in (dist, node_d):
        arr.flags.writeable = False
    return WalkResult(building_ids=tuple(b.ids[i] for i in res), households=b.households[res],
                      distance_m=dist, node_distance_m=node_d, network=net,
                      speed_m_per_s=speed_m_per_s)
