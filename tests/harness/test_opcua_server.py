"""The OPC UA server over loopback with a real asyncua client: layout, values, subscriptions,
alarm events, Acknowledge and the writes' status codes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from _opcua_support import client, scenario
from asyncua import ua
from asyncua.ua.uaerrors import BadUserAccessDenied

from devices import KINDS, decode_point, encode_point
from harness.faces.opcua.server import OpcUaServer
from scenarios import ScriptedIncident
from sim import World

pytestmark = pytest.mark.asyncio(loop_scope="module")
ACK = ua.NodeId(ua.ObjectIds.AcknowledgeableConditionType_Acknowledge)


class Inbox:
    """asyncua subscription handler that queues what arrives."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    def datachange_notification(self, node: Any, value: Any, data: Any) -> None:
        self.queue.put_nowait((node.nodeid, value))

    def event_notification(self, event: Any) -> None:
        self.queue.put_nowait(event)

    async def next(self) -> Any:
        return await asyncio.wait_for(self.queue.get(), 10)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def twin(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OpcUaServer]:
    sc = scenario(scripted=(ScriptedIncident(at=5000, kind="fire_alarm", target="N1-fire"),
                            ScriptedIncident(at=6000, kind="fire_alarm", target="S1-fire")))
    server = OpcUaServer(World(sc), out_dir=tmp_path_factory.mktemp("opcua"),
                         insecure=True)
    await server.start()
    yield server
    await server.stop()


def nid(twin: OpcUaServer, text: str) -> ua.NodeId:
    return ua.NodeId(text, twin.index.ns)


async def test_browse_follows_community_compound_building_device(twin: OpcUaServer) -> None:
    async with client(twin.endpoint.url, "vera") as c:
        path = ["0:Objects", f"{twin.index.ns}:demo", f"{twin.index.ns}:north",
                f"{twin.index.ns}:N1", f"{twin.index.ns}:N1-fire"]
        device = await c.nodes.root.get_child(path)
        assert device.nodeid == nid(twin, "N1-fire")
        names = sorted([(await n.read_browse_name()).Name for n in await device.get_children()])
    assert names == sorted(p.name for p in KINDS["fire_panel"].POINTS)


async def test_read_gives_typed_engineering_values(twin: OpcUaServer) -> None:
    async with client(twin.endpoint.url, "vera") as c:
        fire = await c.get_node(nid(twin, "N1-meter0.comm_fault")).read_data_value()
        energy = await c.get_node(nid(twin, "N1-meter0.energy_kwh")).read_data_value()
        unit = await c.get_node(nid(twin, "N1-meter0.energy_kwh.EngineeringUnits")).read_value()
    assert fire.Value.VariantType == ua.VariantType.Boolean and fire.Value.Value is False
    assert energy.Value.VariantType == ua.VariantType.Double
    # Computed points are refreshed right before a Read: exactly the device's value, quantised
    # as its Modbus registers quantise it.
    point = twin.world.devices["N1-meter0"].point_map["energy_kwh"]
    assert energy.Value.Value == decode_point(
        point, encode_point(point, twin.world.read("N1-meter0", "energy_kwh")))
    assert unit.DisplayName.Text == "kWh"


async def test_meter_subscription_sees_energy_grow(twin: OpcUaServer) -> None:
    inbox = Inbox()
    async with client(twin.endpoint.url, "vera") as c:
        sub = await c.create_subscription(20, inbox)
        await sub.subscribe_data_change(c.get_node(nid(twin, "N1-meter1.energy_kwh")))
        _, first = await inbox.next()
        twin.world.env.run(until=3600)  # an hour of load before any incident
        _, second = await inbox.next()
    assert second > first
    point = twin.world.devices["N1-meter1"].point_map["energy_kwh"]
    assert second == decode_point(
        point, encode_point(point, twin.world.read("N1-meter1", "energy_kwh")))


async def test_fire_alarm_event_then_operator_acknowledges(twin: OpcUaServer) -> None:
    inbox = Inbox()
    async with client(twin.endpoint.url, "otto") as c:
        sub = await c.create_subscription(20, inbox)
        await sub.subscribe_events(c.nodes.server, ua.ObjectIds.AlarmConditionType)
        twin.world.env.run(until=5005)  # the scripted fire at t=5000 s trips N1-fire
        event = await inbox.next()
        assert (event.SourceNode, event.NodeId, event.ConditionName) == (
            nid(twin, "N1-fire"), nid(twin, "N1-fire.fire"), "fire")
        assert getattr(event, "ActiveState/Id") is True
        assert getattr(event, "AckedState/Id") is False
        assert event.Severity == 900
        await c.get_node(event.NodeId).call_method(
            ACK, ua.Variant(event.EventId, ua.VariantType.ByteString), ua.LocalizedText("seen"))
        update = await inbox.next()
        assert getattr(update, "AckedState/Id") is True
        with pytest.raises(ua.UaStatusCodeError) as again:
            await c.get_node(event.NodeId).call_method(
                ACK, ua.Variant(event.EventId, ua.VariantType.ByteString), ua.LocalizedText(""))
        assert again.value.code == ua.StatusCodes.BadConditionBranchAlreadyAcked
    fire = next(lc for lc in twin.world.tracker.close() if lc.device == "N1-fire")
    assert [s.name for s in fire.steps] == ["injected", "observed", "acknowledged"]
    assert twin.world.read("N1-fire", "fire_ack") is True


async def test_viewer_may_read_but_not_acknowledge_or_write(twin: OpcUaServer) -> None:
    inbox = Inbox()
    async with client(twin.endpoint.url, "vera") as c:
        sub = await c.create_subscription(20, inbox)
        await sub.subscribe_events(c.nodes.server, ua.ObjectIds.AlarmConditionType)
        twin.world.env.run(until=6005)  # the scripted fire at t=6000 s trips S1-fire
        event = await inbox.next()
        assert event.SourceNode == nid(twin, "S1-fire")
        with pytest.raises(BadUserAccessDenied):
            await c.get_node(event.NodeId).call_method(
                ACK, ua.Variant(event.EventId, ua.VariantType.ByteString), ua.LocalizedText(""))
        with pytest.raises(BadUserAccessDenied):
            await c.get_node(nid(twin, "S1-fire.fire_ack")).write_value(
                ua.DataValue(ua.Variant(True, ua.VariantType.Boolean)))
        assert await c.get_node(nid(twin, "S1-fire.fire")).read_value() is True
    assert twin.world.read("S1-fire", "fire_ack") is False


async def test_writes_answer_status_codes_and_reach_the_world(twin: OpcUaServer) -> None:
    async def write(node: str, variant: ua.Variant) -> int:
        params = ua.WriteParameters()
        params.NodesToWrite = [ua.WriteValue(NodeId=nid(twin, node),
                                             AttributeId=ua.AttributeIds.Value,
                                             Value=ua.DataValue(variant))]
        return (await c.uaclient.write(params))[0].value

    false = ua.Variant(False, ua.VariantType.Boolean)
    async with client(twin.endpoint.url, "otto") as c:
        light = "north-light0"
        assert await write(f"{light}.brightness_set",
                           ua.Variant(101, ua.VariantType.UInt16)) == ua.StatusCodes.BadOutOfRange
        assert await write(f"{light}.brightness_set",
                           ua.Variant(40, ua.VariantType.Int32)) == ua.StatusCodes.BadTypeMismatch
        assert await write("S1-fire.fire", false) == ua.StatusCodes.BadNotWritable
        assert await write("no-such-device.fire", false) == ua.StatusCodes.BadNodeIdUnknown
        assert await write(f"{light}.brightness_set",
                           ua.Variant(40, ua.VariantType.UInt16)) == ua.StatusCodes.Good
        assert await write("S1-fire.reset",
                           ua.Variant(True, ua.VariantType.Boolean)) == ua.StatusCodes.Good
        # The server still answers after the refused writes.
        assert await c.get_node(nid(twin, "S1-fire.fire")).read_value() is False
    assert twin.world.read(light, "brightness_set") == 40
    assert twin.world.read("S1-fire", "fire") is False


async def test_a_large_create_monitored_items_lets_other_clients_through(
        twin: OpcUaServer) -> None:
    """600 items in one request are all created, in order, each with its first sample; and a
    Read another client sends meanwhile is answered before that request completes: the server
    creates items in slices and serves others between them, instead of holding every client
    (and the clock that stamps their latencies) until the 600th item."""
    points = [pn.nodeid for pn in twin.index.points.values()]
    nodes = [points[i % len(points)] for i in range(600)]
    inbox = Inbox()
    order: list[str] = []
    async with client(twin.endpoint.url, "vera") as a, client(twin.endpoint.url, "vera") as b:
        sub = await a.create_subscription(50, inbox)

        async def create() -> list[int]:
            handles = await sub.subscribe_data_change([a.get_node(n) for n in nodes])
            order.append("create")
            return handles  # type: ignore[no-any-return]

        async def read() -> None:
            await b.get_node(nodes[0]).read_data_value()
            order.append("read")

        task = asyncio.create_task(create())
        for _ in range(1000):  # until the create request is on the wire, awaiting its answer
            await asyncio.sleep(0)
            if a.uaclient.protocol is not None and a.uaclient.protocol._callbackmap:
                break
        handles, _ = await asyncio.gather(task, read())
        seen = {(await inbox.next())[0] for _ in range(600)}
    assert all(isinstance(h, int) for h in handles) and len(set(handles)) == 600
    assert seen == set(nodes)
    assert order == ["read", "create"]


async def test_deleting_a_large_subscription_lets_the_loop_run_between_slices(
        twin: OpcUaServer) -> None:
    """A subscription of 600 items is emptied in slices: a task watching the item count sees
    it part-way down while the delete is under way (asyncua alone goes from 600 to none in
    one step, holding every other client meanwhile), and then the subscription is gone."""
    points = [pn.nodeid for pn in twin.index.points.values()]
    nodes = [points[i % len(points)] for i in range(600)]
    seen: set[int] = set()
    async with client(twin.endpoint.url, "vera") as a:
        sub = await a.create_subscription(50, Inbox())
        await sub.subscribe_data_change([a.get_node(n) for n in nodes])
        service = twin.server.iserver.subscription_service
        items = service.subscriptions[sub.subscription_id].monitored_item_srv._monitored_items
        assert len(items) == 600
        deleting = asyncio.create_task(sub.delete())
        while not deleting.done():
            seen.add(len(items))
            await asyncio.sleep(0)
        await deleting
    assert sub.subscription_id not in service.subscriptions
    assert any(0 < n < 600 for n in seen), sorted(seen)
