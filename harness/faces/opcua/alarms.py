"""Alarms on OPC UA: AlarmConditionType events, Acknowledge/Confirm, and when a platform saw them.

Each alarm of each device is one condition. Its ConditionId is the alarm's state variable
(`<device>.<alarm>`): a node that exists anyway, so no extra node per alarm, and a client that
subscribed to the state variable and to events sees the same id. Events have SourceNode = the
device node and are emitted twice: at the device node (clients watching one device) and at the
Server object (the usual place for an alarm client; asyncua does not propagate events up the
notifier tree by itself).

asyncua has no alarm state machine, so the state (Active, Acked, Confirmed, Retain) is kept here
and follows the device's points: an alarm point rising triggers an event, its `_ack` point rising
or the alarm falling triggers an update. Acknowledge is one method linked globally
(`AcknowledgeableConditionType_Acknowledge`); it reaches the device exactly like the Modbus ack
write, `world.write(device, "<alarm>_ack", True)`, so the incident tracker marks the lifecycle
acknowledged from the point, not from the method call. Confirm exists only on the OPC UA side
(the devices have no confirm point): it is accepted for an acknowledged alarm that has returned
to normal and ends the condition's Retain.

Observation (`Deliveries`): a notification that carries an active alarm marks the incident
observed when the publish response holding it is handed to the client's connection, not when it
is queued: asyncua calls the subscription's `pub_result_callback` at that moment, and we wrap it.
"""

from __future__ import annotations

import copy
import datetime
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from asyncua import Node, Server, ua
from asyncua.common import events

from devices import Device
from harness.faces.opcua.space import SpaceIndex, nid, status
from sim import World

log = logging.getLogger(__name__)

#: Severity 1..1000 (OPC UA Part 9); alarms not listed get DEFAULT_SEVERITY.
SEVERITY = {"fire": 900, "call": 800, "smoke": 900, "fault": 500, "comm_fault": 400,
            "low_battery": 300}
DEFAULT_SEVERITY = 500
Work = Callable[[], Awaitable[None]]


@dataclass
class _Condition:
    device_id: str
    alarm: str
    condition_id: ua.NodeId
    active: bool = False
    acked: bool = True
    confirmed: bool = True
    seq: int = 0
    event_ids: set[bytes] = field(default_factory=set)

    @property
    def retain(self) -> bool:
        return self.active or not self.acked or not self.confirmed


class Deliveries:
    """Marks incidents observed when a notification carrying them leaves for a client."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._pending: dict[int, set[tuple[str, str]]] = {}
        self._wrapped: set[int] = set()

    def carried(self, subscription: Any, device_id: str, alarm: str) -> None:
        """`subscription` (an asyncua InternalSubscription) has queued a notification with it."""
        if getattr(subscription, "pub_request_callback", None) is None:
            return  # a server-internal subscription: nobody outside saw anything
        sub_id = subscription.data.SubscriptionId
        self._pending.setdefault(sub_id, set()).add((device_id, alarm))
        if sub_id in self._wrapped:
            return
        self._wrapped.add(sub_id)
        original = subscription.pub_result_callback

        async def forward(result: ua.PublishResult, *args: Any) -> None:
            await original(result, *args)
            if result.NotificationMessage.NotificationData:
                self._flush(sub_id, time.monotonic_ns())

        subscription.pub_result_callback = forward

    def _flush(self, sub_id: int, wall_ns: int) -> None:
        for device_id, alarm in self._pending.pop(sub_id, ()):
            self.world.note_read(device_id, {alarm}, wall_ns)


class Conditions:
    def __init__(self, server: Server, world: World, index: SpaceIndex,
                 deliveries: Deliveries, submit: Callable[[Work], None]) -> None:
        self.server = server
        self.world = world
        self.index = index
        self.deliveries = deliveries
        self._submit = submit
        self._template: Any = None
        self._by_id: dict[ua.NodeId, _Condition] = {}
        self._by_alarm: dict[tuple[str, str], _Condition] = {}
        self.events_sent = 0

    async def setup(self) -> None:
        isession = self.server.iserver.isession
        self._template = await events.get_event_obj_from_type_node(
            Node(isession, nid(ua.ObjectIds.AlarmConditionType)))
        # ConditionId travels as the event's NodeId (asyncua's EventGenerator does the same).
        self._template.add_property("NodeId", None, ua.VariantType.NodeId)
        for device in self.world.devices.values():
            for alarm in device.ALARMS:
                pn = self.index.by_point[(device.id, alarm)]
                cond = _Condition(device.id, alarm, pn.nodeid)
                self._by_id[pn.nodeid] = cond
                self._by_alarm[(device.id, alarm)] = cond
        self.server.link_method(
            self.server.get_node(ua.ObjectIds.AcknowledgeableConditionType_Acknowledge),
            self.acknowledge)
        self.server.link_method(
            self.server.get_node(ua.ObjectIds.AcknowledgeableConditionType_Confirm), self.confirm)

    # -- from the device observer (inside a SimPy step: only record and queue) ------------------
    def point_changed(self, device: Device, name: str, value: object) -> None:
        if name in device.ALARMS:
            cond = self._by_alarm[(device.id, name)]
            if value:
                cond.active, cond.acked, cond.confirmed = True, False, False
                cond.seq += 1
                cond.event_ids.clear()
                text = f"{device.id}: {device.point_map[name].description or name} active"
            else:
                cond.active = False
                text = f"{device.id}: {name} back to normal"
        elif name.endswith("_ack") and name[:-4] in device.ALARMS and value:
            cond = self._by_alarm[(device.id, name[:-4])]
            if cond.acked:
                return
            cond.acked = True
            text = f"{device.id}: {cond.alarm} acknowledged"
        else:
            return
        snapshot = copy.copy(cond)
        self._submit(lambda: self._emit(snapshot, cond, text))

    # -- methods ----------------------------------------------------------------------------------
    async def acknowledge(self, parent: ua.NodeId, *args: Any) -> ua.StatusCode:
        cond = self._condition(parent, args)
        if isinstance(cond, ua.StatusCode):
            return cond
        if cond.acked:
            return status(ua.StatusCodes.BadConditionBranchAlreadyAcked)
        if not cond.active:
            # The devices take an acknowledgement only while the alarm is active.
            return status(ua.StatusCodes.BadInvalidState)
        try:
            self.world.sync()
            self.world.write(cond.device_id, f"{cond.alarm}_ack", True)
        except Exception:  # a bug must cost one answer, never the server
            log.exception("acknowledge %s/%s", cond.device_id, cond.alarm)
            return status(ua.StatusCodes.BadInternalError)
        return ua.StatusCode()

    async def confirm(self, parent: ua.NodeId, *args: Any) -> ua.StatusCode:
        cond = self._condition(parent, args)
        if isinstance(cond, ua.StatusCode):
            return cond
        if cond.confirmed:
            return status(ua.StatusCodes.BadConditionBranchAlreadyConfirmed)
        if cond.active or not cond.acked:
            return status(ua.StatusCodes.BadInvalidState)
        cond.confirmed = True
        await self._emit(copy.copy(cond), cond, f"{cond.device_id}: {cond.alarm} confirmed")
        return ua.StatusCode()

    def _condition(self, parent: ua.NodeId, args: tuple[Any, ...]) -> _Condition | ua.StatusCode:
        """The condition a method call names, or the status refusing it (unknown node or
        EventId: both methods take the EventId of the event being answered)."""
        cond = self._by_id.get(parent)
        if cond is None:
            return status(ua.StatusCodes.BadNodeIdInvalid)
        if not args:
            return status(ua.StatusCodes.BadArgumentsMissing)
        raw = args[0].Value if isinstance(args[0], ua.Variant) else args[0]
        if not isinstance(raw, bytes) or raw not in cond.event_ids:
            return status(ua.StatusCodes.BadEventIdUnknown)
        return cond

    # -- events ---------------------------------------------------------------------------------
    async def _emit(self, state: _Condition, cond: _Condition, text: str) -> None:
        ev = copy.deepcopy(self._template)
        now = datetime.datetime.now(datetime.UTC)
        event_id = f"{state.device_id}|{state.alarm}|{state.seq}|{len(cond.event_ids)}".encode()
        cond.event_ids.add(event_id)
        device_node = self.index.devices[state.device_id]
        fields: dict[str, Any] = {
            "EventId": event_id, "Time": now, "ReceiveTime": now,
            "SourceNode": device_node, "SourceName": state.device_id,
            "NodeId": state.condition_id, "ConditionName": state.alarm,
            "Message": ua.LocalizedText(text),
            "Severity": SEVERITY.get(state.alarm, DEFAULT_SEVERITY),
            "Retain": state.retain,
            "EnabledState": ua.LocalizedText("Enabled"), "EnabledState/Id": True,
            "ActiveState": ua.LocalizedText("Active" if state.active else "Inactive"),
            "ActiveState/Id": state.active,
            "AckedState": ua.LocalizedText("Acknowledged" if state.acked else "Unacknowledged"),
            "AckedState/Id": state.acked,
            "ConfirmedState": ua.LocalizedText("Confirmed" if state.confirmed
                                               else "Unconfirmed"),
            "ConfirmedState/Id": state.confirmed,
        }
        for name, value in fields.items():
            setattr(ev, name, value)
        self._remember_for_refresh(ev)
        subscriptions = list(self.server.iserver.subscription_service.subscriptions.values())
        for emitting in (nid(ua.ObjectIds.Server), device_node):
            copy_ev = copy.copy(ev)
            copy_ev.emitting_node = emitting
            for sub in subscriptions:
                # True: the subscription monitors this emitter, the event is queued for it.
                queued = await sub.monitored_item_srv.trigger_event(copy_ev)
                if queued and state.active:
                    self.deliveries.carried(sub, state.device_id, state.alarm)
        self.events_sent += 1

    def _remember_for_refresh(self, ev: Any) -> None:
        # ConditionRefresh replays the retained conditions asyncua keeps in this dict (what its
        # own trigger_event does); there is no public setter, and we trigger per subscription.
        store = getattr(self.server.iserver.subscription_service, "_conditions", None)
        if store is None:
            return
        retained = copy.copy(ev)
        retained.emitting_node = nid(ua.ObjectIds.Server)
        if ev.Retain:
            store[ev.NodeId] = retained
        else:
            store.pop(ev.NodeId, None)
