"""What every protocol face is: built from the world and the run's options, started, stopped.

A face serves the world's points over one protocol. It holds no copy of device state: reads go
to the world (brought up to the present first) and writes become SimPy events. What it records
about the platform — which points a reply carried, who acknowledged, from which address — goes
to the world's lifecycle tracker, so evidence and reports never need to know which face saw it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from harness.contract import Endpoint
from sim import World


class FaceStartError(OSError):
    """A face could not start listening; the message names the face, the address and why."""


@dataclass(frozen=True)
class FaceOptions:
    """How a run wants its faces bound.

    `host`: the address to bind instead of the scenario's (which defaults to 127.0.0.1);
    `any_port`: free ports instead of the scenario's; `work_dir`: where a face may keep files
    between runs (certificates, caches); `control_token`: the bearer token the control API
    demands (None: a fresh random one per run); `insecure`: the user asked, by name, for the
    insecure modes a face refuses by default (anonymous writes, unencrypted endpoints);
    `auto_trust`: trust any client certificate (benches), instead of only those trusted.
    """

    host: str | None = None
    any_port: bool = False
    work_dir: Path = Path("out")
    control_token: str | None = None
    insecure: bool = False
    auto_trust: bool = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a face builds its long-lived structures.

    Building a large community's address space or register map allocates millions of objects
    that all live as long as the face; each allocation threshold crossed starts a collection
    that walks the growing heap, which more than doubled the OPC UA build at 10^5 nodes (5.5 s
    against 2.2 s). Nothing built here is garbage, so nothing is lost by waiting; the collector
    is restored (if it was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class FaceConfigError(ValueError):
    """A face refuses to start with the run's settings; the message is one line naming the
    setting to change."""


class Face(Protocol):
    async def start(self) -> list[Endpoint]:
        """Listen; return every endpoint a client can connect to."""

    def announce(self, endpoints: list[Endpoint]) -> None:
        """Told every endpoint of the run once all faces listen (a face that publishes the
        run's endpoints keeps them; the others ignore this)."""

    async def stop(self) -> None:
        """Stop listening and release everything `start` took; safe after a failed start."""


class FaceFactory(Protocol):
    def __call__(self, world: World, options: FaceOptions) -> Face: ...
