"""The site's features that the coverage indicators are computed from, as frozen models.

Key locations, public areas, footpaths, the PON plant, 5G sites, cameras, fire detectors,
lights, sports grounds, book corners, TV service and declared remote-read meters. Coordinates
are metres in the site's local east/north frame (see `scenarios.model`); every angle is in
degrees. Cross-references between features (a drop's splitter, a detector's building) are
checked by `scenarios.loader.validate`.

Tables of published figures the schema depends on (NR resource blocks, PON budget classes,
splitter losses, detector radii) live here, next to the fields they give meaning to, so that
`geometry` and the loader read the same numbers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scenarios.base import Frozen, LatLon, Point2

KeyLocationKind = Literal["compound_entrance", "parking_entrance", "main_road", "fire_lane"]
PonClass = Literal["GPON-B+", "GPON-C+", "XGS-PON-N1", "XGS-PON-N2", "XGS-PON-E1"]
SplitRatio = Literal[8, 16, 32, 64, 128]
RadioScenario = Literal["UMa", "UMi"]
DetectorKind = Literal["smoke", "heat"]
CameraPurpose = Literal["key_location", "facade", "general"]

#: Optical power budget of each PON class, dB (ITU-T G.984.2 amd., G.9807.1).
PON_BUDGET_DB: dict[str, float] = {
    "GPON-B+": 28.0, "GPON-C+": 32.0,
    "XGS-PON-N1": 29.0, "XGS-PON-N2": 31.0, "XGS-PON-E1": 33.0,
}
#: Classes whose downstream rate lets every household on a port get gigabit service.
TEN_G_CLASSES: frozenset[str] = frozenset({"XGS-PON-N1", "XGS-PON-N2", "XGS-PON-E1"})
#: Real insertion loss of a balanced splitter, dB.
SPLITTER_LOSS_DB: dict[int, float] = {8: 10.5, 16: 14.0, 32: 17.0, 64: 20.5, 128: 23.5}

#: NR maximum transmission bandwidth N_RB by (SCS kHz, channel MHz), 3GPP TS 38.101-1 table
#: 5.3.2-1 (FR1). A 5G site's bandwidth/SCS pair must be one of these.
NR_RB: dict[tuple[int, int], int] = {
    (15, 5): 25, (15, 10): 52, (15, 15): 79, (15, 20): 106, (15, 25): 133, (15, 30): 160,
    (15, 40): 216, (15, 50): 270,
    (30, 5): 11, (30, 10): 24, (30, 15): 38, (30, 20): 51, (30, 25): 65, (30, 30): 78,
    (30, 40): 106, (30, 50): 133, (30, 60): 162, (30, 70): 189, (30, 80): 217, (30, 90): 245,
    (30, 100): 273,
    (60, 10): 11, (60, 15): 18, (60, 20): 24, (60, 25): 31, (60, 30): 38, (60, 40): 51,
    (60, 50): 65, (60, 60): 79, (60, 70): 93, (60, 80): 107, (60, 90): 121, (60, 100): 135,
}

#: Protection radius when a detector gives none, m (GB 50116-2013 table 6.2.2: smoke, room
#: > 80 m², height <= 6 m -> 5.8 m; heat, room > 30 m², height <= 8 m -> 3.6 m).
DETECTOR_RADIUS_M: dict[str, float] = {"smoke": 5.8, "heat": 3.6}


class KeyLocation(Frozen):
    """A place the video indicator must cover: a point (entrance) or a polyline (road)."""

    id: str = Field(min_length=1)
    kind: KeyLocationKind
    name: str = ""
    points: tuple[Point2, ...] = Field(min_length=1,
                                       description="one point, or a polyline of >= 2, metres")


class PublicArea(Frozen):
    """A public area of a residential building on one floor (corridor, lobby, stair hall)."""

    id: str = Field(min_length=1)
    building: str
    floor: int = Field(ge=-10, le=200)
    kind: Literal["corridor", "lobby", "stair_hall", "other"] = "corridor"
    polygon: tuple[Point2, ...] = Field(min_length=3, description="metres")


class Path(Frozen):
    """A walkable footpath or road centreline; paths that cross or touch are connected."""

    id: str = Field(min_length=1)
    kind: Literal["footpath", "road"] = "footpath"
    points: tuple[Point2, ...] = Field(min_length=2, description="polyline, metres")


class OltPort(Frozen):
    id: str = Field(min_length=1)
    pon_class: PonClass


class Olt(Frozen):
    """An optical line terminal; its ports feed splitters."""

    id: str = Field(min_length=1)
    position: Point2 = (0.0, 0.0)
    ports: tuple[OltPort, ...] = Field(min_length=1)


class Splitter(Frozen):
    """A 1:N splitter fed from an OLT port (`feed = "OLT/PORT"`) or from a leg of another."""

    id: str = Field(min_length=1)
    ratio: SplitRatio
    feed: str = Field(min_length=1, description='"olt_id/port_id" or an upstream splitter id')
    position: Point2 = (0.0, 0.0)
    feeder_km: float = Field(default=0.0, ge=0, description="fibre from the feed, km")
    connectors: int = Field(default=0, ge=0)
    splices: int = Field(default=0, ge=0)


class FiberDrop(Frozen):
    """Drop fibres from one splitter to `households` households of one building (one leg each)."""

    id: str = Field(min_length=1)
    building: str
    splitter: str
    households: int = Field(ge=1)
    drop_km: float = Field(default=0.0, ge=0)
    connectors: int = Field(default=2, ge=0, description="e.g. splitter out + ONT in")
    splices: int = Field(default=0, ge=0)


class CellSite(Frozen):
    """A 5G sector-less (omni) site; the path loss model is TR 38.901 UMa or UMi."""

    id: str = Field(min_length=1)
    position: Point2
    height_m: float = Field(gt=1.0, le=150)
    tx_power_dbm: float = Field(ge=0, le=70, description="total transmit power")
    frequency_ghz: float = Field(ge=0.5, le=100)
    bandwidth_mhz: int = Field(default=100, gt=0)
    scs_khz: Literal[15, 30, 60] = 30
    antenna_gain_dbi: float = Field(default=0.0, ge=-10, le=40)
    losses_db: float = Field(default=0.0, ge=0, description="cable, body, penetration margins")
    scenario: RadioScenario = "UMa"


class Camera(Frozen):
    """A camera: where it looks (compass heading, 0 = north, 90 = east) and its record."""

    id: str = Field(min_length=1, description="the site's own id")
    gb_id: str = Field(default="", description="GB/T 28181 device id as registered; "
                                               "checked by the metadata indicator, not here")
    name: str = ""
    division_code: str = Field(default="", description="administrative division as registered")
    latlon: LatLon | None = Field(default=None, description="coordinates as registered")
    purpose: CameraPurpose = "general"
    position: Point2
    height_m: float = Field(default=3.0, ge=0, le=300)
    heading_deg: float = Field(ge=0, lt=360, description="compass bearing of the optical axis")
    hfov_deg: float = Field(gt=0, le=180)
    vfov_deg: float = Field(gt=0, lt=180)
    tilt_deg: float = Field(default=0.0, ge=-90, le=90, description="up is positive")
    width_px: int = Field(gt=0)
    height_px: int = Field(gt=0)


class FireDetector(Frozen):
    id: str = Field(min_length=1)
    kind: DetectorKind = "smoke"
    building: str
    floor: int = Field(ge=-10, le=200)
    position: Point2
    radius_m: float | None = Field(default=None, gt=0, le=20,
                                   description="protection radius; None: DETECTOR_RADIUS_M")


class Light(Frozen):
    """A public light fixture; smart = auto brightness, remote control or fault alarm."""

    id: str = Field(min_length=1)
    position: Point2
    smart: bool = False


class SportsGround(Frozen):
    id: str = Field(min_length=1)
    name: str = ""
    entrances: tuple[Point2, ...] = Field(min_length=1, description="where walkers arrive")
    footprint: tuple[Point2, ...] = ()


class BookCorner(Frozen):
    id: str = Field(min_length=1)
    kind: Literal["book_corner", "smart_book_cabinet"] = "book_corner"
    position: Point2


class TvService(Frozen):
    """TV reception of one building: wired for cable TV (all households) and/or IPTV offered
    over its broadband (households with a working fibre drop)."""

    building: str
    cable_tv: bool = False
    iptv: bool = False


class HouseholdMeters(Frozen):
    """Households of one building with a remotely read water, electricity or gas meter that is
    not modelled as a device (devices of kind electricity_meter count on their own)."""

    building: str
    remote_households: int = Field(ge=0)
