"""The whole coverage table of a scenario: every geometry indicator, computed once, with the
analyses behind it (raster, camera coverage, budgets, facades, detector areas, walks) kept for
maps. Thresholds default to the growth tier's profile, model parameters to the reference models."""

from __future__ import annotations

from dataclasses import dataclass, field

from geometry.cameras import DEFAULT_DENSITY, DEFAULT_SPACING_M, CameraCoverage, camera_coverage
from geometry.detectors import AreaCoverage, detector_coverage
from geometry.facades import BuildingFacades, FacadeParams, facade_coverage
from geometry.fiber import DropBudget, FiberParams, drop_budgets
from geometry.indicators import (
    SLIVER_M2,
    broadcast_tv,
    fire_detection,
    gigabit_fiber,
    high_altitude,
    household_meters,
    mobile_5g,
    smart_lighting,
    sports_walk,
    video_key_locations,
    video_metadata,
)
from geometry.metadata import RecordCheck, check_records
from geometry.radio import DEFAULT_THRESHOLD_DBM, DEFAULT_UT_HEIGHT_M, RsrpRaster, rsrp_raster
from geometry.results import IndicatorResult
from geometry.thresholds import GROWTH, Thresholds
from geometry.walking import DEFAULT_LIMIT_S, DEFAULT_SPEED_M_PER_S, WalkResult, walk_to_sports
from scenarios.model import Scenario


@dataclass(frozen=True)
class CoverageParams:
    thresholds: Thresholds = GROWTH
    rsrp_threshold_dbm: float = DEFAULT_THRESHOLD_DBM
    raster_m: float = 1.0
    ut_height_m: float = DEFAULT_UT_HEIGHT_M
    density: str = DEFAULT_DENSITY
    key_spacing_m: float = DEFAULT_SPACING_M
    fiber: FiberParams = field(default_factory=FiberParams)
    facades: FacadeParams = field(default_factory=FacadeParams)
    walk_speed_m_per_s: float = DEFAULT_SPEED_M_PER_S
    walk_limit_s: float = DEFAULT_LIMIT_S


@dataclass(frozen=True)
class Coverage:
    """The table (in indicator order) and the analyses it was computed from."""

    results: tuple[IndicatorResult, ...]
    raster: RsrpRaster
    cameras: CameraCoverage
    records: tuple[RecordCheck, ...]
    budgets: tuple[DropBudget, ...]
    facades: tuple[BuildingFacades, ...]
    areas: tuple[AreaCoverage, ...]
    walk: WalkResult
    params: CoverageParams

    def result(self, key: str) -> IndicatorResult:
        for r in self.results:
            if r.key == key:
                return r
        raise KeyError(key)


def evaluate(scenario: Scenario, params: CoverageParams = CoverageParams()) -> Coverage:
    """Every geometry indicator of the scenario's site."""
    site, th = scenario.site, params.thresholds
    raster = rsrp_raster(site, params.raster_m, params.rsrp_threshold_dbm, params.ut_height_m)
    cams = camera_coverage(site, params.density, params.key_spacing_m)
    records = check_records(site)
    budgets = drop_budgets(site, params.fiber)
    facades = facade_coverage(site, params.facades)
    areas = detector_coverage(site, SLIVER_M2)
    walk = walk_to_sports(site, params.walk_speed_m_per_s)
    results = (
        gigabit_fiber(site, th.gigabit_fiber, budgets, params.fiber),
        mobile_5g(site, th.mobile_5g, raster),
        broadcast_tv(site, th.broadcast_tv, budgets),
        video_key_locations(site, th.video_coverage, cams),
        video_metadata(site, th.video_metadata, records),
        smart_lighting(site, th.smart_lighting),
        household_meters(scenario, th.household_meters),
        sports_walk(site, th.sports_walk, walk, limit_s=params.walk_limit_s),
        high_altitude(site, th.high_altitude, facades),
        fire_detection(site, th.fire_detection, areas),
    )
    return Coverage(results=results, raster=raster, cameras=cams, records=records,
                    budgets=budgets, facades=facades, areas=areas, walk=walk, params=params)
