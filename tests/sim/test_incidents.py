"""The incident tracker bounded in memory: settled incidents leave it and come back unchanged."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sim import Actor, IncidentTracker, Lifecycle, Step

ALARMS = ("fire", "fault")


@dataclass
class FakeDevice:
    """What the tracker asks of a device: its id, its alarms and whether one is active."""

    id: str
    ALARMS: tuple[str, ...] = ALARMS
    active: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(ALARMS, False))

    def alarm_active(self, alarm: str) -> bool:
        return self.active[alarm]


def tracker(steps: list[tuple[str, Step]]) -> IncidentTracker:
    wall = itertools.count(1000)  # the same stamps for the same calls, in both trackers
    return IncidentTracker(lambda: next(wall), lambda i, s: steps.append((i, s)))


class Store:
    """A spill that keeps what it is given, as the journal does."""

    def __init__(self) -> None:
        self.kept: list[Lifecycle] = []

    def spill(self, lifecycles: list[Lifecycle]) -> None:
        self.kept.extend(lifecycles)

    def load(self, ids: Any) -> list[Lifecycle]:
        return sorted((lc for lc in self.kept if ids is None or lc.id in ids),
                      key=lambda lc: int(lc.id.rpartition("-")[2]))


# Weighted toward what settles incidents (injections, acks, clears), on few alarms so that
# incidents meet: late acks after a clear, re-raises superseding an unacknowledged one.
KINDS = ["inject"] * 3 + ["ack"] * 3 + ["clear"] * 3 + ["ack_low", "rise", "read", "read", "actor"]
OPS = st.tuples(st.sampled_from(KINDS), st.integers(0, 1), st.sampled_from(ALARMS))


@settings(max_examples=400, deadline=None)
@given(ops=st.lists(OPS, max_size=60), bound=st.integers(1, 3))
def test_a_bounded_tracker_answers_exactly_as_an_unbounded_one(
        ops: list[tuple[str, int, str]], bound: int) -> None:
    devices = [FakeDevice(f"d{i}") for i in range(2)]
    steps_free: list[tuple[str, Step]] = []
    steps_bounded: list[tuple[str, Step]] = []
    free, bounded, store = tracker(steps_free), tracker(steps_bounded), Store()
    bounded.spill_to(bound, store.spill, store.load)
    for now, (op, d, alarm) in enumerate(ops):
        dev: Any = devices[d]
        for t in (free, bounded):
            if op == "inject":
                t.injected("kind_a" if alarm == "fire" else "kind-b", dev, alarm, float(now))
            elif op in ("ack", "ack_low"):  # a late ack after clear is among these
                t.point_changed(dev, f"{alarm}_ack", op == "ack", float(now))
            elif op in ("clear", "rise"):   # a rise without an injection changes nothing
                t.point_changed(dev, alarm, op == "rise", float(now))
            elif op == "read":
                t.read_by_platform(dev, {alarm}, float(now), by=Actor("modbus", peer="p:1"))
            else:
                t.actor = None if t.actor else Actor("opcua", user="otto")
        if op == "inject":
            dev.active[alarm] = True
        elif op in ("clear", "rise"):
            dev.active[alarm] = op == "rise"
        assert bounded.in_memory <= bound + bounded.unsettled
    everything = free.close()
    assert bounded.close() == everything
    assert bounded.count == free.count == len(everything)
    assert bounded.in_memory + bounded.spilled == bounded.count
    assert steps_bounded == steps_free
    final = {lc.id: lc for lc in everything}
    assert all(final[lc.id] == lc for lc in store.kept)  # spilled only once final
    for lc in everything:
        assert bounded.lifecycle(lc.id) == lc
        assert bounded.describe(lc.id) == (lc.kind, lc.device, lc.alarm)
    assert bounded.lifecycle("kind_a-99999") is None and bounded.lifecycle("nonsense") is None


def test_settled_incidents_leave_memory_while_open_ones_stay() -> None:
    dev: Any = FakeDevice("d0")
    store = Store()
    t = tracker([])
    t.spill_to(2, store.spill, store.load)
    for i in range(10):  # injected, then acknowledged and resolved in either order: settled
        t.injected("fire_alarm", dev, "fire", float(i))
        for name, value in (("fire_ack", True), ("fire", False))[::1 if i % 2 else -1]:
            t.point_changed(dev, name, value, i + 0.1)
        assert t.in_memory <= 2
    t.injected("fire_alarm", dev, "fire", 20.0)  # open
    t.point_changed(dev, "fault", False, 20.5)   # nothing open on it
    t.injected("meter_fault", dev, "fault", 21.0)
    t.point_changed(dev, "fault", False, 22.0)   # cleared unacknowledged: may still be acked
    assert t.in_memory <= 2 + t.unsettled and t.spilled >= 8
    t.point_changed(dev, "fault_ack", True, 30.0)  # the late ack still counts
    records = t.close()
    assert [lc.id for lc in records] == [f"fire_alarm-{i:05d}" for i in range(1, 12)] + [
        "meter_fault-00012"]
    assert [s.name for s in records[-1].steps] == ["injected", "resolved", "acknowledged"]
    assert records[-2].missed == ("observed", "acknowledged", "resolved")
