"""The state of one OPC UA alarm condition, derived from its device's alarm points.

The Modbus points are the truth; a condition is their OPC UA reading (OPC UA Part 9):
- `<alarm>_seq` changing is a new activation (`Device.raise_alarm` bumps it first, also when the
  alarm is already active: a second call before `onsite`). The condition becomes Active and
  Unacknowledged with a new activation number, and the EventIds of earlier activations stop
  being accepted by Acknowledge, exactly as a Modbus `_ack` written for the first call cannot
  acknowledge the second (raising clears `_ack`).
- `<alarm>` falling makes it Inactive (it stays unacknowledged if nobody acknowledged it).
- `<alarm>_ack` rising makes it Acknowledged, whether the alarm is still active or has returned
  to normal (Part 9 allows acknowledging either; so does a Modbus `_ack` write). The device
  lowers `_ack` only when the alarm rises anew, and a new activation starts unacknowledged.
- Retain = Active or Unacknowledged: the conditions a client still has to look at. Confirm is
  accepted for an acknowledged inactive condition and reported; it does not hold Retain, since
  the devices have no confirm point and a Modbus platform has nothing to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from asyncua import ua


@dataclass
class ConditionState:
    device_id: str
    alarm: str
    condition_id: ua.NodeId
    active: bool = False
    acked: bool = True
    confirmed: bool = True
    #: The device's `_seq` as last seen (a change is a new activation).
    seq: int = 0
    #: Activations this server has seen: part of every EventId, never wraps.
    activation: int = 0
    #: EventIds of the current activation's events: what Acknowledge/Confirm accept.
    event_ids: set[bytes] = field(default_factory=set)
    #: A change not yet announced (the device was unreachable when it happened).
    pending: str | None = None
    #: Comment and user of the last Acknowledge/Confirm (the event's Comment, ClientUserId).
    comment: str = ""
    client_user: str = ""

    @property
    def retain(self) -> bool:
        return self.active or not self.acked

    def snapshot(self) -> ConditionState:
        return replace(self, event_ids=set())

    # -- transitions from the device's points; each returns what to announce, or None ---------
    def seq_changed(self, seq: int) -> str | None:
        if seq == self.seq:
            return None
        self.seq = seq
        again = self.active
        self._activate()
        return "active again (a new activation)" if again else "active"

    def state_changed(self, active: bool) -> str | None:
        if active and not self.active:
            # Only if the sequence number did not move (a state this server started in).
            self._activate()
            return "active"
        if not active and self.active:
            self.active = False
            return "back to normal"
        return None

    def ack_changed(self, acked: bool) -> str | None:
        if acked and not self.acked:
            self.acked = True
            return "acknowledged"
        return None

    # -- transitions from OPC UA methods ----------------------------------------------------------
    def confirm(self) -> str:
        self.confirmed = True
        return "confirmed"

    def _activate(self) -> None:
        self.active, self.acked, self.confirmed = True, False, False
        self.comment = self.client_user = ""
        self.activation += 1
        self.event_ids.clear()
