"""Indicator 10 from the responder model: "a responder on site within 15 minutes" of a call.

Without responders the criterion is the slowest call's on-site time (`collect`). With a team that
answers emergency calls (`sim.responders`), two figures rest on the model:

- a **virtual run** is one of R seeded replications (seeds seed, seed + 1, ..., as a sweep's;
  the run itself is the first). `Replication` keeps each one's on-site times, and
  `from_replications` turns them into P(on site <= the profile's `elderly_response_s`) per call
  with its 95% interval (`intervals.ratio_ci`: the replication is the unit, since the calls of
  one run share the responders and the queue). Measured as `model.onsite_share.emergency_call`,
  which the catalogue judges instead of the slowest call: modelled, never met;
- a **live run** runs the model as a shadow (`sim.shadow`): `Expected` is what the model
  expected for one call (who, how far, when on site), shown beside the measured on-site time.
  It never enters a verdict.

On-site times are simulated seconds from injection; a call never reached counts as infinite.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.evidence.intervals import ratio_ci
from harness.evidence.judge import Measurement
from scenarios.responders import Responders
from sim import Lifecycle
from sim.responders import CallRecord

#: The incident kind of indicator 10, and the measurement its probability is kept under.
ONSITE_KIND = "emergency_call"
SHARE_MEASURE = f"model.onsite_share.{ONSITE_KIND}"
#: Tolerance on the limit: an on-site time equal to it (up to float noise) is within it.
_EPS = 1e-9


def on_site_times(lifecycles: Sequence[Lifecycle], kind: str = ONSITE_KIND) -> tuple[float, ...]:
    """Injection to resolution of every incident of `kind`, simulated s (never: infinite)."""
    return tuple(math.inf if (t := lc.latency_s("resolved")) is None else t
                 for lc in lifecycles if lc.kind == kind)


def within(times: Sequence[float], limit_s: float) -> int:
    return sum(1 for t in times if t <= limit_s + _EPS)


def answers_calls(responders: Responders) -> bool:
    """Does a team walk to emergency calls (the figure of indicator 10 is then the model's)?"""
    return any(ONSITE_KIND in t.incident_kinds for t in responders.teams)


def walking_model(responders: Responders) -> str:
    """The responder model in one line, for the evidence."""
    teams = []
    for t in responders.teams:
        speed = t.speed_m_per_s or responders.speed_m_per_s
        attend = responders.attend_s if t.attend_s is None else t.attend_s
        shifts = ", ".join(f"{s.start_h:g}-{s.end_h:g} h x{s.count}" for s in t.shifts)
        teams.append(f"{t.id} ({t.role}; {len(t.posts)} post(s); {shifts}; {speed:g} m/s; "
                     f"{attend:g} s with each resident)")
    return ("the nearest free on-duty member walks the footpath network (compound walls "
            "crossed at their gates) from the platform's acknowledgement; calls wait first come "
            f"when all are busy; day starts {responders.day_start_h:g} h; " + "; ".join(teams))


@dataclass(frozen=True)
class Replication:
    """One seeded virtual run: the on-site times of its emergency calls, simulated s."""

    seed: int
    on_site_s: tuple[float, ...]


@dataclass(frozen=True)
class Expected:
    """What the model expected for one call of a live run (simulated seconds)."""

    requested_s: float            # the platform's acknowledgement: the model's member set off
    member: str = ""              # who went ("" when nobody was free before the run ended)
    distance_m: float = math.nan  # walking distance from where the member was
    waited_s: float = 0.0         # in the queue, every member busy
    walk_s: float = math.nan
    on_site_s: float | None = None  # injection to arrival; None: not there before the end

    def as_dict(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and math.isnan(v) else
                    round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Expected:
        def num(key: str, default: float = math.nan) -> float:
            v = d.get(key)
            return default if v is None else float(v)

        on_site = d.get("on_site_s")
        return cls(num("requested_s"), str(d.get("member", "")), num("distance_m"),
                   num("waited_s", 0.0), num("walk_s"),
                   None if on_site is None else float(on_site))


def expectations(records: Mapping[str, CallRecord], requested: Mapping[str, float],
                 lifecycles: Sequence[Lifecycle]) -> dict[str, Expected]:
    """The shadow's expectation per incident it was sent to, by incident id."""
    injected = {lc.id: s.t_s for lc in lifecycles if (s := lc.step("injected")) is not None}
    out = {}
    for call, at in requested.items():
        r = records.get(call)
        if r is None:
            out[call] = Expected(at)
            continue
        out[call] = Expected(at, r.member, r.distance_m, r.waited_s,
                             r.arrived_s - r.dispatched_s,
                             r.arrived_s - injected.get(call, r.requested_s))
    return out


def expected_text(e: Expected) -> str:
    if e.on_site_s is None:
        return "expected (model): not on site before the run ended"
    wait = f" after {e.waited_s:.0f} s in the queue" if e.waited_s > 0.5 else ""
    return (f"expected (model) {e.on_site_s:.0f} s: {e.member} walks {e.distance_m:.0f} m "
            f"({e.walk_s:.0f} s){wait}")


@dataclass(frozen=True)
class ResponderModel:
    """What a run's responder model did: the replications of a virtual run, or the shadow's
    expectations of a live one."""

    walking: str
    replications: tuple[Replication, ...] = ()
    expected: Mapping[str, Expected] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The results.json entry (the expectations go with each incident instead)."""
        out: dict[str, Any] = {"walking": self.walking,
                               "mode": "replications" if self.replications else "shadow"}
        if self.replications:
            # unrounded: a saved run judged again must count a call at the limit as the run did
            out["replications"] = [
                {"seed": r.seed, "on_site_s": [None if math.isinf(t) else t
                                               for t in r.on_site_s]}
                for r in self.replications]
        return out

    @classmethod
    def from_results(cls, results: Mapping[str, Any]) -> ResponderModel | None:
        """From a results.json document (None when the run had no responder model)."""
        d = results.get("responder_model")
        if not d:
            return None
        reps = tuple(Replication(int(r["seed"]), tuple(math.inf if t is None else float(t)
                                                       for t in r["on_site_s"]))
                     for r in d.get("replications", []))
        expected = {str(inc["id"]): Expected.from_dict(inc["expected_on_site"])
                    for inc in results.get("incidents", []) if inc.get("expected_on_site")}
        return cls(str(d.get("walking", "")), reps, expected)


def from_replications(model: ResponderModel, limit_s: float) -> dict[str, Measurement]:
    """P(on site within `limit_s`) per call over the replications, with its 95% interval;
    nothing when the replications had no call (the criterion is then not measured)."""
    reps = model.replications
    ks = [within(r.on_site_s, limit_s) for r in reps]
    ns = [len(r.on_site_s) for r in reps]
    if sum(ns) == 0:
        return {}
    p, lo, hi = ratio_ci(ks, ns)
    r_count = len(reps)
    seeds = f"seed {reps[0].seed}" if r_count == 1 else f"seeds {reps[0].seed}..{reps[-1].seed}"
    evidence = [
        f"P(on site <= {limit_s:g} s) = {sum(ks)} of {sum(ns)} calls = {p:.1%}, 95% CI "
        f"[{lo:.1%}, {hi:.1%}] (clause: responder on site within {limit_s / 60:g} minutes)",
        f"{r_count} seeded replication(s) of this run, {seeds} (the first is this run)",
        "interval: the replication is the unit (ratio estimator, cluster-robust variance, "
        f"Student t with {max(r_count - 1, 1)} df), at least the Wilson interval of the pooled "
        "calls" if r_count > 1 else "interval: Wilson score of the calls of one run",
        f"walking model: {model.walking}",
    ]
    for r, k, n in zip(reps, ks, ns, strict=True):
        slowest = max(r.on_site_s, default=math.nan)
        worst = "never" if math.isinf(slowest) else f"{slowest:.0f} s"
        evidence.append(f"seed {r.seed}: {k} of {n} calls within {limit_s:g} s"
                        + (f" (slowest {worst})" if n else ""))
    return {SHARE_MEASURE: Measurement(
        p, "ratio", f"P(on site <= {limit_s:g} s) per emergency call over {r_count} seeded "
                    "replications of the responder model",
        tuple(evidence), basis="modelled",
        basis_note=f"the responder model: {sum(ns)} calls in {r_count} seeded replications",
        interval=(lo, hi))}
