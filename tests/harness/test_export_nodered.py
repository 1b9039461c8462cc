"""The Node-RED flow: node types and fields node-red-contrib-modbus 5.45.2 defines, every alarm of
every demo device polled and its ack written, every reference resolving; and, where Node-RED 4
is installed, a real Node-RED that accepts the flow (marked `nodered`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import devices
from devices import Table
from harness.contract import nodered
from scenarios import Scenario

# The `defaults` of each node's editor definition (src/<type>.html, 5.45.2), plus what every
# Node-RED node has (id, type, z, x, y, wires; config nodes have no position or wires).
COMMON = {"id", "type", "z", "x", "y", "wires"}
DEFAULTS = {
    "modbus-client": {
        "name", "clienttype", "bufferCommands", "stateLogEnabled", "queueLogEnabled",
        "failureLogEnabled", "tcpHost", "tcpPort", "tcpType", "serialPort", "serialType",
        "serialBaudrate", "serialDatabits", "serialStopbits", "serialParity",
        "serialConnectionDelay", "serialAsciiResponseStartDelimiter", "unit_id",
        "commandDelay", "clientTimeout", "reconnectOnTimeout", "reconnectTimeout",
        "parallelUnitIdsAllowed", "showErrors", "showWarnings", "showLogs"},
    "modbus-read": {
        "name", "topic", "showStatusActivities", "logIOActivities", "showErrors",
        "showWarnings", "unitid", "dataType", "adr", "quantity", "rate", "rateUnit",
        "delayOnStart", "enableDeformedMessages", "startDelayTime", "server", "useIOFile",
        "ioFile", "useIOForPayload", "emptyMsgOnFail"},
    "modbus-write": {
        "name", "showStatusActivities", "showErrors", "showWarnings", "unitid", "dataType",
        "adr", "quantity", "server", "emptyMsgOnFail", "keepMsgProperties", "delayOnStart",
        "startDelayTime"},
    # Node-RED core function node (4.x editor defaults).
    "function": {"name", "func", "outputs", "timeout", "noerr", "initialize", "finalize",
                 "libs"},
    "tab": {"label", "disabled", "info"},
}


def demo_alarms(device_kind: str) -> dict[str, tuple[int, int]]:
    """alarm -> (state discrete input, ack coil), read off the kind's point map."""
    points = {p.name: p for p in devices.KINDS[device_kind].POINTS}
    return {name: (p.address, points[f"{name}_ack"].address) for name, p in points.items()
            if p.table is Table.DISCRETE_INPUT and points.get(f"{name}_ack") is not None
            and points[f"{name}_ack"].table is Table.COIL}


def test_the_flow_uses_only_the_fields_the_node_types_define(demo: Scenario) -> None:
    nodes = json.loads(nodered.to_json(nodered.flow(demo)))
    for node in nodes:
        assert node["type"] in DEFAULTS, node["type"]
        extra = set(node) - DEFAULTS[node["type"]] - COMMON
        assert extra == set(), (node["type"], extra)
        if node["type"] == "modbus-client":
            assert "z" not in node and "wires" not in node  # config nodes sit on no tab
            assert node["parallelUnitIdsAllowed"] is False and node["bufferCommands"] is True
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids))


def test_every_alarm_is_polled_and_its_ack_written(demo: Scenario) -> None:
    nodes = nodered.flow(demo)
    by_id = {n["id"]: n for n in nodes}
    tab = next(n["id"] for n in nodes if n["type"] == "tab")
    for n in nodes:  # every reference resolves
        if "z" in n:
            assert n["z"] == tab
        if "server" in n:
            assert by_id[n["server"]]["type"] == "modbus-client"
        for output in n.get("wires", []):
            assert all(target in by_id for target in output)
    gateways = {g.id: g for g in demo.gateways}
    reads = {(n["server"], n["unitid"]): n for n in nodes if n["type"] == "modbus-read"}
    covered = 0
    for device in demo.devices:
        alarms = demo_alarms(device.kind)
        gw = gateways[device.gateway]
        client = next(n for n in nodes if n["type"] == "modbus-client"
                      and (n["tcpHost"], n["tcpPort"]) == (gw.host, str(gw.port)))
        read = reads[(client["id"], str(device.unit))]
        first, count = int(read["adr"]), int(read["quantity"])
        assert (read["dataType"], read["rate"], read["rateUnit"]) == ("Input", "1", "s")
        detect = by_id[read["wires"][0][0]]
        names = json.loads(re.search(r"const names = (\[.*\]);", detect["func"])[1])
        offsets = json.loads(re.search(r"const offsets = (\[.*\]);", detect["func"])[1])
        assert sorted(names) == sorted(alarms) and detect["outputs"] == len(names)
        for name, offset, output in zip(names, offsets, detect["wires"], strict=True):
            state, ack = alarms[name]
            assert first <= state < first + count and first + offset == state
            write = by_id[output[0]]
            assert (write["type"], write["dataType"], write["adr"], write["quantity"],
                    write["unitid"], write["server"]) == (
                "modbus-write", "Coil", str(ack), "1", str(device.unit), client["id"])
            covered += 1
    assert covered == sum(len(demo_alarms(d.kind)) for d in demo.devices) > 0


def test_the_same_scenario_gives_the_same_flow(demo: Scenario) -> None:
    assert nodered.to_json(nodered.flow(demo)) == nodered.to_json(nodered.flow(demo))


# -- a real Node-RED, when one is installed -----------------------------------------------------

CACHE = Path(os.environ.get("COMMTWIN_NODE_RED_DIR", "~/.cache/commtwin/node-red")).expanduser()


def node_red_command() -> list[str] | None:
    """Node-RED from PATH, or from the cache folder tools/node-red/package.json installs into."""
    red_js = CACHE / "node_modules" / "node-red" / "red.js"
    if red_js.exists() and shutil.which("node"):
        return [str(shutil.which("node")), str(red_js)]
    found = shutil.which("node-red")
    return [found] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _api(port: int, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json", "Node-RED-API-Version": "v2",
                 "Node-RED-Deployment-Type": "full", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        text = reply.read().decode()
        return reply.status, json.loads(text) if text else None


@pytest.mark.nodered
def test_node_red_4_accepts_the_flow(demo: Scenario, tmp_path: Path) -> None:
    command = node_red_command()
    if command is None:
        pytest.skip("node-red not installed (see docs/platforms.md: npm install into "
                    f"{CACHE})")
    flow = nodered.flow(demo)
    (tmp_path / "flows.json").write_text(nodered.to_json(flow), "utf-8")
    port = _free_port()
    log = (tmp_path / "node-red.log").open("w")
    proc = subprocess.Popen([*command, "--userDir", str(tmp_path), "--port", str(port),
                             "flows.json"], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, settings = _api(port, "/settings")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, (tmp_path / "node-red.log").read_text()
                assert time.monotonic() < deadline, "Node-RED did not answer in 60 s"
                time.sleep(0.3)
        assert settings["version"].split(".")[0] == "4", settings["version"]
        _, modules = _api(port, "/nodes")
        types = {t for m in modules for t in m.get("types", []) if m.get("enabled", True)}
        if not {"modbus-client", "modbus-read", "modbus-write"} <= types:
            pytest.skip("Node-RED found, but node-red-contrib-modbus is not installed beside it")
        # Deploy through the admin API, as a person pressing Deploy would.
        status, reply = _api(port, "/flows", {"flows": flow})
        assert status in (200, 204) and reply and "rev" in reply
        _, deployed = _api(port, "/flows")
        assert {n["id"] for n in deployed["flows"]} == {n["id"] for n in flow}
        text = (tmp_path / "node-red.log").read_text()
        assert "Started flows" in text and "missing" not in text.lower(), text
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
