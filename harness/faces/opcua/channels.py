"""What a secure channel may do: the twin's gate in front of asyncua's session services.

asyncua 2.1 leaves gaps the twin closes here, because only the connection's `UaProcessor` knows
the channel a request came over (its security policy, mode and client certificate) and the
peer address:
- a channel whose policy the server does not offer (a client may always open a None channel,
  which asyncua keeps for GetEndpoints) is refused everything but discovery, so it can neither
  create a session nor take one over, and never reaches the services without the role rules;
- a client certificate is checked (`pki.CertificateCheck`) on every CreateSession and
  ActivateSession of a signed channel — asyncua checks it only when CreateSession carries one,
  and a session taken over from another channel not at all; CreateSession's certificate must
  be the channel's;
- a password (UserName token) is refused with BadIdentityTokenRejected over a channel that does
  not encrypt when the scenario lists SignAndEncrypt (`passwords_need_encryption`);
- wrong passwords are throttled per peer host (`logins.LoginThrottle`);
- a refused ActivateSession or CreateSession leaves the connection without the session.

`TwinServer` is asyncua's `Server` whose connections get a `TwinProcessor`; the processor puts
the request's `Channel` in a context variable for the session code downstream (`current()`).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from asyncua import ua
from asyncua.common.utils import ServiceError
from asyncua.crypto import security_policies
from asyncua.server.binary_server_asyncio import BinaryServer, OPCUAProtocol
from asyncua.server.uaprocessor import UaProcessor

from harness.faces.opcua.limits import BoundedBinaryServer, BoundedProtocol, BoundedServer
from harness.faces.opcua.logins import LoginThrottle
from harness.faces.opcua.pki import CertificateCheck
from harness.faces.opcua.space import nid

log = logging.getLogger(__name__)
_NONE = ua.MessageSecurityMode.None_
_ENCRYPT = ua.MessageSecurityMode.SignAndEncrypt
_DISCOVERY = frozenset(nid(i) for i in (ua.ObjectIds.GetEndpointsRequest_Encoding_DefaultBinary,
                                         ua.ObjectIds.FindServersRequest_Encoding_DefaultBinary))
_CREATE = nid(ua.ObjectIds.CreateSessionRequest_Encoding_DefaultBinary)
_ACTIVATE = nid(ua.ObjectIds.ActivateSessionRequest_Encoding_DefaultBinary)
_CHANNEL: contextvars.ContextVar[Channel | None] = contextvars.ContextVar(
    "commtwin_opcua_channel", default=None)


@dataclass(frozen=True)
class Channel:
    """The secure channel of the request being served."""

    peer: Any  # the socket's peer name, (host, port, ...)
    policy_uri: str
    mode: ua.MessageSecurityMode
    certificate: bytes | None

    @property
    def host(self) -> str:
        return str(self.peer[0]) if isinstance(self.peer, tuple) and self.peer else ""


def current() -> Channel | None:
    return _CHANNEL.get()


class Gate:
    """The twin's rules for channels, certificates and logins (see the module docstring)."""

    def __init__(self, offered: Iterable[ua.SecurityPolicyType], passwords_encrypted: bool,
                 certificates: CertificateCheck, throttle: LoginThrottle) -> None:
        table = security_policies.SECURITY_POLICY_TYPE_MAP
        self._offered = {(str(table[t][0].URI), table[t][1])  # type: ignore[attr-defined]
                         for t in offered}
        self.passwords_encrypted = passwords_encrypted
        self.certificates = certificates
        self.throttle = throttle

    def offers(self, channel: Channel) -> bool:
        return (channel.policy_uri, channel.mode) in self._offered

    def admit(self, channel: Channel | None, description: ua.ApplicationDescription | None,
              certificate: bytes | None = None) -> None:
        """Check a signed channel's client certificate (raises `ServiceError`)."""
        if channel is None or channel.mode == _NONE:
            return
        if channel.certificate is None or (certificate and certificate != channel.certificate):
            raise ServiceError(ua.StatusCodes.BadCertificateInvalid)
        self.certificates(channel.certificate, description, channel.host)

    def activate(self, channel: Channel | None, description: ua.ApplicationDescription | None,
                 params: ua.ActivateSessionParameters,
                 activate: Callable[[], ua.ActivateSessionResult]) -> ua.ActivateSessionResult:
        """Run `activate` (asyncua's ActivateSession) if the channel and peer may log in."""
        if channel is None:
            return activate()
        if self.throttle.locked(channel.host):
            self.throttle.refused(channel.host)
            raise ServiceError(ua.StatusCodes.BadUserAccessDenied)
        self.admit(channel, description)
        password = isinstance(params.UserIdentityToken, ua.UserNameIdentityToken)
        if password and self.passwords_encrypted and channel.mode != _ENCRYPT:
            raise ServiceError(ua.StatusCodes.BadIdentityTokenRejected)
        try:
            return activate()
        except ServiceError as exc:
            if password and exc.code == ua.StatusCodes.BadUserAccessDenied:
                token = params.UserIdentityToken
                self.throttle.failed(channel.host, str(getattr(token, "UserName", "") or "")[:64])
            raise


class TwinProcessor(UaProcessor):
    """asyncua's processor, telling the session code which channel a request came over."""

    gate: Gate

    async def _process_message(self, typeid: ua.NodeId, requesthdr: Any, seqhdr: Any,
                               body: Any) -> Any:
        policy = self._connection.security_policy
        channel = Channel(self.name, policy.URI, policy.Mode, policy.peer_certificate)
        if typeid not in _DISCOVERY and not self.gate.offers(channel):
            raise ServiceError(ua.StatusCodes.BadSecurityPolicyRejected)
        token = _CHANNEL.set(channel)
        before = self.session
        try:
            return await super()._process_message(typeid, requesthdr, seqhdr, body)
        except Exception:
            if typeid in (_CREATE, _ACTIVATE) and self.session is not before:
                self.session = before  # a refused login must not leave its session here
            raise
        finally:
            _CHANNEL.reset(token)


class _Protocol(BoundedProtocol):
    gate: Gate

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        if self.processor is not None:  # None: refused at max_connections
            processor = TwinProcessor(self.iserver, self.transport, self.limits)
            processor.set_policies(self.policies)
            processor.gate = self.gate
            self.processor = processor


class _BinaryServer(BoundedBinaryServer):
    gate: Gate
    protocol = _Protocol

    def _make_protocol(self) -> OPCUAProtocol:
        protocol = cast(_Protocol, super()._make_protocol())  # `protocol` above
        protocol.gate = self.gate
        return protocol


class TwinServer(BoundedServer):
    """The bounded server whose connections also pass the twin's `gate` (set it before
    `start`)."""

    gate: Gate

    def _binary_server(self, host: Any, port: Any) -> BinaryServer:
        bserver = _BinaryServer(self.iserver, host, port, self.limits, peer_log=self.peer_log)
        bserver.gate = self.gate
        return bserver
