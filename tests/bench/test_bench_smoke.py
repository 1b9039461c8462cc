"""The live benchmarks run to the end at tiny sizes (CI): figures are not checked, only that
the server, the client process and the report all complete. Timing is never asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("script", ["bench_live.py", "bench_soak.py"])
def test_live_benchmark_completes_at_tiny_sizes(script: str) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--tiny"],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["households"] == 40


@pytest.mark.parametrize("args", [["build", "direct", "40"], ["build", "asyncua_bulk", "40"],
                                  ["init", "CACHE"], ["start", "40", "OUT"],
                                  ["latency", "50", "40"]])
def test_opcua_benchmark_steps_complete_at_tiny_sizes(args: list[str], tmp_path: Path) -> None:
    """Each step the OPC UA benchmark runs in a child process, at a tiny size: it must keep
    up with the server's code (it once still called a cache the server no longer had)."""
    args = [{"CACHE": str(tmp_path / "cache"), "OUT": str(tmp_path / "out")}.get(a, a)
            for a in args]
    if args[0] == "build":
        args.append(str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_opcua.py"), *args],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT),
                                         "XDG_CACHE_HOME": str(tmp_path / "xdg")},
                          capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr[-2000:]
    row = json.loads(done.stdout.strip().splitlines()[-1])
    if args[0] == "init":
        assert row["init_s"] >= 0 and (tmp_path / "cache" / "ns0.bin").is_file()
    elif args[0] == "latency":
        assert row["received"] > 0
    else:  # a community of 40 households: a few hundred nodes
        assert row["nodes"] > 100 and row["build_s"] >= 0
