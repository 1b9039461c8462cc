"""Golden reference: the bundled Jiahe model, virtual mode, fixed seed -> committed verdicts.

Regenerate the reference only on purpose, after checking why a verdict or figure moved:
    python tests/harness/test_golden_jiahe.py
"""

from __future__ import annotations

import copy
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from harness import report
from harness.evidence.health import from_health
from scenarios import Scenario, from_dict, load
from sim import World

GOLDEN = Path(__file__).parent / "golden" / "jiahe_verdicts.json"


def virtual_report(scenario: Scenario) -> dict[str, Any]:
    world = World(scenario, modelled_platform=True)
    world.run_virtual()
    run = {"mode": "virtual", "seed": world.seed, "simulated_s": world.env.now,
           "latency_clock": "sim"}
    doc, _ = report.build(scenario, scenario.name, world.lifecycles(), run,
                          from_health(world, None))
    return doc


def digest(doc: dict[str, Any]) -> dict[str, Any]:
    """Verdicts and measured figures (rounded: the reference is not about the 12th digit)."""
    return {str(i["number"]): {"status": i["status"],
                               "figures": {c["measure"]: None if c["value"] is None
                                           else round(c["value"], 4) for c in i["criteria"]}}
            for i in doc["indicators"]}


def test_jiahe_matches_the_committed_reference() -> None:
    got = digest(virtual_report(load("jiahe")))
    want = json.loads(GOLDEN.read_text("utf-8"))
    assert got == want


def test_removing_the_key_location_cameras_flips_indicator_4() -> None:
    text = resources.files("scenarios").joinpath("data", "jiahe.toml").read_text("utf-8")
    data = tomllib.loads(text)
    variant = copy.deepcopy(data)
    variant["site"]["cameras"] = [c for c in data["site"]["cameras"]
                                  if c.get("purpose") != "key_location"]
    base = {i["number"]: i for i in virtual_report(from_dict(data))["indicators"]}
    cut = {i["number"]: i for i in virtual_report(from_dict(variant))["indicators"]}
    assert base[4]["status"] == "met"
    assert cut[4]["status"] == "not_met"
    (coverage,) = [c for c in cut[4]["criteria"] if c["measure"] == "geometry.video_coverage"]
    assert coverage["ok"] is False and coverage["value"] < 0.5  # facade cameras see a little
    listed = {e.split(":")[0] for e in coverage["evidence"]}
    key_ids = {k["id"] for k in data["site"]["key_locations"]}
    assert coverage["evidence"] and all(any(k in place for k in key_ids) for place in listed)
    # nothing else moved
    assert {n: i["status"] for n, i in cut.items() if n != 4} == \
        {n: i["status"] for n, i in base.items() if n != 4}


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(digest(virtual_report(load("jiahe"))), indent=1,
                                 ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {GOLDEN}")
