"""Faults over virtual time: scripted and random faults start and end on schedule and change
what a device reads (stuck, drift, bad sensor) or whether it is online; the schema refuses bad
targets."""

from __future__ import annotations

import math
from typing import Any

import pytest

from scenarios import ScenarioError, from_dict
from sim import World
from tests.conftest import tiny_dict


def world_with(faults: dict[str, Any], **run: Any) -> World:
    doc = tiny_dict(duration_s=7200.0, drain_s=0.0, **run)
    doc["faults"] = faults
    return World(from_dict(doc))


def fault_trace(world: World) -> list[tuple[float, str, str, object]]:
    return [(r.t_s, r.subject, r.name, r.value) for r in world.trace.records if r.kind == "fault"]


def test_stuck_value_freezes_then_recovers() -> None:
    w = world_with({"scripted": [{"at": 600, "kind": "stuck", "target": "meter",
                                  "duration": 1200}]})
    w.run_virtual(until_s=700)
    frozen = w.read("meter", "energy_kwh")
    w.run_virtual(until_s=1700)
    assert w.read("meter", "energy_kwh") == frozen
    assert w.read("meter", "power_kw") == w.read("meter", "power_kw")
    w.run_virtual(until_s=1900)
    assert w.read("meter", "energy_kwh") > frozen
    assert fault_trace(w) == [(600, "meter", "stuck", True), (1800, "meter", "stuck", False)]


def test_drift_grows_with_time_and_bad_sensor_reads_the_sentinel() -> None:
    w = world_with({"scripted": [
        {"at": 0, "kind": "drift", "target": "meter", "duration": 7200, "drift_per_h": 0.1},
        {"at": 0, "kind": "bad_sensor", "target": "call", "duration": 60}]})
    w.run_virtual(until_s=30)
    assert w.read("call", "battery_pct") == pytest.approx(0xFFFF * 0.1)
    assert w.read("call", "call") is False  # alarms are never distorted
    w.run_virtual(until_s=3600)
    meter = w.devices["meter"]
    true_kwh = meter.total(3600)  # type: ignore[attr-defined]
    assert w.read("meter", "energy_kwh") == pytest.approx(true_kwh * 1.1)
    assert w.read("call", "battery_pct") < 100


def test_bad_float_sensor_reads_nan() -> None:
    w = world_with({"scripted": [{"at": 0, "kind": "bad_sensor", "target": "meter"}]})
    w.run_virtual(until_s=10)
    assert math.isnan(float(w.read("meter", "power_kw")))


def test_offline_device_is_flagged_for_the_servers() -> None:
    w = world_with({"scripted": [{"at": 100, "kind": "offline", "target": "fire",
                                  "duration": 50},
                                 {"at": 120, "kind": "slow", "target": "gw", "delay_ms": 300}]})
    w.run_virtual(until_s=130)
    assert w.devices["fire"].online is False
    assert [f.kind for f in w.faults.active("fire")] == ["offline"]
    assert [(f.kind, f.delay_ms) for f in w.faults.active("gw")] == [("slow", 300)]
    w.run_virtual(until_s=151)
    assert w.devices["fire"].online is True and w.faults.active("fire") == []


def test_random_faults_are_seeded_and_repeat() -> None:
    faults = {"random": [{"kind": "offline", "rate_per_hour": 3.0, "duration": 60,
                          "device_kind": "electricity_meter"},
                         {"kind": "stuck", "rate_per_hour": 2.0, "duration": 120}]}
    a, b = world_with(faults), world_with(faults)
    c = world_with(faults, seed=2)
    for w in (a, b, c):
        w.run_virtual()
    assert fault_trace(a) == fault_trace(b) != fault_trace(c)
    assert {s for _, s, k, _ in fault_trace(a) if k == "offline"} == {"meter"}
    assert len(fault_trace(a)) >= 4


@pytest.mark.parametrize(("faults", "path"), [
    ({"scripted": [{"at": 1, "kind": "slow", "target": "nobody"}]}, "faults.scripted[0].target"),
    ({"scripted": [{"at": 1, "kind": "stuck", "target": "gw"}]}, "faults.scripted[0].kind"),
    ({"quirks": [{"gateway": "nope", "max_connections": 2}]}, "faults.quirks[0].gateway"),
    ({"random": [{"kind": "drift", "rate_per_hour": 1, "device_kind": "smart_light"}]},
     "faults.random[0].device_kind"),
    ({"scripted": [{"at": 1, "kind": "melt", "target": "gw"}]}, "faults.scripted[0].kind"),
])
def test_bad_fault_entries_name_their_field(faults: dict[str, Any], path: str) -> None:
    doc = tiny_dict()
    doc["faults"] = faults
    with pytest.raises(ScenarioError, match=path.replace("[", r"\[").replace("]", r"\]")):
        from_dict(doc)


def test_per_kind_parameters_are_refused_on_other_kinds() -> None:
    doc = tiny_dict()
    doc["devices"][0]["ports"] = 4
    with pytest.raises(ScenarioError, match=r"devices\[0\]\.ports.*only a ebike_charger"):
        from_dict(doc)
