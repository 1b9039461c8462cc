"""The coverage indicators of the Shandong table (growth tier): one pure function each.

Each takes the site (and, to avoid computing twice, optionally the analysis it rests on),
a threshold defaulting to the growth tier (成长型), and returns an `IndicatorResult` with the
measured ratio and the failing places with reasons. `geometry.table.evaluate` runs them all.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from geometry.cameras import DEFAULT_DENSITY, DORI_PX_PER_M, CameraCoverage, camera_coverage
from geometry.detectors import AreaCoverage, assign_detectors, detector_coverage
from geometry.facades import WHY_TEXT, BuildingFacades, facade_coverage
from geometry.fiber import DropBudget, FiberParams, broadband_households, drop_budgets
from geometry.metadata import RecordCheck, check_records
from geometry.radio import RsrpRaster, resource_elements, rsrp_raster
from geometry.results import Evidence, IndicatorResult, make_result
from geometry.thresholds import GROWTH
from geometry.walking import DEFAULT_LIMIT_S, WalkResult, walk_to_sports
from scenarios.model import Scenario, Site

# Public-area slivers smaller than this stay uncovered only because detector discs are drawn as
# inscribed polygons; they are not failures and count as covered.
SLIVER_M2 = 0.1
# Uncovered 5G cells are reported per block of this size, not cell by cell.
BLOCK_M = 20.0
#: Device kinds that are remotely read household meters (indicator 7).
METER_KINDS = frozenset({"electricity_meter", "water_meter", "gas_meter"})


def _households(site: Site) -> dict[str, int]:
    return {b.id: b.households for c in site.compounds for b in c.buildings}


def gigabit_fiber(site: Site, threshold: float = GROWTH.gigabit_fiber,
                  budgets: tuple[DropBudget, ...] | None = None,
                  params: FiberParams | None = None) -> IndicatorResult:
    """1. Households with a gigabit-capable drop (10G PON port, free leg, margin >= 0)."""
    if budgets is None:
        budgets = drop_budgets(site, params or FiberParams())
    hh = _households(site)
    gig: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    ev: list[Evidence] = []
    for b in budgets:
        gig[b.building] += b.gigabit
        dropped[b.building] += b.households
        if b.gigabit < b.households:
            ev.append(Evidence(f"drop {b.drop_id} ({b.households} households of {b.building})",
                               b.reason or "not gigabit-capable"))
    for bid, n in hh.items():
        if n > dropped[bid]:
            ev.append(Evidence(f"building {bid}", f"{n - dropped[bid]} of {n} households have "
                               "no fibre drop"))
    num = sum(min(gig[b], n) for b, n in hh.items())
    return make_result(1, "gigabit_fiber", "wired broadband 有线宽带网络",
                       "gigabit-capable households / households", num, sum(hh.values()),
                       threshold, ev, note="PON budget: fibre 0.4 dB/km, connector 0.5 dB, "
                       "splice 0.1 dB (planning conventions)")


def mobile_5g(site: Site, threshold: float = GROWTH.mobile_5g, raster: RsrpRaster | None = None,
              threshold_dbm: float = -105.0, res_m: float = 1.0) -> IndicatorResult:
    """2. Share of the community area where some 5G site reaches the RSRP threshold with the
    site's location reliability (TR 38.901 shadow fading)."""
    r = rsrp_raster(site, res_m, threshold_dbm) if raster is None else raster
    cov, inside = r.covered, r.inside
    pct = f"{100 * r.reliability:g}%"
    ev: list[Evidence] = []
    if not site.cell_sites:
        ev.append(Evidence("whole site", "no 5G site in the site model"))
    else:
        k = max(1, round(BLOCK_M / r.res_m))
        rows, cols = inside.shape
        miss = inside & ~cov
        value = np.nan_to_num(r.reliable_dbm, nan=-np.inf)
        blocks = []
        for i in range(0, rows, k):
            for j in range(0, cols, k):
                m = miss[i:i + k, j:j + k]
                n = int(m.sum())
                if n:
                    sub = value[i:i + k, j:j + k][m]
                    at = int(np.argmax(sub))
                    med = float(r.rsrp_dbm[i:i + k, j:j + k][m][at])
                    sig = float(r.sigma_db[i:i + k, j:j + k][m][at])
                    blocks.append((n, i, j, med, sig))
        blocks.sort(key=lambda t: -t[0])
        for n, i, j, med, sig in blocks:
            x, y = r.x0 + (j + k / 2) * r.res_m, r.y0 + (i + k / 2) * r.res_m
            ev.append(Evidence(f"{BLOCK_M:.0f} m block at ({x:.0f}, {y:.0f})",
                               f"{n * r.cell_area_m2:.0f} m² below {r.threshold_dbm:.0f} dBm at "
                               f"{pct} reliability (best there: median {med:.1f} dBm, σ "
                               f"{sig:.2f} dB, needs >= {r.threshold_dbm + r.z * sig:.1f} dBm)",
                               (x, y)))
    carriers = sorted({f"{c.bandwidth_mhz} MHz @ {c.scs_khz} kHz SCS "
                       f"({resource_elements(c.bandwidth_mhz, c.scs_khz):,} RE)"
                       for c in site.cell_sites})
    return make_result(2, "mobile_5g", "mobile network 移动通信网络",
                       "5G-covered area / community area",
                       float(cov.sum()) * r.cell_area_m2, float(inside.sum()) * r.cell_area_m2,
                       threshold, ev, note=f"TR 38.901 UMa/UMi; covered when P(RSRP >= "
                       f"{r.threshold_dbm:.0f} dBm) >= {pct}: median >= threshold + "
                       f"{r.z:.4f} σ (σ_SF LOS 4 dB, NLOS 6 dB UMa / 7.82 dB UMi: margins "
                       f"{r.z * 4:.1f} / {r.z * 6:.1f} / {r.z * 7.82:.1f} dB); "
                       f"{'; '.join(carriers) or 'no carrier'}; {r.interiors}; "
                       f"{r.res_m:g} m raster")


def broadcast_tv(site: Site, threshold: float = GROWTH.broadcast_tv,
                 budgets: tuple[DropBudget, ...] | None = None) -> IndicatorResult:
    """3. Households that can receive cable TV or IPTV, each household counted once."""
    budgets = drop_budgets(site) if budgets is None else budgets
    bb = broadband_households(budgets)
    tv = {t.building: t for t in site.tv_services}
    hh = _households(site)
    num = 0
    ev: list[Evidence] = []
    for bid, n in hh.items():
        t = tv.get(bid)
        if t is not None and t.cable_tv:
            ok = n  # a building wired for cable TV serves every household in it
        elif t is not None and t.iptv:
            ok = min(n, bb.get(bid, 0))
        else:
            ok = 0
        num += ok
        if ok < n:
            why = ("no cable TV; IPTV offered but only "
                   f"{ok} households have working broadband" if t is not None and t.iptv
                   else "no cable TV and no IPTV service")
            ev.append(Evidence(f"building {bid}", f"{n - ok} of {n} households: {why}"))
    return make_result(3, "broadcast_tv", "broadcast TV 广播电视",
                       "households with cable TV or IPTV / households", num, sum(hh.values()),
                       threshold, ev)


def video_key_locations(site: Site, threshold: float = GROWTH.video_coverage,
                        coverage: CameraCoverage | None = None,
                        density: str = DEFAULT_DENSITY) -> IndicatorResult:
    """4. Share of key-location points (entrances, roads, fire lanes every 10 m) that some
    camera sees at the required pixel density, unoccluded."""
    cov = camera_coverage(site, density) if coverage is None else coverage
    kp = cov.points
    ev = [Evidence(f"{kp.kinds[kp.owner[i]]} {kp.location_ids[kp.owner[i]]} at "
                   f"({kp.xy[i, 0]:.0f}, {kp.xy[i, 1]:.0f})", cov.reasons[i],
                   (float(kp.xy[i, 0]), float(kp.xy[i, 1])))
          for i in np.flatnonzero(~cov.covered)]
    return make_result(4, "video_coverage", "video surveillance 视频监控设施 — coverage",
                       "key-location points seen / key-location points",
                       int(cov.covered.sum()), len(kp.xy), threshold, ev,
                       note=f"DORI {cov.density} ({DORI_PX_PER_M[cov.density]:g} px/m); "
                       "online and intact rates are measured live")


def video_metadata(site: Site, threshold: float = GROWTH.video_metadata,
                   checks: tuple[RecordCheck, ...] | None = None) -> IndicatorResult:
    """4. Camera records compliant with GB/T 28181 (id, name, division, coordinates)."""
    checks = check_records(site) if checks is None else checks
    ev = [Evidence(f"camera {c.camera_id}", "; ".join(c.problems)) for c in checks
          if not c.compliant]
    return make_result(4, "video_metadata", "video surveillance 视频监控设施 — records",
                       "GB/T 28181-compliant camera records / camera records",
                       sum(c.compliant for c in checks), len(checks), threshold, ev)


def smart_lighting(site: Site, threshold: float = GROWTH.smart_lighting) -> IndicatorResult:
    """5. Smart public light fixtures over all public fixtures."""
    ev = [Evidence(f"light {light.id}", "not a smart fixture", light.position)
          for light in site.lights if not light.smart]
    return make_result(5, "smart_lighting", "smart lighting 智能照明设施",
                       "smart fixtures / public fixtures", sum(x.smart for x in site.lights),
                       len(site.lights), threshold, ev,
                       note="remote control and fault alarm are exercised live")


def household_meters(scenario: Scenario,
                     threshold: float = GROWTH.household_meters) -> IndicatorResult:
    """7. Households with a remotely read water, electricity or gas meter: per building the
    most of any one meter kind among its devices, or the declared remote-read households,
    whichever is more. Devices name no household, so two kinds may serve the same households:
    the maximum, not the sum, counts each household once."""
    site = scenario.site
    per_kind = Counter((d.building, d.kind) for d in scenario.devices
                       if d.kind in METER_KINDS and d.building is not None)
    devices: Counter[str] = Counter()
    for (bid, _), n in per_kind.items():
        devices[bid] = max(devices[bid], n)
    declared = {m.building: m.remote_households for m in site.household_meters}
    num = 0
    ev: list[Evidence] = []
    for bid, n in _households(site).items():
        ok = min(n, max(devices[bid], declared.get(bid, 0)))
        num += ok
        if ok < n:
            ev.append(Evidence(f"building {bid}", f"{n - ok} of {n} households without a "
                               "remotely read meter"))
    return make_result(7, "household_meters", "household energy collection 家庭能源采集设施",
                       "households with remote-read meters / households", num,
                       sum(_households(site).values()), threshold, ev,
                       note="readability is measured live")


def sports_walk(site: Site, threshold: float = GROWTH.sports_walk, walk: WalkResult | None = None,
                speed_m_per_s: float = 1.2, limit_s: float = DEFAULT_LIMIT_S,
                ) -> IndicatorResult:
    """11. Households within `limit_s` walking (network distance) of a sports ground; the
    standard also asks for at least one book corner or smart book cabinet."""
    w = walk_to_sports(site, speed_m_per_s) if walk is None else walk
    t = w.time_s
    ok = t <= limit_s
    ev: list[Evidence] = []
    if not site.sports_grounds:
        ev.append(Evidence("site", "no sports ground in the site model"))
    if not site.paths:
        ev.append(Evidence("site", "no footpath network in the site model"))
    for i in np.flatnonzero(~ok):
        why = ("not connected to a sports ground by footpaths" if not np.isfinite(t[i]) else
               f"{w.distance_m[i]:.0f} m walk = {t[i] / 60:.1f} min > {limit_s / 60:.0f} min")
        ev.append(Evidence(f"building {w.building_ids[i]} ({w.households[i]} households)",
                           why))
    books = len(site.book_corners)
    if not books:
        ev.append(Evidence("site", "no shared book corner or smart book cabinet"))
    return make_result(11, "sports_walk", "culture and sports 文体服务",
                       f"households within {limit_s / 60:.0f} min walk of a sports ground",
                       int(w.households[ok].sum()), int(w.households.sum()), threshold, ev,
                       note=f"network distance at {w.speed_m_per_s:g} m/s; book corners: "
                       f"{books}", require=books > 0)


def high_altitude(site: Site, threshold: float = GROWTH.high_altitude,
                  facades: tuple[BuildingFacades, ...] | None = None) -> IndicatorResult:
    """17. Windows of floors >= 3 of residential buildings >= 12 floors inside some camera's
    horizontal and vertical field of view, unoccluded."""
    fs = facade_coverage(site) if facades is None else facades
    ev: list[Evidence] = []
    for f in fs:
        for e in np.unique(f.facade):
            rows = f.facade == e
            for why in (1, 2, 3):
                hit = f.why[rows] == why
                if not hit.any():
                    continue
                floors = np.flatnonzero(hit.any(axis=0)) + f.first_floor
                cols = int(hit.any(axis=1).sum())
                mid = f.columns[rows].mean(axis=0)
                ev.append(Evidence(
                    f"building {f.building} {f.facing[e]} facade",
                    f"{int(hit.sum())} windows in {cols} columns, floors {floors.min()}–"
                    f"{floors.max()}: {WHY_TEXT[why]}", (float(mid[0]), float(mid[1]))))
    return make_result(17, "high_altitude", "high-altitude throwing 高空抛物监测",
                       "windows (floor >= 3, buildings >= 12 floors) in view / windows",
                       sum(f.windows_seen for f in fs), sum(f.windows for f in fs),
                       threshold, ev, note="alarm path is exercised live")


def fire_detection(site: Site, threshold: float = GROWTH.fire_detection,
                   areas: tuple[AreaCoverage, ...] | None = None) -> IndicatorResult:
    """20. Public floor space of residential buildings protected per GB 50116-2013 §6.2; met
    only when, besides, every room passes every rule (own detector, height limit, count rule,
    corridor spacing)."""
    areas = detector_coverage(site, SLIVER_M2) if areas is None else areas
    covered = 0.0
    ev: list[Evidence] = []
    for a in areas:
        gap = a.area_m2 - a.covered_m2
        covered += a.area_m2 if gap <= SLIVER_M2 and a.covered_m2 > 0 else a.covered_m2
        if a.failures:
            c = a.uncovered.centroid if not a.uncovered.is_empty else None
            ev.append(Evidence(f"{a.area_id} (building {a.building} floor {a.floor})",
                               "; ".join(a.failures),
                               (float(c.x), float(c.y)) if c is not None else None))
    _, stray = assign_detectors(site)
    for j in stray:
        d = site.fire_detectors[j]
        ev.append(Evidence(f"detector {d.id} (building {d.building} floor {d.floor})",
                           "in no public area of its floor: protects nothing", d.position))
    rooms_ok = all(a.compliant for a in areas)
    return make_result(20, "fire_detection", "automatic fire alarm 火灾自动报警",
                       "public floor space protected per GB 50116-2013 §6.2 / public floor "
                       "space", covered, sum(a.area_m2 for a in areas), threshold, ev,
                       note="table 6.2.2 radius and count rule per room, §6.2.4 in corridors "
                       f"< 3 m; rooms failing a rule: {sum(not a.compliant for a in areas)}",
                       require=rooms_ok)
