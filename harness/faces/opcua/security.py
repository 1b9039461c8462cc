"""OPC UA security of the twin: what a run offers, and what each role may do.

Secure by default (`scenarios.opcua`): `check` turns the scenario's settings and the run's
`insecure` choice into the endpoints offered — the scenario's list without "None", and it must
list SignAndEncrypt — or refuses to start with one line naming the setting (also for an
anonymous role that may write). Certificates: `pki`; passwords and throttling: `logins`;
channels: `channels`.

Roles map onto asyncua's two session roles: `admin` is asyncua's Admin (node management too),
`viewer` and `operator` are asyncua Users. What tells them apart is enforced in two places:
`TwinRuleset` refuses a viewer's method calls other than ConditionRefresh for the whole request
(asyncua's MethodService never learns who called, so the check has to happen where the session is
known), and the twin's write service (`harness.faces.opcua.writes`) answers each write item of
a viewer BadUserAccessDenied.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from asyncua import ua
from asyncua.crypto.permission_rules import SimpleRoleRuleset, User, UserRole
from asyncua.ua.ua_binary import struct_from_binary

from harness.faces.base import FaceConfigError
from harness.faces.opcua.space import nid
from scenarios.opcua import (
    OpcUa,
    SecurityMode,
    anonymous_problem,
    offered_security,
)

log = logging.getLogger(__name__)
_CALL = nid(ua.ObjectIds.CallRequest_Encoding_DefaultBinary)
#: Methods a viewer may call: refreshing the condition list is part of subscribing.
VIEWER_METHODS = frozenset({nid(ua.ObjectIds.ConditionType_ConditionRefresh),
                            nid(ua.ObjectIds.ConditionType_ConditionRefresh2)})
_POLICIES = {"None": ua.SecurityPolicyType.NoSecurity,
             "Basic256Sha256_Sign": ua.SecurityPolicyType.Basic256Sha256_Sign,
             "Basic256Sha256_SignAndEncrypt": ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt}


def check(settings: OpcUa, insecure: bool) -> tuple[SecurityMode, ...]:
    """The security modes to offer; `FaceConfigError` (one line) for what needs `insecure`."""
    try:
        offered = offered_security(settings, insecure)
    except ValueError as exc:
        raise FaceConfigError(str(exc)) from None
    problem = anonymous_problem(settings, insecure)
    if problem is not None:
        raise FaceConfigError(problem)
    if insecure:
        log.warning("OPC UA served with --insecure: %s", ", ".join(
            [*(["the None endpoint"] if "None" in offered else []),
             f"anonymous sessions as {settings.anonymous_role}"]))
    return offered


def warn_off_loopback(host: str) -> None:
    """Log a warning when `host` is not a loopback address (the twin is reachable from afar)."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        log.warning("OPC UA server bound to %s, not loopback: reachable from other machines",
                    host)


class Roles:
    """Who is who: asyncua `User` -> the twin's role name."""

    def __init__(self, settings: OpcUa) -> None:
        self.settings = settings
        self._by_name = {u.name: u for u in settings.users}

    def role(self, user: User | None) -> str:
        if user is None:
            return "none"
        if user.role is UserRole.Admin:
            return "admin"  # includes the server's own internal session (and anonymous admin)
        if user.name is None:
            return self.settings.anonymous_role
        spec = self._by_name.get(user.name)
        return spec.role if spec is not None else "none"

    def may_control(self, user: User | None) -> bool:
        return self.role(user) in ("operator", "admin")


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


def policy_types(modes: tuple[SecurityMode, ...]) -> list[ua.SecurityPolicyType]:
    return [_POLICIES[m] for m in modes]


def identity_tokens(settings: OpcUa) -> list[type]:
    tokens: list[type] = [ua.UserNameIdentityToken]
    if settings.anonymous_role != "none":
        tokens.append(ua.AnonymousIdentityToken)
    return tokens
