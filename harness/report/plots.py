"""Latency plots for the report: per incident kind, a histogram (small multiples) and one figure
of empirical CDFs, of the time from injection to acknowledgement; acceptance limits drawn."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim import Lifecycle


def _latencies(lifecycles: list[Lifecycle], clock: str) -> dict[str, tuple[np.ndarray, int]]:
    out = {}
    for kind in sorted({lc.kind for lc in lifecycles}):
        group = [lc for lc in lifecycles if lc.kind == kind]
        values = np.array([v for lc in group
                           if (v := lc.latency_s("acknowledged", clock)) is not None])
        out[kind] = (values, sum(1 for lc in group if "acknowledged" in lc.missed))
    return out


def latency_plots(lifecycles: list[Lifecycle], clock: str, out: Path,
                  limits_s: dict[str, float] | None = None) -> list[Path]:
    """`latency_hist.png` and `latency_cdf.png` in `out`; none if no incident happened."""
    data = _latencies(lifecycles, clock)
    if not data:
        return []
    out.mkdir(parents=True, exist_ok=True)
    unit = "s, wall clock" if clock == "wall" else "s, simulated"
    limits = limits_s or {}
    cols = min(4, len(data))
    rows = math.ceil(len(data) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows + 0.6), squeeze=False)
    for ax, (kind, (values, missed)) in zip(axes.flat, data.items(), strict=False):
        if len(values):
            ax.hist(values, bins=min(20, max(5, len(values))), color="#4c72b0")
        ax.set_title(f"{kind}\n{len(values)} answered, {missed} missed", fontsize=8)
        ax.set_xlabel(f"latency ({unit})", fontsize=7)
        ax.tick_params(labelsize=7)
        if kind in limits and clock == "sim":
            ax.axvline(limits[kind], color="#c44e52", linestyle="--")
    for ax in list(axes.flat)[len(data):]:
        ax.set_visible(False)
    fig.suptitle("Injection -> acknowledgement, per incident kind (red: acceptance limit)",
                 fontsize=10)
    fig.tight_layout()
    hist = out / "latency_hist.png"
    fig.savefig(hist, dpi=90)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 5))
    for kind, (values, missed) in data.items():
        if len(values):
            xs = np.sort(values)
            # missed incidents stay in the denominator: a curve that never reaches 1 shows them
            ax.step(xs, np.arange(1, len(xs) + 1) / (len(xs) + missed), where="post",
                    label=f"{kind} (n={len(xs) + missed})")
    for kind, limit in limits.items():
        if kind in data and clock == "sim":
            ax.axvline(limit, color="#c44e52", linestyle="--", label=f"{kind} limit {limit:g} s")
    ax.set_xlabel(f"injection -> acknowledgement ({unit})")
    ax.set_ylabel("share of incidents answered")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    else:  # a platform that answered nothing: say so rather than draw an empty legend
        ax.text(0.5, 0.5, "no incident was acknowledged", ha="center", va="center",
                transform=ax.transAxes, color="#c44e52")
    ax.set_title("Response latency, cumulative")
    fig.tight_layout()
    cdf = out / "latency_cdf.png"
    fig.savefig(cdf, dpi=90)
    plt.close(fig)
    return [hist, cdf]
