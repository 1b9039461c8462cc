"""The per-connection request path: what a Modbus client sees when a device or gateway
misbehaves, the quirks of field gateways, and who is asking.

`FaultyTcpServer` is a `pymodbus.server.ModbusTcpServer` whose per-connection request handler
consults a `FaultPolicy` before each request. pymodbus' `trace_connect`/`trace_pdu` hooks see
events but not *which* connection (and cannot withhold an answer), so the policy lives in the
handler that pymodbus creates per connection (`callback_new_connection`, pymodbus 3.16
`server/base.py`), the same object those hooks are called from.

The handler also tells the datastore hook who sent the request being served and what exactly it
asked for (`ASKER`): pymodbus' `SimDevice` action hook gets neither the connection nor, for bit
reads, the bit count (it is handed whole 16-bit words). Each request is served in its own asyncio
task, so a `ContextVar` set around dispatch is seen by that request's hook and no other.

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

import asyncio
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import NamedTuple

from pymodbus.constants import ExcCodes
from pymodbus.pdu import ExceptionResponse, ModbusPDU
from pymodbus.server import ModbusTcpServer
from pymodbus.server.requesthandler import ServerRequestHandler

from scenarios.faults import GatewayQuirks
from sim import Actor
from sim.faults import ActiveFault, FaultState

_REGISTER_READS = frozenset({3, 4})
_BIT_READS = frozenset({1, 2})


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


class _Handler(ServerRequestHandler):
    server: FaultyTcpServer
    actor: Actor = Actor("modbus")

    def callback_connected(self) -> None:
        super().callback_connected()
        # Once per connection, not per request: the peer is fixed for the socket's life.
        peer = self.transport.get_extra_info("peername") if self.transport else None
        if peer:
            self.actor = Actor("modbus", peer=f"{peer[0]}:{peer[1]}")
        limit = self.server.policy.quirks.max_connections if self.server.policy.quirks else None
        if limit is not None and len(self.server.open_connections) >= limit:
            self.server.refused_connections += 1
            self.transport.close()  # accepted by the OS, closed at once: what devices do
            return
        self.server.open_connections.add(self)

    def callback_disconnected(self, exc: Exception | None) -> None:
        self.server.open_connections.discard(self)
        super().callback_disconnected(exc)

    async def handle_request(self) -> None:
        # Capture now: pymodbus overwrites last_pdu when the next request arrives.
        pdu, addr = self.last_pdu, self.last_addr
        if pdu is None:
            return
        lock = self.server.serial_lock
        if lock is None:
            await self._handle(pdu, addr)
            return
        async with lock:
            await self._handle(pdu, addr)

    async def _handle(self, pdu: ModbusPDU, addr: tuple | None) -> None:
        v = self.server.policy.answer(pdu.dev_id, pdu.function_code, getattr(pdu, "count", 0))
        if v.silent:
            self.server.unanswered += 1
            return
        if v.drop:
            self.server.dropped += 1
            if self.transport is not None:
                self.transport.close()
            return
        if v.delay_s:
            await asyncio.sleep(v.delay_s)
        response: ModbusPDU
        if v.exception is not None:
            response = ExceptionResponse(pdu.function_code, ExcCodes(v.exception))
        else:
            fc = pdu.function_code
            token = ASKER.set(Asker(self.actor, pdu.count if fc in _BIT_READS else 1))
            try:
                response = await pdu.datastore_update(
                    self.server.context, pdu.dev_id)  # type: ignore[arg-type]
            except Exception:  # a bug costs one answer, never the server
                response = ExceptionResponse(pdu.function_code, ExcCodes.DEVICE_FAILURE)
            finally:
                ASKER.reset(token)
        response.transaction_id = pdu.transaction_id
        response.dev_id = pdu.dev_id
        if self.transport is not None:
            self.server_send(response, addr)


class FaultyTcpServer(ModbusTcpServer):
    """A Modbus TCP server that applies a `FaultPolicy` (see the module docstring)."""

    def __init__(self, *args: object, policy: FaultPolicy, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.policy = policy
        self.open_connections: set[_Handler] = set()
        self.serial_lock = (asyncio.Lock() if policy.quirks is not None
                            and policy.quirks.one_request_at_a_time else None)
        self.refused_connections = 0
        self.unanswered = 0
        self.dropped = 0

    def callback_new_connection(self) -> _Handler:
        return _Handler(self, self.trace_packet, self.trace_pdu, self.trace_connect)
