"""Tiny sites built in code for the geometry tests: a 200 m x 100 m boundary and the buildings
and features a test names (`scenario(buildings=[...], cameras=[...])`)."""

from __future__ import annotations

from typing import Any

from scenarios import Scenario, from_dict


def box(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def building(bid: str, x0: float, y0: float, x1: float, y1: float, floors: int = 6,
             households: int = 10, residential: bool = True) -> dict[str, Any]:
    return {"id": bid, "footprint": box(x0, y0, x1, y1), "floors": floors,
            "households": households, "residential": residential}


def scenario(buildings: list[dict[str, Any]] | None = None, boundary: Any = None,
             devices: list[dict[str, Any]] | None = None, compound: Any = None,
             **features: Any) -> Scenario:
    site = {"name": "t", "origin": {"lat": 34.953, "lon": 115.889}, "division_code": "371723",
            "boundary": boundary or box(0, 0, 200, 100),
            "compounds": [{"id": "c", "boundary": compound or box(0, 0, 200, 100),
                           "buildings": buildings or []}], **features}
    return from_dict({"site": site, "gateways": [{"id": "g"}], "devices": devices or [],
                      "run": {"duration_s": 60}})
