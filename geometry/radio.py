"""5G coverage: 3GPP TR 38.901 UMa/UMi path loss and the RSRP raster over the community.

Path loss follows TR 38.901 table 7.4.1-1 (fc in GHz, distances in metres, d3D including the
height difference), with the breakpoint d'BP = 4 h'BS h'UT fc / c and hE = 1 m. A raster cell
is NLOS when the straight line from the antenna crosses a building footprint (the shadow
method of `geometry.shapes`), otherwise LOS; NLOS loss is max(PL_LOS, PL_NLOS'). Without any
building in the model the LOS probability of TR 38.901 table 7.4.2-1 weights the two.

RSRP = P_tx - 10 log10(N_RE) + G_ant - PL - losses (dBm per resource element), P_tx being the
carrier's total power over all N_RE (or EIRP - 10 log10(N_RE) - PL - losses when the site gives
its EIRP). That is the median; with log-normal shadow fading of sigma_SF (TR 38.901 table
7.4.1-1: UMa 4 / 6 dB, UMi 4 / 7.82 dB for LOS / NLOS) a cell is covered when
P(RSRP >= threshold) >= the site's reliability target (default 0.90), i.e. when the median
reaches threshold + z sigma with z = inverse normal CDF of the target (1.2816 at 90%). The best
server is the site with the highest median - z sigma.

Building interiors are left out of the area unless the scenario counts them
(`site.coverage.count_interiors_5g`); then an indoor cell is reached through the nearest facade
(TR 38.901 §7.4.3 O2I: PL_b + PL_tw + 0.5 d_in, d_in the distance to the nearest facade, a
deterministic planner's choice for the random d2D-in), takes the LOS state of the outdoor point
just outside that facade, and sigma^2 = sigma_SF^2 + sigma_P^2. An antenna inside a footprint is
on its roof: its own building does not shade it.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
import shapely

from geometry.shapes import BoolArray, FloatArray, buildings, far_distance, shadow, site_boundary
from scenarios.model import Site
from scenarios.site_features import NR_RB, CellSite, O2iModel

C_M_PER_S = 299_792_458.0
H_E_M = 1.0  # effective environment height, TR 38.901 note 1 (the simple case)
MIN_D2D_M = 10.0  # both models are specified from 10 m; closer cells are held at 10 m
DEFAULT_THRESHOLD_DBM = -105.0
DEFAULT_UT_HEIGHT_M = 1.5

IntArray = npt.NDArray[np.int64]

#: Shadow-fading standard deviation sigma_SF (dB) by scenario and LOS state, TR 38.901
#: table 7.4.1-1.
SIGMA_SF_DB: dict[str, dict[bool, float]] = {"UMa": {True: 4.0, False: 6.0},
                                             "UMi": {True: 4.0, False: 7.82}}
#: O2I penetration spread sigma_P (dB), TR 38.901 table 7.4.3-2.
SIGMA_P_DB: dict[str, float] = {"low_loss": 4.4, "high_loss": 6.5}
#: Indoor loss per metre from the facade, dB/m (TR 38.901 table 7.4.3-2: PL_in = 0.5 d2D-in).
PL_IN_DB_PER_M = 0.5
# The outdoor point that decides an indoor cell's LOS state sits this far outside the facade.
_PROBE_M = 0.5


def o2i_wall_loss_db(fc_ghz: float, model: O2iModel) -> float:
    """PL_tw of TR 38.901 table 7.4.3-2 (material losses of table 7.4.3-1), dB."""
    glass, iirglass, concrete = 2.0 + 0.2 * fc_ghz, 23.0 + 0.3 * fc_ghz, 5.0 + 4.0 * fc_ghz
    if model == "low_loss":
        mix = 0.3 * 10 ** (-glass / 10) + 0.7 * 10 ** (-concrete / 10)
    else:
        mix = 0.7 * 10 ** (-iirglass / 10) + 0.3 * 10 ** (-concrete / 10)
    return float(5.0 - 10.0 * np.log10(mix))


def reliability_z(target: float) -> float:
    """Standard normal quantile of a location-reliability target (0.90 -> 1.2816)."""
    return NormalDist().inv_cdf(target)


def breakpoint_m(h_bs_m: float, h_ut_m: float, fc_ghz: float) -> float:
    """d'BP = 4 h'BS h'UT fc / c, with h' = h - hE (metres)."""
    return 4.0 * (h_bs_m - H_E_M) * (h_ut_m - H_E_M) * fc_ghz * 1e9 / C_M_PER_S


def path_loss_db(d2d_m: npt.ArrayLike, h_bs_m: float, h_ut_m: float, fc_ghz: float,
                 scenario: str, los: npt.ArrayLike) -> FloatArray:
    """TR 38.901 path loss (dB) for horizontal distances `d2d_m`; `los` per distance."""
    d2d = np.maximum(np.asarray(d2d_m, dtype=float), MIN_D2D_M)
    d3d = np.hypot(d2d, h_bs_m - h_ut_m)
    dbp = breakpoint_m(h_bs_m, h_ut_m, fc_ghz)
    lg_d, lg_f = np.log10(d3d), np.log10(fc_ghz)
    if scenario == "UMa":
        pl1 = 28.0 + 22.0 * lg_d + 20.0 * lg_f
        pl2 = 28.0 + 40.0 * lg_d + 20.0 * lg_f - 9.0 * np.log10(dbp**2 + (h_bs_m - h_ut_m)**2)
        nlos = 13.54 + 39.08 * lg_d + 20.0 * lg_f - 0.6 * (h_ut_m - 1.5)
    elif scenario == "UMi":
        pl1 = 32.4 + 21.0 * lg_d + 20.0 * lg_f
        pl2 = 32.4 + 40.0 * lg_d + 20.0 * lg_f - 9.5 * np.log10(dbp**2 + (h_bs_m - h_ut_m)**2)
        nlos = 35.3 * lg_d + 22.4 + 21.3 * lg_f - 0.3 * (h_ut_m - 1.5)
    else:
        raise ValueError(f"scenario = {scenario!r}: must be 'UMa' or 'UMi'")
    pl_los = np.where(d2d < dbp, pl1, pl2)
    return np.asarray(np.where(np.asarray(los, dtype=bool), pl_los, np.maximum(pl_los, nlos)),
                      dtype=float)


def los_probability(d2d_m: npt.ArrayLike, scenario: str) -> FloatArray:
    """TR 38.901 P_LOS (outdoor, hUT <= 13 m): 1 up to 18 m, then 18/d + e^(-d/k)(1 - 18/d)."""
    d = np.maximum(np.asarray(d2d_m, dtype=float), 1e-9)
    k = 63.0 if scenario == "UMa" else 36.0
    p = 18.0 / d + np.exp(-d / k) * (1.0 - 18.0 / d)
    return np.asarray(np.where(d <= 18.0, 1.0, p), dtype=float)


def resource_elements(bandwidth_mhz: int, scs_khz: int) -> int:
    """N_RE = N_RB x 12 (100 MHz at 30 kHz: 273 x 12 = 3,276)."""
    try:
        return NR_RB[(scs_khz, bandwidth_mhz)] * 12
    except KeyError:
        raise ValueError(f"bandwidth_mhz = {bandwidth_mhz} at scs_khz = {scs_khz}: "
                         "not an NR channel (TS 38.101-1 table 5.3.2-1)") from None


def rsrp_dbm(cell: CellSite, path_loss: FloatArray) -> FloatArray:
    """Median RSRP (dBm per resource element) after `path_loss` (dB)."""
    n_re = resource_elements(cell.bandwidth_mhz, cell.scs_khz)
    return np.asarray(cell.eirp_total_dbm - 10.0 * np.log10(n_re) - path_loss - cell.losses_db,
                      dtype=float)


@dataclass(frozen=True)
class RsrpRaster:
    """Best-server RSRP on a regular grid of cell centres over the site boundary's bounds.

    `rsrp_dbm[row, col]` (the median) is at (x0 + col * res_m, y0 + row * res_m); NaN outside
    the evaluated area (the boundary, less building interiors unless they count) and -inf
    inside when there is no site. `sigma_db` is the cell's total shadowing spread and
    `reliable_dbm` = median - z sigma, the level reached with probability `reliability`;
    a cell is covered when that reaches the threshold. `indoor` marks interior cells
    evaluated with O2I loss. `best_site[row, col]` indexes `site_ids` (-1: none).
    """

    x0: float
    y0: float
    res_m: float
    rsrp_dbm: FloatArray
    best_site: IntArray
    inside: BoolArray
    threshold_dbm: float
    site_ids: tuple[str, ...]
    sigma_db: FloatArray
    reliable_dbm: FloatArray
    reliability: float
    indoor: BoolArray
    interiors: str

    @property
    def z(self) -> float:
        return reliability_z(self.reliability)

    @property
    def covered(self) -> BoolArray:
        return np.asarray(self.inside & (np.nan_to_num(self.reliable_dbm, nan=-np.inf)
                                         >= self.threshold_dbm), dtype=bool)

    @property
    def cell_area_m2(self) -> float:
        return self.res_m * self.res_m

    def xy(self) -> tuple[FloatArray, FloatArray]:
        rows, cols = self.rsrp_dbm.shape
        return (np.asarray(self.x0 + self.res_m * np.arange(cols), dtype=np.float64),
                np.asarray(self.y0 + self.res_m * np.arange(rows), dtype=np.float64))


def _indoor_probes(polys: npt.NDArray[np.object_], px: FloatArray, py: FloatArray,
                   probes: bool = True) -> tuple[BoolArray, FloatArray, FloatArray, FloatArray]:
    """Per raster cell: inside a footprint, distance to its nearest facade (m), and the outdoor
    point just outside that facade (x, y) whose LOS state the cell takes (only the first
    when `probes` is false)."""
    n = len(px)
    indoor = np.zeros(n, dtype=bool)
    d_in, qx, qy = np.zeros(n), px.copy(), py.copy()
    if not len(polys) or not n:
        return indoor, d_in, qx, qy
    # Only cells inside some footprint become shapely points (1 M points cost ~2 s).
    union = shapely.union_all(polys)
    shapely.prepare(union)
    indoor = np.asarray(shapely.intersects_xy(union, px, py), dtype=bool)
    if not probes:
        return indoor, d_in, qx, qy
    cand = np.flatnonzero(indoor)
    pts = shapely.points(px[cand], py[cand])
    qi, bi = shapely.STRtree(polys).query(pts, predicate="intersects")
    qi, first = np.unique(qi, return_index=True)  # overlapping footprints: the first one
    bi, pts, pi = bi[first], pts[qi], cand[qi]
    rings = shapely.get_exterior_ring(polys)[bi]
    wall = shapely.get_coordinates(shapely.line_interpolate_point(
        rings, shapely.line_locate_point(rings, pts)))
    here = np.stack([px[pi], py[pi]], axis=1)
    out = wall - here
    dist = np.hypot(out[:, 0], out[:, 1])
    unit = out / np.where(dist > 0, dist, 1.0)[:, None]
    probe = wall + _PROBE_M * unit
    d_in[pi], qx[pi], qy[pi] = dist, probe[:, 0], probe[:, 1]
    return indoor, d_in, qx, qy


def rsrp_raster(site: Site, res_m: float = 1.0, threshold_dbm: float = DEFAULT_THRESHOLD_DBM,
                ut_height_m: float = DEFAULT_UT_HEIGHT_M,
                cells: tuple[CellSite, ...] | None = None) -> RsrpRaster:
    """Median RSRP and reliability-margin level of the best 5G site at every raster cell
    centre of the evaluated area (see the module docstring).

    `cells` replaces the site's own 5G sites (for planning variants) when given.
    """
    if res_m <= 0:
        raise ValueError(f"res_m = {res_m}: must be > 0")
    cells = site.cell_sites if cells is None else cells
    settings = site.coverage
    z = reliability_z(settings.reliability_5g)
    boundary = site_boundary(site)
    bx0, by0, bx1, by1 = boundary.bounds
    x0, y0 = bx0 + res_m / 2, by0 + res_m / 2
    xs = np.arange(x0, bx1, res_m)
    ys = np.arange(y0, by1, res_m)
    gx, gy = np.meshgrid(xs, ys)
    shapely.prepare(boundary)
    inside = shapely.intersects_xy(boundary, gx, gy)
    polys = buildings(site).polygons
    indoor, d_in, qx, qy = _indoor_probes(polys, gx[inside], gy[inside],
                                          probes=settings.count_interiors_5g)
    if not settings.count_interiors_5g:
        inside[inside] = ~indoor  # interiors are not part of the area
        keep = ~indoor
        indoor, d_in, qx, qy = indoor[keep], d_in[keep], qx[keep], qy[keep]
    px, py = gx[inside], gy[inside]
    best_rel = np.full(px.shape, -np.inf)
    best_med = np.full(px.shape, -np.inf)
    best_sig = np.zeros(px.shape)
    best_i = np.full(px.shape, -1, dtype=np.int64)
    sigma_p = SIGMA_P_DB[settings.o2i_model]
    for i, cell in enumerate(cells):
        cx, cy = cell.position
        d2d = np.hypot(px - cx, py - cy)
        sig = SIGMA_SF_DB[cell.scenario]
        if len(polys):
            # An antenna inside a footprint is on its roof: that building does not shade it.
            roof = shapely.contains_properly(polys, shapely.Point(cx, cy))
            sh = shadow(cell.position, polys[~roof],
                        far_distance(cell.position, boundary.bounds))
            los = ~shapely.intersects_xy(sh, qx, qy)
            median = rsrp_dbm(cell, path_loss_db(d2d, cell.height_m, ut_height_m,
                                                 cell.frequency_ghz, cell.scenario, los))
            sigma = np.where(los, sig[True], sig[False])
        else:
            # No buildings known: expected received power over LOS/NLOS by P_LOS, with the
            # spread of the likelier state.
            p = los_probability(d2d, cell.scenario)
            on = rsrp_dbm(cell, path_loss_db(d2d, cell.height_m, ut_height_m,
                                             cell.frequency_ghz, cell.scenario, True))
            off = rsrp_dbm(cell, path_loss_db(d2d, cell.height_m, ut_height_m,
                                              cell.frequency_ghz, cell.scenario, False))
            median = 10.0 * np.log10(p * 10.0 ** (on / 10.0) + (1.0 - p) * 10.0 ** (off / 10.0))
            sigma = np.where(p >= 0.5, sig[True], sig[False])
        if indoor.any():
            median = median - indoor * (o2i_wall_loss_db(cell.frequency_ghz, settings.o2i_model)
                                        + PL_IN_DB_PER_M * d_in)
            sigma = np.where(indoor, np.hypot(sigma, sigma_p), sigma)
        reliable = median - z * sigma
        better = reliable > best_rel
        best_rel = np.where(better, reliable, best_rel)
        best_med = np.where(better, median, best_med)
        best_sig = np.where(better, sigma, best_sig)
        best_i = np.where(better, i, best_i)

    def grid(values: npt.NDArray[np.generic], fill: float | int | bool,
             ) -> npt.NDArray[np.generic]:
        out = np.full(gx.shape, fill, dtype=values.dtype)
        out[inside] = values
        out.flags.writeable = False
        return out

    def fgrid(values: FloatArray) -> FloatArray:
        return np.asarray(grid(values, np.nan), dtype=np.float64)

    inside.flags.writeable = False
    return RsrpRaster(x0=float(x0), y0=float(y0), res_m=res_m, rsrp_dbm=fgrid(best_med),
                      best_site=np.asarray(grid(best_i, -1), dtype=np.int64), inside=inside,
                      threshold_dbm=threshold_dbm, site_ids=tuple(c.id for c in cells),
                      sigma_db=fgrid(best_sig), reliable_dbm=fgrid(best_rel),
                      reliability=settings.reliability_5g,
                      indoor=np.asarray(grid(indoor, False), dtype=bool),
                      interiors=(f"O2I {settings.o2i_model.replace('_', '-')}"
                                 if settings.count_interiors_5g else "outdoor area only"))
