"""The control and acknowledgement face: a small HTTP API (aiohttp) over the world.

For tests and CI that need to make an incident happen now, and for platforms that answer alarms
by webhook instead of writing a Modbus coil or calling OPC UA Acknowledge:

    GET  /health                   liveness, and how many devices a platform has read (no token)
    GET  /endpoints                every endpoint of this run
    GET  /incidents                every lifecycle so far (as results.json records them)
    POST /incidents                {"kind": ..., "target": ...} -> 201 with the new incident
    GET  /incidents/{id}           one lifecycle
    POST /incidents/{id}/ack       {"comment": ...} acknowledge (channel "http")
    POST /incidents/{id}/resolve   write the kind's resolve point (reset, onsite)

Everything but `/health` needs `Authorization: Bearer <token>`; the token is random per run unless
given, shown in the endpoints table and in `endpoints.json`. Binds 127.0.0.1 by default. Errors
answer with an HTTP status and `{"error": ...}`, never a traceback.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from harness.contract import Endpoint, HttpEndpoint
from harness.faces.base import FaceOptions, FaceStartError
from harness.faces.http.api import build_app
from sim import World

DEFAULT_PORT = 8765


class HttpFace:
    def __init__(self, world: World, options: FaceOptions) -> None:
        self.world = world
        self.host = options.host or "127.0.0.1"
        self.port = 0 if options.any_port else DEFAULT_PORT
        self.token = options.control_token or secrets.token_urlsafe(24)
        self.endpoints: list[Endpoint] = []
        self._runner: web.AppRunner | None = None

    async def start(self) -> list[Endpoint]:
        app = build_app(self.world, self.token, lambda: self.endpoints)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            raise FaceStartError(f"control API: cannot listen on {self.host}:{self.port} "
                                 f"({exc.strerror or exc})") from None
        port = runner.addresses[0][1]
        endpoint = HttpEndpoint("http", "control", f"http://{self.host}:{port}", self.token)
        self.endpoints.append(endpoint)
        return [endpoint]

    def announce(self, endpoints: list[Endpoint]) -> None:
        """Every endpoint of the run, for `GET /endpoints` (called once all faces listen)."""
        self.endpoints[:] = endpoints

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


__all__ = ["DEFAULT_PORT", "HttpFace"]
