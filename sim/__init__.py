"""The world: SimPy environment, clocks, random streams, incident injection and the trace."""

from sim.clock import LiveClock
from sim.incidents import STEPS, Actor, IncidentTracker, Lifecycle, Step
from sim.streams import stable_id, stream
from sim.trace import Record, Trace
from sim.world import World

__all__ = ["STEPS", "Actor", "IncidentTracker", "Lifecycle", "LiveClock", "Record", "Step", "Trace",
           "World", "stable_id", "stream"]
