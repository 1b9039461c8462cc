"""OPC UA and Modbus serve the same number: every computed point of every device kind, read
over both faces by real clients at one simulated instant of a paused world.

Computed points (a meter's kWh, a charger's current, a light's lux) are the ones each face
computes on its own when asked, so they are where the faces could drift apart; stored points
are set from one observer event and are covered by the OPC UA server tests.
"""

from __future__ import annotations

from pathlib import Path

from asyncua import Client
from pymodbus.client import AsyncModbusTcpClient

import devices
from devices import Point, Table, WordOrder, decode_point
from harness.faces.modbus.gateway import ModbusGateway
from harness.faces.opcua.server import OpcUaServer, computed_points
from scenarios import from_dict
from scenarios.opcua import OpcUa
from sim import World
from tests.conftest import tiny_dict

#: Simulated instants to compare at: night, morning peak, mid-afternoon (not on a period edge).
INSTANTS_S = (3 * 3600 + 0.25, 8 * 3600 + 1234.5, 15 * 3600 + 17.75)


def every_kind() -> World:
    doc = tiny_dict(duration_s=86400.0)
    doc["devices"] = [{"id": f"d-{kind}", "kind": kind, "building": "B1", "floor": 2,
                       "position": [12 + i, 12], "gateway": "gw", "unit": i + 1,
                       **({"watch_floors": 6} if kind == "throwing_camera" else {})}
                      for i, kind in enumerate(sorted(devices.KINDS))]
    doc["incidents"] = {"rates_per_hour": {}}
    return World(from_dict(doc))


async def modbus_value(client: AsyncModbusTcpClient, unit: int, point: Point,
                       order: WordOrder) -> float | int | bool:
    read = {Table.COIL: client.read_coils, Table.DISCRETE_INPUT: client.read_discrete_inputs,
            Table.INPUT_REGISTER: client.read_input_registers,
            Table.HOLDING_REGISTER: client.read_holding_registers}[point.table]
    rr = await read(point.address, count=point.count, device_id=unit)
    assert not rr.isError(), (point.name, rr)
    if point.table.is_bit:
        return bool(rr.bits[0])
    return decode_point(point, list(rr.registers), order)


async def test_opcua_and_modbus_reads_agree_on_every_computed_point(tmp_path: Path) -> None:
    world = every_kind()  # no live clock: the world moves only when the test runs it
    gw = ModbusGateway(world, world.scenario.gateways[0], port=0)
    ep = await gw.start()
    opc = OpcUaServer(world, OpcUa(port=0, security=("None",), anonymous_role="viewer"),
                      out_dir=tmp_path, insecure=True)
    url = (await opc.start()).url
    mb = AsyncModbusTcpClient("127.0.0.1", port=ep.port, timeout=5, retries=0)
    await mb.connect()
    ua_client = Client(url, timeout=10)
    await ua_client.connect()
    kinds_seen: set[str] = set()
    compared = 0
    try:
        for at in INSTANTS_S:
            world.run_virtual(until_s=at)
            for unit, device in sorted(gw.devices.items()):
                for name in computed_points(device):
                    point = device.point_map[name]
                    on_modbus = await modbus_value(mb, unit, point, gw.word_order)
                    node = ua_client.get_node(opc.index.by_point[(device.id, name)].nodeid)
                    on_opcua = await node.read_value()
                    assert world.env.now == at  # paused: both reads at the same instant
                    assert (device.KIND, name, on_opcua) == (device.KIND, name, on_modbus)
                    assert type(on_opcua) is type(on_modbus) or isinstance(on_opcua, float)
                    kinds_seen.add(device.KIND)
                    compared += 1
    finally:
        mb.close()
        await ua_client.disconnect()
        await opc.stop()
        await gw.stop()
    with_computed = {k for k, cls in devices.KINDS.items()
                     if computed_points(next(d for d in world.devices.values()
                                             if isinstance(d, cls)))}
    assert kinds_seen == with_computed and len(kinds_seen) >= 10
    assert compared >= 3 * len(with_computed)
    print(f"compared {compared} reads over {len(kinds_seen)} kinds: {sorted(kinds_seen)}")
