"""Latency plots for the report, from injection to acknowledgement per incident kind: histograms
(small multiples) and one figure of empirical CDFs, acceptance limits drawn. Only kinds with
enough acknowledged incidents are drawn (`summary.MIN_PLOTTED`); the latency table lists every
kind, so a kind with one incident is a row, not a lone bar or an invisible legend entry."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from harness.report.summary import MIN_PLOTTED, KindLatency


def _histogram(rows: list[KindLatency], unit: str, limits: dict[str, float], clock: str,
               path: Path) -> Path | None:
    # a kind whose latencies are all alike would be one bar: the table says it better
    shown = [r for r in rows if len(set(np.round(r.values_s, 3))) > 1]
    if not shown:
        return None
    cols = min(3, len(shown))
    nrows = math.ceil(len(shown) / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(3.8 * cols, 2.6 * nrows + 0.7),
                             squeeze=False)
    for ax, r in zip(axes.flat, shown, strict=False):
        ax.hist(r.values_s, bins=min(20, max(5, len(r.values_s) // 2)), color="#4c72b0")
        ax.set_title(f"{r.kind}: {r.acknowledged} answered, {r.missed} missed", fontsize=9)
        ax.set_xlabel(f"latency ({unit})", fontsize=8)
        ax.set_ylabel("incidents", fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=7)
        if r.kind in limits and clock == "sim":
            ax.axvline(limits[r.kind], color="#c44e52", linestyle="--")
    for ax in list(axes.flat)[len(shown):]:
        ax.set_visible(False)
    title = "Injection -> acknowledgement, per incident kind"
    if any(r.kind in limits for r in shown) and clock == "sim":
        title += " (red dashes: acceptance limit)"
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _cdf(rows: list[KindLatency], unit: str, limits: dict[str, float], clock: str,
         path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for r in rows:
        xs = np.sort(r.values_s)
        # missed incidents stay in the denominator: a curve that never reaches 1 shows them
        ax.step(xs, np.arange(1, len(xs) + 1) / (len(xs) + r.missed), where="post",
                label=f"{r.kind} (n={r.acknowledged + r.missed}, {r.missed} missed)")
    for r in rows:
        if r.kind in limits and clock == "sim":
            ax.axvline(limits[r.kind], color="#c44e52", linestyle="--",
                       label=f"{r.kind} limit {limits[r.kind]:g} s")
    ax.set_xlabel(f"injection -> acknowledgement ({unit})")
    ax.set_ylabel("share of incidents answered")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    if rows:
        ax.legend(fontsize=8, loc="lower right")
    else:  # nothing to draw: say so rather than draw an empty frame
        ax.text(0.5, 0.5, f"no incident kind had {MIN_PLOTTED} or more acknowledgements:\n"
                "see the latency table", ha="center", va="center", transform=ax.transAxes,
                color="#c44e52")
    ax.set_title(f"Response latency, cumulative (kinds with >= {MIN_PLOTTED} answered)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def latency_plots(rows: list[KindLatency], clock: str, out: Path,
                  limits_s: dict[str, float] | None = None) -> list[Path]:
    """`latency_hist.png` (if any kind has a spread to show) and `latency_cdf.png` in `out`;
    none if no incident happened."""
    if not rows:
        return []
    out.mkdir(parents=True, exist_ok=True)
    unit = "s, wall clock" if clock == "wall" else "s, simulated"
    limits = limits_s or {}
    plotted = [r for r in rows if r.plotted]
    hist = _histogram(plotted, unit, limits, clock, out / "latency_hist.png")
    cdf = _cdf(plotted, unit, limits, clock, out / "latency_cdf.png")
    return [cdf] if hist is None else [hist, cdf]
