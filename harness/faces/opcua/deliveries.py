"""When a platform saw an alarm over OPC UA: notifications that really left for a client.

A data change or event carrying an active alarm marks the incident observed when the publish
response holding it is handed to the client's connection, not when it is queued: asyncua calls
the subscription's `pub_result_callback` at that moment (the connection's
`UaProcessor.forward_publish_response`), and this module wraps it. The wrapped callback's
processor is also where the client is known: its peer address and the session's user name go
into the observation's `Actor`.

What it keeps is per live subscription: a subscription deleted (its client left, its session
closed or timed out) is forgotten when the next one is first seen, so a run of days with clients
coming and going holds neither their alarms nor their connections (a wrapped callback is a
method of the connection's processor).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Container
from typing import Any

from asyncua import ua

from harness.faces.opcua.sessions import FACE, format_peer, user_of
from sim import Actor, World

PublishCallback = Callable[..., Awaitable[None]]


def subscriber(callback: Any) -> Actor:
    """Who receives what a subscription publishes: asyncua's publish callback is a bound
    method of the connection's UaProcessor (`name` = peer address, `session` = its session).
    A callback of another shape (none in asyncua 2.1) gives an actor with no peer or user."""
    processor = getattr(callback, "__self__", None)
    return Actor(FACE, peer=format_peer(getattr(processor, "name", None)),
                 user=user_of(getattr(processor, "session", None)))


class Deliveries:
    """Marks incidents observed when a notification carrying them leaves for a client."""

    def __init__(self, world: World, live: Container[int]) -> None:
        """`live`: the ids of the server's subscriptions now (asyncua's
        `SubscriptionService.subscriptions`)."""
        self.world = world
        self._live = live
        self._pending: dict[int, set[tuple[str, str]]] = {}
        self._forwards: dict[int, PublishCallback] = {}

    def carried(self, subscription: Any, device_id: str, alarm: str) -> None:
        """`subscription` (an asyncua InternalSubscription) has queued a notification with it."""
        if getattr(subscription, "pub_request_callback", None) is None:
            return  # a server-internal subscription: nobody outside saw anything
        sub_id = int(subscription.data.SubscriptionId)
        if sub_id not in self._forwards:
            self._forget_deleted()
        self._pending.setdefault(sub_id, set()).add((device_id, alarm))
        current = subscription.pub_result_callback
        # Compare, not remember: TransferSubscriptions replaces the callback with the new
        # connection's, which must be wrapped again (and names the new peer).
        if self._forwards.get(sub_id) is current:
            return
        actor = subscriber(current)

        async def forward(result: ua.PublishResult, *args: Any) -> None:
            await current(result, *args)
            if result.NotificationMessage.NotificationData:
                self._flush(sub_id, time.monotonic_ns(), actor)

        subscription.pub_result_callback = forward
        self._forwards[sub_id] = forward

    def _forget_deleted(self) -> None:
        for sub_id in [s for s in self._forwards if s not in self._live]:
            del self._forwards[sub_id]
            self._pending.pop(sub_id, None)

    def _flush(self, sub_id: int, wall_ns: int, actor: Actor) -> None:
        for device_id, alarm in self._pending.pop(sub_id, ()):
            self.world.note_read(device_id, {alarm}, wall_ns, by=actor)
