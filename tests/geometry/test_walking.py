"""Network walking distance from homes to sports grounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sitekit import box, building, scenario

from geometry.indicators import sports_walk
from geometry.walking import walk_to_sports

# An L-shaped path: (0, 5) -> (190, 5) -> (190, 95). The home's wall is 2 m above the path at
# x 10..20 (door mid-wall, x 15); the ground's entrance 3 m left of the vertical leg at y 90.
PATHS = [{"id": "a", "points": [[0, 5], [190, 5]]}, {"id": "b", "points": [[190, 5], [190, 95]]}]
GROUND = [{"id": "G", "entrances": [[187, 90]]}]


def test_distance_follows_the_paths_not_the_crow() -> None:
    s = scenario(buildings=[building("H", 10, 7, 20, 17)], paths=PATHS, sports_grounds=GROUND,
                 book_corners=[{"id": "bk", "position": [1, 1]}])
    w = walk_to_sports(s.site)
    # hop 2 m + along (15 -> 190) 175 m + up (5 -> 90) 85 m + hop 3 m = 265 m
    assert w.distance_m[0] == pytest.approx(265.0)
    assert w.distance_m[0] > math.hypot(187 - 20, 90 - 7)
    assert w.time_s[0] == pytest.approx(265.0 / 1.2)
    assert sports_walk(s.site, walk=w).met
    slow = sports_walk(s.site, speed_m_per_s=0.25)  # 265 m in 17.7 min
    assert slow.status == "not_met"
    assert slow.evidence[0].reason == "265 m walk = 17.7 min > 15 min"


def test_crossing_paths_are_joined() -> None:
    paths = [{"id": "h", "points": [[0, 50], [200, 50]]},
             {"id": "v", "points": [[100, 0], [100, 100]]}]
    s = scenario(buildings=[building("H", 10, 52, 20, 60)], paths=paths,
                 sports_grounds=[{"id": "G", "entrances": [[100, 95]]}])
    w = walk_to_sports(s.site)
    assert w.distance_m[0] == pytest.approx(2 + 85 + 45)


def test_unreachable_homes_and_missing_book_corner_fail() -> None:
    paths = [*PATHS, {"id": "island", "points": [[20, 60], [60, 60]]}]
    s = scenario(buildings=[building("H", 10, 7, 20, 17), building("I", 30, 62, 40, 70)],
                 paths=paths, sports_grounds=GROUND)
    w = walk_to_sports(s.site)
    assert np.isinf(w.distance_m[1])
    r = sports_walk(s.site, walk=w)
    assert r.numerator == 10 and r.denominator == 20
    reasons = [e.reason for e in r.evidence]
    assert "not connected to a sports ground by footpaths" in reasons
    assert "no shared book corner or smart book cabinet" in reasons
    full = sports_walk(s.site, threshold=0.5)
    assert full.ratio == 0.5 and not full.met  # ratio passes, the book corner is missing


def test_no_paths_means_nobody_is_within_reach() -> None:
    s = scenario(buildings=[building("H", 10, 7, 20, 17)], sports_grounds=GROUND)
    r = sports_walk(s.site)
    assert r.ratio == 0.0
    assert r.evidence[0].reason == "no footpath network in the site model"


def test_a_home_beside_a_dead_end_stub_walks_by_another_path() -> None:
    # Home H spans x 10..20, y 15..25 (centroid (15, 20)). A dead-end stub runs 5 m above it
    # (y 30, x 10..20), the main path 10 m below it (y 5, x 0..190); the entrance is 3 m above
    # the main path at x 190. Both paths are within 30 m: the stub leads nowhere, the main
    # path gives 10 (hop) + (190 - 15) + 3 (hop) = 188 m. Snapping to the nearest only (the
    # stub, 5 m) would leave the home unreachable: a snap distance of 8 m does just that.
    paths = [{"id": "main", "points": [[0, 5], [190, 5]]},
             {"id": "stub", "points": [[10, 30], [20, 30]]}]
    ground = [{"id": "G", "entrances": [[190, 8]]}]
    s = scenario(buildings=[building("H", 10, 15, 20, 25)], paths=paths, sports_grounds=ground)
    assert walk_to_sports(s.site).distance_m[0] == pytest.approx(188.0)
    near = scenario(buildings=[building("H", 10, 15, 20, 25)], paths=paths,
                    sports_grounds=ground, coverage={"walk_snap_m": 8})
    assert np.isinf(walk_to_sports(near.site).distance_m[0])


def test_compound_walls_block_paths_except_at_gates() -> None:
    # Compound x 0..100, y 0..100; the path y 50 runs from (20, 50) inside to (180, 50)
    # outside, crossing the east wall at (100, 50). Home (x 40..50, y 55..65) inside, the
    # ground's entrance (170, 53) outside. With a gate at (100, 50) - or within 5 m of the
    # crossing, (100, 53) - the walk is 5 (hop) + (170 - 45) + 3 = 133 m; with no gate, or
    # one 10 m away (100, 60), the wall cuts the path: unreachable.
    def walk(gates: list[list[float]]) -> float:
        s = scenario(buildings=[building("H", 40, 55, 50, 65)], compound=box(0, 0, 100, 100),
                     paths=[{"id": "p", "points": [[20, 50], [180, 50]]}],
                     sports_grounds=[{"id": "G", "entrances": [[170, 53]]}],
                     key_locations=[{"id": f"gate{i}", "kind": "compound_entrance",
                                     "points": [g]} for i, g in enumerate(gates)])
        return float(walk_to_sports(s.site).distance_m[0])

    assert walk([[100, 50]]) == pytest.approx(133.0)
    assert walk([[100, 53]]) == pytest.approx(133.0)
    assert np.isinf(walk([]))
    assert np.isinf(walk([[100, 60]]))
