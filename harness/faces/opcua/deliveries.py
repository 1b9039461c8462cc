"""When a platform saw an alarm over OPC UA: notifications that really left for a client.

A data change or event carrying an active alarm marks the incident observed when the publish
response holding it is handed to the client's connection, not when it is queued: asyncua calls
the subscription's `pub_result_callback` at that moment (the connection's
`UaProcessor.forward_publish_response`), and this module wraps it. The wrapped callback's
processor is also where the client is known: its peer address and the session's user name go
into the observation's `Actor`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
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

    def __init__(self, world: World) -> None:
        self.world = world
        self._pending: dict[int, set[tuple[str, str]]] = {}
        self._forwards: dict[int, PublishCallback] = {}

    def carried(self, subscription: Any, device_id: str, alarm: str) -> None:
        """`subscription` (an asyncua InternalSubscription) has queued a notification with it."""
        if getattr(subscription, "pub_request_callback", None) is None:
            return  # a server-internal subscription: nobody outside saw anything
        sub_id = int(subscription.data.SubscriptionId)
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

    def _flush(self, sub_id: int, wall_ns: int, actor: Actor) -> None:
        for device_id, alarm in self._pending.pop(sub_id, ()):
            self.world.note_read(device_id, {alarm}, wall_ns, by=actor)
