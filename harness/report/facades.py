"""Facade figures for the high-altitude-throwing indicator, at a size a person reads.

`facades.png` is one compact bar per tall building (windows seen / not seen, worst first), so a
community of thirty towers is one screen, not thirty strips of green. Each building with a
window out of every camera's view then gets its own small unrolled-facade figure
(`facade_<id>.png`) showing which windows, and why; a building seen in full needs no picture.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from geometry import Coverage

#: Unrolled facades drawn at most (the worst buildings); the bar chart shows every building.
MAX_DETAIL = 6
_SEEN, _MISSED, _FREE = "#2e7d32", "#d32f2f", "#e0e0e0"
#: `BuildingFacades.why` codes 1..3: why a window is out of view (detail figure colours).
_WHY = (("no camera faces it", "#d32f2f"), ("blocked by a building", "#ff8f00"),
        ("beyond a camera's vertical view or range", "#8e24aa"))


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight", dpi=100)
    plt.close(fig)
    return path


def overview(cov: Coverage, path: Path, verdict: str) -> Path:
    fs = sorted(cov.facades, key=lambda f: (f.windows_seen / max(f.windows, 1), f.building))
    n = len(fs)
    fig, ax = plt.subplots(figsize=(10, 1.6 + 0.28 * max(n, 1)))
    if not fs:
        ax.text(0.5, 0.5, "no residential building tall enough to be monitored",
                ha="center", va="center")
        ax.axis("off")
    else:
        y = np.arange(n)[::-1]
        seen = np.array([f.windows_seen for f in fs])
        total = np.array([f.windows for f in fs])
        ax.barh(y, seen, color=_SEEN, height=0.7)
        ax.barh(y, total - seen, left=seen, color=_MISSED, height=0.7)
        for yy, f in zip(y, fs, strict=True):
            share = f.windows_seen / max(f.windows, 1)
            ax.text(f.windows + total.max() * 0.01, yy,
                    f"{f.windows_seen}/{f.windows} ({100 * share:.1f}%)", va="center",
                    fontsize=8, color=_MISSED if share < 1 else "#333")
        ax.set_yticks(y)
        ax.set_yticklabels([f"{f.building} ({f.floors}F)" for f in fs], fontsize=8)
        ax.set_xlim(0, total.max() * 1.18)
        ax.set_xlabel("windows from the first monitored floor up")
        ax.legend(handles=[Patch(fc=_SEEN, label="in a camera's view"),
                           Patch(fc=_MISSED, label="NOT in view")],
                  loc="upper center", bbox_to_anchor=(0.5, -0.5 / max(n, 3) - 0.12), ncol=2,
                  fontsize=8, frameon=False)
    ax.set_title("High-altitude throwing: windows in camera view per tall building, "
                 + verdict, fontsize=10, loc="left")
    return _save(fig, path)


def detail(f: Any, path: Path) -> Path:
    cmap = ListedColormap([_FREE, _SEEN] + [c for _, c in _WHY])
    grid = np.zeros((f.floors, len(f.columns)))
    why = np.where(f.seen, 1, np.clip(f.why, 1, 3) + 1)  # 1 seen, 2..4 the reason
    grid[f.first_floor - 1:, :] = why.T
    fig, ax = plt.subplots(figsize=(10, min(4.5, 1.3 + 0.12 * f.floors)))
    ax.imshow(grid, origin="lower", cmap=cmap, vmin=-0.5, vmax=4.5, aspect="auto",
              extent=(0, len(f.columns), 0.5, f.floors + 0.5), interpolation="nearest")
    edges = np.flatnonzero(np.diff(f.facade)) + 1
    for e in edges:
        ax.axvline(float(e), color="black", lw=1)
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges, [len(f.columns)]])
    ax.set_xticks((starts + ends) / 2)
    ax.set_xticklabels([f"{f.facing[f.facade[a]]}" for a in starts], fontsize=8)
    ax.set_ylabel("floor", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_xlabel("facades unrolled counter-clockwise; one cell per window", fontsize=8)
    present = {int(c) for c in np.unique(f.why[~f.seen])}
    handles = [Patch(fc=_SEEN, label="seen"),
               Patch(fc=_FREE, label=f"floors 1–{f.first_floor - 1}: not required")]
    handles += [Patch(fc=c, label=f"not seen: {label}") for k, (label, c) in
                enumerate(_WHY, start=1) if k in present]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3,
              fontsize=7, frameon=False)
    ax.set_title(f"building {f.building}: {f.windows - f.windows_seen} of {f.windows} windows "
                 f"not in any camera's view", fontsize=9, loc="left")
    return _save(fig, path)


def facade_figures(cov: Coverage, out: Path, verdict: str) -> list[Path]:
    """The overview and one detail figure per building with unseen windows (worst first)."""
    paths = [overview(cov, out / "facades.png", verdict)]
    short = sorted((f for f in cov.facades if f.windows_seen < f.windows),
                   key=lambda f: (f.windows_seen / max(f.windows, 1), f.building))
    for f in short[:MAX_DETAIL]:
        safe = re.sub(r"[^A-Za-z0-9_-]+", "_", f.building)
        paths.append(detail(f, out / f"facade_{safe}.png"))
    return paths
