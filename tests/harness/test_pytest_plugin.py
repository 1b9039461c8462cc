"""The pytest plugin, as a CI job uses it: the twin in one process, the reference platform in
another, a drill that passes against its own baseline and fails when the platform gets slower."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w

from tests.conftest import tiny_dict

pytest_plugins = ["pytester"]

INNER = '''
import os, subprocess, sys

def test_fire_alarms_are_answered(commtwin, tmp_path):
    platform = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "platform", os.environ["SCENARIO"],
         "--endpoints", str(commtwin.endpoints_file), "--poll", "0.05",
         "--ack-delay", os.environ["ACK_DELAY"], "--work-dir", str(tmp_path / "platform")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        stats = commtwin.drill(["fire_alarm"], n=6)
    finally:
        platform.terminate()
        platform.wait(30)
    assert stats["fire_alarm"]["acknowledged"] == 6
'''


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    doc = tiny_dict(duration_s=3600.0, drain_s=0.0, speed=1.0)
    doc["platform"] = {"poll_interval_s": 0.05, "ack_delay_s": 0.3, "reset_delay_s": 0.05}
    path = tmp_path / "drill.toml"
    path.write_bytes(tomli_w.dumps(doc).encode())
    return path


def test_a_slower_platform_fails_the_drill_naming_kind_baseline_and_measured(
        pytester: pytest.Pytester, scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_drill=INNER)
    baseline = pytester.path / "baseline.json"
    args = ["-p", "no:cacheprovider", "--commtwin-scenario", str(scenario),
            "--commtwin-baseline", str(baseline), "-o", "addopts="]
    monkeypatch.setenv("SCENARIO", str(scenario))

    monkeypatch.setenv("ACK_DELAY", "0.4")
    recorded = pytester.runpytest_subprocess(*args, "--commtwin-update-baseline", timeout=180)
    recorded.assert_outcomes(passed=1)
    assert baseline.exists()

    # A platform change that doubles its processing time: ack p95 goes from about 0.45 s to
    # about 0.85 s, past the baseline's 20% tolerance (0.54 s) by a margin no scheduling hiccup
    # of a loaded machine closes.
    monkeypatch.setenv("ACK_DELAY", "0.8")
    slower = pytester.runpytest_subprocess(*args, timeout=180)
    slower.assert_outcomes(failed=1)
    text = slower.stdout.str()
    assert "latency regression" in text and "fire_alarm: ack p95 baseline" in text
    assert "measured" in text
