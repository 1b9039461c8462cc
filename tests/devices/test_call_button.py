"""Call button: a call ends only when a responder is on site; the battery alarm comes once."""

from __future__ import annotations

from conftest import make_device, write

from devices.call_button import DRAIN_PCT_PER_DAY, LOW_BATTERY_PCT


def test_call_waits_for_onsite() -> None:
    env, button = make_device("call_button")
    button.inject("emergency_call", None)
    write(env, button, "call_ack", True)
    env.run(until=3600)
    assert button.read("call") is True
    write(env, button, "onsite", True)
    assert (button.read("call"), button.read("onsite")) == (False, False)


def test_low_battery_rises_once_at_the_crossing() -> None:
    env, button = make_device("call_button")
    start = button.battery_start_pct  # type: ignore[attr-defined]
    crossing = (start - LOW_BATTERY_PCT) / DRAIN_PCT_PER_DAY * 86400
    env.run(until=crossing - 1)
    assert button.read("low_battery") is False
    env.run(until=crossing + 86400)
    assert button.read("low_battery") is True and button.read("low_battery_seq") == 1
    assert button.read("battery_pct") < LOW_BATTERY_PCT


def test_injected_low_battery_clears_when_swapped() -> None:
    env, button = make_device("call_button")
    button.inject("call_low_battery", clear_after_s=1800)
    assert button.read("low_battery") is True
    env.run(until=1801)
    assert button.read("low_battery") is False
