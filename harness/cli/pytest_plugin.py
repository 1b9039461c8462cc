"""The pytest plugin (entry point `pytest11`): a live twin as a fixture, for CI that guards alert
latency.

    def test_fire_alarms_stay_fast(commtwin):
        stats = commtwin.drill(["fire_alarm"], n=5)
        assert stats["fire_alarm"]["acknowledged"] == 5

`commtwin` starts `commtwin serve` in a subprocess on free loopback ports (scenario from
`--commtwin-scenario`, default the bundled demo, at `--commtwin-speed`, default 1) and stops it
after the test. It exposes the endpoints (and `endpoints_file`, to hand to a platform process),
`inject(kind, target)`, `wait_for(incident, step)` and `drill(kinds, n)`, which injects `n`
incidents of each kind, waits for your platform to acknowledge (and resolve) each, and returns
per-kind statistics of the wall-clock acknowledgement latency. With `--commtwin-baseline FILE`,
`drill` fails the test when a kind's ack p95 grew beyond `--commtwin-tolerance` (default 20%) or
more incidents went unacknowledged, naming the kind, the baseline and the measured p95;
`--commtwin-update-baseline` writes FILE from this run instead.

Imports of the twin itself happen inside the fixture, so the plugin costs other test runs nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT_S = 60.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("commtwin", "commtwin: a live twin of a smart community")
    group.addoption("--commtwin-scenario", default="demo",
                    help="bundled scenario name or .toml path served by the `commtwin` fixture")
    group.addoption("--commtwin-speed", default="1", help="simulated seconds per wall second")
    group.addoption("--commtwin-baseline", default=None,
                    help="latency baseline (JSON) that `drill` holds each kind to")
    group.addoption("--commtwin-update-baseline", action="store_true",
                    help="write the baseline from this run instead of checking it")
    group.addoption("--commtwin-tolerance", default="20%",
                    help="how much slower a kind's ack p95 may be than the baseline's")


class Twin:
    """A `commtwin serve` subprocess and the calls a test makes on it."""

    def __init__(self, scenario: str, out: Path, speed: str, config: pytest.Config) -> None:
        self.scenario_ref = scenario
        self.out = out
        self.config = config
        self.endpoints_file = out / "endpoints.json"
        out.mkdir(parents=True, exist_ok=True)
        self._log = (out / "serve.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "serve", scenario, "--any-port", "--control",
             "--speed", speed, "--out", str(out)],
            stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "200"})
        self.endpoints = self._wait_for_endpoints()
        from harness.contract import HttpEndpoint

        self._control = next(e for e in self.endpoints if isinstance(e, HttpEndpoint))

    def _wait_for_endpoints(self) -> list[Any]:
        from harness.contract import HttpEndpoint, read_endpoints

        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"commtwin serve exited with {self.process.returncode}:\n"
                            f"{self.log()}", pytrace=False)
            if self.endpoints_file.exists():
                try:
                    found = read_endpoints(self.endpoints_file)
                except ValueError:
                    found = []  # being written
                if any(isinstance(e, HttpEndpoint) for e in found):
                    return found
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"commtwin serve did not listen within {START_TIMEOUT_S:.0f} s:\n"
                    f"{self.log()}", pytrace=False)

    def log(self) -> str:
        path = self.out / "serve.log"
        return path.read_text("utf-8", errors="replace")[-4000:] if path.exists() else ""

    # -- the calls a test makes -------------------------------------------------------------------
    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        from harness.cli.control import call
        from harness.cli.errors import BadInput

        try:
            return call(self._control, method, path, body)
        except BadInput as exc:
            pytest.fail(f"commtwin: {exc.message}", pytrace=False)

    def inject(self, kind: str, target: str) -> str:
        """Make an incident happen now; its id."""
        return str(self._call("POST", "/incidents", {"kind": kind, "target": target})["id"])

    def lifecycle(self, incident: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/incidents/{incident}"))

    def wait_for(self, incident: str, step: str = "acknowledged",
                 timeout_s: float = 30.0) -> dict[str, Any]:
        """The incident's record once `step` came; the test fails after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while True:
            record = self.lifecycle(incident)
            if step in record["steps"]:
                return record
            if time.monotonic() > deadline:
                pytest.fail(f"commtwin: {incident} not {step} within {timeout_s:g} s "
                            f"(steps so far: {', '.join(record['steps'])})", pytrace=False)
            time.sleep(0.05)

    def wait_for_platform(self, timeout_s: float = 60.0) -> None:
        """Until a platform has read at least one device (so a drill measures its answers, not
        its start-up); the test fails after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while self._call("GET", "/health")["devices_read"] == 0:
            if time.monotonic() > deadline:
                pytest.fail(f"commtwin: no platform read any device within {timeout_s:g} s",
                            pytrace=False)
            time.sleep(0.05)

    def drill(self, kinds: Sequence[str], n: int = 5,
              timeout_s: float = 30.0) -> dict[str, dict[str, Any]]:
        """`n` incidents of each kind, one at a time over the devices that carry it, once a
        platform is reading; per kind: injected, acknowledged, ack p50/p95/max (wall s).
        Checks or writes the baseline."""
        import devices
        from harness.contract.records import lifecycle_from_dict
        from harness.evidence.lifecycles import summarize
        from scenarios import INCIDENT_DEVICE_KIND, load

        scenario = load(self.scenario_ref)
        self.wait_for_platform()
        records = []
        for kind in kinds:
            carriers = sorted(d.id for d in scenario.devices
                              if d.kind == INCIDENT_DEVICE_KIND.get(kind))
            if not carriers:
                pytest.fail(f"commtwin: no device of {self.scenario_ref} carries {kind}",
                            pytrace=False)
            resolves = devices.KINDS[INCIDENT_DEVICE_KIND[kind]].INCIDENTS[kind].resolve_point
            for i in range(n):
                incident = self.inject(kind, carriers[i % len(carriers)])
                self.wait_for(incident, "acknowledged", timeout_s)
                # the next one on this device starts from a quiet device
                records.append(self.wait_for(incident, "resolved", timeout_s) if resolves
                               else self.lifecycle(incident))
        rows = summarize([lifecycle_from_dict(r) for r in records], "wall")
        stats = {r.kind: {"injected": r.injected, "acknowledged": r.acknowledged,
                          "ack_p50_s": r.ack_p50_s, "ack_p95_s": r.ack_p95_s,
                          "ack_max_s": r.ack_max_s} for r in rows}
        self._baseline([r.as_dict() for r in rows])
        return stats

    def _baseline(self, summary: list[dict[str, Any]]) -> None:
        from harness.cli.gating import parse_tolerance
        from harness.evidence.gates import (
            BaselineError,
            baseline_from_results,
            load_baseline,
            regression_gates,
        )

        file = self.config.getoption("--commtwin-baseline")
        if file is None:
            return
        path = Path(file)
        if self.config.getoption("--commtwin-update-baseline"):
            data = baseline_from_results({"scenario": self.scenario_ref, "summary": summary,
                                          "latency_clock": "wall"})
            path.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
            return
        try:
            gates = regression_gates(summary, "wall", load_baseline(path),
                                     parse_tolerance(self.config.getoption("--commtwin-tolerance")))
        except BaselineError as exc:
            pytest.fail(f"commtwin: {exc}", pytrace=False)
        worse = [g.message for g in gates if not g.ok and any(
            g.name == f"regression {row['kind']}" for row in summary)]
        if worse:
            pytest.fail("commtwin: latency regression: " + "; ".join(worse), pytrace=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture
def commtwin(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Twin]:
    """A live twin on free loopback ports for this test (see the module docstring)."""
    config = request.config
    twin = Twin(config.getoption("--commtwin-scenario"), tmp_path / "commtwin",
                config.getoption("--commtwin-speed"), config)
    try:
        yield twin
    finally:
        twin.stop()
