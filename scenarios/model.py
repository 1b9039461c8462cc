"""The scenario schema, version 1: what a community is, as frozen pydantic models.

Coordinates are metres in a local east/north frame whose (0, 0) sits at `site.origin`
(latitude/longitude, WGS 84). Times are simulated seconds. Unknown keys are errors and defaults
live here only, so a typo in a scenario never silently falls back to a default.

Cross-references (a device's building, gateway and unit; an incident's target) are checked by
`scenarios.validate`, which can name the exact field path of a dangling reference.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scenarios.base import Frozen, LatLon, Point2
from scenarios.faults import Faults
from scenarios.opcua import OpcUa
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

class Building(Frozen):
    id: str = Field(min_length=1)
    name: str = ""
    footprint: tuple[Point2, ...] = Field(min_length=3, description="polygon, metres")
    floors: int = Field(ge=1, le=200)
    households: int = Field(ge=0)
    residential: bool = True


class Compound(Frozen):
    """A closed residential compound (小区) with its own boundary and buildings."""

    id: str = Field(min_length=1)
    name: str = ""
    boundary: tuple[Point2, ...] = Field(min_length=3)
    buildings: tuple[Building, ...] = ()


class Site(Frozen):
    name: str = Field(min_length=1)
    origin: LatLon
    division_code: str = Field(default="000000", pattern=r"^\d{6}$",
                               description="GB/T 2260 administrative division code")
    boundary: tuple[Point2, ...] = Field(min_length=3)
    compounds: tuple[Compound, ...] = Field(min_length=1)
    # Features the coverage indicators read (scenarios.site_features); all optional.
    key_locations: tuple[KeyLocation, ...] = ()
    public_areas: tuple[PublicArea, ...] = ()
    paths: tuple[Path, ...] = ()
    olts: tuple[Olt, ...] = ()
    splitters: tuple[Splitter, ...] = ()
    fiber_drops: tuple[FiberDrop, ...] = ()
    cell_sites: tuple[CellSite, ...] = ()
    cameras: tuple[Camera, ...] = ()
    fire_detectors: tuple[FireDetector, ...] = ()
    lights: tuple[Light, ...] = ()
    sports_grounds: tuple[SportsGround, ...] = ()
    book_corners: tuple[BookCorner, ...] = ()
    tv_services: tuple[TvService, ...] = ()
    household_meters: tuple[HouseholdMeters, ...] = ()
    coverage: CoverageSettings = CoverageSettings()


class Gateway(Frozen):
    """One Modbus TCP endpoint; its devices answer under their unit ids."""

    id: str = Field(min_length=1)
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535, description="0: any free port")
    word_order: Literal["big", "little"] = "big"


class Device(Frozen):
    id: str = Field(min_length=1)
    kind: DeviceKind
    name: str = ""
    building: str | None = None
    floor: int = Field(default=1, ge=-10, le=200)
    position: Point2
    gateway: str
    unit: int = Field(ge=1, le=247)
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
    at: float = Field(ge=0, description="simulated seconds from the start")
    kind: IncidentKind
    target: str


def _default_clear_after() -> dict[IncidentKind, float]:
    return {"meter_fault": 900.0}


class Incidents(Frozen):
    scripted: tuple[ScriptedIncident, ...] = ()
    rates_per_hour: dict[IncidentKind, float] = Field(default_factory=dict)
    #: How long a self-clearing fault lasts before the device clears it (simulated seconds).
    clear_after_s: dict[IncidentKind, float] = Field(default_factory=_default_clear_after)


class Run(Frozen):
    duration_s: float = Field(gt=0, description="injection window, simulated seconds")
    drain_s: float = Field(default=120.0, ge=0,
                           description="time after the window with no new incidents")
    seed: int = Field(default=0, ge=0)
    speed: float = Field(default=1.0, ge=1.0, description="simulated seconds per wall second")


class Platform(Frozen):
    """The built-in reference platform (wall-clock seconds: it lives outside the twin)."""

    poll_interval_s: float = Field(default=1.0, gt=0)
    ack_delay_s: float = Field(default=2.0, ge=0)
    reset_delay_s: float = Field(default=5.0, ge=0)
    travel_time_s: float = Field(default=10.0, ge=0)
    acknowledge: bool = True


class Acceptance(Frozen):
    """Which tier profile the scenario is held to, and any thresholds it overrides."""

    profile: str = Field(default="growth", description="basic, growth, benchmark or a .toml path")
    overrides: dict[str, float] = Field(default_factory=dict)


class Scenario(Frozen):
    version: Literal[1] = 1
    site: Site
    gateways: tuple[Gateway, ...] = Field(min_length=1)
    devices: tuple[Device, ...] = ()
    incidents: Incidents = Incidents()
    run: Run
    platform: Platform = Platform()
    acceptance: Acceptance = Acceptance()
    opcua: OpcUa = OpcUa()
    faults: Faults = Faults()

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
