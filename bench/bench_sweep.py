"""Sweep throughput: N virtual replications of jiahe (with carers) on 1 vs 2 Dask workers.

One variant, `--replications` seeded replications (200 by default), run on a loopback
LocalCluster of 1 worker, then of 2 (one thread each), then — as a check — serially in this
process. Reported: wall seconds from workers ready to the last row (cluster start and the
workers' imports apart), seconds per replication, the speed-up of 2 workers over 1 (target
>= 1.7x on a 2-core machine), and whether the three tables are identical (they must be).
`--rounds` repeats the 1- and 2-worker runs, alternating which goes first, each on a fresh
cluster (so each pays the geometry once); the medians are reported, with every round's ratio,
because one round on a shared machine moves by +-15%.
Usage: `PYTHONPATH=. python bench/bench_sweep.py [--replications N] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness.cli.sweep import run_sweep
from harness.cli.variants import load_spec

SPEC = """
scenario = "jiahe"
replications = {n}
seed = 1
[patch.responders]
day_start_h = 8.0
[[patch.responders.teams]]
id = "carers"
posts = [[170.0, 150.0], [470.0, 150.0], [170.0, 410.0]]
shifts = [{{ start_h = 0, end_h = 24, count = 2 }}]
"""


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replications", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    walls: dict[int, list[float]] = {1: [], 2: []}
    starts: dict[int, list[float]] = {1: [], 2: []}
    tables: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.toml"
        path.write_text(SPEC.format(n=args.replications), "utf-8")
        spec, ref = load_spec(path)
        for r in range(args.rounds):
            for w in ((1, 2) if r % 2 == 0 else (2, 1)):
                rows, meta = run_sweep(spec, ref, workers=w)
                walls[w].append(meta["wall_s"])
                starts[w].append(meta["cluster_start_s"])
                tables.append(repr(rows))
                print(f"round {r + 1}: {w} worker(s) {meta['wall_s']:.2f} s", file=sys.stderr)
        serial, _ = run_sweep(spec, ref, workers=0)
    same = all(t == repr(serial) for t in tables)
    med = {w: statistics.median(v) for w, v in walls.items()}
    speedup = med[1] / med[2]
    rounds = ", ".join(f"{a / b:.2f}" for a, b in zip(walls[1], walls[2], strict=True))
    load = os.getloadavg()[0]
    out = []
    for w in (1, 2):
        out.append({"bench": "sweep", "case": f"jiahe x {args.replications}, {w} worker(s)",
                    "median_s": round(med[w], 2),
                    "p50_ms": round(1000 * med[w] / args.replications, 1),
                    "target": f"cluster start {statistics.median(starts[w]):.1f} s (apart)"})
    out.append({"bench": "sweep", "case": "speed-up 2 workers / 1 (medians)",
                "ratio": round(speedup, 2),
                "target": f">= 1.7x: {'met' if speedup >= 1.7 else 'not met'}; rounds {rounds}; "
                          f"tables identical: {same}; load average {load:.1f}"})
    for row in out:
        print(row)
    return out


if __name__ == "__main__":
    main()
