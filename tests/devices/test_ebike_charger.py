"""E-bike charger in virtual time: timed cut, automatic power-off when full, latched faults."""

from __future__ import annotations

import math

import pytest
from conftest import make_device, write

from devices.ebike_charger import (
    ABSENT,
    CC_CURRENT_A,
    CHARGING,
    CUT,
    FULL,
    FULL_CURRENT_A,
    IDLE,
    TAPER_TAU_S,
    TIMED_OUT,
)

NEVER = 1e12  # residents never plug in by themselves: the test does


def charger(ports: int = 2):  # type: ignore[no-untyped-def]
    env, dev = make_device("ebike_charger", ports=ports)
    return env, dev


def quiet(ports: int = 2):  # type: ignore[no-untyped-def]
    import simpy

    import devices
    from scenarios import Device as Spec
    from sim.streams import stream
    env = simpy.Environment()
    spec = Spec(id="c", kind="ebike_charger", position=(0, 0), gateway="g", unit=1, ports=ports)
    return env, devices.EbikeCharger(env, spec, stream(1, "device/c"), plug_gap_mean_s=NEVER)


def test_uninstalled_ports_read_absent() -> None:
    _, dev = quiet(ports=3)
    assert [dev.read(f"p{k}_state") for k in range(8)] == [IDLE] * 3 + [ABSENT] * 5
    assert dev.read("ports_installed") == 3


def test_timed_charging_cuts_at_the_limit() -> None:
    env, dev = quiet()
    write(env, dev, "p0_limit_min", 30)
    dev.plug_in(0, cc_s=4 * 3600)               # far from full: the limit ends it
    env.run(until=30 * 60 - 1)
    assert dev.read("p0_state") == CHARGING
    assert dev.read("p0_current_a") == CC_CURRENT_A
    env.run(until=30 * 60 + 1)
    assert (dev.read("p0_state"), dev.read("p0_current_a")) == (TIMED_OUT, 0.0)
    energy = dev.read("p0_energy_kwh")
    env.run(until=5 * 3600)
    assert dev.read("p0_energy_kwh") == energy  # nothing more after the cut


def test_auto_power_off_when_the_current_falls_below_the_threshold() -> None:
    env, dev = quiet()
    dev.plug_in(1, cc_s=1800)
    full_at = 1800 + TAPER_TAU_S * math.log(CC_CURRENT_A / FULL_CURRENT_A)
    env.run(until=full_at - 60)
    assert dev.read("p1_state") == CHARGING
    assert FULL_CURRENT_A < dev.read("p1_current_a") < CC_CURRENT_A  # tapering
    env.run(until=full_at + 1)
    assert (dev.read("p1_state"), dev.read("p1_current_a")) == (FULL, 0.0)


def test_a_shorter_limit_written_during_a_session_cuts_it_now() -> None:
    env, dev = quiet()
    dev.plug_in(0, cc_s=4 * 3600)
    env.run(until=3600)
    write(env, dev, "p0_limit_min", 30)          # already past 30 min
    env.run(until=3601)
    assert dev.read("p0_state") == TIMED_OUT


def test_over_temperature_cuts_the_port_and_latches_until_reset() -> None:
    env, dev = quiet()
    dev.plug_in(1, cc_s=4 * 3600)
    env.run(until=600)
    dev.inject("charger_over_temperature", clear_after_s=60)
    assert dev.read("over_temperature") is True
    assert (dev.read("p1_state"), dev.read("fault_port")) == (CUT, 2)
    env.run(until=4 * 86400)
    assert dev.read("over_temperature") is True     # latched: no clearing by itself
    dev.plug_in(1, cc_s=600)                         # a cut port refuses a new bike
    assert dev.read("p1_state") == CUT
    write(env, dev, "reset", True)
    assert (dev.read("over_temperature"), dev.read("p1_state")) == (False, IDLE)


def test_smoke_cuts_every_port() -> None:
    _env, dev = quiet(ports=3)
    for k in range(3):
        dev.plug_in(k, cc_s=3600)
    dev.inject("charger_smoke", None)
    assert [dev.read(f"p{k}_state") for k in range(3)] == [CUT] * 3
    assert (dev.read("fault_port"), dev.read("power_w")) == (0, 0)


def test_residents_plug_in_by_themselves_and_sessions_end() -> None:
    env, dev = charger(ports=4)
    states: list[int] = []
    dev.observe(lambda d, name, value, now: states.append(int(value))
                if name.endswith("_state") else None)
    env.run(until=3 * 86400)
    assert CHARGING in states and ({FULL, TIMED_OUT} & set(states))


@pytest.mark.parametrize("value", [0, 1441])
def test_limit_outside_range_is_refused(value: int) -> None:
    from devices import CodecError
    _, dev = quiet()
    with pytest.raises(CodecError, match="outside"):
        dev.submit_write("p0_limit_min", value)
