"""Statistical disclosure control of statistics built from confidential person-level data.

`protect(stats, stream, confidential_sources, previous)` returns the public version of a
statistics table and a catalog-only `suppression_report`. Rows of other sources pass through
unchanged. For confidential sources (e.g. the NGO incident log):

1. only the declared groupings are published: the grand total, each dimension alone, and sex
   crossed with one other dimension; rows of any other grouping are dropped;
2. primary suppression: cells with a count in `threshold` (default 1-4);
3. complementary suppression, until, for every suppressed cell with true count v, the interval
   an attacker derives by linear programming from everything published (margin equations, the
   public crime type -> SGBV map, published cells fixed, counts >= 0) contains
   [max(0, v - protection), v + protection]; for a cell in the primary range the upper end also
   holds when the attacker uses that a row is present only for a non-zero count;
4. cross-release: the attack links each cell to its version in the previous release by the
   sign of its true change (equal if unchanged); cells suppressed before and unchanged stay
   suppressed, so that no cell of either release can be narrowed by subtraction.

Suppressed cells publish `suppressed = true` and null `value`, `value_min` and `value_max`.
Method, guarantees and limits: docs/disclosure_control.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import highspy
import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

from pipelines.sources.registry import SOURCES
from pipelines.stats.cases import STREAMS
from pipelines.stats.deaths import DIMENSIONS as DEATH_DIMENSIONS
from pipelines.stats.deaths import FIXED as DEATH_FIXED

LOG = logging.getLogger(__name__)
MAPS = Path(__file__).resolve().parent.parent / "harmonize" / "maps"
TOL = 1e-6
REASONS = ("primary", "complementary", "previous_release", "not_published_grouping")
REPORT_COLUMNS = {
    "table": "str", "source": "str", "snapshot": "str", "year": "Int32", "year_basis": "str",
    "unit": "str", "subject": "str", "stage": "str", "grouping": "str", "cell": "str",
    "reason": "str", "value": "Int64", "interval_min": "Float64", "interval_max": "Float64",
    "protected": "boolean",
}
SUMMARY_COLUMNS = ["table", "source", "snapshot", "cells_published", "cells_suppressed", "primary",
                   "complementary", "previous_release", "not_published_grouping", "count_hidden",
                   "unprotected", "complementary_narrow"]


class DisclosureError(RuntimeError):
    """The attack model of a block is inconsistent with its own data (a bug, not a data issue)."""


# HiGHS through its own Python package (highspy): one model kept warm while only the
# objective changes (scipy's linprog would rebuild it for every cell).
_highs = highspy


class _Polytope:
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


# --- what is published -------------------------------------------------------------------------

def stream_spec(stream: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fixed columns, dimensions) of a statistics stream."""
    if stream in STREAMS:
        return tuple(STREAMS[stream]["fixed"]), tuple(STREAMS[stream]["dims"])
    if stream == "deaths":
        return tuple(DEATH_FIXED), tuple(DEATH_DIMENSIONS)
    raise ValueError(f"unknown stream {stream!r}: expected deaths, crimes or prosecutions")


def published_groupings(stream: str) -> frozenset[frozenset[str]]:
    """Groupings a protected table publishes: the grand total, each dimension alone, and sex
    crossed with one other dimension."""
    _, dims = stream_spec(stream)
    sets = {frozenset()} | {frozenset([d]) for d in dims}
    if "sex" in dims:
        sets |= {frozenset(("sex", d)) for d in dims if d != "sex"}
    return frozenset(sets)


def in_published_grouping(frame: pd.DataFrame, stream: str) -> np.ndarray:
    """Whether each row of a statistics frame belongs to a published grouping."""
    _, dims = stream_spec(stream)
    allowed = [_grouping_code(g, dims) for g in published_groupings(stream)]
    return np.isin(_grouping_codes(frame, dims), allowed)


def confidential_sources() -> set[str]:
    """Registered sources declared confidential (`SourceSpec.confidential`)."""
    return {sid for sid, source in SOURCES.items() if source.spec.confidential}


# --- relations an attacker knows besides the margins -------------------------------------------

@dataclass(frozen=True)
class Nesting:
    """A coarse dimension that is a function of a finer one (the public crime type -> SGBV
    map): per group, the coarse cells sum to the fine cells, within every published crossing."""

    coarse: str
    fine: str
    coarse_group: Callable[[str], str | None]
    fine_group: Callable[[str], str | None]


@cache
def _crime_sgbv_map(source: str) -> dict[str, str] | None:
    path = MAPS / f"crime_types_{source}.csv"
    if not path.exists():
        return None
    pairs = pd.read_csv(path, comment="#", dtype=str)[["crime_type", "sgbv"]].dropna().drop_duplicates()
    if pairs["crime_type"].duplicated().any():
        return None  # not a function of the crime type
    return dict(zip(pairs["crime_type"], pairs["sgbv"]))


def nestings(stream: str, source: str) -> list[Nesting]:
    """Nested dimensions of a source's statistics. Each equation they give is checked against
    the true counts before use, so a wrong guess here only costs protection, never soundness."""
    fine = {"crimes": "crime_type", "prosecutions": "offence"}.get(stream)
    if fine is None:
        return []
    out = []
    sgbv = _crime_sgbv_map(source)
    if sgbv:
        out.append(Nesting("sgbv", fine, lambda v: v, sgbv.get))
    if stream == "crimes":  # bias motivation is not_applicable outside hate crime
        out.append(Nesting("bias_motivation", fine,
                           lambda v: "na" if v == "not_applicable" else "hate",
                           lambda v: "hate" if v == "hate_crime" else "na"))
    return out


# --- one version of a block: its cells and equations -------------------------------------------

@dataclass
class _Version:
    keys: list[tuple]
    index: dict[tuple, int]
    groupings: list[frozenset]
    truth: np.ndarray  # true count; nan where unknown to us
    published: np.ndarray  # the attacker knows the value
    ours: np.ndarray  # suppressed by disclosure control
    low: np.ndarray  # a priori bounds of unpublished cells (strong attacker)
    low_weak: np.ndarray  # non-negativity only (the brief's attacker)
    high: np.ndarray
    equations: list[tuple[np.ndarray, np.ndarray]]
    margin: np.ndarray  # the cell is the margin of some equation


def _float(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _version(frame: pd.DataFrame, dims: tuple[str, ...], nest: list[Nesting], suppressed: np.ndarray,
             truth: np.ndarray) -> _Version:
    """Cells, a priori bounds and verified equations of one block version."""
    keys = list(zip(*[frame[d].astype(str) for d in dims])) if len(frame) else []
    index = {k: i for i, k in enumerate(keys)}
    if len(index) != len(keys):
        raise DisclosureError("duplicate cells in one block: " + repr(frame.iloc[0][list(dims)].to_dict()))
    groupings = [frozenset(d for d, v in zip(dims, k) if v != "all") for k in keys]
    value = _float(frame["value"])
    lo_pub = _float(frame["value_min"]) if "value_min" in frame else np.full(len(frame), np.nan)
    hi_pub = _float(frame["value_max"]) if "value_max" in frame else np.full(len(frame), np.nan)
    published = ~suppressed & ~np.isnan(value)
    withheld = ~suppressed & np.isnan(value)  # withheld by the source, bounds published
    # Person-level statistics without a grid have rows only for non-zero counts: then a row's
    # presence says >= 1. A block holding zero cells (the full grid) says no such thing.
    positive = bool((value[published] >= 1).all() and (np.nan_to_num(lo_pub[withheld], nan=0) >= 1).all()
                    and not (truth == 0).any())
    low = np.where(withheld, np.nan_to_num(lo_pub, nan=0.0), 1.0 if positive else 0.0)
    low_weak = np.where(withheld, low, 0.0)
    high = np.where(withheld, np.nan_to_num(hi_pub, nan=np.inf), np.inf)
    eqs, margin = _equations(keys, index, groupings, dims, nest)
    version = _Version(keys, index, groupings, truth, published, suppressed.copy(), low, low_weak, high,
                       [], margin)
    version.equations = [e for e in eqs if _holds(e, version)]
    if len(version.equations) < len(eqs):
        LOG.debug("disclosure: %d equations dropped (not true of the data)", len(eqs) - len(version.equations))
    return version


def _equations(keys, index, groupings, dims, nest) -> tuple[list, np.ndarray]:
    """Margin equations (margin - sum of parts = 0) and nesting equations of a block."""
    dim_pos = {d: i for i, d in enumerate(dims)}
    parts: dict[tuple[int, str], list[int]] = {}
    for i, (key, grouping) in enumerate(zip(keys, groupings)):
        for d in grouping:
            margin_key = key[:dim_pos[d]] + ("all",) + key[dim_pos[d] + 1:]
            m = index.get(margin_key)
            if m is not None:
                parts.setdefault((m, d), []).append(i)
    margin = np.zeros(len(keys), dtype=bool)
    eqs = []
    for (m, _), members in parts.items():
        margin[m] = True
        eqs.append((np.array([m] + members), np.array([1.0] + [-1.0] * len(members))))
    present = set(groupings)
    for n in nest:
        if n.coarse not in dim_pos or n.fine not in dim_pos:
            continue
        c, f = dim_pos[n.coarse], dim_pos[n.fine]
        sides: dict[tuple, list[tuple[int, float]]] = {}
        for i, (key, grouping) in enumerate(zip(keys, groupings)):
            if n.coarse in grouping and n.fine not in grouping:
                rest, group, sign = grouping - {n.coarse}, n.coarse_group(key[c]), 1.0
            elif n.fine in grouping and n.coarse not in grouping:
                rest, group, sign = grouping - {n.fine}, n.fine_group(key[f]), -1.0
            else:
                continue
            if rest | {n.coarse} not in present or rest | {n.fine} not in present:
                continue
            base = list(key)
            base[c] = base[f] = "all"
            sides.setdefault((tuple(base), group), []).append((i, sign))
        for members in sides.values():
            eqs.append((np.array([i for i, _ in members]), np.array([s for _, s in members])))
    return eqs, margin


def _holds(eq: tuple[np.ndarray, np.ndarray], v: _Version) -> bool:
    """Whether an equation is true of the data (interval check where a count is unknown)."""
    idx, coef = eq
    t = v.truth[idx]
    if not np.isnan(t).any():
        return abs(float(coef @ t)) < TOL
    lo = np.where(np.isnan(t), v.low_weak[idx], t)
    hi = np.where(np.isnan(t), v.high[idx], t)
    return float(np.where(coef > 0, coef * lo, coef * hi).sum()) <= TOL and \
        float(np.where(coef > 0, coef * hi, coef * lo).sum()) >= -TOL


# --- the attack: current version (0..n-1) and its predecessor (n..) in one system -------------

class _Case:
    """A block version to protect, linked to the version published before it."""

    def __init__(self, cur: _Version, pre: _Version | None, protection: int, threshold: tuple[int, int]):
        self.cur, self.pre, self.p = cur, pre, protection
        n = self.n = len(cur.keys)
        parts = [cur] + ([pre] if pre is not None else [])
        self.truth = np.concatenate([v.truth for v in parts])
        self.fixed = np.concatenate([v.published for v in parts])
        self.ours = np.concatenate([v.ours for v in parts])
        self.low = np.concatenate([v.low for v in parts])
        self.low_weak = np.concatenate([v.low_weak for v in parts])
        self.high = np.concatenate([v.high for v in parts])
        self.margin = np.concatenate([v.margin for v in parts])
        self.sensitive = (self.truth >= threshold[0]) & (self.truth <= threshold[1])
        # constraints: (cells, coefficients, sense) with sense 0: = 0, 1: >= 0, -1: <= 0
        self.cons = [(i, c, 0) for i, c in cur.equations]
        self.n_cur_cons = len(self.cons)
        if pre is not None:
            self.cons += [(i + n, c, 0) for i, c in pre.equations]
        self.n_pre_cons = len(self.cons)
        self.pinned = np.zeros(n, dtype=bool)
        self.sticky = np.zeros(n, dtype=bool)
        self.anchored = np.zeros(n, dtype=bool)
        self.counterpart: dict[int, int] = {}  # predecessor cell -> current cell
        if pre is not None:
            for key, i in cur.index.items():
                j = pre.index.get(key)
                if j is None:
                    continue
                self.counterpart[n + j] = i
                vi, vj = cur.truth[i], pre.truth[j]
                if pre.ours[j] and (np.isnan(vj) or vi == vj):
                    self.sticky[i] = True
                if np.isnan(vi) or np.isnan(vj):
                    continue
                sense = 0 if vi == vj else (1 if vi > vj else -1)
                self.cons.append((np.array([i, n + j]), np.array([1.0, -1.0]), sense))
                if sense == 0 and pre.published[j]:
                    self.pinned[i] = True
                if pre.published[j] and abs(vi - vj) < protection:
                    self.anchored[i] = True  # its old value bounds it within the protection
        self.cell_cons: list[list[int]] = [[] for _ in range(n)]
        for ci in range(self.n_cur_cons):
            for i in self.cons[ci][0]:
                self.cell_cons[i].append(ci)
        self.unknowns = np.array([sum(not self.known(int(i)) for i in self.cons[ci][0])
                                  for ci in range(self.n_cur_cons)], dtype=int)
        self.interval: dict[int, tuple[float, float]] = {}
        self._near: dict[int, set[int]] = {}

    # attacker's view
    def known(self, i: int) -> bool:
        return bool(self.fixed[i] or (i < self.n and self.pinned[i]))

    def suppress(self, i: int) -> None:
        if i < self.n and self.known(i) and not self.pinned[i]:
            self.unknowns[self.cell_cons[i]] += 1
        self.fixed[i] = False
        self.ours[i] = True

    def attack_best_case(self, targets: list[int]) -> dict[int, tuple[float, float]]:
        """Intervals if every cell that may still be suppressed were suppressed."""
        saved = self.fixed.copy()
        self.fixed[:self.n] &= self.pinned
        try:
            return self.attack(targets)
        finally:
            self.fixed = saved

    def attack(self, targets: list[int], joint: bool = True) -> dict[int, tuple[float, float]]:
        """Attacker's interval of each target, over its connected component: the minimum with
        counts >= 0; the maximum with counts >= 0, or, for a cell in the primary range, with
        counts >= 1 for every row present (see the module doc)."""
        cons = range(len(self.cons)) if joint else range(self.n_cur_cons, self.n_pre_cons)
        var = ~self.fixed
        parent: dict[int, int] = {}

        def find(x):
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        cons_vars = {}
        for ci in cons:
            idx = self.cons[ci][0]
            vs = idx[var[idx]]
            if len(vs):
                cons_vars[ci] = vs
                r = find(int(vs[0]))
                for v in vs[1:]:
                    parent[find(int(v))] = r
        by_root: dict[int, list[int]] = {}
        for ci, vs in cons_vars.items():
            by_root.setdefault(find(int(vs[0])), []).append(ci)
        out = {}
        groups: dict[int, list[int]] = {}
        for t in targets:
            groups.setdefault(find(t), []).append(t)
        for root, ts in groups.items():
            out.update(self._solve(by_root.get(root, []), ts, var))
        return out

    def _solve(self, cons_ids: list[int], targets: list[int], var: np.ndarray) -> dict:
        cells = sorted({int(v) for ci in cons_ids for v in self.cons[ci][0][var[self.cons[ci][0]]]} | set(targets))
        local = {c: k for k, c in enumerate(cells)}
        r, c, v, lo, hi = [], [], [], [], []
        for ci in cons_ids:
            idx, coef, sense = self.cons[ci]
            on = var[idx]
            rhs = -float(coef[~on] @ self.truth[idx[~on]]) if (~on).any() else 0.0
            r.extend([len(lo)] * int(on.sum()))
            c.extend(local[int(i)] for i in idx[on])
            v.extend(coef[on])
            lo.append(rhs if sense >= 0 else -np.inf)
            hi.append(rhs if sense <= 0 else np.inf)
        poly = _Polytope(csr_matrix((v, (r, c)), shape=(len(lo), len(cells))), np.array(lo), np.array(hi))
        idx = np.array(cells)
        # What protection asks of each target (the interval must reach both): a feasible point
        # reaching it shows the target protected on that side without an LP of its own.
        need_hi = self.truth[idx] + self.p
        need_lo = np.maximum(self.low_weak[idx], self.truth[idx] - self.p)
        # A true zero is feasible and bounds are >= 0: its minimum is 0 without solving.
        zero = [t for t in targets if self.truth[t] == 0 and self.low_weak[t] == 0]
        mins = {t: 0.0 for t in zero}
        rest = [local[t] for t in targets if t not in mins]
        shown = poly.witnessed(rest, need_lo, self.low_weak[idx], self.high[idx], maximise=False)
        mins.update((cells[c], v) for c, v in shown.items())
        solve = [t for t in targets if t not in mins]
        mins.update(zip(solve, poly.extremes([local[t] for t in solve], self.low_weak[idx], self.high[idx],
                                             maximise=False)))
        maxs = {}
        for group, low in (([t for t in targets if self.sensitive[t]], self.low),
                           ([t for t in targets if not self.sensitive[t]], self.low_weak)):
            shown = poly.witnessed([local[t] for t in group], need_hi, low[idx], self.high[idx], maximise=True)
            maxs.update((cells[c], v) for c, v in shown.items())
            solve = [t for t in group if t not in maxs]
            maxs.update(zip(solve, poly.extremes([local[t] for t in solve], low[idx], self.high[idx], True)))
        return {t: (mins[t], maxs[t]) for t in targets}

    def protected(self, t: int, bounds: tuple[float, float]) -> bool:
        lo, hi = bounds
        v = self.truth[t]
        return hi >= v + self.p - TOL and lo <= max(self.low_weak[t], v - self.p) + TOL

    # choosing complementary cells
    def suppressible(self, i: int) -> bool:
        return i < self.n and bool(self.fixed[i]) and not self.pinned[i]

    def best(self, cells) -> int | None:
        """Cheapest cell to hide: not anchored, not a margin, opening fewest equations that are
        fully known yet (each would need another cell hidden), smallest."""
        cands = [int(i) for i in cells if self.suppressible(int(i))]
        if not cands:
            return None
        return min(cands, key=lambda i: (self.anchored[i], self.margin[i],
                                         int((self.unknowns[self.cell_cons[i]] == 0).sum()), self.truth[i], i))

    def anchors(self, t: int) -> list[int]:
        """Current cells from which to look for a complementary cell for exposed cell t."""
        if t < self.n:
            return [t]
        if t in self.counterpart:
            return [self.counterpart[t]]
        near = {int(i) for ci in range(self.n_cur_cons, self.n_pre_cons) if t in self.cons[ci][0]
                for i in self.cons[ci][0]}
        return sorted({self.counterpart[i] for i in near if i in self.counterpart})

    def neighbours(self, cell: int) -> set[int]:
        """The cells sharing a current equation with `cell` (cached: equations never change)."""
        near = self._near.get(cell)
        if near is None:
            near = self._near[cell] = {int(i) for ci in self.cell_cons[cell] for i in self.cons[ci][0]}
        return near

    def candidate(self, t: int) -> int | None:
        """The smallest non-margin published cell nearest to t in the current equations."""
        seeds = self.anchors(t)
        if t >= self.n:
            pick = self.best(seeds)
            if pick is not None:
                return pick
        seen, frontier = set(seeds), seeds
        while frontier:
            nxt = set().union(*(self.neighbours(s) for s in frontier)) - seen
            pick = self.best(nxt)
            if pick is not None:
                return pick
            seen |= nxt
            frontier = sorted(nxt)
        return None

    def singletons(self, reason: np.ndarray) -> list[int]:
        """Complementary cells for equations with exactly one unknown suppressed cell."""
        added, changed = [], True
        while changed:
            changed = False
            for ci in np.flatnonzero(self.unknowns == 1):
                idx = self.cons[ci][0]
                unknown = [int(i) for i in idx if not self.known(int(i))]
                if self.unknowns[ci] == 1 and self.ours[unknown[0]]:
                    pick = self.best(idx)
                    if pick is not None:
                        self.suppress(pick)
                        reason[pick] = "complementary"
                        added.append(pick)
                        changed = True
        return added


def _run(case: _Case, threshold: tuple[int, int]) -> tuple[np.ndarray, set[int]]:
    """Suppress cells of the current version until every suppressed cell is protected; returns
    the reason per current cell and the cells that could not be protected."""
    n, truth = case.n, case.truth[:case.n]
    reason = np.full(n, None, dtype=object)
    primary = (truth >= threshold[0]) & (truth <= threshold[1])
    for i in np.flatnonzero(primary):
        case.suppress(int(i))
        reason[i] = "primary"
    for i in np.flatnonzero(case.sticky & ~primary & ~np.isnan(truth)):
        case.suppress(int(i))
        reason[i] = "previous_release"
    case.singletons(reason)
    unprotected: set[int] = set()  # sensitive cells that no suppression protects
    narrow: set[int] = set()  # complementary cells that no suppression protects
    exposed_before: set[int] = set()  # predecessor cells already exposed on their own
    targets = [int(i) for i in np.flatnonzero(case.ours & ~np.isnan(case.truth))]
    while targets:
        result = case.attack(targets)
        for t, b in result.items():
            case.interval[t] = b
        exposed = [t for t in targets if not case.protected(t, result[t])]
        late = [t for t in exposed if t >= n]
        if late:
            alone = case.attack(late, joint=False)
            exposed_before |= {t for t in late if not case.protected(t, alone[t])}
            exposed = [t for t in exposed if t not in exposed_before]
        if not exposed:
            break
        # Intervals only widen as cells are hidden: an exposure that survives hiding every cell
        # of the version cannot be cured. Sensitive cells in that state are reported unprotected;
        # complementary ones (their old value was published and they changed by less than the
        # protection) stay hidden for the sake of the others, reported as not protected.
        hopeless = [t for t, b in case.attack_best_case(exposed).items() if not case.protected(t, b)]
        for t in hopeless:
            (narrow if t < n and reason[t] == "complementary" else unprotected).add(t)
        exposed = [t for t in exposed if t not in hopeless]
        added, touched, stuck = [], set(), []
        for t in exposed:
            if any(ci in touched for a in case.anchors(t) for ci in case.cell_cons[a]):
                continue  # a cell added this round may already protect it
            pick = case.candidate(t)
            if pick is None:  # nothing left near it: any cell of the version will do
                pick = case.best(range(n))
            if pick is None:
                stuck.append(t)  # everything is hidden: the next check is final
                continue
            case.suppress(pick)
            reason[pick] = "complementary"
            added.append(pick)
            touched |= set(case.cell_cons[pick])
        added += case.singletons(reason)
        if not added:
            unprotected |= set(stuck)
        targets = [t for t in exposed if t not in unprotected] + added
    if exposed_before:
        LOG.warning("disclosure: %d cells of the previous release were already exposed by it alone",
                    len(exposed_before))
    return reason, unprotected | narrow


# --- the table-level function ------------------------------------------------------------------

def _grouping_codes(frame: pd.DataFrame, dims: tuple[str, ...]) -> np.ndarray:
    bits = 1 << np.arange(len(dims), dtype=np.int64)
    return (frame[list(dims)].astype(str).to_numpy() != "all").astype(np.int64) @ bits


def _grouping_code(grouping: frozenset, dims: tuple[str, ...]) -> int:
    return sum(1 << i for i, d in enumerate(dims) if d in grouping)


def protect(stats: pd.DataFrame, stream: str, confidential_sources: set[str],
            previous: pd.DataFrame | None = None, threshold: tuple[int, int] = (1, 4),
            protection: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(public statistics, suppression report) of a statistics table.

    `previous` is the previous release's protected table of the same stream; if it carries a
    `hidden_value` column (see `with_hidden_values`), cells it suppressed are linked by their
    true change and released again when they changed; without it they stay suppressed."""
    fixed, dims = stream_spec(stream)
    table = f"{stream}_stats"
    out = stats.reset_index(drop=True)
    if "suppressed" not in out:
        out["suppressed"] = False
    conf = out["source"].isin(set(confidential_sources)).to_numpy()
    if not conf.any():
        return out.reset_index(drop=True), empty_report()
    allowed = {_grouping_code(g, dims) for g in published_groupings(stream)}
    codes = _grouping_codes(out, dims)
    drop = conf & ~np.isin(codes, list(allowed))
    report = [_report_rows(out[drop], table, fixed, dims, "not_published_grouping")]
    work = out[conf & ~drop]
    prev = previous[previous["source"].isin(set(confidential_sources))] if previous is not None \
        else out.iloc[0:0]
    group_cols = [c for c in fixed if c != "snapshot"]
    suppressed_rows, reasons, intervals, unprotected_rows = [], [], [], []
    prev_groups = {k: g for k, g in prev.groupby(group_cols, dropna=False, sort=False)} if len(prev) else {}
    for key, rows in work.groupby(group_cols, dropna=False, sort=True):
        before = {s: _previous_version(g, dims, nestings(stream, key[0]))
                  for s, g in prev_groups.get(key, prev.iloc[0:0]).groupby("snapshot", sort=True)}
        done: dict[str, _Version] = {}
        for snap, block in rows.groupby("snapshot", sort=True):
            pred = before[snap] if snap in before else _nearest(before, done, snap)
            truth = _float(block["value"])
            cur = _version(block, dims, nestings(stream, key[0]), np.zeros(len(block), dtype=bool), truth)
            reason, interval, unprotected = _protect_version(cur, pred, threshold, protection)
            hidden = np.array([r is not None for r in reason], dtype=bool)
            cur.ours, cur.published = hidden, ~hidden & ~np.isnan(truth)
            done[snap] = cur
            suppressed_rows.append(block.index[hidden])
            reasons.extend(reason[hidden])
            intervals.extend(interval[i] for i in np.flatnonzero(hidden))
            unprotected_rows.extend(block.index[i] for i in unprotected)
    hidden_idx = pd.Index(np.concatenate([np.asarray(r) for r in suppressed_rows])) if suppressed_rows \
        else out.index[0:0]
    hidden_frame = out.loc[hidden_idx]
    rep = _report_rows(hidden_frame, table, fixed, dims, None)
    if len(rep):
        rep["reason"] = reasons
        rep["interval_min"] = pd.array([i[0] for i in intervals], dtype="Float64")
        rep["interval_max"] = pd.array([i[1] for i in intervals], dtype="Float64")
        rep["protected"] = pd.array(~hidden_idx.isin(unprotected_rows), dtype="boolean")
    report.append(rep)
    if unprotected_rows:
        LOG.warning("disclosure: %d suppressed cells of %s have a narrower interval than the protection "
                    "(see suppression_report.protected)", len(unprotected_rows), table)
    for col in ("value", "value_min", "value_max"):
        if col in out:
            out[col] = out[col].astype(out[col].dtype).mask(out.index.isin(hidden_idx))
    out.loc[hidden_idx, "suppressed"] = True
    out = out[~drop].reset_index(drop=True)
    return out, _finish_report(report)


def _protect_version(cur: _Version, pred: _Version | None, threshold, protection):
    """Reason per cell (None where published), attacker interval per cell, unprotected cells."""
    n = len(cur.keys)
    primary = (cur.truth >= threshold[0]) & (cur.truth <= threshold[1])
    if pred is not None and _identical(cur, pred) and not (primary & ~pred.ours[_align(cur, pred)]).any():
        # Nothing new is published: keep the previous pattern as it was.
        ours = pred.ours[_align(cur, pred)]
        reason = np.where(ours, np.where(primary, "primary", "previous_release"), None).astype(object)
        return reason, [(np.nan, np.nan)] * n, set()
    case = _Case(cur, pred, protection, threshold)
    reason, unprotected = _run(case, threshold)
    interval = [case.interval.get(i, (np.nan, np.nan)) for i in range(n)]
    return reason, interval, unprotected


def _align(cur: _Version, pred: _Version) -> np.ndarray:
    return np.array([pred.index[k] for k in cur.keys], dtype=int)


def _identical(cur: _Version, pred: _Version) -> bool:
    if set(cur.keys) != set(pred.keys) or np.isnan(pred.truth).any():
        return False
    return bool(np.array_equal(cur.truth, pred.truth[_align(cur, pred)], equal_nan=True))


def _nearest(before: dict[str, _Version], done: dict[str, _Version], snap: str) -> _Version | None:
    """The latest version published before snapshot `snap` (this run's or the previous release's)."""
    earlier = {**{s: v for s, v in before.items() if s < snap}, **{s: v for s, v in done.items() if s < snap}}
    return earlier[max(earlier)] if earlier else None


def _previous_version(frame: pd.DataFrame, dims, nest) -> _Version:
    """A block of the previous release as the attacker sees it, plus the hidden counts we know."""
    suppressed = frame["suppressed"].fillna(False).astype(bool).to_numpy() if "suppressed" in frame \
        else np.zeros(len(frame), dtype=bool)
    value = _float(frame["value"])
    hidden = _float(frame["hidden_value"]) if "hidden_value" in frame else np.full(len(frame), np.nan)
    truth = np.where(suppressed, hidden, value)
    return _version(frame, dims, nest, suppressed, truth)


def with_hidden_values(previous_protected: pd.DataFrame, previous_exact: pd.DataFrame,
                       stream: str) -> pd.DataFrame:
    """The previous release's protected table with `hidden_value`: the true count of each cell it
    suppressed, read from that release's exact (catalog) statistics table."""
    fixed, dims = stream_spec(stream)
    keys = list(fixed) + list(dims)
    exact = previous_exact[keys + ["value"]].rename(columns={"value": "hidden_value"})
    merged = previous_protected.merge(exact, on=keys, how="left", validate="one_to_one")
    merged["hidden_value"] = merged["hidden_value"].where(merged["suppressed"].astype(bool))
    return merged


# --- the report --------------------------------------------------------------------------------

def empty_report() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REPORT_COLUMNS.items()})


def _report_rows(frame: pd.DataFrame, table: str, fixed, dims, reason: str | None) -> pd.DataFrame:
    if frame.empty:
        return empty_report()
    values = frame[list(dims)].astype(str).to_numpy()
    cells = ["; ".join(f"{d}={v}" for d, v in zip(dims, row) if v != "all") or "total" for row in values]
    groups = [",".join(d for d, v in zip(dims, row) if v != "all") or "total" for row in values]
    rep = pd.DataFrame({
        "table": table, "source": frame["source"].to_numpy(), "snapshot": frame["snapshot"].to_numpy(),
        "year": frame["year"].to_numpy(),
        "year_basis": frame["year_basis"].to_numpy() if "year_basis" in frame else None,
        "unit": frame["unit"].to_numpy() if "unit" in frame else None,
        "subject": frame["subject"].to_numpy() if "subject" in frame else None,
        "stage": frame["stage"].to_numpy() if "stage" in frame else None,
        "grouping": groups, "cell": cells, "reason": reason, "value": frame["value"].to_numpy(),
        "interval_min": np.nan, "interval_max": np.nan, "protected": pd.NA,
    })
    return rep.astype(REPORT_COLUMNS)


def _finish_report(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_report()
    rep = pd.concat(parts, ignore_index=True).astype(REPORT_COLUMNS)
    order = pd.Categorical(rep["reason"], categories=list(REASONS), ordered=True)
    return rep.assign(_o=order).sort_values(["table", "source", "snapshot", "year", "unit", "subject",
                                             "stage", "_o", "grouping", "cell"],
                                            ignore_index=True).drop(columns="_o")


def suppression_summary(protected: pd.DataFrame, report: pd.DataFrame, stream: str) -> pd.DataFrame:
    """Per table, source and snapshot: cells published and withheld, by reason, the count hidden
    (sum of suppressed values: catalog only, never public), suppressed cells in the primary
    range or kept from the previous release whose interval is too narrow (`unprotected`: a
    release should not go out with any), and complementary cells too narrow themselves
    (`complementary_narrow`: they hide nothing sensitive; see the doc)."""
    table = f"{stream}_stats"
    rep = report[report["table"] == table]
    rows = []
    for (source, snapshot), cells in rep.groupby(["source", "snapshot"], sort=True):
        pub = protected[(protected["source"] == source) & (protected["snapshot"] == snapshot)]
        hidden = cells[cells["reason"] != "not_published_grouping"]
        not_protected = ~hidden["protected"].fillna(True).astype(bool)
        counts = cells["reason"].value_counts()
        rows.append({"table": table, "source": source, "snapshot": snapshot,
                     "cells_published": int((~pub["suppressed"].astype(bool)).sum()),
                     "cells_suppressed": len(hidden),
                     **{r: int(counts.get(r, 0)) for r in REASONS},
                     "count_hidden": int(hidden["value"].sum()),
                     "unprotected": int((not_protected & (hidden["reason"] != "complementary")).sum()),
                     "complementary_narrow": int((not_protected & (hidden["reason"] == "complementary")).sum())})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
