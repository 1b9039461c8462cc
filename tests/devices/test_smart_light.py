"""Smart light in virtual time: schedule and photocell, remote brightness/on-off, lamp fault."""

from __future__ import annotations

from conftest import make_device, write

H = 3600.0


def test_follows_the_schedule_through_a_day() -> None:
    env, light = make_device("smart_light")
    trace = []
    for hour in (2, 12, 20, 23.5):
        env.run(until=hour * H)
        trace.append((hour, light.read("brightness_pct")))
    assert trace == [(2, 40), (12, 0), (20, 100), (23.5, 40)]
    assert light.read("ambient_lux") < 50


def test_daylight_reads_bright_and_keeps_the_lamp_off() -> None:
    env, light = make_device("smart_light")
    env.run(until=86400 + 12 * H)
    assert light.read("ambient_lux") > 1000
    assert light.read("power_w") == 0


def test_obeys_a_remote_brightness_then_returns_to_auto() -> None:
    env, light = make_device("smart_light")
    env.run(until=20 * H)
    write(env, light, "brightness_set", 55)
    assert (light.read("mode"), light.read("brightness_pct")) == (1, 55)
    env.run(until=24 * H + 12 * H)   # noon: manual ignores the daylight
    assert light.read("brightness_pct") == 55
    write(env, light, "mode", 0)
    assert light.read("brightness_pct") == 0


def test_remote_off_forces_zero_in_every_mode() -> None:
    env, light = make_device("smart_light")
    env.run(until=20 * H)
    write(env, light, "power", False)
    assert light.read("brightness_pct") == 0
    write(env, light, "power", True)
    assert light.read("brightness_pct") == 100


def test_lamp_fault_darkens_and_latches_until_reset() -> None:
    env, light = make_device("smart_light")
    env.run(until=20 * H)
    light.inject("lamp_fault", clear_after_s=60)
    env.run(until=22 * H)
    assert (light.read("lamp_fault"), light.read("brightness_pct")) == (True, 0)
    write(env, light, "reset", True)
    assert (light.read("lamp_fault"), light.read("brightness_pct")) == (False, 100)
