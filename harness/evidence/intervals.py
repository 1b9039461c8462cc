"""95% confidence intervals for shares and means over seeded replications. Pure functions.

- `wilson`: the Wilson score interval of k successes in n independent trials;
- `ratio_ci`: a share pooled over replications, p = Σk / Σn. The trials of one replication
  (the emergency calls of one run) share the responders and the queue, so they are not
  independent; the replications are (each has its own seed). The interval treats the replication
  as the unit: a ratio estimator with its cluster-robust variance, Student t with R - 1 degrees
  of freedom, widened to at least the Wilson interval of the pooled trials (so a share of 100%
  still shows what its number of trials can support);
- `mean_ci`: the mean of a figure over replications with its Student t interval.

The sweep's tables and a single virtual run's indicator 10 use the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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
    # The interval always holds p (exactly 0 at k = 0, 1 at k = n); rounding must not move an
    # end past it (0 in 3 gave a lower end of 5.6e-17).
    return (min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)))


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
