"""The one codec: every data type round-trips in both word orders; bad values are refused."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices import CodecError, DataType, WordOrder, decode, encode

INT_RANGES = {DataType.UINT16: (0, 0xFFFF), DataType.INT16: (-0x8000, 0x7FFF),
              DataType.UINT32: (0, 0xFFFF_FFFF), DataType.INT32: (-0x8000_0000, 0x7FFF_FFFF)}
orders = st.sampled_from(list(WordOrder))


@st.composite
def typed_values(draw: st.DrawFn) -> tuple[DataType, object]:
    dtype = draw(st.sampled_from(list(DataType)))
    if dtype is DataType.BOOL:
        return dtype, draw(st.booleans())
    if dtype is DataType.FLOAT32:
        return dtype, draw(st.floats(width=32, allow_nan=False))
    lo, hi = INT_RANGES[dtype]
    return dtype, draw(st.integers(lo, hi))


@given(typed_values(), orders)
def test_round_trip_every_type_and_word_order(tv: tuple[DataType, object],
                                              order: WordOrder) -> None:
    dtype, value = tv
    regs = encode(dtype, value, word_order=order)  # type: ignore[arg-type]
    assert len(regs) == dtype.registers
    assert all(0 <= r <= 0xFFFF for r in regs)
    assert decode(dtype, regs, word_order=order) == value


@given(st.integers(0, 0xFFFF_FFFF))
def test_word_orders_are_mirror_images(value: int) -> None:
    big = encode(DataType.UINT32, value, word_order=WordOrder.BIG)
    assert encode(DataType.UINT32, value, word_order=WordOrder.LITTLE) == big[::-1]
    assert big == [value >> 16, value & 0xFFFF]


@given(st.integers(0, 4_000_000_000), orders)
def test_scaled_counter_round_trips_to_the_scale(raw: int, order: WordOrder) -> None:
    value = raw * 0.01
    regs = encode(DataType.UINT32, value, scale=0.01, word_order=order)
    assert decode(DataType.UINT32, regs, scale=0.01, word_order=order) == pytest.approx(value)


def test_float32_is_ieee_big_endian_bytes() -> None:
    regs = encode(DataType.FLOAT32, 1.5)
    assert struct.pack(">HH", *regs) == struct.pack(">f", 1.5)


@pytest.mark.parametrize("dtype,value", [(DataType.UINT16, 65536), (DataType.UINT16, -1),
                                         (DataType.INT16, 40000), (DataType.UINT32, 2**32),
                                         (DataType.FLOAT32, 1e39)])
def test_values_that_do_not_fit_are_refused(dtype: DataType, value: float) -> None:
    with pytest.raises(CodecError, match="does not fit"):
        encode(dtype, value)


def test_decode_refuses_wrong_register_count() -> None:
    with pytest.raises(CodecError, match="takes 2 registers"):
        decode(DataType.INT32, [1])
