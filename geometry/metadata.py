"""Camera record compliance with GB/T 28181: the 20-digit device id, name, division, position.

A compliant record (GB/T 28181 id layout): 20 digits; digits 1-6 are the site's GB/T 2260
division code (digits 7-8 the grass-roots unit); digits 9-10 a known industry code; 11-13 a
camera type (131 camera, 132 IP camera); 14 a known network code; the id unique in the site;
a non-empty name; a registered division code of the site; registered coordinates that fall
inside the community boundary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import shapely

from geometry.shapes import site_boundary
from scenarios.geojson import LocalFrame
from scenarios.model import Site

#: GB/T 28181-2016 annex D industry codes: 00-03 public security (01 community access),
#: 04-07 traffic, 08 city management, 09 health/environment, 10 customs, 11 education,
#: 40-55 enterprises by sector. 12-39 and 56-99 are reserved.
KNOWN_INDUSTRY: frozenset[str] = frozenset(
    [f"{i:02d}" for i in range(0, 12)] + [f"{i:02d}" for i in range(40, 56)])
#: Type codes a camera record may carry, and other known types (named in the evidence).
CAMERA_TYPES: dict[str, str] = {"131": "camera", "132": "IP camera"}
OTHER_TYPES: dict[str, str] = {
    "111": "DVR", "112": "video server", "113": "encoder", "114": "decoder",
    "118": "NVR", "121": "checkpoint", "123": "parking gate", "124": "personnel gate",
    "133": "display", "134": "alarm input", "135": "alarm output",
}
#: Network codes: 0-4 video surveillance private networks, 5 public security information
#: network, 6 government network, 7 Internet, 8 social resource access network; 9 reserved.
KNOWN_NETWORK: frozenset[str] = frozenset("012345678")


@dataclass(frozen=True)
class RecordCheck:
    camera_id: str
    gb_id: str
    problems: tuple[str, ...]

    @property
    def compliant(self) -> bool:
        return not self.problems


def gb_id_problems(gb_id: str, division_code: str) -> list[str]:
    """What is wrong with a GB/T 28181 camera id, against the site's 6-digit division code."""
    if len(gb_id) != 20 or not gb_id.isascii() or not gb_id.isdigit():
        return [f"id {gb_id!r} is not 20 digits"]
    out: list[str] = []
    if gb_id[:6] != division_code:
        out.append(f"id division {gb_id[:6]} is not the site's {division_code}")
    if gb_id[8:10] not in KNOWN_INDUSTRY:
        out.append(f"industry code {gb_id[8:10]} is not a GB/T 28181 industry")
    kind = gb_id[10:13]
    if kind not in CAMERA_TYPES:
        known = OTHER_TYPES.get(kind)
        out.append(f"type code {kind} ({known or 'unknown'}) is not a camera type (131/132)")
    if gb_id[13] not in KNOWN_NETWORK:
        out.append(f"network code {gb_id[13]} is reserved")
    return out


def check_records(site: Site) -> tuple[RecordCheck, ...]:
    """Every camera record's compliance problems (an empty tuple: compliant)."""
    counts = Counter(c.gb_id for c in site.cameras)
    # Registered coordinates carry ~7 decimals (1 cm); a camera on the boundary line must not
    # fail on rounding, so the test boundary is grown by a metre.
    boundary = site_boundary(site).buffer(1.0)
    frame = LocalFrame(site.origin)
    lat = np.array([c.latlon.lat if c.latlon else 0.0 for c in site.cameras], dtype=float)
    lon = np.array([c.latlon.lon if c.latlon else 0.0 for c in site.cameras], dtype=float)
    x, y = frame.to_local(lat, lon)
    inside = np.asarray(shapely.intersects_xy(boundary, x, y), dtype=bool).reshape(-1)
    out: list[RecordCheck] = []
    for i, cam in enumerate(site.cameras):
        problems = gb_id_problems(cam.gb_id, site.division_code)
        if cam.gb_id and counts[cam.gb_id] > 1:
            problems.append(f"id shared by {counts[cam.gb_id]} cameras")
        if not cam.name.strip():
            problems.append("no name")
        if not cam.division_code.startswith(site.division_code):
            problems.append(f"registered division {cam.division_code!r} is not within the "
                            f"site's {site.division_code}")
        if cam.latlon is None:
            problems.append("no registered coordinates")
        elif not inside[i]:
            problems.append(f"registered coordinates ({cam.latlon.lat:.6f}, "
                            f"{cam.latlon.lon:.6f}) fall {x[i]:.0f} m E, {y[i]:.0f} m N of the "
                            "origin, outside the community boundary")
        out.append(RecordCheck(cam.id, cam.gb_id, tuple(problems)))
    return tuple(out)
