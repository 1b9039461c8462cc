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
