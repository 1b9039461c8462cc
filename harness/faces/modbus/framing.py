"""Modbus TCP framing and request checks, as the spec has them: pure functions over bytes.

pymodbus 3.16's server framing decodes one ADU per `data_received` and then drops the rest of
its receive buffer when it answers (`ModbusProtocol.send` clears `recv_buffer`), so requests
pipelined in one TCP segment get a single answer; a protocol id other than 0 leaves the frame
in the buffer, jamming the connection; and a request whose count is out of range fails to
decode and is answered `80 01` (function 0, illegal function). The gateway's connections
(`connection`) frame the stream here instead and let pymodbus decode only checked PDUs.

References: Modbus Messaging on TCP/IP Implementation Guide V1.0b (MBAP header: transaction id
2 bytes, protocol id 2 bytes = 0, length 2 bytes = unit id + PDU, unit id 1 byte; a PDU is at
most 253 bytes) and Modbus Application Protocol V1.1b3 (per function: quantity or value out of
range -> exception 03, start + quantity beyond the address space -> 02, unknown function -> 01).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from typing import NamedTuple

from pymodbus.exceptions import ModbusException
from pymodbus.pdu import ModbusPDU

HEADER = 6            #: transaction id, protocol id, length: what is needed to find the frame's end
MIN_LENGTH = 2        #: unit id + function code
MAX_LENGTH = 1 + 253  #: unit id + the largest PDU
MAX_ADU = HEADER + MAX_LENGTH

ILLEGAL_FUNCTION, ILLEGAL_ADDRESS, ILLEGAL_VALUE = 1, 2, 3


class Adu(NamedTuple):
    tid: int
    unit: int
    pdu: bytes


class Split(NamedTuple):
    """What a receive buffer holds: complete requests, how many bytes they used (a partial
    frame after them stays for the next segment), frames discarded for a protocol id other
    than 0, and why the stream cannot be framed any further (None: it can)."""

    adus: list[Adu]
    used: int
    discarded: int
    broken: str | None


def split(buf: bytes | bytearray) -> Split:
    """Every complete ADU in `buf`, in order.

    A frame with a protocol id other than 0 is not Modbus: it is skipped by its length, which
    keeps the stream in step for the requests after it. A length outside 2..254 cannot be a
    Modbus frame and leaves no way to find the next one: `broken` says so, and the connection
    should be closed (the requests framed before it are still returned)."""
    adus: list[Adu] = []
    pos, n, discarded = 0, len(buf), 0
    while n - pos >= HEADER:
        length = buf[pos + 4] << 8 | buf[pos + 5]
        if not MIN_LENGTH <= length <= MAX_LENGTH:
            return Split(adus, pos, discarded, f"MBAP length {length} outside 2..254")
        end = pos + HEADER + length
        if end > n:
            break  # a partial frame: wait for the rest
        if buf[pos + 2] or buf[pos + 3]:
            discarded += 1
        else:
            adus.append(Adu(buf[pos] << 8 | buf[pos + 1], buf[pos + 6],
                            bytes(buf[pos + 7:end])))
        pos = end
    return Split(adus, pos, discarded, None)


# -- per-function checks (Application Protocol V1.1b3, section 6) --------------------------------
def _span(address: int, count: int) -> int | None:
    return ILLEGAL_ADDRESS if address + count > 0x10000 else None


def _read(limit: int) -> Callable[[bytes], int | None]:
    """FC 1/2 (limit 2000 bits), FC 3/4 (125 registers): address, quantity."""
    def check(data: bytes) -> int | None:
        if len(data) != 4:
            return ILLEGAL_VALUE
        address, count = struct.unpack(">HH", data)
        return ILLEGAL_VALUE if not 1 <= count <= limit else _span(address, count)
    return check


def _write_coil(data: bytes) -> int | None:
    """FC 5: the output value is 0x0000 (off) or 0xFF00 (on), nothing else."""
    if len(data) != 4:
        return ILLEGAL_VALUE
    return None if data[2:] in (b"\x00\x00", b"\xff\x00") else ILLEGAL_VALUE


def _fixed(size: int) -> Callable[[bytes], int | None]:
    """FC 6 (address, value), FC 22 (address, and-mask, or-mask): any values."""
    def check(data: bytes) -> int | None:
        return None if len(data) == size else ILLEGAL_VALUE
    return check


def _write_many(limit: int, bytes_for: Callable[[int], int]) -> Callable[[bytes], int | None]:
    """FC 15 (1968 bits), FC 16 (123 registers): address, quantity, byte count, values."""
    def check(data: bytes) -> int | None:
        if len(data) < 5:
            return ILLEGAL_VALUE
        address, count, byte_count = struct.unpack(">HHB", data[:5])
        if (not 1 <= count <= limit or byte_count != bytes_for(count)
                or len(data) != 5 + byte_count):
            return ILLEGAL_VALUE
        return _span(address, count)
    return check


def _read_write(data: bytes) -> int | None:
    """FC 23: read 1..125 registers, write 1..121 registers with a matching byte count."""
    if len(data) < 9:
        return ILLEGAL_VALUE
    r_address, r_count, w_address, w_count, byte_count = struct.unpack(">HHHHB", data[:9])
    if (not 1 <= r_count <= 125 or not 1 <= w_count <= 121 or byte_count != 2 * w_count
            or len(data) != 9 + byte_count):
        return ILLEGAL_VALUE
    return _span(w_address, w_count) or _span(r_address, r_count)


#: The data-access functions the gateway serves, checked here before pymodbus decodes them.
CHECKS: Mapping[int, Callable[[bytes], int | None]] = {
    1: _read(2000), 2: _read(2000), 3: _read(125), 4: _read(125),
    5: _write_coil, 6: _fixed(4), 22: _fixed(6),
    15: _write_many(1968, lambda n: (n + 7) // 8), 16: _write_many(123, lambda n: 2 * n),
    23: _read_write,
}


def decode_request(pdu: bytes, tables: tuple[Mapping[int, tuple[type[ModbusPDU], type[ModbusPDU]]],
                                      Mapping[int, Mapping[int, tuple[type[ModbusPDU],
                                                                      type[ModbusPDU]]]]]
            ) -> ModbusPDU | int:
    """The decoded request PDU, or the exception code that answers it.

    `tables` are pymodbus' `DecodePDU.pdu_table` and `pdu_sub_table` (request class first).
    The data-access functions are checked against the spec first; other functions pymodbus
    knows (diagnostics, device identification...) are decoded by it, and a body it cannot
    decode answers 03. `DecodePDU.decode` is not used: it logs a warning for every bad frame.
    """
    fc = pdu[0]
    check = CHECKS.get(fc)
    if check is not None and (code := check(pdu[1:])) is not None:
        return code
    pdu_table, sub_table = tables
    entry = pdu_table.get(fc) if fc < 0x80 else None
    if entry is None:
        return ILLEGAL_FUNCTION
    try:
        request = entry[0]()
        request.decode(pdu[1:])
        if request.sub_function_code >= 0:
            sub = sub_table.get(fc, {}).get(request.sub_function_code)
            if sub is None:
                return ILLEGAL_FUNCTION
            request = sub[0]()
            request.decode(pdu[1:])
    except (ModbusException, ValueError, IndexError, struct.error):
        return ILLEGAL_VALUE
    return request
