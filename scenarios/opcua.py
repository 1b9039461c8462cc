"""The scenario's OPC UA settings: where the server listens, which security it offers, who may
log in and with which role.

Roles (enforced by `harness.opcua_security`): `viewer` browses, reads and subscribes; `operator`
also acknowledges alarms and writes command points; `admin` may do everything, including node
management. Anonymous sessions get `anonymous_role`, or are refused when it is "none".
Passwords are plain text on purpose: the twin is a rehearsal tool, its users are test accounts.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scenarios.base import Frozen

SecurityMode = Literal["None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt"]
Role = Literal["viewer", "operator", "admin"]


class OpcUaUser(Frozen):
    """A test account of the OPC UA server."""

    name: str = Field(min_length=1, description="user name, unique")
    password: str = Field(min_length=1, description="plain text: these are test accounts")
    role: Role = Field(description="viewer browses, reads, subscribes; operator also "
                                   "acknowledges and writes commands; admin everything")


class OpcUa(Frozen):
    """The OPC UA face: where it listens, its security and its users."""

    host: str = Field(default="127.0.0.1", description="address to bind; loopback unless asked")
    port: int = Field(default=4840, ge=0, le=65535, description="0: any free port")
    security: tuple[SecurityMode, ...] = Field(
        default=("None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt"), min_length=1,
        description="security policies offered; only the ones listed are accepted")
    #: Names are unique (checked by `scenarios.loader`, which can name the duplicate's path).
    users: tuple[OpcUaUser, ...] = Field(default=(), description="accounts that may log in")
    anonymous_role: Literal["none", "viewer", "operator"] = Field(
        default="operator", description="role of an anonymous session; none: refused")
    refresh_s: float = Field(default=1.0, gt=0, le=60,
                             description="wall seconds between refreshes of values computed "
                                         "from time (meter kWh, battery %)")
    publishing_interval_ms: float = Field(
        default=50.0, ge=10.0, le=60000.0,
        description="the reference platform's subscription publishing interval, wall ms")
