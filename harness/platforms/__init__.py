"""The platform's side we provide: reference platforms that act as a monitoring platform would.

Each is a real client of one face's protocol (pymodbus, asyncua) and reaches the twin only over
sockets, through the endpoints the faces published (`harness.contract`) — never by importing a
face. The modelled platform of virtual runs is a SimPy model in `sim.platform_model`.

`PLATFORMS` names the reference platform for each face: a run that asks for a reference platform
over face `X` builds `PLATFORMS[X](scenario, endpoints, work_dir)` and awaits its `run()`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

from harness.contract import Endpoint
from harness.platforms.modbus import ReferencePlatform
from harness.platforms.opcua import OpcUaReferencePlatform
from harness.platforms.stats import PlatformStats
from scenarios import Scenario


class Platform(Protocol):
    stats: PlatformStats

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Act until `stop` is set; set `ready` once connected (or failed to)."""


class PlatformFactory(Protocol):
    def __call__(self, scenario: Scenario, endpoints: list[Endpoint],
                 work_dir: Path | None = None) -> Platform: ...


PLATFORMS: dict[str, PlatformFactory] = {
    "modbus": ReferencePlatform,
    "opcua": OpcUaReferencePlatform,
}

__all__ = ["PLATFORMS", "OpcUaReferencePlatform", "Platform", "PlatformStats",
           "ReferencePlatform"]
