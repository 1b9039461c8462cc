"""ThingsBoard IoT Gateway files: every device and point of the demo, checked against the point
maps in `devices.KINDS` (not against the exporter's own tables) and against JSON Schemas written
from the gateway's documentation (tests/harness/data/thingsboard_*.schema.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import devices
from devices import DataType, Table
from harness.contract import live, thingsboard
from scenarios import Scenario

DATA = Path(__file__).parent / "data"
# The gateway's own names, written out here a second time on purpose (3.8.3 constants.py).
READ_FC = {Table.COIL: 1, Table.DISCRETE_INPUT: 2, Table.HOLDING_REGISTER: 3,
           Table.INPUT_REGISTER: 4}
TYPES = {DataType.BOOL: "bits", DataType.UINT16: "16uint", DataType.INT16: "16int",
         DataType.UINT32: "32uint", DataType.INT32: "32int", DataType.FLOAT32: "32float"}


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((DATA / f"thingsboard_{name}.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(name: str, doc: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(doc)]


@pytest.mark.parametrize("name", ["modbus", "opcua"])
def test_the_schemas_accept_the_gateways_own_example(name: str) -> None:
    # A schema stricter than the gateway would prove nothing about our files.
    example = json.loads((DATA / f"tb_gateway_3.8.3_example_{name}.json").read_text("utf-8"))
    assert errors(name, example) == []


def test_modbus_json_validates_and_covers_every_point_of_the_demo(demo: Scenario) -> None:
    doc = thingsboard.modbus_config(demo)
    assert errors("modbus", doc) == []
    slaves = {s["deviceName"]: s for s in doc["master"]["slaves"]}
    assert sorted(slaves) == sorted(d.id for d in demo.devices)
    gateways = {g.id: g for g in demo.gateways}
    problems = []
    for device in demo.devices:
        s, gw = slaves[device.id], gateways[device.gateway]
        assert (s["host"], s["port"], s["unitId"], s["deviceType"]) == (
            gw.host, gw.port, device.unit, device.kind)
        assert (s["byteOrder"], s["wordOrder"]) == ("BIG", gw.word_order.upper())
        read = {e["tag"]: e for e in s["timeseries"] + s["attributes"]}
        points = devices.KINDS[device.kind].POINTS
        assert len(s["timeseries"]) + len(s["attributes"]) == len(points) == len(read)
        for p in points:
            e = read.get(p.name)
            want = (p.address, READ_FC[p.table], p.count, TYPES[p.dtype])
            got = e and (e["address"], e["functionCode"], e["objectsCount"], e["type"])
            if got != want:
                problems.append(f"{device.id}.{p.name}: {got} != {want}")
        rpc = {e["tag"]: e for e in s["rpc"]}
        assert sorted(rpc) == sorted(p.name for p in points if p.writable)
        for p in points:
            if p.writable:
                fc = 5 if p.table is Table.COIL else (6 if p.count == 1 else 16)
                assert (rpc[p.name]["functionCode"], rpc[p.name]["address"]) == (fc, p.address)
    assert problems == []


def test_the_gateways_scaling_gives_the_twins_engineering_value(demo: Scenario) -> None:
    # The gateway divides (or multiplies) the raw register; the twin's codec says what the
    # value means. Both must agree for every scaled point of every kind.
    seen = 0
    for kind, cls in devices.KINDS.items():
        for p in cls.POINTS:
            e = thingsboard.slave(demo.devices[0].model_copy(update={"kind": kind}),
                                  "h", 1, "big")
            entry = next(x for x in e["timeseries"] + e["attributes"] if x["tag"] == p.name)
            raw = [1234] if p.count == 1 else [0, 1234]
            if p.dtype is DataType.FLOAT32 or p.table.is_bit:
                assert "divider" not in entry and "multiplier" not in entry
                continue
            value = devices.decode_point(p, raw)
            gateway = (1234 / entry["divider"] if "divider" in entry
                       else 1234 * entry.get("multiplier", 1))
            assert gateway == pytest.approx(value), (kind, p.name)
            seen += "divider" in entry or "multiplier" in entry
    assert seen > 0


def test_acks_and_commands_are_rpcs_settings_are_also_shared_attributes(demo: Scenario) -> None:
    doc = thingsboard.modbus_config(demo)
    fire = next(s for s in doc["master"]["slaves"] if s["deviceType"] == "fire_panel")
    assert {"fire_ack", "fault_ack", "reset"} <= {e["tag"] for e in fire["rpc"]}
    assert fire["attributeUpdates"] == []
    light = next(s for s in doc["master"]["slaves"] if s["deviceType"] == "smart_light")
    assert {e["tag"] for e in light["attributeUpdates"]} == {"power", "brightness_set", "mode"}
    cam = next(s for s in doc["master"]["slaves"] if s["deviceType"] == "cctv_camera")
    tags = [e["tag"] for e in cam["attributes"]]
    assert [f"gb_id_w{i}" for i in range(10)] == [t for t in tags if t.startswith("gb_id_")]
    assert not any(t.startswith("gb_id") for t in (e["tag"] for e in cam["timeseries"]))


def test_opcua_json_maps_every_device_and_kind_by_nodeid(demo: Scenario) -> None:
    doc = thingsboard.opcua_config(live.configured(demo))
    assert errors("opcua", doc) == []
    assert doc["server"]["url"] == "opc.tcp://127.0.0.1:4840/commtwin/"
    # The twin offers no None channel by default: certificate identity, encrypted.
    assert doc["server"]["identity"]["type"] == "cert.PEM"
    mapping = {m["deviceInfo"]["deviceNameExpression"]: m for m in doc["mapping"]}
    assert sorted(mapping) == sorted(d.id for d in demo.devices)
    assert {m["deviceInfo"]["deviceProfileExpression"] for m in doc["mapping"]} == set(
        devices.KINDS)
    for device in demo.devices:
        m = mapping[device.id]
        assert m["deviceNodePattern"] == f"ns=2;s={device.id}"
        values = {v["key"]: v["value"] for v in m["timeseries"] + m["attributes"]}
        assert values == {p.name: f"${{ns=2;s={device.id}.{p.name}}}"
                          for p in devices.KINDS[device.kind].POINTS}


def test_opcua_login_follows_the_twins_security(demo: Scenario) -> None:
    def identity(**opcua: Any) -> dict[str, Any]:
        sc = demo.model_copy(update={"opcua": demo.opcua.model_copy(update=opcua)})
        doc = thingsboard.opcua_config(live.configured(sc))
        assert errors("opcua", doc) == []
        return dict(doc["server"]["identity"])

    # A twin served with --insecure for a None-only scenario: the gateway's None channel.
    # Anonymous may only view: log in as the scenario's operator so acknowledgements work.
    assert identity(security=("None",), anonymous_role="viewer") == {
        "type": "username", "username": "operator", "password": "operator-demo"}
    assert identity(security=("None",), anonymous_role="operator") == {"type": "anonymous"}
    # No None channel offered (the default without --insecure): certificate identity.
    for security in (("Basic256Sha256_SignAndEncrypt",),
                     ("None", "Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt")):
        cert = identity(security=security)
        assert (cert["type"], cert["mode"]) == ("cert.PEM", "SignAndEncrypt")
