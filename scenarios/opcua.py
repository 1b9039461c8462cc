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
    name: str = Field(min_length=1)
    password: str = Field(min_length=1)
    role: Role


class OpcUa(Frozen):
    host: str = "127.0.0.1"
    port: int = Field(default=4840, ge=0, le=65535, description="0: any free port")
    security: tuple[SecurityMode, ...] = Field(
        default=("None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt"), min_length=1)
    #: Names are unique (checked by `scenarios.loader`, which can name the duplicate's path).
    users: tuple[OpcUaUser, ...] = ()
    anonymous_role: Literal["none", "viewer", "operator"] = "operator"
    #: Wall seconds between refreshes of values computed from time (meter kWh, battery %).
    refresh_s: float = Field(default=1.0, gt=0, le=60)
    #: The reference platform's subscription publishing interval, wall milliseconds.
    publishing_interval_ms: float = Field(default=50.0, ge=10.0, le=60000.0)
