"""CI gates over a finished run: what makes `rehearse`/`serve` exit 1 when asked to.

Each gate is a named check with a message that names the kind, the limit and the measured figure,
so a red CI job says what got worse without opening the report. Families (`--fail-on`):

- `not-met`: an indicator judged 未达标 not met;
- `missed`: an incident with a step that never came (not observed, acknowledged or resolved);
- `blind-ack`: an acknowledgement sent before the platform received the alarm;
- `latency`: a kind's ack p95 / ack max / on-site max over the scenario's `[acceptance.latency]`;
- `regression`: a kind whose ack p95 grew beyond the tolerance over a saved baseline, or that left
  more incidents unacknowledged than the baseline did;
- `interrupted`: the run stopped before its end.
Latencies are on the run's latency clock (wall seconds live, simulated seconds virtual); a
baseline is only compared with a run on the same clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scenarios.model import LatencyGate

FAMILIES = ("not-met", "missed", "blind-ack", "latency", "regression", "interrupted")
BASELINE_SCHEMA = "commtwin.baseline/1"


class BaselineError(ValueError):
    """A baseline file that cannot be used: unreadable, another schema, another clock."""


@dataclass(frozen=True)
class Gate:
    family: str
    name: str
    ok: bool
    message: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _s(value: float | None) -> str:
    return "none" if value is None else f"{value:.3f} s"


def latency_gates(summary: Sequence[Mapping[str, Any]], incidents: Sequence[Mapping[str, Any]],
                  limits: Mapping[Any, LatencyGate], clock: str) -> list[Gate]:
    """One gate per limit the scenario sets; a kind with nothing measured fails its gates."""
    rows = {row["kind"]: row for row in summary}
    out = []
    for kind, gate in sorted(limits.items()):
        row = rows.get(kind, {})
        onsite = [i["latency_s"]["resolved"][clock] for i in incidents
                  if i["kind"] == kind and "resolved" in i.get("latency_s", {})]
        unresolved = sum(1 for i in incidents if i["kind"] == kind and "resolved" in i["missed"])
        checks = (("ack p95", gate.ack_p95_s, row.get("ack_p95_s"), 0),
                  ("ack max", gate.ack_max_s, row.get("ack_max_s"), 0),
                  ("on-site max", gate.onsite_max_s, max(onsite) if onsite else None, unresolved))
        for label, limit, measured, never in checks:
            if limit is None:
                continue
            ok = measured is not None and measured <= limit and not never
            why = (f"{never} never resolved" if never else
                   "nothing measured" if measured is None else f"measured {_s(measured)}")
            out.append(Gate("latency", f"latency {kind} {label}", ok,
                            f"{kind}: {label} limit {_s(limit)} ({clock} clock), {why}"))
    return out


def outcome_gates(results: Mapping[str, Any], report: Mapping[str, Any]) -> list[Gate]:
    """The not-met, missed, blind-ack and interrupted gates of one run."""
    not_met = [f"{i['number']} {i['name_en']}" for i in report["indicators"]
               if i["status"] == "not_met"]
    missed = [f"{i['id']} ({', '.join(i['missed'])})" for i in results["incidents"]
              if i["missed"]]
    blind = [i["id"] for i in results["incidents"] if i.get("blind_ack")]

    def listed(items: list[str]) -> str:
        return ", ".join(items[:10]) + (f" and {len(items) - 10} more" if len(items) > 10 else "")

    return [
        Gate("not-met", "acceptance: no indicator not met", not not_met,
             f"not met: {listed(not_met)}" if not_met else "no indicator not met"),
        Gate("missed", "lifecycles: no step missed", not missed,
             f"{len(missed)} incidents with missed steps: {listed(missed)}" if missed
             else "every incident observed, acknowledged and resolved"),
        Gate("blind-ack", "lifecycles: no blind acknowledgement", not blind,
             f"{len(blind)} acknowledged before the platform received the alarm: "
             f"{listed(blind)}" if blind else "no blind acknowledgement"),
        Gate("interrupted", "run: reached its end", not results.get("interrupted"),
             "the run stopped before its end" if results.get("interrupted")
             else "the run reached its end"),
    ]


def baseline_from_results(results: Mapping[str, Any]) -> dict[str, Any]:
    """What a later run is compared with: per kind, ack p95 and incidents never acknowledged."""
    return {"schema": BASELINE_SCHEMA, "scenario": results.get("scenario"),
            "scenario_sha256": results.get("scenario_sha256"),
            "clock": results.get("latency_clock"), "recorded_utc": results.get("ended_utc"),
            "kinds": {row["kind"]: {"ack_p95_s": row["ack_p95_s"],
                                    "not_acknowledged": row["missed_acknowledged"],
                                    "injected": row["injected"]}
                      for row in results.get("summary", [])}}


def load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA:
        raise BaselineError(f"{path}: not a commtwin baseline (schema {BASELINE_SCHEMA})")
    return data


def regression_gates(summary: Sequence[Mapping[str, Any]], clock: str,
                     baseline: Mapping[str, Any], tolerance: float) -> list[Gate]:
    """One gate per kind of the baseline: ack p95 within (1 + tolerance) x the baseline's, and no
    more incidents left unacknowledged."""
    if baseline.get("clock") != clock:
        raise BaselineError(f"the baseline's latencies are on the {baseline.get('clock')} clock, "
                            f"this run's on the {clock} clock: record a baseline of a "
                            f"{'live' if clock == 'wall' else 'virtual'} run")
    rows = {row["kind"]: row for row in summary}
    out = []
    for kind, base in sorted(baseline["kinds"].items()):
        row = rows.get(kind)
        name = f"regression {kind}"
        if row is None:
            out.append(Gate("regression", name, False,
                            f"{kind}: in the baseline ({base['injected']} incidents), "
                            f"not exercised in this run"))
            continue
        was, now = base.get("ack_p95_s"), row.get("ack_p95_s")
        limit = None if was is None else was * (1 + tolerance)
        slower = now is None if was is not None else False
        slower = slower or (limit is not None and now is not None and now > limit)
        more_missed = row["missed_acknowledged"] > base["not_acknowledged"]
        message = (f"{kind}: ack p95 baseline {_s(was)}, measured {_s(now)} "
                   f"(tolerance {tolerance:.0%}); never acknowledged: baseline "
                   f"{base['not_acknowledged']}, measured {row['missed_acknowledged']}")
        out.append(Gate("regression", name, not (slower or more_missed), message))
    return out


def failed(gates: Sequence[Gate], families: Sequence[str]) -> list[Gate]:
    """The gates that fail among the families asked for."""
    return [g for g in gates if g.family in families and not g.ok]
