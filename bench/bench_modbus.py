"""Modbus request latency and throughput: a twin gateway vs a bare pymodbus server with a plain
data block vs a raw asyncio echo server (the loopback floor), in the same run.

Each case: 1 or 10 client connections (pymodbus serialises requests per connection, so 10
pollers need 10 connections), each reading 10 or 125 input registers back to back. The twin
serves a world paced to wall time (`World.sync` on every request) and one unit whose 125
registers are all computed from time on read, as a meter's are. Clients and servers share one
event loop on a 2-core machine: absolute figures are noisy, ratios within a run are the point.
Not a test: timing is reported, never asserted.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.framer import FramerType
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType as SimType
from pymodbus.simulator import SimData, SimDevice

from devices import Access, DataType, Point, Table
from devices.electricity_meter import ElectricityMeter
from harness.faces.modbus.gateway import ModbusGateway
from scenarios import from_dict
from sim import World

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import tiny_dict

REQUESTS = 600        # per connection and case
REPEATS = 3


class WideMeter(ElectricityMeter):
    """A meter exposing 125 computed registers (a meter's per-phase/per-hour tables)."""

    POINTS: ClassVar[tuple[Point, ...]] = (
        *ElectricityMeter.POINTS,
        *(Point(f"h{i}", DataType.UINT16, Access.R,
                Table.INPUT_REGISTER, 100 + i, unit="Wh", description="hourly energy")
          for i in range(125)),
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        for i in range(125):
            self._computed[f"h{i}"] = lambda now, i=i: (self.profile.rate(now) * 1000 + i) % 65536


async def twin_server() -> tuple[int, Any]:
    doc = tiny_dict(duration_s=1e7)
    world = World(from_dict(doc))
    meter = world.devices["meter"]
    world.devices["meter"] = WideMeter(world.env, meter.spec, meter.rng)
    world.live_clock(speed=1.0).start()
    gw = ModbusGateway(world, world.scenario.gateways[0], port=0)
    ep = await gw.start()
    return ep.port, gw.stop


async def bare_server() -> tuple[int, Any]:
    bits = [SimData(0, count=16, datatype=SimType.BITS)]
    regs = [SimData(0, count=256, datatype=SimType.REGISTERS)]
    dev = SimDevice(3, simdata=(bits, list(bits), regs, list(regs)))  # type: ignore[arg-type]
    server = ModbusTcpServer([dev], framer=FramerType.SOCKET, address=("127.0.0.1", 0))
    await server.serve_forever(background=True)
    port = server.transport.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    return port, server.shutdown


async def echo_server() -> tuple[int, Any]:
    """The floor: answer each Modbus-sized request with a response of the same size."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                req = await reader.readexactly(12)
                n = int.from_bytes(req[10:12], "big")
                writer.write(req[:4] + (3 + 2 * n).to_bytes(2, "big") + req[6:8]
                             + bytes([2 * n]) + bytes(2 * n))
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)

    async def stop() -> None:
        server.close()
        await server.wait_closed()
    return server.sockets[0].getsockname()[1], stop


async def echo_client(port: int, count: int, n: int, lat: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for tid in range(n):
        t0 = time.perf_counter_ns()
        writer.write(tid.to_bytes(2, "big") + b"\0\0\0\x06\x03\x04\0\0" + count.to_bytes(2, "big"))
        head = await reader.readexactly(6)
        await reader.readexactly(int.from_bytes(head[4:6], "big"))
        lat.append(time.perf_counter_ns() - t0)
    writer.close()


async def modbus_client(port: int, count: int, n: int, lat: list[int]) -> None:
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=5, retries=0)
    await client.connect()
    for _ in range(n):
        t0 = time.perf_counter_ns()
        rr = await client.read_input_registers(100, count=count,
                                               device_id=3)
        lat.append(time.perf_counter_ns() - t0)
        if rr.isError():
            raise RuntimeError(f"exception {rr.exception_code}")
    client.close()


async def case(server: str, clients: int, count: int) -> tuple[float, float, float]:
    start = {"twin": twin_server, "bare": bare_server, "echo": echo_server}[server]
    port, stop = await start()
    run = echo_client if server == "echo" else modbus_client
    lat: list[int] = []
    n = REQUESTS if clients == 1 else REQUESTS // 2
    gc.collect()
    t0 = time.perf_counter()
    await asyncio.gather(*(run(port, count, n, lat) for _ in range(clients)))
    wall = time.perf_counter() - t0
    await stop()
    lat.sort()
    return lat[len(lat) // 2] / 1e6, lat[int(len(lat) * 0.99)] / 1e6, len(lat) / wall


async def amain() -> list[dict[str, object]]:
    results: dict[tuple[str, int, int], list[tuple[float, float, float]]] = {}
    for _ in range(REPEATS):  # interleaved, so drift in machine load hits every case alike
        for clients in (1, 10):
            for count in (10, 125):
                for server in ("echo", "bare", "twin"):
                    results.setdefault((server, clients, count), []).append(
                        await case(server, clients, count))
    rows: list[dict[str, object]] = []
    for (server, clients, count), runs in results.items():
        p50 = statistics.median(r[0] for r in runs)
        bare50 = statistics.median(r[0] for r in results[("bare", clients, count)])
        rows.append({"bench": "modbus", "case": f"{server}, {clients} conn, {count} regs",
                     "p50_ms": p50, "p99_ms": statistics.median(r[1] for r in runs),
                     "req_per_s": statistics.median(r[2] for r in runs),
                     "ratio": p50 / bare50,
                     "target": "p50 <= 1.3x bare" if server == "twin" else ""})
    return rows


def main() -> list[dict[str, object]]:
    return asyncio.run(amain())


if __name__ == "__main__":
    for row in main():
        print(row)
