"""A single virtual run's indicator 10 over seeded replications, seeded as a sweep's.

When the scenario has a team that walks to emergency calls, the run is the first of R seeded
replications (seeds seed, seed + 1, ...: `variants.seed_sequence`, the sweep's), each run by the
sweep's own `replicate.virtual_run`. Only the calls' on-site times are kept
(`harness.evidence.onsite.Replication`), so the report judges them against whatever limit its
profile sets, and a saved run is judged again without running anything. Serial and in-process:
a replication costs a fraction of a second; a planner wanting thousands runs `commtwin sweep`.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.cli.replicate import virtual_run
from harness.cli.variants import seed_sequence
from harness.evidence.onsite import (
    Replication,
    ResponderModel,
    answers_calls,
    on_site_times,
    walking_model,
)
from scenarios import Scenario
from sim import Lifecycle

#: Called after each replication: (replications done, of how many, calls so far).
ReplicationFn = Callable[[int, int, int], None]


def replicate_onsite(scenario: Scenario, seed: int, first: list[Lifecycle],
                     count: int | None = None,
                     tick: ReplicationFn | None = None) -> ResponderModel | None:
    """The run (its lifecycles `first`, of seed `seed`) and `count` - 1 more replications
    (default: the scenario's `responders.replications`); None without a team answering
    emergency calls."""
    if not answers_calls(scenario.responders):
        return None
    n = scenario.responders.replications if count is None else count
    if n < 1:
        raise ValueError(f"replications = {n}: must be >= 1")
    seeds = seed_sequence(seed, n)
    # replication 1 is this very run (same scenario, same seed): its lifecycles, not a rerun
    reps = [Replication(seeds[0], on_site_times(first))]
    calls = len(reps[0].on_site_s)
    if tick is not None:
        tick(1, n, calls)
    for i, s in enumerate(seeds[1:], start=2):
        _world, lifecycles = virtual_run(scenario, s)
        reps.append(Replication(s, on_site_times(lifecycles)))
        calls += len(reps[-1].on_site_s)
        if tick is not None:
            tick(i, n, calls)
    return ResponderModel(walking_model(scenario.responders), tuple(reps))
