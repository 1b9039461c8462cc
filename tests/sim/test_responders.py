"""Responders walking the footpaths: a hand-computed case, the roster, and the old behaviour kept
when a scenario declares none."""

from __future__ import annotations

from typing import Any

import pytest
import simpy

from scenarios import Scenario, ScenarioError, from_dict
from sim import Actor, World
from sim.responders import Dispatcher

# One straight footpath along y = 5 from x = 0 to x = 400. The carer's post is its west end;
# call button A stands on the path at x = 300, call button B at x = 120.
PATH = [{"id": "p", "points": [[0, 5], [400, 5]]}]
POST = [0.0, 5.0]


def site(**extra: Any) -> dict[str, Any]:
    box = [[0, 0], [400, 0], [400, 100], [0, 100]]
    return {"name": "t", "origin": {"lat": 34.95, "lon": 115.88}, "boundary": box,
            "compounds": [{"id": "c", "boundary": box}], "paths": PATH, **extra}


def call_button(did: str, x: float, unit: int) -> dict[str, Any]:
    return {"id": did, "kind": "call_button", "position": [x, 5.0], "gateway": "g", "unit": unit}


def two_calls(responders: dict[str, Any] | None, **run: Any) -> Scenario:
    data: dict[str, Any] = {
        "site": site(), "gateways": [{"id": "g"}],
        "devices": [call_button("A", 300.0, 1), call_button("B", 120.0, 2)],
        "incidents": {"scripted": [{"at": 0.0, "kind": "emergency_call", "target": "A"},
                                   {"at": 60.0, "kind": "emergency_call", "target": "B"}]},
        # a platform that sees and acknowledges at once, so the walk is all there is
        "platform": {"poll_interval_s": 1e-6, "ack_delay_s": 0.0, "travel_time_s": 10.0},
        "run": {"duration_s": 120.0, "drain_s": 3600.0, **run}}
    if responders is not None:
        data["responders"] = responders
    return from_dict(data)


ONE_CARER = {"teams": [{"id": "carers", "role": "carer", "posts": [POST]}]}


def test_one_carer_second_call_queued_behind_the_first() -> None:
    # Speed 1.2 m/s, 600 s with each resident (the defaults).
    # Call A at t = 0: the carer walks 300 m from the post: 300 / 1.2 = 250 s -> on site 250 s.
    # Call B at t = 60: the only carer is busy, so it waits. The carer leaves A at
    #   250 + 600 = 850 s and walks A -> B, 300 - 120 = 180 m: 150 s -> on site at 1000 s,
    #   940 s after B called: over the 15-minute limit although B is 120 m from the post.
    # Then the carer attends B until 1600 s and walks 120 m back: at the post at 1700 s.
    world = World(two_calls(ONE_CARER), modelled_platform=True)
    world.run_virtual()
    on_site = {lc.device: lc.latency_s("resolved") for lc in world.lifecycles()}
    assert on_site["A"] == pytest.approx(250.0, abs=1e-3)
    assert on_site["B"] == pytest.approx(940.0, abs=1e-3)
    assert world.responders is not None
    (a, b) = world.responders.records
    assert (a.member, a.distance_m, a.waited_s) == ("carers-1", pytest.approx(300.0),
                                                    pytest.approx(0.0, abs=1e-3))
    assert (b.distance_m, b.dispatched_s, b.arrived_s) == (pytest.approx(180.0),
                                                           pytest.approx(850.0, abs=1e-3),
                                                           pytest.approx(1000.0, abs=1e-3))
    moves = [(round(r.t_s, 3), r.subject, r.name, r.value) for r in world.trace.records
             if r.kind == "responder"]
    a_id, b_id = (lc.id for lc in world.lifecycles())
    assert moves == [(0.0, "carers-1", "on_duty", ""), (0.0, "carers-1", "dispatched", a_id),
                     (250.0, "carers-1", "on_site", a_id),
                     (850.0, "carers-1", "dispatched", b_id),
                     (1000.0, "carers-1", "on_site", b_id), (1700.0, "carers-1", "at_post", "")]


def test_two_carers_answer_both_calls_at_once() -> None:
    two = {"teams": [{"id": "carers", "posts": [POST, [400.0, 5.0]],
                      "shifts": [{"start_h": 0, "end_h": 24, "count": 2}]}]}
    world = World(two_calls(two), modelled_platform=True)
    world.run_virtual()
    on_site = {lc.device: lc.latency_s("resolved") for lc in world.lifecycles()}
    # A (x 300) goes to the east carer (100 m, 83.3 s); B (x 120) to the west one (100 s).
    assert on_site == {"A": pytest.approx(100 / 1.2, abs=1e-3),
                       "B": pytest.approx(120 / 1.2, abs=1e-3)}


def test_without_responders_the_fixed_travel_time_stays() -> None:
    world = World(two_calls(None), modelled_platform=True)
    world.run_virtual()
    assert world.responders is None
    for lc in world.lifecycles():
        assert lc.latency_s("resolved") == pytest.approx(10.0, abs=1e-3)


def test_nobody_on_duty_means_the_call_waits_for_the_next_shift() -> None:
    # Simulated second 0 is 07:00; the carer's shift starts at 08:00.
    late = {"day_start_h": 7.0, "teams": [{"id": "carers", "posts": [POST], "shifts": [
        {"start_h": 8, "end_h": 20, "count": 1}]}]}
    world = World(two_calls(late, duration_s=120.0), modelled_platform=True)
    world.run_virtual(until_s=3600 + 300)
    a = next(lc for lc in world.lifecycles() if lc.device == "A")
    assert a.latency_s("resolved") == pytest.approx(3600.0 + 250.0, abs=1e-3)


def test_walls_make_a_responder_walk_round_to_the_gate() -> None:
    env = simpy.Environment()
    # A compound x 0..200 with a wall; its gate at (100, 100) on the north side. A path runs
    # north from inside (50, 50) -> (50, 150) across the wall, another along y = 150 and one
    # from the gate down to the inside path along y = 50.
    box = [[0, 0], [200, 0], [200, 100], [0, 100]]
    paths = [{"id": "in", "points": [[50, 50], [100, 50]]},
             {"id": "gate", "points": [[100, 50], [100, 150]]},
             {"id": "cut", "points": [[50, 50], [50, 150]]},
             {"id": "out", "points": [[0, 150], [200, 150]]}]
    s = from_dict({"site": {"name": "t", "origin": {"lat": 34.95, "lon": 115.88},
                            "boundary": [[0, 0], [200, 0], [200, 200], [0, 200]],
                            "compounds": [{"id": "c", "boundary": box}], "paths": paths,
                            "key_locations": [{"id": "gate", "kind": "compound_entrance",
                                               "points": [[100, 100]]}]},
                   "gateways": [{"id": "g"}], "run": {"duration_s": 60}})
    d = Dispatcher(env, s.site, s.responders)
    # from inside (50, 50) to outside (50, 150): not through the wall at (50, 100) but via the
    # gate: 50 east + 100 north + 50 west = 200 m (straight up would be 100 m)
    assert d.router.distance_m((50.0, 50.0), (50.0, 150.0)) == pytest.approx(200.0)


@pytest.mark.parametrize(("team", "message"), [
    ({"id": "c", "posts": [POST], "answers": ["fire_alarmm"]},
     "responders.teams[0].answers[0] = 'fire_alarmm': must be an incident kind"),
    ({"id": "c", "posts": [POST], "shifts": [{"start_h": 20, "end_h": 8, "count": 1}]},
     "end_h = 8.0: must be > start_h = 20.0"),
    ({"id": "c", "posts": [POST], "shifts": [{"start_h": 0, "end_h": 12, "count": 1},
                                             {"start_h": 8, "end_h": 20, "count": 1}]},
     "overlap"),
    ({"id": "c", "posts": []}, "posts"),
])
def test_bad_responder_input_names_the_field(team: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match="responders") as err:
        two_calls({"teams": [team]})
    assert message in str(err.value)


def test_the_shadow_walks_from_the_acknowledgement_and_writes_nothing() -> None:
    # A live world: nothing answers but this test, which acknowledges call A at t = 100 s as a
    # platform would. The model's carer sets off then: 300 m / 1.2 m/s = 250 s -> on site at
    # 350 s, 350 s after the call. The call stays open: only the platform's `onsite` ends it.
    world = World(two_calls(ONE_CARER), shadow_responders=True)
    assert world.shadow is not None and world.responders is None
    world.run_virtual(until_s=100.0)
    a_id = "emergency_call-00001"  # the first scripted call
    assert world.tracker.describe(a_id)[1] == "A"
    world.write("A", "call_ack", True, by=Actor("modbus"))
    world.run_virtual(until_s=2000.0)
    record = world.shadow.records()[a_id]
    assert (record.member, record.distance_m) == ("carers-1", pytest.approx(300.0))
    assert record.arrived_s == pytest.approx(350.0)
    assert world.shadow.requested == {a_id: pytest.approx(100.0)}  # B was never acknowledged
    lc = next(lc for lc in world.lifecycles() if lc.id == a_id)
    assert lc.missed == ("observed", "resolved") and world.devices["A"].read("call") is True
    assert any(r.kind == "responder_model" for r in world.trace.records)
    assert not any(r.kind == "responder" for r in world.trace.records)
