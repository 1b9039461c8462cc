"""The whole table on the bundled demo (a golden reference: a change to a model or to the
demo's features shows here), and the inventory indicators by hand."""

from __future__ import annotations

import pytest
from sitekit import building, scenario

import scenarios
from geometry import CoverageParams, Thresholds, evaluate
from geometry.indicators import household_meters, smart_lighting
from scenarios.acceptance import load_profile

# key: (status, numerator, denominator) of the demo at the default parameters.
DEMO = {
    "gigabit_fiber": ("met", 228, 260),       # N1 8 without a leg, N3 -8.08 dB, S3 GPON
    # m² of the 1 m raster outside the six 840 m² footprints, at 90% location reliability
    "mobile_5g": ("not_met", 80936, 98960),
    "broadcast_tv": ("met", 248, 260),        # N3: IPTV only, and its drop fails
    "video_coverage": ("not_met", 80, 115),   # 3-D: the road poles' feet are out of view
    "video_metadata": ("not_met", 29, 31),
    "smart_lighting": ("met", 17, 20),
    "household_meters": ("met", 214, 260),
    "sports_walk": ("met", 260, 260),
    "high_altitude": ("not_met", 1481, 1596),
    "fire_detection": ("met", 1112, 1112),    # S3's 15 m corridor spacing meets §6.2.4
}


def test_demo_table_matches_the_golden_reference() -> None:
    cov = evaluate(scenarios.load("demo"))
    got = {r.key: (r.status, r.numerator, r.denominator) for r in cov.results}
    assert list(got) == list(DEMO)
    for key, (status, num, den) in DEMO.items():
        assert got[key][0] == status, key
        assert got[key][1] == pytest.approx(num, abs=0.05), key
        assert got[key][2] == pytest.approx(den, abs=0.05), key
    assert [r.number for r in cov.results] == [1, 2, 3, 4, 4, 5, 7, 11, 17, 20]
    occluded = cov.result("video_coverage").evidence[0]
    assert occluded.reason == ("in view of camera C-park-n but occluded by building N3 "
                               "(18 m tall)")


def test_thresholds_are_parameters() -> None:
    lax = CoverageParams(thresholds=Thresholds.from_profile(load_profile("growth"), mobile_5g=0.8,
                                                     fire_detection=0.98),
                         raster_m=4.0)
    cov = evaluate(scenarios.load("demo"), lax)
    assert cov.result("mobile_5g").met and cov.result("fire_detection").met
    assert cov.result("mobile_5g").threshold == 0.8


def test_lighting_counts_smart_fixtures() -> None:
    s = scenario(lights=[{"id": f"L{i}", "position": [i, 1], "smart": i < 4} for i in range(5)])
    r = smart_lighting(s.site)
    assert (r.numerator, r.denominator, r.met) == (4, 5, True)
    assert r.evidence[0].place == "light L4"
    assert smart_lighting(scenario().site).status == "no_data"


def test_meters_count_devices_or_declared_households_once() -> None:
    dev = [{"id": f"m{i}", "kind": "electricity_meter", "building": "A", "position": [1, 1],
            "gateway": "g", "unit": i + 1} for i in range(3)]
    s = scenario(buildings=[building("A", 0, 0, 10, 10, households=10),
                            building("B", 20, 0, 30, 10, households=10)],
                 devices=dev, household_meters=[{"building": "A", "remote_households": 2},
                                                {"building": "B", "remote_households": 8}])
    r = household_meters(s)
    assert (r.numerator, r.denominator) == (3 + 8, 20)
    water = [{**d, "id": f"w{i}", "kind": "water_meter", "unit": 10 + i}
             for i, d in enumerate(dev * 2)]  # six water meters in A: the most of one kind
    both = household_meters(scenario(buildings=[building("A", 0, 0, 10, 10, households=10)],
                                     devices=dev + water))
    assert both.numerator == 6
    assert r.status == "not_met"
    assert [e.reason for e in r.evidence] == ["7 of 10 households without a remotely read meter",
                                              "2 of 10 households without a remotely read meter"]
