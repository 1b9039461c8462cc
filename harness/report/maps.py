"""PNG maps of the coverage indicators, made to be read by an inspector without the code.

Each map is titled with what it shows and the measured figure, has axes in metres east/north
of the site origin, a legend and, where colour carries a value, a colour bar with units.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

from geometry import DORI_PX_PER_M, Coverage, IndicatorResult, view_sectors
from harness.report.facades import facade_figures
from scenarios.model import Scenario

_BUILDING = "#9e9e9e"
# Legends sit under the map so they never hide what they explain.
_BELOW: dict[str, Any] = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.09), "ncol": 3,
                          "fontsize": 8, "frameon": False}


def _figure(site_w: float, site_h: float) -> tuple[plt.Figure, Axes]:
    aspect = site_h / max(site_w, 1.0)
    fig, ax = plt.subplots(figsize=(11, max(4.5, min(11, 11 * aspect + 1.5))), dpi=110)
    return fig, ax


def _frame(ax: Axes, s: Scenario, title: str) -> None:
    bx, by = np.array((*s.site.boundary, s.site.boundary[0])).T
    ax.plot(bx, by, color="black", lw=1.2)
    ax.set_aspect("equal")
    ax.set_xlabel("east of site origin (m)")
    ax.set_ylabel("north of site origin (m)")
    ax.set_title(title, fontsize=11)


def _buildings(ax: Axes, s: Scenario, face: str = _BUILDING, labels: bool = True) -> None:
    patches = [Polygon(b.footprint, closed=True) for c in s.site.compounds for b in c.buildings]
    ax.add_collection(PatchCollection(patches, facecolor=face, edgecolor="#424242", lw=0.6,
                                      zorder=3))
    few = sum(len(c.buildings) for c in s.site.compounds) <= 30
    if labels and few:
        for c in s.site.compounds:
            for b in c.buildings:
                x, y = np.mean(b.footprint, axis=0)
                ax.text(x, y, f"{b.id} ({b.floors}F)", ha="center", va="center", fontsize=7,
                        zorder=6)


def _verdict(r: IndicatorResult) -> str:
    got = "no data" if r.ratio is None else f"{100 * r.ratio:.1f}%"
    return f"{got} (bar {100 * r.threshold:.0f}%: {r.status.replace('_', ' ')})"


def rsrp_map(cov: Coverage, s: Scenario, path: Path) -> Path:
    r = cov.raster
    xs, ys = r.xy()
    fig, ax = _figure(xs[-1] - xs[0], ys[-1] - ys[0])
    half = r.res_m / 2
    extent = (xs[0] - half, xs[-1] + half, ys[0] - half, ys[-1] + half)
    img = np.where(np.isfinite(r.rsrp_dbm), r.rsrp_dbm, np.nan)
    im = ax.imshow(img, origin="lower", extent=extent, cmap="viridis", vmin=-130, vmax=-60,
                   interpolation="nearest", zorder=1)
    if np.isfinite(img).any():
        ax.contour(xs, ys, np.nan_to_num(img, nan=-200.0), levels=[r.threshold_dbm],
                   colors="red", linewidths=1.4, linestyles="solid", zorder=4)
        gap = (r.inside & ~r.covered).astype(float)
        if gap.any():
            ax.contourf(xs, ys, gap, levels=[0.5, 1.5], colors="none", hatches=["////"],
                        zorder=2)
    _buildings(ax, s)
    cells = s.site.cell_sites
    if cells:
        cx, cy = np.array([c.position for c in cells]).T
        ax.scatter(cx, cy, marker="^", s=90, c="white", edgecolors="black", zorder=7)
        for c in cells:
            ax.annotate(f"{c.id} ({c.scenario}, {c.height_m:g} m)", c.position, fontsize=7,
                        xytext=(5, 5), textcoords="offset points", zorder=7, color="white")
    cb = fig.colorbar(im, ax=ax, shrink=0.8)
    cb.set_label("best-server RSRP (dBm per resource element)")
    cb.ax.axhline(r.threshold_dbm, color="red", lw=2)
    ax.legend(handles=[
        Line2D([], [], color="red", lw=1.4, label=f"coverage edge: RSRP = {r.threshold_dbm:g} dBm"),
        Patch(fc="none", ec="black", hatch="////", label="not covered (below the edge)"),
        Line2D([], [], marker="^", ls="", mfc="white", mec="black", ms=9, label="5G site"),
        Patch(fc=_BUILDING, ec="#424242", label="building (blocks line of sight)")],
        **_BELOW)
    _frame(ax, s, "5G coverage (TR 38.901, best server): covered area "
           + _verdict(cov.result("mobile_5g")) + f"\n{r.res_m:g} m raster, UE at "
           f"{cov.params.ut_height_m:g} m; only cells inside the community boundary count")
    return _save(fig, path)


def camera_map(cov: Coverage, s: Scenario, path: Path) -> Path:
    x0, y0, x1, y1 = shapely.Polygon(s.site.boundary).bounds
    fig, ax = _figure(x1 - x0, y1 - y0)
    sectors = view_sectors(s.site, cov.cameras.density)
    for geom in sectors:
        for part in shapely.get_parts(geom):
            if isinstance(part, shapely.Polygon) and not part.is_empty:
                ax.add_patch(Polygon(np.asarray(part.exterior.coords), closed=True,
                                     fc="#64b5f6", ec="#1e88e5", alpha=0.25, lw=0.4, zorder=2))
    _buildings(ax, s)
    for k in s.site.key_locations:
        pts = np.array(k.points)
        if len(pts) > 1:
            ax.plot(pts[:, 0], pts[:, 1], color="#6d4c41", lw=2, alpha=0.6, zorder=3)
    kp, ok = cov.cameras.points, cov.cameras.covered
    ax.scatter(kp.xy[ok, 0], kp.xy[ok, 1], s=14, c="#2e7d32", zorder=5)
    ax.scatter(kp.xy[~ok, 0], kp.xy[~ok, 1], s=60, marker="X", c="#d32f2f", zorder=6)
    if s.site.cameras:
        cxy = np.array([c.position for c in s.site.cameras])
        ax.scatter(cxy[:, 0], cxy[:, 1], s=10, c="black", marker="s", zorder=7)
    dens = cov.cameras.density
    ax.legend(handles=[
        Patch(fc="#64b5f6", ec="#1e88e5", alpha=0.5,
              label=f"camera view to {dens} range, minus building shadows"),
        Line2D([], [], marker="s", ls="", color="black", ms=4, label="camera"),
        Line2D([], [], color="#6d4c41", lw=2, alpha=0.6, label="main road / fire lane"),
        Line2D([], [], marker="o", ls="", color="#2e7d32", ms=5, label="key point seen"),
        Line2D([], [], marker="X", ls="", color="#d32f2f", ms=8, label="key point NOT seen"),
        Patch(fc=_BUILDING, ec="#424242", label="building (occludes)")],
        **_BELOW)
    _frame(ax, s, f"Video at key locations: points seen {_verdict(cov.result('video_coverage'))}"
           f"\nentrances, and main roads and fire lanes every {cov.params.key_spacing_m:g} m; "
           f"{dens} = {DORI_PX_PER_M[dens]:g} px/m")
    return _save(fig, path)


def fiber_map(cov: Coverage, s: Scenario, path: Path) -> Path:
    x0, y0, x1, y1 = shapely.Polygon(s.site.boundary).bounds
    fig, ax = _figure(x1 - x0, y1 - y0)
    _buildings(ax, s, face="white", labels=False)
    fps = {b.id: b.footprint for c in s.site.compounds for b in c.buildings}
    margins = [b.margin_db for b in cov.budgets] or [0.0]
    lim = max(1.0, float(np.max(np.abs(margins))))
    norm = TwoSlopeNorm(vmin=-lim, vcenter=0.0, vmax=lim)
    cmap = plt.get_cmap("RdYlGn")
    xs, ys, cs, lost_x, lost_y = [], [], [], [], []
    per_building: dict[str, list[tuple[float, bool]]] = {}
    for b in cov.budgets:  # one entry per household: (margin, gigabit)
        rows = per_building.setdefault(b.building, [])
        rows += [(b.margin_db, k < b.gigabit) for k in range(b.households)]
    for c in s.site.compounds:
        for bld in c.buildings:
            homes = per_building.get(bld.id, [])[:bld.households]
            homes += [(np.nan, False)] * (bld.households - len(homes))  # no drop at all
            if not homes:
                continue
            # One dot per household, on a grid that fills the footprint.
            fp = np.array(bld.footprint)
            lo, hi = fp.min(axis=0), fp.max(axis=0)
            w, h = max(hi[0] - lo[0], 1.0), max(hi[1] - lo[1], 1.0)
            cols = max(1, int(np.ceil(np.sqrt(len(homes) * w / h))))
            nrows = int(np.ceil(len(homes) / cols))
            for k, (m, ok) in enumerate(homes):
                hx = lo[0] + (k % cols + 0.5) * w / cols
                hy = lo[1] + (k // cols + 0.5) * h / nrows
                if ok:
                    xs.append(hx)
                    ys.append(hy)
                    cs.append(m)
                else:
                    lost_x.append(hx)
                    lost_y.append(hy)
    sc = ax.scatter(xs, ys, c=cs, cmap=cmap, norm=norm, s=10, zorder=5)
    ax.scatter(lost_x, lost_y, marker="x", c="#b71c1c", s=14, lw=0.9, zorder=5)
    few = len(cov.budgets) <= 30
    for b in cov.budgets:
        if few and b.gigabit < b.households and b.building in fps:
            fp = np.array(fps[b.building])
            why = textwrap.fill(f"{b.building}: {b.reason.split(';')[0]}", 38)
            ax.annotate(why, (fp[:, 0].mean(), fp[:, 1].min()), xytext=(0, -4),
                        textcoords="offset points", ha="center", va="top", fontsize=7,
                        color="#b71c1c", zorder=8,
                        bbox={"fc": "white", "ec": "none", "alpha": 0.85})
    for olt in s.site.olts:
        ax.scatter(*olt.position, marker="s", s=70, c="#283593", zorder=7)
    for sp in s.site.splitters:
        ax.scatter(*sp.position, marker="D", s=22, c="#5c6bc0", zorder=7)
    cb = fig.colorbar(sc, ax=ax, shrink=0.8)
    cb.set_label("optical margin of the household's drop (dB); < 0 fails")
    ax.legend(handles=[
        Line2D([], [], marker="o", ls="", color="#66bb6a", ms=5,
               label="gigabit-capable household (colour = margin)"),
        Line2D([], [], marker="x", ls="", color="#b71c1c", ms=6,
               label="household not gigabit-capable (reason in red)"),
        Line2D([], [], marker="s", ls="", color="#283593", ms=7, label="OLT"),
        Line2D([], [], marker="D", ls="", color="#5c6bc0", ms=5, label="splitter")],
        **_BELOW)
    _frame(ax, s, "Gigabit fibre: households " + _verdict(cov.result("gigabit_fiber"))
           + "\none dot per household: 10G PON port, a free splitter leg and margin >= 0")
    return _save(fig, path)


def walk_map(cov: Coverage, s: Scenario, path: Path) -> Path:
    x0, y0, x1, y1 = shapely.Polygon(s.site.boundary).bounds
    fig, ax = _figure(x1 - x0, y1 - y0)
    w, net = cov.walk, cov.walk.network
    limit_min = cov.params.walk_limit_s / 60.0
    vmax = max(limit_min * 1.5, 1.0)
    if len(net.ends):
        t = np.minimum(w.node_distance_m[net.ends[:, 0]],
                       w.node_distance_m[net.ends[:, 1]]) / w.speed_m_per_s / 60.0
        seg = np.stack([net.nodes[net.ends[:, 0]], net.nodes[net.ends[:, 1]]], axis=1)
        lc = LineCollection(list(seg), array=np.where(np.isfinite(t), t, vmax), cmap="plasma_r",
                            linewidths=3, zorder=2)
        lc.set_clim(0, vmax)
        ax.add_collection(lc)
        cb = fig.colorbar(lc, ax=ax, shrink=0.8)
        cb.set_label("walking time to the nearest sports ground (min)")
        cb.ax.axhline(limit_min, color="black", lw=2)
    _buildings(ax, s)
    late = [b for b, tt in zip(w.building_ids, w.time_s, strict=True)
            if not tt <= cov.params.walk_limit_s]
    fps = {b.id: b.footprint for c in s.site.compounds for b in c.buildings}
    for bid in late:
        ax.add_patch(Polygon(fps[bid], closed=True, fc="none", ec="#d32f2f", lw=2, zorder=6))
    for g in s.site.sports_grounds:
        if g.footprint:
            ax.add_patch(Polygon(g.footprint, closed=True, fc="#81c784", ec="#2e7d32",
                                 zorder=4))
        ex, ey = np.array(g.entrances).T
        ax.scatter(ex, ey, marker="*", s=160, c="#1b5e20", zorder=7)
    ax.legend(handles=[
        Line2D([], [], marker="*", ls="", color="#1b5e20", ms=12, label="sports ground entrance"),
        Patch(fc="#81c784", ec="#2e7d32", label="sports ground"),
        Patch(fc=_BUILDING, ec="#d32f2f", lw=2, label=f"building beyond {limit_min:g} min"),
        Line2D([], [], color="#7e57c2", lw=3, label="footpath / road, by walking time")],
        **_BELOW)
    ax.autoscale_view()
    _frame(ax, s, f"{limit_min:g}-minute walk to a sports ground: households within reach "
           + _verdict(cov.result("sports_walk")) + f"\nnetwork distance along footpaths and "
           f"roads at {w.speed_m_per_s:g} m/s")
    return _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def all_maps(cov: Coverage, s: Scenario, out: Path) -> list[Path]:
    return [rsrp_map(cov, s, out / "rsrp.png"), camera_map(cov, s, out / "cameras.png"),
            fiber_map(cov, s, out / "fiber.png"),
            *facade_figures(cov, out, _verdict(cov.result("high_altitude"))),
            walk_map(cov, s, out / "walking.png")]
