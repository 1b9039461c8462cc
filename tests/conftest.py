"""Shared fixtures: the bundled demo scenario and small scenarios built from dicts."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from typing import Any

import pytest

import scenarios


def demo_dict() -> dict[str, Any]:
    text = resources.files("scenarios").joinpath("data", "demo.toml").read_text("utf-8")
    return tomllib.loads(text)


@pytest.fixture
def demo() -> scenarios.Scenario:
    return scenarios.load("demo")


def tiny_dict(**run: Any) -> dict[str, Any]:
    """One compound, one building, a fire panel, a call button and a meter on one gateway."""
    square = [[0, 0], [100, 0], [100, 100], [0, 100]]
    data: dict[str, Any] = {
        "site": {"name": "tiny", "origin": {"lat": 34.95, "lon": 115.89}, "boundary": square,
                 "compounds": [{"id": "c1", "boundary": square, "buildings": [
                     {"id": "B1", "floors": 6, "households": 12,
                      "footprint": [[10, 10], [40, 10], [40, 20], [10, 20]]}]}]},
        "gateways": [{"id": "gw", "port": 0}],
        "devices": [
            {"id": "fire", "kind": "fire_panel", "building": "B1", "position": [12, 12],
             "gateway": "gw", "unit": 1},
            {"id": "call", "kind": "call_button", "building": "B1", "floor": 3,
             "position": [20, 12], "gateway": "gw", "unit": 2},
            {"id": "meter", "kind": "electricity_meter", "building": "B1",
             "position": [30, 12], "gateway": "gw", "unit": 3},
        ],
        "run": {"duration_s": 60.0, "drain_s": 5.0, "seed": 1, "speed": 1.0},
    }
    data["run"].update(run)
    return copy.deepcopy(data)
