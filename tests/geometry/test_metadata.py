"""GB/T 28181 camera record compliance."""

from __future__ import annotations

from typing import Any

from sitekit import scenario

from geometry.indicators import video_metadata
from geometry.metadata import check_records, gb_id_problems
from scenarios.base import LatLon
from scenarios.geojson import LocalFrame

GOOD = "37172300" + "01" + "132" + "7" + "000001"


def test_a_good_id_has_no_problem() -> None:
    assert len(GOOD) == 20
    assert gb_id_problems(GOOD, "371723") == []


def test_each_part_of_the_id_is_checked() -> None:
    assert gb_id_problems("3717230001132700001", "371723") == [
        "id '3717230001132700001' is not 20 digits"]
    assert gb_id_problems("37172300011327000０1", "371723")[0].endswith("is not 20 digits")
    assert gb_id_problems("37170100" + GOOD[8:], "371723") == [
        "id division 371701 is not the site's 371723"]
    assert gb_id_problems(GOOD[:8] + "30" + GOOD[10:], "371723") == [
        "industry code 30 is not a GB/T 28181 industry"]
    assert gb_id_problems(GOOD[:10] + "134" + GOOD[13:], "371723") == [
        "type code 134 (alarm input) is not a camera type (131/132)"]
    assert gb_id_problems(GOOD[:13] + "9" + GOOD[14:], "371723") == ["network code 9 is reserved"]


def record(cid: str, gb_id: str, x: float, y: float, **kw: Any) -> dict[str, Any]:
    lat, lon = LocalFrame(LatLon(lat=34.953, lon=115.889)).to_latlon(x, y)
    return {"id": cid, "gb_id": gb_id, "name": cid, "division_code": "371723",
            "latlon": {"lat": float(lat), "lon": float(lon)}, "position": [x, y],
            "heading_deg": 0, "hfov_deg": 90, "vfov_deg": 50, "width_px": 1920,
            "height_px": 1080, **kw}


def test_record_level_rules() -> None:
    s = scenario(cameras=[
        record("a", GOOD, 10, 10),
        record("b", GOOD[:-1] + "2", 10, 10, name="  "),
        record("c", GOOD[:-1] + "3", 250, 10),            # registered 50 m outside
        record("d", GOOD[:-1] + "4", 10, 10, division_code="371702"),
        record("e", GOOD[:-1] + "5", 10, 10, latlon=None),
        record("f", GOOD[:-1] + "6", 10, 10),
        record("g", GOOD[:-1] + "6", 10, 10),              # same id as f
    ])
    checks = {c.camera_id: c.problems for c in check_records(s.site)}
    assert checks["a"] == ()
    assert checks["b"] == ("no name",)
    assert len(checks["c"]) == 1 and "outside the community boundary" in checks["c"][0]
    assert checks["d"] == ("registered division '371702' is not within the site's 371723",)
    assert checks["e"] == ("no registered coordinates",)
    assert checks["f"] == checks["g"] == ("id shared by 2 cameras",)
    r = video_metadata(s.site)
    assert (r.numerator, r.denominator, r.status) == (1, 7, "not_met")
    assert [e.place for e in r.evidence] == [f"camera {c}" for c in "bcdefg"]


def test_no_camera_is_no_data_not_met() -> None:
    r = video_metadata(scenario().site)
    assert r.status == "no_data" and r.ratio is None and not r.met
