"""Faults on the OPC UA face with a real asyncua client over loopback, beside a Modbus gateway
on the same world: one paused world (no live clock) whose time the tests move, so both faces
are read at the same simulated instant.

Every fault starts at t=1000 s and ends at t=2000 s: offline (a meter and the whole south
gateway), slow, exception (two codes), drop_connection, stuck and drift."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from _opcua_support import client, scenario
from asyncua import Client, ua
from pymodbus.client import AsyncModbusTcpClient

from devices import WordOrder, decode_point
from harness.faces.modbus.gateway import ModbusGateway
from harness.faces.opcua.server import OpcUaServer
from scenarios import ScriptedIncident
from scenarios.faults import Faults, ScriptedFault
from sim import World

pytestmark = pytest.mark.asyncio(loop_scope="module")
METER_POINTS = ("energy_kwh", "power_kw", "voltage_v")


def fault(kind: str, target: str, **params: Any) -> ScriptedFault:
    return ScriptedFault(at=1000, duration=1000, kind=kind, target=target, **params)


FAULTS = Faults(scripted=(
    fault("offline", "N1-meter0"), fault("offline", "gw-south"),
    fault("slow", "N1-meter1", delay_ms=300), fault("exception", "N1-meter2"),
    fault("exception", "N1-meter3", code=6), fault("drop_connection", "N1-meter4"),
    fault("stuck", "N1-meter5"), fault("drift", "N1-meter6", drift_per_h=0.5)))


@dataclass
class Faces:
    opcua: OpcUaServer
    modbus: ModbusGateway
    client: Client
    bus: AsyncModbusTcpClient

    @property
    def world(self) -> World:
        return self.opcua.world

    def nid(self, text: str) -> ua.NodeId:
        return ua.NodeId(text, self.opcua.index.ns)

    async def read(self, text: str) -> ua.DataValue:
        node = self.client.get_node(self.nid(text))
        return await node.read_data_value(raise_on_bad_status=False)

    def into_fault_window(self) -> None:
        """Every scripted fault is on from 1,000 to 2,000 s: be inside, whichever test ran."""
        if self.world.env.now < 1001:
            self.world.env.run(until=1001)

    async def over_opcua(self, device: str) -> dict[str, Any]:
        return {p: (await self.read(f"{device}.{p}")).Value.Value for p in METER_POINTS}

    async def over_modbus(self, device: str) -> dict[str, Any]:
        dev = self.world.devices[device]
        rr = await self.bus.read_input_registers(0, count=5, device_id=dev.spec.unit)
        assert not rr.isError(), rr
        order = WordOrder(self.modbus.spec.word_order)
        return {p: decode_point(dev.point_map[p], rr.registers[pt.address:pt.address + pt.count],
                                order)
                for p in METER_POINTS if (pt := dev.point_map[p])}


class Inbox:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    def datachange_notification(self, node: Any, value: Any, data: Any) -> None:
        self.queue.put_nowait(data.monitored_item.Value)

    def event_notification(self, event: Any) -> None:
        self.queue.put_nowait(event)

    async def next(self) -> Any:
        return await asyncio.wait_for(self.queue.get(), 10)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def faces(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Faces]:
    sc = scenario(scripted=(ScriptedIncident(at=1500, kind="fire_alarm", target="S1-fire"),))
    world = World(sc.model_copy(update={"faults": FAULTS}))
    opcua = OpcUaServer(world, out_dir=tmp_path_factory.mktemp("faults"), insecure=True)
    await opcua.start()
    modbus = ModbusGateway(world, sc.gateways[0], port=0)  # gw-north
    endpoint = await modbus.start()
    bus = AsyncModbusTcpClient("127.0.0.1", port=endpoint.port, timeout=5, retries=0)
    await bus.connect()
    c = client(opcua.endpoint.url, "otto")
    await c.connect()
    try:
        yield Faces(opcua, modbus, c, bus)
    finally:
        await c.disconnect()
        bus.close()
        await modbus.stop()
        await opcua.stop()


async def test_a_meter_reads_the_same_over_modbus_and_opcua(faces: Faces) -> None:
    faces.world.env.run(until=500)
    for meter in ("N1-meter0", "N1-meter5", "N1-meter6"):
        assert await faces.over_opcua(meter) == await faces.over_modbus(meter)


async def test_offline_device_reads_bad_no_communication_also_in_a_subscription(
        faces: Faces) -> None:
    inbox = Inbox()
    sub = await faces.client.create_subscription(20, inbox)
    await sub.subscribe_data_change(faces.client.get_node(faces.nid("N1-meter0.voltage_v")))
    assert (await inbox.next()).StatusCode.is_good()
    faces.world.env.run(until=1001)
    assert (await inbox.next()).StatusCode.value == ua.StatusCodes.BadNoCommunication
    read = await faces.read("N1-meter0.voltage_v")
    assert read.StatusCode.value == ua.StatusCodes.BadNoCommunication
    assert read.Value.Value is None
    await sub.delete()


async def test_offline_gateway_takes_its_devices_reads_and_writes(faces: Faces) -> None:
    faces.into_fault_window()
    assert (await faces.read("S1-fire.fire")).StatusCode.value == (
        ua.StatusCodes.BadNoCommunication)
    params = ua.WriteParameters(NodesToWrite=[ua.WriteValue(
        NodeId=faces.nid("S1-fire.reset"), AttributeId=ua.AttributeIds.Value,
        Value=ua.DataValue(ua.Variant(True, ua.VariantType.Boolean)))])
    assert (await faces.client.uaclient.write(params))[0].value == (
        ua.StatusCodes.BadNoCommunication)
    assert (await faces.read("N1-fire.fire")).StatusCode.is_good()  # the north side answers


async def test_exception_and_drop_connection_answer_statuses(faces: Faces) -> None:
    faces.into_fault_window()
    expected = {"N1-meter2": ua.StatusCodes.BadDeviceFailure,         # code 04
                "N1-meter3": ua.StatusCodes.BadResourceUnavailable,   # code 06, busy
                "N1-meter4": ua.StatusCodes.BadCommunicationError}    # drop_connection
    for meter, code in expected.items():
        assert (await faces.read(f"{meter}.energy_kwh")).StatusCode.value == code
    # The session survives a drop_connection fault: it is the device's link that broke.
    assert (await faces.read("N1-meter5.energy_kwh")).StatusCode.is_good()


async def test_slow_device_answers_late_with_its_value(faces: Faces) -> None:
    faces.into_fault_window()
    before = faces.opcua.stats.delayed
    t0 = time.monotonic()
    value = await faces.read("N1-meter1.voltage_v")
    # A lower bound the server's sleep guarantees, not a timing tolerance.
    assert time.monotonic() - t0 >= 0.3
    assert value.StatusCode.is_good() and faces.opcua.stats.delayed == before + 1


async def test_stuck_and_drifting_meters_read_the_same_on_both_faces(faces: Faces) -> None:
    faces.into_fault_window()
    stuck_then = await faces.over_opcua("N1-meter5")
    assert stuck_then == await faces.over_modbus("N1-meter5")
    drift_then = await faces.over_opcua("N1-meter6")
    assert drift_then == await faces.over_modbus("N1-meter6")
    faces.world.env.run(until=1400)
    stuck_now = await faces.over_modbus("N1-meter5")
    assert stuck_now == await faces.over_opcua("N1-meter5") == stuck_then
    drift_now = await faces.over_opcua("N1-meter6")
    assert drift_now == await faces.over_modbus("N1-meter6")
    assert drift_now["energy_kwh"] > drift_then["energy_kwh"]


async def test_an_alarm_of_an_unreachable_device_is_heard_when_it_answers_again(
        faces: Faces) -> None:
    inbox = Inbox()
    sub = await faces.client.create_subscription(20, inbox)
    await sub.subscribe_events(faces.client.nodes.server, ua.ObjectIds.AlarmConditionType)
    faces.world.env.run(until=1600)  # the fire at 1500 s, with gw-south offline
    assert faces.world.read("S1-fire", "fire") is True
    assert (await faces.read("S1-fire.fire")).StatusCode.value == (
        ua.StatusCodes.BadNoCommunication)
    assert faces.opcua.conditions._by_alarm[("S1-fire", "fire")].pending is not None
    faces.world.env.run(until=2001)  # every fault has ended
    event = await inbox.next()
    assert (event.SourceName, getattr(event, "ActiveState/Id")) == ("S1-fire", True)
    assert (await faces.read("S1-fire.fire")).Value.Value is True
    assert (await faces.read("N1-meter0.voltage_v")).StatusCode.is_good()
    fire = next(lc for lc in faces.world.tracker.close() if lc.device == "S1-fire")
    observed = fire.step("observed")
    # Observed only once the device answered again (the Bad read carried nothing).
    assert observed is not None and observed.t_s == 2001
    await sub.delete()
