"""High-altitude throwing: windows of floors >= 3 of buildings >= 12 floors in camera view."""

from __future__ import annotations

from typing import Any

import numpy as np
from sitekit import building, scenario

from geometry.facades import FacadeParams, facade_coverage
from geometry.indicators import high_altitude


def up_cam(cid: str, x: float, y: float, heading: float, **kw: Any) -> dict[str, Any]:
    return {"id": cid, "position": [x, y], "height_m": 2.0, "heading_deg": heading,
            "hfov_deg": 100, "vfov_deg": 75, "tilt_deg": 40, "width_px": 3840,
            "height_px": 2160, **kw}


def test_a_camera_in_front_sees_only_its_own_facade() -> None:
    # 12 floors x 3 m; south facade y = 40, x 50..80 (30 m: 8 columns of 3.6 m).
    # Camera 15 m south looking north: floor 3 window (z 7.5 m) at 15 m is 20.1° up, floor 12
    # (z 34.5 m) at 15 m is 65.2° up: inside 40° ± 37.5° for the middle columns.
    s = scenario(buildings=[building("T", 50, 40, 80, 50, floors=12)],
                 cameras=[up_cam("C", 65, 25, 0)])
    (f,) = facade_coverage(s.site)
    assert f.floors == 12 and f.seen.shape[1] == 10  # floors 3..12
    south = np.array([f.facing[e] == "S" for e in f.facade])
    assert south.sum() == 8
    assert f.seen[south].all()
    assert not f.seen[~south].any()
    assert (f.why[~south] == 1).all()  # nobody stands in front of the other facades
    r = high_altitude(s.site, facades=(f,))
    assert r.denominator == f.windows and r.numerator == 80
    assert r.status == "not_met"
    assert {e.place for e in r.evidence} == {"building T E facade", "building T N facade",
                                             "building T W facade"}


def test_a_building_in_between_blocks_the_view() -> None:
    s = scenario(buildings=[building("T", 50, 40, 80, 50, floors=12),
                            building("low", 55, 30, 75, 33, floors=3)],
                 cameras=[up_cam("C", 65, 25, 0)])
    (f,) = facade_coverage(s.site)
    south = np.array([f.facing[e] == "S" for e in f.facade])
    assert (f.why[south] == 2).any()  # the middle columns are hidden by 'low'
    assert not f.seen[south].all()


def test_floors_out_of_the_vertical_view_and_range() -> None:
    flat = up_cam("C", 65, 25, 0, tilt_deg=0, vfov_deg=20)  # sees up to 10° only
    s = scenario(buildings=[building("T", 50, 40, 80, 50, floors=12)], cameras=[flat])
    (f,) = facade_coverage(s.site)
    assert not f.seen.any() and (f.why[f.why > 0] >= 1).all() and (f.why == 3).any()
    far = up_cam("C", 65, 25, 0, width_px=400)  # detect range 400 / (50 tan 50°) = 6.7 m
    (g,) = facade_coverage(scenario(buildings=[building("T", 50, 40, 80, 50, floors=12)],
                                    cameras=[far]).site)
    assert not g.seen.any()
    (h,) = facade_coverage(scenario(buildings=[building("T", 50, 40, 80, 50, floors=12)],
                                    cameras=[far]).site, FacadeParams(density=None))
    assert h.seen.any()  # the pure field-of-view rule ignores range


def test_low_and_non_residential_buildings_are_not_required() -> None:
    s = scenario(buildings=[building("L", 50, 40, 80, 50, floors=11),
                            building("O", 100, 40, 130, 50, floors=20, residential=False)])
    assert facade_coverage(s.site) == ()
    assert high_altitude(s.site).status == "no_data"


def test_a_lower_building_in_between_hides_only_the_lower_floors() -> None:
    # Tall T (x 20..80, y 40..54, 12 floors); its south facade is 60 m: 16 columns, the 8th
    # at x = 20 + 60 * 7.5 / 16 = 48.125, window points 0.2 m out at y 39.8. Camera at
    # (50, 0), 2 m up, looking north 40° up ± 37.5°. Low L (x 40..60, y 28..36, 3 floors =
    # 9 m) stands in between. The sight line to a window at height z enters L at y 28, a
    # fraction 28 / 39.8 = 0.7035 of the way, at height 2 + (z - 2) * 0.7035 (its lowest
    # point over L: the line rises). Windows sit mid-floor, z = (floor - 0.5) * 3:
    #   floor 3: z 7.5  -> 5.87 m < 9 m: blocked      floor 4: z 10.5 -> 7.98 m: blocked
    #   floor 5: z 13.5 -> 10.09 m > 9 m: seen, and every floor above.
    # (In 2-D the ground line crosses L, so every floor would have been blocked.) All are in
    # view: floor 3 is atan(5.5 / 39.8) = 7.9° up, floor 12 atan(32.5 / 39.8) = 39.2° up.
    s = scenario(buildings=[building("T", 20, 40, 80, 54, floors=12),
                            building("L", 40, 28, 60, 36, floors=3)],
                 cameras=[up_cam("C", 50, 0, 0)])
    (f,) = facade_coverage(s.site)
    (k,) = np.flatnonzero(np.hypot(f.columns[:, 0] - 48.125, f.columns[:, 1] - 39.8) < 1e-6)
    assert f.seen[k].tolist() == [False, False] + [True] * 8  # floors 3..12
    assert f.why[k, :2].tolist() == [2, 2]
