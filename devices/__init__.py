"""One module per device kind: behaviour as SimPy processes plus a point map as data; no I/O.

`KINDS` maps a scenario's device kind to its class; `build` makes one device for a spec.
"""

from __future__ import annotations

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, Value, alarm_points, points_by_table
from devices.call_button import CallButton
from devices.electricity_meter import ElectricityMeter
from devices.fire_panel import FirePanel
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
)
from scenarios import Device as DeviceSpec

KINDS: dict[str, type[Device]] = {cls.KIND: cls for cls in (FirePanel, CallButton,
                                                           ElectricityMeter)}


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
    "CallButton",
    "CodecError",
    "DataType",
    "Device",
    "ElectricityMeter",
    "FirePanel",
    "IncidentSpec",
    "Point",
    "Table",
    "Value",
    "WordOrder",
    "alarm_points",
    "build",
    "check_write",
    "decode",
    "decode_point",
    "encode",
    "encode_point",
    "incident_spec",
    "points_by_table",
]
