"""Sweeps: variants from a spec, the same table on a 2-worker LocalCluster as serially, the
statistics behind the plots, and the command's outputs."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from harness.cli import main
from harness.cli.sweep import run_sweep
from harness.cli.sweep_stats import pareto, ratio_ci, summarize, wilson
from harness.cli.variants import Param, Spec, SpecError, apply, load_spec, variants

SMALL = """
scenario = "demo"
replications = 2
seed = 7
[[patch.responders.teams]]
id = "carers"
posts = [[200, 130], [60, 130]]
shifts = [{ start_h = 0, end_h = 24, count = 1 }]
[[param]]
name = "carers"
path = "responders.teams.0.shifts.0.count"
values = [1, 2]
[[param]]
name = "poll_s"
path = "platform.poll_interval_s"
values = [1.0, 20.0]
[cost]
responder = 1000
"""


def spec_file(tmp_path: Path, text: str = SMALL) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, "utf-8")
    return path


def test_grid_and_random_variants_are_fixed_by_the_spec(tmp_path: Path) -> None:
    spec, ref = load_spec(spec_file(tmp_path))
    assert ref == "demo"
    assert variants(spec) == [{"carers": 1, "poll_s": 1.0}, {"carers": 1, "poll_s": 20.0},
                              {"carers": 2, "poll_s": 1.0}, {"carers": 2, "poll_s": 20.0}]
    rnd = Spec(scenario="demo", sampling="random", samples=5, seed=3, param=(
        Param(name="poll", path="platform.poll_interval_s", low=1, high=10),
        Param(name="n", path="x", values=(1, 2, 3))))
    first = variants(rnd)
    assert first == variants(rnd) and len(first) == 5
    assert all(1 <= v["poll"] <= 10 and v["n"] in (1, 2, 3) for v in first)


def test_params_set_and_filter_scenario_lists() -> None:
    data = {"site": {"cameras": [{"id": "a", "purpose": "facade"}, {"id": "b"},
                                 {"id": "c", "purpose": "key_location"}]},
            "platform": {"poll_interval_s": 1.0}}
    apply(data, Param(name="p", path="platform.poll_interval_s", values=(5.0,)), 5.0)
    apply(data, Param(name="c", path="site.cameras", op="keep_where", values=(["facade"],)),
          ["facade", "key_location"])
    assert data["platform"]["poll_interval_s"] == 5.0
    assert [c["id"] for c in data["site"]["cameras"]] == ["a", "c"]
    with pytest.raises(SpecError, match=r"path platform\.nope\.x: no 'nope'"):
        apply(data, Param(name="p", path="platform.nope.x", values=(1,)), 1)


def test_sweep_on_two_workers_equals_the_serial_sweep(tmp_path: Path) -> None:
    spec, ref = load_spec(spec_file(tmp_path))
    serial, meta0 = run_sweep(spec, ref, workers=0)
    dask, meta2 = run_sweep(spec, ref, workers=2)  # a LocalCluster, shut down on return
    assert meta0["where"] == "serial (in-process)" and meta2["workers"] == 2
    assert len(serial) == 8
    assert repr(dask) == repr(serial)  # NaN-safe, byte for byte
    row = serial[0]
    assert (row["variant"], row["replication"], row["seed"]) == (0, 0, 7)
    assert {"p.carers", "p.poll_s", "cost", "i10.status", "i10.figure", "calls",
            "onsite_within", "resolved_p95_s"} <= set(row)
    assert {r["i10.status"] for r in serial} <= {"modelled", "needs_evidence"}


def test_on_site_probability_interval() -> None:
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)  # the textbook value
    p, lo, hi = ratio_ci([10, 10, 10], [10, 10, 10])
    assert p == 1.0 and hi == 1.0 and lo == pytest.approx(wilson(30, 30)[0])
    p, lo, hi = ratio_ci([2, 9, 10], [10, 10, 10])  # replications disagree: wider than Wilson
    assert p == pytest.approx(0.7) and lo < wilson(21, 30)[0]
    assert all(math.isnan(x) for x in ratio_ci([0], [0]))
    # the ends hold p exactly, whatever the rounding (0 of 3 once gave a lower end of 5.6e-17)
    assert all(wilson(0, n)[0] == 0.0 and wilson(n, n)[1] == 1.0 for n in range(1, 200))


def test_pareto_front_keeps_the_cheapest_for_each_compliance() -> None:
    s = [{"variant": 0, "cost": 10, "holding": 5}, {"variant": 1, "cost": 20, "holding": 5},
         {"variant": 2, "cost": 30, "holding": 8}, {"variant": 3, "cost": 5, "holding": 2},
         {"variant": 4, "cost": 10, "holding": 5}]
    assert pareto(s) == [0, 2, 3]


def test_sweep_command_writes_tables_plots_and_one_page(tmp_path: Path) -> None:
    out = tmp_path / "out"
    text = SMALL.replace("values = [1.0, 20.0]", "values = [1.0]")
    res = CliRunner().invoke(main, ["sweep", str(spec_file(tmp_path, text)), "--out", str(out),
                                    "--workers", "0", "--csv", "--report"])
    assert res.exit_code == 0, res.output
    assert "P(on site <= 15 min)" in res.output and "(modelled)" in res.output
    table = pq.read_table(out / "results.parquet")
    assert table.num_rows == 4
    assert (out / "results.csv").read_text("utf-8").startswith('"variant","replication"')
    assert {p.name for p in (out / "img").iterdir()} == {"pareto.png", "sweep_carers.png",
                                                         "sweep_poll_s.png"}
    page = (out / "report.html").read_text("utf-8")
    assert page.count("data:image/png;base64") == 3 and "modelled" in page
    summary = summarize(table.to_pylist())
    assert [s["p_onsite_basis"] for s in summary] == ["modelled", "modelled"]
    again = CliRunner().invoke(main, ["sweep", str(out), "--report"])
    assert again.exit_code == 0, again.output


def test_bad_spec_is_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["sweep", str(spec_file(tmp_path, 'scenario = "demo"\n'
                                                           "replications = 0\n")),
                                    "--workers", "0"])
    assert res.exit_code == 1 and "replications" in res.output
