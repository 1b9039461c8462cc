"""Never lose a run: the hash-chained journal, rebuilding after kill -9, `verify` naming the first
bad entry, atomic outputs, an unwritable folder refused first, a failing platform recorded."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner

from harness.cli import main, session
from harness.cli.session import run_live, run_virtual
from harness.evidence import write_results
from harness.evidence.journal import JOURNAL, rebuild, verify_chain
from scenarios import load
from tests.conftest import tiny_dict


def scenario_file(tmp_path: Path, **run: float) -> str:
    doc = tiny_dict(**({"duration_s": 3600.0} | run))
    doc["incidents"] = {"scripted": [{"at": t, "kind": "fire_alarm", "target": "fire"}
                                     for t in (0.3, 30, 60)]}
    doc["platform"] = {"poll_interval_s": 1.0, "ack_delay_s": 2.0, "reset_delay_s": 5.0}
    path = tmp_path / "s.toml"
    path.write_bytes(tomli_w.dumps(doc).encode())
    return str(path)


@pytest.fixture
def virtual_run(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["rehearse", scenario_file(tmp_path, duration_s=100.0),
                                    "--virtual", "--out", str(out)])
    assert run.exit_code == 0, run.output
    return out


def lines(out: Path) -> list[str]:
    return (out / JOURNAL).read_text("utf-8").splitlines(keepends=True)


def test_the_journal_is_a_chain_over_every_step(virtual_run: Path) -> None:
    entries = [json.loads(line) for line in lines(virtual_run)]
    assert entries[0]["kind"] == "header" and entries[-1]["kind"] == "end"
    steps = [e for e in entries if e["kind"] == "step"]
    results = json.loads((virtual_run / "results.json").read_text("utf-8"))
    assert len(steps) == sum(len(i["steps"]) for i in results["incidents"])
    # an independent check of one link: SHA-256 over the previous hash, a newline and the
    # entry's canonical JSON without its own hash
    second = entries[1]
    body = {k: v for k, v in second.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    want = hashlib.sha256((entries[0]["hash"] + "\n" + canonical).encode()).hexdigest()
    assert second["prev"] == entries[0]["hash"] and second["hash"] == want
    ok = CliRunner().invoke(main, ["verify", str(virtual_run)])
    assert ok.exit_code == 0 and "chain intact" in ok.output and "the report shows" in ok.output


@pytest.mark.parametrize("damage", ["edited", "deleted", "reordered"])
def test_verify_names_the_first_bad_entry(virtual_run: Path, damage: str) -> None:
    entries = lines(virtual_run)
    if damage == "edited":
        entries[3] = entries[3].replace('"t_s": ', '"t_s": 1', 1)
    elif damage == "deleted":
        del entries[3]
    else:
        entries[3], entries[4] = entries[4], entries[3]
    (virtual_run / JOURNAL).write_text("".join(entries), "utf-8")
    check = verify_chain(virtual_run / JOURNAL)
    assert not check.ok and "line 4 (entry" in check.message
    assert ("edited" if damage == "edited" else "deleted or moved") in check.message
    run = CliRunner().invoke(main, ["verify", str(virtual_run)])
    assert run.exit_code == 1 and "line 4" in run.output


def test_a_report_that_differs_from_the_journal_is_caught(virtual_run: Path) -> None:
    doc = json.loads((virtual_run / "report.json").read_text("utf-8"))
    doc["incidents"][0]["steps"]["acknowledged"]["t_s"] -= 1.0  # a kinder figure
    (virtual_run / "report.json").write_text(json.dumps(doc), "utf-8")
    run = CliRunner().invoke(main, ["verify", str(virtual_run)])
    assert run.exit_code == 1 and "fire_alarm-00001 differs from the journal" in run.output


def test_the_sm3_chain_uses_the_standard_hash(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["rehearse", scenario_file(tmp_path, duration_s=100.0),
                                    "--virtual", "--journal-hash", "sm3", "--out", str(out)])
    assert run.exit_code == 0, run.output
    # GB/T 32905-2016 appendix A, example 1: SM3("abc")
    assert hashlib.new("sm3", b"abc").hexdigest() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    check = verify_chain(out / JOURNAL)
    assert check.ok and "sm3" in check.message


def test_after_kill_9_report_rebuilds_the_run_from_the_journal(tmp_path: Path) -> None:
    out = tmp_path / "out"
    twin = subprocess.Popen([sys.executable, "-m", "harness.cli", "rehearse",
                             scenario_file(tmp_path), "--speed", "60", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    # until the platform acknowledged the first fire alarm (injected at 0.3 s, acked ~2 s later)
    while time.monotonic() < deadline and '"acknowledged"' not in (
            (out / JOURNAL).read_text("utf-8") if (out / JOURNAL).exists() else ""):
        time.sleep(0.05)
    os.kill(twin.pid, signal.SIGKILL)
    twin.wait(30)
    assert not (out / "results.json").exists()
    run = CliRunner().invoke(main, ["report", str(out), "--in-place"])
    assert run.exit_code == 0, run.output
    assert "rebuilt results.json from journal.jsonl" in " ".join(run.output.split())
    results = json.loads((out / "results.json").read_text("utf-8"))
    assert results["interrupted"] and results["rebuilt_from"] == JOURNAL
    first = results["incidents"][0]
    assert first["kind"] == "fire_alarm" and "acknowledged" in first["steps"]
    assert first["steps"]["acknowledged"]["by"]["face"] == "modbus"
    report_run = json.loads((out / "report.json").read_text("utf-8"))["run"]
    assert report_run["interrupted"]
    # the rebuilt run knows our reference platform answered: its on-site times stay modelled
    assert report_run["reference_platform"] is True
    assert CliRunner().invoke(main, ["verify", str(out)]).exit_code == 0


def _sim_only(obj: Any) -> Any:
    """A results document without what the machine's clock put in it."""
    if isinstance(obj, dict):
        return {k: _sim_only(v) for k, v in obj.items() if k not in ("wall", "wall_ns", "utc")}
    if isinstance(obj, list):
        return [_sim_only(v) for v in obj]
    return obj


def test_incidents_kept_in_the_journal_give_the_same_results(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    demo = load("demo")
    free = write_results(run_virtual(demo, seed=7), tmp_path / "free")
    monkeypatch.setattr(session, "INCIDENTS_IN_MEMORY", 2)
    run = run_virtual(demo, seed=7, journal_dir=tmp_path / "bounded")
    bounded = write_results(run, tmp_path / "bounded")
    entries = [json.loads(line) for line in lines(tmp_path / "bounded")]
    settled = [i for e in entries if e["kind"] == "settled" for i in e["incidents"]]
    assert len(settled) > len(run.lifecycles) // 2  # most of them left memory
    assert run.lifecycles == rebuild(tmp_path / "bounded" / JOURNAL).lifecycles
    assert _sim_only(json.loads(bounded.read_text("utf-8"))["incidents"]) == \
        _sim_only(json.loads(free.read_text("utf-8"))["incidents"])
    assert verify_chain(tmp_path / "bounded" / JOURNAL).ok


def test_an_unwritable_out_is_refused_before_the_run(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = CliRunner().invoke(main, ["rehearse", "demo", "--virtual", "--out",
                                    str(blocker / "out")])
    assert run.exit_code == 2 and "cannot write the run's results there" in run.output
    assert "Traceback" not in run.output


def test_a_failing_reference_platform_ends_the_run_with_it_recorded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.platforms import modbus

    async def broken(self: object, *_: object) -> None:
        raise ConnectionResetError("the platform's connection died")

    monkeypatch.setattr(modbus.ReferencePlatform, "_poll_gateway", broken)
    doc = tiny_dict(duration_s=3600.0)
    path = tmp_path / "s.toml"
    path.write_bytes(tomli_w.dumps(doc).encode())
    from scenarios import load

    result = asyncio.run(run_live(load(path), platform=True, any_port=True,
                                  journal_dir=tmp_path / "out"))
    assert result.interrupted
    assert result.platform is not None and "connection died" in str(result.platform["failure"])
    assert verify_chain(tmp_path / "out" / JOURNAL).ok
