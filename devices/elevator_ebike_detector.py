"""Elevator e-bike detector (消防隐患 indicator 19, e-bikes in lifts): detection, audible alarm,
door hold.

When the camera in the car recognises an e-bike, the detector raises `ebike_detected`, sounds
the buzzer and holds the doors open so the car cannot leave; all three end together when the
rider takes the bike out (the scenario's `clear_after_s`). Buzzer and door hold are computed
from the alarm when read, so they can never disagree with it.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, alarm_points, check_point_map
from devices.points import Access, DataType, Point, Table
from scenarios import Device as DeviceSpec


class ElevatorEbikeDetector(Device):
    KIND = "elevator_ebike_detector"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_points("ebike_detected", di=0, coil=0, ir=0,
                      description="e-bike recognised in the elevator car"),
        Point("buzzer", DataType.BOOL, Access.R, Table.DISCRETE_INPUT, 1,
              description="audible alarm in the car sounding"),
        Point("door_hold", DataType.BOOL, Access.R, Table.DISCRETE_INPUT, 2,
              description="doors held open: the car cannot leave"),
    )
    ALARMS = ("ebike_detected",)
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "ebike_in_elevator": IncidentSpec("ebike_detected", None,
                                          "a resident wheels an e-bike into the lift"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        super().__init__(env, spec, rng)
        self._computed["buzzer"] = lambda now: bool(self._values["ebike_detected"])
        self._computed["door_hold"] = lambda now: bool(self._values["ebike_detected"])


check_point_map(ElevatorEbikeDetector.KIND, ElevatorEbikeDetector.POINTS)
