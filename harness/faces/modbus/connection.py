"""One gateway's TCP server and its connections: framing, answering in order, limits.

`FaultyTcpServer` is a `pymodbus.server.ModbusTcpServer` whose per-connection handler
(`Connection`, created by pymodbus through `callback_new_connection`, pymodbus 3.16
`server/base.py`) replaces pymodbus' receive path:
- every complete ADU in the stream is answered, in the order received (`framing.split`):
  pipelining clients such as Node-RED's modbus nodes send several requests in one segment;
  a partial frame waits for the rest;
- a frame with a protocol id other than 0 is discarded; a length no Modbus frame can have
  closes the connection (the stream cannot be re-framed); requests are checked against the
  spec before pymodbus decodes them (`framing.decode_request`), so a bad count answers
  function|0x80 with 03, an unknown function 01;
- a client that pipelines faster than it is answered is paused (TCP back-pressure) instead of
  queueing without bound; connections beyond `max_connections` (default `MAX_CONNECTIONS`, or
  the gateway quirk's lower limit) are accepted and closed at once;
- malformed input is logged at most once per peer address per `PeerLog.interval_s`
  (`harness.faces.peerlog`).
Each request then goes through the gateway's `FaultPolicy` (`faults`) and pymodbus' datastore,
with `ASKER` telling the datastore hook who asked.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from pymodbus.constants import ExcCodes
from pymodbus.pdu import ExceptionResponse, ModbusPDU
from pymodbus.server import ModbusTcpServer
from pymodbus.server.requesthandler import ServerRequestHandler

from harness.faces.modbus import framing
from harness.faces.modbus.faults import ASKER, Asker, FaultPolicy
from harness.faces.peerlog import PeerLog
from sim import Actor

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 64  #: per gateway, unless the gateway's quirks set a lower limit
#: Requests framed but not yet answered on one connection: past HIGH the socket stops being
#: read until LOW are left.
PENDING_HIGH, PENDING_LOW = 128, 32
_BIT_READS = frozenset({1, 2})


class Connection(ServerRequestHandler):
    """One client connection (see the module docstring)."""

    server: FaultyTcpServer
    actor: Actor = Actor("modbus")
    host = "?"

    def __init__(self, owner: FaultyTcpServer, *args: object) -> None:
        super().__init__(owner, *args)
        self._rx = bytearray()
        self._pending: deque[framing.Adu | None] = deque()
        self._worker: asyncio.Task[None] | None = None
        self._paused = False
        self._broken = False  # the stream cannot be framed any more: closing

    def callback_connected(self) -> None:
        super().callback_connected()
        # Once per connection, not per request: the peer is fixed for the socket's life.
        peer = self.transport.get_extra_info("peername") if self.transport else None
        if peer:
            self.host = str(peer[0])
            self.actor = Actor("modbus", peer=f"{peer[0]}:{peer[1]}")
        server = self.server
        if len(server.open_connections) >= server.connection_limit:
            server.refused_connections += 1
            server.peer_log.warning(self.host, "gateway %s refused a connection beyond %d",
                                    server.policy.gateway, server.connection_limit)
            self.transport.close()  # accepted by the OS, closed at once: what devices do
            return
        server.open_connections.add(self)

    def callback_disconnected(self, exc: Exception | None) -> None:
        self.server.open_connections.discard(self)
        self._pending.clear()
        self._rx.clear()
        if self._worker is not None and self._worker is not asyncio.current_task():
            self._worker.cancel()
        super().callback_disconnected(exc)

    def data_received(self, data: bytes) -> None:
        """Replaces pymodbus' receive path (`ModbusProtocol.datagram_received`)."""
        if self.transport is None or self._broken or self not in self.server.open_connections:
            return
        self._rx += self.trace_packet(False, data)
        part = framing.split(self._rx)
        del self._rx[:part.used]
        if part.discarded:
            self.server.malformed += part.discarded
            self.server.peer_log.warning(self.host, "gateway %s discarded %d frame(s) with "
                                         "a protocol id other than 0", self.server.policy.gateway,
                                         part.discarded)
        self._pending.extend(part.adus)
        if part.broken is not None:
            # Answer what came before, then close: nothing after can be framed.
            self.server.malformed += 1
            self.server.peer_log.warning(self.host, "gateway %s closes the connection: %s",
                                         self.server.policy.gateway, part.broken)
            self._broken = True
            self._rx.clear()
            self._pending.append(None)
        elif len(self._pending) >= PENDING_HIGH and not self._paused:
            self._paused = True
            self.transport.pause_reading()  # type: ignore[attr-defined]
        if self._pending and self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._serve())

    async def _serve(self) -> None:
        """Answer the pending requests one after the other: answers keep the requests' order.
        `None` in the queue: close the connection there."""
        try:
            while self._pending and self.transport is not None:
                adu = self._pending.popleft()
                if adu is None:
                    self.transport.close()
                    return
                if self._paused and len(self._pending) <= PENDING_LOW:
                    self._paused = False
                    self.transport.resume_reading()  # type: ignore[attr-defined]
                lock = self.server.serial_lock
                try:
                    if lock is None:
                        await self._answer(adu)
                    else:
                        async with lock:
                            await self._answer(adu)
                except Exception:  # a bug costs one answer, never the connection's others
                    log.exception("gateway %s: request %s", self.server.policy.gateway,
                                  adu.pdu[:16].hex())
        finally:
            self._worker = None

    async def _answer(self, adu: framing.Adu) -> None:
        server = self.server
        fc = adu.pdu[0]
        decoded = framing.decode_request(adu.pdu, server.decode_tables)
        request: ModbusPDU | None = None
        refused = ExcCodes.ILLEGAL_FUNCTION
        if isinstance(decoded, int):
            refused = ExcCodes(decoded)
            server.malformed += 1
            server.peer_log.warning(self.host, "gateway %s answered exception %02X to "
                                    "function %d (%d bytes)", server.policy.gateway, decoded,
                                    fc, len(adu.pdu))
        else:
            decoded.dev_id, decoded.transaction_id = adu.unit, adu.tid
            request = self.trace_pdu(False, decoded)
        count = getattr(request, "count", 0)
        v = server.policy.answer(adu.unit, fc, count)
        if v.silent:
            server.unanswered += 1
            return
        if v.drop:
            server.dropped += 1
            if self.transport is not None:
                self.transport.close()
            return
        if v.delay_s:
            await asyncio.sleep(v.delay_s)
        response: ModbusPDU
        if request is None:
            response = ExceptionResponse(fc & 0x7F, refused)
        elif v.exception is not None:
            response = ExceptionResponse(fc, ExcCodes(v.exception))
        else:
            response = await self._dispatch(request)
        response.transaction_id = adu.tid
        response.dev_id = adu.unit
        if self.transport is not None:
            self.server_send(response, None)

    async def _dispatch(self, request: ModbusPDU) -> ModbusPDU:
        bits = request.count if request.function_code in _BIT_READS else 1
        token = ASKER.set(Asker(self.actor, bits))
        try:
            return await request.datastore_update(
                self.server.context, request.dev_id)  # type: ignore[arg-type]
        except Exception:  # a bug costs one answer, never the server
            log.exception("gateway %s: %s", self.server.policy.gateway, request)
            return ExceptionResponse(request.function_code, ExcCodes.DEVICE_FAILURE)
        finally:
            ASKER.reset(token)


class FaultyTcpServer(ModbusTcpServer):
    """A Modbus TCP server with robust framing that applies a `FaultPolicy` (see the module
    docstring)."""

    def __init__(self, *args: object, policy: FaultPolicy,
                 max_connections: int = MAX_CONNECTIONS, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.policy = policy
        quirk = policy.quirks.max_connections if policy.quirks else None
        self.connection_limit = min(max_connections, quirk or max_connections)
        self.open_connections: set[Connection] = set()
        self.serial_lock = (asyncio.Lock() if policy.quirks is not None
                            and policy.quirks.one_request_at_a_time else None)
        self.decode_tables = (self.decoder.pdu_table, self.decoder.pdu_sub_table)
        self.peer_log = PeerLog(log)
        self.refused_connections = 0
        self.unanswered = 0
        self.dropped = 0
        self.malformed = 0  # frames discarded or answered with a spec exception

    def callback_new_connection(self) -> Connection:
        return Connection(self, self.trace_packet, self.trace_pdu, self.trace_connect)
