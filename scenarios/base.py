"""The base types every scenario model shares: the frozen-model contract and coordinates.

Kept in a module of its own so that the schema's parts (`model`, `site_features`, `faults`,
`opcua`) all build on one base without importing each other in a circle.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

#: Largest |x| or |y| of a local coordinate, m. A community spans a few kilometres; 50 km from
#: the origin is far past any real site and keeps every raster and distance finite and small.
MAX_COORD_M = 50_000.0

#: Longest run (injection window, drain, any time inside it), simulated seconds: 366 days. A
#: rehearsal lasts hours; a year is the longest a planner would simulate in virtual mode.
MAX_RUN_S = 366 * 86_400.0

#: Highest incident or fault rate per kind, per simulated hour (one a second): beyond that no
#: platform could tell incidents apart, and the injector's event count would grow without bound.
MAX_RATE_PER_H = 3600.0

#: One local east or north coordinate, metres from `site.origin`.
Coordinate = Annotated[float, Field(ge=-MAX_COORD_M, le=MAX_COORD_M,
                                    description="metres from site.origin, |value| <= 50 km")]

#: A point in the site's local east/north frame, metres.
Point2 = tuple[Coordinate, Coordinate]

#: Ids that become OPC UA NodeIds, folder paths and Modbus/report keys: no dots (a device `a.b`
#: would collide with point `b` of device `a`), no slashes or colons (folder NodeIds use them).
SAFE_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
SafeId = Annotated[str, Field(min_length=1, max_length=64, pattern=SAFE_ID,
                              description="letters, digits, '_' and '-', at most 64, "
                                          "starting with a letter or digit")]


class Frozen(BaseModel):
    """Base of every scenario model: immutable, unknown keys are errors, numbers are finite.

    NaN would compare false against every range check and inf would pass `ge=0`; both are
    refused everywhere so a rate, duration or coordinate is always a real number.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class LatLon(Frozen):
    """A WGS 84 position: latitude and longitude in decimal degrees."""

    lat: float = Field(ge=-90, le=90, description="latitude, decimal degrees north (WGS 84)")
    lon: float = Field(ge=-180, le=180, description="longitude, decimal degrees east (WGS 84)")
