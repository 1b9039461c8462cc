"""What an OPC UA subscription holds for a client that does not collect it is bounded: queued
changes per monitored item (also after ModifyMonitoredItems asks for no limit) and messages
waiting for acknowledgement. A client that publishes and acknowledges gets everything."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from asyncua import Client, Node, ua
from asyncua.ua.ua_binary import struct_from_binary

from harness.faces.opcua.limits import BoundedServer
from harness.faces.opcua.queues import MAX_DATA_QUEUE, bound_subscriptions
from harness.faces.opcua.server import free_port

pytestmark = pytest.mark.asyncio(loop_scope="module")
DATA_CAP, EVENT_CAP, UNACKED = 8, 50, 5


class Twinless:
    """A bounded server with one variable, `bounded` with small caps (on top of the defaults)."""

    def __init__(self, server: BoundedServer, var: Node, url: str) -> None:
        self.server, self.var, self.url = server, var, url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served() -> AsyncIterator[Twinless]:
    server = BoundedServer()
    await server.init()
    url = f"opc.tcp://127.0.0.1:{free_port('127.0.0.1')}/"
    server.set_endpoint(url)
    var = await server.nodes.objects.add_variable(ua.NodeId("x", 1), "x", 0)
    await server.start()
    try:
        yield Twinless(server, var, url)
    finally:
        await server.stop()


class Received:
    """A subscription handler that keeps every value and can wait for one."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.arrived = asyncio.Event()

    def datachange_notification(self, node: Node, value: Any, data: Any) -> None:
        self.values.append(value)
        self.arrived.set()

    async def until(self, value: Any) -> None:
        while value not in self.values:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 10)


async def test_a_paused_client_gets_only_the_newest_changes_even_asking_for_no_limit(
        served: Twinless) -> None:
    bound_subscriptions(served.server.iserver, DATA_CAP, EVENT_CAP, UNACKED)
    client = Client(served.url)
    await client.connect()
    try:
        got = Received()
        sub = await client.create_subscription(20, got)
        handle = await sub.subscribe_data_change(client.get_node(served.var.nodeid), queuesize=4)
        events = await sub.subscribe_events()
        await served.var.write_value(-1)
        await got.until(-1)
        # 0 asks for no limit on ModifyMonitoredItems in asyncua: here, the server's maximum
        [data] = await sub.modify_monitored_item(handle, 0, new_queuesize=0)
        [event] = await sub.modify_monitored_item(events, 0, new_queuesize=10**6)
        assert (data.RevisedQueueSize, event.RevisedQueueSize) == (DATA_CAP, EVENT_CAP)
        await sub.set_publishing_mode(False)  # the client stops collecting
        for i in range(300):
            await served.var.write_value(i)
        got.values.clear()
        await sub.set_publishing_mode(True)
        await got.until(299)
        assert got.values == list(range(300 - DATA_CAP, 300))
        # a queue made shorter than what it holds keeps the newest
        await sub.set_publishing_mode(False)
        for i in range(1000, 1020):
            await served.var.write_value(i)
        [data] = await sub.modify_monitored_item(handle, 0, new_queuesize=3)
        got.values.clear()
        await sub.set_publishing_mode(True)
        await got.until(1019)
        assert (data.RevisedQueueSize, got.values) == (3, [1017, 1018, 1019])
    finally:
        await client.disconnect()


async def test_modifying_an_unknown_item_is_refused(served: Twinless) -> None:
    client = Client(served.url)
    await client.connect()
    try:
        sub = await client.create_subscription(100, Received())
        request = ua.MonitoredItemModifyRequest()
        request.MonitoredItemId = 999_999
        params = ua.ModifyMonitoredItemsParameters()
        params.SubscriptionId, params.ItemsToModify = sub.subscription_id, [request]
        [result] = await client.uaclient.modify_monitored_items(params)
        assert result.StatusCode.value == ua.StatusCodes.BadMonitoredItemIdInvalid
    finally:
        await client.disconnect()


async def test_a_client_that_never_acknowledges_is_kept_a_few_messages(
        served: Twinless) -> None:
    bound_subscriptions(served.server.iserver, DATA_CAP, EVENT_CAP, UNACKED)
    client = Client(served.url)
    await client.connect()
    try:
        # CreateSubscription by hand: asyncua's own starts a publish loop that acknowledges
        request = ua.CreateSubscriptionRequest()
        request.Parameters.RequestedPublishingInterval = 10
        request.Parameters.RequestedLifetimeCount = 10_000
        request.Parameters.RequestedMaxKeepAliveCount = 1000
        request.Parameters.PublishingEnabled = True
        assert client.uaclient.protocol is not None
        response = struct_from_binary(ua.CreateSubscriptionResponse,
                                      await client.uaclient.protocol.send_request(request))
        item = ua.MonitoredItemCreateRequest()
        item.ItemToMonitor.NodeId = served.var.nodeid
        item.ItemToMonitor.AttributeId = ua.AttributeIds.Value
        item.MonitoringMode = ua.MonitoringMode.Reporting
        item.RequestedParameters.ClientHandle = 1
        params = ua.CreateMonitoredItemsParameters()
        params.SubscriptionId = response.Parameters.SubscriptionId
        params.ItemsToCreate = [item]
        [created] = await client.uaclient.create_monitored_items(params)
        assert created.StatusCode.is_good()
        sent: list[int] = []
        for i in range(4 * UNACKED):
            await served.var.write_value(1000 + i)
            published = (await client.uaclient.publish([])).Parameters  # no acknowledgements
            if published.NotificationMessage.NotificationData:
                sent.append(published.NotificationMessage.SequenceNumber)
        assert len(sent) > UNACKED
        assert published.AvailableSequenceNumbers == sent[-UNACKED:]
    finally:
        await client.disconnect()


async def test_a_client_that_collects_gets_every_change_in_order(served: Twinless) -> None:
    bound_subscriptions(served.server.iserver)  # the server's own caps again
    client = Client(served.url)
    await client.connect()
    try:
        got = Received()
        sub = await client.create_subscription(20, got)
        await sub.subscribe_data_change(client.get_node(served.var.nodeid))
        await served.var.write_value(-2)
        await got.until(-2)
        got.values.clear()
        burst = list(range(5000, 5000 + MAX_DATA_QUEUE))  # as many as fit in one publish
        for value in burst:
            await served.var.write_value(value)
        await got.until(burst[-1])
        assert got.values == burst
        isub = served.server.iserver.subscription_service.subscriptions[sub.subscription_id]
        await served.var.write_value(-3)
        await got.until(-3)
        assert len(isub._not_acknowledged_results) <= 2  # it acknowledges as it goes
    finally:
        await client.disconnect()
