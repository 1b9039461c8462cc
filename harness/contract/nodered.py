"""A Node-RED flow that acknowledges every alarm it sees on the twin, over Modbus TCP.

Followed: node-red-contrib-modbus 5.45.2 (node definitions in `src/modbus-client.html`,
`modbus-read.html`, `modbus-write.html`: their `defaults` are the fields written here; read
`dataType` "Input" is FC 2, write `dataType` "Coil" is FC 5) and the Node-RED 4 flow format
(a list of node objects; `z` names the tab, `wires` lists each output's targets by id).

One `modbus-client` config node per twin gateway, with `parallelUnitIdsAllowed` off and commands
queued (`bufferCommands`): all units of a gateway share one TCP connection and one queue, one
request at a time, which is what field gateways with few connections and a single request slot
accept. Per device with alarms: a `modbus-read` polling every alarm state (one FC 2 read over
the device's alarm inputs, every second), a `function` node that turns a rising alarm into a
message on that alarm's output, and per alarm a `modbus-write` of `true` to its `_ack` coil.

Node ids derive from the scenario, gateway and device ids (blake2b), so exporting the same
scenario twice gives the same file and a re-import replaces nodes instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import devices
from devices import Table
from scenarios import Device as DeviceSpec
from scenarios import Scenario

#: How often each device's alarm inputs are read (node-red-contrib-modbus `rate`/`rateUnit`).
POLL_S = 1
_ROW_PX = 60


@dataclass(frozen=True)
class Alarm:
    name: str
    state_address: int   # discrete input
    ack_address: int     # coil


def alarms(device: DeviceSpec) -> list[Alarm]:
    """The device's alarms, found as the points that have an `_ack` companion coil."""
    points = {p.name: p for p in devices.KINDS[device.kind].POINTS}
    out = []
    for name, point in points.items():
        ack = points.get(f"{name}_ack")
        if point.table is Table.DISCRETE_INPUT and ack is not None and ack.table is Table.COIL:
            out.append(Alarm(name, point.address, ack.address))
    return sorted(out, key=lambda a: a.state_address)


def node_id(*parts: str) -> str:
    return hashlib.blake2b("/".join(parts).encode(), digest_size=8).hexdigest()


def client_node(scenario: Scenario, gateway_id: str) -> dict[str, Any]:
    gw = next(g for g in scenario.gateways if g.id == gateway_id)
    # Serial fields are unused for TCP but the editor expects them (the node's defaults).
    return {
        "id": node_id(scenario.name, "client", gw.id), "type": "modbus-client",
        "name": f"{scenario.name} {gw.id}", "clienttype": "tcp", "bufferCommands": True,
        "stateLogEnabled": False, "queueLogEnabled": False, "failureLogEnabled": True,
        "tcpHost": gw.host, "tcpPort": str(gw.port), "tcpType": "DEFAULT",
        "serialPort": "/dev/ttyUSB", "serialType": "RTU-BUFFERD", "serialBaudrate": "9600",
        "serialDatabits": "8", "serialStopbits": "1", "serialParity": "none",
        "serialConnectionDelay": "100", "serialAsciiResponseStartDelimiter": "0x3A",
        "unit_id": "1", "commandDelay": "1", "clientTimeout": "1000",
        "reconnectOnTimeout": True, "reconnectTimeout": "2000",
        "parallelUnitIdsAllowed": False,
        "showErrors": False, "showWarnings": True, "showLogs": True,
    }


_DETECT = """\
// Rising alarms of {device} -> one message per alarm output; the write node acknowledges it.
const names = {names};
const offsets = {offsets};
if (!Array.isArray(msg.payload)) {{ return null; }}
const before = context.get("state") || [];
const now = offsets.map((o) => Boolean(msg.payload[o]));
context.set("state", now);
return names.map((name, i) => (now[i] && !before[i])
    ? {{ topic: "{device}." + name + "_ack", payload: true }} : null);
"""


def device_nodes(scenario: Scenario, device: DeviceSpec, tab: str, row: int,
                 client: str) -> list[dict[str, Any]]:
    found = alarms(device)
    if not found:
        return []
    first = found[0].state_address
    count = found[-1].state_address - first + 1
    y = 40 + row * _ROW_PX
    read_id = node_id(scenario.name, "read", device.id)
    detect_id = node_id(scenario.name, "detect", device.id)
    writes = [{
        "id": node_id(scenario.name, "ack", device.id, a.name), "type": "modbus-write",
        "z": tab, "name": f"{device.id} {a.name}_ack", "showStatusActivities": False,
        "showErrors": True, "showWarnings": True, "unitid": str(device.unit),
        "dataType": "Coil", "adr": str(a.ack_address), "quantity": "1", "server": client,
        "emptyMsgOnFail": False, "keepMsgProperties": False, "delayOnStart": False,
        "startDelayTime": "", "x": 760, "y": y + 20 * i, "wires": [[], []],
    } for i, a in enumerate(found)]
    read = {
        "id": read_id, "type": "modbus-read", "z": tab, "name": f"{device.id} alarms",
        "topic": device.id, "showStatusActivities": False, "logIOActivities": False,
        "showErrors": True, "showWarnings": True, "unitid": str(device.unit),
        "dataType": "Input", "adr": str(first), "quantity": str(count), "rate": str(POLL_S),
        "rateUnit": "s", "delayOnStart": False, "enableDeformedMessages": False,
        "startDelayTime": "", "server": client, "useIOFile": False, "ioFile": "",
        "useIOForPayload": False, "emptyMsgOnFail": False, "x": 180, "y": y,
        "wires": [[detect_id], []],
    }
    code = _DETECT.format(device=device.id, names=json.dumps([a.name for a in found]),
                          offsets=json.dumps([a.state_address - first for a in found]))
    detect = {
        "id": detect_id, "type": "function", "z": tab, "name": f"{device.id} rising",
        "func": code, "outputs": len(found), "timeout": 0, "noerr": 0, "initialize": "",
        "finalize": "", "libs": [], "x": 470, "y": y,
        "wires": [[w["id"]] for w in writes],
    }
    return [read, detect, *writes]


def flow(scenario: Scenario) -> list[dict[str, Any]]:
    """The whole flow: a tab, the gateways' client config nodes, then device by device."""
    tab = node_id(scenario.name, "tab")
    nodes: list[dict[str, Any]] = [{
        "id": tab, "type": "tab", "label": f"commtwin {scenario.name}: acknowledge alarms",
        "disabled": False,
        "info": "Polls every alarm of every device of the twin over Modbus TCP and writes "
                "its _ack coil when it rises. Generated by `commtwin export nodered`.",
    }]
    used = sorted({d.gateway for d in scenario.devices})
    clients = {gid: client_node(scenario, gid) for gid in used}
    nodes += clients.values()
    row = 0
    for device in sorted(scenario.devices, key=lambda d: (d.gateway, d.unit)):
        part = device_nodes(scenario, device, tab, row, clients[device.gateway]["id"])
        if part:
            nodes += part
            row += max(1, len(alarms(device)))
    return nodes


def to_json(nodes: list[dict[str, Any]]) -> str:
    return json.dumps(nodes, indent=2, ensure_ascii=False) + "\n"
