"""Malformed input to running servers over loopback: no crash, every answer well formed or the
connection closed, and a well-behaved client served correctly throughout.

Modbus: random bytes, valid MBAP headers with random PDUs, truncated frames, impossible
lengths, several frames per write. OPC UA: random bytes, random messages after a valid Hello,
truncated chunks, absurd sizes. CI runs a bounded number of examples; `-m slow` runs many more.
hypothesis drives a plain function; each example runs on the server's own event loop.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asyncua import Client, ua
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymodbus.client import AsyncModbusTcpClient

from harness.faces.modbus.gateway import ModbusGateway
from harness.faces.opcua.limits import cap_sessions
from harness.faces.opcua.server import OpcUaServer
from scenarios import from_dict
from scenarios.opcua import OpcUa, OpcUaUser
from sim import World
from tests.conftest import tiny_dict

CI_EXAMPLES, SLOW_EXAMPLES = 150, 3000
FIRE = 1


def fuzz_settings(examples: int) -> Any:
    return settings(max_examples=examples, deadline=None, derandomize=examples == CI_EXAMPLES,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Loop:
    """An event loop the test drives example by example, with a background task on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(coro, 20))

    def close(self) -> None:
        self.loop.close()


# -- Modbus ---------------------------------------------------------------------------------------
def mbap(tid: int, unit: int, pdu: bytes, pid: int = 0, length: int | None = None) -> bytes:
    return struct.pack(">HHHB", tid, pid, 1 + len(pdu) if length is None else length, unit) + pdu


FCS = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 15, 16, 17, 20, 21, 22, 23, 24, 43,
                       0x63, 0x80, 0x83, 0xFF])
UNITS = st.sampled_from([0, 1, 2, 3, 4, 247, 255])
PDU = st.one_of(st.binary(min_size=1, max_size=253),
                st.tuples(FCS, st.binary(max_size=20)).map(lambda t: bytes([t[0]]) + t[1]),
                st.tuples(st.sampled_from([1, 2, 3, 4]), st.integers(0, 0xFFFF),
                          st.integers(0, 0xFFFF)).map(lambda t: struct.pack(">BHH", *t)))
FRAME = st.one_of(
    st.builds(mbap, st.integers(0, 0xFFFF), UNITS, PDU),                          # valid MBAP
    st.builds(mbap, st.integers(0, 0xFFFF), UNITS, PDU, st.integers(1, 0xFFFF)),  # other pid
    st.builds(mbap, st.integers(0, 0xFFFF), UNITS, PDU, st.just(0),               # bad length
              st.sampled_from([0, 1, 255, 256, 0xFFFF])),
)
PAYLOAD = st.one_of(
    st.binary(max_size=600),                                                       # noise
    st.lists(FRAME, min_size=1, max_size=6).map(b"".join),                         # pipelined
    st.tuples(FRAME, st.integers(1, 40)).map(lambda t: t[0][:-t[1]] or t[0][:1]),  # truncated
)


def expected(payload: bytes) -> tuple[list[tuple[int, int, int]], bool, bool]:
    """What the spec says the server owes, read independently of the gateway's code:
    (tid, unit, function) of each frame to answer, whether the stream is unframeable
    (an impossible length: the connection may close), whether a partial frame is left."""
    owed: list[tuple[int, int, int]] = []
    pos = 0
    while len(payload) - pos >= 6:
        tid, pid, length = struct.unpack_from(">HHH", payload, pos)
        if not 2 <= length <= 254:
            return owed, True, False
        if pos + 6 + length > len(payload):
            return owed, False, True
        if pid == 0:
            owed.append((tid, payload[pos + 6], payload[pos + 7]))
        pos += 6 + length
    return owed, False, pos < len(payload)


def valid_answer(fc: int, pdu: bytes) -> bool:
    if pdu[0] == (fc | 0x80):
        return len(pdu) == 2 and pdu[1] in (1, 2, 3, 4, 6, 0x0B)
    return pdu[0] == fc and fc < 0x80


async def fuzz_one(port: int, payload: bytes) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    owed, broken, partial = expected(payload)
    sentinel = not (broken or partial)
    if sentinel:  # the connection must still be usable after whatever came before
        owed.append((0xBEEF, FIRE, 4))
        payload += mbap(0xBEEF, FIRE, struct.pack(">BHH", 4, 0, 1))
    try:
        writer.write(payload)
        for tid, unit, fc in owed:
            head = await asyncio.wait_for(reader.readexactly(7), 3)
            got_tid, pid, length, got_unit = struct.unpack(">HHHB", head)
            pdu = await asyncio.wait_for(reader.readexactly(length - 1), 3)
            assert (got_tid, pid, got_unit) == (tid, 0, unit), payload.hex()
            assert valid_answer(fc, pdu), (payload.hex(), pdu.hex())
        if broken:
            assert await asyncio.wait_for(reader.read(), 3) == b""
    finally:
        writer.close()


async def poll_correctly(port: int, reference: list[int], stop: asyncio.Event,
                         done: list[int]) -> None:
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=3, retries=0)
    await client.connect()
    try:
        while not stop.is_set():
            rr = await client.read_input_registers(0, count=5, device_id=FIRE)
            assert not rr.isError() and rr.registers == reference, rr
            done.append(1)
            await asyncio.sleep(0.005)
    finally:
        client.close()


def run_modbus_fuzz(examples: int) -> None:
    runner = Loop()
    world = World(from_dict(tiny_dict(duration_s=1e7)))
    gateway = ModbusGateway(world, world.scenario.gateways[0], port=0)

    async def setup() -> tuple[int, list[int]]:
        world.live_clock(speed=1.0).start()
        port = (await gateway.start()).port
        client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=3, retries=0)
        await client.connect()
        rr = await client.read_input_registers(0, count=5, device_id=FIRE)
        client.close()
        return port, list(rr.registers)

    port, reference = runner.run(setup())
    stop, done = asyncio.Event(), list[int]()
    poller = runner.loop.create_task(poll_correctly(port, reference, stop, done))

    @fuzz_settings(examples)
    @given(PAYLOAD)
    def example(payload: bytes) -> None:
        runner.run(fuzz_one(port, payload))
        assert not poller.done(), poller.exception()

    try:
        example()
        stop.set()
        runner.run(poller)  # raises what the well-behaved client saw go wrong
        assert done
        assert gateway._server is not None and gateway._server.malformed > 0
    finally:
        poller.cancel()
        runner.run(gateway.stop())
        runner.close()


def test_modbus_gateway_survives_malformed_adus() -> None:
    run_modbus_fuzz(CI_EXAMPLES)


@pytest.mark.slow
def test_modbus_gateway_survives_malformed_adus_long() -> None:
    run_modbus_fuzz(SLOW_EXAMPLES)


# -- OPC UA ---------------------------------------------------------------------------------------
USER = OpcUaUser(name="vera", password="view-pw", role="viewer")


def hello(max_message: int = 0, max_chunks: int = 0, url: bytes = b"opc.tcp://127.0.0.1/") -> bytes:
    """OPC UA Part 6 7.1.2.3: 'HEL' 'F' size, then protocol version, receive and send buffer
    sizes, max message size, max chunk count (UInt32 LE each), endpoint URL (Int32 length +
    bytes)."""
    body = struct.pack("<IIIIIi", 0, 65535, 65535, max_message, max_chunks, len(url)) + url
    return b"HELF" + struct.pack("<I", 8 + len(body)) + body


def chunk(kind: bytes, body: bytes, size: int | None = None, channel: int = 0) -> bytes:
    """A secure-conversation chunk header: type (3) + chunk type (1) + size (4) + channel (4)."""
    return kind + struct.pack("<II", 12 + len(body) if size is None else size, channel) + body


KINDS = st.sampled_from([b"MSGF", b"MSGC", b"MSGA", b"OPNF", b"CLOF", b"HELF", b"ACKF", b"ERRF",
                         b"XYZF"])
OPC_PAYLOAD = st.one_of(
    st.binary(max_size=400),
    st.builds(lambda b: hello() + b, st.binary(max_size=400)),
    st.builds(lambda k, b: hello() + chunk(k, b), KINDS, st.binary(max_size=300)),
    st.builds(lambda k, b, n: hello() + chunk(k, b)[:-n] if b else hello() + k,
              KINDS, st.binary(max_size=300), st.integers(1, 50)),                 # truncated
    st.builds(lambda k, n, b: hello() + chunk(k, b, size=n), KINDS,
              st.sampled_from([0, 7, 12, 65536, 16 * 2**20, 2**31, 2**32 - 1]),
              st.binary(max_size=100)),                                             # absurd sizes
    st.builds(lambda m, c: hello(m, c), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)),
)
OPC_TYPES = {b"ACK", b"ERR", b"MSG", b"OPN", b"CLO"}


async def opc_fuzz_one(port: int, payload: bytes) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        data = b""
        while True:  # whatever comes back within a moment, or the close
            try:
                more = await asyncio.wait_for(reader.read(65536), 0.05)
            except TimeoutError:
                break
            if not more:
                break
            data += more
        pos = 0
        while len(data) - pos >= 8:  # the server only sends well-formed OPC UA TCP chunks
            assert data[pos:pos + 3] in OPC_TYPES, data.hex()
            size = int.from_bytes(data[pos + 4:pos + 8], "little")
            assert size >= 8, data.hex()
            pos += size
    finally:
        writer.close()


class OpcTwin:
    def __init__(self, runner: Loop, out: Path) -> None:
        doc = tiny_dict(duration_s=1e7)
        sc = from_dict(doc)
        sc = sc.model_copy(update={"opcua": OpcUa(port=0, security=("None",), users=(USER,),
                                                  anonymous_role="none")})
        self.world = World(sc)
        # a None-only server (asked for by name) so the fuzzer's raw bytes need no crypto
        self.server = OpcUaServer(self.world, out_dir=out, insecure=True)
        self.runner = runner

    def start(self) -> tuple[int, str]:
        ep = self.runner.run(self.server.start())
        return int(ep.url.rsplit(":", 1)[1].split("/")[0]), ep.url

    def node(self) -> ua.NodeId:
        return self.server.index.by_point[("fire", "areas")].nodeid


async def connected(url: str) -> Client:
    c = Client(url, timeout=5)
    c.set_user(USER.name)
    c.set_password(USER.password)
    await c.connect()
    return c


@pytest.fixture(scope="module")
def opc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Loop, OpcTwin, int, str]]:
    """One server for the OPC UA tests (starting one takes seconds), on its own loop."""
    runner = Loop()
    twin = OpcTwin(runner, tmp_path_factory.mktemp("opcua"))
    port, url = twin.start()
    try:
        yield runner, twin, port, url
    finally:
        runner.run(twin.server.stop())
        runner.close()


def run_opcua_fuzz(examples: int, opc: tuple[Loop, OpcTwin, int, str]) -> None:
    runner, twin, port, url = opc
    client = runner.run(connected(url))
    node = client.get_node(twin.node())
    reference = runner.run(node.read_value())

    @fuzz_settings(examples)
    @given(OPC_PAYLOAD)
    def example(payload: bytes) -> None:
        runner.run(opc_fuzz_one(port, payload))
        assert runner.run(node.read_value()) == reference  # the other session is unaffected

    try:
        example()
    finally:
        runner.run(client.disconnect())


def test_opcua_server_survives_malformed_messages(opc: tuple[Loop, OpcTwin, int, str]) -> None:
    run_opcua_fuzz(CI_EXAMPLES // 3, opc)


@pytest.mark.slow
def test_opcua_server_survives_malformed_messages_long(
        opc: tuple[Loop, OpcTwin, int, str]) -> None:
    run_opcua_fuzz(SLOW_EXAMPLES // 3, opc)


def test_a_2gb_chunk_header_closes_that_connection_before_buffering(
        opc: tuple[Loop, OpcTwin, int, str]) -> None:
    runner, twin, port, url = opc

    async def attack() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(hello(max_message=2**32 - 1, max_chunks=0))
        await asyncio.wait_for(reader.readexactly(8), 3)  # the Acknowledge header
        await asyncio.wait_for(reader.read(65536), 3)
        writer.write(chunk(b"MSGF", b"\0" * 65536, size=2**31))
        try:
            for _ in range(16):  # keep sending: the server must have stopped reading
                writer.write(b"\0" * 65536)
                await writer.drain()
        except ConnectionError:
            pass
        try:
            return await asyncio.wait_for(reader.read(), 3)
        except ConnectionError:
            return b""
        finally:
            writer.close()

    async def read_after() -> Any:
        c = await connected(url)
        try:
            return await c.get_node(twin.node()).read_value()
        finally:
            await c.disconnect()

    assert runner.run(attack()) == b""
    bserver = twin.server.server.bserver if twin.server.server else None
    assert bserver is not None and all(len(p._buffer) < 2**20 for p in bserver.clients)
    assert runner.run(read_after()) == twin.world.read("fire", "areas")


def test_sessions_beyond_the_cap_are_refused(opc: tuple[Loop, OpcTwin, int, str]) -> None:
    runner, twin, _, url = opc
    assert twin.server.server is not None
    iserver = twin.server.server.iserver
    factory = iserver.create_session
    cap_sessions(iserver, 2)  # on top of the default cap, for this test only

    async def sessions() -> list[str]:
        clients, outcome = [], []
        for _ in range(3):
            try:
                clients.append(await connected(url))
                outcome.append("ok")
            except ua.UaStatusCodeError as exc:
                outcome.append(type(exc).__name__)
        for c in clients:
            await c.disconnect()
        clients = [await connected(url)]  # closed sessions free their places
        await clients[0].disconnect()
        return outcome

    try:
        assert runner.run(sessions()) == ["ok", "ok", "BadTooManySessions"]
    finally:
        iserver.create_session = factory  # type: ignore[method-assign]

