"""Household gas meter (家庭能源采集 indicator 7): cumulative m³ and flow, comm fault.

Same model as every meter (`devices.meter`). Gas is used for cooking: three meal peaks and
almost nothing at night.
"""

from __future__ import annotations

from typing import ClassVar

from devices.base import IncidentSpec, alarm_points, check_point_map
from devices.meter import Meter
from devices.points import Access, DataType, Point, Table

#: Relative hourly gas demand of a household (breakfast, lunch, dinner).
GAS_SHAPE: tuple[float, ...] = (
    0.10, 0.10, 0.10, 0.10, 0.10, 0.30, 1.60, 1.80, 0.60, 0.40, 1.00, 2.60,
    1.80, 0.50, 0.30, 0.30, 0.60, 2.40, 3.00, 1.60, 0.80, 0.50, 0.30, 0.20,
)


class GasMeter(Meter):
    KIND = "gas_meter"
    POINTS: ClassVar[tuple[Point, ...]] = (
        Point("volume_m3", DataType.UINT32, Access.R, Table.INPUT_REGISTER, 0, unit="m3",
              scale=0.001, description="cumulative volume"),
        Point("flow_m3h", DataType.FLOAT32, Access.R, Table.INPUT_REGISTER, 2, unit="m3/h",
              description="flow, mean over the current hour"),
        *alarm_points("comm_fault", di=0, coil=0, ir=8, description="metering channel fault"),
    )
    ALARMS = ("comm_fault",)
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "gas_meter_fault": IncidentSpec("comm_fault", resolve_point=None,
                                        description="the gas meter's channel fails"),
    }
    TOTAL = "volume_m3"
    RATE = "flow_m3h"
    SHAPE = GAS_SHAPE
    MEDIAN_PER_H = 0.025   # about 0.6 m³ a day per household
    START = (10.0, 1500.0)


check_point_map(GasMeter.KIND, GasMeter.POINTS)
