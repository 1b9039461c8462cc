"""The site-feature schema: bad values and dangling references are errors that name the field
path; GeoJSON features are projected into the local frame."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios import ScenarioError, from_dict
from scenarios.base import LatLon
from scenarios.geojson import LocalFrame, merge_features, read_features

ORIGIN = {"lat": 34.953, "lon": 115.889}


def base(**features: Any) -> dict[str, Any]:
    return {"site": {"name": "t", "origin": ORIGIN, "boundary": [[0, 0], [100, 0], [100, 100]],
                     "compounds": [{"id": "c", "boundary": [[0, 0], [100, 0], [100, 100]],
                                    "buildings": [{"id": "B", "floors": 6, "households": 24,
                                                   "footprint": [[10, 10], [40, 10],
                                                                 [40, 20]]}]}],
                     **features},
            "gateways": [{"id": "g"}], "run": {"duration_s": 60}}


PLANT = {"olts": [{"id": "O", "ports": [{"id": "0", "pon_class": "XGS-PON-N1"}]}],
         "splitters": [{"id": "S", "ratio": 32, "feed": "O/0"}],
         "fiber_drops": [{"id": "D", "building": "B", "splitter": "S", "households": 24}]}


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        from_dict(data, file="t.toml")
    return [f"{p.path} = {p.value!r}: {p.rule}" for p in err.value.problems]


def test_a_full_feature_set_loads() -> None:
    s = from_dict(base(**PLANT, cell_sites=[{"id": "x", "position": [5, 5], "height_m": 25,
                                             "tx_power_dbm": 46, "frequency_ghz": 3.5}]))
    assert s.site.splitters[0].ratio == 32 and s.site.cell_sites[0].scenario == "UMa"


def test_cross_references_name_the_field() -> None:
    bad = base(
        key_locations=[{"id": "r", "kind": "main_road", "points": [[0, 0]]}],
        public_areas=[{"id": "a", "building": "Z", "floor": 1, "polygon": [[0, 0], [1, 0],
                                                                          [1, 1]]}],
        fire_detectors=[{"id": "d", "building": "B", "floor": 7, "position": [1, 1]}],
        olts=PLANT["olts"], splitters=[{"id": "S", "ratio": 32, "feed": "O/9"},
                                       {"id": "T", "ratio": 8, "feed": "U"},
                                       {"id": "U", "ratio": 8, "feed": "T"}],
        fiber_drops=[{"id": "D", "building": "B", "splitter": "Q", "households": 30}],
        cell_sites=[{"id": "x", "position": [5, 5], "height_m": 25, "tx_power_dbm": 46,
                     "frequency_ghz": 3.5, "bandwidth_mhz": 35}],
        tv_services=[{"building": "B"}, {"building": "B"}],
        household_meters=[{"building": "B", "remote_households": 25}])
    got = problems(bad)
    expect = [
        "site.key_locations[0].points = [(0.0, 0.0)]: a main_road is a polyline: give >= 2 "
        "points",
        "site.public_areas[0].building = 'Z': no such building (known: B)",
        "site.fire_detectors[0].floor = 7: building 'B' has 6 floors",
        "site.splitters[0].feed = 'O/9': must be an OLT port as 'olt/port' or a splitter id "
        "(ports: O/0)",
        "site.splitters[1].feed = 'U': splitters feed each other in a loop",
        "site.splitters[2].feed = 'T': splitters feed each other in a loop",
        "site.fiber_drops[0].splitter = 'Q': no such splitter",
        "site.fiber_drops[0].households = 30: drops to 'B' now serve 30 households, it has 24",
        "site.cell_sites[0].bandwidth_mhz = 35: not an NR channel at 30 kHz SCS (TS 38.101-1: "
        "[5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100])",
        "site.tv_services[1].building = 'B': one entry per building",
        "site.household_meters[0].remote_households = 25: building 'B' has 24 households",
    ]
    assert got == expect


FIELDS = [
    ("cameras", {"id": "c", "position": [1, 1], "heading_deg": 0, "hfov_deg": 90,
                 "vfov_deg": 50, "width_px": 1920, "height_px": 1080}),
    ("cell_sites", {"id": "x", "position": [5, 5], "height_m": 25, "tx_power_dbm": 46,
                    "frequency_ghz": 3.5}),
    ("fire_detectors", {"id": "d", "building": "B", "floor": 1, "position": [1, 1]}),
    ("splitters", {"id": "S", "ratio": 32, "feed": "O/0"}),
]
BAD = {"heading_deg": 360, "hfov_deg": 0, "height_m": -1, "frequency_ghz": 0, "floor": -20,
       "radius_m": 0, "ratio": 10, "width_px": 0, "tx_power_dbm": 100, "feeder_km": -1}


@settings(max_examples=40, deadline=None)
@given(which=st.sampled_from(FIELDS), field=st.sampled_from(sorted(BAD)))
def test_any_one_bad_field_is_named(which: tuple[str, dict[str, Any]], field: str) -> None:
    name, item = which
    data = base(**PLANT)
    item = copy.deepcopy(item)
    item[field] = BAD[field]
    data["site"][name] = [item]
    if name == "splitters":
        data["site"]["fiber_drops"] = []
    with pytest.raises(ScenarioError) as err:
        from_dict(data, file="t.toml")
    assert f"site.{name}[0].{field}" in err.value.paths
    assert str(err.value).startswith("t.toml: ")


def test_unknown_keys_are_errors() -> None:
    got = problems(base(lights=[{"id": "L", "position": [1, 1], "smrat": True}]))
    assert got == ["site.lights[0].smrat = True: extra inputs are not permitted"]


def test_local_frame_round_trip_and_scale() -> None:
    f = LocalFrame(LatLon(**ORIGIN))
    lat, lon = f.to_latlon([0.0, 1000.0], [0.0, 500.0])
    assert lat[0] == pytest.approx(ORIGIN["lat"]) and lon[0] == pytest.approx(ORIGIN["lon"])
    x, y = f.to_local(lat, lon)
    assert x == pytest.approx([0.0, 1000.0], abs=1e-6)
    assert y == pytest.approx([0.0, 500.0], abs=1e-6)
    # 0.001° of latitude is ~110.9 m at 35° N
    _, y1 = f.to_local(ORIGIN["lat"] + 0.001, ORIGIN["lon"])
    assert float(y1) == pytest.approx(110.9, abs=0.2)


def gj(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def lonlat(x: float, y: float) -> list[float]:
    lat, lon = LocalFrame(LatLon(**ORIGIN)).to_latlon(x, y)
    return [float(lon), float(lat)]


def test_geojson_buildings_and_key_locations_land_in_the_local_frame() -> None:
    ring = [lonlat(50, 50), lonlat(80, 50), lonlat(80, 64), lonlat(50, 64), lonlat(50, 50)]
    feats = read_features(gj([
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"kind": "building", "id": "G1", "compound": "c", "floors": 18,
                        "households": 72}},
        {"type": "Feature", "geometry": {"type": "LineString",
                                         "coordinates": [lonlat(0, 5), lonlat(99, 5)]},
         "properties": {"kind": "fire_lane", "id": "L"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": lonlat(30, 0)},
         "properties": {"kind": "compound_entrance", "id": "gate"}},
    ]), LatLon(**ORIGIN))
    (cid, b), = feats.buildings
    assert cid == "c" and b.floors == 18 and len(b.footprint) == 4
    assert b.footprint[1] == pytest.approx((80.0, 50.0), abs=1e-3)
    assert feats.key_locations[1].points == ((30.0, 0.0),)
    site = merge_features(from_dict(base()).site, feats)
    assert [x.id for x in site.compounds[0].buildings] == ["B", "G1"]
    assert [k.id for k in site.key_locations] == ["L", "gate"]


def test_geojson_errors_name_the_feature() -> None:
    with pytest.raises(ScenarioError) as err:
        read_features(gj([
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [200, 95]},
             "properties": {"kind": "compound_entrance", "id": "x"}},
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[
                lonlat(0, 0), lonlat(1, 0), lonlat(1, 1)]]},
             "properties": {"kind": "building", "id": "b", "compound": "c", "floors": 0,
                            "households": 1}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": lonlat(1, 1)},
             "properties": {"kind": "tree"}},
        ]), LatLon(**ORIGIN), file="gis.geojson")
    assert err.value.paths == ("features[0].geometry.coordinates",
                               "features[1].properties.floors", "features[2].properties.kind")
    assert str(err.value).startswith("gis.geojson: features[0].geometry.coordinates = [200, 95]")
    with pytest.raises(ScenarioError, match="must be a FeatureCollection"):
        read_features([], LatLon(**ORIGIN))  # type: ignore[arg-type]
