"""Fire detectors per GB 50116-2013 §6.2, against cases worked out by hand from the standard's
table 6.2.2, formula 6.2.2 and §6.2.4 (each derivation is in the case's comment)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sitekit import box, building, scenario

from geometry.detectors import detector_coverage, protection, required_count
from geometry.indicators import fire_detection


def det(did: str, x: float, y: float, **kw: Any) -> dict[str, Any]:
    return {"id": did, "building": "B", "floor": 1, "position": [x, y], **kw}


def area(aid: str, poly: list[list[float]], **kw: Any) -> dict[str, Any]:
    return {"id": aid, "building": "B", "floor": 1, "polygon": poly, **kw}


def judge(areas: list[dict[str, Any]], dets: list[dict[str, Any]]) -> Any:
    s = scenario(buildings=[building("B", 0, 0, 60, 40)], public_areas=areas,
                 fire_detectors=dets)
    return s, detector_coverage(s.site)


def test_table_6_2_2_lookups() -> None:
    # (kind, S m², h m, θ deg) -> (A m², R m), read off table 6.2.2.
    cases = [
        (("smoke", 72, 3, 0), (80, 6.7)),     # S <= 80, h <= 12, θ <= 15°
        (("smoke", 72, 3, 20), (80, 7.2)),    # 15° < θ <= 30°
        (("smoke", 262, 3, 0), (60, 5.8)),    # S > 80, h <= 6
        (("smoke", 262, 8, 0), (80, 6.7)),    # S > 80, 6 < h <= 12
        (("smoke", 262, 8, 35), (120, 9.9)),  # S > 80, 6 < h <= 12, θ > 30°
        (("heat", 25, 3, 0), (30, 4.4)),      # S <= 30, h <= 8
        (("heat", 60, 3, 0), (20, 3.6)),      # S > 30, h <= 8
        (("heat", 60, 3, 40), (40, 6.3)),
    ]
    for args, want in cases:
        assert protection(*args) == want, args
    assert protection("smoke", 72, 13, 0) is None  # no row above 12 m


def test_a_2_m_corridor_with_smoke_detectors_15_m_apart_is_compliant() -> None:
    # 45 m x 2 m corridor (< 3 m wide: §6.2.4 alone). Detectors at 7.5, 22.5, 37.5 m:
    # spacing 15 m <= 15 m; end walls 7.5 m <= 15 / 2. Mid-spacing points are 7.5 m from
    # both detectors, more than R = 6.7 m, which does not apply in such a corridor.
    (a,) = judge([area("S3-corridor", box(0, 10, 45, 12))],
                 [det(f"d{i}", x, 11) for i, x in enumerate((7.5, 22.5, 37.5))])[1]
    assert a.rule == "corridor" and a.failures == ()
    assert a.covered_m2 == pytest.approx(90.0)


def test_a_corridor_with_18_m_spacing_fails_naming_the_rule() -> None:
    # Detectors at 7.5 and 25.5 m of a 33 m corridor: spacing 18 m > 15 m; end walls 7.5 m
    # (ok). Protected bands: 7.5 +- 7.5 = 0..15 and 25.5 +- 7.5 = 18..33: 30 of 33 m -> 60 m².
    s, (a,) = judge([area("S3-corridor", box(0, 10, 33, 12))],
                    [det("d0", 7.5, 11), det("d1", 25.5, 11)])
    assert a.failures == ("spacing 18.0 m > 15 m between d0 and d1 (GB 50116-2013 §6.2.4)",)
    assert a.covered_m2 == pytest.approx(60.0)
    r = fire_detection(s.site)
    assert r.status == "not_met"
    assert r.evidence[0].place == "S3-corridor (building B floor 1)"


def test_a_72_m2_room_with_one_central_detector_is_compliant() -> None:
    # 9 m x 8 m = 72 m² <= 80, h 3 m <= 12, flat: A 80 m², R 6.7 m. N >= 72 / 80 = 0.9 -> 1.
    # From the centre (4.5, 4) the corners are sqrt(4.5² + 4²) = 6.02 m <= 6.7 m away.
    s, (a,) = judge([area("room", box(0, 0, 9, 8), kind="lobby")], [det("d", 4.5, 4)])
    assert a.rule == "radius" and a.required == 1 and a.failures == ()
    assert a.covered_m2 == pytest.approx(72.0)
    assert fire_detection(s.site).met


def test_a_262_m2_hall_needs_5_detectors_not_4() -> None:
    # 16 m x 16.375 m = 262 m² > 80, h 3 m <= 6, flat: A 60 m², R 5.8 m.
    # N >= 262 / (1.0 x 60) = 4.37 -> 5. Four detectors at the quarter centres reach every
    # point: the far corner of a 8 x 8.1875 m quarter is sqrt(4² + 4.09375²) = 5.72 m <= 5.8 m
    # away, so the count rule alone fails.
    pos = [(4, 4.09375), (12, 4.09375), (4, 12.28125), (12, 12.28125)]
    s, (a,) = judge([area("hall", box(0, 0, 16, 16.375), kind="lobby")],
                    [det(f"d{i}", x, y) for i, (x, y) in enumerate(pos)])
    assert a.area_m2 == pytest.approx(262.0)
    assert a.required == 5
    assert a.failures == ("4 smoke detector(s) < 5 required: N >= S / (K A) = 262.0 / (1 x 60) "
                          "= 4.37 (GB 50116-2013 §6.2.2, formula 6.2.2)",)
    assert a.covered_m2 == pytest.approx(262.0, abs=0.1)
    r = fire_detection(s.site)
    assert r.status == "not_met" and r.ratio == pytest.approx(1.0)  # all protected, too few
    five = judge([area("hall", box(0, 0, 16, 16.375))],
                 [det(f"d{i}", x, y) for i, (x, y) in enumerate([*pos, (8, 8)])])[1][0]
    assert five.failures == ()


def test_a_room_without_a_detector_fails_although_the_next_rooms_disc_reaches_in() -> None:
    # Rooms A (x 0..6) and B (x 6..12), 6 m deep, 36 m² each: A 80, R 6.7. The only detector
    # is in A at (4, 3): its disc reaches 4.7 m into B, but not through the wall. A: farthest
    # corner sqrt(4² + 3²) = 5 m <= 6.7 m, compliant. B: no detector (§6.2.2 item 1), 0 m².
    s, (a, b) = judge([area("A", box(0, 0, 6, 6), kind="lobby"),
                       area("B", box(6, 0, 12, 6), kind="lobby")], [det("d", 4, 3)])
    assert a.failures == () and a.covered_m2 == pytest.approx(36.0)
    assert b.covered_m2 == 0.0 and b.detectors == 0
    assert b.failures == ("no detector in the room (GB 50116-2013 §6.2.2 item 1: every room "
                          "needs its own)",)
    r = fire_detection(s.site)
    assert r.status == "not_met" and r.ratio == pytest.approx(0.5)


def test_ceiling_height_limits_and_stray_detectors() -> None:
    # Smoke under a 14 m ceiling (> 12 m) and heat A2 under 7 m (> 6 m) protect nothing
    # (table 5.2.1); a detector on the floor but in no room is reported.
    s, (hi, mid) = judge(
        [area("atrium", box(0, 0, 9, 8), ceiling_height_m=14),
         area("store", box(20, 0, 25, 5), ceiling_height_m=7)],
        [det("s", 4.5, 4), det("h", 22.5, 2.5, kind="heat", heat_class="A2"),
         det("lost", 50, 30)])
    assert hi.failures == ("s: ceiling 14 m > 12 m, the limit for point smoke detectors "
                           "(GB 50116-2013 §5.2.1, table 5.2.1)",)
    assert mid.failures[0].startswith("h: ceiling 7 m > 6 m")
    assert hi.covered_m2 == 0.0
    r = fire_detection(s.site)
    assert any(e.place.startswith("detector lost") for e in r.evidence)


def test_detectors_only_count_on_their_own_floor() -> None:
    areas = [area(f"c{f}", box(0, 4, 30, 6)) | {"floor": f} for f in (1, 2)]
    # One heat detector mid-corridor on floor 1: §6.2.4 bands of 10 m, so 10..20 m of the
    # 30 m corridor (20 m²); both end walls are 15 m > 5 m away. Floor 2 has none.
    s, (c1, c2) = judge(areas, [det("d1", 15, 5, kind="heat")])
    assert c2.covered_m2 == 0.0 and c2.detectors == 0
    assert c1.covered_m2 == pytest.approx(20.0)
    assert c1.failures == ("end wall 15.0 m from d1 > 5 m (half the spacing) "
                           "(GB 50116-2013 §6.2.4)",) * 2
    assert fire_detection(s.site).status == "not_met"


def test_no_public_area_is_no_data() -> None:
    assert fire_detection(scenario().site).status == "no_data"


@settings(max_examples=60, deadline=None)
@given(s1=st.floats(1, 2000), more=st.floats(0, 2000), k=st.floats(0.7, 1.0),
       a=st.sampled_from([20.0, 30.0, 40.0, 60.0, 80.0, 100.0, 120.0]))
def test_the_count_rule_is_monotone_in_area_and_k(s1: float, more: float, k: float,
                                                  a: float) -> None:
    assert required_count(s1, k, a) <= required_count(s1 + more, k, a)
    assert required_count(s1, 1.0, a) <= required_count(s1, k, a)
    assert required_count(s1, k, a) * k * a >= s1 - 1e-6


@settings(max_examples=30, deadline=None)
@given(pts=st.lists(st.tuples(st.floats(0.5, 19.5), st.floats(0.5, 12.5)), max_size=6),
       extra=st.tuples(st.floats(0.5, 19.5), st.floats(0.5, 12.5)))
def test_adding_a_detector_never_shrinks_the_protected_space(
        pts: list[tuple[float, float]], extra: tuple[float, float]) -> None:
    room = [area("hall", box(0, 0, 20, 13))]
    before = judge(room, [det(f"d{i}", x, y) for i, (x, y) in enumerate(pts)])[1][0]
    after = judge(room, [det(f"d{i}", x, y) for i, (x, y) in enumerate([*pts, extra])])[1][0]
    assert 0.0 <= before.share <= 1.0 + 1e-9
    assert after.covered_m2 >= before.covered_m2 - 1e-6
