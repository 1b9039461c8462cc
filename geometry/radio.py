"""5G coverage: 3GPP TR 38.901 UMa/UMi path loss and the RSRP raster over the community.

Path loss follows TR 38.901 table 7.4.1-1 (fc in GHz, distances in metres, d3D including the
height difference), with the breakpoint d'BP = 4 h'BS h'UT fc / c and hE = 1 m. A raster cell
is NLOS when the straight line from the antenna crosses a building footprint (the shadow
method of `geometry.shapes`), otherwise LOS; NLOS loss is max(PL_LOS, PL_NLOS'). Without any
building in the model the LOS probability of TR 38.901 table 7.4.2-1 weights the two.

RSRP = P_tx - 10 log10(N_RE) + G_ant - PL - losses (dBm per resource element); a cell is
covered when its best site's RSRP reaches the threshold (a parameter, default -105 dBm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from geometry.shapes import BoolArray, FloatArray, buildings, far_distance, shadow, site_boundary
from scenarios.model import Site
from scenarios.site_features import NR_RB, CellSite

C_M_PER_S = 299_792_458.0
H_E_M = 1.0  # effective environment height, TR 38.901 note 1 (the simple case)
MIN_D2D_M = 10.0  # both models are specified from 10 m; closer cells are held at 10 m
DEFAULT_THRESHOLD_DBM = -105.0
DEFAULT_UT_HEIGHT_M = 1.5

IntArray = npt.NDArray[np.int64]


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
    n_re = resource_elements(cell.bandwidth_mhz, cell.scs_khz)
    return np.asarray(cell.tx_power_dbm - 10.0 * np.log10(n_re) + cell.antenna_gain_dbi
                      - path_loss - cell.losses_db, dtype=float)


@dataclass(frozen=True)
class RsrpRaster:
    """Best-server RSRP on a regular grid of cell centres over the site boundary's bounds.

    `rsrp_dbm[row, col]` is at (x0 + col * res_m, y0 + row * res_m); NaN outside the boundary
    and -inf inside when there is no site. `best_site[row, col]` indexes `site_ids` (-1: none).
    """

    x0: float
    y0: float
    res_m: float
    rsrp_dbm: FloatArray
    best_site: IntArray
    inside: BoolArray
    threshold_dbm: float
    site_ids: tuple[str, ...]

    @property
    def covered(self) -> BoolArray:
        return np.asarray(self.inside & (np.nan_to_num(self.rsrp_dbm, nan=-np.inf)
                                         >= self.threshold_dbm), dtype=bool)

    @property
    def cell_area_m2(self) -> float:
        return self.res_m * self.res_m

    def xy(self) -> tuple[FloatArray, FloatArray]:
        rows, cols = self.rsrp_dbm.shape
        return (np.asarray(self.x0 + self.res_m * np.arange(cols), dtype=np.float64),
                np.asarray(self.y0 + self.res_m * np.arange(rows), dtype=np.float64))


def rsrp_raster(site: Site, res_m: float = 1.0, threshold_dbm: float = DEFAULT_THRESHOLD_DBM,
                ut_height_m: float = DEFAULT_UT_HEIGHT_M,
                cells: tuple[CellSite, ...] | None = None) -> RsrpRaster:
    """RSRP of the best 5G site at every raster cell centre inside the boundary.

    `cells` replaces the site's own 5G sites (for planning variants) when given.
    """
    if res_m <= 0:
        raise ValueError(f"res_m = {res_m}: must be > 0")
    cells = site.cell_sites if cells is None else cells
    boundary = site_boundary(site)
    bx0, by0, bx1, by1 = boundary.bounds
    x0, y0 = bx0 + res_m / 2, by0 + res_m / 2
    xs = np.arange(x0, bx1, res_m)
    ys = np.arange(y0, by1, res_m)
    gx, gy = np.meshgrid(xs, ys)
    shapely.prepare(boundary)
    inside = shapely.intersects_xy(boundary, gx, gy)
    px, py = gx[inside], gy[inside]
    polys = buildings(site).polygons
    best = np.full(px.shape, -np.inf)
    best_i = np.full(px.shape, -1, dtype=np.int64)
    for i, cell in enumerate(cells):
        cx, cy = cell.position
        d2d = np.hypot(px - cx, py - cy)
        if len(polys):
            sh = shadow(cell.position, polys, far_distance(cell.position, boundary.bounds))
            los = ~shapely.intersects_xy(sh, px, py)
            value = rsrp_dbm(cell, path_loss_db(d2d, cell.height_m, ut_height_m,
                                                cell.frequency_ghz, cell.scenario, los))
        else:
            # No buildings known: expected received power over LOS/NLOS by P_LOS.
            p = los_probability(d2d, cell.scenario)
            on = rsrp_dbm(cell, path_loss_db(d2d, cell.height_m, ut_height_m,
                                             cell.frequency_ghz, cell.scenario, True))
            off = rsrp_dbm(cell, path_loss_db(d2d, cell.height_m, ut_height_m,
                                              cell.frequency_ghz, cell.scenario, False))
            value = 10.0 * np.log10(p * 10.0 ** (on / 10.0) + (1.0 - p) * 10.0 ** (off / 10.0))
        better = value > best
        best = np.where(better, value, best)
        best_i = np.where(better, i, best_i)
    grid = np.full(gx.shape, np.nan)
    grid[inside] = best
    site_grid = np.full(gx.shape, -1, dtype=np.int64)
    site_grid[inside] = best_i
    for arr in (grid, site_grid, inside):
        arr.flags.writeable = False
    return RsrpRaster(x0=float(x0), y0=float(y0), res_m=res_m, rsrp_dbm=grid,
                      best_site=site_grid, inside=inside, threshold_dbm=threshold_dbm,
                      site_ids=tuple(c.id for c in cells))
