"""`commtwin place cameras|gnb SCENARIO`: the fewest cameras or 5G sites that reach a target.

Candidates come from a file (`[[cameras]]` or `[[cell_sites]]` tables, the scenario's own
schema) or `auto` (`geometry.placement`). The coverage of each candidate is computed with the
same models as indicators 4 and 2; `harness.cli.cover` picks the fewest. Writes into `--out`:
`placement.toml`, a scenario patch (`[site] cameras = [...]` or `cell_sites = [...]`: the list
replaced; `commtwin sweep` applies such patches with `patch`), `placement.png`, a map, and
`placement.json`, what was solved and how well.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import click
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import tomli_w
from pydantic import ValidationError

from geometry.cameras import DORI_PX_PER_M, dori_range_m
from geometry.placement import (
    CoverMatrix,
    camera_candidates,
    camera_matrix,
    cell_candidates,
    cell_matrix,
)
from geometry.shapes import buildings
from harness.cli.common import load_scenario
from harness.cli.console import console
from harness.cli.cover import EXACT_MAX, Cover, solve
from scenarios import Scenario
from scenarios.site_features import Camera, CellSite

Device = Camera | CellSite


def read_candidates(path: Path, what: str) -> tuple[Device, ...]:
    key, model = ("cameras", Camera) if what == "cameras" else ("cell_sites", CellSite)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
        return tuple(model.model_validate(c) for c in data.get(key, []))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def plan(scenario: Scenario, what: str, candidates: str, target: float,
         exact_max: int = EXACT_MAX, res_m: float = 5.0, density: str = "observe",
         ) -> tuple[tuple[Device, ...], CoverMatrix, Cover]:
    site = scenario.site
    if what == "cameras":
        cands: tuple[Device, ...] = (camera_candidates(site) if candidates == "auto"
                                     else read_candidates(Path(candidates), what))
        matrix = camera_matrix(site, cands, density)  # type: ignore[arg-type]
    else:
        cands = (cell_candidates(site) if candidates == "auto"
                 else read_candidates(Path(candidates), what))
        matrix = cell_matrix(site, cands, res_m)  # type: ignore[arg-type]
    if not cands:
        raise click.ClickException("no candidates to choose from")
    return cands, matrix, solve(matrix.covers, matrix.already, target, exact_max)


def patch(scenario: Scenario, what: str, chosen: tuple[Device, ...]) -> dict[str, Any]:
    site = scenario.site
    if what == "cameras":
        kept = [c for c in site.cameras if c.purpose != "key_location"]
        items = [*kept, *chosen]
        return {"site": {"cameras": [c.model_dump(mode="json", exclude_none=True)
                                     for c in items]}}
    return {"site": {"cell_sites": [c.model_dump(mode="json", exclude_none=True)
                                    for c in chosen]}}


def draw(scenario: Scenario, what: str, cands: tuple[Device, ...], matrix: CoverMatrix,
         cover: Cover, path: Path, title: str) -> Path:
    site = scenario.site
    fig, ax = plt.subplots(figsize=(8, 7))
    bx, by = zip(*site.boundary, strict=True)
    ax.plot([*bx, bx[0]], [*by, by[0]], color="black", lw=1)
    for poly in buildings(site).polygons:
        x, y = poly.exterior.xy
        ax.fill(x, y, color="0.8", ec="0.5", lw=0.5)
    seen = matrix.already | (matrix.covers[:, list(cover.chosen)].any(axis=1)
                             if cover.chosen else False)
    size = 4 if what == "cameras" else max(1.0, math.sqrt(matrix.cell_area_m2) / 2)
    ax.scatter(matrix.xy[~seen, 0], matrix.xy[~seen, 1], s=size, c="tab:red",
               marker="s" if size > 4 else "o", label=f"not covered ({int((~seen).sum())})", lw=0)
    ax.scatter(matrix.xy[seen, 0], matrix.xy[seen, 1], s=size, c="tab:green", alpha=0.5,
               label=f"covered ({int(seen.sum())})", lw=0)
    other = [c for i, c in enumerate(cands) if i not in cover.chosen]
    if other:
        pos = np.array([c.position for c in other])
        ax.scatter(pos[:, 0], pos[:, 1], s=6, c="0.5", marker=".",
                   label=f"candidates not chosen ({len(other)})")
    for i in cover.chosen:
        c = cands[i]
        x, y = c.position
        ax.plot(x, y, marker="^" if what == "cameras" else "*", ms=9, color="tab:blue",
                mec="black")
        if isinstance(c, Camera):
            r = dori_range_m(c.width_px, c.hfov_deg, "observe")
            a0 = 90 - c.heading_deg - c.hfov_deg / 2
            ang = np.radians(np.linspace(a0, a0 + c.hfov_deg, 20))
            ax.fill([x, *(x + r * np.cos(ang)), x], [y, *(y + r * np.sin(ang)), y],
                    color="tab:blue", alpha=0.12)
    ax.plot([], [], marker="^" if what == "cameras" else "*", ls="", color="tab:blue",
            label=f"chosen ({len(cover.chosen)})")
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_xlabel("east, m")
    ax.set_ylabel("north, m")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


@click.command("place")
@click.argument("what", type=click.Choice(["cameras", "gnb"]))
@click.argument("scenario")
@click.option("--candidates", default="auto", show_default=True,
              help="a .toml of [[cameras]] or [[cell_sites]], or 'auto'")
@click.option("--target", type=click.FloatRange(0, 1), default=0.95, show_default=True,
              help="share of key-location points (cameras) or of the area (gnb) to cover")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out/place"),
              show_default=True)
@click.option("--exact-max", type=int, default=EXACT_MAX, show_default=True,
              help="most candidates solved exactly (MILP); above: greedy + LP bound")
@click.option("--res", "res_m", type=float, default=5.0, show_default=True,
              help="gnb: raster resolution, m")
@click.option("--density", type=click.Choice(list(DORI_PX_PER_M)), default="observe",
              show_default=True, help="cameras: DORI level where a key location sets none")
def place_command(what: str, scenario: str, candidates: str, target: float, out: Path,
                  exact_max: int, res_m: float, density: str) -> None:
    """Choose the fewest cameras (key locations) or 5G sites (area) reaching --target."""
    sc = load_scenario(scenario)
    cands, matrix, cover = plan(sc, what, candidates, target, exact_max, res_m, density)
    out.mkdir(parents=True, exist_ok=True)
    chosen = tuple(cands[i] for i in cover.chosen)
    doc = patch(sc, what, chosen)
    noun = "cameras" if what == "cameras" else "5G sites"
    header = (f"# commtwin place {what} {scenario}: {len(chosen)} {noun}, "
              f"{cover.share:.1%} of {matrix.what} covered (target {target:.0%}).\n"
              f"# Patch: replaces site.{next(iter(doc['site']))}.\n")
    (out / "placement.toml").write_text(header + tomli_w.dumps(doc), "utf-8")
    bound = ("optimal" if cover.method.startswith("exact") else
             f"LP lower bound {cover.lower_bound}, gap <= {cover.gap}, greedy guarantee "
             f"H(Δ) = {cover.greedy_guarantee:.2f}")
    title = (f"{sc.name}: {len(chosen)} {noun} cover {cover.share:.1%} of {matrix.what}\n"
             f"(target {target:.0%}; {cover.method}, {bound})")
    draw(sc, what, cands, matrix, cover, out / "placement.png", title)
    summary = {"what": what, "scenario": scenario, "target": target, "candidates": len(cands),
               "places": cover.total, "need": cover.need, "covered": cover.covered,
               "share": cover.share, "chosen": [c.id for c in chosen], "method": cover.method,
               "lower_bound": cover.lower_bound, "gap": cover.gap, "feasible": cover.feasible,
               "greedy_guarantee": cover.greedy_guarantee}
    (out / "placement.json").write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    if not cover.feasible:
        console.print(f"[yellow]the target cannot be reached with these candidates: at most "
                      f"{cover.share:.1%} of {matrix.what}")
    console.print(f"{len(chosen)} {noun} of {len(cands)} candidates cover {cover.share:.1%} of "
                  f"{cover.total} {matrix.what} (target {target:.0%}); {cover.method}, {bound}")
    console.print(f"patch: {out / 'placement.toml'}; map: {out / 'placement.png'}")
