"""`commtwin inject` and `commtwin platform`: drive a running twin from another process.

`inject KIND --target DEVICE` asks the twin's control API to make an incident happen now;
`platform SCENARIO` runs the reference platform on its own against a running twin — a stand-in
for a real platform in CI, or a first thing to try before connecting your own. Both find the twin
through the `endpoints.json` it wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import click

from harness.cli.common import load_scenario
from harness.cli.console import console
from harness.cli.errors import BadInput
from harness.contract import HttpEndpoint, read_endpoints
from harness.platforms import PLATFORMS

ENDPOINTS = click.option("--endpoints", type=click.Path(dir_okay=False, path_type=Path),
                         default=Path("out/endpoints.json"), show_default=True,
                         help="the endpoints.json the running twin wrote")


def _control(path: Path) -> HttpEndpoint:
    try:
        found = [e for e in read_endpoints(path) if isinstance(e, HttpEndpoint)]
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if not found:
        raise BadInput(f"{path}: the twin serves no control API (start it with `serve --control`)")
    return found[0]


def call(endpoint: HttpEndpoint, method: str, path: str,
         body: dict[str, Any] | None = None, timeout_s: float = 10.0) -> Any:
    """One control API call; its JSON answer, or `BadInput` with the API's own error."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{endpoint.url}{path}", data=data, method=method, headers={
        "Authorization": f"Bearer {endpoint.token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        try:
            reason = json.loads(exc.read()).get("error", exc.reason)
        except ValueError:
            reason = exc.reason
        raise BadInput(f"{method} {path}: {exc.code} {reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise BadInput(f"cannot reach the twin at {endpoint.url} ({exc})") from None


@click.command()
@click.argument("kind")
@click.option("--target", required=True, help="the device that carries the incident")
@ENDPOINTS
def inject(kind: str, target: str, endpoints: Path) -> None:
    """Make incident KIND happen now on a running twin's device."""
    made = call(_control(endpoints), "POST", "/incidents", {"kind": kind, "target": target})
    console.print(f"{made['id']}: {kind} on {target} injected at simulated "
                  f"{made['steps']['injected']['t_s']:.1f} s ({made['steps']['injected']['utc']})")


@click.command()
@click.argument("scenario", default="demo")
@ENDPOINTS
@click.option("--protocol", type=click.Choice(sorted(PLATFORMS)), default="modbus",
              show_default=True, help="which face to connect to")
@click.option("--poll", type=float, help="poll interval, wall s (default: the scenario's)")
@click.option("--ack-delay", type=float, help="processing delay before acknowledging, wall s")
@click.option("--duration", type=float, help="stop after this many wall seconds")
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out/platform"), show_default=True,
              help="where the platform keeps its OPC UA client certificate")
def platform(scenario: str, endpoints: Path, protocol: str, poll: float | None,
             ack_delay: float | None, duration: float | None, work_dir: Path) -> None:
    """Run the reference platform against a running twin until Ctrl-C (or --duration)."""
    sc = load_scenario(scenario)
    updates = {k: v for k, v in (("poll_interval_s", poll), ("ack_delay_s", ack_delay))
               if v is not None}
    if any(v < 0 for v in updates.values()) or updates.get("poll_interval_s", 1.0) <= 0:
        raise BadInput("--poll must be > 0 and --ack-delay >= 0")
    sc = sc.model_copy(update={"platform": sc.platform.model_copy(update=updates)})
    try:
        found = read_endpoints(endpoints)
        ref = PLATFORMS[protocol](sc, found, work_dir)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    stats = asyncio.run(_run(ref, duration))
    console.print(f"reference platform stopped: {stats}")


async def _run(ref: Any, duration: float | None) -> dict[str, object]:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if duration is not None:
        loop.call_later(duration, stop.set)
    ready = asyncio.Event()
    task = asyncio.create_task(ref.run(stop, ready))
    await ready.wait()
    console.print("reference platform connected; Ctrl-C stops it")
    await task
    return dict(ref.stats.as_dict())
