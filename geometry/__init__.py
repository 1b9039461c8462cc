"""Pure functions over the site: coverage of 5G, fiber/TV, cameras, facades, detectors, walking.

`evaluate(scenario)` computes the whole coverage table; each indicator is also a function of
its own (`gigabit_fiber`, `mobile_5g`, ...) returning an immutable `IndicatorResult`. This
package imports numpy, shapely, pyproj, networkx and `scenarios`, nothing else of ours.
"""

from geometry.camera_views import covered_ground, view_sectors
from geometry.cameras import (
    DORI_PX_PER_M,
    CameraCoverage,
    KeyPoints,
    camera_coverage,
    dori_range_m,
    in_view,
    key_points,
)
from geometry.detectors import AreaCoverage, detector_coverage
from geometry.facades import BuildingFacades, FacadeParams, facade_coverage
from geometry.fiber import DropBudget, FiberParams, drop_budgets
from geometry.indicators import (
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
from geometry.metadata import RecordCheck, check_records, gb_id_problems
from geometry.radio import (
    RsrpRaster,
    breakpoint_m,
    los_probability,
    path_loss_db,
    resource_elements,
    rsrp_dbm,
    rsrp_raster,
)
from geometry.results import Evidence, IndicatorResult
from geometry.table import Coverage, CoverageParams, Thresholds, evaluate
from geometry.walking import WalkResult, walk_network, walk_to_sports

__all__ = [
    "DORI_PX_PER_M",
    "AreaCoverage",
    "BuildingFacades",
    "CameraCoverage",
    "Coverage",
    "CoverageParams",
    "DropBudget",
    "Evidence",
    "FacadeParams",
    "FiberParams",
    "IndicatorResult",
    "KeyPoints",
    "RecordCheck",
    "RsrpRaster",
    "Thresholds",
    "WalkResult",
    "breakpoint_m",
    "broadcast_tv",
    "camera_coverage",
    "check_records",
    "covered_ground",
    "detector_coverage",
    "dori_range_m",
    "drop_budgets",
    "evaluate",
    "facade_coverage",
    "fire_detection",
    "gb_id_problems",
    "gigabit_fiber",
    "high_altitude",
    "household_meters",
    "in_view",
    "key_points",
    "los_probability",
    "mobile_5g",
    "path_loss_db",
    "resource_elements",
    "rsrp_dbm",
    "rsrp_raster",
    "smart_lighting",
    "sports_walk",
    "video_key_locations",
    "video_metadata",
    "view_sectors",
    "walk_network",
    "walk_to_sports",
]
