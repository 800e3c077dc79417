"""Complementary suppression of one block of a confidential source's statistics (one fixed-key
group, one snapshot), against an attacker who solves linear programmes over everything
published: margin equations, the public nestings of one dimension in another (crime type ->
SGBV), the cells published and the a priori bounds of the others; the block's version in the
previous release is linked by the sign of each cell's true change. Cells are withheld until
every withheld cell's attacker interval is wide enough (`protect_version`). The table-level
policy, what is published and the report: `disclosure.py`; the method: docs/disclosure_control.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from pipelines.publish.attack_lp import TOL, DisclosureError, Polytope

LOG = logging.getLogger("pipelines.publish.disclosure")  # one logger for disclosure control
MAPS = Path(__file__).resolve().parent.parent / "harmonize" / "maps"


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
class Version:
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


def as_floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def block_version(frame: pd.DataFrame, dims: tuple[str, ...], nest: list[Nesting], suppressed: np.ndarray,
             truth: np.ndarray) -> Version:
    """Cells, a priori bounds and verified equations of one block version."""
    keys = list(zip(*[frame[d].astype(str) for d in dims])) if len(frame) else []
    index = {k: i for i, k in enumerate(keys)}
    if len(index) != len(keys):
        raise DisclosureError("duplicate cells in one block: " + repr(frame.iloc[0][list(dims)].to_dict()))
    groupings = [frozenset(d for d, v in zip(dims, k) if v != "all") for k in keys]
    value = as_floats(frame["value"])
    lo_pub = as_floats(frame["value_min"]) if "value_min" in frame else np.full(len(frame), np.nan)
    hi_pub = as_floats(frame["value_max"]) if "value_max" in frame else np.full(len(frame), np.nan)
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
    version = Version(keys, index, groupings, truth, published, suppressed.copy(), low, low_weak, high,
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
        for d in (d for d in dims if d in grouping):  # in dims order: the same equations in any process
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


def _holds(eq: tuple[np.ndarray, np.ndarray], v: Version) -> bool:
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

    def __init__(self, cur: Version, pre: Version | None, protection: int, threshold: tuple[int, int]):
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
        poly = Polytope(csr_matrix((v, (r, c)), shape=(len(lo), len(cells))), np.array(lo), np.array(hi))
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


# --- a block's versions, as the table-level function meets them ----------------------------------

def protect_version(cur: Version, pred: Version | None, threshold, protection):
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


def _align(cur: Version, pred: Version) -> np.ndarray:
    return np.array([pred.index[k] for k in cur.keys], dtype=int)


def _identical(cur: Version, pred: Version) -> bool:
    if set(cur.keys) != set(pred.keys) or np.isnan(pred.truth).any():
        return False
    return bool(np.array_equal(cur.truth, pred.truth[_align(cur, pred)], equal_nan=True))


def nearest_version(before: dict[str, Version], done: dict[str, Version], snap: str) -> Version | None:
    """The latest version published before snapshot `snap` (this run's or the previous release's)."""
    earlier = {**{s: v for s, v in before.items() if s < snap}, **{s: v for s, v in done.items() if s < snap}}
    return earlier[max(earlier)] if earlier else None


def previous_version(frame: pd.DataFrame, dims, nest) -> Version:
    """A block of the previous release as the attacker sees it, plus the hidden counts we know."""
    suppressed = frame["suppressed"].fillna(False).astype(bool).to_numpy() if "suppressed" in frame \
        else np.zeros(len(frame), dtype=bool)
    value = as_floats(frame["value"])
    hidden = as_floats(frame["hidden_value"]) if "hidden_value" in frame else np.full(len(frame), np.nan)
    truth = np.where(suppressed, hidden, value)
    return block_version(frame, dims, nest, suppressed, truth)
