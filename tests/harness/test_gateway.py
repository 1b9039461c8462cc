"""A twin gateway over loopback, seen by a plain pymodbus client: values, writes, exceptions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pymodbus.client import AsyncModbusTcpClient

from devices import DataType, WordOrder, decode
from harness.faces.modbus.gateway import ModbusGateway
from scenarios import from_dict
from sim import World
from tests.conftest import tiny_dict


@pytest.fixture
async def live() -> AsyncIterator[tuple[World, AsyncModbusTcpClient]]:
    doc = tiny_dict(duration_s=10 * 86400.0, speed=3600.0)
    doc["incidents"] = {"scripted": [{"at": 1.0, "kind": "fire_alarm", "target": "fire"}]}
    world = World(from_dict(doc))
    clock = world.live_clock()
    gateway = ModbusGateway(world, world.scenario.gateways[0], port=0)
    endpoint = await gateway.start()
    clock.start()
    pacer = asyncio.create_task(clock.run())
    client = AsyncModbusTcpClient("127.0.0.1", port=endpoint.port, timeout=2, retries=0)
    await client.connect()
    try:
        yield world, client
    finally:
        client.close()
        pacer.cancel()
        await gateway.stop()


async def test_reads_see_live_values_that_move_with_simulated_time(live) -> None:  # type: ignore[no-untyped-def]
    world, client = live
    first = await client.read_input_registers(0, count=2, device_id=3)
    await asyncio.sleep(0.3)  # about 1,000 simulated seconds at speed 3600
    second = await client.read_input_registers(0, count=2, device_id=3)
    kwh = [decode(DataType.UINT32, rr.registers, 0.01, WordOrder.BIG) for rr in (first, second)]
    assert kwh[1] > kwh[0]
    assert kwh[1] == pytest.approx(world.read("meter", "energy_kwh"), abs=0.5)


async def test_ack_write_reaches_the_device_and_the_lifecycle(live) -> None:  # type: ignore[no-untyped-def]
    world, client = live
    await asyncio.sleep(0.05)
    state = await client.read_discrete_inputs(0, count=1, device_id=1)
    assert state.bits[0] is True
    rr = await client.write_coil(0, True, device_id=1)
    assert not rr.isError()
    assert world.read("fire", "fire_ack") is True
    coils = await client.read_coils(0, count=1, device_id=1)
    assert coils.bits[0] is True
    (lc,) = world.lifecycles()
    assert [s.name for s in lc.steps] == ["injected", "observed", "acknowledged"]


@pytest.mark.parametrize("request_,code", [
    (lambda c: c.read_input_registers(100, count=1, device_id=1), 2),      # unmapped address
    (lambda c: c.read_holding_registers(0, count=1, device_id=1), 2),      # no holding registers
    (lambda c: c.write_register(0, 1, device_id=1), 2),                    # nothing writable there
    (lambda c: c.read_input_registers(0, count=1, device_id=99), 11),      # unknown unit: 0B
])
async def test_bad_requests_answer_modbus_exceptions(live, request_, code) -> None:  # type: ignore[no-untyped-def]
    _, client = live
    rr = await request_(client)
    assert rr.isError()
    assert rr.exception_code == code
    again = await client.read_input_registers(0, count=2, device_id=3)  # the server lives on
    assert not again.isError()


async def test_a_device_refreshes_computed_registers_per_period_but_events_at_once() -> None:
    # speed 1: a meter's 1 s register refresh period is one wall second
    world = World(from_dict(tiny_dict(duration_s=3600.0, speed=1.0)))
    clock = world.live_clock()
    gateway = ModbusGateway(world, world.scenario.gateways[0], port=0)
    endpoint = await gateway.start()
    clock.start()
    client = AsyncModbusTcpClient("127.0.0.1", port=endpoint.port, timeout=2, retries=0)
    await client.connect()
    try:
        meter = world.devices["meter"]
        samples: list[float] = []
        power = meter._computed["power_kw"]
        meter._computed["power_kw"] = lambda now: samples.append(now) or power(now)
        await asyncio.sleep(1.0 - (world.sync() % 1.0) + 0.05)  # just past a period boundary
        a = await client.read_input_registers(2, count=2, device_id=3)   # power, float32
        b = await client.read_input_registers(2, count=2, device_id=3)
        assert a.registers == b.registers
        assert len(samples) == 1  # one sample per refresh period, as a real meter's registers
        await asyncio.sleep(1.0)
        await client.read_input_registers(2, count=2, device_id=3)
        assert len(samples) == 2 and samples[1] - samples[0] >= 1.0
        before = await client.read_discrete_inputs(0, count=1, device_id=1)
        world.devices["fire"].inject("fire_alarm", None)  # an event: never held back
        after = await client.read_discrete_inputs(0, count=1, device_id=1)
        assert (before.bits[0], after.bits[0]) == (False, True)
    finally:
        client.close()
        await gateway.stop()


async def test_devices_of_one_kind_share_a_layout_but_never_values() -> None:
    """The gateway builds one register layout per device kind and gives each device its own
    registers: a brightness written to one light stays on that light."""
    doc = tiny_dict(duration_s=3600.0)
    doc["devices"] = [{"id": f"light{i}", "kind": "smart_light", "building": "B1", "floor": 1,
                       "position": [12 + i, 12], "gateway": "gw", "unit": i + 1}
                      for i in range(3)]
    doc["incidents"] = {"rates_per_hour": {}}
    world = World(from_dict(doc))
    world.live_clock()
    gateway = ModbusGateway(world, world.scenario.gateways[0], port=0)
    endpoint = await gateway.start()
    client = AsyncModbusTcpClient("127.0.0.1", port=endpoint.port, timeout=2, retries=0)
    await client.connect()
    try:
        assert not (await client.write_register(0, 37, device_id=2)).isError()
        values = [(await client.read_holding_registers(0, count=1, device_id=u)).registers[0]
                  for u in (1, 2, 3)]
    finally:
        client.close()
        await gateway.stop()
    assert values[1] == 37 and world.read("light1", "brightness_set") == 37
    assert values[0] != 37 and values[2] != 37
    assert world.read("light0", "brightness_set") == world.read("light2", "brightness_set") != 37
