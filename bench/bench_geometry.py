"""Benchmarks of the geometry layer; prints medians, the scale, and ratios against naive
baselines measured in the same run (timings are reported, never asserted).

    python bench/bench_geometry.py            # all three
    python bench/bench_geometry.py radio      # one of: radio, cameras, table
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import shapely

from geometry import camera_coverage, evaluate, rsrp_raster
from geometry.cameras import dori_range_m, in_view, mounted_xy
from geometry.shapes import buildings, far_distance, shadow
from scenarios import Scenario, from_dict
from scenarios.generate import generate

REPEATS = 3


def median_s(fn: Callable[[], Any], repeats: int = REPEATS) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def city(n_buildings: int = 200, size_m: float = 1000.0, seed: int = 1,
         **features: Any) -> Scenario:
    """Buildings on a jittered grid over a size x size square (no overlaps)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    per = int(np.ceil(np.sqrt(n_buildings)))
    pitch = size_m / per
    blds = []
    for k in range(n_buildings):
        i, j = divmod(k, per)
        x = i * pitch + rng.uniform(5, pitch - 45)
        y = j * pitch + rng.uniform(5, pitch - 19)
        blds.append({"id": f"b{k}", "floors": 18, "households": 0, "footprint": [
            [x, y], [x + 40, y], [x + 40, y + 14], [x, y + 14]]})
    square = [[0, 0], [size_m, 0], [size_m, size_m], [0, size_m]]
    return from_dict({"site": {"name": "bench", "origin": {"lat": 34.95, "lon": 115.89},
                               "boundary": square, "compounds": [{"id": "c", "boundary": square,
                                                                  "buildings": blds}],
                               **features},
                      "gateways": [{"id": "g"}], "run": {"duration_s": 1}})


def bench_radio() -> None:
    cells = [{"id": f"s{i}", "position": [x, y], "height_m": 25, "tx_power_dbm": 46,
              "frequency_ghz": 3.5, "antenna_gain_dbi": 15}
             for i, (x, y) in enumerate([(166, 250), (500, 250), (833, 250), (166, 750),
                                         (500, 750), (833, 750)])]
    s = city(cell_sites=cells)
    t, r = median_s(lambda: rsrp_raster(s.site, res_m=1.0))
    n = int(r.inside.sum())
    print(f"5G raster: {n:,} cells (1 m over 1 km²), {len(cells)} sites, 200 buildings: "
          f"median {t:.2f} s (target < 2 s); covered {r.covered.mean():.1%}")
    # LOS only, for one site: shadow polygons + intersects_xy vs STRtree segment queries.
    polys = buildings(s.site).polygons
    src = (500.0, 250.0)  # the second site
    g = np.arange(0.5, 1000, 1.0)
    gx, gy = (a.ravel() for a in np.meshgrid(g, g))
    t_shadow, los = median_s(lambda: ~shapely.intersects_xy(
        shadow(src, polys, far_distance(src, (0, 0, 1000, 1000))), gx, gy))
    sample = np.random.default_rng(0).choice(len(gx), 20_000, replace=False)
    tree = shapely.STRtree(polys)

    def segments() -> Any:
        segs = shapely.linestrings(np.stack([np.broadcast_to(src, (len(sample), 2)),
                                             np.stack([gx[sample], gy[sample]], 1)], 1))
        hit = np.zeros(len(sample), dtype=bool)
        hit[tree.query(segs, predicate="intersects")[0]] = True
        return ~hit

    t_seg, los_seg = median_s(segments)
    t_seg_full = t_seg * len(gx) / len(sample)
    same = bool((los_seg == los[sample]).all())
    print(f"  line of sight, 1 site x {len(gx):,} cells: shadow polygons {t_shadow:.3f} s; "
          f"STRtree segment queries {t_seg:.3f} s per 20,000 cells = {t_seg_full:.2f} s "
          f"extrapolated; ratio {t_seg_full / t_shadow:.0f}x; same answer on the sample: {same}")


def bench_cameras() -> None:
    rng = np.random.default_rng(np.random.SeedSequence(2))
    pts = rng.uniform(0, 1000, (3000, 2))
    s0 = city()
    free = ~shapely.intersects_xy(shapely.union_all(buildings(s0.site).polygons), pts[:, 0],
                                  pts[:, 1])  # key points lie outdoors
    keys = [{"id": f"k{i}", "kind": "compound_entrance", "points": [p.tolist()],
             "target_height_m": float(rng.choice([0.5, 1.6]))}
            for i, p in enumerate(pts[free][:2000])]
    # Pole and wall cameras 3-12 m up, looking 0-30° down, in 3-D.
    cams = [{"id": f"c{i}", "position": rng.uniform(0, 1000, 2).tolist(),
             "height_m": float(rng.uniform(3, 12)), "tilt_deg": float(-rng.uniform(0, 30)),
             "heading_deg": float(rng.uniform(0, 360)), "hfov_deg": 90.0, "vfov_deg": 50.0,
             "width_px": 3840, "height_px": 2160} for i in range(500)]
    s = city(key_locations=keys, cameras=cams)
    t, cov = median_s(lambda: camera_coverage(s.site, density="detect"))
    print(f"cameras (3-D): {len(cams)} cameras x {len(keys):,} key points, 200 buildings of "
          f"54 m: median {t:.3f} s (target < 2 s); {cov.covered.mean():.1%} of points seen")
    # Naive baseline: every (camera, point) pair tested one by one (frustum, slant range, a
    # LineString per pair against each candidate building), a sample of cameras.
    b = buildings(s.site)
    heights = b.floors * s.site.coverage.storey_height_m
    tree = shapely.STRtree(b.polygons)
    kxy, kz = cov.points.xy, cov.points.target_z_m
    # Same model: a camera given inside a footprint stands on its nearest wall.
    mounted = mounted_xy(s.site.cameras, b, np.asarray(heights, dtype=float))
    subset = range(25)

    def naive() -> np.ndarray:
        seen = np.zeros(len(kxy), dtype=np.int64)
        for c in subset:
            cam = s.site.cameras[c]
            reach = dori_range_m(cam.width_px, cam.hfov_deg, "detect")
            (cx, cy), hc = mounted[c], cam.height_m
            for p in range(len(kxy)):
                dx, dy, dz = kxy[p, 0] - cx, kxy[p, 1] - cy, kz[p] - hc
                if np.sqrt(dx * dx + dy * dy + dz * dz) > reach:
                    continue
                h, v = in_view(cam.heading_deg, cam.tilt_deg, cam.hfov_deg, cam.vfov_deg,
                               dx, dy, dz)
                if not (h and v):
                    continue
                line = shapely.LineString([(cx, cy), tuple(kxy[p])])
                total = line.length
                blocked = False
                for j in tree.query(line, predicate="intersects"):
                    inter = line.intersection(b.polygons[j])
                    for part in getattr(inter, "geoms", [inter]):
                        if part.geom_type != "LineString" or part.length < 1e-6:
                            continue
                        mid = part.interpolate(0.5, normalized=True)
                        if not b.polygons[j].contains_properly(mid):
                            continue
                        for q in part.coords:
                            t_ = np.hypot(q[0] - cx, q[1] - cy) / total
                            if hc + (kz[p] - hc) * t_ < heights[j]:
                                blocked = True
                if not blocked:
                    seen[p] += 1
        return seen

    t_naive, seen_naive = median_s(naive, repeats=1)
    sub_cov = camera_coverage(s.site, density="detect", cameras=s.site.cameras[:25])
    full = t_naive * len(cams) / len(subset)
    print(f"  naive per-pair loop: {t_naive:.2f} s for 25 cameras = {full:.1f} s for "
          f"{len(cams)} extrapolated; ratio {full / t:.0f}x; same answer for the 25: "
          f"{bool((seen_naive == sub_cov.seen_by).all())}")


def bench_table() -> None:
    t_gen, s = median_s(lambda: generate(10_000, seed=0), repeats=1)
    n_b = len(s.buildings())
    print(f"10,000-household site: generated in {t_gen:.2f} s: {n_b} buildings, "
          f"{len(s.site.cameras)} cameras, {len(s.site.fire_detectors):,} detectors, "
          f"{len(s.site.public_areas):,} public areas, {len(s.devices):,} devices, "
          f"boundary {s.site.boundary[2][0]:.0f} x {s.site.boundary[2][1]:.0f} m")
    t, cov = median_s(lambda: evaluate(s))
    print(f"  full coverage table (1 m 5G raster, {cov.raster.inside.sum():,} cells): median "
          f"{t:.2f} s (target < 30 s)")
    parts = {
        "5G raster": lambda: rsrp_raster(s.site, 1.0),
        "cameras": lambda: camera_coverage(s.site),
    }
    for name, fn in parts.items():
        tp, _ = median_s(fn, repeats=1)
        print(f"    of which {name}: {tp:.2f} s")
    for r in cov.results:
        got = "no data" if r.ratio is None else f"{r.ratio:.1%}"
        print(f"    {r.number:>2} {r.key:<17} {got:>8}  {r.status}")


def main(argv: list[str]) -> None:
    which = argv or ["radio", "cameras", "table"]
    for name in which:
        {"radio": bench_radio, "cameras": bench_cameras, "table": bench_table}[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
