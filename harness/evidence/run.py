"""The record of one run: what was served, what happened, what was measured — `results.json`.

Written by every `rehearse` and `serve`, read back by `commtwin report`. Faces and platforms
are known here only by what they published (endpoints) and counted (a stats dict), so the
record is the same whatever protocol a run spoke.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import platform as host_platform
from dataclasses import dataclass, field
from pathlib import Path

from harness.contract import Endpoint, OpcUaEndpoint
from harness.contract.files import atomic_write_text
from harness.evidence.judge import Measurement, to_json
from harness.evidence.lifecycles import KindStats, lifecycle_dict
from harness.evidence.onsite import ResponderModel
from sim import Lifecycle

RESULTS_SCHEMA = "commtwin.results/1"
#: The keys of results.json that identify a run; every report repeats them.
RUN_HEADER = ("mode", "seed", "speed", "simulated_s", "wall_s", "latency_clock", "interrupted",
              "started_utc", "ended_utc", "host", "commtwin_version", "scenario_sha256",
              "pacing")


def utc_now() -> str:
    """Now, UTC, ISO 8601 with milliseconds (how every time of identity is written)."""
    moment = datetime.datetime.now(datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def version() -> str:
    try:
        return importlib.metadata.version("commtwin")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return "unknown"


@dataclass
class RunResult:
    scenario: str
    seed: int
    mode: str
    speed: float
    end_s: float
    wall_s: float
    lifecycles: list[Lifecycle]
    stats: list[KindStats]
    #: Every endpoint the run served, of any face.
    endpoints: list[Endpoint] = field(default_factory=list)
    #: The reference platform's own counters (`PlatformStats.as_dict()`), when one ran.
    platform: dict[str, object] | None = None
    interrupted: bool = False
    trace_records: int = 0
    protocol: str = "modbus"
    #: Device health over the run (camera availability, meters read): see harness.evidence.health.
    health: dict[str, Measurement] = field(default_factory=dict)
    #: How to load the scenario again (a bundled name or an absolute path), for `report`.
    scenario_ref: str = ""
    #: SHA-256 of the scenario file's bytes, to tie the run to exactly what was run.
    scenario_sha256: str = ""
    started_utc: str = ""
    ended_utc: str = ""
    host: str = field(default_factory=host_platform.node)
    commtwin_version: str = field(default_factory=version)
    #: The twin's own timing in a live run: how late the world was brought to wall time.
    pacing: dict[str, object] | None = None
    #: The responder model, when the scenario declares responders for emergency calls: the
    #: seeded replications of a virtual run, or the shadow's expectation per call of a live run.
    responder_model: ResponderModel | None = None

    def as_dict(self) -> dict[str, object]:
        opcua = next((e for e in self.endpoints if isinstance(e, OpcUaEndpoint)), None)
        return {
            "schema": RESULTS_SCHEMA,
            "scenario": self.scenario, "scenario_ref": self.scenario_ref or self.scenario,
            "seed": self.seed, "mode": self.mode,
            "speed": self.speed, "simulated_s": round(self.end_s, 3),
            "wall_s": round(self.wall_s, 3), "interrupted": self.interrupted,
            "latency_clock": self.stats[0].clock if self.stats else None,
            "protocol": self.protocol,
            "endpoints": [e.as_dict() for e in self.endpoints],
            # the OPC UA endpoint again, where OPC UA clients have always looked for it
            "opcua": None if opcua is None else opcua.as_dict(),
            "platform": self.platform,
            "summary": [s.as_dict() for s in self.stats],
            "incidents": incident_dicts(self.lifecycles, self.responder_model),
            "trace_records": self.trace_records,
            "health": to_json(self.health),
            "started_utc": self.started_utc, "ended_utc": self.ended_utc, "host": self.host,
            "commtwin_version": self.commtwin_version, "scenario_sha256": self.scenario_sha256,
            "pacing": self.pacing,
            # only when there is one: a run without responders keeps its record as it was
            **({} if self.responder_model is None
               else {"responder_model": self.responder_model.as_dict()}),
        }


def incident_dicts(lifecycles: list[Lifecycle],
                   model: ResponderModel | None = None) -> list[dict[str, object]]:
    """Every incident as JSON; a call the responder model was sent to in a live run carries its
    expectation (`expected_on_site`) beside the measured steps."""
    expected = model.expected if model is not None else {}
    return [lifecycle_dict(lc) | ({"expected_on_site": expected[lc.id].as_dict()}
                                  if lc.id in expected else {})
            for lc in lifecycles]


def write_results(result: RunResult, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "results.json"
    atomic_write_text(path, json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n")
    return path
