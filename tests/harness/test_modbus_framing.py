"""The gateway's Modbus TCP framing over loopback, with frames built by hand from the specs:
pipelined requests, split and partial frames, exception codes per the Application Protocol
V1.1b3, bad MBAP headers, the connection cap and rate-limited logging.

MBAP header (Messaging on TCP/IP Implementation Guide V1.0b): transaction id (2 bytes), protocol
id (2 bytes, 0 = Modbus), length (2 bytes: unit id + PDU), unit id (1 byte); all big-endian.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymodbus.client import AsyncModbusTcpClient
from pymodbus.pdu import ModbusPDU

from harness.faces.modbus import framing
from harness.faces.modbus.gateway import ModbusGateway
from scenarios import from_dict
from sim import World
from tests.conftest import tiny_dict

FIRE, METER = 1, 3  # unit ids in tiny_dict


def adu(tid: int, unit: int, pdu: bytes, pid: int = 0, length: int | None = None) -> bytes:
    """An ADU: MBAP header (tid, pid, length = 1 + len(pdu), unit) then the PDU."""
    n = 1 + len(pdu) if length is None else length
    return struct.pack(">HHHB", tid, pid, n, unit) + pdu


def read_ir(address: int, count: int) -> bytes:
    """FC 4 read input registers: function 0x04, start address, quantity."""
    return struct.pack(">BHH", 4, address, count)


async def answers(reader: asyncio.StreamReader, n: int,
                  timeout: float = 2.0) -> list[tuple[int, int, bytes]]:
    """The next n answers as (tid, unit, pdu), framed by their MBAP length."""
    out = []
    for _ in range(n):
        head = await asyncio.wait_for(reader.readexactly(7), timeout)
        tid, pid, length, unit = struct.unpack(">HHHB", head)
        assert pid == 0
        out.append((tid, unit, await asyncio.wait_for(reader.readexactly(length - 1), timeout)))
    return out


async def nothing_more(reader: asyncio.StreamReader, wait: float = 0.2) -> bool:
    try:
        data = await asyncio.wait_for(reader.read(1), wait)
    except TimeoutError:
        return True
    return data == b""


class Twin:
    def __init__(self, gateway: ModbusGateway, port: int) -> None:
        self.gateway = gateway
        self.port = port
        self.writers: list[asyncio.StreamWriter] = []

    async def raw(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writers.append(writer)
        return reader, writer

    @property
    def server(self) -> Any:
        assert self.gateway._server is not None
        return self.gateway._server


async def start_twin(**gateway: Any) -> Twin:
    world = World(from_dict(tiny_dict(duration_s=1e7)))
    world.live_clock(speed=1.0).start()
    gw = ModbusGateway(world, world.scenario.gateways[0], port=0, **gateway)
    return Twin(gw, (await gw.start()).port)


@pytest.fixture
async def twin(request: pytest.FixtureRequest) -> AsyncIterator[Twin]:
    t = await start_twin(**getattr(request, "param", {}))
    try:
        yield t
    finally:
        for w in t.writers:
            w.close()
        await t.gateway.stop()


async def test_five_pipelined_requests_in_one_write_get_five_answers_in_order(twin: Twin) -> None:
    reader, writer = await twin.raw()
    # Fire panel input registers 0..k-1 for k = 1..5: each answer is identifiable by its size.
    writer.write(b"".join(adu(100 + k, FIRE, read_ir(0, k)) for k in range(1, 6)))
    got = await answers(reader, 5)
    assert [(tid, unit, pdu[:2]) for tid, unit, pdu in got] == [
        (100 + k, FIRE, bytes([4, 2 * k])) for k in range(1, 6)]
    client = AsyncModbusTcpClient("127.0.0.1", port=twin.port, timeout=2, retries=0)
    await client.connect()
    rr = await client.read_input_registers(0, count=5, device_id=FIRE)
    client.close()
    assert [struct.unpack(f">{len(pdu) // 2 - 1}H", pdu[2:]) for _, _, pdu in got] == [
        tuple(rr.registers[:k]) for k in range(1, 6)]


async def test_many_pipelined_requests_are_all_answered_in_order(twin: Twin) -> None:
    """More than the connection queues at once: reading pauses, then resumes."""
    reader, writer = await twin.raw()
    writer.write(b"".join(adu(tid, FIRE, read_ir(0, 1)) for tid in range(1, 301)))
    got = await answers(reader, 300, timeout=5.0)
    assert [tid for tid, _, _ in got] == list(range(1, 301))


async def test_a_request_split_across_two_writes_is_answered_once(twin: Twin) -> None:
    reader, writer = await twin.raw()
    frame = adu(7, FIRE, read_ir(0, 2))
    writer.write(frame[:5])
    await writer.drain()
    await asyncio.sleep(0.05)
    writer.write(frame[5:])
    ((tid, unit, pdu),) = await answers(reader, 1)
    assert (tid, unit, pdu[:2]) == (7, FIRE, b"\x04\x04")
    assert await nothing_more(reader)


async def test_a_partial_trailing_frame_is_kept_for_the_next_write(twin: Twin) -> None:
    reader, writer = await twin.raw()
    first, second = adu(1, FIRE, read_ir(0, 1)), adu(2, FIRE, read_ir(0, 3))
    writer.write(first + second[:9])
    assert [t for t, _, _ in await answers(reader, 1)] == [1]
    assert await nothing_more(reader)
    writer.write(second[9:])
    ((tid, _, pdu),) = await answers(reader, 1)
    assert (tid, pdu[:2]) == (2, b"\x04\x06")


# Exception answers: the function code with its high bit set (function | 0x80), then the code.
# 01 illegal function, 02 illegal data address, 03 illegal data value (V1.1b3 section 7).
SPEC_CASES = [
    # FC 3 quantity must be 1..125 (0x0001..0x007D): 0 and 126 -> 03.
    ("FC3 count 0", struct.pack(">BHH", 3, 0, 0), b"\x83\x03"),
    ("FC3 count 126", struct.pack(">BHH", 3, 0, 126), b"\x83\x03"),
    ("FC4 count 0", struct.pack(">BHH", 4, 0, 0), b"\x84\x03"),
    # FC 1/2 quantity of bits must be 1..2000 (0x07D0).
    ("FC1 count 2001", struct.pack(">BHH", 1, 0, 2001), b"\x81\x03"),
    ("FC2 count 0", struct.pack(">BHH", 2, 0, 0), b"\x82\x03"),
    # Start + quantity past the 65,536 addresses -> 02.
    ("FC3 past the end", struct.pack(">BHH", 3, 0xFFFF, 2), b"\x83\x02"),
    # FC 5 output value must be 0x0000 or 0xFF00.
    ("FC5 value 0x1234", struct.pack(">BHH", 5, 8, 0x1234), b"\x85\x03"),
    # FC 15 quantity 1..1968 (0x07B0) with byte count = ceil(N / 8): 1969 bits -> 247 bytes,
    # a 253-byte PDU, the largest there is.
    ("FC15 1969 bits", struct.pack(">BHHB", 15, 0, 1969, 247) + bytes(247), b"\x8f\x03"),
    ("FC15 byte count 2 for 8 bits", struct.pack(">BHHB", 15, 8, 8, 2) + bytes(2), b"\x8f\x03"),
    # FC 16 quantity 1..123 (0x7B) with byte count = 2 N: 124 registers cannot fit an ADU,
    # so the quantity alone is out of range; 2 registers announced with 3 bytes mismatch.
    ("FC16 124 registers", struct.pack(">BHHB", 16, 0, 124, 248) + bytes(4), b"\x90\x03"),
    ("FC16 byte count 3", struct.pack(">BHHB", 16, 0, 2, 3) + bytes(3), b"\x90\x03"),
    ("FC16 fewer bytes than counted", struct.pack(">BHHB", 16, 0, 2, 4) + bytes(2), b"\x90\x03"),
    # FC 23 write quantity 1..121 (0x79).
    ("FC23 write 122", struct.pack(">BHHHHB", 23, 0, 1, 0, 122, 244), b"\x97\x03"),
    # Truncated body of a known function.
    ("FC3 truncated", b"\x03\x00", b"\x83\x03"),
    # Function codes no Modbus device implements -> 01 with that function | 0x80.
    ("FC 0x63", b"\x63\x00\x00", b"\xe3\x01"),
    ("FC 0", b"\x00", b"\x80\x01"),
    ("FC 0x85 (an exception code as a request)", b"\x85\x01", b"\x85\x01"),
]


@pytest.mark.parametrize(("pdu", "expected"), [c[1:] for c in SPEC_CASES],
                         ids=[c[0] for c in SPEC_CASES])
async def test_bad_requests_answer_the_spec_exception(twin: Twin, pdu: bytes,
                                                      expected: bytes) -> None:
    reader, writer = await twin.raw()
    writer.write(adu(42, FIRE, pdu) + adu(43, FIRE, read_ir(0, 1)))
    got = await answers(reader, 2)
    assert got[0] == (42, FIRE, expected)
    assert got[1][0] == 43 and got[1][2][:2] == b"\x04\x02"  # the connection goes on


def test_pdu_checks_match_the_spec_table() -> None:
    for name, pdu, expected in SPEC_CASES:
        result = framing.decode_request(pdu, twin_tables())
        assert result == expected[1], name
    assert isinstance(framing.decode_request(struct.pack(">BHH", 5, 8, 0xFF00), twin_tables()),
                      ModbusPDU)
    assert isinstance(framing.decode_request(struct.pack(">BHH", 3, 0, 125), twin_tables()),
                      ModbusPDU)


def twin_tables() -> Any:
    from pymodbus.pdu import DecodePDU
    decoder = DecodePDU(True)
    return decoder.pdu_table, decoder.pdu_sub_table


class Raw(ModbusPDU):
    """A request pymodbus' client sends as given (its own request classes refuse bad counts)."""

    def __init__(self, pdu: bytes, dev_id: int) -> None:
        super().__init__(dev_id=dev_id)
        self.function_code = pdu[0]
        self.body = pdu[1:]

    def encode(self) -> bytes:
        return self.body


@pytest.mark.parametrize(("pdu", "expected"),
                         [c[1:] for c in SPEC_CASES if c[1][0] not in (0, 0x85)],
                         ids=[c[0] for c in SPEC_CASES if c[1][0] not in (0, 0x85)])
async def test_pymodbus_client_sees_the_spec_exception(twin: Twin, pdu: bytes,
                                                       expected: bytes) -> None:
    client = AsyncModbusTcpClient("127.0.0.1", port=twin.port, timeout=2, retries=0)
    await client.connect()
    try:
        rr = await client.execute(False, Raw(pdu, FIRE))
        assert rr.isError()
        assert (rr.function_code, rr.exception_code) == (expected[0], expected[1])
        ok = await client.read_input_registers(0, count=1, device_id=FIRE)
        assert not ok.isError()
    finally:
        client.close()


async def test_a_frame_with_protocol_id_1_is_discarded_and_the_next_one_answered(
        twin: Twin) -> None:
    reader, writer = await twin.raw()
    other_reader, other_writer = await twin.raw()
    writer.write(adu(1, FIRE, read_ir(0, 1), pid=1) + adu(2, FIRE, read_ir(0, 1)))
    other_writer.write(adu(9, FIRE, read_ir(0, 1)))
    assert [t for t, _, _ in await answers(reader, 1)] == [2]
    assert [t for t, _, _ in await answers(other_reader, 1)] == [9]
    assert twin.server.malformed == 1


@pytest.mark.parametrize("length", [0, 1, 255, 0xFFFF])
async def test_an_impossible_mbap_length_closes_only_that_connection(twin: Twin,
                                                                     length: int) -> None:
    reader, writer = await twin.raw()
    other_reader, other_writer = await twin.raw()
    writer.write(adu(0, FIRE, read_ir(0, 1)) + adu(1, FIRE, read_ir(0, 1), length=length)
                 + adu(2, FIRE, read_ir(0, 1)))
    # The request before the bad header is answered, then the connection closes: the length
    # was the only way to find where the next frame starts.
    assert [t for t, _, _ in await answers(reader, 1)] == [0]
    assert await asyncio.wait_for(reader.read(), 2) == b""
    other_writer.write(adu(3, FIRE, read_ir(0, 1)))
    assert [t for t, _, _ in await answers(other_reader, 1)] == [3]
    fresh_reader, fresh_writer = await twin.raw()
    fresh_writer.write(adu(4, FIRE, read_ir(0, 1)))
    assert [t for t, _, _ in await answers(fresh_reader, 1)] == [4]


@pytest.mark.parametrize("twin", [{"max_connections": 2}], indirect=True)
async def test_connections_beyond_the_cap_are_closed(twin: Twin) -> None:
    kept = [await twin.raw() for _ in range(2)]
    for _ in range(50):
        if len(twin.server.open_connections) == 2:
            break
        await asyncio.sleep(0.01)
    extra_reader, extra_writer = await twin.raw()
    extra_writer.write(adu(1, FIRE, read_ir(0, 1)))
    assert await asyncio.wait_for(extra_reader.read(), 2) == b""
    for tid, (reader, writer) in enumerate(kept):
        writer.write(adu(tid, FIRE, read_ir(0, 1)))
        assert [t for t, _, _ in await answers(reader, 1)] == [tid]
    assert twin.server.refused_connections == 1


async def test_the_default_cap_is_64_connections(twin: Twin) -> None:
    assert twin.server.connection_limit == 64


async def test_malformed_frames_log_one_line_per_peer(twin: Twin,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="harness.faces.modbus.connection")
    reader, writer = await twin.raw()
    bad = b"".join(adu(t, FIRE, read_ir(0, 1), pid=7) + adu(t, FIRE, read_ir(0, 0))
                   for t in range(50))
    writer.write(bad + adu(99, FIRE, read_ir(0, 1)))
    got = await answers(reader, 51)
    assert [pdu for _, _, pdu in got[:50]] == [b"\x84\x03"] * 50
    assert got[50][0] == 99
    lines = [r for r in caplog.records if r.name == "harness.faces.modbus.connection"]
    assert len(lines) == 1 and lines[0].getMessage().startswith("127.0.0.1: gateway gw")
