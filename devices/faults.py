"""Device-level sensor faults as pure value transforms: stuck, drifting and bad sensors.

A `SensorFault` sits on a device (`Device.sensor_fault`) and distorts only values computed from
time (readings), never alarm or command points: a stuck meter still reports its comm fault.
`sim.faults` decides when a fault starts and ends; this module only says what a read returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from devices.points import DataType, Point

SensorFaultKind = Literal["stuck", "drift", "bad_sensor"]

#: What a broken sensor reads, per data type: the all-ones/most-negative raw pattern real
#: transmitters send for "no valid measurement", NaN for floats.
_BAD_RAW = {DataType.UINT16: 0xFFFF, DataType.INT16: -0x8000, DataType.UINT32: 0xFFFF_FFFF,
            DataType.INT32: -0x8000_0000}


@dataclass
class SensorFault:
    kind: SensorFaultKind
    since_s: float
    #: drift: relative change per simulated hour (0.05 = +5 %/h of the true value).
    drift_per_h: float = 0.05
    _frozen: dict[str, float | int | bool] = field(default_factory=dict)

    def apply(self, point: Point, value: float | int | bool, now: float) -> float | int | bool:
        if point.dtype is DataType.BOOL:
            return value
        if self.kind == "stuck":
            # The first read after the fault began freezes the value it shows from then on.
            return self._frozen.setdefault(point.name, value)
        if self.kind == "drift":
            hours = max(0.0, now - self.since_s) / 3600.0
            return float(value) * (1.0 + self.drift_per_h * hours)
        if point.dtype is DataType.FLOAT32:
            return math.nan
        return _BAD_RAW[point.dtype] * point.scale
