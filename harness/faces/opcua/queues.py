"""What one OPC UA subscription may hold for a client that does not collect it.

asyncua 2.1 keeps, per subscription (`server/internal_subscription.py`):
- the notifications triggered and not yet published, per monitored item, up to the item's queue
  size (older ones dropped). CreateMonitoredItems revises that size to at most
  `max_monitored_item_queue_size` (10,000; 0 asks for that maximum), but ModifyMonitoredItems
  takes the requested size as it comes (`MonitoredItemService._modify_monitored_item`), and a
  size of 0 there means no limit at all: a client that modifies its items to 0 and then stops
  publishing (SetPublishingMode off, or a publishing interval of days) makes the server keep
  every change for as long as the run lasts;
- the NotificationMessages sent and not yet acknowledged, kept for Republish: up to
  `max_unacked_messages_per_subscription` (5,000), each a whole publish's worth of notifications,
  for a client that sends Publish and never acknowledges.

`bound_subscriptions` caps both, for every subscription the server creates from then on:
- a data item queues at most `MAX_DATA_QUEUE` changes, an event item `MAX_EVENT_QUEUE` events
  (a ConditionRefresh queues every retained condition at once, so events get more room), on
  CreateMonitoredItems and on ModifyMonitoredItems alike (0 still asks for the maximum, as
  asyncua's clients do by default); a queue modified to fewer entries than it holds keeps the
  newest;
- `MAX_UNACKED` NotificationMessages wait for acknowledgement per subscription; past it the
  oldest is dropped (OPC UA Part 4 lets a server discard the oldest retransmission entries; a
  Republish of it then finds nothing). A client that acknowledges, as every normal one does, holds
  one or two.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asyncua import ua
from asyncua.server.internal_server import InternalServer
from asyncua.server.monitored_item_service import MonitoredItemData, MonitoredItemService

MAX_DATA_QUEUE = 100
MAX_EVENT_QUEUE = 10_000
MAX_UNACKED = 100


def _is_events(read_value_id: ua.ReadValueId | None) -> bool:
    return read_value_id is not None and \
        read_value_id.AttributeId == ua.AttributeIds.EventNotifier


class BoundedItems(MonitoredItemService):
    """asyncua's monitored items of one subscription, with queue sizes capped by kind."""

    def __init__(self, isub: Any, aspace: Any, data_queue: int, event_queue: int) -> None:
        super().__init__(isub, aspace)
        self.data_queue, self.event_queue = data_queue, event_queue

    def revise(self, requested: int, events: bool) -> int:
        cap = self.event_queue if events else self.data_queue
        return cap if requested <= 0 else min(int(requested), cap)

    def _make_monitored_item_common(
            self, params: ua.MonitoredItemCreateRequest
    ) -> tuple[ua.MonitoredItemCreateResult, MonitoredItemData]:
        result, mdata = super()._make_monitored_item_common(params)
        size = self.revise(params.RequestedParameters.QueueSize, _is_events(params.ItemToMonitor))
        result.RevisedQueueSize = mdata.queue_size = size
        return result, mdata

    def _modify_monitored_item(
            self, params: ua.MonitoredItemModifyRequest) -> ua.MonitoredItemModifyResult:
        mid = params.MonitoredItemId
        mdata = self._monitored_items.get(mid)
        if mdata is None:  # asyncua's answer to an unknown id is a TypeError (BadInternalError)
            result = ua.MonitoredItemModifyResult()
            result.StatusCode = ua.StatusCode(ua.UInt32(ua.StatusCodes.BadMonitoredItemIdInvalid))
            return result
        result = super()._modify_monitored_item(params)
        size = self.revise(params.RequestedParameters.QueueSize, _is_events(mdata.read_value_id))
        result.RevisedQueueSize = mdata.queue_size = size
        for queues in (self.isub._triggered_datachanges, self.isub._triggered_events):
            queued = queues.get(mid)
            if queued is not None and len(queued) > size:
                del queued[:len(queued) - size]  # keep the newest
        return result


def bound_subscriptions(iserver: InternalServer, data_queue: int = MAX_DATA_QUEUE,
                        event_queue: int = MAX_EVENT_QUEUE,
                        unacked: int = MAX_UNACKED) -> None:
    """Cap what every subscription created from now on may hold (see the module docstring)."""
    iserver.max_unacked_messages_per_subscription = unacked
    iserver.max_monitored_item_queue_size = max(data_queue, event_queue)
    service = iserver.subscription_service
    create: Callable[..., Awaitable[ua.CreateSubscriptionResult]] = service.create_subscription

    async def create_subscription(*args: Any, **kwargs: Any) -> ua.CreateSubscriptionResult:
        result = await create(*args, **kwargs)
        sub = service.subscriptions[result.SubscriptionId]
        # Swapped before the client can have created any item in it.
        sub.monitored_item_srv = BoundedItems(sub, service.aspace, data_queue, event_queue)
        return result

    service.create_subscription = create_subscription  # type: ignore[method-assign]
