"""The built-in reference platform: a real pymodbus client doing what a monitoring platform does.

Per gateway it polls every unit at a set interval, reading each table's span of the published
point map (the same map `commtwin points` prints), decodes it with the shared codec, and reacts to
alarms: after a processing delay it writes the alarm's ack point; a fire panel is then reset after
`reset_delay_s`, an emergency call confirmed on site after `travel_time_s`. All delays are wall
seconds: this is a platform outside the twin, and it knows the twin only through the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from pymodbus.client import AsyncModbusTcpClient

import devices
from devices import Point, Table, WordOrder, decode_point
from harness.contract import Endpoint, ModbusEndpoint
from harness.platforms.stats import PlatformStats
from scenarios import Platform, Scenario

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Unit:
    unit: int
    device_id: str
    points: tuple[Point, ...]
    alarms: tuple[str, ...]
    resolve: dict[str, str]  # alarm -> point that resolves it


class ReferencePlatform:
    def __init__(self, scenario: Scenario, endpoints: list[Endpoint],
                 work_dir: Path | None = None, settings: Platform | None = None) -> None:
        self.settings = settings or scenario.platform
        self.endpoints = [e for e in endpoints if isinstance(e, ModbusEndpoint)]
        if not self.endpoints:
            raise ValueError("the Modbus reference platform needs a Modbus endpoint")
        self.stats = PlatformStats()
        kinds = {d.id: devices.KINDS[d.kind] for d in scenario.devices}
        self._units: dict[str, list[_Unit]] = {}
        for ep in self.endpoints:
            self._units[ep.gateway] = [
                _Unit(unit, dev_id, kinds[dev_id].POINTS, kinds[dev_id].ALARMS,
                      {s.alarm: s.resolve_point for s in kinds[dev_id].INCIDENTS.values()
                       if s.resolve_point})
                for unit, dev_id in sorted(ep.units.items())]
        # (device, alarm) -> the activation (its `_seq`) last answered: one entry per alarm,
        # however long the platform runs
        self._handled: dict[tuple[str, str], int] = {}

    async def run(self, stop: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Poll every gateway until `stop` is set; `ready` is set at once (polling needs no
        set-up the run must wait for)."""
        if ready is not None:
            ready.set()
        async with asyncio.TaskGroup() as group:
            for ep in self.endpoints:
                group.create_task(self._poll_gateway(ep, stop))

    async def _poll_gateway(self, ep: ModbusEndpoint, stop: asyncio.Event) -> None:
        client = AsyncModbusTcpClient(ep.host, port=ep.port, timeout=2.0, retries=1)
        await client.connect()
        order = WordOrder(ep.word_order)
        lock = asyncio.Lock()  # one connection: reactions and polls take turns
        loop = asyncio.get_running_loop()
        responders: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                started = loop.time()
                for unit in self._units[ep.gateway]:
                    async with lock:
                        values = await self._read_unit(client, unit, order)
                    if values is not None:
                        self._react(client, lock, unit, values, responders)
                self.stats.polls += 1
                wait = self.settings.poll_interval_s - (loop.time() - started)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), max(wait, 0.0))
        finally:
            for task in responders:  # stop reacting before the connection goes
                task.cancel()
            await asyncio.gather(*responders, return_exceptions=True)
            client.close()

    async def _read_unit(self, client: AsyncModbusTcpClient, unit: _Unit,
                         order: WordOrder) -> dict[str, object] | None:
        values: dict[str, object] = {}
        for table, address, count in read_spans(unit.points):
            if table is Table.COIL:
                continue  # commands only: a platform reads states, it writes coils
            self.stats.requests += 1
            try:
                rr = await _READERS[table](client, address, count=count, device_id=unit.unit)
            except Exception as exc:  # pymodbus raises on timeouts and lost connections
                self.stats.error(f"{unit.device_id} {table.value}: {exc}")
                return None
            if rr.isError():
                self.stats.error(f"{unit.device_id} {table.value}: exception "
                                 f"{getattr(rr, 'exception_code', '?')}")
                return None
            for p in unit.points:
                if p.table is not table or not address <= p.address < address + count:
                    continue
                i = p.address - address
                if table.is_bit:
                    values[p.name] = bool(rr.bits[i])
                else:
                    values[p.name] = decode_point(p, list(rr.registers[i:i + p.count]), order)
        return values

    def _react(self, client: AsyncModbusTcpClient, lock: asyncio.Lock, unit: _Unit,
               values: dict[str, object], responders: set[asyncio.Task[None]]) -> None:
        for alarm in unit.alarms:
            if not values.get(alarm):
                continue
            seq = int(values.get(f"{alarm}_seq", 0))  # type: ignore[call-overload]
            if self._handled.get((unit.device_id, alarm)) == seq:
                continue
            self._handled[(unit.device_id, alarm)] = seq
            if not self.settings.acknowledge:
                continue
            task = asyncio.create_task(self._respond(client, lock, unit, alarm))
            responders.add(task)
            task.add_done_callback(responders.discard)

    async def _respond(self, client: AsyncModbusTcpClient, lock: asyncio.Lock, unit: _Unit,
                       alarm: str) -> None:
        await asyncio.sleep(self.settings.ack_delay_s)
        if await self._write_coil(client, lock, unit, f"{alarm}_ack"):
            self.stats.acks_sent += 1
        resolve = unit.resolve.get(alarm)
        if resolve is None:
            return
        delay = self.settings.travel_time_s if resolve == "onsite" else self.settings.reset_delay_s
        await asyncio.sleep(delay)
        if await self._write_coil(client, lock, unit, resolve):
            self.stats.resolutions_sent += 1

    async def _write_coil(self, client: AsyncModbusTcpClient, lock: asyncio.Lock, unit: _Unit,
                          name: str) -> bool:
        point = next(p for p in unit.points if p.name == name)
        self.stats.requests += 1
        try:
            async with lock:
                rr = await client.write_coil(point.address, True, device_id=unit.unit)
        except Exception as exc:
            self.stats.error(f"{unit.device_id} write {name}: {exc}")
            return False
        if rr.isError():
            self.stats.error(f"{unit.device_id} write {name}: exception "
                             f"{getattr(rr, 'exception_code', '?')}")
            return False
        return True


_READERS = {
    Table.DISCRETE_INPUT: AsyncModbusTcpClient.read_discrete_inputs,
    Table.INPUT_REGISTER: AsyncModbusTcpClient.read_input_registers,
    Table.HOLDING_REGISTER: AsyncModbusTcpClient.read_holding_registers,
}


def read_spans(points: tuple[Point, ...], max_count: int = 125) -> list[tuple[Table, int, int]]:
    """(table, address, count) requests that read every point, one per contiguous run.

    Computed from the published point map alone, as a platform configured from `commtwin points`
    would: a gap in the map is unmapped on the wire (a read across it answers 02), so runs split
    at gaps, and no request asks for more than `max_count` registers or bits.
    """
    out: list[tuple[Table, int, int]] = []
    ordered = sorted(points, key=lambda p: (list(Table).index(p.table), p.address))
    for table, group in groupby(ordered, key=lambda p: p.table):
        lo = hi = None
        for p in group:
            if lo is not None and hi is not None and p.address == hi and \
                    p.address + p.count - lo <= max_count:
                hi = p.address + p.count
                continue
            if lo is not None and hi is not None:
                out.append((table, lo, hi - lo))
            lo, hi = p.address, p.address + p.count
        if lo is not None and hi is not None:
            out.append((table, lo, hi - lo))
    return out
