"""Fire detector discs over public areas (GB 50116 radius), clipped to the area."""

from __future__ import annotations

import pytest
from sitekit import box, building, scenario

from geometry.detectors import detector_coverage
from geometry.indicators import fire_detection


def test_a_small_corridor_under_one_detector_is_covered() -> None:
    # 10 m x 2 m corridor, smoke detector in the middle: corners are sqrt(5² + 1²) = 5.10 m
    # away, inside the 5.8 m radius.
    s = scenario(buildings=[building("B", 0, 0, 20, 10)],
                 public_areas=[{"id": "c", "building": "B", "floor": 1,
                                "polygon": box(5, 4, 15, 6)}],
                 fire_detectors=[{"id": "d", "building": "B", "floor": 1,
                                  "position": [10, 5]}])
    (a,) = detector_coverage(s.site)
    assert a.area_m2 == pytest.approx(20.0)
    assert a.covered_m2 == pytest.approx(20.0, abs=1e-6)
    r = fire_detection(s.site)
    assert r.met and r.ratio == pytest.approx(1.0)


def test_detectors_only_count_on_their_own_floor_and_radius() -> None:
    areas = [{"id": f"c{f}", "building": "B", "floor": f, "polygon": box(0, 4, 30, 6)}
             for f in (1, 2)]
    dets = [{"id": "d1", "building": "B", "floor": 1, "position": [15, 5], "kind": "heat"}]
    s = scenario(buildings=[building("B", 0, 0, 30, 10)], public_areas=areas,
                 fire_detectors=dets)
    c1, c2 = detector_coverage(s.site)
    assert c2.covered_m2 == 0.0 and c2.detectors == 0
    # heat radius 3.6 m: the disc crosses the 2 m corridor over 2 sqrt(3.6² - y²), y in [-1, 1]
    assert 13.0 < c1.covered_m2 < 2 * 2 * 3.6
    r = fire_detection(s.site)
    assert r.status == "not_met"
    assert r.evidence[1].reason.startswith("60.0 of 60.0 m² outside every detector's radius")
    assert 0.0 <= r.ratio <= 1.0  # type: ignore[operator]


def test_no_public_area_is_no_data() -> None:
    assert fire_detection(scenario().site).status == "no_data"
