"""A live rehearsal with carers declared: the reference platform's `onsite` write resolves the
call and is measured; the responder model walks beside it as a shadow, and each call's record
carries the model's expectation, hand-computed here. It never changes a verdict."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from harness import report
from harness.cli.session import run_live
from harness.evidence import write_results
from harness.evidence.onsite import ResponderModel
from scenarios import from_dict
from tests.harness.test_onsite import ONE_CARER, calls

SPEED = 200.0  # simulated seconds per wall second: the 250 s walk takes 1.25 wall s


def test_each_call_carries_the_models_expectation_beside_the_measured_time(
        tmp_path: Path) -> None:
    # One carer at the west end of a footpath along y = 5; call button A on the path at
    # x = 300. The reference platform polls every 0.2 wall s, acknowledges 0.3 wall s after
    # seeing the call and writes `onsite` 0.5 wall s later (100 simulated s at speed 200).
    # The model's carer sets off at the acknowledgement and walks 300 m at 1.2 m/s: 250 s.
    # So the expectation is (acknowledged - injected) + 250 s, however late the platform was.
    sc = from_dict(calls([(10.0, "A")], {"poll_interval_s": 0.2, "ack_delay_s": 0.3,
                                         "travel_time_s": 0.5},
                         duration_s=100.0, drain_s=500.0, speed=SPEED))
    result = asyncio.run(run_live(sc, platform=True, any_port=True))
    (lc,) = result.lifecycles
    assert lc.missed == ()
    injected, acked, resolved = (lc.step(n) for n in ("injected", "acknowledged", "resolved"))
    assert injected and acked and resolved
    assert resolved.by is not None and resolved.by.face == "modbus"  # the platform's write
    model = result.responder_model
    assert model is not None and not model.replications
    e = model.expected[lc.id]
    assert (e.member, e.distance_m, e.waited_s) == ("carers-1", pytest.approx(300.0), 0.0)
    assert e.walk_s == pytest.approx(300.0 / 1.2)
    assert e.requested_s == pytest.approx(acked.t_s)
    assert e.on_site_s == pytest.approx(acked.t_s - injected.t_s + 300.0 / 1.2, abs=1e-6)

    saved = json.loads(write_results(result, tmp_path).read_text("utf-8"))
    (inc,) = saved["incidents"]
    assert inc["latency_s"]["resolved"]["sim"] == pytest.approx(resolved.t_s - injected.t_s)
    assert inc["expected_on_site"]["on_site_s"] == pytest.approx(e.on_site_s, abs=1e-5)
    assert inc["expected_on_site"]["member"] == "carers-1"
    assert saved["responder_model"]["mode"] == "shadow"
    assert ResponderModel.from_results(saved) is not None

    # the model walked (its moves are in the trace, apart from anybody's) and wrote nothing
    # the platform did not: the only steps are the twin's and the platform's
    assert all(s.by is None or s.by.face == "modbus" for s in lc.steps)

    # the report: "measured" and "expected (model)" side by side; the verdict as without it
    run = {"mode": "live", "speed": SPEED, "reference_platform": True}
    with_model, _ = report.build(sc, "t", result.lifecycles, run, {}, model=model)
    without, _ = report.build(sc, "t", result.lifecycles, run, {})
    ten = [next(i for i in d["indicators"] if i["number"] == 10) for d in (with_model, without)]
    assert ten[0]["status"] == ten[1]["status"] == "modelled"
    assert [(c["measure"], c["value"], c["ok"]) for c in ten[0]["criteria"]] == \
        [(c["measure"], c["value"], c["ok"]) for c in ten[1]["criteria"]]
    slowest = ten[0]["criteria"][0]
    assert slowest["measure"] == "live.resolved_max_s.emergency_call"
    measured = resolved.t_s - injected.t_s
    assert slowest["evidence"] == [
        f"{lc.id} on A: measured {measured:.0f} s; expected (model) {e.on_site_s:.0f} s: "
        "carers-1 walks 300 m (250 s)"]


def test_without_responders_a_live_run_has_no_model() -> None:
    sc = from_dict(calls([(10.0, "A")], {"poll_interval_s": 0.2, "ack_delay_s": 0.1,
                                         "travel_time_s": 0.1}, responders=None,
                         duration_s=40.0, drain_s=60.0, speed=SPEED))
    result = asyncio.run(run_live(sc, platform=True, any_port=True))
    assert result.responder_model is None
    assert "responder_model" not in result.as_dict()
    assert "expected_on_site" not in result.as_dict()["incidents"][0]  # type: ignore[index]


def test_the_shadow_walks_for_a_served_run_too() -> None:
    # `serve`: nobody acknowledges, so the model never sets off (it follows the platform)
    sc = from_dict(calls([(10.0, "A")], {}, responders=ONE_CARER, duration_s=20.0,
                         drain_s=10.0, speed=SPEED))
    result = asyncio.run(run_live(sc, platform=False, any_port=True))
    assert result.responder_model is not None and result.responder_model.expected == {}
