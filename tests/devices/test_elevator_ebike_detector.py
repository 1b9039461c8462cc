"""Elevator e-bike detector: detection holds the doors and sounds the buzzer until it clears."""

from __future__ import annotations

from conftest import make_device


def test_detection_holds_doors_until_the_bike_leaves() -> None:
    env, det = make_device("elevator_ebike_detector")
    trace = []
    det.inject("ebike_in_elevator", clear_after_s=120)
    for t in (0, 119, 121):
        env.run(until=t) if t else None
        trace.append((t, det.read("ebike_detected"), det.read("door_hold"), det.read("buzzer")))
    assert trace == [(0, True, True, True), (119, True, True, True), (121, False, False, False)]
