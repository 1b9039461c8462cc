"""Exit codes and gates, as a CI pipeline sees them: 0, 1 for a failed gate (with a message that
names the kind, the limit and the figure), 2 for bad input, 130/143 for Ctrl-C/SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner

from harness.cli import main
from harness.evidence.gates import outcome_gates, regression_gates
from tests.conftest import tiny_dict


def write(tmp_path: Path, doc: dict[str, Any], name: str = "s.toml") -> str:
    path = tmp_path / name
    path.write_bytes(tomli_w.dumps(doc).encode())
    return str(path)


def drill(**platform: Any) -> dict[str, Any]:
    """Three fire alarms in a virtual run; the modelled platform answers as `platform` says."""
    doc = tiny_dict(duration_s=600.0, drain_s=300.0, speed=1.0)
    doc["incidents"] = {"scripted": [{"at": t, "kind": "fire_alarm", "target": "fire"}
                                     for t in (10, 200, 400)]}
    doc["platform"] = {"poll_interval_s": 1.0, "ack_delay_s": 2.0, "reset_delay_s": 5.0,
                       **platform}
    return doc


def rehearse(tmp_path: Path, doc: dict[str, Any], *args: str) -> Any:
    return CliRunner().invoke(main, ["rehearse", write(tmp_path, doc), "--virtual", "--out",
                                     str(tmp_path / "out"), *args])


def test_no_gate_asked_is_exit_0_even_when_indicators_fail(tmp_path: Path) -> None:
    run = rehearse(tmp_path, drill())
    assert run.exit_code == 0, run.output


def test_latency_gate_names_kind_limit_and_figure_and_becomes_a_junit_case(
        tmp_path: Path) -> None:
    doc = drill()
    # modelled platform at speed 1: ack after U(0, 1 s poll) + 2 s delay, so p95 is 2..3 s
    doc["acceptance"] = {"latency": {"fire_alarm": {"ack_p95_s": 1.5}}}
    run = rehearse(tmp_path, doc, "--fail-on", "latency")
    assert run.exit_code == 1, run.output
    assert "fire_alarm: ack p95 limit 1.500 s (sim clock), measured 2." in run.output
    junit = (tmp_path / "out" / "junit.xml").read_text("utf-8")
    assert 'name="latency fire_alarm ack p95"' in junit and "Latency" in junit
    doc["acceptance"] = {"latency": {"fire_alarm": {"ack_p95_s": 3.5, "onsite_max_s": 10}}}
    assert rehearse(tmp_path, doc, "--fail-on", "latency").exit_code == 0


def test_missed_and_not_met_gates(tmp_path: Path) -> None:
    silent = drill(acknowledge=False)
    run = rehearse(tmp_path, silent, "--fail-on", "missed")
    assert run.exit_code == 1 and "3 incidents with missed steps" in run.output
    # the tiny community meets no coverage indicator: not-met fails, naming them
    run = rehearse(tmp_path, drill(), "--fail-on", "not-met")
    assert run.exit_code == 1 and "not met:" in run.output


def test_regression_against_a_saved_baseline(tmp_path: Path) -> None:
    assert rehearse(tmp_path, drill()).exit_code == 0
    baseline = tmp_path / "baseline.json"
    saved = CliRunner().invoke(main, ["baseline", "save", str(tmp_path / "out"), str(baseline)])
    assert saved.exit_code == 0, saved.output
    same = rehearse(tmp_path, drill(), "--baseline", str(baseline), "--fail-on", "regression")
    assert same.exit_code == 0, same.output
    slower = rehearse(tmp_path, drill(ack_delay_s=4.0), "--baseline", str(baseline),
                      "--fail-on", "regression", "--tolerance", "20%")
    assert slower.exit_code == 1
    assert "fire_alarm: ack p95 baseline 2." in slower.output and "measured 4." in slower.output


def test_blind_and_interrupted_gates_from_the_record() -> None:
    results = {"incidents": [{"id": "fire_alarm-00001", "missed": [], "blind_ack": True}],
               "interrupted": True}
    gates = {g.family: g for g in outcome_gates(results, {"indicators": []})}
    assert not gates["blind-ack"].ok and "fire_alarm-00001" in gates["blind-ack"].message
    assert not gates["interrupted"].ok and gates["not-met"].ok and gates["missed"].ok
    summary = [{"kind": "fire_alarm", "ack_p95_s": None, "missed_acknowledged": 3}]
    (gone,) = regression_gates(summary, "wall", {"clock": "wall", "kinds": {"fire_alarm": {
        "ack_p95_s": 1.0, "not_acknowledged": 0, "injected": 3}}}, 0.2)
    assert not gone.ok and "never acknowledged: baseline 0, measured 3" in gone.message


def test_unknown_gate_and_bad_tolerance_are_usage_errors(tmp_path: Path) -> None:
    assert rehearse(tmp_path, drill(), "--fail-on", "slowness").exit_code == 2
    assert rehearse(tmp_path, drill(), "--tolerance", "lots").exit_code == 2


def test_a_busy_port_names_the_gateway_and_the_way_out(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        doc = tiny_dict()
        doc["gateways"][0]["port"] = taken.getsockname()[1]
        run = CliRunner().invoke(main, ["serve", write(tmp_path, doc), "--duration", "5",
                                        "--out", str(tmp_path / "out")])
    assert run.exit_code == 2
    port = doc["gateways"][0]["port"]
    assert f"Modbus gateway gw: cannot listen on 127.0.0.1:{port}" in run.output
    assert "--any-port" in run.output and "Traceback" not in run.output


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_writes_the_results_and_exits_with_its_status(
        tmp_path: Path, sig: signal.Signals, code: int) -> None:
    out = tmp_path / "out"
    doc = tiny_dict(duration_s=3600.0)
    doc["incidents"] = {"scripted": [{"at": 0.5, "kind": "fire_alarm", "target": "fire"}]}
    twin = subprocess.Popen([sys.executable, "-m", "harness.cli", "serve", write(tmp_path, doc),
                             "--any-port", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "COLUMNS": "200"})
    deadline = time.monotonic() + 60
    while not (out / "endpoints.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # the scripted fire alarm happens
    twin.send_signal(sig)
    output, _ = twin.communicate(timeout=60)
    assert twin.returncode == code, output.decode(errors="replace")
    results = json.loads((out / "results.json").read_text("utf-8"))
    assert results["interrupted"] and [i["kind"] for i in results["incidents"]] == ["fire_alarm"]


def test_commtwin_inject_reaches_a_running_twin(tmp_path: Path) -> None:
    out = tmp_path / "out"
    twin = subprocess.Popen([sys.executable, "-m", "harness.cli", "serve",
                             write(tmp_path, tiny_dict(duration_s=3600.0)), "--any-port",
                             "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (out / "endpoints.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        endpoints = ["--endpoints", str(out / "endpoints.json")]
        made = CliRunner().invoke(main, ["inject", "emergency_call", "--target", "call",
                                         *endpoints])
        assert made.exit_code == 0, made.output
        assert made.output.startswith("emergency_call-00001: emergency_call on call injected")
        wrong = CliRunner().invoke(main, ["inject", "fire_alarm", "--target", "call",
                                          *endpoints])
        assert wrong.exit_code == 2 and "422" in wrong.output and "cannot carry" in wrong.output
    finally:
        twin.send_signal(signal.SIGINT)
        twin.wait(60)
    (incident,) = json.loads((out / "results.json").read_text("utf-8"))["incidents"]
    assert incident["steps"]["injected"]["by"]["face"] == "http"
