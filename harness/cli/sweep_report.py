"""A sweep's pictures and its one-page HTML report.

- `sweep_<param>.png`: per swept parameter, the indicators that moved in the sweep, the
  indicators holding and P(on site <= 15 min) against the parameter's values — means over every
  replication with that value (the other parameters pooled), with 95% confidence bands;
- `pareto.png`: cost against indicators holding and against P(on site <= 15 min), one point per
  variant with its interval, each panel's Pareto front (cheapest for its compliance) joined up;
- `report.html`: those pictures inlined, the variant table and each indicator's share of
  replications holding per variant. Self-contained: one file to mail.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from harness.cli.sweep_stats import (
    indicator_numbers,
    mean_ci,
    pareto,
    ratio_ci,
    summarize,
)

MAX_PANELS = 9


def _moving(rows: list[dict[str, Any]]) -> list[int]:
    """Indicators whose figure or verdict differs between replications."""
    out = []
    for n in indicator_numbers(rows):
        figs = {round(r[f"i{n}.figure"], 9) for r in rows if math.isfinite(r[f"i{n}.figure"])}
        if len(figs) > 1 or len({r[f"i{n}.holds"] for r in rows}) > 1:
            out.append(n)
    return out


def _by_value(rows: list[dict[str, Any]], col: str) -> list[tuple[Any, list[dict[str, Any]]]]:
    values = sorted({r[col] for r in rows}, key=lambda v: (isinstance(v, str), v))
    return [(v, [r for r in rows if r[col] == v]) for v in values]


def _band(ax: Any, xs: list[float], mid: list[float], lo: list[float], hi: list[float],
          title: str, ylabel: str) -> None:
    ax.plot(xs, mid, marker="o", color="C0")
    ax.fill_between(xs, lo, hi, color="C0", alpha=0.25, label="95% CI")
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)


def param_plots(rows: list[dict[str, Any]], img: Path) -> list[Path]:
    params = [k for k in rows[0] if k.startswith("p.")]
    panels = ["holding", "p_onsite", *[f"i{n}" for n in _moving(rows)][:MAX_PANELS - 2]]
    out = []
    for col in params:
        groups = _by_value(rows, col)
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v, _ in groups)
        xs = [float(v) if numeric else float(i) for i, (v, _) in enumerate(groups)]
        cols = min(3, len(panels))
        nrows = math.ceil(len(panels) / cols)
        fig, axes = plt.subplots(nrows, cols, figsize=(4.2 * cols, 3.0 * nrows), squeeze=False)
        for ax, panel in zip(axes.flat, panels, strict=False):
            if panel == "p_onsite":
                stats = [ratio_ci([r["onsite_within"] for r in g], [r["calls"] for r in g])
                         for _, g in groups]
                title, ylabel = "10 on site <= 15 min (modelled)", "probability"
            elif panel == "holding":
                stats = [mean_ci([float(r["holding"]) for r in g]) for _, g in groups]
                title, ylabel = "indicators holding", "count"
            else:
                stats = [mean_ci([r[f"{panel}.figure"] for r in g]) for _, g in groups]
                title, ylabel = f"indicator {panel[1:]}", "figure"
            _band(ax, xs, [s[0] for s in stats], [s[1] for s in stats], [s[2] for s in stats],
                  title, ylabel)
            ax.set_xlabel(col[2:], fontsize=8)
            if not numeric:
                ax.set_xticks(xs, [str(v) for v, _ in groups], fontsize=7, rotation=20)
        for ax in list(axes.flat)[len(panels):]:
            ax.axis("off")
        fig.suptitle(f"indicators against {col[2:]} (mean over replications, 95% CI)",
                     fontsize=10)
        fig.tight_layout()
        path = img / f"sweep_{col[2:]}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        out.append(path)
    return out


def pareto_plot(summary: list[dict[str, Any]], img: Path) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, (mid, lo, hi, label) in zip(axes, (
            ("holding", "holding_lo", "holding_hi", "indicators holding (mean)"),
            ("p_onsite", "p_onsite_lo", "p_onsite_hi", "P(on site <= 15 min), modelled")),
            strict=True):
        front = set(pareto([s for s in summary if not math.isnan(s[mid])], mid))
        for s in summary:
            y = s[mid]
            if math.isnan(y):
                continue
            on = s["variant"] in front
            ax.errorbar(s["cost"], y, yerr=[[y - s[lo]], [s[hi] - y]], fmt="o",
                        color="C3" if on else "C0", alpha=1.0 if on else 0.6, capsize=3)
            ax.annotate(str(s["variant"]), (s["cost"], y), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
        pts = sorted((s["cost"], s[mid]) for s in summary if s["variant"] in front)
        if pts:
            ax.step([p[0] for p in pts], [p[1] for p in pts], where="post", color="C3",
                    label="Pareto front")
            ax.legend(fontsize=8)
        ax.set_xlabel("cost")
        ax.set_ylabel(label)
    fig.suptitle("cost against compliance, one point per variant (red: Pareto front)",
                 fontsize=10)
    fig.tight_layout()
    path = img / "pareto.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(path.stem)}">'


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return "n/a" if math.isnan(v) else f"{v:,.3g}"
    return html.escape(str(v))


def write_report(rows: list[dict[str, Any]], meta: dict[str, Any], out: Path) -> Path:
    img = out / "img"
    img.mkdir(parents=True, exist_ok=True)
    summary = summarize(rows)
    front_h = set(pareto(summary))
    front_p = set(pareto([s for s in summary if not math.isnan(s["p_onsite"])], "p_onsite"))
    pictures = [pareto_plot(summary, img), *param_plots(rows, img)]
    params = [k for k in summary[0] if k.startswith("p.")]
    head = "".join(f"<th>{html.escape(p[2:])}</th>" for p in params)
    lines = []
    for s in summary:
        p10 = ("n/a" if math.isnan(s["p_onsite"]) else
               f"{100 * s['p_onsite']:.1f}% [{100 * s['p_onsite_lo']:.1f}, "
               f"{100 * s['p_onsite_hi']:.1f}]")
        lines.append(
            f"<tr><td>{s['variant']}{' ★' if s['variant'] in front_h else ''}"
            f"{' ☆' if s['variant'] in front_p else ''}</td>"
            + "".join(f"<td>{_cell(s[p])}</td>" for p in params)
            + f"<td>{s['cost']:,.0f}</td><td>{s['replications']}</td>"
            f"<td>{s['holding']:.2f} [{s['holding_lo']:.2f}, {s['holding_hi']:.2f}]</td>"
            f"<td>{s['calls']}</td><td>{p10}</td></tr>")
    numbers = indicator_numbers(rows)
    ind_head = "".join(f"<th>{s['variant']}</th>" for s in summary)
    ind_rows = "".join(
        f"<tr><td>{n}</td>" + "".join(
            f"<td title=\"{html.escape(s[f'i{n}.status'])}\">"
            f"{100 * s[f'i{n}.share_holding']:.0f}%</td>" for s in summary) + "</tr>"
        for n in numbers)
    where = html.escape(str(meta.get("where", "")))
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>commtwin sweep: {html.escape(str(meta.get('scenario', '')))}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;padding:3px 6px}}
img{{max-width:100%;display:block;margin:1em 0}}</style></head><body>
<h1>Sweep of {html.escape(Path(str(meta.get('scenario', ''))).stem)}</h1>
<p>{len(summary)} variant(s) x {summary[0]['replications']} seeded virtual replication(s),
{len(rows)} runs; {where}; {meta.get('wall_s', 'n/a')} wall s. Every live figure comes from the
modelled platform and, where declared, the responder model: <b>modelled</b> (模拟估计), a
prediction, never "met". P(on site &lt;= 15 min) is the share of emergency calls a responder
reached within the limit, with a 95% interval over replications. ★ marks the Pareto front on
indicators holding, ☆ the front on P(on site): no variant is cheaper and at least as good.</p>
<h2>Variants</h2><table><tr><th>variant</th>{head}<th>cost</th><th>runs</th>
<th>indicators holding (95% CI)</th><th>calls</th><th>P(on site &lt;= 15 min) [95% CI]</th>
</tr>{''.join(lines)}</table>
<h2>Cost and compliance</h2>{_img(pictures[0])}
<h2>Indicators against each parameter</h2>{''.join(_img(p) for p in pictures[1:])}
<h2>Share of replications in which each indicator holds</h2>
<table><tr><th>indicator</th>{ind_head}</tr>{ind_rows}</table>
</body></html>
"""
    path = out / "report.html"
    path.write_text(page, "utf-8")
    return path
