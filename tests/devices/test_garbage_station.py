"""Garbage station: fill grows and empties at 07:00; `full` rises once a day at the crossing."""

from __future__ import annotations

from conftest import make_device, write

from devices.garbage_station import FULL_PCT


def test_full_alarm_follows_the_fill_level() -> None:
    env, st = make_device("garbage_station")
    st.fill_per_h = 4.5  # type: ignore[attr-defined]  # crosses 90 % 20 h after each 07:00
    seq_before = st.read("full_seq")
    for hour in range(1, 24 * 4):
        env.run(until=hour * 3600 + 1)  # just after any event due on the hour
        # Whenever read, the alarm says what the level says (within the hour's resolution).
        if st.read("fill_pct") < FULL_PCT - st.fill_per_h:  # type: ignore[attr-defined]
            assert st.read("full") is False
        if st.read("fill_pct") > FULL_PCT:
            assert st.read("full") is True
    env.run(until=4 * 86400 + 7 * 3600 + 1)
    assert st.read("fill_pct") < 1.0 and st.read("full") is False   # just collected
    assert st.read("full_seq") - seq_before == 5  # 03:00 on days 0..4


def test_violation_latches_until_reset() -> None:
    env, st = make_device("garbage_station")
    st.inject("garbage_violation", None)
    env.run(until=3600)
    assert st.read("violation") is True
    write(env, st, "reset", True)
    assert st.read("violation") is False
