"""Every file in examples/ works as the guide says: scenarios load and rehearse, GeoJSON imports
into its site file, and the JSON Schema beside them is current and accepts them."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from harness.cli import main
from harness.cli.session import run_virtual
from scenarios import load
from scenarios.reference import json_schema

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TOMLS = sorted(EXAMPLES.glob("*.toml"))
GEOJSONS = sorted(EXAMPLES.glob("*.geojson"))


def test_every_file_in_examples_is_covered() -> None:
    known = {*TOMLS, *GEOJSONS, EXAMPLES / "scenario.schema.json"}
    assert TOMLS and GEOJSONS
    assert sorted(set(EXAMPLES.iterdir()) - known) == []


@pytest.mark.parametrize("path", TOMLS, ids=lambda p: p.name)
def test_a_scenario_loads_and_rehearses_virtually(path: Path) -> None:
    s = load(path)
    result = run_virtual(s)
    assert result.end_s == s.run.duration_s + s.run.drain_s
    scripted = {(i.kind, i.target) for i in s.incidents.scripted}
    assert scripted <= {(lc.kind, lc.device) for lc in result.lifecycles}
    # The modelled platform answers every scripted incident: nothing in the file is unusable.
    assert all(lc.step("acknowledged") is not None for lc in result.lifecycles
               if (lc.kind, lc.device) in scripted)


@pytest.mark.parametrize("path", GEOJSONS, ids=lambda p: p.name)
def test_geojson_imports_into_its_site_file(path: Path, tmp_path: Path) -> None:
    site = path.with_name(f"{path.stem}-site.toml")
    out = tmp_path / "imported.toml"
    res = CliRunner().invoke(main, ["import-geojson", str(site), str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    imported = load(out)
    run_virtual(imported)
    # The export is of the same community as the hand-finished scenario of the same name.
    finished = load(path.with_suffix(".toml"))
    assert imported.buildings().keys() == finished.buildings().keys()
    for bid, b in imported.buildings().items():
        want = finished.buildings()[bid]
        assert (b.floors, b.households, b.name) == (want.floors, want.households, want.name)
        assert max(abs(p - q) for a, c in zip(b.footprint, want.footprint, strict=True)
                   for p, q in zip(a, c, strict=True)) < 0.05
    assert [k.id for k in imported.site.key_locations] == [
        k.id for k in finished.site.key_locations]
    assert [p.id for p in imported.site.paths] == [p.id for p in finished.site.paths]


def test_the_schema_beside_the_examples_is_current_and_accepts_them() -> None:
    committed = json.loads((EXAMPLES / "scenario.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), (
        "examples/scenario.schema.json is stale: regenerate it with "
        "`PYTHONPATH=. python -c 'from harness.cli import main; main()' schema "
        "--out examples/scenario.schema.json`")
    validator = Draft202012Validator(committed)
    for path in TOMLS:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert [e.message for e in validator.iter_errors(data)] == [], path.name
