"""The shared alarm shape (state, ack, seq, changed_at) on the first device kinds."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from devices import CallButton, CodecError, Device, FirePanel
from scenarios import Device as DeviceSpec


def make(cls: type[Device], kind: str) -> tuple[simpy.Environment, Device, list[tuple]]:
    env = simpy.Environment()
    spec = DeviceSpec(id="d", kind=kind, position=(0, 0), gateway="gw", unit=1)  # type: ignore[arg-type]
    device = cls(env, spec, np.random.default_rng(0))
    changes: list[tuple] = []
    device.observe(lambda dev, name, value, now: changes.append((now, name, value)))
    return env, device, changes


def at(env: simpy.Environment, t: float, fn) -> None:  # type: ignore[no-untyped-def]
    def proc():  # type: ignore[no-untyped-def]
        yield env.timeout(t - env.now)
        fn()
    env.process(proc())


def test_fire_alarm_latches_until_acknowledged_and_reset() -> None:
    env, panel, changes = make(FirePanel, "fire_panel")
    at(env, 10, lambda: panel.inject("fire_alarm", None))
    at(env, 20, lambda: panel.submit_write("fire_ack", True))
    at(env, 30, lambda: panel.submit_write("reset", True))
    env.run(until=40)
    # The detector that tripped sits in one of the panel's public areas (drawn from its stream).
    area = next(name for _, name, _ in changes if name.startswith("a") and "_in_alarm" in name)
    assert changes == [
        (10, "fire_seq", 1), (10, "fire_changed_at", 10), (10, "fire", True),
        (10, "detectors_in_alarm", 1), (10, area, 1),
        (20, "fire_ack", True),
        # the reset clears the alarm; the acknowledgement of this activation stands
        (30, "fire_changed_at", 30), (30, "fire", False),
        (30, "detectors_in_alarm", 0), (30, area, 0),
    ]
    assert panel.read("reset") is False  # momentary command


def test_acknowledging_an_inactive_alarm_changes_nothing() -> None:
    env, panel, changes = make(FirePanel, "fire_panel")
    at(env, 5, lambda: panel.submit_write("fire_ack", True))
    env.run(until=10)
    assert changes == []
    assert panel.read("fire_ack") is False


def test_a_new_activation_needs_a_new_acknowledgement() -> None:
    env, panel, _ = make(FirePanel, "fire_panel")
    at(env, 1, lambda: panel.inject("fire_alarm", None))
    at(env, 2, lambda: panel.submit_write("fire_ack", True))
    at(env, 3, lambda: panel.inject("fire_alarm", None))
    env.run(until=4)
    assert (panel.read("fire"), panel.read("fire_ack"), panel.read("fire_seq")) == (True, False, 2)


def test_call_ends_when_a_responder_confirms_on_site() -> None:
    env, button, changes = make(CallButton, "call_button")
    at(env, 60, lambda: button.inject("emergency_call", None))
    at(env, 400, lambda: button.submit_write("onsite", True))
    env.run(until=500)
    assert [(t, n, v) for t, n, v in changes if n in ("call", "call_ack")] == [
        (60, "call", True), (400, "call", False)]


def test_call_button_battery_drains_and_raises_low_battery_once() -> None:
    env, button, changes = make(CallButton, "call_button")
    start = button.read("battery_pct")
    env.run(until=400 * 86400)
    low = [(t, v) for t, n, v in changes if n == "low_battery"]
    assert len(low) == 1
    # the alarm fires exactly when the linear drain crosses 20 %
    t_low = low[0][0]
    assert t_low == pytest.approx((start - 20.0) / 0.25 * 86400.0)


def test_writes_are_checked_before_they_are_queued() -> None:
    _, panel, _ = make(FirePanel, "fire_panel")
    with pytest.raises(CodecError, match="read-only"):
        panel.submit_write("fire", True)
    with pytest.raises(KeyError):
        panel.submit_write("no_such_point", True)
