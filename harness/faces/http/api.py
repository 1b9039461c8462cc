"""The routes of the control API: inject, list, acknowledge, resolve — each a world call with
the caller named as the step's actor (face "http", its address, the ack's comment)."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from harness.contract import Endpoint
from harness.contract.records import lifecycle_dict
from sim import Actor, World

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BODY = 64 * 1024  # an inject or ack body is a few hundred bytes


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _actor(request: web.Request, comment: str = "") -> Actor:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    where = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else ""
    return Actor("http", where, "", comment)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        data = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise web.HTTPBadRequest(text=json.dumps({"error": f"body is not JSON: {exc}"}),
                                 content_type="application/json") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text=json.dumps({"error": "body must be a JSON object"}),
                                 content_type="application/json")
    return data


def build_app(world: World, token: str, endpoints: Callable[[], list[Endpoint]]) -> web.Application:
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def authorize(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != "/health":
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return _error(401, "missing or wrong bearer token (see endpoints.json)")
        return await handler(request)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True, "simulated_s": round(world.sync(), 3),
                                  "incidents": world.tracker.count,
                                  "devices_read": len(world.read_by_platform)})

    async def list_endpoints(_: web.Request) -> web.Response:
        return web.json_response([e.as_dict() for e in endpoints()])

    async def list_incidents(_: web.Request) -> web.Response:
        world.sync()
        return web.json_response([lifecycle_dict(lc) for lc in world.lifecycles()])

    async def inject(request: web.Request) -> web.Response:
        body = await _body(request)
        kind, target = body.get("kind"), body.get("target")
        if not isinstance(kind, str) or not isinstance(target, str):
            return _error(400, 'give {"kind": "<incident kind>", "target": "<device id>"}')
        if target not in world.devices:
            return _error(404, f"no device {target!r}")
        try:
            incident_id = world.inject_now(kind, target, by=_actor(request))
        except ValueError as exc:
            return _error(422, str(exc))
        lc = world.tracker.lifecycle(incident_id)
        return web.json_response(lifecycle_dict(lc) if lc else {"id": incident_id}, status=201)

    async def one(request: web.Request) -> web.Response:
        world.sync()
        lc = world.tracker.lifecycle(request.match_info["id"])
        if lc is None:
            return _error(404, f"no incident {request.match_info['id']!r}")
        return web.json_response(lifecycle_dict(lc))

    async def act(request: web.Request) -> web.Response:
        action = request.match_info["action"]
        body = await _body(request)
        comment = body.get("comment", "")
        if not isinstance(comment, str) or len(comment) > 1000:
            return _error(400, "comment must be a string of at most 1000 characters")
        world.sync()
        lc = world.tracker.lifecycle(request.match_info["id"])
        if lc is None:
            return _error(404, f"no incident {request.match_info['id']!r}")
        device = world.devices[lc.device]
        if action == "ack":
            point = f"{lc.alarm}_ack"
        else:
            spec = device.INCIDENTS[lc.kind]
            if spec.resolve_point is None:
                return _error(409, f"{lc.kind} clears by itself: nothing to resolve")
            point = spec.resolve_point
        world.write(lc.device, point, True, by=_actor(request, comment))
        after = world.tracker.lifecycle(lc.id)
        return web.json_response(lifecycle_dict(after) if after else {})

    app = web.Application(middlewares=[authorize], client_max_size=MAX_BODY)
    app.router.add_get("/health", health)
    app.router.add_get("/endpoints", list_endpoints)
    app.router.add_get("/incidents", list_incidents)
    app.router.add_post("/incidents", inject)
    app.router.add_get("/incidents/{id}", one)
    app.router.add_post(r"/incidents/{id}/{action:(ack|resolve)}", act)
    return app
