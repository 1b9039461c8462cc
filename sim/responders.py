"""Responders: carers and guards who walk the site's footpaths to an incident.

Each team member is a SimPy process. The roster puts `count` members on duty at each shift
change (members 0..count-1, member i waiting at `posts[i mod len]`); a member going off duty
finishes the call in hand first. A call (`Dispatcher.request`) goes to the nearest free
on-duty member of a team that answers its kind, by walking distance (`geometry.routes`); when
every such member is busy it waits in one first-come queue. A member on site stays
`attend_s`, then takes the oldest waiting call it answers, walking there from where it is, or
walks back to its post. A member walking back is free: sent on from part-way, it walks on
from the point it reached, costed as the shorter of "back the way it came, then on" and "on
to the post, then on" (the network distance from a point inside a route is not known; this
is an upper bound, exact when the new call lies behind or beyond the post).

The request's event fires when the responder arrives; `CallRecord` keeps what happened to
every call (walk distance, waiting, who went) for the on-site figures and the trace.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import simpy

from geometry.routes import Router
from scenarios.model import Site
from scenarios.responders import Responders, Team

Point = tuple[float, float]
#: (time, member id, what: "on_duty"/"off_duty"/"dispatched"/"on_site"/"at_post", about)
Listener = Callable[[float, str, str, str], None]


@dataclass(frozen=True)
class CallRecord:
    """One call as the responders saw it (simulated seconds; distance in metres)."""

    call: str
    kind: str
    requested_s: float
    dispatched_s: float
    arrived_s: float
    member: str
    distance_m: float

    @property
    def waited_s(self) -> float:
        return self.dispatched_s - self.requested_s

    @property
    def on_site_s(self) -> float:
        return self.arrived_s - self.requested_s


@dataclass
class _Call:
    id: str
    kind: str
    where: Point
    requested_s: float
    arrived: simpy.Event


class Member:
    def __init__(self, team: Team, index: int, speed: float, attend_s: float) -> None:
        self.team = team
        self.id = f"{team.id}-{index + 1}"
        self.post: Point = tuple(team.posts[index % len(team.posts)])  # type: ignore[assignment]
        self.speed = speed
        self.attend_s = attend_s
        self.on_duty = False
        self.busy = False
        self.at: Point = self.post
        # walking back to the post: (left at, from where, metres to the post)
        self.returning: tuple[float, Point, float] | None = None
        self.process: simpy.Process | None = None


class Dispatcher:
    def __init__(self, env: simpy.Environment, site: Site, responders: Responders,
                 listener: Listener | None = None) -> None:
        self.env = env
        self.settings = responders
        self.router = Router(site)
        self.listener = listener
        self.records: list[CallRecord] = []
        self._queue: deque[_Call] = deque()
        self._count = 0
        self.members: dict[str, list[Member]] = {}
        for team in responders.teams:
            speed = team.speed_m_per_s or responders.speed_m_per_s
            attend = responders.attend_s if team.attend_s is None else team.attend_s
            self.members[team.id] = [Member(team, i, speed, attend)
                                     for i in range(team.most_on_duty)]
            env.process(self._roster(team))
        self.kinds = frozenset(k for t in responders.teams for k in t.incident_kinds)

    def answers(self, kind: str) -> bool:
        return kind in self.kinds

    def request(self, kind: str, where: Point, call: str = "") -> simpy.Event:
        """Send someone to `where`; the event fires (value: the `CallRecord`) on arrival."""
        self._count += 1
        c = _Call(call or f"call-{self._count}", kind, (float(where[0]), float(where[1])),
                  self.env.now, self.env.event())
        member, dist = self._nearest_free(c)
        if member is None:
            self._queue.append(c)
        else:
            self._send(member, c, dist)
        return c.arrived

    # -- internals ----------------------------------------------------------------------------
    def _note(self, member: Member, what: str, about: str = "") -> None:
        if self.listener is not None:
            self.listener(self.env.now, member.id, what, about)

    def _hour(self) -> float:
        return (self.settings.day_start_h + self.env.now / 3600.0) % 24.0

    def _roster(self, team: Team) -> Generator[simpy.Event, Any, None]:
        bounds = sorted({s.start_h for s in team.shifts} | {s.end_h % 24.0 for s in team.shifts}
                        | {0.0})
        while True:
            hour = self._hour()
            count = team.on_duty(hour)
            for i, m in enumerate(self.members[team.id]):
                if i < count and not m.on_duty:
                    m.on_duty = True
                    if not m.busy:
                        m.at, m.returning = m.post, None
                    self._note(m, "on_duty")
                    self._take_next(m)
                elif i >= count and m.on_duty:
                    m.on_duty = False
                    self._note(m, "off_duty")
            nxt = next((b for b in bounds if b > hour + 1e-9), 24.0)
            yield self.env.timeout((nxt - hour) * 3600.0)

    def _distance_from(self, m: Member, where: Point) -> float:
        if m.returning is None:
            return self.router.distance_m(m.at, where)
        left, start, to_post = m.returning
        walked = min((self.env.now - left) * m.speed, to_post)
        return min(walked + self.router.distance_m(start, where),
                   to_post - walked + self.router.distance_m(m.post, where))

    def _nearest_free(self, c: _Call) -> tuple[Member | None, float]:
        best: tuple[float, int, Member] | None = None
        order = 0
        for team in self.settings.teams:
            if c.kind not in team.incident_kinds:
                continue
            for m in self.members[team.id]:
                order += 1
                if m.on_duty and not m.busy:
                    d = self._distance_from(m, c.where)
                    if best is None or (d, order) < best[:2]:
                        best = (d, order, m)
        return (None, 0.0) if best is None else (best[2], best[0])

    def _send(self, m: Member, c: _Call, dist: float) -> None:
        if m.returning is not None and m.process is not None and m.process.is_alive:
            m.process.interrupt()  # called off the walk back to the post
        m.busy, m.returning = True, None
        m.process = self.env.process(self._go(m, c, dist))

    def _take_next(self, m: Member) -> bool:
        if not m.on_duty or m.busy:
            return False
        for c in self._queue:
            if c.kind in m.team.incident_kinds:
                self._queue.remove(c)
                self._send(m, c, self._distance_from(m, c.where))
                return True
        return False

    def _go(self, m: Member, c: _Call, dist: float) -> Generator[simpy.Event, Any, None]:
        sent = self.env.now
        self._note(m, "dispatched", c.id)
        yield self.env.timeout(dist / m.speed)
        m.at = c.where
        record = CallRecord(c.id, c.kind, c.requested_s, sent, self.env.now, m.id, dist)
        self.records.append(record)
        self._note(m, "on_site", c.id)
        c.arrived.succeed(record)
        yield self.env.timeout(m.attend_s)
        m.busy = False
        if self._take_next(m) or not m.on_duty:
            return
        if m.team.return_to_post and m.at != m.post:
            to_post = self.router.distance_m(m.at, m.post)
            m.returning = (self.env.now, m.at, to_post)
            m.process = self.env.process(self._walk_back(m, to_post))

    def _walk_back(self, m: Member, to_post: float) -> Generator[simpy.Event, Any, None]:
        try:
            yield self.env.timeout(to_post / m.speed)
        except simpy.Interrupt:
            return
        m.at, m.returning = m.post, None
        self._note(m, "at_post")
