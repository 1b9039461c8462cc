"""A sweep's table, summarised per variant: means with 95% confidence intervals over the
replications, the probability of on site within 15 minutes (indicator 10), the Pareto front.

Indicator 10 in a sweep is a probability: of all emergency calls in a variant's replications,
the share on site within the limit, p = Σk / Σn. Calls of one replication share the responders
and the queue, so they are not independent: the interval treats the replication as the unit
(ratio estimator, cluster-robust variance, Student t with R - 1 degrees of freedom) and is
widened to at least the Wilson score interval of the pooled calls, so that a variant whose every
call was on time still shows what its number of calls can support. It rests on the responder
and platform models: modelled, never met.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import stdtrit

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, centre - half), min(1.0, centre + half))


def ratio_ci(ks: Sequence[int], ns: Sequence[int]) -> tuple[float, float, float]:
    """(p, low, high): share of successes over replications of (k successes in n trials)."""
    k, n = np.asarray(ks, dtype=float), np.asarray(ns, dtype=float)
    total = float(n.sum())
    if total == 0:
        return (math.nan, math.nan, math.nan)
    p = float(k.sum()) / total
    lo, hi = wilson(int(k.sum()), int(total))
    r = len(n)
    if r >= 2:
        nbar = total / r
        se = math.sqrt(float(((k - p * n) ** 2).sum()) / (r * (r - 1))) / nbar
        t = float(stdtrit(r - 1, 0.975))
        lo, hi = min(lo, max(0.0, p - t * se)), max(hi, min(1.0, p + t * se))
    return (p, lo, hi)


def mean_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean of the finite values with a 95% Student-t interval (NaN when none)."""
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if len(x) == 0:
        return (math.nan, math.nan, math.nan)
    m = float(x.mean())
    if len(x) < 2:
        return (m, m, m)
    half = float(stdtrit(len(x) - 1, 0.975)) * float(x.std(ddof=1)) / math.sqrt(len(x))
    return (m, m - half, m + half)


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
