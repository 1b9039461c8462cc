"""Evidence that holds up: blind acks, modelled and indicative verdicts, and the run's identity.

Lifecycles are written by hand here (what a platform did, step by step), so each expectation
follows from the rules, not from running the judging code first.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import report
from harness.cli import main
from harness.cli.session import run_virtual
from harness.evidence.collect import RunBasis, from_lifecycles
from harness.evidence.judge import evaluate
from scenarios import load
from scenarios.acceptance import load_catalogue, load_profile
from sim import Actor, Lifecycle, Step

CATALOGUE = load_catalogue()
GROWTH = load_profile("growth", CATALOGUE)
PLATFORM = Actor("modbus", "127.0.0.1:50000")
UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def call(n: int, steps: list[tuple[str, float]]) -> Lifecycle:
    """An emergency call whose steps came at these simulated seconds (wall = sim, 1x)."""
    made = tuple(Step(name, t, int(t * 1e9), "", None if name == "injected" else PLATFORM)
                 for name, t in steps)
    got = {name for name, _ in steps}
    missed = tuple(s for s in ("injected", "observed", "acknowledged", "resolved")
                   if s not in got)
    return Lifecycle(f"emergency_call-{n:05d}", "emergency_call", "button", "call", made, missed)


ANSWERED = [call(1, [("injected", 0), ("observed", 1), ("acknowledged", 3), ("resolved", 300)]),
            call(2, [("injected", 0), ("observed", 2), ("acknowledged", 4), ("resolved", 400)])]


def indicator_10(lifecycles: list[Lifecycle], basis: RunBasis) -> tuple[str, tuple[str, ...]]:
    v = evaluate(CATALOGUE, GROWTH, from_lifecycles(lifecycles, CATALOGUE, basis))[9]
    assert v.indicator.number == 10
    return v.status, v.notes


def test_an_ack_before_the_alarm_was_received_is_blind_and_fails_its_kind() -> None:
    blind = call(3, [("injected", 0), ("acknowledged", 1), ("observed", 2), ("resolved", 300)])
    never_seen = call(4, [("injected", 0), ("acknowledged", 1), ("resolved", 300)])
    assert (blind.blind_ack, never_seen.blind_ack, ANSWERED[0].blind_ack) == (True, True, False)
    m = from_lifecycles([*ANSWERED, blind, never_seen], CATALOGUE,
                        RunBasis("live"))["live.acknowledged.emergency_call"]
    # 2 of 4 answered after the platform received the alarm; the blind two are evidence
    assert m.value == 0.5 and m.verdict is False
    assert sum("blind" in e for e in m.evidence) == 2


def test_on_site_time_is_measured_only_at_speed_1_from_your_platform() -> None:
    # both calls answered on site within 400 s <= 900 s: the figure holds in every case, so
    # only where it came from decides the verdict
    assert indicator_10(ANSWERED, RunBasis("live", 1.0))[0] == "met"
    status, notes = indicator_10(ANSWERED, RunBasis("live", 120.0))
    assert status == "indicative" and any("speed 120" in n for n in notes)
    assert indicator_10(ANSWERED, RunBasis("live", 1.0, reference_platform=True))[0] == \
        "modelled"
    assert indicator_10(ANSWERED, RunBasis("virtual", 120.0))[0] == "modelled"


def test_a_measured_failure_is_not_met_whatever_the_model_says() -> None:
    late = call(5, [("injected", 0), ("observed", 1), ("acknowledged", 2), ("resolved", 1200)])
    assert indicator_10([*ANSWERED, late], RunBasis("live", 1.0))[0] == "not_met"
    # the same failure from a model is a prediction, shown with its outcome
    status, notes = indicator_10([*ANSWERED, late], RunBasis("virtual"))
    assert status == "modelled" and any("fails" in n for n in notes)


def test_a_virtual_jiahe_rests_no_met_on_the_modelled_platform() -> None:
    result = run_virtual(load("jiahe"))
    doc, _ = report.build(load("jiahe"), "jiahe", result.lifecycles,
                          {"mode": "virtual", "seed": result.seed, "speed": result.speed},
                          result.health)
    for ind in doc["indicators"]:
        if ind["status"] == "met":
            assert all(c["basis"] == "measured" for c in ind["criteria"]), ind["number"]
        if any(c["measure"].startswith("live.") for c in ind["criteria"]):
            assert ind["status"] != "met", ind["number"]
    assert {i["number"] for i in doc["indicators"] if i["status"] == "modelled"} >= {10, 20}


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rehearsed")
    run = CliRunner().invoke(main, ["rehearse", "demo", "--duration", "600", "--speed", "120",
                                    "--out", str(out)])
    assert run.exit_code == 0, run.output
    return out


def test_every_output_names_the_run_and_the_scenario_file(rehearsed: Path) -> None:
    bundled = resources.files("scenarios").joinpath("data", "demo.toml").read_bytes()
    sha = hashlib.sha256(bundled).hexdigest()
    results = json.loads((rehearsed / "results.json").read_text("utf-8"))
    assert results["scenario_sha256"] == sha
    assert UTC.match(results["started_utc"]) and UTC.match(results["ended_utc"])
    assert results["started_utc"] <= results["ended_utc"]
    assert results["host"] == platform.node() and results["commtwin_version"]
    doc = json.loads((rehearsed / "report.json").read_text("utf-8"))
    assert doc["run"]["scenario_sha256"] == sha and doc["run"]["started_utc"]
    for name in ("report.md", "report.html", "junit.xml"):
        assert sha in (rehearsed / name).read_text("utf-8"), name


def test_every_ack_names_its_acknowledger_and_utc_time(rehearsed: Path) -> None:
    results = json.loads((rehearsed / "results.json").read_text("utf-8"))
    acks = [inc["steps"]["acknowledged"] for inc in results["incidents"]
            if "acknowledged" in inc["steps"]]
    assert acks
    for ack in acks:
        assert UTC.match(ack["utc"])
        # the reference platform's own Modbus connection, as the gateway saw it
        assert ack["by"]["face"] == "modbus"
        assert re.fullmatch(r"127\.0\.0\.1:\d+", ack["by"]["peer"])
    doc = json.loads((rehearsed / "report.json").read_text("utf-8"))
    assert [i["steps"]["acknowledged"] for i in doc["incidents"]
            if "acknowledged" in i["steps"]] == acks


def test_a_live_run_records_the_twins_own_pacing(rehearsed: Path) -> None:
    pacing = json.loads((rehearsed / "results.json").read_text("utf-8"))["pacing"]
    assert pacing["count"] > 0 and 0 <= pacing["p50_ms"] <= pacing["p99_ms"]
    assert pacing["late"] == (pacing["p99_ms"] > pacing["limit_ms"])
    assert "twin pacing lateness" in (rehearsed / "report.md").read_text("utf-8")
