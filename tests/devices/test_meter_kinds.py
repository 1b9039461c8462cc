"""Each meter kind's own profile and seeding (shared invariants: test_meters_common)."""

from __future__ import annotations

import pytest
from conftest import make_device

import devices

METERS = ["electricity_meter", "water_meter", "gas_meter"]


@pytest.mark.parametrize("kind", METERS)
def test_consumption_follows_the_kinds_daily_shape(kind: str) -> None:
    _env, meter = make_device(kind)
    cls = devices.KINDS[kind]
    rates = [meter.profile.rate(h * 3600 + 1) for h in range(24 * 14)]  # type: ignore[attr-defined]
    by_hour = [sum(rates[h::24]) for h in range(24)]
    peak = max(range(24), key=lambda h: cls.SHAPE[h])  # type: ignore[attr-defined]
    trough = min(range(24), key=lambda h: cls.SHAPE[h])  # type: ignore[attr-defined]
    assert by_hour[peak] > 2 * by_hour[trough]


@pytest.mark.parametrize("kind", METERS)
def test_seeded_meters_differ_and_repeat(kind: str) -> None:
    _, a = make_device(kind, seed=1)
    _, b = make_device(kind, seed=1)
    _, c = make_device(kind, seed=2)
    total = devices.KINDS[kind].TOTAL  # type: ignore[attr-defined]
    assert a.read(total) == b.read(total) != c.read(total)
