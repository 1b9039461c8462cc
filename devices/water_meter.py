"""Household water meter (家庭能源采集 indicator 7): cumulative m³ and flow, comm fault.

Same model as every meter (`devices.meter`): the volume is the exact integral of an hourly step
profile with seeded noise, computed when read. Water use peaks at breakfast and in the evening.
"""

from __future__ import annotations

from typing import ClassVar

from devices.base import IncidentSpec, alarm_points, check_point_map
from devices.meter import Meter
from devices.points import Access, DataType, Point, Table

#: Relative hourly water demand of a household (morning wash, cooking, evening showers).
WATER_SHAPE: tuple[float, ...] = (
    0.20, 0.15, 0.12, 0.12, 0.15, 0.45, 1.40, 1.90, 1.40, 0.90, 0.80, 1.10,
    1.30, 0.90, 0.70, 0.70, 0.80, 1.20, 1.60, 1.70, 1.60, 1.40, 0.90, 0.45,
)


class WaterMeter(Meter):
    KIND = "water_meter"
    POINTS: ClassVar[tuple[Point, ...]] = (
        Point("volume_m3", DataType.UINT32, Access.R, Table.INPUT_REGISTER, 0, unit="m3",
              scale=0.001, description="cumulative volume"),
        Point("flow_m3h", DataType.FLOAT32, Access.R, Table.INPUT_REGISTER, 2, unit="m3/h",
              description="flow, mean over the current hour"),
        *alarm_points("comm_fault", di=0, coil=0, ir=8, description="metering channel fault"),
    )
    ALARMS = ("comm_fault",)
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "water_meter_fault": IncidentSpec("comm_fault", resolve_point=None,
                                          description="the water meter's channel fails"),
    }
    TOTAL = "volume_m3"
    RATE = "flow_m3h"
    SHAPE = WATER_SHAPE
    MEDIAN_PER_H = 0.012   # about 0.3 m³ a day per household
    START = (20.0, 2000.0)


check_point_map(WaterMeter.KIND, WaterMeter.POINTS)
