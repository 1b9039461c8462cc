"""The site's features that the coverage indicators are computed from, as frozen models.

Key locations, public areas, footpaths, the PON plant, 5G sites, cameras, fire detectors,
lights, sports grounds, book corners, TV service and declared remote-read meters. Coordinates
are metres in the site's local east/north frame (see `scenarios.model`); every angle is in
degrees. Cross-references between features (a drop's splitter, a detector's building) are
checked by `scenarios.loader.validate`.

Tables of published figures the schema depends on (NR resource blocks, PON budget classes,
splitter losses, the GB 50116-2013 detector tables) live here, next to the fields they give
meaning to, so that `geometry` and the loader read the same numbers. Site-wide model settings
(storey height, 5G reliability target, indoor evaluation, walking snap distance) are
`CoverageSettings`, read from `[site.coverage]`.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from pydantic import Field, model_validator

from scenarios.base import Frozen, LatLon, Point2

KeyLocationKind = Literal["compound_entrance", "parking_entrance", "main_road", "fire_lane"]
PonClass = Literal["GPON-B+", "GPON-C+", "XGS-PON-N1", "XGS-PON-N2", "XGS-PON-E1"]
SplitRatio = Literal[8, 16, 32, 64, 128]
RadioScenario = Literal["UMa", "UMi"]
DetectorKind = Literal["smoke", "heat"]
HeatClass = Literal["A1", "A2", "B"]
DoriLevel = Literal["detect", "observe", "recognise", "identify"]
O2iModel = Literal["low_loss", "high_loss"]
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



class ProtectionRow(NamedTuple):
    """One row of GB 50116-2013 table 6.2.2: for rooms of floor area S in (s_above_m2,
    s_upto_m2] and ceiling height h in (h_above_m, h_upto_m], the protection area A (m²) and
    radius R (m) of one detector for roof slopes θ <= 15°, 15° < θ <= 30° and θ > 30°."""

    kind: str
    s_above_m2: float
    s_upto_m2: float
    h_above_m: float
    h_upto_m: float
    by_slope: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]


_INF = float("inf")
#: GB 50116-2013 table 6.2.2, point-type smoke and heat detectors: (A m², R m) per slope band.
GB50116_TABLE_6_2_2: tuple[ProtectionRow, ...] = (
    ProtectionRow("smoke", 0.0, 80.0, 0.0, 12.0, ((80.0, 6.7), (80.0, 7.2), (80.0, 8.0))),
    ProtectionRow("smoke", 80.0, _INF, 6.0, 12.0, ((80.0, 6.7), (100.0, 8.0), (120.0, 9.9))),
    ProtectionRow("smoke", 80.0, _INF, 0.0, 6.0, ((60.0, 5.8), (80.0, 7.2), (100.0, 9.0))),
    ProtectionRow("heat", 0.0, 30.0, 0.0, 8.0, ((30.0, 4.4), (30.0, 4.9), (30.0, 5.5))),
    ProtectionRow("heat", 30.0, _INF, 0.0, 8.0, ((20.0, 3.6), (30.0, 4.9), (40.0, 6.3))),
)
#: Upper ends of the roof-slope bands of table 6.2.2 (θ <= 15°, 15° < θ <= 30°, above), deg.
GB50116_SLOPE_BANDS_DEG: tuple[float, float] = (15.0, 30.0)
#: Highest ceiling at which a point detector may protect a room, m (GB 50116-2013 §5.2.1,
#: table 5.2.1): smoke 12 m; heat class A1 8 m, A2 and B 6 m.
GB50116_MAX_HEIGHT_M: dict[str, float] = {"smoke": 12.0, "A1": 8.0, "A2": 6.0, "B": 6.0}
#: Corridors narrower than this follow §6.2.4 (spacing along the corridor) alone, m.
GB50116_CORRIDOR_WIDTH_M = 3.0
#: Largest spacing between detectors in such a corridor, m (§6.2.4); the end wall may be at
#: most half of it from the nearest detector.
GB50116_CORRIDOR_SPACING_M: dict[str, float] = {"smoke": 15.0, "heat": 10.0}


class KeyLocation(Frozen):
    """A place the video indicator must cover: a point (entrance) or a polyline (road)."""

    id: str = Field(min_length=1, description="unique among key locations")
    kind: KeyLocationKind = Field(description="entrances are points, roads and fire lanes "
                                              "polylines")
    name: str = Field(default="", description="display name")
    points: tuple[Point2, ...] = Field(min_length=1,
                                       description="one point, or a polyline of >= 2, metres")
    target_height_m: float = Field(
        default=1.6, ge=0, le=10,
        description="height above ground of what a camera must see there, m: 1.6 (faces) by "
                    "default, e.g. 0.5 for number plates")
    dori_level: DoriLevel | None = Field(
        default=None, description="DORI level this place asks for (e.g. 'identify' at a gate); "
                                  "None: the level of the coverage run, Observe by default")


class PublicArea(Frozen):
    """A public area of a residential building on one floor (corridor, lobby, stair hall)."""

    id: str = Field(min_length=1, description="unique among public areas")
    building: str = Field(description="id of the residential building it is in")
    floor: int = Field(ge=-10, le=200, description="storey, at most the building's floors")
    kind: Literal["corridor", "lobby", "stair_hall", "other"] = Field(
        default="corridor", description="what the room is (a corridor under 3 m wide follows "
                                        "GB 50116-2013 §6.2.4 spacing)")
    polygon: tuple[Point2, ...] = Field(min_length=3, description="the room's walls, metres")
    ceiling_height_m: float = Field(default=3.0, gt=0, le=100,
                                    description="floor to ceiling (roof), m; 3.0 by default")
    roof_slope_deg: float = Field(default=0.0, ge=0, lt=90,
                                  description="slope of the ceiling/roof, deg; 0 (flat) by "
                                              "default (GB 50116-2013 table 6.2.2 bands)")
    k_factor: float = Field(default=1.0, ge=0.7, le=1.0,
                            description="correction K of GB 50116-2013 formula 6.2.2: 1.0 "
                                        "ordinary places (default), 0.7-0.9 crowded ones")


class Path(Frozen):
    """A walkable footpath or road centreline; paths that cross or touch are connected."""

    id: str = Field(min_length=1, description="unique among paths")
    kind: Literal["footpath", "road"] = Field(default="footpath",
                                              description="both are walkable")
    points: tuple[Point2, ...] = Field(min_length=2, description="polyline, metres")


class OltPort(Frozen):
    """One PON port of an OLT and its optical class."""

    id: str = Field(min_length=1, description="unique on its OLT; splitters feed from "
                                              "'olt_id/port_id'")
    pon_class: PonClass = Field(description="power budget class: GPON-B+ 28, GPON-C+ 32, "
                                            "XGS-PON-N1 29, N2 31, E1 33 dB; only XGS-PON "
                                            "classes give gigabit per household")


class Olt(Frozen):
    """An optical line terminal; its ports feed splitters."""

    id: str = Field(min_length=1, description="unique among OLTs")
    position: Point2 = Field(default=(0.0, 0.0), description="[east, north], metres (maps only)")
    ports: tuple[OltPort, ...] = Field(min_length=1, description="its PON ports, at least one")


class Splitter(Frozen):
    """A 1:N splitter fed from an OLT port (`feed = "OLT/PORT"`) or from a leg of another."""

    id: str = Field(min_length=1, description="unique among splitters")
    ratio: SplitRatio = Field(description="1:N split; insertion loss 1:8 10.5, 1:16 14, 1:32 17, "
                                          "1:64 20.5, 1:128 23.5 dB")
    feed: str = Field(min_length=1, description='"olt_id/port_id" or an upstream splitter id')
    position: Point2 = Field(default=(0.0, 0.0), description="[east, north], metres (maps only)")
    feeder_km: float = Field(default=0.0, ge=0, description="fibre from the feed, km (0.4 dB/km)")
    connectors: int = Field(default=0, ge=0, description="connectors on the feeder (0.5 dB each)")
    splices: int = Field(default=0, ge=0, description="splices on the feeder (0.1 dB each)")


class FiberDrop(Frozen):
    """Drop fibres from one splitter to `households` households of one building (one leg each)."""

    id: str = Field(min_length=1, description="unique among drops")
    building: str = Field(description="id of the building served")
    splitter: str = Field(description="id of the splitter the drops hang off")
    households: int = Field(ge=1, description="households served, one splitter leg each; drops "
                                              "to a building add up to at most its households")
    drop_km: float = Field(default=0.0, ge=0, description="drop fibre length, km (0.4 dB/km)")
    connectors: int = Field(default=2, ge=0, description="e.g. splitter out + ONT in "
                                                         "(0.5 dB each)")
    splices: int = Field(default=0, ge=0, description="splices on the drop (0.1 dB each)")


class CellSite(Frozen):
    """A 5G sector-less (omni) site; the path loss model is TR 38.901 UMa or UMi."""

    id: str = Field(min_length=1, description="unique among 5G sites")
    position: Point2 = Field(description="[east, north], metres")
    height_m: float = Field(gt=1.0, le=150, description="antenna height above ground, m "
                                                        "(UMa 25 m, UMi 10 m typical)")
    tx_power_dbm: float | None = Field(
        default=None, ge=0, le=70,
        description="total conducted transmit power of the carrier (all resource elements), "
                    "dBm; the antenna gain is added. Give this or eirp_dbm, not both")
    eirp_dbm: float | None = Field(
        default=None, ge=0, le=100,
        description="total EIRP of the carrier, dBm (antenna gain already in it: "
                    "antenna_gain_dbi is not added). Give this or tx_power_dbm, not both")
    frequency_ghz: float = Field(ge=0.5, le=100, description="carrier frequency, GHz")
    bandwidth_mhz: int = Field(default=100, gt=0, description="channel bandwidth, MHz; an NR "
                                                              "channel at scs_khz (TS 38.101-1)")
    scs_khz: Literal[15, 30, 60] = Field(default=30, description="subcarrier spacing, kHz")
    antenna_gain_dbi: float = Field(default=0.0, ge=-10, le=40,
                                    description="antenna gain, dBi; added to tx_power_dbm")
    losses_db: float = Field(default=0.0, ge=0, description="cable, body, penetration margins")
    scenario: RadioScenario = Field(default="UMa", description="TR 38.901 path loss model: UMa "
                                                               "(macro) or UMi (street canyon)")

    @model_validator(mode="after")
    def _one_power(self) -> CellSite:
        if (self.tx_power_dbm is None) == (self.eirp_dbm is None):
            raise ValueError(f"tx_power_dbm = {self.tx_power_dbm}, eirp_dbm = {self.eirp_dbm}: "
                             "give exactly one of the two")
        return self

    @property
    def eirp_total_dbm(self) -> float:
        """Total radiated power of the carrier toward the main lobe, dBm."""
        if self.eirp_dbm is not None:
            return self.eirp_dbm
        assert self.tx_power_dbm is not None  # the validator guarantees one of the two
        return self.tx_power_dbm + self.antenna_gain_dbi


class Camera(Frozen):
    """A camera: where it looks (compass heading, 0 = north, 90 = east) and its record."""

    id: str = Field(min_length=1, description="the site's own id")
    gb_id: str = Field(default="", description="GB/T 28181 device id as registered; "
                                               "checked by the metadata indicator, not here")
    name: str = Field(default="", description="name as registered")
    division_code: str = Field(default="", description="administrative division as registered")
    latlon: LatLon | None = Field(default=None, description="coordinates as registered")
    purpose: CameraPurpose = Field(
        default="general", description="key_location: counts for the video indicator; facade: "
                                       "watches windows for thrown objects; general: neither")
    position: Point2 = Field(description="[east, north], metres")
    height_m: float = Field(default=3.0, ge=0, le=300,
                            description="mounting height above ground, m; 3.0 by default")
    heading_deg: float = Field(ge=0, lt=360, description="compass bearing of the optical axis")
    hfov_deg: float = Field(gt=0, lt=180, description="horizontal field of view, deg")
    vfov_deg: float = Field(gt=0, lt=180, description="vertical field of view, deg")
    tilt_deg: float = Field(default=0.0, ge=-90, le=90,
                            description="elevation of the optical axis, deg: up is positive, "
                                        "so a camera looking 30° down has -30; 0 by default")
    width_px: int = Field(gt=0, description="sensor width, px (for the DORI pixel density)")
    height_px: int = Field(gt=0, description="sensor height, px")


class FireDetector(Frozen):
    """A point-type smoke or heat detector on the ceiling of a public area."""

    id: str = Field(min_length=1, description="unique among detectors")
    kind: DetectorKind = Field(default="smoke", description="point-type smoke or heat detector")
    heat_class: HeatClass = Field(default="A1", description="heat detectors: class of GB "
                                  "50116-2013 table 5.2.1 (A1 up to 8 m ceilings, A2/B 6 m)")
    building: str = Field(description="id of the building it is in")
    floor: int = Field(ge=-10, le=200, description="storey of the public area it serves")
    position: Point2 = Field(description="on the ceiling of the public area it serves, m")
    radius_m: float | None = Field(
        default=None, gt=0, le=20,
        description="protection radius R, m; None (default): from GB 50116-2013 table 6.2.2 "
                    "by the room's area, ceiling height and roof slope")


class Light(Frozen):
    """A public light fixture; smart = auto brightness, remote control or fault alarm."""

    id: str = Field(min_length=1, description="unique among lights")
    position: Point2 = Field(description="[east, north], metres")
    smart: bool = Field(default=False, description="auto brightness, remote control or fault "
                                                   "alarm")


class SportsGround(Frozen):
    """A sports ground residents walk to (the 15-minute walk indicator)."""

    id: str = Field(min_length=1, description="unique among sports grounds")
    name: str = Field(default="", description="display name")
    entrances: tuple[Point2, ...] = Field(min_length=1, description="where walkers arrive")
    footprint: tuple[Point2, ...] = Field(default=(), description="outline for the maps, "
                                                                  "metres; empty: none")


class BookCorner(Frozen):
    """A shared book corner or smart book cabinet."""

    id: str = Field(min_length=1, description="unique among book corners")
    kind: Literal["book_corner", "smart_book_cabinet"] = Field(default="book_corner",
                                                               description="which of the two")
    position: Point2 = Field(description="[east, north], metres")


class TvService(Frozen):
    """TV reception of one building: wired for cable TV (all households) and/or IPTV offered
    over its broadband (households with a working fibre drop)."""

    building: str = Field(description="id of the building; one entry per building")
    cable_tv: bool = Field(default=False, description="wired for cable TV (all households)")
    iptv: bool = Field(default=False, description="IPTV offered over its broadband (households "
                                                  "with a working fibre drop)")


class HouseholdMeters(Frozen):
    """Households of one building with a remotely read water, electricity or gas meter that is
    not modelled as a device (devices of kind electricity_meter count on their own)."""

    building: str = Field(description="id of the building; one entry per building")
    remote_households: int = Field(ge=0, description="households with a remotely read meter, at "
                                                     "most the building's households")


class CoverageSettings(Frozen):
    """Site-wide settings of the coverage models (`[site.coverage]`); every default is the one
    `docs/coverage.md` states."""

    storey_height_m: float = Field(
        default=3.0, gt=0, le=10,
        description="height of one floor, m: a building is floors x this tall (3.0 by default); "
                    "for camera sight lines, facade windows and nothing else")
    reliability_5g: float = Field(
        default=0.90, gt=0.5, lt=1.0,
        description="location reliability a 5G raster cell needs: P(RSRP >= threshold) under "
                    "log-normal shadowing (TR 38.901 sigma_SF); 0.90 by default")
    count_interiors_5g: bool = Field(
        default=False,
        description="true: building interiors are part of the 5G area and evaluated indoors "
                    "(TR 38.901 §7.4.3 O2I); false (default): only outdoor area counts")
    o2i_model: O2iModel = Field(default="low_loss",
                                description="TR 38.901 O2I building type when interiors count")
    walk_snap_m: float = Field(
        default=30.0, gt=0, le=500,
        description="a home joins every footpath segment within this distance, m (30 by "
                    "default); the nearest one always")
    gate_tolerance_m: float = Field(
        default=5.0, gt=0, le=50,
        description="a path crosses a compound boundary only within this distance of a "
                    "compound_entrance key location, m (5 by default)")
