"""The 15-minute walk: network distance along footpaths and roads from homes to sports grounds.

Paths are noded where they cross or touch each other and where they meet a compound boundary
(`shapely.union_all`) and become a networkx graph weighted by length. Compound walls block:
where a path meets a compound boundary farther than `site.coverage.gate_tolerance_m` from every
gate (the `compound_entrance` key locations), the path's node there is split into one node per
side, so a walk cannot pass. A home joins every path segment within
`site.coverage.walk_snap_m` of its footprint (and always the nearest one), at the point where
its centroid projects onto the segment (the door faces that path), and takes the best; a
sports ground joins likewise at each entrance. The walk is the straight hop to the network, the
network distance (Dijkstra from all entrances at once) and the hop off it. Speed is a
parameter (default 1.2 m/s: 72 m/min, a conservative adult pace).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely

from geometry.shapes import FloatArray, buildings, polygon
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


def _gates(site: Site) -> FloatArray:
    pts = [p for k in site.key_locations if k.kind == "compound_entrance" for p in k.points]
    return np.array(pts, dtype=float).reshape(-1, 2)


def walk_network(site: Site) -> WalkNetwork:
    """The path network, with compound walls cutting it away from the gates. A node split at a
    wall appears once per side in `nodes` (same coordinates, different index)."""
    if not site.paths:
        return WalkNetwork(np.empty((0, 2)), np.empty((0, 2), dtype=np.int64), np.empty(0),
                           np.empty(0, dtype=object))
    paths = shapely.union_all([shapely.LineString(p.points) for p in site.paths])
    walls = np.asarray([polygon(c.boundary) for c in site.compounds], dtype=object)
    rings = shapely.get_exterior_ring(walls)
    noded = shapely.union_all([paths, *rings])
    coords, part = shapely.get_coordinates(shapely.get_parts(noded), return_index=True)
    same = part[:-1] == part[1:]
    a, b = coords[:-1][same], coords[1:][same]
    keep = np.hypot(*(b - a).T) > 1e-9
    a, b = a[keep], b[keep]
    # Noding with the walls adds the walls' own pieces: keep only pieces that lie on a path.
    mid = (a + b) / 2.0
    on_path = shapely.dwithin(paths, shapely.points(mid), 1e-6)
    a, b, mid = a[on_path], b[on_path], mid[on_path]
    # Round to the millimetre so the ends of touching segments become one node.
    key = np.round(np.concatenate([a, b]), 3)
    nodes, inv = np.unique(key, axis=0, return_inverse=True)
    ends = inv.reshape(2, -1).T.astype(np.int64)
    # Which compound each segment runs in (-1: outside every compound, or along a wall).
    side = np.full(len(mid), -1, dtype=np.int64)
    si, ci = shapely.STRtree(walls).query(shapely.points(mid), predicate="within")
    side[si] = ci
    node_pts = shapely.points(nodes)
    on_wall = shapely.dwithin(shapely.union_all(rings), node_pts, 1e-3)
    gates = _gates(site)
    if len(gates):
        near_gate = shapely.dwithin(shapely.multipoints(gates), node_pts,
                                    site.coverage.gate_tolerance_m)
        on_wall &= ~near_gate
    if on_wall.any():
        # One copy of a walled node per side: segments meet at it only from the same side.
        split = on_wall[ends]
        pair_key = np.where(split, ends * (len(walls) + 1) + (side[:, None] + 1), -1 - ends)
        uniq, new = np.unique(pair_key.ravel(), return_inverse=True)
        orig = np.where(uniq < 0, -1 - uniq, uniq // (len(walls) + 1))
        nodes, ends = nodes[orig], new.reshape(-1, 2).astype(np.int64)
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


def _snap(net: WalkNetwork, geoms: npt.NDArray[np.object_], snap_m: float,
          ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray, FloatArray]:
    """Every (geometry, segment) pair within `snap_m`, plus each geometry's nearest segment:
    (geometry index, segment index, hop length, position along the segment).

    The position is where the geometry's centroid projects onto the segment: a building's
    door is taken to be in the middle of the side that faces that path.
    """
    tree = shapely.STRtree(net.segments)
    gi, si = tree.query(geoms, predicate="dwithin", distance=snap_m)
    (ni, ns) = tree.query_nearest(geoms, all_matches=False)
    pairs = np.unique(np.stack([np.concatenate([gi, ni]), np.concatenate([si, ns])], axis=1),
                      axis=0).reshape(-1, 2)
    gi, si = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    hop = np.asarray(shapely.distance(geoms[gi], net.segments[si]), dtype=float)
    along = np.asarray(shapely.line_locate_point(net.segments[si],
                                                 shapely.centroid(geoms[gi])), dtype=float)
    return gi, si, hop, along


def walk_to_sports(site: Site, speed_m_per_s: float = DEFAULT_SPEED_M_PER_S) -> WalkResult:
    """Network walking distance from every residential building to a sports ground."""
    if speed_m_per_s <= 0:
        raise ValueError(f"speed_m_per_s = {speed_m_per_s}: must be > 0")
    b = buildings(site)
    res = np.flatnonzero(b.residential)
    net = walk_network(site)
    snap = site.coverage.walk_snap_m
    entrances = [e for g in site.sports_grounds for e in g.entrances]
    dist = np.full(len(res), np.inf)
    node_d = np.full(len(net.nodes), np.inf)
    if len(net.segments) and entrances and len(res):
        g = nx.Graph()
        g.add_weighted_edges_from(
            (int(u), int(v), float(w)) for (u, v), w in zip(net.ends, net.lengths, strict=True))
        _, e_seg, e_hop, e_along = _snap(net, np.asarray(shapely.points(entrances),
                                                         dtype=object), snap)
        for s, h, t in zip(e_seg, e_hop, e_along, strict=True):
            u, v = net.ends[s]
            for node, w in ((u, h + t), (v, h + net.lengths[s] - t)):
                old = g.get_edge_data(_SOURCE, int(node), {"weight": np.inf})["weight"]
                g.add_edge(_SOURCE, int(node), weight=min(old, float(w)))
        reach = nx.single_source_dijkstra_path_length(g, _SOURCE, weight="weight")
        for node, d in reach.items():
            if node != _SOURCE:
                node_d[node] = d
        h_i, h_seg, h_hop, h_along = _snap(net, b.polygons[res], snap)
        u, v = net.ends[h_seg, 0], net.ends[h_seg, 1]
        via = h_hop + np.minimum(node_d[u] + h_along, node_d[v] + net.lengths[h_seg] - h_along)
        # A home on the same segment as an entrance walks straight along it.
        for s, h, t in zip(e_seg, e_hop, e_along, strict=True):
            same = h_seg == s
            via[same] = np.minimum(via[same], h_hop[same] + h + np.abs(h_along[same] - t))
        np.minimum.at(dist, h_i, via)
    for arr in (dist, node_d):
        arr.flags.writeable = False
    return WalkResult(building_ids=tuple(b.ids[i] for i in res), households=b.households[res],
                      distance_m=dist, node_distance_m=node_d, network=net,
                      speed_m_per_s=speed_m_per_s)
