"""Placement: the fewest cameras / 5G sites, exact on small cases, greedy with a bound on large."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from harness.cli import main
from harness.cli.cover import greedy, solve
from harness.cli.variants import merge
from scenarios import from_dict, load
from scenarios.loader import resolve

GATES = (30.0, 100.0, 170.0)


def gate_site(tmp_path: Path) -> tuple[Path, Path]:
    """Three gates 70 m apart (point key locations, Observe) and, per gate, a camera 6 m south
    looking north at it and a camera 6 m south looking south (away): the optimum for all three
    gates is the three cameras looking at them; for two of three, two of them."""
    box = "[[0, 0], [200, 0], [200, 100], [0, 100]]"
    gates = "\n".join(f'[[site.key_locations]]\nid = "gate{i}"\nkind = "compound_entrance"\n'
                      f"points = [[{x}, 50]]\n" for i, x in enumerate(GATES))
    scenario = tmp_path / "gates.toml"
    scenario.write_text(f"""
[site]
name = "gates"
origin = {{ lat = 34.95, lon = 115.88 }}
boundary = {box}
[[site.compounds]]
id = "c"
boundary = {box}
{gates}
[[gateways]]
id = "g"
[run]
duration_s = 60
""", "utf-8")
    cams = []
    for i, x in enumerate(GATES):
        for name, heading in (("at", 0.0), ("away", 180.0)):
            cams.append(f'[[cameras]]\nid = "{name}{i}"\nposition = [{x}, 44]\nheight_m = 3\n'
                        f"heading_deg = {heading}\nhfov_deg = 90\nvfov_deg = 60\n"
                        f"width_px = 2560\nheight_px = 1440\n")
    candidates = tmp_path / "cands.toml"
    candidates.write_text("\n".join(cams), "utf-8")
    return scenario, candidates


@pytest.mark.parametrize(("target", "count"), [(1.0, 3), (0.6, 2)])
def test_cameras_reach_the_target_with_the_known_optimum(tmp_path: Path, target: float,
                                                         count: int) -> None:
    scenario, candidates = gate_site(tmp_path)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["place", "cameras", str(scenario), "--candidates",
                                    str(candidates), "--target", str(target), "--out", str(out)])
    assert res.exit_code == 0, res.output
    got = json.loads((out / "placement.json").read_text("utf-8"))
    assert got["method"] == "exact (HiGHS MILP)" and got["gap"] == 0
    assert len(got["chosen"]) == count and all(c.startswith("at") for c in got["chosen"])
    assert got["share"] >= target
    # the patch is a scenario patch: merged into the scenario, it validates
    patch = tomllib.loads((out / "placement.toml").read_text("utf-8"))
    base = tomllib.loads(scenario.read_text("utf-8"))
    merged = from_dict(merge(base, patch))
    assert [c.id for c in merged.site.cameras] == got["chosen"]
    assert (out / "placement.png").stat().st_size > 10_000


def test_exact_beats_greedy_where_greedy_is_known_to_fail() -> None:
    # places 0..5; X = {0, 1, 2}, Y = {3, 4, 5}, Z = {0, 1, 3, 4}: greedy takes Z first and
    # then needs two more (3 sets); the optimum is X + Y (2).
    cover = np.zeros((6, 3), dtype=bool)
    cover[[0, 1, 2], 0] = cover[[3, 4, 5], 1] = cover[[0, 1, 3, 4], 2] = True
    none = np.zeros(6, dtype=bool)
    exact = solve(cover, none, 1.0)
    assert (exact.chosen, exact.lower_bound, exact.method) == ((0, 1), 2, "exact (HiGHS MILP)")
    quick = solve(cover, none, 1.0, exact_max=0)
    assert quick.method == "greedy" and len(quick.chosen) == 3
    assert quick.lower_bound == 2 and quick.gap == 1
    # what is covered already counts: with place 2 and 5 covered, Z alone is enough
    assert solve(cover, np.isin(np.arange(6), [2, 5]), 1.0).chosen == (2,)


def test_greedy_on_a_larger_case_reports_a_gap_within_its_bound() -> None:
    rng = np.random.default_rng(14)
    cover = rng.random((600, 160)) < 0.03
    cover[np.flatnonzero(~cover.any(axis=1)), 0] = True  # every place coverable
    none = np.zeros(600, dtype=bool)
    quick = solve(cover, none, 1.0, exact_max=0)
    exact = solve(cover, none, 1.0, time_limit_s=60)
    assert quick.method == "greedy" and quick.covered == 600
    assert quick.lower_bound <= exact.lower_bound <= len(quick.chosen)
    assert exact.method.startswith("exact") and len(exact.chosen) == exact.lower_bound
    # Chvátal: greedy <= H(Δ) x the LP optimum (<= H(Δ) x its ceiling, the reported bound)
    assert len(quick.chosen) <= quick.greedy_guarantee * quick.lower_bound
    assert quick.gap == len(quick.chosen) - quick.lower_bound
    assert quick.gap <= (quick.greedy_guarantee - 1) * quick.lower_bound


def test_an_unreachable_target_is_said() -> None:
    cover = np.array([[True], [False]])
    c = solve(cover, np.zeros(2, dtype=bool), 1.0)
    assert not c.feasible and c.chosen == (0,) and c.share == 0.5
    assert greedy(cover, np.array([1, 1]), 2) == [0]


def test_gnb_placement_writes_a_patch_the_scenario_accepts(tmp_path: Path) -> None:
    out = tmp_path / "gnb"
    res = CliRunner().invoke(main, ["place", "gnb", "demo", "--target", "0.9", "--res", "10",
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    got = json.loads((out / "placement.json").read_text("utf-8"))
    assert got["share"] >= 0.9 and got["feasible"]
    patch = tomllib.loads((out / "placement.toml").read_text("utf-8"))
    base = tomllib.loads(resolve("demo").read_text("utf-8"))
    merged = from_dict(merge(base, patch))
    assert [c.id for c in merged.site.cell_sites] == got["chosen"]
    assert len(load("demo").site.cell_sites) >= 1
