"""`commtwin coverage` and `commtwin generate` end to end through click."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from harness.cli.coverage import coverage, generate
from scenarios import load


def test_coverage_demo_prints_the_table_and_writes_maps(tmp_path: Path) -> None:
    res = CliRunner().invoke(coverage, ["demo", "--out", str(tmp_path), "--raster-m", "2"])
    assert res.exit_code == 0, res.output
    assert "未达标 not met" in res.output and "达标 met" in res.output
    assert "occluded by building N3" in res.output
    for name in ("rsrp", "cameras", "fiber", "facades", "walking"):
        png = tmp_path / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    table = json.loads((tmp_path / "coverage.json").read_text(encoding="utf-8"))
    keys = [r["key"] for r in table["indicators"]]
    assert keys[:2] == ["gigabit_fiber", "mobile_5g"] and len(keys) == 10


def test_a_broken_scenario_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('version = 1\n[site]\nname = "x"\n', encoding="utf-8")
    res = CliRunner().invoke(coverage, [str(bad), "--out", str(tmp_path / "o"), "--no-maps"])
    assert res.exit_code == 2  # click's status for bad input
    assert "bad.toml: site.origin = None: field required" in res.output
    assert "Traceback" not in res.output


def test_generate_writes_a_loadable_file(tmp_path: Path) -> None:
    out = tmp_path / "site.toml"
    res = CliRunner().invoke(generate, ["--households", "120", "--seed", "4", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "120 households" in res.output
    s = load(out)
    assert sum(b.households for b in s.buildings().values()) == 120
    res = CliRunner().invoke(coverage, [str(out), "--out", str(tmp_path / "cov"), "--no-maps",
                                        "--raster-m", "4"])
    assert res.exit_code == 0, res.output


def test_a_generated_community_rehearses_with_incidents(tmp_path: Path) -> None:
    from harness.cli.session import run_virtual

    out = tmp_path / "site.toml"
    res = CliRunner().invoke(generate, ["--households", "60", "--out", str(out)])
    assert res.exit_code == 0, res.output
    s = load(out)
    assert s.incidents.rates_per_hour == {"fire_alarm": 0.0203, "emergency_call": 0.0811,
                                          "meter_fault": 0.0405}  # jiahe's, per household
    result = run_virtual(s)
    kinds = {lc.kind for lc in result.lifecycles}
    assert kinds >= {"fire_alarm", "emergency_call", "meter_fault"}


def test_no_incidents_leaves_them_out(tmp_path: Path) -> None:
    from harness.cli.session import run_virtual

    out = tmp_path / "site.toml"
    res = CliRunner().invoke(generate, ["--households", "60", "--no-incidents", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "--no-incidents" in out.read_text(encoding="utf-8").splitlines()[0]
    s = load(out)
    assert s.incidents.rates_per_hour == {} and s.incidents.scripted == ()
    assert run_virtual(s).lifecycles == []
