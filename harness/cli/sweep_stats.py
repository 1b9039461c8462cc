"""A sweep's table, summarised per variant: means with 95% confidence intervals over the
replications, the probability of on site within 15 minutes (indicator 10), the Pareto front.

Indicator 10 in a sweep is a probability: of all emergency calls in a variant's replications,
the share on site within the limit, p = Σk / Σn, with the interval of
`harness.evidence.intervals.ratio_ci` (the replication as the unit; a single virtual run's
indicator 10 uses the same). It rests on the responder and platform models: modelled, never
met.
"""

from __future__ import annotations

from typing import Any

from harness.evidence.intervals import Z95, mean_ci, ratio_ci, wilson

__all__ = ["Z95", "indicator_numbers", "mean_ci", "pareto", "ratio_ci", "summarize", "wilson"]


def indicator_numbers(rows: list[dict[str, Any]]) -> list[int]:
    return sorted(int(k[1:].split(".")[0]) for k in rows[0] if k.endswith(".status"))


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per variant, in variant order."""
    out = []
    params = [k for k in rows[0] if k.startswith("p.")] if rows else []
    numbers = indicator_numbers(rows) if rows else []
    for v in sorted({r["variant"] for r in rows}):
        group = [r for r in rows if r["variant"] == v]
        line: dict[str, Any] = {"variant": v, **{p: group[0][p] for p in params},
                                "cost": group[0]["cost"], "replications": len(group)}
        line["holding"], line["holding_lo"], line["holding_hi"] = mean_ci(
            [float(r["holding"]) for r in group])
        p, lo, hi = ratio_ci([r["onsite_within"] for r in group], [r["calls"] for r in group])
        line |= {"calls": sum(r["calls"] for r in group), "p_onsite": p, "p_onsite_lo": lo,
                 "p_onsite_hi": hi, "p_onsite_basis": "modelled"}
        for n in numbers:
            line[f"i{n}.share_holding"] = sum(1 for r in group if r[f"i{n}.holds"]) / len(group)
            m, mlo, mhi = mean_ci([r[f"i{n}.figure"] for r in group])
            line |= {f"i{n}.figure": m, f"i{n}.figure_lo": mlo, f"i{n}.figure_hi": mhi}
            statuses = sorted({r[f"i{n}.status"] for r in group})
            line[f"i{n}.status"] = "/".join(statuses)
        out.append(line)
    return out


def pareto(summary: list[dict[str, Any]], score: str = "holding") -> list[int]:
    """Variants no other variant beats: none at most as dear and at least as compliant, and
    strictly better in one (ties in both keep the lower variant number)."""
    front = []
    for a in summary:
        beaten = any(
            (b["cost"] <= a["cost"] and b[score] >= a[score]
             and (b["cost"] < a["cost"] or b[score] > a[score]
                  or b["variant"] < a["variant"]))
            for b in summary if b is not a)
        if not beaten:
            front.append(a["variant"])
    return front
