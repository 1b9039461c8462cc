"""Change guard: a virtual run of the demo with a fixed seed writes the same results.json.

The digest was recorded from the code before the harness was split by role, so a match shows the
split changed no behaviour. It guards against change, not error: when a deliberate change moves
the record (new fields, new figures), re-record it with
    python tests/harness/test_results_digest.py
and say in CHANGELOG.md what moved and why. Wall-clock fields (how long this machine took, when and
where it ran) are set aside: they describe the machine and the moment, not the model.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from harness.cli.session import run_virtual
from harness.evidence import write_results
from scenarios import load

DIGEST = Path(__file__).parent / "golden" / "demo_virtual_results.sha256"
WALL_CLOCK = {"wall", "wall_s", "wall_ns", "utc", "started_utc", "ended_utc", "host"}


def _without_wall_clock(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _without_wall_clock(v) for k, v in obj.items() if k not in WALL_CLOCK}
    if isinstance(obj, list):
        return [_without_wall_clock(v) for v in obj]
    return obj


def results_digest(out: Path) -> str:
    path = write_results(run_virtual(load("demo"), seed=7), out)
    text = json.dumps(_without_wall_clock(json.loads(path.read_text("utf-8"))),
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_virtual_demo_results_are_unchanged(tmp_path: Path) -> None:
    assert results_digest(tmp_path) == DIGEST.read_text("utf-8").strip()


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        DIGEST.write_text(results_digest(Path(tmp)) + "\n", "utf-8")
    print(f"wrote {DIGEST}")
