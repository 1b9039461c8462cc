"""End to end over loopback: scenario -> world -> Modbus -> reference platform -> latency."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner
from pymodbus.client import AsyncModbusTcpClient

from harness.cli import main
from harness.cli.session import run_live
from harness.contract import Endpoint
from harness.evidence import write_results
from scenarios import Scenario, from_dict, load
from tests.conftest import tiny_dict

POLL_S, ACK_S = 0.2, 0.3


def fire_drill(acknowledge: bool) -> Scenario:
    doc = tiny_dict(duration_s=3.0, drain_s=1.5, speed=1.0)
    doc["incidents"] = {"scripted": [
        {"at": t, "kind": "fire_alarm", "target": "fire"} for t in (0.5, 1.5, 2.5)]}
    doc["platform"] = {"poll_interval_s": POLL_S, "ack_delay_s": ACK_S, "reset_delay_s": 0.1,
                       "acknowledge": acknowledge}
    return from_dict(doc)


def test_every_fire_alarm_is_acknowledged_within_poll_plus_processing(tmp_path: Path) -> None:
    result = asyncio.run(run_live(fire_drill(True), platform=True, any_port=True))
    assert [lc.kind for lc in result.lifecycles] == ["fire_alarm"] * 3
    for lc in result.lifecycles:
        assert lc.missed == ()
        latency = lc.latency_s("acknowledged", "wall")
        # at least the processing delay; at most one poll interval more, plus a generous margin
        # for a 2-core machine running pymodbus, the pacer and the platform on one loop
        assert ACK_S <= latency <= ACK_S + POLL_S + 0.4, latency
    (row,) = result.stats
    assert (row.injected, row.observed, row.acknowledged, row.missed) == (3, 3, 3, 0)
    saved = json.loads(write_results(result, tmp_path).read_text())
    assert saved["summary"][0]["acknowledged"] == 3
    assert len(saved["incidents"]) == 3


def test_a_platform_that_never_acknowledges_misses_all_and_loses_none() -> None:
    result = asyncio.run(run_live(fire_drill(False), platform=True, any_port=True))
    assert len(result.lifecycles) == 3
    assert all(lc.missed == ("acknowledged", "resolved") for lc in result.lifecycles)
    assert all(lc.step("observed") is not None for lc in result.lifecycles)
    (row,) = result.stats
    assert (row.injected, row.acknowledged, row.missed) == (3, 0, 3)


def test_a_third_party_client_reads_a_meter_from_the_published_map() -> None:
    out = CliRunner().invoke(main, ["points", "demo", "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    row = next(r for r in rows if r["kind"] == "electricity_meter" and r["point"] == "energy_kwh")
    assert (row["table"], row["data_type"], row["registers"]) == ("input_register", "uint32", "2")

    demo = load("demo")
    fast = demo.model_copy(update={"run": demo.run.model_copy(update={"speed": 3600.0})})
    seen: list[float] = []

    async def scenario() -> None:
        stop = asyncio.Event()
        ready: asyncio.Future[list[Endpoint]] = asyncio.get_running_loop().create_future()
        twin = asyncio.create_task(run_live(fast, platform=False, any_port=True, stop=stop,
                                            on_ready=ready.set_result))
        endpoints = await ready
        port = next(e.port for e in endpoints if e.gateway == row["gateway"])
        client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=2, retries=0)
        await client.connect()
        for _ in range(2):
            await asyncio.sleep(0.3)
            rr = await client.read_input_registers(int(row["address"]), count=2,
                                                   device_id=int(row["unit_id"]))
            words = rr.registers if row["word_order"] == "big" else rr.registers[::-1]
            seen.append(struct.unpack(">I", struct.pack(">HH", *words))[0] * float(row["scale"]))
        client.close()
        stop.set()
        await twin

    asyncio.run(scenario())
    assert seen[1] > seen[0] > 0


def test_rehearse_command_prints_the_table_and_writes_results(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["rehearse", "demo", "--duration", "600", "--speed", "600",
                                    "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "incident kind" in out.output and "fire_alarm" in out.output
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["mode"] == "live" and saved["summary"]
    assert json.loads((tmp_path / "endpoints.json").read_text())[0]["protocol"] == "modbus-tcp"


def test_bad_scenario_is_a_clear_cli_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('version = 1\n[run]\nduration_s = -1\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["rehearse", str(bad)])
    assert out.exit_code != 0
    # one line: the first problem, then where the others are
    assert out.output.count("\n") == 1 and "bad.toml: site = None: field required" in out.output
    assert "run.duration_s" in out.output


def test_serve_command_writes_endpoints_and_results(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["serve", "demo", "--any-port", "--duration", "60",
                                    "--speed", "600", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    endpoints = json.loads((tmp_path / "endpoints.json").read_text())
    gateways = [e for e in endpoints if e["protocol"] == "modbus-tcp"]
    assert {e["gateway"] for e in gateways} == {g.id for g in load("demo").gateways}
    assert all(e["host"] == "127.0.0.1" and e["port"] > 0 for e in gateways)
    # the control API is served too, on loopback, behind a token
    (control,) = [e for e in endpoints if e["protocol"] == "http"]
    assert control["url"].startswith("http://127.0.0.1:") and len(control["token"]) >= 24
    assert "waiting for your platform at" in out.output
    # start-up is reported per stage, with memory, before the endpoints
    ready = re.search(r"ready in ([\d.]+) s \(world ([\d.]+) s, modbus ([\d.]+) s, "
                      r"http ([\d.]+) s\); peak RSS ([\d,]+) MB", out.output)
    assert ready is not None, out.output
    total, *stages = (float(x) for x in ready.groups()[:4])
    assert sum(stages) == pytest.approx(total, abs=0.25)  # each rounded to 0.1 s
    assert int(ready.group(5).replace(",", "")) > 50
    assert out.output.index("ready in") < out.output.index("endpoints written to")
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["platform"] is None  # nobody acknowledged: every incident is on record as missed
    assert all("acknowledged" in inc["missed"] for inc in saved["incidents"])


def test_virtual_rehearsal_runs_without_sockets(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["rehearse", "demo", "--virtual", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["mode"] == "virtual" and saved["latency_clock"] == "sim"
    assert saved["endpoints"] == []
    assert sum(row["acknowledged"] for row in saved["summary"]) > 0
