"""Alarms on OPC UA: AlarmConditionType events, Acknowledge/Confirm and ConditionRefresh.

Each alarm of each device is one condition. Its ConditionId is the alarm's state variable
(`<device>.<alarm>`): a node that exists anyway, so no extra node per alarm, and a client that
subscribed to the state variable and to events sees the same id. Events have SourceNode = the
device node and are emitted at every notifier above the device that a client may watch: the
Server object, the community's root folder and the device node (asyncua does not propagate
events up the notifier tree by itself, so the twin triggers each one).

asyncua has no alarm state machine; `conditions.ConditionState` is the twin's, derived from the
device's alarm points, so OPC UA and Modbus tell the same story. Acknowledge is one method linked
globally (`AcknowledgeableConditionType_Acknowledge`): for an active alarm it reaches the device
exactly like the Modbus ack write, `world.write(device, "<alarm>_ack", True, by=<who>)`, so the
incident tracker marks the lifecycle acknowledged from the point (naming the session's peer,
user and comment). An inactive, unacknowledged condition is acknowledged on the OPC UA side only
(the device has nothing left to acknowledge). Confirm exists only on the OPC UA side.

ConditionRefresh (and ConditionRefresh2) replace asyncua's, which replays only to monitored
items on the Server object: here every event monitored item of the subscription gets
RefreshStart, the retained conditions it would have received (same EventIds as when they were
first sent), and RefreshEnd. The Start/End bracket bypasses the item's where clause (Part 9 4.5:
they are always delivered); the conditions still pass through it.

While a device is unreachable (offline, exception, drop_connection: `faults.DeviceFaults`) its
condition changes are held and announced, as the current state, when it answers again: a client
cannot hear an alarm from a device it cannot reach.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from asyncua import Node, Server, ua
from asyncua.common import events

from devices import Device, Value
from harness.faces.opcua.conditions import ConditionState
from harness.faces.opcua.deliveries import Deliveries
from harness.faces.opcua.faults import DeviceFaults
from harness.faces.opcua.sessions import current_actor, current_session
from harness.faces.opcua.space import SpaceIndex, nid
from harness.faces.opcua.values import status
from sim import World

log = logging.getLogger(__name__)

#: Severity 1..1000 (OPC UA Part 9); alarms not listed get DEFAULT_SEVERITY.
SEVERITY = {"fire": 900, "call": 800, "smoke": 900, "fault": 500, "comm_fault": 400,
            "low_battery": 300}
DEFAULT_SEVERITY = 500
Work = Callable[[], Awaitable[None]]
_SERVER = nid(ua.ObjectIds.Server)


def _raw(arg: Any) -> Any:
    return arg.Value if isinstance(arg, ua.Variant) else arg


def _text(arg: Any) -> str:
    value = _raw(arg)
    if isinstance(value, ua.LocalizedText):
        return value.Text or ""
    return value if isinstance(value, str) else ""


class Conditions:
    def __init__(self, server: Server, world: World, index: SpaceIndex, deliveries: Deliveries,
                 faults: DeviceFaults, submit: Callable[[Work], None]) -> None:
        self.server = server
        self.world = world
        self.index = index
        self.deliveries = deliveries
        self.faults = faults
        self._submit = submit
        self._template: Any = None
        self._refresh_templates: dict[int, Any] = {}
        self._by_id: dict[ua.NodeId, ConditionState] = {}
        self._by_alarm: dict[tuple[str, str], ConditionState] = {}
        #: The last event of every retained condition: what ConditionRefresh replays.
        self._retained: dict[ua.NodeId, Any] = {}
        # EventIds must not repeat across server runs (a client may hold one from before).
        self._nonce = os.urandom(4).hex()
        self.events_sent = 0

    async def setup(self) -> None:
        isession = self.server.iserver.isession
        self._template = await events.get_event_obj_from_type_node(
            Node(isession, nid(ua.ObjectIds.AlarmConditionType)))
        # ConditionId travels as the event's NodeId (asyncua's EventGenerator does the same).
        self._template.add_property("NodeId", None, ua.VariantType.NodeId)
        for etype in (ua.ObjectIds.RefreshStartEventType, ua.ObjectIds.RefreshEndEventType):
            self._refresh_templates[etype] = await events.get_event_obj_from_type_node(
                Node(isession, nid(etype)))
        for device in self.world.devices.values():
            for alarm in device.ALARMS:
                cond = self._initial(device, alarm)
                self._by_id[cond.condition_id] = cond
                self._by_alarm[(device.id, alarm)] = cond
                if cond.retain:  # nobody subscribed yet: this only seeds ConditionRefresh
                    await self._emit(cond.snapshot(), cond, "active")
        link = self.server.link_method
        link(self.server.get_node(ua.ObjectIds.AcknowledgeableConditionType_Acknowledge),
             self.acknowledge)
        link(self.server.get_node(ua.ObjectIds.AcknowledgeableConditionType_Confirm),
             self.confirm)
        for method in (ua.ObjectIds.ConditionType_ConditionRefresh,
                       ua.ObjectIds.ConditionType_ConditionRefresh2):
            isession.add_method_callback(nid(method), self.condition_refresh)

    def _initial(self, device: Device, alarm: str) -> ConditionState:
        cond = ConditionState(device.id, alarm, self.index.by_point[(device.id, alarm)].nodeid,
                              seq=int(device.read(f"{alarm}_seq")))
        if device.alarm_active(alarm):
            cond.state_changed(True)
            cond.ack_changed(bool(device.read(f"{alarm}_ack")))
        return cond

    def notifiers(self, device_id: str) -> tuple[ua.NodeId, ...]:
        """Every node an event of this device is emitted at (and refreshed for)."""
        return (_SERVER, self.index.root, self.index.devices[device_id])

    # -- from the device observer (inside a SimPy step: only record and queue) ------------------
    def point_changed(self, device: Device, name: str, value: Value) -> None:
        alarm, _, part = name.rpartition("_")
        if name in device.ALARMS:
            cond = self._by_alarm[(device.id, name)]
            text = cond.state_changed(bool(value))
        elif part == "seq" and alarm in device.ALARMS:
            cond = self._by_alarm[(device.id, alarm)]
            text = cond.seq_changed(int(value))
        elif part == "ack" and alarm in device.ALARMS:
            cond = self._by_alarm[(device.id, alarm)]
            text = cond.ack_changed(bool(value))
        else:
            return
        if text is not None:
            self._announce(cond, text)

    def _announce(self, cond: ConditionState, text: str) -> None:
        if self.faults.status(cond.device_id) is not None:
            cond.pending = text  # told when the device answers again (`reachable`)
            return
        snapshot = cond.snapshot()
        self._submit(lambda: self._emit(snapshot, cond, text))

    def reachable(self, device_id: str) -> None:
        """The device answers again: announce what changed while it could not."""
        for alarm in self.world.devices[device_id].ALARMS:
            cond = self._by_alarm[(device_id, alarm)]
            if cond.pending is not None:
                text, cond.pending = cond.pending, None
                self._announce(cond, text)

    # -- methods ----------------------------------------------------------------------------------
    async def acknowledge(self, parent: ua.NodeId, *args: Any) -> ua.StatusCode:
        cond = await self._prologue(parent, args)
        if isinstance(cond, ua.StatusCode):
            return cond
        if cond.acked:
            return status(ua.StatusCodes.BadConditionBranchAlreadyAcked)
        actor = current_actor(comment=_text(args[1]) if len(args) > 1 else "")
        cond.comment, cond.client_user = actor.comment, actor.user
        # Active or returned to normal (Part 9 allows both): the device's `_ack` takes it, as a
        # Modbus write would, and the condition follows the point.
        try:
            self.world.write(cond.device_id, f"{cond.alarm}_ack", True, by=actor)
        except Exception:  # a bug must cost one answer, never the server
            log.exception("acknowledge %s/%s", cond.device_id, cond.alarm)
            return status(ua.StatusCodes.BadInternalError)
        return ua.StatusCode()

    async def confirm(self, parent: ua.NodeId, *args: Any) -> ua.StatusCode:
        cond = await self._prologue(parent, args)
        if isinstance(cond, ua.StatusCode):
            return cond
        if cond.confirmed:
            return status(ua.StatusCodes.BadConditionBranchAlreadyConfirmed)
        if cond.active or not cond.acked:
            return status(ua.StatusCodes.BadInvalidState)
        actor = current_actor(comment=_text(args[1]) if len(args) > 1 else "")
        cond.comment, cond.client_user = actor.comment, actor.user
        self._announce(cond, cond.confirm())
        return ua.StatusCode()

    async def _prologue(self, parent: ua.NodeId,
                        args: tuple[Any, ...]) -> ConditionState | ua.StatusCode:
        """The condition a method call names, as of now, or the status refusing the call:
        unknown node, missing arguments, a device that cannot be reached, or an EventId that is
        not of the condition's current activation (both methods take the EventId of the event
        being answered; one of an earlier activation must not acknowledge a later one)."""
        cond = self._by_id.get(parent)
        if cond is None:
            return status(ua.StatusCodes.BadNodeIdInvalid)
        if not args:
            return status(ua.StatusCodes.BadArgumentsMissing)
        self.world.sync()
        delay = self.faults.delay_s((cond.device_id,))
        if delay:
            await asyncio.sleep(delay)  # a slow device answers late, on every face
            self.world.sync()
        # (synced: a re-raise due by now has made the caller's EventId stale)
        fault = self.faults.status(cond.device_id)
        if fault is not None:
            return status(fault)
        raw = _raw(args[0])
        if not isinstance(raw, bytes) or raw not in cond.event_ids:
            return status(ua.StatusCodes.BadEventIdUnknown)
        return cond

    async def condition_refresh(self, parent: ua.NodeId, *args: Any) -> ua.StatusCode:
        """ConditionRefresh(SubscriptionId) and ConditionRefresh2(SubscriptionId, MonitoredItemId)
        for every notifier the subscription watches (see the module docstring)."""
        if not args:
            return status(ua.StatusCodes.BadArgumentsMissing)
        sub = self.server.iserver.subscription_service.subscriptions.get(int(_raw(args[0])))
        session = current_session()
        if sub is None or (session is not None and sub.session_id != session.session_id):
            return status(ua.StatusCodes.BadSubscriptionIdInvalid)
        items = sub.monitored_item_srv
        only = int(_raw(args[1])) if len(args) > 1 else None
        if only is not None and only not in items._monitored_items:
            return status(ua.StatusCodes.BadMonitoredItemIdInvalid)
        targets = [(notifier, mid) for notifier, mids in list(items._monitored_events.items())
                   for mid in mids if only is None or mid == only]
        start, end = (self._refresh_event(t) for t in (ua.ObjectIds.RefreshStartEventType,
                                                       ua.ObjectIds.RefreshEndEventType))
        for notifier, mid in targets:
            await self._bracket(sub, start, notifier, mid)
        for notifier, mid in targets:
            for ev in list(self._retained.values()):
                device_id = str(ev.SourceName)
                if notifier not in self.notifiers(device_id):
                    continue
                ev.emitting_node = notifier
                if await items.trigger_event(ev, mid) and getattr(ev, "ActiveState/Id"):
                    self.deliveries.carried(sub, device_id, str(ev.ConditionName))
        for notifier, mid in targets:
            await self._bracket(sub, end, notifier, mid)
        return ua.StatusCode()

    async def _bracket(self, sub: Any, ev: Any, notifier: ua.NodeId, mid: int) -> None:
        """Queue RefreshStart/End for one monitored item, past its where clause."""
        item = sub.monitored_item_srv._monitored_items.get(mid)
        if item is None:
            return
        ev.emitting_node = notifier
        fields = ua.EventFieldList()
        fields.ClientHandle = item.client_handle
        fields.EventFields = ev.to_event_fields(item.filter.SelectClauses)
        await sub.enqueue_event(mid, fields, item.queue_size)

    def _refresh_event(self, etype: int) -> Any:
        ev = copy.deepcopy(self._refresh_templates[etype])
        now = datetime.datetime.now(datetime.UTC)
        self.events_sent += 1
        ev.EventId = f"{self._nonce}|refresh|{self.events_sent}".encode()
        ev.Time = ev.ReceiveTime = now
        ev.SourceNode, ev.SourceName, ev.Severity = _SERVER, "Server", 1
        return ev

    # -- events ---------------------------------------------------------------------------------
    async def _emit(self, state: ConditionState, cond: ConditionState, text: str) -> None:
        ev = copy.deepcopy(self._template)
        now = datetime.datetime.now(datetime.UTC)
        self.events_sent += 1
        event_id = (f"{self._nonce}|{state.device_id}|{state.alarm}|{state.activation}|"
                    f"{self.events_sent}").encode()
        if state.activation == cond.activation:  # else a later activation already began
            cond.event_ids.add(event_id)
        point = self.world.devices[state.device_id].point_map[state.alarm]
        fields: dict[str, Any] = {
            "EventId": event_id, "Time": now, "ReceiveTime": now,
            "SourceNode": self.index.devices[state.device_id], "SourceName": state.device_id,
            "NodeId": state.condition_id, "ConditionName": state.alarm,
            "Message": ua.LocalizedText(f"{state.device_id}: {point.description or state.alarm}"
                                        f" {text}"),
            "Severity": SEVERITY.get(state.alarm, DEFAULT_SEVERITY),
            "Retain": state.retain,
            "Comment": ua.LocalizedText(state.comment), "ClientUserId": state.client_user,
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
        if state.retain:
            self._retained[state.condition_id] = ev
        else:
            self._retained.pop(state.condition_id, None)
        for sub in list(self.server.iserver.subscription_service.subscriptions.values()):
            for notifier in self.notifiers(state.device_id):
                # The fields are taken before trigger_event awaits: one object serves all.
                ev.emitting_node = notifier
                queued = await sub.monitored_item_srv.trigger_event(ev)
                if queued and state.active:
                    self.deliveries.carried(sub, state.device_id, state.alarm)
