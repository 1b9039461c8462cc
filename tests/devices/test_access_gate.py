"""Access gate: monotone pass counters from the profile; accepted + refused = attempts."""

from __future__ import annotations

import math

from conftest import make_device, write
from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=25, deadline=None)
@given(times=st.lists(st.floats(0, 5 * 86400), min_size=2, max_size=15))
def test_counters_are_monotone_and_consistent(times: list[float]) -> None:
    env, gate = make_device("access_gate")
    last = None
    for t in sorted(times):
        if t > env.now:
            env.run(until=t)
        row = tuple(gate.read(n) for n in ("people_passes", "vehicle_passes",
                                           "auth_accepted", "auth_refused"))
        if last is not None:
            assert all(a <= b for a, b in zip(last, row, strict=True))
        # counters hold the figure sampled at the start of the refresh period (Device.read)
        sampled = math.floor(env.now / gate.REFRESH_S) * gate.REFRESH_S
        attempts = gate.people.integral(sampled) + gate.vehicles.integral(sampled)  # type: ignore[attr-defined]
        assert row[2] + row[3] == math.floor(attempts)
        last = row


def test_forced_passage_latches_until_reset() -> None:
    env, gate = make_device("access_gate")
    env.run(until=86400)
    assert gate.read("people_passes") > 100 and gate.read("auth_refused") > 0
    gate.inject("gate_forced", None)
    assert gate.read("forced") is True
    write(env, gate, "reset", True)
    assert gate.read("forced") is False
