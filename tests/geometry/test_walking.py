"""Network walking distance from homes to sports grounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sitekit import building, scenario

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
