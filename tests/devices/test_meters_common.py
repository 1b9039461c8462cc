"""Invariants every meter kind shares (electricity, water, gas): the reading is the exact
integral of its hourly step profile, monotone, and independent of when it is read."""

from __future__ import annotations

import math

import pytest
from conftest import make_device
from hypothesis import given, settings
from hypothesis import strategies as st

METERS = [("electricity_meter", "energy_kwh", "power_kw"),
          ("water_meter", "volume_m3", "flow_m3h"),
          ("gas_meter", "volume_m3", "flow_m3h")]


@pytest.mark.parametrize(("kind", "total", "rate"), METERS)
def test_reading_is_the_integral_of_the_hourly_rate(kind: str, total: str, rate: str) -> None:
    env, meter = make_device(kind)
    start = meter.read(total)
    expected = start
    for hour in range(48):  # sum of rate x 1 h, read at each hour's middle
        env.run(until=hour * 3600 + 1800)
        expected += float(meter.read(rate))
    env.run(until=48 * 3600)
    assert math.isclose(meter.read(total), expected, rel_tol=1e-12)


@pytest.mark.parametrize(("kind", "total", "rate"), METERS)
@settings(max_examples=30, deadline=None)
@given(times=st.lists(st.floats(0, 7 * 86400), min_size=2, max_size=20))
def test_readings_are_monotone_and_order_free(kind: str, total: str, rate: str,
                                              times: list[float]) -> None:
    _, forward = make_device(kind)
    _, backward = make_device(kind)
    ts = sorted(times)
    got = [forward.profile.integral(t) for t in ts]          # type: ignore[attr-defined]
    back = [backward.profile.integral(t) for t in reversed(ts)]  # type: ignore[attr-defined]
    assert got == sorted(got)
    assert got == list(reversed(back))  # reading order never changes a value


@pytest.mark.parametrize(("kind", "total", "rate"), METERS)
def test_comm_fault_clears_by_itself(kind: str, total: str, rate: str) -> None:
    env, meter = make_device(kind)
    (incident,) = meter.INCIDENTS
    meter.inject(incident, clear_after_s=900)
    assert meter.read("comm_fault") is True
    env.run(until=899)
    assert meter.read("comm_fault") is True
    env.run(until=901)
    assert meter.read("comm_fault") is False
    assert meter.read("comm_fault_seq") == 1
