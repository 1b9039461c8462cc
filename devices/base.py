"""What every device kind shares: point storage, alarms, and writes that arrive as SimPy events.

A device owns its points; nothing else holds a copy. A point's value is either stored (set by an
event: an alarm trips, the platform writes) or computed from `env.now` when read (a meter's kWh),
so a value that merely changes with time costs no SimPy event.

Every alarm has the same four points: `<alarm>` (state bit), `<alarm>_ack` (write 1 to
acknowledge; reads 1 while acknowledged), `<alarm>_seq` (activations so far) and
`<alarm>_changed_at` (simulated second of the last change).

Observers (the world's trace, the incident tracker) are attached from outside; a device never
logs, reads the wall clock or opens a socket.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import simpy

from devices.faults import SensorFault
from devices.points import Access, CodecError, DataType, Point, Table, check_write
from scenarios import Device as DeviceSpec

Value = float | int | bool
Observer = Callable[["Device", str, Value, float], None]


@dataclass(frozen=True)
class IncidentSpec:
    """How an incident kind shows on a device kind and how it ends."""

    alarm: str
    #: Point the platform writes to resolve it (None: the device clears it by itself).
    resolve_point: str | None
    description: str


def alarm_points(name: str, di: int, coil: int, ir: int, description: str) -> tuple[Point, ...]:
    """The four points of one alarm: state (DI), ack (coil), sequence and time (IR)."""
    return (
        Point(name, DataType.BOOL, Access.R, Table.DISCRETE_INPUT, di,
              description=f"{description}: 1 while active"),
        Point(f"{name}_ack", DataType.BOOL, Access.RW, Table.COIL, coil,
              description=f"{description}: write 1 to acknowledge; reads 1 while acknowledged"),
        Point(f"{name}_seq", DataType.UINT16, Access.R, Table.INPUT_REGISTER, ir,
              description=f"{description}: activations so far (wraps at 65536)"),
        Point(f"{name}_changed_at", DataType.UINT32, Access.R, Table.INPUT_REGISTER, ir + 1,
              unit="s", description=f"{description}: simulated second of the last change"),
    )


def alarm_table(*alarms: tuple[str, str], di: int = 0, coil: int = 0,
                ir: int = 0) -> tuple[Point, ...]:
    """Several alarms in consecutive slots: alarm i at DI di+i, coil coil+i, IR ir+3i."""
    return tuple(p for i, (name, text) in enumerate(alarms)
                 for p in alarm_points(name, di + i, coil + i, ir + 3 * i, text))


class Device:
    """Base of every device kind. Subclasses declare POINTS, ALARMS and INCIDENTS as data."""

    KIND: ClassVar[str]
    POINTS: ClassVar[tuple[Point, ...]]
    ALARMS: ClassVar[tuple[str, ...]] = ()
    #: How often the device refreshes the values it computes (simulated seconds): protocol
    #: faces may serve the same sample within one period, as a real meter's registers update
    #: once per metrology cycle. Stored points (alarms, writes) are never held back.
    REFRESH_S: ClassVar[float] = 1.0
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {}

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator) -> None:
        self.env = env
        self.spec = spec
        self.rng = rng
        self.point_map = {p.name: p for p in self.POINTS}
        self._values: dict[str, Value] = {p.name: (False if p.dtype is DataType.BOOL else 0)
                                          for p in self.POINTS}
        self._computed: dict[str, Callable[[float], Value]] = {}
        self._observers: list[Observer] = []
        #: Device-level faults (set by `sim.faults`): an offline device answers nothing on any
        #: protocol; a sensor fault distorts the values computed from time (not alarms).
        self.online = True
        self.sensor_fault: SensorFault | None = None

    @property
    def id(self) -> str:
        return self.spec.id

    # -- reading and writing, the only doors protocol servers use -------------------------
    def read(self, name: str) -> Value:
        """A point's value now. A computed value is the one sampled at the start of the current
        refresh period (`REFRESH_S`), as a meter's registers hold one metrology cycle's figure:
        every face reading within one period sees the same number."""
        compute = self._computed.get(name)
        if compute is None:
            return self._values[name]
        sampled = math.floor(self.env.now / self.REFRESH_S) * self.REFRESH_S
        value = compute(sampled)
        if self.sensor_fault is not None:
            return self.sensor_fault.apply(self.point_map[name], value, sampled)
        return value

    def read_all(self) -> dict[str, Value]:
        return {name: self.read(name) for name in self.point_map}

    def submit_write(self, name: str, value: Value) -> None:
        """Queue an outside write; it takes effect as a SimPy event at the current time.

        Raises `KeyError` for an unknown point and `CodecError` for a read-only point or a value
        outside the point's range, so the caller can answer in its own protocol.
        """
        check_write(self.point_map[name], value)
        # One zero-delay event per write, no standing process per device: 30k idle devices
        # cost nothing until someone writes to them.
        event = self.env.timeout(0)
        event.callbacks.append(lambda _: self.on_write(name, value))

    def observe(self, observer: Observer) -> None:
        self._observers.append(observer)

    # -- alarms -----------------------------------------------------------------------------
    def alarm_active(self, alarm: str) -> bool:
        return bool(self._values[alarm])

    def raise_alarm(self, alarm: str) -> None:
        """Trip an alarm: state 1, a new sequence number, unacknowledged (even if it was on)."""
        self._set(f"{alarm}_seq", (int(self._values[f"{alarm}_seq"]) + 1) % 0x10000)
        self._set(f"{alarm}_changed_at", int(self.env.now))
        self._set(f"{alarm}_ack", False)
        self._set(alarm, True)

    def clear_alarm(self, alarm: str) -> None:
        if not self._values[alarm]:
            return
        self._set(f"{alarm}_changed_at", int(self.env.now))
        # `_ack` stays as it is: clearing neither acknowledges an activation nor undoes its
        # acknowledgement (a new activation starts unacknowledged, in `raise_alarm`).
        self._set(alarm, False)

    def inject(self, incident_kind: str, clear_after_s: float | None) -> IncidentSpec:
        """Make an incident happen now (called from the injector's SimPy process)."""
        spec = self.INCIDENTS[incident_kind]
        self.raise_alarm(spec.alarm)
        if spec.resolve_point is None and clear_after_s is not None:
            self.env.process(self._clear_later(spec.alarm, clear_after_s))
        return spec

    # -- behaviour ------------------------------------------------------------------------
    def on_write(self, name: str, value: Value) -> None:
        """Apply one outside write. Subclasses extend this for their own command points."""
        if name.endswith("_ack") and name[:-4] in self.ALARMS:
            alarm = name[:-4]
            # An activation stays unacknowledged after it clears, until someone acknowledges it
            # (as an OPC UA condition does); an alarm never raised has nothing to acknowledge.
            if value and (self._values[alarm] or self._values[f"{alarm}_seq"]):
                self._set(name, True)
            return
        self._set(name, value)

    def _clear_later(self, alarm: str, delay_s: float) -> Generator[simpy.Event, Any, None]:
        seq = self._values[f"{alarm}_seq"]
        yield self.env.timeout(delay_s)
        # A newer activation owns its own clearing.
        if self._values[f"{alarm}_seq"] == seq:
            self.clear_alarm(alarm)

    def _set(self, name: str, value: Value) -> None:
        if self._values[name] == value and type(self._values[name]) is type(value):
            return
        self._values[name] = value
        for observer in self._observers:
            observer(self, name, value, self.env.now)


def points_by_table(points: Iterable[Point]) -> dict[Table, list[Point]]:
    out: dict[Table, list[Point]] = {t: [] for t in Table}
    for p in points:
        out[p.table].append(p)
    for table_points in out.values():
        table_points.sort(key=lambda p: p.address)
    return out


def check_point_map(kind: str, points: tuple[Point, ...]) -> None:
    """Refuse a point map with duplicate names or overlapping addresses (at import time)."""
    names: set[str] = set()
    for p in points:
        if p.name in names:
            raise CodecError(f"{kind}: point {p.name} declared twice")
        names.add(p.name)
    for table, table_points in points_by_table(points).items():
        used: dict[int, str] = {}
        for p in table_points:
            for addr in p.span():
                if addr in used:
                    raise CodecError(f"{kind}: {p.name} overlaps {used[addr]} at "
                                     f"{table.value} {addr}")
                used[addr] = p.name
