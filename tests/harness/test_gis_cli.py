"""`commtwin import-geojson`: GIS features in lat/lon become part of a scenario file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from harness.cli import main
from scenarios import load
from scenarios.geojson import LocalFrame


def lonlat(frame: LocalFrame, x: float, y: float) -> list[float]:
    lat, lon = frame.to_latlon(x, y)
    return [float(lon), float(lat)]


def test_import_adds_a_building_and_a_fire_lane_to_the_demo(tmp_path: Path) -> None:
    demo = load("demo")
    frame = LocalFrame(demo.site.origin)
    ring = [lonlat(frame, x, y) for x, y in [(20, 215), (60, 215), (60, 229), (20, 229),
                                             (20, 215)]]
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
         "properties": {"kind": "building", "id": "N4", "compound": "north", "floors": 6,
                        "households": 24}},
        {"type": "Feature", "geometry": {"type": "LineString",
                                         "coordinates": [lonlat(frame, 15, 135),
                                                         lonlat(frame, 385, 135)]},
         "properties": {"kind": "fire_lane", "id": "lane-gis"}}]}
    src = tmp_path / "site.geojson"
    src.write_text(json.dumps(geo), encoding="utf-8")
    out = tmp_path / "demo-gis.toml"
    result = CliRunner().invoke(main, ["import-geojson", "demo", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    new = load(out)
    n4 = new.buildings()["N4"]
    assert n4.floors == 6 and abs(n4.footprint[1][0] - 60.0) < 0.01
    assert "lane-gis" in {k.id for k in new.site.key_locations}
    assert len(new.devices) == len(demo.devices)


def test_import_names_the_bad_feature(tmp_path: Path) -> None:
    demo = load("demo")
    frame = LocalFrame(demo.site.origin)
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[
            lonlat(frame, 0, 0), lonlat(frame, 9, 0), lonlat(frame, 9, 9), lonlat(frame, 0, 0)]]},
         "properties": {"kind": "building", "id": "X", "compound": "nowhere", "floors": 3,
                        "households": 6}}]}
    src = tmp_path / "bad.geojson"
    src.write_text(json.dumps(geo), encoding="utf-8")
    result = CliRunner().invoke(main, ["import-geojson", "demo", str(src), "--out",
                                       str(tmp_path / "x.toml")])
    assert result.exit_code != 0
    assert "bad.geojson: buildings[0].compound = 'nowhere': no such compound" in result.output
