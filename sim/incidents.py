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

A run of days must not keep every incident in memory: with `spill_to`, past `max_kept`
incidents in memory the *settled* ones (that can gain no further step: their alarm was resolved
and acknowledged, or a later activation superseded them) go to a spill (the run's journal) and
leave memory; `close()`, `lifecycle` and `describe` get them back through the loader given with
it, so a bounded tracker answers exactly as an unbounded one.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable
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
    seq: int  # injection order, from 1
    id: str
    kind: str
    device: str
    alarm: str
    steps: list[Step] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return any(s.name == name for s in self.steps)

    def record(self) -> Lifecycle:
        got = {s.name for s in self.steps}
        return Lifecycle(self.id, self.kind, self.device, self.alarm, tuple(self.steps),
                         tuple(s for s in STEPS if s not in got))


StepListener = Callable[[str, Step], None]
#: Receives settled incidents leaving memory, as final records, in injection order.
SpillFn = Callable[[list[Lifecycle]], None]
#: Gives back spilled incidents: those with the given ids (None: every one), in injection order.
LoadFn = Callable[[Collection[str] | None], list[Lifecycle]]


def _seq(incident_id: str) -> int:
    """The injection number in an id this tracker made (`<kind>-<number>`)."""
    return int(incident_id.rpartition("-")[2])


class IncidentTracker:
    def __init__(self, wall_clock: Callable[[], int], on_step: StepListener,
                 utc_of: Callable[[int], str] = lambda _ns: "") -> None:
        self._wall = wall_clock
        self._utc_of = utc_of
        self._on_step = on_step
        #: Who is writing right now (set by the world around an outside write).
        self.actor: Actor | None = None
        self._injected = 0
        #: The incidents in memory, in injection order: all of them unless bounded.
        self._kept: dict[str, _Open] = {}
        self._open_by_alarm: dict[tuple[str, str], list[_Open]] = {}
        # Cleared before anyone acknowledged them: an ack may still come (OPC UA Part 9 lets a
        # client acknowledge an inactive condition), until the alarm's next activation.
        self._cleared_unacked: dict[tuple[str, str], list[_Open]] = {}
        self._max_kept: int | None = None
        self._spill: SpillFn | None = None
        self._load: LoadFn | None = None
        self._settled: list[_Open] = []  # settled but still in memory (bounded only)
        #: Incidents that left memory so far.
        self.spilled = 0

    def spill_to(self, max_kept: int, spill: SpillFn, load: LoadFn) -> None:
        """Keep at most `max_kept` incidents in memory, plus those not settled yet (see the
        module docstring). `spill` must keep what it is given where `load` finds it."""
        if max_kept < 1:
            raise ValueError(f"max_kept must be at least 1, got {max_kept}")
        self._max_kept, self._spill, self._load = max_kept, spill, load

    @property
    def count(self) -> int:
        """Incidents injected so far (in memory or spilled)."""
        return self._injected

    @property
    def in_memory(self) -> int:
        return len(self._kept)

    @property
    def unsettled(self) -> int:
        """Incidents that may still gain a step (open, or cleared and not yet acknowledged)."""
        return self.open_count() + sum(len(v) for v in self._cleared_unacked.values())

    def open_count(self) -> int:
        return sum(len(v) for v in self._open_by_alarm.values())

    def injected(self, kind: str, device: Device, alarm: str, now: float) -> str:
        self._injected += 1
        inc = _Open(self._injected, f"{kind}-{self._injected:05d}", kind, device.id, alarm)
        self._kept[inc.id] = inc
        # a new activation supersedes them: they can no longer be acknowledged
        self._settle(self._cleared_unacked.pop((device.id, alarm), ()))
        self._open_by_alarm.setdefault((device.id, alarm), []).append(inc)
        # the injection's actor is whoever asked for it outside the schedule (None: schedule)
        self._step(inc, "injected", now, by=self.actor)
        self._spill_settled()
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
            late = self._cleared_unacked.pop(key, None)
            if late:
                for inc in late:
                    self._step(inc, step, now)
                self._settle(late)
        else:
            gone = self._open_by_alarm.pop(key, None)
            if gone:
                unacked = [i for i in gone if not i.has("acknowledged")]
                if unacked:  # (none left from before: the injection of these took them)
                    self._cleared_unacked[key] = unacked
                self._settle([i for i in gone if i.has("acknowledged")])
        self._spill_settled()

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
        inc = self._kept.get(incident_id)
        if inc is not None:
            return inc.record()
        if self._load is None or not self.spilled:
            return None
        try:  # an id this tracker never made need not be looked for
            if not 1 <= _seq(incident_id) <= self._injected:
                return None
        except ValueError:
            return None
        return next(iter(self._load({incident_id})), None)

    def describe(self, incident_id: str) -> tuple[str, str, str]:
        """(kind, device, alarm) of an incident; `KeyError` for an unknown id."""
        inc = self._kept.get(incident_id)
        if inc is not None:
            return inc.kind, inc.device, inc.alarm
        lc = self.lifecycle(incident_id)
        if lc is None:
            raise KeyError(incident_id)
        return lc.kind, lc.device, lc.alarm

    def close(self) -> list[Lifecycle]:
        """Every incident as an immutable record, in injection order; missing steps named in
        `missed`. Spilled incidents are loaded back. Leaves the tracker as it was (a run may
        be asked for its records while it goes on)."""
        kept = [inc.record() for inc in self._kept.values()]
        if not self.spilled or self._load is None:
            return kept
        loaded = self._load(None)
        if len(loaded) != self.spilled:
            raise RuntimeError(f"{self.spilled} incidents left memory but their store gives "
                               f"back {len(loaded)}")
        return list(heapq.merge(loaded, kept, key=lambda lc: _seq(lc.id)))

    def _settle(self, incidents: Iterable[_Open]) -> None:
        """These incidents can gain no further step: free to leave memory (when bounded)."""
        if self._max_kept is not None:
            self._settled.extend(incidents)

    def _spill_settled(self) -> None:
        # After the steps of the call that settled them: the spill sees final records.
        if (self._max_kept is None or self._spill is None or len(self._kept) <= self._max_kept
                or not self._settled):
            return
        leaving = sorted(self._settled, key=lambda inc: inc.seq)
        self._settled = []
        self._spill([inc.record() for inc in leaving])
        for inc in leaving:
            del self._kept[inc.id]
        self.spilled += len(leaving)

    def _step(self, inc: _Open, name: str, now: float, wall_ns: int | None = None,
              by: Actor | None = None) -> None:
        wall = self._wall() if wall_ns is None else wall_ns
        actor = by if by is not None else (None if name == "injected" else self.actor)
        step = Step(name, now, wall, self._utc_of(wall), actor)
        inc.steps.append(step)
        self._on_step(inc.id, step)
