"""OPC UA alarms follow the devices' points with a real asyncua client over loopback: a second
call before `onsite` is a second event, a cleared alarm can still be acknowledged, and
ConditionRefresh replays for a subscription on a device node. Acknowledgements and
observations name the client (peer address, user, comment); a client that left is not kept."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from _opcua_support import client, scenario
from asyncua import Client, ua

from harness.faces.opcua.server import OpcUaServer
from scenarios import ScriptedIncident
from sim import Actor, World

pytestmark = pytest.mark.asyncio(loop_scope="module")
ACK = ua.NodeId(ua.ObjectIds.AcknowledgeableConditionType_Acknowledge)
REFRESH = ua.NodeId(ua.ObjectIds.ConditionType_ConditionRefresh)
START, END = (ua.NodeId(ua.ObjectIds.RefreshStartEventType),
              ua.NodeId(ua.ObjectIds.RefreshEndEventType))


class Inbox:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    def event_notification(self, event: Any) -> None:
        self.queue.put_nowait(event)

    async def next(self) -> Any:
        return await asyncio.wait_for(self.queue.get(), 10)

    async def until(self, event_type: ua.NodeId) -> list[Any]:
        """Events up to and including the next one of `event_type`."""
        out = [await self.next()]
        while out[-1].EventType != event_type:
            out.append(await self.next())
        return out


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def twin(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OpcUaServer]:
    sc = scenario(scripted=(ScriptedIncident(at=100, kind="emergency_call", target="N1-call0"),
                            ScriptedIncident(at=200, kind="emergency_call", target="N1-call0"),
                            ScriptedIncident(at=300, kind="fire_alarm", target="N1-fire"),
                            ScriptedIncident(at=400, kind="emergency_call", target="N1-call1")))
    server = OpcUaServer(World(sc), out_dir=tmp_path_factory.mktemp("alarms"),
                         insecure=True)
    await server.start()
    yield server
    await server.stop()


def nid(twin: OpcUaServer, text: str) -> ua.NodeId:
    return ua.NodeId(text, twin.index.ns)


def state(event: Any) -> tuple[bool, bool, bool]:
    return (getattr(event, "ActiveState/Id"), getattr(event, "AckedState/Id"), event.Retain)


def local_peer(c: Client) -> str:
    transport = c.uaclient.protocol.transport  # type: ignore[union-attr]
    host, port = transport.get_extra_info("sockname")[:2]
    return f"{host}:{port}"


async def acknowledge(c: Client, event: Any, comment: str) -> None:
    await c.get_node(event.NodeId).call_method(
        ACK, ua.Variant(event.EventId, ua.VariantType.ByteString), ua.LocalizedText(comment))


async def test_two_calls_before_onsite_are_two_events_and_the_ack_names_who(
        twin: OpcUaServer) -> None:
    inbox = Inbox()
    async with client(twin.endpoint.url, "otto") as c:
        sub = await c.create_subscription(20, inbox)
        await sub.subscribe_events(c.nodes.server, ua.ObjectIds.AlarmConditionType)
        twin.world.env.run(until=150)
        first = await inbox.next()
        twin.world.env.run(until=250)  # the second call, nobody on site yet
        second = await inbox.next()
        assert first.NodeId == second.NodeId == nid(twin, "N1-call0.call")
        assert first.EventId != second.EventId
        assert state(first) == state(second) == (True, False, True)
        assert twin.world.read("N1-call0", "call_seq") == 2  # what Modbus shows
        with pytest.raises(ua.UaStatusCodeError) as stale:
            await acknowledge(c, first, "for the first call")
        assert stale.value.code == ua.StatusCodes.BadEventIdUnknown
        await acknowledge(c, second, "on my way")
        update = await inbox.next()
        assert state(update) == (True, True, True)
        assert update.Comment.Text == "on my way" and update.ClientUserId == "otto"
        peer = local_peer(c)
    calls = [lc for lc in twin.world.tracker.close() if lc.device == "N1-call0"]
    assert [[s.name for s in lc.steps] for lc in calls] == [
        ["injected", "observed", "acknowledged"]] * 2
    for lc in calls:
        assert lc.step("acknowledged").by == Actor("opcua", peer, "otto", "on my way")
        assert lc.step("observed").by == Actor("opcua", peer, "otto")
    assert peer.startswith("127.0.0.1:")


async def test_condition_refresh_replays_on_a_device_node(twin: OpcUaServer) -> None:
    inbox = Inbox()
    async with client(twin.endpoint.url, "vera") as c:  # a viewer may refresh
        sub = await c.create_subscription(20, inbox)
        await sub.subscribe_events(c.get_node(nid(twin, "N1-call0")),
                                   ua.ObjectIds.AlarmConditionType)
        await c.get_node(ua.ObjectIds.ConditionType).call_method(
            REFRESH, ua.Variant(sub.subscription_id, ua.VariantType.UInt32))
        replay = await inbox.until(START)
        replay += await inbox.until(END)
    assert [e.EventType for e in replay] == [
        START, ua.NodeId(ua.ObjectIds.AlarmConditionType), END]
    call = replay[1]
    assert (call.NodeId, state(call)) == (nid(twin, "N1-call0.call"), (True, True, True))


async def test_a_cleared_alarm_can_be_acknowledged_and_leaves_the_retained_set(
        twin: OpcUaServer) -> None:
    inbox = Inbox()
    async with client(twin.endpoint.url, "otto") as c:
        sub = await c.create_subscription(20, inbox)
        await sub.subscribe_events(c.nodes.server, ua.ObjectIds.AlarmConditionType)
        twin.world.env.run(until=305)  # the fire at t=300 s
        fire = await inbox.next()
        assert (fire.NodeId, state(fire)) == (nid(twin, "N1-fire.fire"), (True, False, True))
        await c.get_node(nid(twin, "N1-fire.reset")).write_value(
            ua.DataValue(ua.Variant(True, ua.VariantType.Boolean)))
        cleared = await inbox.next()
        assert state(cleared) == (False, False, True)  # unacknowledged: still retained
        await acknowledge(c, cleared, "seen after the reset")
        acked = await inbox.next()
        assert state(acked) == (False, True, False)
        with pytest.raises(ua.UaStatusCodeError) as again:
            await acknowledge(c, cleared, "")
        assert again.value.code == ua.StatusCodes.BadConditionBranchAlreadyAcked
        await c.get_node(ua.ObjectIds.ConditionType).call_method(
            REFRESH, ua.Variant(sub.subscription_id, ua.VariantType.UInt32))
        replay = await inbox.until(START)
        replay += await inbox.until(END)
        peer = local_peer(c)
    # Only the still active call is replayed; the acknowledged, cleared fire is not.
    assert [e.NodeId for e in replay[1:-1]] == [nid(twin, "N1-call0.call")]
    # one state machine: the late acknowledgement is the device's too, as a Modbus write would be
    assert twin.world.read("N1-fire", "fire_ack") is True
    fire = next(lc for lc in twin.world.tracker.close() if lc.device == "N1-fire")
    assert fire.missed == ()  # resolved by the reset, then acknowledged late
    assert [s.name for s in fire.steps][-2:] == ["resolved", "acknowledged"]
    assert fire.step("resolved").by == Actor("opcua", peer, "otto")
    assert fire.step("acknowledged").by == Actor("opcua", peer, "otto", "seen after the reset")


async def test_a_read_of_an_active_alarm_observes_it_in_the_readers_name(
        twin: OpcUaServer) -> None:
    twin.world.env.run(until=405)  # the call at t=400 s on N1-call1; nobody subscribed
    async with client(twin.endpoint.url, "vera") as c:
        assert await c.get_node(nid(twin, "N1-call1.call")).read_value() is True
        peer = local_peer(c)
    call = next(lc for lc in twin.world.tracker.close() if lc.device == "N1-call1")
    assert call.step("observed").by == Actor("opcua", peer, "vera")


async def test_clients_that_left_are_not_kept_by_what_they_were_sent(twin: OpcUaServer) -> None:
    assert twin.server is not None and twin.server.bserver is not None
    gone: list[weakref.ref[Any]] = []
    for _ in range(3):  # clients that subscribe, are sent an alarm, and leave
        inbox = Inbox()
        async with client(twin.endpoint.url, "vera") as c:
            sub = await c.create_subscription(20, inbox)
            await sub.subscribe_events(c.nodes.server, ua.ObjectIds.AlarmConditionType)
            twin.world.inject_now("emergency_call", "N1-call1")
            assert (await inbox.next()).NodeId == nid(twin, "N1-call1.call")
            mine = local_peer(c)
            [served] = [p for p in twin.server.bserver.clients
                        if f"{p.peer_name[0]}:{p.peer_name[1]}" == mine]
            gone.append(weakref.ref(served.processor))
        twin.world.write("N1-call1", "onsite", True)  # quiet again for the next one
    gc.collect()
    assert [ref() for ref in gone[:-1]] == [None, None]  # the last one goes with the next
