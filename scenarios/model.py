"""The scenario schema, version 1: what a community is, as frozen pydantic models.

Coordinates are metres in a local east/north frame whose (0, 0) sits at `site.origin`
(latitude/longitude, WGS 84). Times are simulated seconds. Unknown keys are errors and defaults
live here only, so a typo in a scenario never silently falls back to a default.

Cross-references (a device's building, gateway and unit; an incident's target) are checked by
`scenarios.validate`, which can name the exact field path of a dangling reference.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from scenarios.base import MAX_RATE_PER_H, MAX_RUN_S, Frozen, LatLon, Point2, SafeId
from scenarios.faults import Faults
from scenarios.opcua import OpcUa
from scenarios.responders import Responders
from scenarios.site_features import (
    BookCorner,
    Camera,
    CellSite,
    CoverageSettings,
    FiberDrop,
    FireDetector,
    HouseholdMeters,
    KeyLocation,
    Light,
    Olt,
    Path,
    PublicArea,
    Splitter,
    SportsGround,
    TvService,
)

SCHEMA_VERSION = 1

DeviceKind = Literal["fire_panel", "call_button", "electricity_meter", "water_meter",
                     "gas_meter", "ebike_charger", "smart_light", "fire_hazard_sensor",
                     "perimeter_zone", "throwing_camera", "cctv_camera", "access_gate",
                     "elevator_ebike_detector", "garbage_station"]
IncidentKind = Literal["fire_alarm", "fire_panel_fault", "emergency_call", "call_low_battery",
                       "meter_fault", "water_meter_fault", "gas_meter_fault",
                       "charger_over_current", "charger_over_temperature", "charger_smoke",
                       "lamp_fault", "fire_lane_occupied", "hydrant_pressure_low",
                       "fire_door_open", "electrical_fault", "intrusion", "perimeter_tamper",
                       "object_thrown", "camera_offline", "camera_image_loss", "gate_forced",
                       "ebike_in_elevator", "garbage_violation", "garbage_full"]

#: Which device kind can carry each incident kind (the device modules say which alarm).
INCIDENT_DEVICE_KIND: dict[str, str] = {
    "fire_alarm": "fire_panel",
    "fire_panel_fault": "fire_panel",
    "emergency_call": "call_button",
    "call_low_battery": "call_button",
    "meter_fault": "electricity_meter",
    "water_meter_fault": "water_meter",
    "gas_meter_fault": "gas_meter",
    "charger_over_current": "ebike_charger",
    "charger_over_temperature": "ebike_charger",
    "charger_smoke": "ebike_charger",
    "lamp_fault": "smart_light",
    "fire_lane_occupied": "fire_hazard_sensor",
    "hydrant_pressure_low": "fire_hazard_sensor",
    "fire_door_open": "fire_hazard_sensor",
    "electrical_fault": "fire_hazard_sensor",
    "intrusion": "perimeter_zone",
    "perimeter_tamper": "perimeter_zone",
    "object_thrown": "throwing_camera",
    "camera_offline": "cctv_camera",
    "camera_image_loss": "cctv_camera",
    "gate_forced": "access_gate",
    "ebike_in_elevator": "elevator_ebike_detector",
    "garbage_violation": "garbage_station",
    "garbage_full": "garbage_station",
}

#: Most households in one building (a 60-floor tower of 40 flats a floor is 2,400).
MAX_HOUSEHOLDS_PER_BUILDING = 10_000
#: Longest side of the site boundary's bounding box, m. The largest communities span a few
#: kilometres; 10 km keeps the 1 m coverage raster at <= 1e8 cells.
MAX_SITE_SIDE_M = 10_000.0
#: Most devices and gateways one scenario may serve (a generated 100,000-household community
#: has about 106,000 devices on about 430 gateways; each gateway is a listening socket).
MAX_DEVICES = 250_000
MAX_GATEWAYS = 2_000

#: Incidents (or faults) of one kind per simulated hour.
Rate = Annotated[float, Field(ge=0, le=MAX_RATE_PER_H,
                              description="per simulated hour, 0..3600 (one a second)")]
#: A span of simulated time within the longest run.
RunSeconds = Annotated[float, Field(ge=0, le=MAX_RUN_S,
                                    description="simulated seconds, <= 366 days")]


class Building(Frozen):
    """One building of a compound: its footprint, storeys and households."""

    id: SafeId = Field(description="unique among all buildings and compounds; devices and site "
                                   "features name the building by it")
    name: str = Field(default="", description="display name (e.g. 1号楼)")
    footprint: tuple[Point2, ...] = Field(min_length=3, max_length=10_000,
                                          description="polygon, metres; valid, non-zero area")
    floors: int = Field(ge=1, le=200, description="storeys above ground, 1..200")
    households: int = Field(ge=0, le=MAX_HOUSEHOLDS_PER_BUILDING,
                            description="0..10,000 per building")
    residential: bool = Field(default=True,
                              description="false for offices, shops, a clubhouse: no homes")


class Compound(Frozen):
    """A closed residential compound (小区) with its own boundary and buildings."""

    id: SafeId = Field(description="unique among all compounds and buildings")
    name: str = Field(default="", description="display name (e.g. 贾河小区)")
    boundary: tuple[Point2, ...] = Field(min_length=3, max_length=10_000,
                                         description="polygon, metres; valid, non-zero area")
    buildings: tuple[Building, ...] = Field(default=(), description="the compound's buildings")


class Site(Frozen):
    """The community: where it is, its compounds and the features the coverage indicators
    read."""

    name: str = Field(min_length=1, description="the community's name; runs and reports carry it")
    origin: LatLon = Field(description="the point (0, 0) of the local east/north frame")
    division_code: str = Field(default="000000", pattern=r"^\d{6}$",
                               description="GB/T 2260 administrative division code")
    boundary: tuple[Point2, ...] = Field(
        min_length=3, max_length=10_000,
        description="polygon, metres; valid, non-zero area, bounding box <= 10 km a side")
    compounds: tuple[Compound, ...] = Field(min_length=1,
                                            description="closed compounds (小区), at least one")
    # Features the coverage indicators read (scenarios.site_features); all optional.
    key_locations: tuple[KeyLocation, ...] = Field(
        default=(), description="places cameras must cover: entrances, main roads, fire lanes")
    public_areas: tuple[PublicArea, ...] = Field(
        default=(), description="rooms the fire detectors must cover")
    paths: tuple[Path, ...] = Field(default=(), description="footpaths and roads people walk")
    olts: tuple[Olt, ...] = Field(default=(), description="optical line terminals (PON plant)")
    splitters: tuple[Splitter, ...] = Field(default=(), description="PON splitters")
    fiber_drops: tuple[FiberDrop, ...] = Field(default=(),
                                               description="fibre drops to the households")
    cell_sites: tuple[CellSite, ...] = Field(default=(), description="5G sites")
    cameras: tuple[Camera, ...] = Field(default=(), description="video cameras, in 3-D")
    fire_detectors: tuple[FireDetector, ...] = Field(default=(),
                                                     description="point-type fire detectors")
    lights: tuple[Light, ...] = Field(default=(), description="public light fixtures")
    sports_grounds: tuple[SportsGround, ...] = Field(default=(), description="sports grounds")
    book_corners: tuple[BookCorner, ...] = Field(default=(),
                                                 description="book corners and cabinets")
    tv_services: tuple[TvService, ...] = Field(default=(),
                                               description="TV reception per building")
    household_meters: tuple[HouseholdMeters, ...] = Field(
        default=(), description="remotely read meters not modelled as devices, per building")
    coverage: CoverageSettings = Field(default=CoverageSettings(),
                                       description="settings of the coverage models")


class Gateway(Frozen):
    """One Modbus TCP endpoint; its devices answer under their unit ids."""

    id: SafeId = Field(description="unique across gateways and devices (a fault's target "
                                   "names either)")
    host: str = Field(default="127.0.0.1", description="address to bind; loopback unless asked")
    port: int = Field(default=0, ge=0, le=65535, description="0: any free port")
    word_order: Literal["big", "little"] = Field(
        default="big", description="order of the 16-bit words of 32-bit values (registers are "
                                   "always big-endian inside)")


class Device(Frozen):
    """One device the twin serves: what it is, where it is and where it answers."""

    id: SafeId = Field(description="unique across devices and gateways; incidents, faults and "
                                   "reports name the device by it")
    kind: DeviceKind = Field(description="device kind: its point map and alarms "
                                         "(docs/devices.md)")
    name: str = Field(default="", description="display name")
    building: str | None = Field(default=None,
                                 description="id of the building it is in; omitted: outdoors")
    floor: int = Field(default=1, ge=-10, le=200,
                       description="storey, 1 = ground floor, negative = basement; at most the "
                                   "building's floors")
    position: Point2 = Field(description="[east, north], metres from site.origin")
    gateway: str = Field(description="id of the gateway it answers behind")
    unit: int = Field(ge=1, le=247, description="Modbus unit id, unique on its gateway")
    # Per-kind parameters (scenarios.loader refuses them on other kinds).
    ports: int = Field(default=4, ge=1, le=8, description="ebike_charger: charging ports")
    areas: int = Field(default=4, ge=1, le=8,
                       description="fire_panel: public areas with detectors")
    gb_id: str | None = Field(default=None, pattern=r"^\d{20}$",
                              description="cctv_camera: GB/T 28181 device id (20 digits)")
    sensing: Literal["infrared", "radar", "electronic_fence", "video"] = Field(
        default="infrared", description="perimeter_zone: how the zone detects intrusion")
    watch_floors: int = Field(default=18, ge=3, le=200,
                              description="throwing_camera: top floor in view (from floor 3)")
    columns: int = Field(default=6, ge=1, le=100,
                         description="throwing_camera: window columns in view")


class ScriptedIncident(Frozen):
    """One incident at a set time on a set device."""

    at: float = Field(ge=0, le=MAX_RUN_S, description="simulated seconds from the start; at most "
                                                       "run.duration_s")
    kind: IncidentKind = Field(description="what happens; each kind needs one device kind")
    target: str = Field(description="id of the device it happens on (of the kind the incident "
                                    "needs)")


def _default_clear_after() -> dict[IncidentKind, float]:
    return {"meter_fault": 900.0}


class Incidents(Frozen):
    """What happens during the run: scripted incidents and random (Poisson) ones."""

    scripted: tuple[ScriptedIncident, ...] = Field(default=(),
                                                   description="incidents at set times")
    rates_per_hour: dict[IncidentKind, Rate] = Field(
        default_factory=dict,
        description="incident kind -> mean incidents per simulated hour over the whole "
                    "community, on a device of the kind drawn at random")
    #: How long a self-clearing fault lasts before the device clears it (simulated seconds).
    clear_after_s: dict[IncidentKind, Annotated[float, Field(gt=0, le=MAX_RUN_S)]] = Field(
        default_factory=_default_clear_after,
        description="incident kind -> how long a self-clearing fault lasts before the device "
                    "clears it, simulated seconds, > 0, <= 366 days")


class Run(Frozen):
    """How long the run injects incidents, how long it drains, its seed and its pace."""

    duration_s: float = Field(gt=0, le=MAX_RUN_S,
                              description="injection window, simulated seconds, <= 366 days")
    drain_s: RunSeconds = Field(default=120.0, description="time after the window with no new "
                                                          "incidents, <= 366 days")
    seed: int = Field(default=0, ge=0, description="seed of every random stream: the same "
                                                   "seed gives the same run (virtual mode)")
    speed: float = Field(default=1.0, ge=1.0, le=1e6,
                         description="simulated seconds per wall second, 1..1e6")


class Platform(Frozen):
    """The built-in reference platform (wall-clock seconds: it lives outside the twin)."""

    poll_interval_s: float = Field(default=1.0, gt=0, le=3600,
                                   description="wall seconds between polls of every gateway, "
                                               "<= one hour")
    ack_delay_s: float = Field(default=2.0, ge=0, le=86_400,
                               description="wall seconds from seeing an alarm to acknowledging "
                                           "it, <= one day")
    reset_delay_s: float = Field(default=5.0, ge=0, le=86_400,
                                 description="wall seconds from acknowledging to writing the "
                                             "alarm's reset point (a fire panel's 'reset'), "
                                             "<= one day")
    travel_time_s: float = Field(default=10.0, ge=0, le=86_400,
                                 description="wall seconds from acknowledging an emergency call "
                                             "to the responder's 'onsite' write, <= one day")
    acknowledge: bool = Field(default=True,
                              description="false: the platform observes alarms but never "
                                          "acknowledges them")


class LatencyGate(Frozen):
    """Latency limits for one incident kind, in seconds on the run's latency clock (wall time in
    a live run, simulated time in a virtual one). A limit left out is not checked."""

    ack_p95_s: float | None = Field(default=None, gt=0, le=86_400,
                                    description="95th percentile of injection-to-acknowledgement")
    ack_max_s: float | None = Field(default=None, gt=0, le=86_400,
                                    description="slowest injection-to-acknowledgement")
    onsite_max_s: float | None = Field(default=None, gt=0, le=86_400,
                                       description="slowest injection-to-resolution (a responder "
                                                   "on site, a reset)")


class Acceptance(Frozen):
    """Which tier profile the scenario is held to, any thresholds it overrides, and the latency
    gates a CI run checks (`--fail-on latency`)."""

    profile: str = Field(default="growth", description="basic, growth, benchmark or a .toml path")
    overrides: dict[str, Annotated[float, Field(ge=0, le=MAX_RUN_S)]] = Field(
        default_factory=dict, description="threshold -> value: a ratio, a count or simulated "
                                          "seconds, 0..366 days")
    latency: dict[IncidentKind, LatencyGate] = Field(
        default_factory=dict, description="incident kind -> latency limits; each becomes a "
                                          "JUnit case")


class Scenario(Frozen):
    """A scenario file: the community, its devices, what happens and how the run goes."""

    version: Literal[1] = Field(default=1, description="schema version of the file")
    site: Site = Field(description="the community and its coverage features")
    gateways: tuple[Gateway, ...] = Field(min_length=1, max_length=MAX_GATEWAYS,
                                          description="Modbus TCP gateways, 1..2,000")
    devices: tuple[Device, ...] = Field(default=(), max_length=MAX_DEVICES,
                                        description="the devices served, at most 250,000")
    incidents: Incidents = Field(default=Incidents(), description="what happens during the run")
    run: Run = Field(description="duration, drain, seed and speed")
    platform: Platform = Field(default=Platform(), description="the reference platform")
    acceptance: Acceptance = Field(default=Acceptance(), description="tier profile and overrides")
    opcua: OpcUa = Field(default=OpcUa(), description="the OPC UA face")
    faults: Faults = Field(default=Faults(), description="device and gateway misbehaviour")
    responders: Responders = Field(default=Responders(),
                                   description="carers and guards who walk to incidents")

    @model_validator(mode="after")
    def _responders_answer_incidents(self) -> Scenario:
        for i, team in enumerate(self.responders.teams):
            for j, kind in enumerate(team.incident_kinds):
                if kind not in INCIDENT_DEVICE_KIND:
                    raise ValueError(f"responders.teams[{i}].answers[{j}] = {kind!r}: must be "
                                     f"an incident kind ({', '.join(INCIDENT_DEVICE_KIND)})")
        return self

    @property
    def name(self) -> str:
        return self.site.name

    def buildings(self) -> dict[str, Building]:
        return {b.id: b for c in self.site.compounds for b in c.buildings}

    def device(self, device_id: str) -> Device:
        for d in self.devices:
            if d.id == device_id:
                return d
        raise KeyError(device_id)
