"""ThingsBoard IoT Gateway connector files for the twin: `modbus.json` and `opcua.json`.

Followed: ThingsBoard IoT Gateway 3.8 (source at version 3.8.3: `thingsboard_gateway/config/
modbus.json` and `opcua.json`, `connectors/modbus/slave.py`, `bytes_modbus_uplink_converter.py`,
`bytes_modbus_downlink_converter.py`, `connectors/opcua/opcua_connector.py` and `device.py`;
guides https://thingsboard.io/docs/iot-gateway/config/modbus/ and .../config/opc-ua/).

Modbus: the `master.slaves` list, one slave per device (the gateway shares one TCP connection
per host:port, so a twin gateway is one connection whatever its device count). Every point is a
`timeseries` entry, except the fixed text words (`<name>_wN`, e.g. a camera's GB/T 28181 id),
which are `attributes`; every writable point is an `rpc` entry (method = point name), and the
writable settings (not the momentary commands or acks) are also `attributeUpdates`, so a shared
attribute in ThingsBoard sets them. Registers are big-endian inside a word (`byteOrder` BIG) and
the gateway's word order goes into `wordOrder`. Scaled integers carry `divider` when 1/scale is
whole (exact decimal results: 12345 / 100, not 12345 * 0.01) and `multiplier` otherwise.

OPC UA: the gateway 3.8 matches each browse-path level literally (it `re.escape`s the pattern),
so a pattern cannot select a device kind; the mapping has one entry per device, found by NodeId
(`deviceNodeSource` identifier), its points by NodeId too. NodeIds do not depend on the folder
layout (docs/opcua.md), so the file survives a change of sharding. The device profile is the kind.
"""

from __future__ import annotations

from typing import Any

import devices
from devices import DataType, Point, Table
from harness.contract.live import Targets
from scenarios import Device as DeviceSpec
from scenarios import Scenario
from scenarios.opcua import offered_security

#: Gateway defaults of its own example config (3.8.3 `config/modbus.json`): poll every second,
#: 3 retries, and its connection back-off. `timeout` is handed to pymodbus in seconds.
SLAVE_DEFAULTS: dict[str, Any] = {
    "type": "tcp", "method": "socket", "timeout": 35, "retries": 3,
    "retryOnEmpty": True, "retryOnInvalid": True, "pollPeriod": 1000,
    "connectAttemptTimeMs": 5000, "connectAttemptCount": 5, "waitAfterFailedAttemptsMs": 300000,
}
#: Read function code per table; writes: 5 a coil, 6 one register, 16 several.
READ_FC = {Table.COIL: 1, Table.DISCRETE_INPUT: 2, Table.HOLDING_REGISTER: 3,
           Table.INPUT_REGISTER: 4}
#: The gateway's names for our data types (its AVAILABLE_DATA_TYPES_REGEX); bits are booleans.
TB_TYPE = {DataType.BOOL: "bits", DataType.UINT16: "16uint", DataType.INT16: "16int",
           DataType.UINT32: "32uint", DataType.INT32: "32int", DataType.FLOAT32: "32float"}
#: Command coils act on a write of 1 and read back 0 (docs/devices.md): an RPC, not an
#: attribute that would stay "true" in ThingsBoard while the device says 0.
MOMENTARY = frozenset({"reset", "onsite"})


def write_fc(point: Point) -> int:
    if point.table is Table.COIL:
        return 5
    return 6 if point.count == 1 else 16


def tb_type(point: Point) -> str:
    # A BOOL kept in a register table is a 0/1 word, not a bit field.
    if point.dtype is DataType.BOOL and not point.table.is_bit:
        return "16uint"
    return TB_TYPE[point.dtype]


def _entry(point: Point, fc: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"tag": point.name, "type": tb_type(point), "functionCode": fc,
                             "objectsCount": point.count, "address": point.address}
    if entry["type"] == "bits":
        entry["bitTargetType"] = "bool"
    if point.scale != 1.0 and point.dtype.is_integer:
        inverse = 1.0 / point.scale
        if abs(inverse - round(inverse)) < 1e-9:
            entry["divider"] = round(inverse)
        else:
            entry["multiplier"] = point.scale
    return entry


def is_text_word(point: Point) -> bool:
    """A word of a fixed text (`devices.points.text_points`): identity, not a time series."""
    head, _, tail = point.name.rpartition("_w")
    return bool(head) and tail.isdigit()


def is_setting(point: Point) -> bool:
    """A writable point that holds what was written (a shared attribute can own it)."""
    return point.writable and not point.name.endswith("_ack") and point.name not in MOMENTARY


def slave(device: DeviceSpec, host: str, port: int, word_order: str) -> dict[str, Any]:
    """One device as a gateway slave: every point read, every writable point writable."""
    points = devices.KINDS[device.kind].POINTS
    ordered = sorted(points, key=lambda p: (list(READ_FC).index(p.table), p.address))
    return {
        "host": host, "port": port, "unitId": device.unit, "deviceName": device.id,
        "deviceType": device.kind, **SLAVE_DEFAULTS,
        # Bytes inside a register are always big-endian on the twin; words follow the gateway.
        "byteOrder": "BIG", "wordOrder": word_order.upper(),
        "attributes": [_entry(p, READ_FC[p.table]) for p in ordered if is_text_word(p)],
        "timeseries": [_entry(p, READ_FC[p.table]) for p in ordered if not is_text_word(p)],
        "attributeUpdates": [_entry(p, write_fc(p)) for p in ordered if is_setting(p)],
        "rpc": [_entry(p, write_fc(p)) for p in ordered if p.writable],
    }


def modbus_config(scenario: Scenario) -> dict[str, Any]:
    """The Modbus connector file: one slave per device of every gateway, by gateway and unit."""
    gateways = {g.id: g for g in scenario.gateways}
    slaves = [slave(d, gateways[d.gateway].host, gateways[d.gateway].port,
                    gateways[d.gateway].word_order)
              for d in sorted(scenario.devices, key=lambda d: (d.gateway, d.unit))]
    return {"master": {"slaves": slaves}}


def _security(scenario: Scenario) -> tuple[str, dict[str, Any]]:
    """The connector's `security` and `identity` for the twin's OPC UA settings.

    The gateway (3.8.3 `opcua_connector.py`) applies `security` only with certificate
    identity; with anonymous or user identity it opens a None channel whatever the field says,
    and its documented values are policies only (Basic128Rsa15, Basic256, Basic256Sha256). So:
    when the twin offers a None channel, log in with an identity that may acknowledge
    (anonymous when that is an operator, else the first operator or admin user); otherwise
    certificate identity with paths the user fills in.
    """
    op = scenario.opcua
    try:  # what `serve` offers by default; a scenario it refuses runs only with --insecure
        offered = offered_security(op)
    except ValueError:
        offered = op.security
    if "None" not in offered:
        mode = "SignAndEncrypt" if "Basic256Sha256_SignAndEncrypt" in op.security else "Sign"
        return "Basic256Sha256", {"type": "cert.PEM", "mode": mode,
                                  "caCert": "<out>/opcua/pki/own/server_cert.der (the twin's)",
                                  "cert": "gateway_cert.pem", "privateKey": "gateway_key.pem"}
    if op.anonymous_role in ("operator", "admin"):
        return "Basic256Sha256", {"type": "anonymous"}
    for i, user in enumerate(op.users):
        if user.role in ("operator", "admin"):
            return "Basic256Sha256", {"type": "username", "username": user.name,
                                      "password": user.secret(i)}
    return "Basic256Sha256", {"type": "anonymous"}


def device_mapping(device: DeviceSpec, ns: int) -> dict[str, Any]:
    points = devices.KINDS[device.kind].POINTS

    def ref(point: Point) -> dict[str, str]:
        return {"key": point.name, "type": "identifier",
                "value": f"${{ns={ns};s={device.id}.{point.name}}}"}

    return {
        "deviceNodeSource": "identifier",
        "deviceNodePattern": f"ns={ns};s={device.id}",
        "deviceInfo": {"deviceNameExpression": device.id,
                       "deviceNameExpressionSource": "constant",
                       "deviceProfileExpression": device.kind,
                       "deviceProfileExpressionSource": "constant"},
        "attributes": [ref(p) for p in points if is_text_word(p)],
        "timeseries": [ref(p) for p in points if not is_text_word(p)],
        "rpc_methods": [],
        "attributes_updates": [ref(p) for p in points if is_setting(p)],
    }


def opcua_config(targets: Targets) -> dict[str, Any]:
    """The OPC UA connector file: the server, how to log in, one mapping per device."""
    scenario = targets.scenario
    security, identity = _security(scenario)
    server = {
        "name": f"commtwin {scenario.name}", "url": targets.opcua_url,
        "timeoutInMillis": 5000, "scanPeriodInMillis": 3600000,
        # Subscriptions: an alarm reaches ThingsBoard when it changes, not up to a poll later.
        "pollPeriodInMillis": 5000, "enableSubscriptions": True, "subCheckPeriodInMillis": 100,
        "showMap": False, "security": security, "identity": identity,
    }
    return {"server": server,
            "mapping": [device_mapping(d, targets.namespace_index)
                        for d in sorted(scenario.devices, key=lambda d: d.id)]}


def readme(targets: Targets) -> str:
    """README.txt for the output folder: how to put the files into a gateway."""
    sc = targets.scenario
    gws = "\n".join(f"  {g.id}: {g.host}:{g.port}, {g.word_order} word order, "
                    f"{sum(d.gateway == g.id for d in sc.devices)} devices"
                    for g in sc.gateways)
    zero = any(g.port == 0 for g in sc.gateways) or ":0/" in targets.opcua_url
    return f"""ThingsBoard IoT Gateway configuration for commtwin scenario {sc.name}
Addresses from: {targets.source}

Files
  modbus.json  Modbus connector: one slave per device ({len(sc.devices)} devices)
{gws}
  opcua.json   OPC UA connector: {targets.opcua_url}, namespace index {targets.namespace_index}

Written for ThingsBoard IoT Gateway 3.8 (checked against 3.8.3). To use them:
  1. Copy modbus.json and/or opcua.json into the gateway's config folder
     (/etc/thingsboard-gateway/config for the package, the mounted config folder for Docker).
  2. In tb_gateway.json, list them under "connectors":
       {{"type": "modbus", "name": "commtwin Modbus", "configuration": "modbus.json"}}
       {{"type": "opcua", "name": "commtwin OPC UA", "configuration": "opcua.json"}}
     (or paste a file's content into a new connector's Advanced configuration in the
     ThingsBoard UI). Use one of the two for the same devices: both create the same device
     names, so running both reports every point twice.
  3. Start the twin first (`commtwin serve {sc.name}`), then restart the gateway.

Each device appears in ThingsBoard under its id, with its kind as the device profile. Every
point is a time series (fixed texts such as camera ids are attributes). To acknowledge an alarm:
  Modbus  the device RPC "<alarm>_ack" with params true (every writable point is an RPC of its
          own name; momentary commands such as reset and onsite are RPCs only);
  OPC UA  the gateway's reserved RPC "set" with params
          "ns={targets.namespace_index};s=<device>.<alarm>_ack; true".
Settings such as brightness_set are also shared attributes on both connectors.
{'''
NOTE: a port here is 0 (the scenario asks for any free port). Export again with
  --endpoints <out>/endpoints.json from the running twin to get the real ports.
''' if zero else ''}
If the twin listens on 0.0.0.0 or another machine, replace the host in the files by an address
the gateway can reach.
"""
