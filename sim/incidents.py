"""Incident lifecycles: injected -> observed -> acknowledged -> resolved, or missed.

The tracker derives the steps from what happens to the device's alarm points (acknowledged when
`<alarm>_ack` rises, resolved when the alarm falls) and from the platform's reads reported by the
harness (observed). `close()` turns every incident into an immutable `Lifecycle`; a step that
never came is listed in `missed`, so no injected incident is ever dropped from the record.

Every step says who caused it (`Actor`: the face it came through, the peer's address, the
OPC UA session's user and an Acknowledge comment) and when, in simulated seconds, monotonic wall
nanoseconds (for intervals) and UTC (ISO 8601, ms: to find it in the platform's own logs). The
harness names the actor of a write or a read; a step with no actor came from the twin itself (an
alarm that cleared on its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from devices import Device, Value

STEPS = ("injected", "observed", "acknowledged", "resolved")


@dataclass(frozen=True)
class Actor:
    """Who caused a step, as the face it came through saw them."""

    face: str              # "modbus", "opcua", ... or "model" (the modelled platform)
    peer: str = ""         # "host:port" of the client connection, when there is one
    user: str = ""         # the OPC UA session's user name ("" anonymous)
    comment: str = ""      # the OPC UA Acknowledge comment, if any

    def as_dict(self) -> dict[str, str]:
        return {"face": self.face, "peer": self.peer, "user": self.user, "comment": self.comment}


@dataclass(frozen=True)
class Step:
    name: str
    t_s: float
    wall_ns: int
    utc: str = ""                # ISO 8601 UTC, milliseconds
    by: Actor | None = None      # None: the twin itself (injection, a self-clearing alarm)


@dataclass(frozen=True)
class Lifecycle:
    id: str
    kind: str
    device: str
    alarm: str
    steps: tuple[Step, ...]
    missed: tuple[str, ...]

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    @property
    def blind_ack(self) -> bool:
        """Acknowledged before (or without) the platform ever receiving the alarm: an ack sent
        on a timer or for every point, not an answer to what the platform saw."""
        names = [s.name for s in self.steps]
        if "acknowledged" not in names:
            return False
        return "observed" not in names or names.index("observed") > names.index("acknowledged")

    def latency_s(self, name: str, clock: str = "sim") -> float | None:
        """Time from injection to step `name`, in simulated or wall seconds."""
        start, end = self.step("injected"), self.step(name)
        if start is None or end is None:
            return None
        if clock == "wall":
            return (end.wall_ns - start.wall_ns) / 1e9
        return end.t_s - start.t_s


@dataclass
class _Open:
    id: str
    kind: str
    device: str
    alarm: str
    steps: list[Step] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return any(s.name == name for s in self.steps)


StepListener = Callable[[str, Step], None]


class IncidentTracker:
    def __init__(self, wall_clock: Callable[[], int], on_step: StepListener,
                 utc_of: Callable[[int], str] = lambda _ns: "") -> None:
        self._wall = wall_clock
        self._utc_of = utc_of
        self._on_step = on_step
        #: Who is writing right now (set by the world around an outside write).
        self.actor: Actor | None = None
        self._incidents: list[_Open] = []
        self._by_id: dict[str, _Open] = {}
        self._open_by_alarm: dict[tuple[str, str], list[_Open]] = {}
        # Cleared before anyone acknowledged them: an ack may still come (OPC UA Part 9 lets a
        # client acknowledge an inactive condition), until the alarm's next activation.
        self._cleared_unacked: dict[tuple[str, str], list[_Open]] = {}

    @property
    def count(self) -> int:
        return len(self._incidents)

    def open_count(self) -> int:
        return sum(len(v) for v in self._open_by_alarm.values())

    def injected(self, kind: str, device: Device, alarm: str, now: float) -> str:
        inc = _Open(f"{kind}-{len(self._incidents) + 1:05d}", kind, device.id, alarm)
        self._incidents.append(inc)
        self._by_id[inc.id] = inc
        self._cleared_unacked.pop((device.id, alarm), None)  # a new activation supersedes them
        self._open_by_alarm.setdefault((device.id, alarm), []).append(inc)
        # the injection's actor is whoever asked for it outside the schedule (None: schedule)
        self._step(inc, "injected", now, by=self.actor)
        return inc.id

    def point_changed(self, device: Device, name: str, value: Value, now: float) -> None:
        """Device observer: acknowledgement and resolution follow the alarm's points."""
        if name.endswith("_ack"):
            alarm, step = name[:-4], "acknowledged"
            if not value:
                return
        else:
            alarm, step = name, "resolved"
            if value:
                return
        key = (device.id, alarm)
        for inc in self._open_by_alarm.get(key, []):
            if not inc.has(step):
                self._step(inc, step, now)
        if step == "acknowledged":
            for inc in self._cleared_unacked.pop(key, []):
                self._step(inc, step, now)
        else:
            unacked = [i for i in self._open_by_alarm.pop(key, []) if not i.has("acknowledged")]
            if unacked:
                self._cleared_unacked[key] = unacked

    def read_by_platform(self, device: Device, names: set[str], now: float,
                         wall_ns: int | None = None, by: Actor | None = None) -> None:
        """The platform received these points: incidents whose active alarm it saw are observed.

        `names` must be exactly the points the reply carried: a register read next to an alarm
        bit is not a view of the alarm."""
        for alarm in device.ALARMS:
            if alarm not in names or not device.alarm_active(alarm):
                continue
            for inc in self._open_by_alarm.get((device.id, alarm), ()):
                if not inc.has("observed"):
                    self._step(inc, "observed", now, wall_ns, by)

    def lifecycle(self, incident_id: str) -> Lifecycle | None:
        """One incident's record as it stands now (None for an unknown id)."""
        inc = self._by_id.get(incident_id)
        if inc is None:
            return None
        got = {s.name for s in inc.steps}
        return Lifecycle(inc.id, inc.kind, inc.device, inc.alarm, tuple(inc.steps),
                         tuple(s for s in STEPS if s not in got))

    def describe(self, incident_id: str) -> tuple[str, str, str]:
        """(kind, device, alarm) of an incident."""
        inc = self._by_id[incident_id]
        return inc.kind, inc.device, inc.alarm

    def close(self) -> list[Lifecycle]:
        """Every incident as an immutable record; missing steps named in `missed`."""
        out = []
        for inc in self._incidents:
            got = {s.name for s in inc.steps}
            out.append(Lifecycle(inc.id, inc.kind, inc.device, inc.alarm, tuple(inc.steps),
                                 tuple(s for s in STEPS if s not in got)))
        return out

    def _step(self, inc: _Open, name: str, now: float, wall_ns: int | None = None,
              by: Actor | None = None) -> None:
        wall = self._wall() if wall_ns is None else wall_ns
        actor = by if by is not None else (None if name == "injected" else self.actor)
        step = Step(name, now, wall, self._utc_of(wall), actor)
        inc.steps.append(step)
        self._on_step(inc.id, step)
