"""One module per device kind: behaviour as SimPy processes plus a point map as data; no I/O.

`KINDS` maps a scenario's device kind to its class; `build` makes one device for a spec.
"""

from __future__ import annotations

import numpy as np
import simpy

from devices.access_gate import AccessGate
from devices.base import Device, IncidentSpec, Value, alarm_points, alarm_table, points_by_table
from devices.call_button import CallButton
from devices.cctv_camera import CctvCamera
from devices.ebike_charger import EbikeCharger
from devices.electricity_meter import ElectricityMeter
from devices.elevator_ebike_detector import ElevatorEbikeDetector
from devices.faults import SensorFault
from devices.fire_hazard_sensor import FireHazardSensor
from devices.fire_panel import FirePanel
from devices.garbage_station import GarbageStation
from devices.gas_meter import GasMeter
from devices.meter import Meter
from devices.perimeter_zone import PerimeterZone
from devices.points import (
    Access,
    CodecError,
    DataType,
    Point,
    Table,
    WordOrder,
    check_write,
    decode,
    decode_point,
    encode,
    encode_point,
    pack_text,
    unpack_text,
)
from devices.smart_light import SmartLight
from devices.throwing_camera import ThrowingCamera
from devices.water_meter import WaterMeter
from scenarios import Device as DeviceSpec

KINDS: dict[str, type[Device]] = {cls.KIND: cls for cls in (
    FirePanel, CallButton, ElectricityMeter, WaterMeter, GasMeter, EbikeCharger, SmartLight,
    FireHazardSensor, PerimeterZone, ThrowingCamera, CctvCamera, AccessGate,
    ElevatorEbikeDetector, GarbageStation)}


def build(env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> Device:
    return KINDS[spec.kind](env, spec, rng)


def incident_spec(incident_kind: str) -> tuple[type[Device], IncidentSpec]:
    """The device class that carries an incident kind, and how the incident shows on it."""
    for cls in KINDS.values():
        if incident_kind in cls.INCIDENTS:
            return cls, cls.INCIDENTS[incident_kind]
    raise KeyError(incident_kind)


__all__ = [
    "KINDS",
    "Access",
    "AccessGate",
    "CallButton",
    "CctvCamera",
    "CodecError",
    "DataType",
    "Device",
    "EbikeCharger",
    "ElectricityMeter",
    "ElevatorEbikeDetector",
    "FireHazardSensor",
    "FirePanel",
    "GarbageStation",
    "GasMeter",
    "IncidentSpec",
    "Meter",
    "PerimeterZone",
    "Point",
    "SensorFault",
    "SmartLight",
    "Table",
    "ThrowingCamera",
    "Value",
    "WaterMeter",
    "WordOrder",
    "alarm_points",
    "alarm_table",
    "build",
    "check_write",
    "decode",
    "decode_point",
    "encode",
    "encode_point",
    "incident_spec",
    "pack_text",
    "points_by_table",
    "unpack_text",
]
