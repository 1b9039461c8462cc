"""The base types every scenario model shares: the frozen-model contract and coordinates.

Kept in a module of its own so that the schema's parts (`model`, `site_features`, `faults`,
`opcua`) all build on one base without importing each other in a circle.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: A point in the site's local east/north frame, metres.
Point2 = tuple[float, float]


class Frozen(BaseModel):
    """Base of every scenario model: immutable, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class LatLon(Frozen):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
