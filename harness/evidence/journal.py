"""The run's journal: an append-only, hash-chained JSON-lines record written as steps happen.

`journal.jsonl` in the run's folder holds a header (what ran, when, from which file), one entry
per lifecycle step the moment it is stamped (flushed to the OS each time, so a `kill -9` loses
nothing already stamped), the trace records a long run moves out of memory, the ids of the
incidents it moves out of memory (`settled`: their steps are the step entries already written,
final), and an end entry.
Each entry carries the hash of the one before it and its own hash over that and its content, so
an edited, deleted or reordered entry breaks the chain at a place `verify` names. SHA-256 by
default; SM3 (GB/T 32905, OpenSSL's implementation through `hashlib`) on request.

`rebuild` turns a journal back into the lifecycles and run header, for `commtwin report` after a
run that died before writing `results.json`; `settled_lifecycles` reads back, from the same step
entries, the incidents a running tracker let go; `verify` checks the chain and that a report
shows the same incidents the journal recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from harness.contract.records import lifecycle_dict
from sim import STEPS, Actor, Lifecycle, Record, Step

JOURNAL = "journal.jsonl"
ALGORITHMS = ("sha256", "sm3")


def _canonical(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(algorithm: str, prev: str, entry: dict[str, Any]) -> str:
    h = hashlib.new(algorithm)
    h.update(prev.encode() + b"\n" + _canonical(entry))
    return h.hexdigest()


class Journal:
    """Appends chained entries to `<folder>/journal.jsonl`."""

    def __init__(self, folder: Path, header: dict[str, Any], algorithm: str = "sha256") -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"journal hash must be one of {ALGORITHMS}, got {algorithm!r}")
        hashlib.new(algorithm)  # fails early where OpenSSL lacks it
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / JOURNAL
        self.algorithm = algorithm
        self._file: IO[str] = self.path.open("w", encoding="utf-8")
        self._n = 0
        self._prev = ""
        self.append({"kind": "header", "algorithm": algorithm, "run": header})

    def append(self, content: dict[str, Any]) -> None:
        entry = {"n": self._n, "prev": self._prev, **content}
        entry["hash"] = _digest(self.algorithm, self._prev, entry)
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._file.flush()  # to the OS: a killed process loses nothing stamped before it died
        self._prev, self._n = entry["hash"], self._n + 1

    def step(self, incident: tuple[str, str, str, str], step: Step) -> None:
        incident_id, kind, device, alarm = incident
        self.append({"kind": "step", "incident": incident_id, "incident_kind": kind,
                     "device": device, "alarm": alarm, "step": step.name, "t_s": step.t_s,
                     "wall_ns": step.wall_ns, "utc": step.utc,
                     "by": None if step.by is None else step.by.as_dict()})

    def trace(self, records: list[Record]) -> None:
        """Trace records leaving memory (a long run): [t_s, kind, subject, name, value, wall_ns]."""
        self.append({"kind": "trace",
                     "records": [[*json.loads(r.sim_json()), r.wall_ns] for r in records]})

    def settled(self, lifecycles: list[Lifecycle]) -> None:
        """Incidents leaving the tracker's memory: their ids only, as every step of theirs is
        already a step entry (`settled_lifecycles` reads them back)."""
        self.append({"kind": "settled", "incidents": [lc.id for lc in lifecycles]})

    def close(self, end: dict[str, Any]) -> None:
        if not self._file.closed:
            self.append({"kind": "end", **end})
            self._file.close()


def _entries(path: Path, skip_trace: bool = False
             ) -> Iterator[tuple[int, dict[str, Any] | None]]:
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if skip_trace and _is_trace(line):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                yield line_no, None
                continue
            yield line_no, entry if isinstance(entry, dict) else None


def _is_trace(line: str) -> bool:
    """A trace entry, known without parsing it (they are most of a long run's journal): "kind"
    is the third key of every entry, after an integer and a hex hash, so its first occurrence
    on the line is the entry's own."""
    at = line.find('"kind": "')
    return at >= 0 and line.startswith('trace"', at + 9)


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    message: str


def verify_chain(path: Path) -> Verification:
    """Walk the chain; the first entry whose position, link or hash is wrong is named."""
    prev, algorithm, count = "", "sha256", 0
    for line_no, entry in _entries(path):
        if entry is None:
            return Verification(False, count, f"{path.name} line {line_no}: not a JSON entry")
        if line_no == 1:
            algorithm = str(entry.get("algorithm", "sha256"))
            if algorithm not in ALGORITHMS:
                return Verification(False, 0, f"{path.name} line 1: unknown hash {algorithm!r}")
        content = {k: v for k, v in entry.items() if k != "hash"}
        where = f"{path.name} line {line_no} (entry {entry.get('n')})"
        if entry.get("n") != count:
            return Verification(False, count, f"{where}: expected entry {count} here "
                                              "(an entry was deleted or moved)")
        if entry.get("prev") != prev:
            return Verification(False, count, f"{where}: does not follow the entry before it "
                                              "(an entry was deleted or moved)")
        if _digest(algorithm, prev, content) != entry.get("hash"):
            return Verification(False, count, f"{where}: its content does not match its hash "
                                              "(edited)")
        prev, count = entry["hash"], count + 1
    if count == 0:
        return Verification(False, 0, f"{path.name}: empty")
    return Verification(True, count, f"{count} entries, {algorithm} chain intact")


@dataclass(frozen=True)
class Rebuilt:
    header: dict[str, Any]
    lifecycles: list[Lifecycle]
    end: dict[str, Any] | None  # None: the run never wrote its end (killed)


def rebuild(path: Path) -> Rebuilt:
    """The run header and every lifecycle as the journal recorded them."""
    read = _read(path, None)
    return Rebuilt(read.header, read.lifecycles, read.end)


def settled_lifecycles(path: Path, ids: Collection[str] | None = None) -> list[Lifecycle]:
    """The incidents the journal marks settled (those with the given ids, None: all), in
    injection order, from their step entries."""
    read = _read(path, None if ids is None else set(ids))
    return [lc for lc in read.lifecycles if lc.id in read.settled]


@dataclass(frozen=True)
class _Read:
    header: dict[str, Any]
    lifecycles: list[Lifecycle]
    end: dict[str, Any] | None
    settled: set[str]


def _read(path: Path, wanted: set[str] | None) -> _Read:
    """Header, end, settled ids and the lifecycles of the `wanted` incidents (None: all)."""
    header: dict[str, Any] = {}
    end: dict[str, Any] | None = None
    settled: set[str] = set()
    order: list[str] = []
    info: dict[str, tuple[str, str, str]] = {}
    steps: dict[str, list[Step]] = {}
    for _, entry in _entries(path, skip_trace=True):
        if entry is None:
            continue  # a line cut short by a kill: everything before it still counts
        kind = entry.get("kind")
        if kind == "header":
            header = dict(entry.get("run", {}))
        elif kind == "end":
            end = {k: v for k, v in entry.items() if k not in ("n", "prev", "hash", "kind")}
        elif kind == "settled":
            settled.update(str(i) for i in entry.get("incidents", ()))
        elif kind == "step":
            inc = str(entry["incident"])
            if wanted is not None and inc not in wanted:
                continue
            if inc not in info:
                order.append(inc)
                info[inc] = (str(entry["incident_kind"]), str(entry["device"]),
                             str(entry["alarm"]))
            by = entry.get("by")
            steps.setdefault(inc, []).append(Step(
                str(entry["step"]), float(entry["t_s"]), int(entry["wall_ns"]),
                str(entry.get("utc", "")), Actor(**by) if by else None))
    lifecycles = []
    for inc in order:
        got = {s.name for s in steps[inc]}
        kind, device, alarm = info[inc]
        lifecycles.append(Lifecycle(inc, kind, device, alarm, tuple(steps[inc]),
                                    tuple(s for s in STEPS if s not in got)))
    return _Read(header, lifecycles, end, settled)


def verify_report(journal: Path, report: Path) -> Verification:
    """Does `report.json` show exactly the incidents and steps the journal recorded?"""
    recorded: dict[str, Any] = {lc.id: lifecycle_dict(lc) for lc in rebuild(journal).lifecycles}
    try:
        shown = {i["id"]: i for i in json.loads(report.read_text("utf-8"))["incidents"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Verification(False, 0, f"{report.name}: cannot read its incidents ({exc})")
    for inc_id in sorted(recorded.keys() | shown.keys()):
        if inc_id not in shown:
            return Verification(False, 0, f"{report.name}: {inc_id} is in the journal, not "
                                          "in the report")
        if inc_id not in recorded:
            return Verification(False, 0, f"{report.name}: {inc_id} is in the report, not "
                                          "in the journal")
        want = {n: (s["t_s"], s.get("by")) for n, s in recorded[inc_id]["steps"].items()}
        got = {n: (s["t_s"], s.get("by")) for n, s in shown[inc_id]["steps"].items()}
        if want != got or recorded[inc_id]["device"] != shown[inc_id]["device"]:
            return Verification(False, 0, f"{report.name}: {inc_id} differs from the journal")
    return Verification(True, len(recorded), f"the report shows the journal's {len(recorded)} "
                                             "incidents")


def results_from_journal(rebuilt: Rebuilt) -> dict[str, Any]:
    """A `results.json` document from a journal, for a run that died before writing one.

    What only the end of a run knows is absent: device health (never measured here, so its
    criteria read "not measured"), the endpoints and the platform's counters; a journal with no
    end entry is an interrupted run."""
    from harness.evidence.lifecycles import summarize
    from harness.evidence.run import RESULTS_SCHEMA

    header, end = rebuilt.header, rebuilt.end or {}
    live = header.get("mode") == "live"
    last_t = max((s.t_s for lc in rebuilt.lifecycles for s in lc.steps), default=0.0)
    last_utc = max((s.utc for lc in rebuilt.lifecycles for s in lc.steps if s.utc), default="")
    return {
        "schema": RESULTS_SCHEMA, "scenario": header.get("scenario"),
        "scenario_ref": header.get("scenario_ref") or header.get("scenario"),
        "seed": header.get("seed"), "mode": header.get("mode"), "speed": header.get("speed"),
        "simulated_s": round(float(end.get("simulated_s", last_t)), 3), "wall_s": None,
        "interrupted": bool(end.get("interrupted", True)),
        "latency_clock": "wall" if live else "sim", "protocol": None, "endpoints": [],
        # the platform's counters died with the run; that ours ran is what judging needs
        "opcua": None, "platform": {} if header.get("reference_platform") else None,
        "summary": [s.as_dict() for s in summarize(rebuilt.lifecycles,
                                                   "wall" if live else "sim")],
        "incidents": [lifecycle_dict(lc) for lc in rebuilt.lifecycles],
        "trace_records": None, "health": {},
        "started_utc": header.get("started_utc"),
        "ended_utc": end.get("ended_utc") or last_utc, "host": header.get("host"),
        "commtwin_version": header.get("commtwin_version"),
        "scenario_sha256": header.get("scenario_sha256"), "pacing": None,
        "rebuilt_from": JOURNAL,
    }
