"""Key-location coverage: one camera and one occluding building by hand, DORI ranges, and the
monotonicity properties of coverage."""

from __future__ import annotations

from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from sitekit import building, scenario

from geometry.camera_views import covered_ground
from geometry.cameras import camera_coverage, dori_range_m
from geometry.indicators import video_key_locations


def cam(cid: str, x: float, y: float, heading: float, hfov: float = 90.0,
        width: int = 2560) -> dict[str, Any]:
    return {"id": cid, "position": [x, y], "heading_deg": heading, "hfov_deg": hfov,
            "vfov_deg": 50, "width_px": width, "height_px": 1440}


def test_dori_ranges_of_a_2560_px_90_degree_camera() -> None:
    # W / (2 D tan 45°) = 2560 / (2 D)
    assert dori_range_m(2560, 90, "identify") == pytest.approx(5.12)
    assert dori_range_m(2560, 90, "recognise") == pytest.approx(10.24)
    assert dori_range_m(2560, 90, "observe") == pytest.approx(20.48)
    assert dori_range_m(2560, 90, "detect") == pytest.approx(51.2)


def test_one_camera_one_building_by_hand() -> None:
    # Camera at (20, 50) looking east (90°), 90° wide, detect range 51.2 m. Building from
    # x 40..45, y 45..55 sits in front of it. Key points:
    #   (30, 50)  in front of the building, 10 m: seen
    #   (60, 50)  straight behind the building: occluded
    #   (60, 80)  bearing 53° from the camera, inside ±45°?  no: 53° off north = 37° off axis
    #             -> in sector, 50 m away, line passes above the building: seen
    #   (20, 90)  due north, 40 m: outside the sector
    #   (80, 50)  60 m away, behind the building and beyond 51.2 m
    #   (19, 50)  1 m behind the camera: outside the sector
    pts = [(30, 50), (60, 50), (60, 80), (20, 90), (80, 50), (19, 50)]
    s = scenario(buildings=[building("B", 40, 45, 45, 55)], cameras=[cam("C", 20, 50, 90)],
                 key_locations=[{"id": f"k{i}", "kind": "compound_entrance", "points": [p]}
                                for i, p in enumerate(pts)])
    cov = camera_coverage(s.site, density="detect")
    assert cov.seen_by.tolist() == [1, 0, 1, 0, 0, 0]
    # B has 6 floors of 3 m: 18 m, far above the 3 m camera and the 1.6 m target.
    assert cov.reasons[1] == "in view of camera C but occluded by building B (18 m tall)"
    assert cov.reasons[3].startswith("outside the view of camera C: at bearing 0°")
    assert cov.reasons[4].startswith("beyond every camera's detect range: nearest camera C "
                                     "is 60 m away, its range 51 m")
    r = video_key_locations(s.site, coverage=cov)
    assert (r.numerator, r.denominator) == (2, 6)
    assert r.status == "not_met" and r.evidence_count == 4


def test_roads_are_sampled_every_10_m() -> None:
    s = scenario(key_locations=[{"id": "r", "kind": "main_road", "points": [[0, 50], [95, 50]]}],
                 cameras=[cam("C", 0, 50, 90)])
    cov = camera_coverage(s.site, density="observe")  # 20.48 m reach
    assert len(cov.points.xy) == 11  # 95 m in 10 spans of 9.5 m, both ends
    # The camera (3 m up, level, VFOV 50°) sees 9.5 m (8.4° down) and 19 m (4.2° down, slant
    # 19.05 m); the point right under it (1.4 m below, 90° off the axis) is not in its view.
    assert cov.covered.tolist() == [False, True, True] + [False] * 8


def test_no_camera_means_nothing_is_seen() -> None:
    s = scenario(key_locations=[{"id": "g", "kind": "compound_entrance", "points": [[5, 5]]}])
    r = video_key_locations(s.site)
    assert r.ratio == 0.0 and r.evidence[0].reason == "no camera in the site model"


cams = st.lists(st.tuples(st.floats(0, 200), st.floats(0, 100), st.floats(0, 359.9),
                          st.floats(10, 170)), min_size=0, max_size=4)
KEYS = [{"id": "road", "kind": "main_road", "points": [[0, 20], [200, 20], [200, 90]]},
        {"id": "gate", "kind": "compound_entrance", "points": [[100, 60]]}]
BLDS = [building("A", 60, 30, 90, 45), building("B", 120, 60, 150, 75)]


def placed(cid: str, c: tuple[float, ...], width: int = 2560) -> dict[str, Any]:
    """A camera from a drawn (x, y, heading, hfov) tuple."""
    x, y, heading, hfov = c
    return cam(cid, x, y, heading, hfov, width)


def _site(cs: list[dict[str, Any]]) -> Any:
    return scenario(buildings=BLDS, cameras=cs, key_locations=KEYS).site


@settings(max_examples=30, deadline=None)
@given(cs=cams, extra=st.tuples(st.floats(0, 200), st.floats(0, 100), st.floats(0, 359.9),
                                st.floats(10, 170)))
def test_adding_a_camera_never_uncovers_a_point(cs: list[tuple[float, ...]],
                                                extra: tuple[float, ...]) -> None:
    base = [placed(f"c{i}", c) for i, c in enumerate(cs)]
    before = camera_coverage(_site(base), density="detect").covered
    after = camera_coverage(_site([*base, placed("extra", extra)]), density="detect")
    assert (after.covered | ~before).all()
    r = video_key_locations(_site(base), coverage=after)
    assert r.ratio is not None and 0.0 <= r.ratio <= 1.0


@settings(max_examples=30, deadline=None)
@given(c=st.tuples(st.floats(0, 200), st.floats(0, 100), st.floats(0, 359.9),
                   st.floats(10, 170)), w=st.integers(200, 4000), more=st.integers(1, 4000))
def test_a_longer_range_never_uncovers_a_point(c: tuple[float, ...], w: int, more: int) -> None:
    near = camera_coverage(_site([placed("c", c, width=w)]), density="observe").covered
    far = camera_coverage(_site([placed("c", c, width=w + more)]), density="observe").covered
    assert (far | ~near).all()


@settings(max_examples=20, deadline=None)
@given(cs=cams)
def test_covered_ground_lies_inside_the_boundary(cs: list[tuple[float, ...]]) -> None:
    site = _site([placed(f"c{i}", c, width=4000) for i, c in enumerate(cs)])
    ground = covered_ground(site, density="detect")
    assert shapely.difference(ground, shapely.Polygon(site.boundary)).area <= 1e-9
    assert ground.area <= 200 * 100


# --- 3-D cases by hand -------------------------------------------------------------------

POLE = {"id": "P", "position": [50, 50], "height_m": 6, "heading_deg": 90, "tilt_deg": -30,
        "hfov_deg": 60, "vfov_deg": 35, "width_px": 3840, "height_px": 2160}
# Observe range of the pole camera: 3840 / (2 * 62.5 * tan 30°) = 53.2 m.
# Its axis points 30° down, the frame spans 30° ± 17.5° = [12.5°, 47.5°] below level.
POLE_CASES = [
    # (point, target height m, seen)
    ((50, 50), 1.6, False),  # right under the pole: 90° down, far outside [12.5°, 47.5°]
    ((60, 50), 1.6, True),   # 10 m out: atan(4.4 / 10) = 23.7° down, inside
    ((60, 50), 0.5, True),   # a plate 10 m out: atan(5.5 / 10) = 28.8° down, inside
    ((80, 50), 1.6, False),  # 30 m out: atan(4.4 / 30) = 8.3° down, above the frame's top
    ((55, 50), 1.6, True),   # 5 m out: atan(4.4 / 5) = 41.3° down, inside (<= 47.5°)
]


def test_a_pole_top_camera_does_not_see_under_itself() -> None:
    cases = POLE_CASES
    keys = [{"id": f"k{i}", "kind": "compound_entrance", "points": [p], "target_height_m": h}
            for i, (p, h, _) in enumerate(cases)]
    s = scenario(cameras=[POLE], key_locations=keys)
    cov = camera_coverage(s.site)
    assert cov.covered.tolist() == [seen for _, _, seen in cases]
    assert cov.reasons[0] == ("outside the vertical view of camera P: the point is at -90.0° "
                              "elevation, the camera looks -30.0° ± 17.5°")
    assert cov.reasons[3].startswith("outside the vertical view of camera P: the point is at "
                                     "-8.3° elevation")


def test_a_key_location_can_ask_for_identify() -> None:
    # Identify (250 px/m): 3840 / (2 * 250 * tan 30°) = 13.3 m slant. 10 m out the slant is
    # sqrt(10² + 4.4²) = 10.9 m: seen; 12.5 m out (atan(4.4 / 12.5) = 19.4° down, in the
    # frame) the slant is 13.25 m: seen; 13 m out: 13.72 m > 13.3 m: not seen.
    keys = [{"id": f"k{x}", "kind": "compound_entrance", "points": [[50 + x, 50]],
             "dori_level": "identify"} for x in (10, 12.5, 13)]
    cov = camera_coverage(scenario(cameras=[POLE], key_locations=keys).site)
    assert cov.covered.tolist() == [True, True, False]
    assert cov.reasons[2].startswith("beyond every camera's identify range")


WALL = {"position": [60, 50], "height_m": 4, "tilt_deg": 0, "hfov_deg": 90, "vfov_deg": 50,
        "width_px": 2560, "height_px": 1440}


def test_a_wall_mounted_camera_does_not_see_through_its_building() -> None:
    # Building B spans x 40..60, y 40..60 (6 floors, 18 m). Cameras on its east wall (x 60):
    # one looks west into the building, one east, away from it; one is given 0.5 m inside
    # the wall and looks east (taken to be mounted on that wall). Targets 15 m either side:
    # (30, 50) behind the building, (75, 50) in front of the east wall; both 1.6 m up,
    # 2.4 m below the camera: 9.1° down, in a level camera's ±25°, within its Detect range
    # 2560 / (2 * 25 * tan 45°) = 51.2 m.
    cams = [{"id": "in", **WALL, "heading_deg": 270},
            {"id": "out", **WALL, "heading_deg": 90},
            {"id": "inside", **WALL, "position": [59.5, 50], "heading_deg": 90}]
    keys = [{"id": "behind", "kind": "compound_entrance", "points": [[30, 50]]},
            {"id": "front", "kind": "compound_entrance", "points": [[75, 50]]}]
    s = scenario(buildings=[building("B", 40, 40, 60, 60)], cameras=cams, key_locations=keys)
    cov = camera_coverage(s.site, density="detect")
    assert cov.seen_by.tolist() == [0, 2]
    assert cov.reasons[0] == "in view of camera in but occluded by building B (18 m tall)"
    only_in = camera_coverage(s.site, density="detect", cameras=s.site.cameras[:1])
    assert only_in.seen_by.tolist() == [0, 0]


def test_a_high_camera_sees_over_a_low_building() -> None:
    # Camera 30 m up at (0, 50), looking east 30° down; target (60, 50) at 1.6 m: 28.4 m
    # below over 60 m, atan(28.4 / 60) = 25.3° down, inside 30° ± 17.5°; slant 66.4 m, within
    # Detect 3840 / (2 * 25 * tan 30°) = 133 m. A one-floor (3 m) building spans x 20..30: the
    # sight line is 30 - 28.4 * 20 / 60 = 20.5 m up at x 20 and 15.8 m at x 30: clear. The
    # same building with 8 floors (24 m) blocks it (20.5 m < 24 m at x 20).
    cam = {**POLE, "position": [0, 50], "height_m": 30}
    key = [{"id": "k", "kind": "compound_entrance", "points": [[60, 50]]}]
    low = scenario(buildings=[building("L", 20, 45, 30, 55, floors=1)], cameras=[cam],
                   key_locations=key)
    tall = scenario(buildings=[building("L", 20, 45, 30, 55, floors=8)], cameras=[cam],
                    key_locations=key)
    assert camera_coverage(low.site, density="detect").covered.tolist() == [True]
    assert camera_coverage(tall.site, density="detect").covered.tolist() == [False]


@settings(max_examples=30, deadline=None)
@given(tilt=st.floats(-89, 89), vfov=st.floats(1, 179), more=st.floats(0, 90),
       h=st.floats(0.5, 30))
def test_a_wider_vertical_view_never_uncovers_a_point(tilt: float, vfov: float, more: float,
                                                      h: float) -> None:
    base = {**POLE, "tilt_deg": tilt, "vfov_deg": vfov, "height_m": h}
    wide = {**base, "vfov_deg": min(179.0, vfov + more)}
    before = camera_coverage(_site([base]), density="detect").covered
    after = camera_coverage(_site([wide]), density="detect").covered
    assert (after | ~before).all()
