"""Who is asking: the client session behind a Read, a Write or a method call, as an `Actor`.

asyncua hands neither the session nor the peer address to the services the twin hooks into: a
linked method (Acknowledge) gets only the condition and its arguments, the attribute service's
write gets the session's `User` (role and name, no address). What does know both is the
`InternalSession` the connection's `UaProcessor` creates for each CreateSession: its `name` is
the connection's peer address (asyncua 2.1 passes `transport.get_extra_info("peername")`) and
its `user` is whoever activated it. So the twin's server makes its sessions `TwinSession`s,
which put themselves in a context variable for the duration of each Read, Write and Call: the
hooks downstream run in the same task and read it back with `current_actor()`.

A session re-activated from a second connection (asyncua allows taking over a session) keeps
the peer address it was created from: the processor that now serves it is not reachable from
the session.

Creating and activating a session pass the twin's `channels.Gate` (certificates, passwords only
over encryption, throttling) with the channel the request came over.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

from asyncua import ua
from asyncua.common.callback import CallbackType, ServerItemCallback
from asyncua.server.internal_server import InternalServer
from asyncua.server.internal_session import InternalSession

from harness.faces.opcua import channels
from harness.faces.opcua.refresh import Slicer
from harness.faces.opcua.values import status
from sim import Actor

FACE = "opcua"
_CURRENT: contextvars.ContextVar[InternalSession | None] = contextvars.ContextVar(
    "commtwin_opcua_session", default=None)
ReadHook = Callable[[InternalSession, ua.ReadParameters,
                     Callable[[ua.ReadParameters], Awaitable[list[ua.DataValue]]]],
                    Awaitable[list[ua.DataValue]]]


def format_peer(peername: Any) -> str:
    """`host:port` of a socket's peer name (`[host]:port` for IPv6; "" when there is none)."""
    if isinstance(peername, tuple) and len(peername) >= 2:
        host, port = peername[0], peername[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return ""


def peer_of(session: InternalSession | None) -> str:
    """`host:port` of the client connection that created the session ("" when unknown)."""
    return format_peer(getattr(session, "name", None))


def user_of(session: InternalSession | None) -> str:
    user = getattr(session, "user", None)
    name = getattr(user, "name", None)
    return name if isinstance(name, str) else ""


def actor_of(session: InternalSession | None, comment: str = "") -> Actor:
    return Actor(FACE, peer=peer_of(session), user=user_of(session), comment=comment)


def current_session() -> InternalSession | None:
    return _CURRENT.get()


def current_actor(comment: str = "") -> Actor:
    """The actor of the Read/Write/Call being served (empty peer and user outside one)."""
    return actor_of(_CURRENT.get(), comment)


class TwinSession(InternalSession):
    """An external session that names itself while it serves a request (see the module
    docstring); Reads go through the server's read hook (faults, observation)."""

    read_hook: ReadHook | None = None
    gate: channels.Gate | None = None
    #: The client's description from CreateSession: a takeover's certificate is checked with it.
    client: ua.ApplicationDescription | None = None

    async def create_session(self, params: ua.CreateSessionParameters,
                             sockname: tuple[str, int] | None = None) -> ua.CreateSessionResult:
        try:
            if self.gate is not None:
                self.gate.admit(channels.current(), params.ClientDescription,
                                params.ClientCertificate)
            result = await super().create_session(params, sockname)
        except Exception:
            self.iserver.unregister_external_session(self)  # never to be taken over
            raise
        self.client = params.ClientDescription
        return result

    def activate_session(self, params: ua.ActivateSessionParameters,
                         peer_certificate: bytes | None) -> ua.ActivateSessionResult:
        if self.gate is None:
            return super().activate_session(params, peer_certificate)
        return self.gate.activate(channels.current(), self.client, params,
                                  lambda: super(TwinSession, self).activate_session(
                                      params, peer_certificate))

    async def read(self, params: ua.ReadParameters) -> list[ua.DataValue]:
        token = _CURRENT.set(self)
        try:
            if self.read_hook is None:
                return await super().read(params)
            return await self.read_hook(self, params, super().read)
        finally:
            _CURRENT.reset(token)

    async def write(self, params: ua.WriteParameters) -> list[ua.StatusCode]:
        token = _CURRENT.set(self)
        try:
            return await super().write(params)
        finally:
            _CURRENT.reset(token)

    async def create_monitored_items(self, params: ua.CreateMonitoredItemsParameters
                                     ) -> list[ua.MonitoredItemCreateResult]:
        """Create the items one by one in slices that yield the loop (`Slicer`).

        asyncua creates a request's items in one go, each with its first sample; 500 items
        held the loop 68-307 ms, and every latency the twin measured meanwhile grew by as
        much. Items keep their order; if the subscription goes away between slices, the rest
        answer BadSubscriptionIdInvalid."""
        service = self.subscription_service
        if params.SubscriptionId not in service.subscriptions or len(params.ItemsToCreate) <= 1:
            return await super().create_monitored_items(params)
        results: list[ua.MonitoredItemCreateResult] = []
        slicer = Slicer()
        for item in params.ItemsToCreate:
            if params.SubscriptionId not in service.subscriptions:
                results.append(ua.MonitoredItemCreateResult(
                    StatusCode=status(ua.StatusCodes.BadSubscriptionIdInvalid)))
                continue
            results += await service.create_monitored_items(ua.CreateMonitoredItemsParameters(
                SubscriptionId=params.SubscriptionId,
                TimestampsToReturn=params.TimestampsToReturn, ItemsToCreate=[item]))
            await slicer.tick()
        slicer.end()
        await self.iserver.callback_service.dispatch(
            CallbackType.ItemSubscriptionCreated,  # type: ignore[arg-type]  # asyncua's own call
            ServerItemCallback(params, results, None, self.external))
        return results

    async def delete_subscriptions(self, ids: list[int]) -> list[ua.StatusCode]:
        """Empty each subscription of its monitored items in slices (`Slicer`), then delete it.

        asyncua deletes a subscription's items in one go, each with a scan of the event items:
        1,000 items held the loop ~20 ms. CloseSession deletes its subscriptions through here."""
        slicer = Slicer()
        for sid in ids:
            sub = self.subscription_service.subscriptions.get(sid)
            if sub is None:
                continue
            items = sub.monitored_item_srv
            for mid in list(items._monitored_items):
                items.delete_monitored_items([mid])
                await slicer.tick()
        slicer.end()
        return await super().delete_subscriptions(ids)

    async def call(self, params: list[ua.CallMethodRequest]) -> list[ua.CallMethodResult]:
        token = _CURRENT.set(self)
        try:
            return await super().call(params)
        finally:
            _CURRENT.reset(token)


def install(iserver: InternalServer, read_hook: ReadHook, gate: channels.Gate) -> None:
    """Make every session the server creates from now on a `TwinSession` behind `gate`."""

    def create_session(name: str, user: Any = None, external: bool = False) -> InternalSession:
        kwargs = {} if user is None else {"user": user}
        session = TwinSession(iserver, iserver.aspace, iserver.subscription_service, name,
                              external=external, **kwargs)
        session.read_hook = read_hook
        session.gate = gate
        return session

    # An instance attribute: UaProcessor calls `iserver.create_session(peername, external=True)`.
    iserver.create_session = create_session  # type: ignore[method-assign]
