"""What a Modbus reply carried, and who sent the request: a real pymodbus client over loopback.

The world is not paced here: the test advances it (`run_virtual`) between requests, so each
read sees a known instant and nothing depends on wall time. A step `observed` must name only
alarms whose own bit was in a reply; every step a request causes names the client connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymodbus.client import AsyncModbusTcpClient

from harness.faces.modbus.gateway import ModbusGateway
from scenarios import from_dict
from sim import Actor, World
from tests.conftest import tiny_dict

FIRE, CALL, METER = 1, 2, 3  # unit ids in tiny_dict
# Every alarm of the tiny scenario: (unit, alarm state discrete input, ack coil).
ALARMS = [(FIRE, 0, 0), (FIRE, 1, 1), (CALL, 0, 0), (CALL, 1, 1), (METER, 0, 0)]


def scenario(*scripted: tuple[float, str, str]) -> dict[str, Any]:
    doc = tiny_dict(duration_s=3600.0)
    doc["incidents"] = {"scripted": [{"at": at, "kind": kind, "target": target}
                                     for at, kind, target in scripted]}
    return doc


@pytest.fixture
async def served(request: pytest.FixtureRequest
                 ) -> AsyncIterator[tuple[World, AsyncModbusTcpClient]]:
    world = World(from_dict(request.param))
    gateway = ModbusGateway(world, world.scenario.gateways[0], port=0)
    endpoint = await gateway.start()
    client = AsyncModbusTcpClient("127.0.0.1", port=endpoint.port, timeout=2, retries=0)
    await client.connect()
    try:
        yield world, client
    finally:
        client.close()
        await gateway.stop()


def steps(world: World) -> dict[str, list[str]]:
    return {lc.id: [s.name for s in lc.steps] for lc in world.tracker.close()}


FIRE_AND_FAULT = scenario((1.0, "fire_alarm", "fire"), (1.0, "fire_panel_fault", "fire"))


@pytest.mark.parametrize("served", [FIRE_AND_FAULT], indirect=True)
async def test_reading_only_the_fault_bit_does_not_observe_the_fire(served) -> None:  # type: ignore[no-untyped-def]
    world, client = served
    world.run_virtual(until_s=2.0)
    # The fire panel's fault alarm is discrete input 1; fire is input 0, in the same 16-bit
    # word of pymodbus' block, but this reply carries one bit.
    rr = await client.read_discrete_inputs(1, count=1, device_id=FIRE)
    assert rr.bits[:1] == [True]
    assert steps(world) == {"fire_alarm-00001": ["injected"],
                            "fire_panel_fault-00002": ["injected", "observed"]}
    # Registers covering the fire alarm's _seq and _changed_at (input registers 0-2), not its bit.
    rr = await client.read_input_registers(0, count=3, device_id=FIRE)
    assert not rr.isError() and rr.registers[0] == 1  # fire_seq: the reply did carry the news...
    assert steps(world)["fire_alarm-00001"] == ["injected"]  # ...but not the alarm bit
    rr = await client.read_discrete_inputs(0, count=1, device_id=FIRE)
    assert rr.bits[:1] == [True]
    assert steps(world)["fire_alarm-00001"] == ["injected", "observed"]


@pytest.mark.parametrize("served", [FIRE_AND_FAULT], indirect=True)
async def test_a_read_of_both_bits_observes_both(served) -> None:  # type: ignore[no-untyped-def]
    world, client = served
    world.run_virtual(until_s=2.0)
    rr = await client.read_discrete_inputs(0, count=2, device_id=FIRE)
    assert rr.bits[:2] == [True, True]
    assert steps(world) == {"fire_alarm-00001": ["injected", "observed"],
                            "fire_panel_fault-00002": ["injected", "observed"]}


@pytest.mark.parametrize("served", [FIRE_AND_FAULT], indirect=True)
async def test_reads_of_different_bit_counts_at_one_address_each_get_fresh_bits(served) -> None:  # type: ignore[no-untyped-def]
    # Both reads touch the same block word; the first filled only the fire bit.
    world, client = served
    world.run_virtual(until_s=2.0)
    one = await client.read_discrete_inputs(0, count=1, device_id=FIRE)
    two = await client.read_discrete_inputs(0, count=2, device_id=FIRE)
    assert (one.bits[:1], two.bits[:2]) == ([True], [True, True])


@pytest.mark.parametrize("served", [scenario()], indirect=True)
@pytest.mark.parametrize(("read", "address", "count"), [
    ("read_discrete_inputs", 0, 3),   # fire and fault, then unmapped input 2
    ("read_discrete_inputs", 2, 1),   # unmapped, in the word that holds fire and fault
    ("read_coils", 0, 9),             # acks 0-1, unmapped 2-7, reset 8
    ("read_coils", 5, 1),
])
async def test_unmapped_bits_beside_mapped_ones_answer_illegal_address(  # type: ignore[no-untyped-def]
        served, read: str, address: int, count: int) -> None:
    _, client = served
    rr = await getattr(client, read)(address, count=count, device_id=FIRE)
    assert rr.isError() and rr.exception_code == 2
    ok = await client.read_coils(8, count=1, device_id=FIRE)  # reset alone is mapped
    assert not ok.isError() and ok.bits[:1] == [False]


@pytest.mark.parametrize("served", [scenario((1.0, "fire_alarm", "fire"))], indirect=True)
async def test_every_step_names_the_client_connection(served) -> None:  # type: ignore[no-untyped-def]
    world, client = served
    world.run_virtual(until_s=2.0)
    host, port = client.ctx.transport.get_extra_info("sockname")[:2]  # type: ignore[union-attr]
    assert (await client.read_discrete_inputs(0, count=1, device_id=FIRE)).bits[0]
    assert not (await client.write_coil(0, True, device_id=FIRE)).isError()
    (lc,) = world.tracker.close()
    me = Actor("modbus", peer=f"{host}:{port}")
    assert host == "127.0.0.1"
    assert [(s.name, s.by) for s in lc.steps] == [
        ("injected", None), ("observed", me), ("acknowledged", me)]
    assert not lc.blind_ack


# Blind acknowledgements: incidents on every unit, spread over ten minutes; two clients.
DRILL = scenario((30.0, "fire_alarm", "fire"), (95.0, "emergency_call", "call"),
                 (170.0, "fire_panel_fault", "fire"), (260.0, "meter_fault", "meter"),
                 (400.0, "emergency_call", "call"), (530.0, "fire_alarm", "fire"))
TICK_S = 20.0  # the client's timer, in simulated seconds


async def ack_everything(client: AsyncModbusTcpClient) -> None:
    for unit, _, coil in ALARMS:
        rr = await client.write_coil(coil, True, device_id=unit)
        assert not rr.isError()


async def read_then_ack(client: AsyncModbusTcpClient) -> None:
    for unit, di, coil in ALARMS:
        rr = await client.read_discrete_inputs(di, count=1, device_id=unit)
        if rr.bits[0]:
            assert not (await client.write_coil(coil, True, device_id=unit)).isError()


@pytest.mark.parametrize("served", [DRILL], indirect=True)
@pytest.mark.parametrize(("poller", "blind"), [(ack_everything, True), (read_then_ack, False)])
async def test_a_timer_acking_client_is_blind_and_a_reading_one_is_not(  # type: ignore[no-untyped-def]
        served, poller, blind: bool) -> None:
    world, client = served
    t = 0.0
    while t < 600.0:
        t += TICK_S
        world.run_virtual(until_s=t)
        await poller(client)
    lifecycles = world.tracker.close()
    assert [lc.kind for lc in lifecycles] == [
        "fire_alarm", "emergency_call", "fire_panel_fault", "meter_fault", "emergency_call",
        "fire_alarm"]
    # Both clients acknowledge every incident; only what they read first differs.
    assert all(lc.step("acknowledged") is not None for lc in lifecycles)
    assert [lc.blind_ack for lc in lifecycles] == [blind] * len(lifecycles)
    observed = [lc.step("observed") is not None for lc in lifecycles]
    assert observed == [not blind] * len(lifecycles)
    assert {s.by.face for lc in lifecycles for s in lc.steps[1:]  # type: ignore[union-attr]
            } == {"modbus"}
