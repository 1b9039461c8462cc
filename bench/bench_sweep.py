"""Sweep throughput: N virtual replications of jiahe (with carers) on 1 vs 2 Dask workers.

One variant, `--replications` seeded replications (200 by default), run on a loopback
LocalCluster of 1 worker, then of 2 (one thread each), then — as a check — serially in this
process. Reported: wall seconds from workers ready to the last row (cluster start and the
workers' imports apart), seconds per replication, the speed-up of 2 workers over 1 (target
>= 1.7x on a 2-core machine), and whether the three tables are identical (they must be).
Usage: `PYTHONPATH=. python bench/bench_sweep.py [--replications N]`.
"""

from __future__ import annotations

import argparse
import os
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
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.toml"
        path.write_text(SPEC.format(n=args.replications), "utf-8")
        spec, ref = load_spec(path)
        runs = {w: run_sweep(spec, ref, workers=w) for w in (1, 2)}
        serial, _ = run_sweep(spec, ref, workers=0)
    (rows1, m1), (rows2, m2) = runs[1], runs[2]
    same = repr(rows1) == repr(rows2) == repr(serial)
    speedup = m1["wall_s"] / m2["wall_s"]
    load = os.getloadavg()[0]
    out = []
    for w, (_rows, m) in runs.items():
        out.append({"bench": "sweep", "case": f"jiahe x {args.replications}, {w} worker(s)",
                    "median_s": m["wall_s"],
                    "p50_ms": round(1000 * m["wall_s_per_replication"], 1),
                    "target": f"cluster start {m['cluster_start_s']:.1f} s (apart)"})
    out.append({"bench": "sweep", "case": "speed-up 2 workers / 1", "ratio": round(speedup, 2),
                "target": f">= 1.7x: {'met' if speedup >= 1.7 else 'not met'}; tables "
                          f"identical: {same}; load average {load:.1f}"})
    for row in out:
        print(row)
    return out


if __name__ == "__main__":
    main()
