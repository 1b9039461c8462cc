"""`commtwin export` and `commtwin points --endpoints`: the files land in --out, the addresses are
the running twin's when an endpoints.json is given, and a bad file is one line and exit 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from harness.cli import main
from harness.contract import ModbusEndpoint, OpcUaEndpoint, write_endpoints
from scenarios import Scenario

PORTS = {"gw-north": 41001, "gw-south": 41002, "gw-services": 41003}


def live_endpoints(demo: Scenario, folder: Path, opcua: bool = True) -> Path:
    """An endpoints.json as `serve --any-port` writes it, with ports the scenario never asks."""
    eps: list[Any] = [
        ModbusEndpoint("modbus", g.id, f"modbus-tcp://127.0.0.2:{PORTS[g.id]}", "127.0.0.2",
                       PORTS[g.id], g.word_order,
                       {d.unit: d.id for d in demo.devices if d.gateway == g.id})
        for g in demo.gateways]
    if opcua:
        eps.append(OpcUaEndpoint("opcua", "opcua", "opc.tcp://127.0.0.2:41004/commtwin/",
                                 "urn:commtwin:demo", 3, ("None",), {}, "operator", None))
    return write_endpoints(eps, folder)


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_export_writes_each_platforms_files(tmp_path: Path) -> None:
    for platform, files in (("thingsboard", {"modbus.json", "opcua.json", "README.txt"}),
                            ("nodered", {"flows.json"}), ("csv", {"points.csv"})):
        out = tmp_path / platform
        result = run("export", platform, "demo", "--out", str(out))
        assert result.exit_code == 0, result.output
        assert {p.name for p in out.iterdir()} == files
    assert (tmp_path / "csv" / "points.csv").read_text("utf-8") == run("points", "demo").stdout
    readme = (tmp_path / "thingsboard" / "README.txt").read_text("utf-8")
    assert "tb_gateway.json" in readme and "gw-south: 127.0.0.1:15021, little" in readme


def test_every_export_uses_the_ports_of_the_endpoints_file(demo: Scenario,
                                                           tmp_path: Path) -> None:
    eps = str(live_endpoints(demo, tmp_path / "run"))
    for platform in ("thingsboard", "nodered", "csv"):
        result = run("export", platform, "demo", "--out", str(tmp_path / platform),
                     "--endpoints", eps)
        assert result.exit_code == 0, result.output
    gateway_of = {d.id: d.gateway for d in demo.devices}

    slaves = json.loads((tmp_path / "thingsboard" / "modbus.json").read_text("utf-8"))
    assert {(s["host"], s["port"]) for s in slaves["master"]["slaves"]} == {
        ("127.0.0.2", p) for p in PORTS.values()}
    assert all(s["port"] == PORTS[gateway_of[s["deviceName"]]]
               for s in slaves["master"]["slaves"])
    opcua = json.loads((tmp_path / "thingsboard" / "opcua.json").read_text("utf-8"))
    assert opcua["server"]["url"] == "opc.tcp://127.0.0.2:41004/commtwin/"
    assert opcua["mapping"][0]["deviceNodePattern"].startswith("ns=3;s=")

    flow = json.loads((tmp_path / "nodered" / "flows.json").read_text("utf-8"))
    clients = {n["name"].split()[-1]: (n["tcpHost"], int(n["tcpPort"]))
               for n in flow if n["type"] == "modbus-client"}
    assert clients == {g: ("127.0.0.2", p) for g, p in PORTS.items()}

    for text in ((tmp_path / "csv" / "points.csv").read_text("utf-8"),
                 run("points", "demo", "--endpoints", eps).stdout):
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {(r["gateway"], r["host"], int(r["port"])) for r in rows} == {
            (g, "127.0.0.2", p) for g, p in PORTS.items()}


def test_an_endpoints_file_without_opcua_keeps_the_scenarios_server(demo: Scenario,
                                                                    tmp_path: Path) -> None:
    eps = str(live_endpoints(demo, tmp_path / "run", opcua=False))
    result = run("export", "thingsboard", "demo", "--out", str(tmp_path / "tb"),
                 "--endpoints", eps)
    assert result.exit_code == 0
    assert "lists no opcua endpoint" in result.stderr
    opcua = json.loads((tmp_path / "tb" / "opcua.json").read_text("utf-8"))
    assert opcua["server"]["url"] == "opc.tcp://127.0.0.1:4840/commtwin/"


def _edit(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), "utf-8")


def _set(index: int, key: str, value: Any) -> Any:
    return lambda doc: doc[index].__setitem__(key, value)


BAD = {
    "missing": (None, "no such file"),
    "not json": (lambda p: p.write_text("{oops", "utf-8"), "not JSON"),
    "not a list": (lambda p: p.write_text('{"a": 1}', "utf-8"), "expected a list"),
    "empty": (lambda p: p.write_text("[]", "utf-8"), "no Modbus gateway and no OPC UA"),
    "other gateway": (lambda p: _edit(p, _set(0, "gateway", "gw-west")),
                      "gateway 'gw-west' is not in scenario demo"),
    "gateway missing": (lambda p: _edit(p, lambda d: d.pop(2)), "gw-services of scenario demo "
                        "missing"),
    "word order": (lambda p: _edit(p, _set(1, "word_order", "big")),
                   "gateway gw-south word order 'big', scenario demo says 'little'"),
    "units": (lambda p: _edit(p, lambda d: d[0]["units"].__setitem__("1", "X")),
              "gateway gw-north unit 1 is 'X' in the file, 'N1-fire' in scenario demo"),
    "port type": (lambda p: _edit(p, _set(0, "port", "502")),
                  "gateway gw-north field 'port' = '502': expected int"),
    "port range": (lambda p: _edit(p, _set(0, "port", 70000)), "port 70000: expected 1..65535"),
    "namespace": (lambda p: _edit(p, _set(3, "namespace_uri", "urn:commtwin:jiahe")),
                  "OPC UA namespace 'urn:commtwin:jiahe' is not scenario demo's"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", ["export", "points"])
def test_a_bad_endpoints_file_is_one_line_and_exit_2(case: str, command: str, demo: Scenario,
                                                     tmp_path: Path) -> None:
    damage, message = BAD[case]
    path = tmp_path / "run" / "endpoints.json"
    if damage is not None:
        live_endpoints(demo, path.parent)
        damage(path)
    args = (["export", "csv", "demo", "--out", str(tmp_path / "x")] if command == "export"
            else ["points", "demo"])
    result = run(*args, "--endpoints", str(path))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: "), lines
    assert message in lines[0]
