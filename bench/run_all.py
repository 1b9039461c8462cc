"""Run every `bench/bench_*.py` and print one table.

Each benchmark module has a `main()`; if it returns a list of dict rows (keys such as `bench`,
`case`, `median_s`, `p50_ms`, `ratio`, `target`), they go into the table; a `main()` that
returns nothing has printed its own figures and gets a row saying it ran; a `main(argv)` is
called with an empty argv (its default cases). Baselines are
measured by each benchmark in the same run, so the ratios are the figures to compare; absolute
times move with machine load (2 cores, shared). Usage: `python bench/run_all.py [name ...]`.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
COLUMNS = ("bench", "case", "median_s", "p50_ms", "p99_ms", "req_per_s", "events_per_s",
           "peak_MiB", "ratio", "target")


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return "" if value is None else str(value)


def main(names: list[str] | None = None) -> list[dict[str, object]]:
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    rows: list[dict[str, object]] = []
    for path in sorted(HERE.glob("bench_*.py")):
        if names and path.stem.removeprefix("bench_") not in names and path.stem not in names:
            continue
        t0 = time.perf_counter()
        try:
            entry = _load(path).main
            # Some benchmarks take their argv (e.g. bench_geometry's `main(argv)`): run all.
            required = [p for p in inspect.signature(entry).parameters.values()
                        if p.default is inspect.Parameter.empty]
            got = entry([]) if required else entry()
        except Exception:
            traceback.print_exc()
            rows.append({"bench": path.stem, "case": "FAILED (see traceback above)"})
            continue
        if isinstance(got, list):
            rows.extend(got)
        else:
            rows.append({"bench": path.stem, "case": "ran (figures printed above)",
                         "median_s": time.perf_counter() - t0})
    cols = [c for c in COLUMNS if any(c in r for r in rows)]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(_cell(r.get(c)) for c in cols) + " |")
    return rows


if __name__ == "__main__":
    main(sys.argv[1:] or None)
