"""Indicator 10 of a single virtual run with responders: P(on site within 15 min) over seeded
replications, against hand-computed cases; the interval's invariants; the saved run judged
again; the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import report
from harness.cli import main
from harness.cli.session import run_virtual
from harness.cli.sweep import run_sweep
from harness.cli.variants import load_spec, variant_data
from harness.evidence import write_results
from harness.evidence.onsite import (
    SHARE_MEASURE,
    Replication,
    ResponderModel,
    from_replications,
)
from scenarios import Scenario, from_dict
from tests.conftest import demo_dict
from tests.harness.test_sweep import SMALL

# One straight footpath along y = 5 from x = 0 to x = 400; the carer's post is its west end.
# Walking speed 1.2 m/s and 600 s with each resident (the defaults).
POST = [0.0, 5.0]
ONE_CARER = {"teams": [{"id": "carers", "role": "carer", "posts": [POST]}]}


def path_site() -> dict[str, Any]:
    box = [[0, 0], [400, 0], [400, 100], [0, 100]]
    return {"name": "t", "origin": {"lat": 34.95, "lon": 115.88}, "boundary": box,
            "compounds": [{"id": "c", "boundary": box}],
            "paths": [{"id": "p", "points": [[0, 5], [400, 5]]}]}


def call_button(did: str, x: float, unit: int) -> dict[str, Any]:
    return {"id": did, "kind": "call_button", "position": [x, 5.0], "gateway": "g", "unit": unit}


def calls(scripted: list[tuple[float, str]], platform: dict[str, Any],
          responders: dict[str, Any] | None = ONE_CARER, **run: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "site": path_site(), "gateways": [{"id": "g", "port": 0}],
        "devices": [call_button("A", 300.0, 1), call_button("B", 120.0, 2)],
        "incidents": {"scripted": [{"at": at, "kind": "emergency_call", "target": target}
                                   for at, target in scripted]},
        "platform": platform,
        "run": {"duration_s": 120.0, "drain_s": 3600.0, "seed": 7, **run}}
    if responders is not None:
        data["responders"] = responders
    return data


def indicator_10(scenario: Scenario, model: ResponderModel | None,
                 lifecycles: list[Any]) -> dict[str, Any]:
    doc, _ = report.build(scenario, "t", lifecycles, {"mode": "virtual"}, {}, model=model)
    return next(i for i in doc["indicators"] if i["number"] == 10)


def test_two_calls_one_carer_half_on_time_in_every_replication() -> None:
    # A platform that sees and acknowledges at once (poll 1e-6 s, no delay), so the walk is all
    # there is, and every seed gives the same run:
    #   call A (x 300) at t = 0: 300 m / 1.2 m/s = 250 s -> on site at 250 s, within 900 s;
    #   call B (x 120) at t = 60: the carer leaves A at 250 + 600 = 850 s and walks 180 m
    #   (150 s): on site at 1000 s, 940 s after the call: late.
    # So each of R = 5 replications has k = 1 of n = 2 calls in time: p = 5/10 = 0.5. The
    # replications agree exactly, so the cluster interval has no width and the interval is the
    # Wilson score interval of 5 in 10: centre (p + z^2/2n) / (1 + z^2/n) = 0.5, half-width
    # z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n).
    sc = from_dict(calls([(0.0, "A"), (60.0, "B")], {"poll_interval_s": 1e-6,
                                                     "ack_delay_s": 0.0}))
    result = run_virtual(sc, replications=5)
    model = result.responder_model
    assert model is not None
    assert [r.seed for r in model.replications] == [7, 8, 9, 10, 11]  # seed, seed + 1, ...
    for r in model.replications:
        assert r.on_site_s == (pytest.approx(250.0, abs=1e-3), pytest.approx(940.0, abs=1e-3))
    z, n, p = 1.959963984540054, 10, 0.5
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    ind = indicator_10(sc, model, result.lifecycles)
    (share, missed) = ind["criteria"]
    assert share["measure"] == SHARE_MEASURE and missed["measure"].startswith("live.not_ack")
    assert share["value"] == pytest.approx(0.5)
    assert share["basis"] == "modelled" and share["ok"] is False  # every call, says the standard
    assert ind["status"] == "modelled"
    assert share["value_text"] == f"50.0% (95% CI {100 * (p - half):.1f}% – " \
                                  f"{100 * (p + half):.1f}%)"
    assert share["evidence"][0].startswith("P(on site <= 900 s) = 5 of 10 calls = 50.0%")
    assert "responder on site within 15 minutes" in share["evidence"][0]
    assert any("1.2 m/s" in e and "600 s with each resident" in e for e in share["evidence"])
    assert share["evidence"][-1] == "seed 11: 1 of 2 calls within 900 s (slowest 940 s)"


def test_a_random_poll_makes_the_probability_known() -> None:
    # One call at t = 0 at x = 300 (a 250 s walk). The modelled platform polls every 1,000 s
    # (speed 1), so it sees the call after U(0, 1000) s and acknowledges at once:
    # on site = U + 250 s, and P(on site <= 900 s) = P(U <= 650) = 0.65.
    sc = from_dict(calls([(0.0, "A")], {"poll_interval_s": 1000.0, "ack_delay_s": 0.0},
                         speed=1.0))
    result = run_virtual(sc, replications=200)
    model = result.responder_model
    assert model is not None and len(model.replications) == 200
    times = [t for r in model.replications for t in r.on_site_s]
    assert len(times) == 200 and all(250.0 <= t <= 1250.0 for t in times)
    share = from_replications(model, 900.0)[SHARE_MEASURE]
    assert share.interval is not None
    lo, hi = share.interval
    assert lo <= 0.65 <= hi
    assert hi - lo < 0.15  # 200 calls: a Wilson interval about ±6.6 points


def test_without_responders_the_slowest_call_stays() -> None:
    sc = from_dict(calls([(0.0, "A"), (60.0, "B")], {"poll_interval_s": 1e-6,
                                                     "ack_delay_s": 0.0}, responders=None))
    result = run_virtual(sc, replications=5)
    assert result.responder_model is None
    assert "responder_model" not in result.as_dict()
    ind = indicator_10(sc, None, result.lifecycles)
    assert ind["criteria"][0]["measure"] == "live.resolved_max_s.emergency_call"


def test_guards_alone_leave_emergency_calls_to_the_fixed_travel_time() -> None:
    guards = {"teams": [{"id": "guards", "role": "guard", "posts": [POST]}]}
    sc = from_dict(calls([(0.0, "A")], {"poll_interval_s": 1e-6}, responders=guards))
    assert run_virtual(sc).responder_model is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.floats(0, 5000), st.just(math.inf)), max_size=12),
                min_size=1, max_size=12),
       st.floats(1, 3000))
def test_the_interval_holds_p_and_lies_in_0_1(times: list[list[float]], limit: float) -> None:
    model = ResponderModel("w", tuple(Replication(i, tuple(t)) for i, t in enumerate(times)))
    got = from_replications(model, limit)
    n = sum(len(t) for t in times)
    if n == 0:
        assert got == {}
        return
    m = got[SHARE_MEASURE]
    assert m.interval is not None
    lo, hi = m.interval
    assert m.value == pytest.approx(sum(1 for ts in times for t in ts if t <= limit) / n)
    assert 0.0 <= lo <= m.value <= hi <= 1.0
    assert m.basis == "modelled"


def test_a_replication_is_the_sweeps_replication_of_the_same_seed(tmp_path: Path) -> None:
    # The sweep spec of the sweep tests with one carer: replication r of seed 7 + r there is
    # replication r of a single run of seed 7 here.
    text = SMALL.replace("values = [1, 2]", "values = [1]").replace("values = [1.0, 20.0]",
                                                                   "values = [1.0]")
    (tmp_path / "spec.toml").write_text(text, "utf-8")
    spec, ref = load_spec(tmp_path / "spec.toml")
    rows, _ = run_sweep(spec, ref, workers=0)
    sc = from_dict(variant_data(demo_dict(), spec, {"carers": 1, "poll_s": 1.0}))
    model = run_virtual(sc, seed=7, replications=2).responder_model
    assert model is not None
    assert [(r.seed, len(r.on_site_s), sum(t <= 900 for t in r.on_site_s))
            for r in model.replications] == \
        [(row["seed"], row["calls"], row["onsite_within"]) for row in rows]


def test_rehearse_virtual_replicates_and_the_saved_run_judges_the_same(tmp_path: Path) -> None:
    scenario = tmp_path / "calls.toml"
    scenario.write_text(tomli_w.dumps(calls([(0.0, "A"), (60.0, "B")], {
        "poll_interval_s": 1e-6, "ack_delay_s": 0.0}) | {
            "responders": ONE_CARER | {"replications": 4}}), "utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["rehearse", str(scenario), "--virtual", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "replications (indicator 10)" in res.output and "4/4 runs" in res.output
    assert "calls 8" in res.output  # two calls in each of the four
    assert "10 elderly care: calls on site within the limit, share over replications: 50.0%" \
        in res.output
    saved = json.loads((out / "results.json").read_text("utf-8"))
    assert saved["responder_model"]["mode"] == "replications"
    assert [r["seed"] for r in saved["responder_model"]["replications"]] == [7, 8, 9, 10]
    first = json.loads((out / "report.json").read_text("utf-8"))
    again = report.from_results(out, out=tmp_path / "again")
    second = json.loads(again["json"].read_text("utf-8"))
    ten = [next(i for i in d["indicators"] if i["number"] == 10) for d in (first, second)]
    assert ten[0] == ten[1] and ten[0]["criteria"][0]["measure"] == SHARE_MEASURE
    md = (out / "report.md").read_text("utf-8")
    assert "calls on site within the limit, share over replications: 50.0% (95% CI" in md
    page = (out / "report.html").read_text("utf-8")
    assert "P(on site &lt;= 900 s) = 4 of 8 calls = 50.0%" in page  # the failing figure's evidence
    more = CliRunner().invoke(main, ["rehearse", str(scenario), "--virtual", "--replications",
                                     "2", "--out", str(tmp_path / "two")])
    assert more.exit_code == 0, more.output
    two = json.loads((tmp_path / "two" / "results.json").read_text("utf-8"))
    assert len(two["responder_model"]["replications"]) == 2
    live = CliRunner().invoke(main, ["rehearse", str(scenario), "--replications", "2",
                                     "--out", str(tmp_path / "live")])
    assert live.exit_code == 2 and "--virtual" in live.output


def test_the_record_round_trips(tmp_path: Path) -> None:
    sc = from_dict(calls([(0.0, "A")], {"poll_interval_s": 1e-6}))
    result = run_virtual(sc, replications=3)
    saved = json.loads(write_results(result, tmp_path).read_text("utf-8"))
    assert ResponderModel.from_results(saved) == result.responder_model
