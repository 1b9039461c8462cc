"""Perimeter zone: intrusion and tamper latch until reset; a disarmed zone ignores intrusion."""

from __future__ import annotations

from conftest import make_device, write


def test_intrusion_and_tamper_latch_until_reset() -> None:
    env, zone = make_device("perimeter_zone", sensing="radar")
    assert zone.read("sensing_type") == 2
    zone.inject("intrusion", clear_after_s=5)
    zone.inject("perimeter_tamper", None)
    env.run(until=86400)
    assert (zone.read("intrusion"), zone.read("tamper")) == (True, True)
    write(env, zone, "reset", True)
    assert (zone.read("intrusion"), zone.read("tamper")) == (False, False)


def test_disarmed_zone_reports_tamper_but_not_intrusion() -> None:
    env, zone = make_device("perimeter_zone")
    write(env, zone, "armed", False)
    zone.inject("intrusion", None)
    zone.inject("perimeter_tamper", None)
    assert (zone.read("intrusion"), zone.read("tamper")) == (False, True)
