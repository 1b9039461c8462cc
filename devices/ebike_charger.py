"""E-bike charging station with N ports (智能充电设施 indicator 6): timed charging, automatic
power-off when full, and fault alarms that cut the port and latch.

Each installed port runs one SimPy process whose events are what happens: a resident plugs in, the
session ends (timed limit reached, or the battery is full), a fault cuts it. In between, the
current, session energy and port temperature are computed from `env.now` when read: constant
current (CC) for `cc_s`, then an exponential taper; the charger powers off when the current falls
below `FULL_CURRENT_A`, i.e. at `cc_s + tau * ln(I0 / FULL_CURRENT_A)`. The timed limit
(`p<k>_limit_min`, written by the platform) cuts the session earlier if it is shorter.

Alarms are station-wide (a platform sees one state per alarm); `fault_port` says which port
(1-based; 0 = the whole station, as smoke cuts every port). Alarms latch until `reset`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import simpy

from devices.base import Device, IncidentSpec, Value, alarm_table, check_point_map
from devices.points import Access, DataType, Point, Table
from scenarios import Device as DeviceSpec

MAX_PORTS = 8
FULL_CURRENT_A = 0.3      # below this the battery counts as full: auto power-off
CC_CURRENT_A = 2.5        # a 48 V e-bike charger draws about 2-3 A from the mains side
VOLTAGE_V = 220.0
TAPER_TAU_S = 1800.0
DEFAULT_LIMIT_MIN = 480   # 8 h: the usual default of community chargers
PLUG_GAP_MEAN_S = 10 * 3600.0

# Port states as read from p<k>_state.
IDLE, CHARGING, FULL, TIMED_OUT, CUT, ABSENT = 0, 1, 2, 3, 4, 5


def _port_points(k: int) -> tuple[Point, ...]:
    base = 20 + 5 * k
    return (
        Point(f"p{k}_state", DataType.UINT16, Access.R, Table.INPUT_REGISTER, base,
              description=f"port {k + 1}: 0 idle, 1 charging, 2 stopped full, "
                          "3 stopped at time limit, 4 cut by fault, 5 not installed"),
        Point(f"p{k}_current_a", DataType.UINT16, Access.R, Table.INPUT_REGISTER, base + 1,
              unit="A", scale=0.01, description=f"port {k + 1}: charging current"),
        Point(f"p{k}_energy_kwh", DataType.UINT16, Access.R, Table.INPUT_REGISTER, base + 2,
              unit="kWh", scale=0.001, description=f"port {k + 1}: energy this session"),
        Point(f"p{k}_temp_c", DataType.INT16, Access.R, Table.INPUT_REGISTER, base + 3,
              unit="°C", scale=0.1, description=f"port {k + 1}: socket temperature"),
        Point(f"p{k}_limit_min", DataType.UINT16, Access.RW, Table.HOLDING_REGISTER, k,
              unit="min", write_range=(1, 1440),
              description=f"port {k + 1}: timed charging limit (applies to a running session)"),
    )


@dataclass
class _Session:
    start_s: float
    cc_s: float
    end_s: float | None = None   # when the current stopped (None: still charging)

    def current(self, now: float) -> float:
        t = now - self.start_s if self.end_s is None else min(now, self.end_s) - self.start_s
        if self.end_s is not None and now >= self.end_s:
            return 0.0
        if t <= self.cc_s:
            return CC_CURRENT_A
        return CC_CURRENT_A * math.exp(-(t - self.cc_s) / TAPER_TAU_S)

    def charge_ah(self, now: float) -> float:
        t = max(0.0, (now if self.end_s is None else min(now, self.end_s)) - self.start_s)
        cc = min(t, self.cc_s)
        taper = max(0.0, t - self.cc_s)
        return (CC_CURRENT_A * cc + CC_CURRENT_A * TAPER_TAU_S
                * (1.0 - math.exp(-taper / TAPER_TAU_S))) / 3600.0


class EbikeCharger(Device):
    KIND = "ebike_charger"
    POINTS: ClassVar[tuple[Point, ...]] = (
        *alarm_table(("over_current", "port over-current (port cut, latched)"),
                     ("over_temperature", "port over-temperature (port cut, latched)"),
                     ("smoke", "smoke in the charging place (all ports cut, latched)")),
        Point("fault_port", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 10,
              description="port of the last fault, 1-based; 0: the whole station"),
        Point("ports_installed", DataType.UINT16, Access.R, Table.INPUT_REGISTER, 11,
              description="charging ports on this station"),
        Point("power_w", DataType.UINT32, Access.R, Table.INPUT_REGISTER, 12, unit="W",
              description="total charging power"),
        Point("reset", DataType.BOOL, Access.RW, Table.COIL, 8,
              description="write 1 to clear latched alarms and re-enable cut ports"),
        *(p for k in range(MAX_PORTS) for p in _port_points(k)),
    )
    ALARMS = ("over_current", "over_temperature", "smoke")
    INCIDENTS: ClassVar[dict[str, IncidentSpec]] = {
        "charger_over_current": IncidentSpec("over_current", resolve_point="reset",
                                             description="a port draws over-current"),
        "charger_over_temperature": IncidentSpec("over_temperature", resolve_point="reset",
                                                 description="a port's socket overheats"),
        "charger_smoke": IncidentSpec("smoke", resolve_point="reset",
                                      description="smoke detected at the charging place"),
    }

    def __init__(self, env: simpy.Environment, spec: DeviceSpec, rng: np.random.Generator,
                 plug_gap_mean_s: float = PLUG_GAP_MEAN_S) -> None:
        super().__init__(env, spec, rng)
        self.ports = spec.ports
        self._sessions: list[_Session | None] = [None] * MAX_PORTS
        self._procs: list[simpy.Process | None] = [None] * MAX_PORTS
        self._values["ports_installed"] = self.ports
        for k in range(MAX_PORTS):
            self._values[f"p{k}_limit_min"] = DEFAULT_LIMIT_MIN
            self._values[f"p{k}_state"] = IDLE if k < self.ports else ABSENT
            self._computed[f"p{k}_current_a"] = functools.partial(self._current, k)
            self._computed[f"p{k}_energy_kwh"] = functools.partial(self._energy, k)
            self._computed[f"p{k}_temp_c"] = functools.partial(self._temperature, k)
        self._computed["power_w"] = lambda now: round(
            VOLTAGE_V * sum(self._current(k, now) for k in range(self.ports)))
        for k in range(self.ports):
            self._procs[k] = env.process(self._residents(k, plug_gap_mean_s))

    # -- computed on read ---------------------------------------------------------------
    def _current(self, k: int, now: float) -> float:
        s = self._sessions[k]
        return 0.0 if s is None or self._values[f"p{k}_state"] != CHARGING else s.current(now)

    def _temperature(self, k: int, now: float) -> float:
        return 25.0 + 12.0 * self._current(k, now) / CC_CURRENT_A

    def _energy(self, k: int, now: float) -> float:
        s = self._sessions[k]
        return 0.0 if s is None else s.charge_ah(now) * VOLTAGE_V / 1000.0

    def full_after_s(self, k: int) -> float:
        """Seconds from plug-in to automatic power-off for the session on port k."""
        s = self._sessions[k]
        assert s is not None
        return s.cc_s + TAPER_TAU_S * math.log(CC_CURRENT_A / FULL_CURRENT_A)

    # -- what happens -------------------------------------------------------------------
    def plug_in(self, k: int, cc_s: float) -> None:
        """A resident plugs a bike into port k (tests call this directly)."""
        if self._values[f"p{k}_state"] in (CHARGING, CUT, ABSENT):
            return
        self._sessions[k] = _Session(self.env.now, cc_s)
        self._set(f"p{k}_state", CHARGING)
        self._wake(k)

    def _residents(self, k: int, gap_mean_s: float) -> Generator[simpy.Event, Any, None]:
        while True:
            try:
                if self._values[f"p{k}_state"] == CHARGING:
                    s = self._sessions[k]
                    assert s is not None
                    limit_end = s.start_s + 60.0 * float(self._values[f"p{k}_limit_min"])
                    full_end = s.start_s + self.full_after_s(k)
                    end = min(limit_end, full_end)
                    yield self.env.timeout(max(0.0, end - self.env.now))
                    s.end_s = self.env.now
                    self._set(f"p{k}_state", FULL if full_end <= limit_end else TIMED_OUT)
                else:
                    yield self.env.timeout(float(self.rng.exponential(gap_mean_s)))
                    # A bike arrives: from a few hours of CC (nearly empty) to minutes (topped up).
                    self.plug_in(k, float(self.rng.uniform(600.0, 5 * 3600.0)))
            except simpy.Interrupt:
                continue  # plug-in, new limit, cut or reset: re-plan from the new state

    def _cut(self, k: int) -> None:
        s = self._sessions[k]
        if s is not None and s.end_s is None:
            s.end_s = self.env.now
        self._set(f"p{k}_state", CUT)
        self._wake(k)

    def _wake(self, k: int) -> None:
        proc = self._procs[k]
        if proc is not None and proc.is_alive and proc is not self.env.active_process:
            proc.interrupt("changed")

    def inject(self, incident_kind: str, clear_after_s: float | None) -> IncidentSpec:
        spec = self.INCIDENTS[incident_kind]
        if spec.alarm == "smoke":
            for k in range(self.ports):
                self._cut(k)
            self._set("fault_port", 0)
        else:
            charging = [k for k in range(self.ports) if self._values[f"p{k}_state"] == CHARGING]
            pool = charging or list(range(self.ports))
            k = pool[int(self.rng.integers(len(pool)))]
            self._cut(k)
            self._set("fault_port", k + 1)
        return super().inject(incident_kind, clear_after_s)

    def on_write(self, name: str, value: Value) -> None:
        if name == "reset":
            if value:
                for alarm in self.ALARMS:
                    self.clear_alarm(alarm)
                for k in range(self.ports):
                    if self._values[f"p{k}_state"] == CUT:
                        self._set(f"p{k}_state", IDLE)
                        self._wake(k)
            return
        super().on_write(name, int(value) if name.endswith("_limit_min") else value)
        if name.endswith("_limit_min"):
            self._wake(int(name[1:name.index("_")]))


check_point_map(EbikeCharger.KIND, EbikeCharger.POINTS)
