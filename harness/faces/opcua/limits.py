"""Bounds on what one OPC UA client can make the twin's server hold.

asyncua 2.1 limits messages only once they have arrived: its connection protocol
(`server/binary_server_asyncio.py`, `OPCUAProtocol.data_received`) appends every segment to one
bytes buffer until the chunk its header announces is complete, and compares the chunk size with
`TransportLimits.max_recv_buffer` only after that (`SecureConnection._receive`). A client whose
chunk header claims 2 GB therefore makes the server buffer whatever it sends, copying the whole
buffer on every segment, which slows every other client (measured: +131 MB, and other
clients' reads at 66 ms).

`BoundedServer` is asyncua's `Server` with
- transport limits: chunks of at most `CHUNK_BYTES`, messages of at most `MAX_MESSAGE_BYTES`
  in at most `MAX_CHUNKS` chunks (asyncua's defaults: 100 MiB, 1,601 chunks);
- connections that close as soon as a chunk header announces more than the chunk limit, before
  any of that chunk is buffered (`BoundedProtocol`);
- at most `MAX_CONNECTIONS` connections, `MAX_PENDING` parsed messages queued per connection,
  and `MAX_SESSIONS` open sessions (CreateSession beyond it answers BadTooManySessions);
- subscriptions that hold a bounded number of notifications for a client that does not collect
  them (`queues`).

Its warnings about what a client did (an oversized chunk, a session too many) go through the
server's `peer_log`, one line per client host per interval (`harness.faces.peerlog`).
"""

from __future__ import annotations

import logging
import math
import socket
import weakref
from typing import Any

from asyncua import Server, ua
from asyncua.common.connection import TransportLimits
from asyncua.crypto import uacrypto
from asyncua.server.binary_server_asyncio import BinaryServer, OPCUAProtocol
from asyncua.server.internal_server import InternalServer
from asyncua.server.internal_session import InternalSession, SessionState

from harness.faces.opcua.queues import bound_subscriptions
from harness.faces.peerlog import PeerLog, host_of

log = logging.getLogger(__name__)

CHUNK_BYTES = 65535                 # the usual OPC UA TCP buffer size
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
MAX_CHUNKS = math.ceil(MAX_MESSAGE_BYTES / CHUNK_BYTES)  # 257: a full-size message fits
MAX_CONNECTIONS = 64
MAX_SESSIONS = 64
MAX_PENDING = 100                   # asyncua's default is 500


class BoundedProtocol(OPCUAProtocol):
    """A connection that refuses an oversized chunk from its header (see the module docstring)."""

    peer_log = PeerLog(log)  # the server's replaces it (`BoundedBinaryServer`)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # complete messages are queued; a partial one stays
        head = self._buffer[:8]      # message type (3), chunk type (1), packet size (4, LE)
        if self.transport is None or len(head) < 8:
            return
        size = int.from_bytes(head[4:8], "little")
        if size > self.limits.max_recv_buffer:
            self.peer_log.warning(host_of(self.peer_name), "OPC UA connection announced a "
                                  "%d-byte chunk (limit %d): closed", size,
                                  self.limits.max_recv_buffer)
            self._buffer = b""
            self.transport.close()


class BoundedBinaryServer(BinaryServer):
    """Listens with `protocol` connections that log through `peer_log`."""

    protocol: type[BoundedProtocol] = BoundedProtocol

    def __init__(self, *args: Any, peer_log: PeerLog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.peer_log = peer_log

    def _make_protocol(self) -> OPCUAProtocol:
        protocol = self.protocol(iserver=self.iserver, policies=self._policies,
                                 clients=self.clients, closing_tasks=self.closing_tasks,
                                 limits=self.limits)
        protocol.peer_log = self.peer_log
        return protocol


def cap_sessions(iserver: InternalServer, limit: int, peer_log: PeerLog | None = None) -> None:
    """CreateSession beyond `limit` open sessions answers BadTooManySessions.

    Wraps the server's current `create_session` (the twin's session factory, `sessions.install`)
    and counts the sessions it made that are not closed yet: a session with subscriptions
    outlives its connection until it times out, so connections alone do not bound sessions."""
    create = iserver.create_session
    made: weakref.WeakSet[InternalSession] = weakref.WeakSet()
    plog = peer_log or PeerLog(log)

    def create_session(name: str, user: Any = None, external: bool = False) -> InternalSession:
        if external and sum(s.state != SessionState.Closed for s in made) >= limit:
            plog.warning(host_of(name), "OPC UA session refused: %d sessions open", limit)
            raise ua.uaerrors.BadTooManySessions
        kwargs = {} if user is None else {"user": user}
        session = create(name, external=external, **kwargs)
        if external:
            made.add(session)
        return session

    iserver.create_session = create_session  # type: ignore[method-assign]


class BoundedServer(Server):
    """asyncua's `Server` with the bounds of the module docstring."""

    def __init__(self, *args: Any, max_sessions: int = MAX_SESSIONS,
                 max_connections: int = MAX_CONNECTIONS, peer_log: PeerLog | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_sessions = max_sessions
        #: Where warnings about what a client did go, rate-limited per client host.
        self.peer_log = peer_log or PeerLog(log)
        self.limits = TransportLimits(max_recv_buffer=CHUNK_BYTES, max_send_buffer=CHUNK_BYTES,
                                      max_chunk_count=MAX_CHUNKS,
                                      max_message_size=MAX_MESSAGE_BYTES)
        self.iserver.max_connections = max_connections
        self.iserver.max_pending_messages_per_connection = MAX_PENDING
        bound_subscriptions(self.iserver)

    async def start(self) -> None:
        """asyncua 2.1's `Server.start`, with `BoundedBinaryServer` listening; the session cap
        wraps whatever session factory is installed by now."""
        cap_sessions(self.iserver, self.max_sessions, self.peer_log)
        if self.iserver.certificate is not None:
            uacrypto.check_certificate(self.iserver.certificate, self._application_uri,
                                       socket.gethostname())
        await self._setup_server_nodes()
        await self.iserver.start()
        try:
            host, port = self._get_bind_socket_info()
            self.bserver = self._binary_server(host, port)
            self.bserver.set_policies(self._policies)
            await self.bserver.start()
        except Exception:
            log.exception("%s error starting server", self)
            await self.iserver.stop()
            raise

    def _binary_server(self, host: Any, port: Any) -> BinaryServer:
        """The listening server; a subclass that needs its own protocol overrides this."""
        return BoundedBinaryServer(self.iserver, host, port, self.limits,
                                   peer_log=self.peer_log)
