"""What a Modbus client sees when a device or gateway misbehaves, the quirks of field
gateways, and who is asking.

`FaultPolicy` decides, per request, what the gateway's connection (`connection.Connection`)
does with it. pymodbus' `trace_connect`/`trace_pdu` hooks see events but not *which*
connection (and cannot withhold an answer), so the policy is consulted by the handler pymodbus
creates per connection.

The handler also tells the datastore hook who sent the request being served and what exactly it
asked for (`ASKER`): pymodbus' `SimDevice` action hook gets neither the connection nor, for bit
reads, the bit count (it is handed whole 16-bit words). A connection answers its requests in
one asyncio task, one at a time, so a `ContextVar` set around dispatch is seen by that
request's hook and no other.

On the wire, per request:
- offline (device or gateway): no answer at all; the client times out;
- slow: the answer comes `delay_ms` late;
- exception: the answer is the Modbus exception `code`;
- drop_connection: the gateway closes the TCP connection instead of answering;
- quirk `max_connections`: connections beyond the limit are accepted and closed at once;
- quirk `one_request_at_a_time`: requests from all connections are served strictly in turn;
- quirk `max_registers_per_read`: a longer register read answers exception 03 (or 02).
Everything else goes to pymodbus' normal handling (and the gateway's `action` hook).
"""
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import NamedTuple

from scenarios.faults import GatewayQuirks
from sim import Actor
from sim.faults import ActiveFault, FaultState

_REGISTER_READS = frozenset({3, 4})


class Asker(NamedTuple):
    """Who sent the request being served, and how many bits it asked for."""

    actor: Actor
    #: Bits the request covers from its start address: a bit read's own count; 1 for a single
    #: coil write, whose read-back carries one bit. Unused for register requests.
    bits: int


#: What a hook called outside a connection gets: no peer, and only the addressed bit.
_NOBODY = Asker(Actor("modbus"), 1)  # immutable (a tuple of a frozen dataclass and an int)
#: The request being served in the current task (see the module docstring).
ASKER: ContextVar[Asker] = ContextVar("modbus_asker", default=_NOBODY)


@dataclass(frozen=True)
class Answer:
    """What to do with one request. `None` fields: nothing special."""

    silent: bool = False
    drop: bool = False
    delay_s: float = 0.0
    exception: int | None = None


_PASS = Answer()


@dataclass
class FaultPolicy:
    gateway: str
    quirks: GatewayQuirks | None = None
    faults: FaultState | None = None
    units: dict[int, str] = field(default_factory=dict)  # unit id -> device id
    #: Brings the world to the present before a decision (live mode's `World.sync`).
    sync: Callable[[], object] = lambda: None

    def answer(self, unit: int, function_code: int, count: int) -> Answer:
        q = self.quirks
        if (q is not None and q.max_registers_per_read is not None
                and function_code in _REGISTER_READS and count > q.max_registers_per_read):
            return Answer(exception=q.over_limit_exception)
        if self.faults is None:
            return _PASS
        self.sync()
        active: list[ActiveFault] = [*self.faults.active(self.gateway)]
        device = self.units.get(unit)
        if device is not None:
            active += self.faults.active(device)
        if not active:
            return _PASS  # the common case, on every request: no allocation
        kinds = {f.kind for f in active}
        if "offline" in kinds:
            return Answer(silent=True)
        if "drop_connection" in kinds:
            return Answer(drop=True)
        delay = max((f.delay_ms for f in active if f.kind == "slow"), default=0.0) / 1000.0
        code = next((f.code for f in active if f.kind == "exception"), None)
        return Answer(delay_s=delay, exception=code)
