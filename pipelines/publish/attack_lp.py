"""The attacker's linear programmes: the smallest and largest value single cells can take over
the constraints a block publishes ({x: row_lo <= A x <= row_hi, bounds}), solved with HiGHS
through its Python package, highspy (scipy's linprog where HiGHS gives no answer). Used by
complementary suppression (`suppression.py`)."""

from __future__ import annotations

import highspy
import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

TOL = 1e-6


class DisclosureError(RuntimeError):
    """The attack model of a block is inconsistent with its own data (a bug, not a data issue)."""


# HiGHS through its own Python package (highspy): one model kept warm while only the
# objective changes (scipy's linprog would rebuild it for every cell).
_highs = highspy


class Polytope:
    """Smallest and largest value of single variables over {x: row_lo <= A x <= row_hi, bounds}."""

    def __init__(self, a: csr_matrix, row_lo: np.ndarray, row_hi: np.ndarray):
        self.a, self.row_lo, self.row_hi = a, row_lo, row_hi
        self.n = a.shape[1]
        self.h = None
        if a.shape[0]:
            csc = a.tocsc()
            lp = _highs.HighsLp()
            lp.num_col_, lp.num_row_ = self.n, a.shape[0]
            lp.col_cost_ = np.zeros(self.n)
            lp.col_lower_, lp.col_upper_ = np.zeros(self.n), np.full(self.n, _highs.kHighsInf)
            lp.row_lower_ = np.where(np.isinf(row_lo), -_highs.kHighsInf, row_lo)
            lp.row_upper_ = np.where(np.isinf(row_hi), _highs.kHighsInf, row_hi)
            lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
            lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = csc.indptr, csc.indices, csc.data
            lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.n, a.shape[0]
            self.h = _highs.Highs()
            self.h.setOptionValue("output_flag", False)
            self.h.passModel(lp)

    def extremes(self, cols: list[int], lower: np.ndarray, upper: np.ndarray, maximise: bool) -> list[float]:
        if not self.a.shape[0]:
            return [float(upper[c] if maximise else lower[c]) for c in cols]
        if self.h is None:
            return [self._linprog(c, lower, upper, maximise) for c in cols]
        h = self.h
        h.changeColsBounds(self.n, np.arange(self.n, dtype=np.int32), lower,
                           np.where(np.isinf(upper), _highs.kHighsInf, upper))
        h.changeObjectiveSense(_highs.ObjSense.kMaximize if maximise else _highs.ObjSense.kMinimize)
        out, last = [], None
        for c in cols:
            if last is not None:
                h.changeColCost(last, 0.0)
            h.changeColCost(c, 1.0)
            last = c
            h.run()
            status = h.getModelStatus()
            if status not in (_highs.HighsModelStatus.kOptimal, _highs.HighsModelStatus.kUnbounded):
                h.clearSolver()  # a warm start HiGHS gave up on: once more from scratch
                h.run()
                status = h.getModelStatus()
            if status == _highs.HighsModelStatus.kOptimal:
                out.append(float(h.getInfo().objective_function_value))
            elif status == _highs.HighsModelStatus.kUnbounded:
                out.append(np.inf if maximise else -np.inf)
            else:
                out.append(self._linprog(c, lower, upper, maximise))
        if last is not None:
            h.changeColCost(last, 0.0)
        return out

    def witnessed(self, cols: list[int], need: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                  maximise: bool, rounds: int = 3) -> dict[int, float]:
        """Columns shown to reach `need` (at least it when maximising, at most it when
        minimising) by a feasible point, with their value there: one LP per round optimises
        the sum of the columns not shown yet (capped at `need` when maximising, so that the
        sum stays bounded). A witness is sound (the extreme lies beyond it); a column not
        witnessed is left to `extremes`."""
        if not self.a.shape[0] or len(cols) < 4:
            return {}
        h, out, left = self.h, {}, [c for c in cols if np.isfinite(need[c])]
        inf = _highs.kHighsInf
        all_cols = np.arange(self.n, dtype=np.int32)
        for _ in range(rounds):
            if len(left) < 4:
                break
            up = upper.copy()
            if maximise:
                up[left] = np.maximum(np.minimum(up[left], need[left]), lower[left])
            cost = np.zeros(self.n)
            cost[left] = 1.0
            h.changeColsBounds(self.n, all_cols, lower, np.where(np.isinf(up), inf, up))
            h.changeObjectiveSense(_highs.ObjSense.kMaximize if maximise else _highs.ObjSense.kMinimize)
            h.changeColsCost(self.n, all_cols, cost)
            h.run()
            ok = h.getModelStatus() == _highs.HighsModelStatus.kOptimal
            x = np.asarray(h.getSolution().col_value) if ok else None
            h.changeColsCost(self.n, all_cols, np.zeros(self.n))
            if x is None:
                break
            got = [c for c in left if (x[c] >= need[c] - TOL if maximise else x[c] <= need[c] + TOL)]
            if not got:
                break
            out.update((c, float(x[c])) for c in got)
            left = [c for c in left if c not in out]
        return out

    def _linprog(self, col: int, lower, upper, maximise: bool) -> float:
        eq = self.row_lo == self.row_hi
        a = self.a
        cost = np.zeros(self.n)
        cost[col] = -1.0 if maximise else 1.0
        bounds = [(lo, None if np.isinf(hi) else hi) for lo, hi in zip(lower, upper)]
        # inequalities as A x <= b: rows with a finite upper end, and -A x <= -lo for a finite lower end
        upper_rows = ~eq & np.isfinite(self.row_hi)
        lower_rows = ~eq & np.isfinite(self.row_lo)
        a_ub = vstack([a[upper_rows], -a[lower_rows]]) if (upper_rows | lower_rows).any() else None
        b_ub = np.concatenate([self.row_hi[upper_rows], -self.row_lo[lower_rows]]) if a_ub is not None else None
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub,
                      A_eq=a[eq] if eq.any() else None, b_eq=self.row_hi[eq] if eq.any() else None,
                      bounds=bounds, method="highs")
        if res.status == 3:
            return np.inf if maximise else -np.inf
        if res.status != 0:
            raise DisclosureError(f"attack LP failed ({res.message}): the block's equations do not "
                                  "hold for its own counts")
        return float(-res.fun if maximise else res.fun)
