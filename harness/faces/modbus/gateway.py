"""A Modbus TCP gateway serving the live points of the world's devices under their unit ids.

One pymodbus `ModbusTcpServer` per scenario gateway. Each device is a `SimDevice` whose `action`
hook is awaited on every access: reads fill the block from the device's current points (after
bringing the world up to the present) and tell the world exactly which points the reply carried
(a bit read's own bits, not the words pymodbus stores them in); writes are decoded through the
point map and handed to the world as SimPy events before pymodbus reads them back. Both name the
client connection they came from (`Actor("modbus", peer="ip:port")`, from the request handler).
Framing, the spec's request checks and connection limits are `connection`'s.
Bad requests answer Modbus exceptions (02 unmapped — for bits, any unmapped bit in the range —
or read-only, 03 bad value, 04 unencodable value, 0B unknown unit) and never stop the server.
The scenario's faults and the gateway's quirks are applied per request by
`harness.faces.modbus.faults`.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from typing import Any

from pymodbus.constants import ExcCodes
from pymodbus.framer import FramerType
from pymodbus.simulator import DataType as SimType
from pymodbus.simulator import SimData, SimDevice

from devices import CodecError, Device, Point, Table, WordOrder, check_write
from harness.contract import ModbusEndpoint
from harness.faces.modbus.connection import MAX_CONNECTIONS, FaultyTcpServer
from harness.faces.modbus.faults import ASKER, FaultPolicy
from harness.faces.modbus.map import FC_TABLE, TABLE_ORDER, TableMap, WriteRefused, table_maps
from scenarios import Gateway
from sim import Actor, World

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Layout:
    """One register layout as pymodbus builds it: the SimData blocks and the built tables."""

    simdata: tuple[list[SimData], ...]
    built: dict[str, tuple[int, list[int], list[int]]]
    use_bit_addressing: bool | None  # what pymodbus' checks settle for this layout


#: Layouts by point list. pymodbus validates a SimDevice's blocks twice (on creation and on
#: building) and builds its tables register by register: ~0.3 ms a device, 8 s for a 31,000-
#: device community, though every device of a kind has the same layout. So a layout is
#: validated and built once (by pymodbus, unchanged), and each device gets its own copy of the
#: register lists. Keyed by the point tuple itself, which the entry keeps alive.
_LAYOUTS: dict[tuple[Point, ...], _Layout] = {}


def _layout(points: tuple[Point, ...], maps: dict[Table, TableMap]) -> _Layout:
    got = _LAYOUTS.get(points)
    if got is None:
        simdata = tuple([*maps[t].sim_blocks()] for t in TABLE_ORDER)
        checked = SimDevice(1, simdata=simdata)  # type: ignore[arg-type]  # pymodbus' checks
        built = checked.build_device()
        assert isinstance(built, dict)  # four tables given, four built
        got = _LAYOUTS[points] = _Layout(simdata, built, checked.use_bit_addressing)
        _BUILT[id(simdata)] = got
    return got


_BUILT: dict[int, _Layout] = {}


class _LaidOutDevice(SimDevice):
    """A SimDevice whose layout `_layout` has already validated and built."""

    def __post_init__(self) -> None:
        layout = _BUILT.get(id(self.simdata))
        if layout is None:
            raise TypeError("a _LaidOutDevice needs the simdata of a _layout()")
        self.use_bit_addressing = layout.use_bit_addressing  # the one field the checks set

    def build_device(self) -> dict[str, tuple[int, list[int], list[int]]]:
        built = _BUILT[id(self.simdata)].built
        # registers are per device (pymodbus stores writes in them); flags are read-only
        return {k: (start, list(regs), flags) for k, (start, regs, flags) in built.items()}


class ModbusGateway:
    def __init__(self, world: World, spec: Gateway, host: str | None = None,
                 port: int | None = None, max_connections: int = MAX_CONNECTIONS) -> None:
        self.world = world
        self.max_connections = max_connections
        self.spec = spec
        self.host = host or spec.host
        self.port = spec.port if port is None else port
        self.word_order = WordOrder(spec.word_order)
        self.devices: dict[int, Device] = {
            d.spec.unit: d for d in world.devices.values() if d.spec.gateway == spec.id}
        self._maps = {unit: table_maps(d.POINTS) for unit, d in self.devices.items()}
        self._server: FaultyTcpServer | None = None
        quirks = next((q for q in world.scenario.faults.quirks if q.gateway == spec.id), None)
        self.policy = FaultPolicy(spec.id, quirks, world.faults,
                                  {u: d.id for u, d in self.devices.items()}, world.sync)
        self.requests = 0
        self.exceptions = 0
        # Register images of recent reads, valid while the device's stored points are unchanged
        # (version) and within one of its register refresh periods (see Device.REFRESH_S).
        self._versions: dict[str, int] = dict.fromkeys((d.id for d in self.devices.values()), 0)
        self._images: dict[tuple[str, Table, int, int], tuple[tuple[int, int], list[int]]] = {}
        for d in self.devices.values():
            d.observe(self._bump)

    def _bump(self, device: Device, name: str, value: object, now: float) -> None:
        self._versions[device.id] += 1

    def _sim_device(self, unit: int) -> SimDevice:
        layout = _layout(self.devices[unit].POINTS, self._maps[unit])
        return _LaidOutDevice(unit, simdata=layout.simdata,  # type: ignore[arg-type]
                              action=functools.partial(self._action, unit))

    @staticmethod
    def _catch_all() -> SimDevice:
        """Unit 0 answers for every unit the gateway does not have: exception 0B, as real
        gateways do when the target device does not respond. pymodbus builds blocks register
        by register (~45 us each), so the catch-all spans the first 256 addresses of each
        table; beyond them an unknown unit answers 02."""
        bits = [SimData(0, count=16, datatype=SimType.BITS)]
        regs = [SimData(0, count=256, datatype=SimType.REGISTERS)]

        async def no_target(*_: object) -> ExcCodes:
            return ExcCodes.GATEWAY_NO_RESPONSE

        return SimDevice(0, simdata=(bits, list(bits), regs, list(regs)), action=no_target)

    async def start(self) -> ModbusEndpoint:
        sim_devices = [self._sim_device(u) for u in sorted(self.devices)] + [self._catch_all()]
        self._server = FaultyTcpServer(sim_devices, framer=FramerType.SOCKET,
                                       address=(self.host, self.port), policy=self.policy,
                                       max_connections=self.max_connections)
        await self._server.serve_forever(background=True)
        sockets: Any = getattr(self._server.transport, "sockets", None) or ()
        self.port = sockets[0].getsockname()[1]
        return self.endpoint

    @property
    def endpoint(self) -> ModbusEndpoint:
        return ModbusEndpoint("modbus", self.spec.id, f"modbus-tcp://{self.host}:{self.port}",
                              self.host, self.port, self.word_order.value,
                              {u: d.id for u, d in self.devices.items()})

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.shutdown()
            self._server = None

    async def _action(self, unit: int, fc: int, start: int, address: int, count: int,
                      image: list[int], written: list[int] | list[bool] | None) -> ExcCodes | None:
        self.requests += 1
        table = FC_TABLE.get(fc)
        if table is None:
            return self._refuse(ExcCodes.ILLEGAL_FUNCTION)
        device = self.devices[unit]
        tmap = self._maps[unit][table]
        self.world.sync()
        asker = ASKER.get()
        try:
            if written is not None:
                return self._write(device, tmap, address, written, asker.actor)
            # pymodbus hands bit reads a word count; the request's own bit count is exact.
            asked = asker.bits if tmap.table.is_bit else count
            return self._read(device, tmap, start, address, count, asked, image, asker.actor)
        except Exception:  # a bug must cost one answer, never the server
            log.exception("gateway %s unit %d fc %d address %d", self.spec.id, unit, fc, address)
            return self._refuse(ExcCodes.DEVICE_FAILURE)

    def _read(self, device: Device, tmap: TableMap, start: int, address: int, count: int,
              asked: int, image: list[int], actor: Actor) -> ExcCodes | None:
        """`count` block words (pymodbus' view), `asked` bits or registers (the request's)."""
        names = tmap.points_in(address, asked)
        if names is None:
            return self._refuse(ExcCodes.ILLEGAL_ADDRESS)
        lo = (address // 16 if tmap.table.is_bit else address) - start
        # Keyed by what was asked: two bit reads at one address may share words, not points.
        key = (device.id, tmap.table, address, asked)
        # A device refreshes its registers every REFRESH_S simulated seconds (a meter's
        # metrology cycle), as real ones do; an event (alarm, write) shows at once.
        stamp = (self._versions[device.id], int(self.world.env.now // device.REFRESH_S))
        cached = self._images.get(key)
        if cached is not None and cached[0] == stamp:
            image[lo:lo + count] = cached[1]
        else:
            # Compute only the points this request touches: a value computed on read costs
            # nothing unless someone reads it.
            try:
                tmap.fill(image, start, {n: device.read(n) for n in names}, self.word_order)
            except CodecError:
                return self._refuse(ExcCodes.DEVICE_FAILURE)
            if len(self._images) > 10_000:  # a client scanning every address/count pair
                self._images.clear()
            self._images[key] = (stamp, image[lo:lo + count])
        self.world.note_read(device.id, names, time.monotonic_ns(), by=actor)
        return None

    def _write(self, device: Device, tmap: TableMap, address: int,
               written: list[int] | list[bool], actor: Actor) -> ExcCodes | None:
        try:
            changes = tmap.decode_write(address, written, self.word_order)
            for point, value in changes:  # all or nothing: check every value first
                check_write(point, value)
            for point, value in changes:
                self.world.write(device.id, point.name, value, by=actor)
        except WriteRefused as refused:
            return self._refuse(ExcCodes(refused.code))
        except CodecError:
            return self._refuse(ExcCodes.ILLEGAL_VALUE)
        return None

    def _refuse(self, code: ExcCodes) -> ExcCodes:
        self.exceptions += 1
        return code
