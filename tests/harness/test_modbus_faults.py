"""Each fault and gateway quirk over loopback, as a plain pymodbus client sees it: silence
(timeouts), late answers, exception codes, dropped connections, refused extra connections,
serialised requests and the registers-per-read limit. Servers bind 127.0.0.1 port 0."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from harness.faces.modbus.gateway import ModbusGateway
from scenarios import from_dict
from sim import World
from tests.conftest import tiny_dict

LONG = 1e7  # simulated seconds: the fault lasts the whole test


class Twin:
    def __init__(self, gateway: ModbusGateway, port: int) -> None:
        self.gateway = gateway
        self.port = port
        self.clients: list[AsyncModbusTcpClient] = []

    async def client(self, timeout: float = 2.0) -> AsyncModbusTcpClient:
        c = AsyncModbusTcpClient("127.0.0.1", port=self.port, timeout=timeout, retries=0,
                                 reconnect_delay=0)
        self.clients.append(c)
        await c.connect()
        return c


@pytest.fixture
async def twin(request: pytest.FixtureRequest) -> AsyncIterator[Twin]:
    faults: dict[str, Any] = request.param
    doc = tiny_dict(duration_s=LONG)
    doc["faults"] = faults
    world = World(from_dict(doc))
    world.live_clock(speed=1.0).start()
    gateway = ModbusGateway(world, world.scenario.gateways[0], port=0)
    endpoint = await gateway.start()
    t = Twin(gateway, endpoint.port)
    try:
        yield t
    finally:
        for c in t.clients:
            c.close()
        await gateway.stop()


def at_start(kind: str, target: str, **params: Any) -> dict[str, Any]:
    return {"scripted": [{"at": 0, "kind": kind, "target": target, "duration": LONG,
                          **params}]}


async def read_meter(c: AsyncModbusTcpClient) -> Any:
    return await c.read_input_registers(0, count=2, device_id=3)


@pytest.mark.parametrize("twin", [at_start("offline", "meter")], indirect=True)
async def test_offline_device_never_answers_but_its_neighbours_do(twin: Twin) -> None:
    c = await twin.client(timeout=0.3)
    with pytest.raises(ModbusException):
        await read_meter(c)
    c2 = await twin.client()
    fire = await c2.read_discrete_inputs(0, count=1, device_id=1)
    assert not fire.isError()
    assert twin.gateway._server is not None and twin.gateway._server.unanswered == 1


@pytest.mark.parametrize("twin", [at_start("offline", "gw")], indirect=True)
async def test_offline_gateway_answers_nobody(twin: Twin) -> None:
    c = await twin.client(timeout=0.3)
    for unit in (1, 2, 3):
        with pytest.raises(ModbusException):
            await c.read_discrete_inputs(0, count=1, device_id=unit)
        c.close()
        c = await twin.client(timeout=0.3)


@pytest.mark.parametrize("twin", [at_start("slow", "meter", delay_ms=1000)], indirect=True)
async def test_slow_device_answers_late(twin: Twin) -> None:
    impatient = await twin.client(timeout=0.2)
    with pytest.raises(ModbusException):
        await read_meter(impatient)
    patient = await twin.client(timeout=5.0)
    rr = await read_meter(patient)
    assert not rr.isError() and len(rr.registers) == 2


@pytest.mark.parametrize("twin", [at_start("exception", "meter", code=6)], indirect=True)
async def test_exception_fault_answers_the_code(twin: Twin) -> None:
    c = await twin.client()
    rr = await read_meter(c)
    assert rr.isError() and rr.exception_code == 6
    ok = await c.read_discrete_inputs(0, count=1, device_id=1)  # other units unaffected
    assert not ok.isError()


@pytest.mark.parametrize("twin", [at_start("drop_connection", "meter")], indirect=True)
async def test_drop_connection_closes_the_socket(twin: Twin) -> None:
    c = await twin.client(timeout=1.0)
    with pytest.raises(ModbusException):
        await read_meter(c)
    for _ in range(50):  # bounded: the close reaches the client within a few loop turns
        if not c.connected:
            break
        await asyncio.sleep(0.01)
    assert not c.connected
    assert twin.gateway._server is not None and twin.gateway._server.dropped == 1


@pytest.mark.parametrize("twin", [{"quirks": [{"gateway": "gw", "max_connections": 2}]}],
                         indirect=True)
async def test_connections_beyond_the_limit_are_closed(twin: Twin) -> None:
    first, second = await twin.client(), await twin.client()
    third = await twin.client(timeout=0.5)
    with pytest.raises(ModbusException):
        await read_meter(third)
    for c in (first, second):
        assert not (await read_meter(c)).isError()
    assert twin.gateway._server is not None and twin.gateway._server.refused_connections >= 1
    first.close()
    for _ in range(50):  # the freed slot is taken by the next connection
        server = twin.gateway._server
        if server is not None and len(server.open_connections) < 2:
            break
        await asyncio.sleep(0.01)
    fourth = await twin.client()
    assert not (await read_meter(fourth)).isError()


SLOW_GW = {"at": 0, "kind": "slow", "target": "gw", "duration": LONG, "delay_ms": 800}


@pytest.mark.parametrize(("twin", "answered"), [
    ({"scripted": [SLOW_GW]}, 3),
    ({"scripted": [SLOW_GW], "quirks": [{"gateway": "gw", "one_request_at_a_time": True}]}, 2),
], indirect=["twin"])
async def test_one_request_at_a_time_queues_other_connections(twin: Twin, answered: int) -> None:
    # Three pollers with a 2 s timeout, 0.8 s per answer: served together all three answer;
    # served in turn, the third would answer at 2.4 s and times out.
    clients = [await twin.client(timeout=2.0) for _ in range(3)]
    results = await asyncio.gather(*(read_meter(c) for c in clients), return_exceptions=True)
    ok = [r for r in results if not isinstance(r, BaseException) and not r.isError()]
    assert len(ok) == answered
    assert all(isinstance(r, ModbusException) for r in results if r not in ok)


@pytest.mark.parametrize(("twin", "code"), [
    ({"quirks": [{"gateway": "gw", "max_registers_per_read": 16}]}, 3),
    ({"quirks": [{"gateway": "gw", "max_registers_per_read": 16,
                  "over_limit_exception": 2}]}, 2),
], indirect=["twin"])
async def test_reads_over_the_register_limit_answer_an_exception(twin: Twin, code: int) -> None:
    c = await twin.client()
    within = await c.read_input_registers(20, count=16, device_id=1)
    assert not within.isError() and len(within.registers) == 16
    over = await c.read_input_registers(20, count=17, device_id=1)
    assert over.isError() and over.exception_code == code
    assert not (await read_meter(c)).isError()  # the server lives on
