"""Fire-hazard terminal: each hazard raises its alarm, moves its measurement, clears by itself."""

from __future__ import annotations

import pytest
from conftest import make_device


@pytest.mark.parametrize(("incident", "alarm", "point", "normal", "hazard"), [
    ("hydrant_pressure_low", "hydrant_low", "hydrant_pressure_mpa", (0.25, 0.5), (0.0, 0.1)),
    ("electrical_fault", "electrical_fault", "residual_current_ma", (0, 30), (300, 1000)),
    ("electrical_fault", "electrical_fault", "cable_temp_c", (15, 40), (70, 120)),
    ("fire_lane_occupied", "lane_occupied", None, None, None),
    ("fire_door_open", "door_open", None, None, None),
])
def test_hazard_shows_and_clears(incident: str, alarm: str, point: str | None,
                                 normal: tuple[float, float] | None,
                                 hazard: tuple[float, float] | None) -> None:
    env, dev = make_device("fire_hazard_sensor")
    env.run(until=100)
    if point and normal:
        assert normal[0] <= dev.read(point) <= normal[1]
    dev.inject(incident, clear_after_s=600)
    assert dev.read(alarm) is True
    if point and hazard:
        assert hazard[0] <= dev.read(point) <= hazard[1]
    env.run(until=701)
    assert dev.read(alarm) is False
    if point and normal:
        assert normal[0] <= dev.read(point) <= normal[1]
