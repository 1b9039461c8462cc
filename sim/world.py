"""The world: one SimPy environment holding every device, the injector, the trace and lifecycles.

Build first, then run: `World(scenario)` builds; `run_virtual()` runs as fast as the CPU allows
(optionally with the modelled platform), or a `LiveClock` from `live_clock()` paces it to wall
time while protocol servers read and write through `read`, `write` and `note_read`. With
`shadow_responders` a live world also runs the responder model beside the platform under test
(`sim.shadow`): it walks to each acknowledged call and writes nothing.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable

import simpy

import devices as device_kinds
from devices import Device, Value
from scenarios import Scenario
from sim import faults, injector
from sim.clock import LiveClock
from sim.incidents import Actor, IncidentTracker, Lifecycle, Step
from sim.platform_model import ModelledPlatform
from sim.responders import Dispatcher
from sim.shadow import Shadow
from sim.streams import lazy_stream, stream
from sim.trace import Trace

#: The actor of every step the modelled platform causes in a virtual run.
MODEL = Actor("model")


class World:
    def __init__(self, scenario: Scenario, seed: int | None = None,
                 wall_clock: Callable[[], int] = time.monotonic_ns,
                 modelled_platform: bool = False, shadow_responders: bool = False) -> None:
        self.scenario = scenario
        self.seed = scenario.run.seed if seed is None else seed
        self.env = simpy.Environment()
        self.trace = Trace(wall_clock)
        self.end_s = scenario.run.duration_s + scenario.run.drain_s
        # One anchor pairs the monotonic clock with UTC, so every step's UTC is consistent
        # with its monotonic stamp (the system clock may be stepped during a run).
        self._utc0_ns, self._mono0_ns = time.time_ns(), wall_clock()
        self.tracker = IncidentTracker(wall_clock, self._record_step, self.utc_of)
        #: Called with every lifecycle step as it happens (a journal outside the world).
        self.step_listeners: list[Callable[[str, Step], None]] = []
        self.devices: dict[str, Device] = {}
        for spec in scenario.devices:
            device = device_kinds.build(self.env, spec,
                                       lazy_stream(self.seed, f"device/{spec.id}"))
            device.observe(self._record_point)
            device.observe(self.tracker.point_changed)
            self.devices[spec.id] = device
        self.platform: ModelledPlatform | None = None
        #: The carers and guards (virtual mode with responders declared), else None.
        self.responders: Dispatcher | None = None
        if modelled_platform and scenario.responders.teams:
            self.responders = Dispatcher(self.env, scenario.site, scenario.responders,
                                         self._record_responder)
        #: The responder model beside a live run (`shadow_responders`): walks, never writes.
        self.shadow: Shadow | None = None
        if shadow_responders and not modelled_platform and scenario.responders.teams:
            self.shadow = Shadow(self.env, scenario.site, scenario.responders,
                                 self._record_shadow)
            self.step_listeners.append(self._shadow_step)
        if modelled_platform:
            self.platform = ModelledPlatform(
                self.env, scenario.platform, scenario.run.speed,
                stream(self.seed, "platform"),
                lambda dev, alarm: self.tracker.read_by_platform(dev, {alarm}, self.env.now,
                                                                 by=MODEL),
                self._model_write, self.responders)
        injector.start(self.env, scenario, self.devices, self.seed, self._inject)
        #: Active device and gateway faults; protocol servers consult it on every request.
        self.faults = faults.FaultState()
        self.faults.listeners.append(self._record_fault)
        faults.start(self.env, scenario, self.devices, self.seed, self.faults)
        self.clock: LiveClock | None = None
        #: Devices the platform read at least once (device health: meters actually read).
        self.read_by_platform: set[str] = set()

    # -- running ------------------------------------------------------------------------------
    def run_virtual(self, until_s: float | None = None) -> None:
        self.env.run(until=self.end_s if until_s is None else until_s)

    def live_clock(self, speed: float | None = None, end_s: float | None = None) -> LiveClock:
        """A clock pacing this world to wall time, until `end_s` (default: the scenario's end;
        `math.inf` serves until stopped — the schedule still ends at the scenario's end)."""
        self.clock = LiveClock(self.env, speed or self.scenario.run.speed,
                               self.end_s if end_s is None else end_s)
        return self.clock

    def sync(self) -> float:
        """Bring the world up to the present (live mode); return the simulated time."""
        return self.clock.sync() if self.clock is not None else self.env.now

    def lifecycles(self) -> list[Lifecycle]:
        return self.tracker.close()

    # -- the doors protocol servers use -------------------------------------------------------
    def read(self, device_id: str, name: str) -> Value:
        return self.devices[device_id].read(name)

    def write(self, device_id: str, name: str, value: Value, by: Actor | None = None) -> None:
        """An outside write by `by`: a SimPy event at the current time, applied now.

        Raises `KeyError`/`devices.CodecError` for a bad point or value (the caller answers in
        its protocol); otherwise the write has taken effect when this returns, and any lifecycle
        step it caused names `by`.
        """
        self.tracker.actor = by
        try:
            self.devices[device_id].submit_write(name, value)
            self._settle()
        finally:
            self.tracker.actor = None

    def note_read(self, device_id: str, names: Iterable[str], wall_ns: int | None = None,
                  by: Actor | None = None) -> None:
        """The platform received exactly these points of a device now (marks incidents
        observed)."""
        self.read_by_platform.add(device_id)
        self.tracker.read_by_platform(self.devices[device_id], set(names), self.env.now, wall_ns,
                                      by)

    def inject_now(self, kind: str, device_id: str, by: Actor | None = None) -> str:
        """Make an incident happen now, outside the schedule (a test or an operator asked);
        return its id. Raises `KeyError` for an unknown device, `ValueError` for a kind the
        device cannot carry."""
        device = self.devices[device_id]
        if kind not in device.INCIDENTS:
            raise ValueError(f"{device_id} ({device.KIND}) cannot carry {kind!r}; it carries "
                             f"{', '.join(sorted(device.INCIDENTS)) or 'no incidents'}")
        self.sync()
        self.tracker.actor = by
        try:
            incident_id = self._inject(kind, device)
            self._settle()
        finally:
            self.tracker.actor = None
        return incident_id

    def utc_of(self, wall_ns: int) -> str:
        """The UTC time (ISO 8601, ms) of a monotonic stamp of this world's wall clock."""
        ns = self._utc0_ns + (wall_ns - self._mono0_ns)
        moment = datetime.datetime.fromtimestamp(ns / 1e9, datetime.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    # -- internals ----------------------------------------------------------------------------
    def _settle(self) -> None:
        # Process the events due at the current instant (the write's own), never beyond it.
        while self.env.peek() <= self.env.now:
            self.env.step()

    def _inject(self, kind: str, device: Device) -> str:
        clear_after = self.scenario.incidents.clear_after_s.get(kind)  # type: ignore[call-overload]
        spec = device.inject(kind, clear_after)
        incident_id = self.tracker.injected(kind, device, spec.alarm, self.env.now)
        if self.platform is not None:
            where = self.scenario.device(device.id).position if self.responders else (0.0, 0.0)
            self.platform.handle(device, spec.alarm, spec.resolve_point, kind, where,
                                 incident_id)
        return incident_id

    def _model_write(self, device: Device, name: str, value: Value) -> None:
        # The modelled platform writes from inside a SimPy process: no settling needed.
        self.tracker.actor = MODEL
        try:
            device.submit_write(name, value)
        finally:
            self.tracker.actor = None

    def _record_point(self, device: Device, name: str, value: Value, now: float) -> None:
        self.trace.add(now, "point", device.id, name, value)

    def _record_fault(self, target: str, kind: str, started: bool, now: float) -> None:
        self.trace.add(now, "fault", target, kind, started)

    def _record_responder(self, now: float, member: str, what: str, about: str) -> None:
        self.trace.add(now, "responder", member, what, about)

    def _record_shadow(self, now: float, member: str, what: str, about: str) -> None:
        # apart from "responder": nobody walked, the model expected it
        self.trace.add(now, "responder_model", member, what, about)

    def _shadow_step(self, incident_id: str, step: Step) -> None:
        if step.name == "acknowledged" and self.shadow is not None:
            kind, device, _alarm = self.tracker.describe(incident_id)
            where = self.devices[device].spec.position
            self.shadow.acknowledged(incident_id, kind, (float(where[0]), float(where[1])))

    def _record_step(self, incident_id: str, step: Step) -> None:
        self.trace.add(step.t_s, "step", incident_id, step.name, None, step.wall_ns)
        for listener in self.step_listeners:
            listener(incident_id, step)
