"""OPC UA security of the twin: the server certificate, username users and their roles.

The certificate is a self-signed RSA-2048 application certificate made with asyncua's own
`cert_gen` helpers (on `cryptography`) the first time a server starts with a given folder, and
reused afterwards, so a platform that pinned it keeps trusting it.

Roles map onto asyncua's two session roles: `admin` is asyncua's Admin (node management too),
`viewer` and `operator` are asyncua Users. What tells them apart is enforced in two places:
`TwinRuleset` refuses a viewer's method calls other than ConditionRefresh for the whole request
(asyncua's MethodService never learns who called, so the check has to happen where the session is
known), and the twin's write service (`harness.faces.opcua.server`) answers each write item of
a viewer BadUserAccessDenied.
"""

from __future__ import annotations

import datetime
import hmac
import ipaddress
import socket
from pathlib import Path
from typing import Any

from asyncua import ua
from asyncua.crypto import cert_gen
from asyncua.crypto.permission_rules import SimpleRoleRuleset, User, UserRole
from asyncua.ua.ua_binary import struct_from_binary
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from harness.faces.opcua.space import nid
from scenarios.opcua import OpcUa

APPLICATION_URI = "urn:commtwin:server"
CERT_DAYS = 3650
_CALL = nid(ua.ObjectIds.CallRequest_Encoding_DefaultBinary)
#: Methods a viewer may call: refreshing the condition list is part of subscribing.
VIEWER_METHODS = frozenset({nid(ua.ObjectIds.ConditionType_ConditionRefresh),
                            nid(ua.ObjectIds.ConditionType_ConditionRefresh2)})


def ensure_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate DER, private key PEM) under `folder`, created on first use and then reused."""
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "server_cert.der", folder / "server_key.pem"
    if cert_path.is_file() and key_path.is_file():
        return cert_path, key_path
    key = cert_gen.generate_private_key()
    names: list[x509.GeneralName] = [
        x509.UniformResourceIdentifier(APPLICATION_URI), x509.DNSName("localhost"),
        x509.DNSName(socket.gethostname()), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = cert_gen.generate_self_signed_app_certificate(
        key, "commtwin", {"organizationName": "commtwin"}, names,
        extended=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
        days=CERT_DAYS)
    # Key first, certificate last: a folder with a certificate always has its key.
    tmp_key, tmp_cert = key_path.with_suffix(".tmp"), cert_path.with_suffix(".tmp")
    tmp_key.write_bytes(cert_gen.dump_private_key_as_pem(key))
    tmp_key.chmod(0o600)
    tmp_key.replace(key_path)
    tmp_cert.write_bytes(cert.public_bytes(Encoding.DER))
    tmp_cert.replace(cert_path)
    return cert_path, key_path


def certificate_expiry(cert_path: Path) -> datetime.datetime:
    return x509.load_der_x509_certificate(cert_path.read_bytes()).not_valid_after_utc


class Roles:
    """Who is who: asyncua `User` -> the twin's role name."""

    def __init__(self, settings: OpcUa) -> None:
        self.settings = settings
        self._by_name = {u.name: u for u in settings.users}

    def role(self, user: User | None) -> str:
        if user is None:
            return "none"
        if user.role is UserRole.Admin:
            return "admin"  # includes the server's own internal session
        if user.name is None:
            return self.settings.anonymous_role
        spec = self._by_name.get(user.name)
        return spec.role if spec is not None else "none"

    def may_control(self, user: User | None) -> bool:
        return self.role(user) in ("operator", "admin")


class TwinUserManager:
    """asyncua user manager: username/password from the scenario, anonymous by setting."""

    def __init__(self, settings: OpcUa) -> None:
        self.settings = settings
        self._by_name = {u.name: u for u in settings.users}

    def get_user(self, iserver: Any, username: str | None = None, password: str | None = None,
                 certificate: Any = None) -> User | None:
        if not username:
            if self.settings.anonymous_role == "none":
                return None
            return User(role=UserRole.User, name=None)
        spec = self._by_name.get(username)
        if spec is None or password is None:
            return None
        # compare_digest: no timing hint about how much of a password was right.
        if not hmac.compare_digest(spec.password.encode(), str(password).encode()):
            return None
        return User(role=UserRole.Admin if spec.role == "admin" else UserRole.User, name=username)


class TwinRuleset(SimpleRoleRuleset):
    """asyncua's role rules plus: a viewer may not call methods (Acknowledge, Confirm...)."""

    def __init__(self, roles: Roles) -> None:
        super().__init__()
        self.roles = roles

    def check_validity(self, user: User, action_type_id: ua.NodeId, body: Any) -> bool:
        if not super().check_validity(user, action_type_id, body):
            return False
        if action_type_id != _CALL or self.roles.may_control(user):
            return True
        if self.roles.role(user) == "none":
            return False
        try:
            # Peek at a copy: the processor decodes the same body after this check.
            params = struct_from_binary(ua.CallParameters, body.copy())
        except Exception:
            return False
        return all(m.MethodId in VIEWER_METHODS for m in params.MethodsToCall)


def policy_types(settings: OpcUa) -> list[ua.SecurityPolicyType]:
    table = {"None": ua.SecurityPolicyType.NoSecurity,
             "Basic256Sha256_Sign": ua.SecurityPolicyType.Basic256Sha256_Sign,
             "Basic256Sha256_SignAndEncrypt": ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt}
    return [table[m] for m in settings.security]


def identity_tokens(settings: OpcUa) -> list[type]:
    tokens: list[type] = [ua.UserNameIdentityToken]
    if settings.anonymous_role != "none":
        tokens.append(ua.AnonymousIdentityToken)
    return tokens
