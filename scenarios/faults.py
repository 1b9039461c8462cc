"""The fault schema: how devices and gateways misbehave, scripted or at random, and field quirks.

A fault targets a device id or a gateway id (`target`). Device-level kinds (`stuck`, `drift`,
`bad_sensor`) distort readings in the model; protocol kinds (`offline`, `slow`, `exception`,
`drop_connection`) change what the Modbus gateway answers for that device or for the whole
gateway. Quirks are permanent properties of a gateway that real field hardware has: a limit on
concurrent TCP connections, one request served at a time, a maximum registers per read.
Cross-references (targets, gateways) are checked by `scenarios.loader`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scenarios.base import MAX_RATE_PER_H, MAX_RUN_S, Frozen

FaultKind = Literal["offline", "slow", "exception", "drop_connection", "stuck", "drift",
                    "bad_sensor"]
#: Kinds that only make sense on a device (they distort a device's readings).
DEVICE_ONLY_KINDS = frozenset({"stuck", "drift", "bad_sensor"})


class FaultParams(Frozen):
    """Parameters every fault takes; each kind reads the ones it names."""

    duration: float = Field(default=300.0, gt=0, le=MAX_RUN_S,
                            description="simulated seconds, <= 366 days")
    delay_ms: float = Field(default=1000.0, ge=0, le=600_000.0,
                            description="slow: wall ms added per answer, <= 10 minutes")
    code: Literal[1, 2, 3, 4, 5, 6, 10, 11] = Field(
        default=4, description="exception: the Modbus exception code answered")
    drift_per_h: float = Field(default=0.05, ge=-10.0, le=10.0,
                               description="drift: relative change per hour, -10..10")


class ScriptedFault(FaultParams):
    """One fault at a set time on a set device or gateway."""

    at: float = Field(ge=0, le=MAX_RUN_S, description="simulated seconds from the start")
    kind: FaultKind = Field(description="offline, slow, exception, drop_connection (device or "
                                        "gateway); stuck, drift, bad_sensor (device only)")
    target: str = Field(min_length=1, description="a device id or a gateway id")


class RandomFault(FaultParams):
    """Poisson arrivals over every device (of `device_kind`, if given)."""

    kind: FaultKind = Field(description="as for a scripted fault; the target is a device")
    rate_per_hour: float = Field(ge=0, le=MAX_RATE_PER_H,
                                 description="per simulated hour, 0..3600 (one a second)")
    device_kind: str | None = Field(default=None,
                                    description="only devices of this kind; omitted: every device")


class GatewayQuirks(Frozen):
    """Permanent habits of one gateway that real field hardware has."""

    gateway: str = Field(min_length=1, description="id of the gateway; one entry per gateway")
    max_connections: int | None = Field(default=None, ge=1, le=100_000,
                                        description="further connections are closed at once")
    one_request_at_a_time: bool = Field(default=False,
                                        description="serve one request at a time per gateway")
    max_registers_per_read: int | None = Field(
        default=None, ge=1, le=125, description="longest read answered; omitted: the Modbus "
                                                "limit of 125")
    over_limit_exception: Literal[2, 3] = Field(
        default=3, description="answer to a read over the limit: 03 illegal value (most "
                               "devices) or 02 illegal address")


class Faults(Frozen):
    """How devices and gateways misbehave: scripted, at random, and permanent quirks."""

    scripted: tuple[ScriptedFault, ...] = Field(default=(), description="faults at set times")
    random: tuple[RandomFault, ...] = Field(default=(), description="faults at random times")
    quirks: tuple[GatewayQuirks, ...] = Field(default=(), description="field quirks per gateway")
