"""The fewest candidates covering a target share of places: partial set cover.

    minimise Σ x_j  subject to  y_i <= Σ_{j covers i} x_j,  Σ w_i y_i >= need,  x, y in {0, 1}

Places with the same set of covering candidates are merged first (weight w = how many), so a
raster of thousands of cells becomes a few hundred rows. Small instances are solved exactly by
scipy's HiGHS `milp`; large ones (more candidates than `exact_max`, or a MILP out of time) by
the greedy rule (take the candidate covering most of what is still uncovered; the lowest index
on ties), reported with the LP relaxation's lower bound, the gap between them, and the greedy
rule's guarantee H(Δ) (Δ: most places one candidate covers; for a full cover greedy <=
H(Δ) x the LP optimum, Chvátal 1979).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix, hstack, identity, vstack

#: Candidates up to which the integer program is tried.
EXACT_MAX = 300


@dataclass(frozen=True)
class Cover:
    chosen: tuple[int, ...]
    covered: int            # places covered by the chosen set and what stays
    total: int
    need: int
    method: str             # "exact (HiGHS MILP)" or "greedy"
    lower_bound: int        # the fewest any set can use (exact: the optimum itself)
    feasible: bool
    greedy_guarantee: float = 1.0

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total else 1.0

    @property
    def gap(self) -> int:
        return len(self.chosen) - self.lower_bound


def _groups(covers: npt.NDArray[np.bool_], already: npt.NDArray[np.bool_],
            ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """Unique rows of the places still to cover that some candidate covers, with counts."""
    rest = covers[~already]
    rest = rest[rest.any(axis=1)]
    if not len(rest):
        return np.zeros((0, covers.shape[1]), dtype=bool), np.zeros(0, dtype=np.int64)
    rows, counts = np.unique(rest, axis=0, return_counts=True)
    return rows.astype(bool), counts.astype(np.int64)


def _program(rows: npt.NDArray[np.bool_], w: npt.NDArray[np.int64], need: int,
             integral: bool, time_limit_s: float) -> tuple[bool, npt.NDArray[np.float64], float]:
    g, n = rows.shape
    a = csr_matrix(rows.astype(float))
    # y_i - Σ a_ij x_j <= 0 ;  Σ w_i y_i >= need
    link = hstack([-a, identity(g, format="csr")])
    total = hstack([csr_matrix((1, n)), csr_matrix(w.astype(float)[None, :])])
    cons = [LinearConstraint(vstack([link, total]).tocsr(),
                             np.r_[np.full(g, -np.inf), need], np.r_[np.zeros(g), np.inf])]
    c = np.r_[np.ones(n), np.zeros(g)]
    res = milp(c, constraints=cons, bounds=Bounds(0, 1),
               integrality=np.r_[np.ones(n), np.ones(g)] if integral else None,
               options={"time_limit": time_limit_s, "disp": False})
    ok = res.status == 0 and res.x is not None
    return ok, (res.x if res.x is not None else np.zeros(n + g)), float(res.fun or 0.0)


def greedy(rows: npt.NDArray[np.bool_], w: npt.NDArray[np.int64], need: int) -> list[int]:
    left = np.ones(len(rows), dtype=bool)
    got, out = 0, []
    while got < need:
        gain = (rows[left] * w[left, None]).sum(axis=0)
        if not len(gain) or gain.max() == 0:
            break
        j = int(np.argmax(gain))
        out.append(j)
        got += int(gain[j])
        left &= ~rows[:, j]
    return out


def solve(covers: npt.NDArray[np.bool_], already: npt.NDArray[np.bool_], target: float,
          exact_max: int = EXACT_MAX, time_limit_s: float = 60.0) -> Cover:
    total = len(covers)
    need_all = math.ceil(target * total - 1e-9)
    base = int(already.sum())
    need = max(0, need_all - base)
    rows, w = _groups(covers, already)
    reachable = base + int(w.sum())
    if need == 0:
        return Cover((), base, total, need_all, "nothing needed", 0, True)
    feasible = reachable >= need_all
    goal = need if feasible else int(w.sum())  # infeasible: cover all that can be covered
    delta = int((rows * w[:, None]).sum(axis=0).max()) if len(rows) else 0
    guarantee = sum(1.0 / k for k in range(1, delta + 1)) if delta else 1.0
    lp_ok, _x, lp = _program(rows, w, goal, integral=False, time_limit_s=time_limit_s)
    lower = math.ceil(lp - 1e-6) if lp_ok else 0
    if covers.shape[1] <= exact_max:
        ok, x, fun = _program(rows, w, goal, integral=True, time_limit_s=time_limit_s)
        if ok:
            chosen = tuple(sorted(int(j) for j in np.flatnonzero(x[:covers.shape[1]] > 0.5)))
            covered = base + int(w[rows[:, list(chosen)].any(axis=1)].sum()) if chosen else base
            return Cover(chosen, covered, total, need_all, "exact (HiGHS MILP)",
                         round(fun), feasible, guarantee)
    picks = greedy(rows, w, goal)
    covered = base + (int(w[rows[:, picks].any(axis=1)].sum()) if picks else 0)
    return Cover(tuple(sorted(picks)), covered, total, need_all, "greedy", lower, feasible,
                 guarantee)
