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
    assert cov.reasons[1] == "in view of camera C but occluded by building B"
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
    assert cov.covered.sum() == 3  # 0, 9.5 and 19 m


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
