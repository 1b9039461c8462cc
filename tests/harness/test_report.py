"""The acceptance report of a run: files, JUnit schema, re-rendering, and a real browser's view."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import xmlschema

from harness import report
from harness.evidence.health import from_health
from scenarios import load
from sim import World

XSD = Path(__file__).parent / "data" / "junit.xsd"


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = load("demo")
    world = World(scenario, modelled_platform=True)
    world.run_virtual()
    lifecycles = world.lifecycles()
    run = {"mode": "virtual", "seed": world.seed, "simulated_s": world.env.now,
           "latency_clock": "sim"}
    doc, coverage = report.build(scenario, "demo", lifecycles, run, from_health(world, None))
    out = tmp_path_factory.mktemp("report")
    report.write(doc, coverage, scenario, lifecycles, out)
    return out


def test_report_files_and_table(demo_report: Path) -> None:
    doc = json.loads((demo_report / "report.json").read_text("utf-8"))
    assert doc["schema"] == report.REPORT_SCHEMA
    assert [i["number"] for i in doc["indicators"]] == list(range(1, 29))
    assert sum(doc["counts"].values()) == 28
    md = (demo_report / "report.md").read_text("utf-8")
    header = "| 一级指标 group | 序号 | 二级指标 indicator | 标准要求 standard | 完成情况 result |"
    assert header in md
    assert "移动通信网络" in md and "needs evidence" in md
    evidence_only = [i for i in doc["indicators"] if i["method"] == ["E"]]
    assert evidence_only and all(i["status"] == "needs_evidence" for i in evidence_only)


def test_junit_validates_against_the_ci_schema(demo_report: Path) -> None:
    junit = demo_report / "junit.xml"
    xmlschema.XMLSchema(XSD).validate(junit)
    doc = json.loads((demo_report / "report.json").read_text("utf-8"))
    text = junit.read_text("utf-8")
    assert text.count("<testcase ") == 28
    assert text.count("<failure ") == doc["counts"]["not_met"]
    # neither documents nor a model's prediction is a pass: both are skipped, never passed
    assert text.count("<skipped ") == sum(doc["counts"][s] for s in ("needs_evidence",
                                                                     "modelled", "indicative"))


def test_html_is_self_contained(demo_report: Path) -> None:
    html = (demo_report / "report.html").read_text("utf-8")
    assert "data:image/png;base64," in html
    assert 'src="img/' not in html and "http://" not in html and "https://" not in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (.ci/run installs one)")
def test_html_renders_in_headless_chromium(demo_report: Path, tmp_path: Path) -> None:
    flags = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--enable-logging=stderr", "--v=0"]
    page = (demo_report / "report.html").as_uri()
    shot = tmp_path / "report.png"
    # tall enough for the whole page: the table, the maps and the latency plots
    run = subprocess.run([*flags, "--window-size=1300,9000", f"--screenshot={shot}", page],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Uncaught" not in run.stderr and ":CONSOLE(" not in run.stderr
    assert shot.stat().st_size > 50_000  # a page of table and pictures, not a blank one
    dom = subprocess.run([*flags, "--dump-dom", page], capture_output=True, text=True,
                         timeout=120).stdout
    assert dom.count("<tr class=") == 28
    assert dom.count("<img ") >= 7  # five maps, the latency histograms and CDFs
    assert 'id="latency_cdf"' in dom and 'id="rsrp"' in dom


def test_report_command_rerenders_a_saved_run_with_another_tier(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from harness.cli import main

    out = CliRunner().invoke(main, ["rehearse", "demo", "--virtual", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    growth = json.loads((tmp_path / "report.json").read_text("utf-8"))
    again = CliRunner().invoke(main, ["report", str(tmp_path), "--profile", "basic",
                                      "--out", str(tmp_path / "basic")])
    assert again.exit_code == 0, again.output
    basic = json.loads((tmp_path / "basic" / "report.json").read_text("utf-8"))
    assert (growth["tier"], basic["tier"]) == ("growth", "basic")
    # the same run's incidents, step for step (latencies are recomputed from the saved steps)
    assert [(i["id"], i["steps"], i["missed"]) for i in basic["incidents"]] == \
        [(i["id"], i["steps"], i["missed"]) for i in growth["incidents"]]
    assert basic["counts"]["met"] >= growth["counts"]["met"]  # basic bars are lower
