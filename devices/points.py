"""The point model: a device's named values and the one codec every server and client uses.

A `Point` is data: name, `DataType`, access, unit, scale, Modbus table and address. The codec
turns an engineering value into 16-bit registers (and back) for every data type in both word
orders; servers, the reference platform and tests all use these two functions, so there is one
answer to "what does register 30012 mean".

Scaling convention: engineering value = raw integer x scale (a kWh counter with scale 0.01
reads raw 12345 as 123.45 kWh). Floats are sent as IEEE 754 binary32 and ignore scale.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from enum import Enum


class CodecError(ValueError):
    """A value does not fit its point's data type, or registers are the wrong shape."""


class DataType(Enum):
    BOOL = "bool"
    UINT16 = "uint16"
    INT16 = "int16"
    UINT32 = "uint32"
    INT32 = "int32"
    FLOAT32 = "float32"

    @property
    def registers(self) -> int:
        """How many 16-bit registers (or bits, for BOOL in a bit table) the type takes."""
        return 2 if self in (DataType.UINT32, DataType.INT32, DataType.FLOAT32) else 1

    @property
    def struct_code(self) -> str:
        return _STRUCT[self]

    @property
    def is_integer(self) -> bool:
        return self not in (DataType.FLOAT32, DataType.BOOL)


_STRUCT = {DataType.BOOL: ">H", DataType.UINT16: ">H", DataType.INT16: ">h",
           DataType.UINT32: ">I", DataType.INT32: ">i", DataType.FLOAT32: ">f"}
_RANGE = {DataType.BOOL: (0, 1), DataType.UINT16: (0, 0xFFFF), DataType.INT16: (-0x8000, 0x7FFF),
          DataType.UINT32: (0, 0xFFFF_FFFF), DataType.INT32: (-0x8000_0000, 0x7FFF_FFFF)}


class WordOrder(Enum):
    """Order of the 16-bit words of a 32-bit value; bytes inside a word are always big-endian."""

    BIG = "big"        # high word first (Modbus convention, "ABCD")
    LITTLE = "little"  # low word first (common in field gateways, "CDAB")


class Access(Enum):
    R = "R"
    RW = "RW"


class Table(Enum):
    COIL = "coil"                        # 0x, single bits, read/write
    DISCRETE_INPUT = "discrete_input"    # 1x, single bits, read-only
    INPUT_REGISTER = "input_register"    # 3x, 16-bit words, read-only
    HOLDING_REGISTER = "holding_register"  # 4x, 16-bit words, read/write

    @property
    def is_bit(self) -> bool:
        return self in (Table.COIL, Table.DISCRETE_INPUT)

    @property
    def writable(self) -> bool:
        return self in (Table.COIL, Table.HOLDING_REGISTER)


@dataclass(frozen=True)
class Point:
    """One named value of a device kind, and where it sits on the wire."""

    name: str
    dtype: DataType
    access: Access
    table: Table
    address: int
    unit: str = ""
    scale: float = 1.0
    description: str = ""
    #: Allowed range for writes, in engineering units (None: any value the type holds).
    write_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.table.is_bit and self.dtype is not DataType.BOOL:
            raise ValueError(f"point {self.name}: a {self.table.value} holds only bool")
        if self.access is Access.RW and not self.table.writable:
            raise ValueError(f"point {self.name}: a {self.table.value} is read-only on the wire")
        if self.scale <= 0:
            raise ValueError(f"point {self.name}: scale must be > 0, got {self.scale}")

    @property
    def count(self) -> int:
        """Registers (or bits) the point occupies."""
        return 1 if self.table.is_bit else self.dtype.registers

    @property
    def writable(self) -> bool:
        return self.access is Access.RW

    def span(self) -> range:
        return range(self.address, self.address + self.count)


def encode(dtype: DataType, value: float | int | bool, scale: float = 1.0,
           word_order: WordOrder = WordOrder.BIG) -> list[int]:
    """Engineering value -> 16-bit registers (one per register; a BOOL is one 0/1 word)."""
    if dtype is DataType.UINT16 or dtype is DataType.INT16:
        # Fast path for one-word integers (most points; a 125-register read encodes 125).
        raw_int = round(float(value) / scale)
        lo, hi = _RANGE[dtype]
        if not lo <= raw_int <= hi:
            raise CodecError(f"{value!r} (raw {raw_int}) does not fit {dtype.value} "
                             f"with scale {scale}: raw range {lo}..{hi}")
        return [raw_int & 0xFFFF]
    if dtype is DataType.FLOAT32:
        fvalue = float(value)
        if math.isfinite(fvalue) and abs(fvalue) > 3.4028234663852886e38:
            raise CodecError(f"{value!r} does not fit float32")
        raw = struct.pack(">f", fvalue)
    else:
        raw_int = round(float(value) / scale) if dtype is not DataType.BOOL else int(bool(value))
        lo, hi = _RANGE[dtype]
        if not lo <= raw_int <= hi:
            raise CodecError(f"{value!r} (raw {raw_int}) does not fit {dtype.value} "
                             f"with scale {scale}: raw range {lo}..{hi}")
        raw = struct.pack(_STRUCT[dtype], raw_int)
    words = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]
    if word_order is WordOrder.LITTLE:
        words.reverse()
    return words


def decode(dtype: DataType, registers: list[int], scale: float = 1.0,
           word_order: WordOrder = WordOrder.BIG) -> float | int | bool:
    """16-bit registers -> engineering value (the inverse of `encode`)."""
    if len(registers) != dtype.registers:
        raise CodecError(f"{dtype.value} takes {dtype.registers} registers, got {len(registers)}")
    if any(not 0 <= r <= 0xFFFF for r in registers):
        raise CodecError(f"registers must be 0..65535, got {registers}")
    words = list(registers)
    if word_order is WordOrder.LITTLE:
        words.reverse()
    raw = b"".join(w.to_bytes(2, "big") for w in words)
    if dtype is DataType.BOOL:
        return bool(words[0])
    number = struct.unpack(_STRUCT[dtype], raw)[0]
    if dtype is DataType.FLOAT32:
        return float(number)
    return int(number) if scale == 1.0 else number * scale


def encode_point(point: Point, value: float | int | bool,
                 word_order: WordOrder = WordOrder.BIG) -> list[int]:
    return encode(point.dtype, value, point.scale, word_order)


def decode_point(point: Point, registers: list[int],
                 word_order: WordOrder = WordOrder.BIG) -> float | int | bool:
    return decode(point.dtype, registers, point.scale, word_order)


def check_write(point: Point, value: float | int | bool) -> None:
    """Raise `CodecError` unless `value` is a legal write for this point."""
    if not point.writable:
        raise CodecError(f"point {point.name} is read-only")
    if point.write_range is not None:
        lo, hi = point.write_range
        if not lo <= float(value) <= hi:
            raise CodecError(f"point {point.name}: {value!r} outside {lo}..{hi}")


def pack_text(text: str, words: int) -> list[int]:
    """Text -> `words` registers: UTF-8 bytes, two per register, high byte first, NUL-padded.

    The convention of most Modbus devices for strings (e.g. SunSpec): an ASCII id of 20 digits
    takes 10 registers. Raises `CodecError` if the encoded text does not fit.
    """
    raw = text.encode("utf-8")
    if len(raw) > 2 * words:
        raise CodecError(f"{text!r} takes {len(raw)} bytes, {words} registers hold {2 * words}")
    raw = raw.ljust(2 * words, b"\0")
    return [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]


def unpack_text(registers: list[int]) -> str:
    """Registers -> text (the inverse of `pack_text`; trailing NULs dropped)."""
    raw = b"".join(int(r).to_bytes(2, "big") for r in registers)
    return raw.rstrip(b"\0").decode("utf-8", errors="replace")


def text_points(name: str, address: int, words: int, description: str) -> tuple[Point, ...]:
    """A read-only text as `words` UINT16 input registers `<name>_w0..` (see `pack_text`)."""
    return tuple(Point(f"{name}_w{i}", DataType.UINT16, Access.R, Table.INPUT_REGISTER,
                       address + i, description=f"{description}: UTF-8 bytes {2 * i + 1}-"
                       f"{2 * i + 2} (high byte first, NUL-padded; {words} registers)")
                 for i in range(words))
