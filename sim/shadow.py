"""The responder model beside a live run: carers and guards who walk, but never write a point.

In a live run the platform under test resolves an emergency call with its own `onsite` write,
and that time is measured. The shadow is the same `Dispatcher` as a virtual run's, in the same
SimPy environment: when the platform acknowledges an incident of a kind a team answers, the
nearest free on-duty member sets off as in a virtual run (the modelled platform dispatches at
its acknowledgement too). It never touches a device, so the run's lifecycles and verdicts are
exactly what they would be without it; its `CallRecord`s are the model's expectation for each
call, shown beside the measured time.
"""

from __future__ import annotations

import simpy

from scenarios.model import Site
from scenarios.responders import Responders
from sim.responders import CallRecord, Dispatcher, Listener, Point


class Shadow:
    def __init__(self, env: simpy.Environment, site: Site, responders: Responders,
                 listener: Listener | None = None) -> None:
        self.env = env
        self.dispatcher = Dispatcher(env, site, responders, listener)
        #: incident id -> simulated time the model sent someone (the acknowledgement)
        self.requested: dict[str, float] = {}

    def acknowledged(self, incident: str, kind: str, where: Point) -> None:
        """The platform acknowledged `incident`: send the model's responder, once."""
        if incident in self.requested or not self.dispatcher.answers(kind):
            return
        self.requested[incident] = self.env.now
        self.dispatcher.request(kind, where, incident)

    def records(self) -> dict[str, CallRecord]:
        """The calls the model's responder reached, by incident id."""
        return {r.call: r for r in self.dispatcher.records}
