"""The water_meter kind: its profile shape and seeding (shared invariants: test_meters_common)."""

from __future__ import annotations

from conftest import make_device

import devices


def test_consumption_follows_the_daily_shape() -> None:
    _env, meter = make_device("water_meter")
    cls = devices.KINDS["water_meter"]
    rates = [meter.profile.rate(h * 3600 + 1) for h in range(24 * 14)]  # type: ignore[attr-defined]
    by_hour = [sum(rates[h::24]) for h in range(24)]
    peak = max(range(24), key=lambda h: cls.SHAPE[h])  # type: ignore[attr-defined]
    trough = min(range(24), key=lambda h: cls.SHAPE[h])  # type: ignore[attr-defined]
    assert by_hour[peak] > 2 * by_hour[trough]


def test_seeded_meters_differ_and_repeat() -> None:
    _, a = make_device("water_meter", seed=1)
    _, b = make_device("water_meter", seed=1)
    _, c = make_device("water_meter", seed=2)
    total = devices.KINDS["water_meter"].TOTAL  # type: ignore[attr-defined]
    assert a.read(total) == b.read(total) != c.read(total)
