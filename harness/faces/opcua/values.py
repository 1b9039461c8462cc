"""What a point's value looks like on OPC UA: its variant type, the value quantised exactly as the
Modbus encoding quantises it, and the DataValue a client receives (with a bad status when the
device cannot be reached).

One rule for both faces: a value goes through the devices package's codec (`encode_point`, then
`decode_point`) before it is served, so an OPC UA Read and a Modbus read of the same point at the
same instant give the same number (a kWh counter with scale 0.01 shows 123.45, never
123.4567; a Float shows the binary32 value a Modbus client decodes).
"""

from __future__ import annotations

import datetime

from asyncua import ua

from devices import DataType, Point, Value, decode_point, encode_point

_INTEGER_VARIANT = {DataType.UINT16: ua.VariantType.UInt16, DataType.INT16: ua.VariantType.Int16,
                    DataType.UINT32: ua.VariantType.UInt32, DataType.INT32: ua.VariantType.Int32}


def status(code: int) -> ua.StatusCode:
    return ua.StatusCode(ua.UInt32(code))


def variant_type(point: Point) -> ua.VariantType:
    """The OPC UA type of a point: engineering values, so a scaled integer becomes a Double."""
    if point.dtype is DataType.BOOL:
        return ua.VariantType.Boolean
    if point.dtype is DataType.FLOAT32:
        return ua.VariantType.Float
    if point.scale != 1.0:
        return ua.VariantType.Double
    return _INTEGER_VARIANT[point.dtype]


def to_variant(vtype: ua.VariantType, value: float | int | bool) -> ua.Variant:
    if vtype is ua.VariantType.Boolean:
        return ua.Variant(bool(value), vtype)
    if vtype in (ua.VariantType.Float, ua.VariantType.Double):
        return ua.Variant(float(value), vtype)
    return ua.Variant(int(value), vtype)


def quantise(point: Point, value: Value) -> Value:
    """The value a Modbus client decodes for `value`. Raises `devices.CodecError` when the value
    does not fit the point's registers (Modbus then answers exception 04)."""
    return decode_point(point, encode_point(point, value))


def point_variant(point: Point, value: Value) -> ua.Variant:
    """The served variant of a point's engineering value (quantised; may raise CodecError)."""
    return to_variant(variant_type(point), quantise(point, value))


def good(variant: ua.Variant) -> ua.DataValue:
    stamp = datetime.datetime.now(datetime.UTC)
    return ua.DataValue(variant, SourceTimestamp=stamp,  # type: ignore[arg-type]
                        ServerTimestamp=stamp)  # type: ignore[arg-type]


def bad(code: int) -> ua.DataValue:
    """A DataValue with no value: what a Read or a subscription gets from a device it cannot
    reach (the status says why)."""
    stamp = datetime.datetime.now(datetime.UTC)
    return ua.DataValue(StatusCode=status(code),
                        ServerTimestamp=stamp)  # type: ignore[arg-type]


def status_of(dv: ua.DataValue | None) -> int:
    """The status code of a DataValue (no DataValue or no StatusCode: Good)."""
    if dv is None or dv.StatusCode is None:
        return ua.StatusCodes.Good
    return int(dv.StatusCode.value)


def is_good(dv: ua.DataValue | None) -> bool:
    return ua.StatusCode(ua.UInt32(status_of(dv))).is_good()
