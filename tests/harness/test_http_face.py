"""The control and acknowledgement face over loopback, with aiohttp's client (not our code):
inject now, acknowledge and resolve by webhook, every step in the caller's name."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import aiohttp

from harness import report
from harness.cli.session import run_live
from harness.contract import Endpoint, HttpEndpoint
from harness.evidence.run import RunResult
from scenarios import Scenario, from_dict
from tests.conftest import tiny_dict

PEER = re.compile(r"127\.0\.0\.1:\d+")


def quiet(speed: float = 1.0) -> Scenario:
    """The tiny community with nothing scheduled: every incident comes from the API."""
    return from_dict(tiny_dict(duration_s=3600.0, drain_s=0.0, speed=speed))


async def with_twin(scenario: Scenario, drive: Any) -> tuple[RunResult, Any]:
    """Serve `scenario` with the control face, run `drive(session, endpoint)`, stop."""
    stop = asyncio.Event()
    ready: asyncio.Future[list[Endpoint]] = asyncio.get_running_loop().create_future()
    twin = asyncio.create_task(run_live(scenario, platform=False, any_port=True, stop=stop,
                                        on_ready=ready.set_result, control=True))
    endpoints = await ready
    http = next(e for e in endpoints if isinstance(e, HttpEndpoint))
    headers = {"Authorization": f"Bearer {http.token}"}
    try:
        async with aiohttp.ClientSession(http.url, headers=headers) as session:
            outcome = await drive(session, http)
    finally:
        stop.set()
    return await twin, outcome


def test_an_incident_injected_acknowledged_and_resolved_over_http_is_recorded() -> None:
    async def drive(s: aiohttp.ClientSession, _: HttpEndpoint) -> dict[str, Any]:
        async with s.post("/incidents", json={"kind": "emergency_call",
                                              "target": "call"}) as r:
            assert r.status == 201
            made = await r.json()
        async with s.post(f"/incidents/{made['id']}/ack", json={"comment": "on my way"}) as r:
            assert r.status == 200
        async with s.post(f"/incidents/{made['id']}/resolve") as r:
            assert r.status == 200
        async with s.get("/incidents") as r:
            (listed,) = await r.json()
        async with s.get("/endpoints") as r:
            faces = {e["protocol"] for e in await r.json()}
        return {"made": made, "listed": listed, "faces": faces}

    result, seen = asyncio.run(with_twin(quiet(), drive))
    assert seen["faces"] == {"modbus-tcp", "http"}
    assert seen["listed"]["id"] == seen["made"]["id"]
    (lc,) = result.lifecycles
    assert (lc.kind, lc.device) == ("emergency_call", "call")
    ack, resolved = lc.step("acknowledged"), lc.step("resolved")
    assert ack is not None and resolved is not None
    assert ack.by is not None and ack.by.face == "http" and ack.by.comment == "on my way"
    assert PEER.fullmatch(ack.by.peer)
    assert resolved.by is not None and resolved.by.face == "http"
    assert lc.step("injected").by.face == "http"  # type: ignore[union-attr]
    # nobody read the call before acknowledging it: a webhook ack is blind unless observed
    assert lc.missed == ("observed",) and lc.blind_ack


def test_bad_calls_answer_in_http_and_nothing_anonymous_writes() -> None:
    async def drive(s: aiohttp.ClientSession, http: HttpEndpoint) -> list[int]:
        codes = []
        async with aiohttp.ClientSession(http.url) as anonymous:
            async with anonymous.post("/incidents", json={"kind": "fire_alarm",
                                                          "target": "fire"}) as r:
                codes.append(r.status)
            async with anonymous.get("/health") as r:
                codes.append(r.status)
        for body in ({"kind": "fire_alarm", "target": "nobody"},
                     {"kind": "emergency_call", "target": "fire"}, {"kind": 3}):
            async with s.post("/incidents", json=body) as r:
                codes.append(r.status)
        async with s.post("/incidents", data=b"{not json") as r:
            codes.append(r.status)
        async with s.post("/incidents/fire_alarm-99999/ack") as r:
            codes.append(r.status)
        return codes

    result, codes = asyncio.run(with_twin(quiet(), drive))
    assert codes == [401, 200, 404, 422, 400, 400, 404]
    assert result.lifecycles == []  # the refused injection left no trace


def test_a_live_run_at_speed_120_makes_on_site_time_indicative() -> None:
    async def drive(s: aiohttp.ClientSession, _: HttpEndpoint) -> None:
        async with s.post("/incidents", json={"kind": "emergency_call", "target": "call"}) as r:
            made = await r.json()
        for action in ("ack", "resolve"):
            async with s.post(f"/incidents/{made['id']}/{action}") as r:
                assert r.status == 200

    result, _ = asyncio.run(with_twin(quiet(speed=120.0), drive))
    doc, _ = report.build(quiet(120.0), "tiny", result.lifecycles,
                          {"mode": "live", "speed": 120.0, "reference_platform": False},
                          result.health)
    ten = next(i for i in doc["indicators"] if i["number"] == 10)
    on_site = next(c for c in ten["criteria"] if c["measure"].startswith("live.resolved_max_s"))
    assert on_site["basis"] == "indicative" and "speed 120" in on_site["basis_note"]
    assert ten["status"] != "met"
