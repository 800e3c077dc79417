"""Margins, computed and published: from the finest cells up, a computed margin meets the
sums of its parts (exact, or the tightest range), a published margin is reconciled with its
parts (a shortfall to the dimension's unknown cell as far as the published cells leave it room,
an unknown cell the published cells determine first), and what cannot meet is listed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.stats.reconcile.cube import UNKNOWN_OF, Cube

LOWEST, HIGHEST = np.iinfo(np.int64).min, np.iinfo(np.int64).max


@dataclass
class Pass:
    """One reconciliation pass over a set of cells: which cells it may hold (`keep`), along
    which dimensions published margins are reconciled with their parts (`checked`), along
    which the part sums of computed cells are also kept apart (`outside`, as a_out/b_out),
    and constraints on computed cells from outside the pass (`external`: a, b by key)."""

    keep: object
    checked: frozenset[str]
    outside: frozenset[str] = frozenset()
    external: pd.DataFrame | None = None


class Room:
    """How much a cell can hold at most, by the published cells alone: a published cell its
    upper bound; any cell at most, along each dimension it splits, its margin's room less the
    lower bounds of the published cells beside it (GLOTIP Mexico 2021 persons prosecuted:
    48 in all, 14 women and 23 men published, so at most 11 of unknown sex; the Unknown row
    holds 11 of unknown age, so none of unknown sex is a child)."""

    def __init__(self, cube: Cube, keys: np.ndarray, lo: np.ndarray, hi: np.ndarray):
        self.cube = cube
        self.lo = dict(zip(keys.tolist(), lo.tolist()))
        self.hi = dict(zip(keys.tolist(), hi.tolist()))
        self.beside = {}  # (dim, margin key) -> sum of the published parts' lower bounds
        for dim in cube.dims:
            code = cube.code(keys, dim)
            part = code != 0
            sums = pd.Series(lo[part]).groupby(keys[part] - code[part] * cube.radix[dim]).sum()
            self.beside[dim] = dict(zip(sums.index.tolist(), sums.tolist()))
        self.memo: dict[int, float] = {}

    def of(self, key: int) -> float:
        if key in self.memo:
            return self.memo[key]
        room = float(self.hi.get(key, np.inf))
        for dim in self.cube.dims:
            code = int(self.cube.code(np.array([key]), dim)[0])
            if code == 0:
                continue
            margin = key - code * self.cube.radix[dim]
            others = self.beside[dim].get(margin, 0) - self.lo.get(key, 0)
            room = min(room, self.of(margin) - others)
        self.memo[key] = max(room, 0.0)
        return self.memo[key]


def _part_sums(cube: Cube, children: pd.DataFrame, dims=None) -> dict[str, pd.DataFrame]:
    """Per dimension (of `dims`, default all): the sums (lo, hi) of the children, indexed by
    their margin's key."""
    keys = children.index.to_numpy()
    sums = {}
    for dim in cube.dims if dims is None else [d for d in cube.dims if d in dims]:
        code = cube.code(keys, dim)
        part = code != 0
        if not part.any():
            continue
        parent = keys[part] - code[part] * cube.radix[dim]
        sums[dim] = children.loc[part, ["lo", "hi"]].groupby(parent, sort=False).sum()
    return sums


def _published_mismatches(cube: Cube, cells: pd.DataFrame, dims) -> list[pd.DataFrame]:
    """Published margins whose parts along `dims`, final, neither meet them nor were filled:
    an excess, or a shortfall the source's own unknown cell cannot take. These are listed."""
    problems = []
    for level in range(1, len(cube.dims) + 1):
        margins = cells[(cells["level"] == level) & cells["pub"]]
        if margins.empty:
            continue
        for dim, s in _part_sums(cube, cells[cells["level"] == level - 1], dims).items():
            s = s.reindex(margins.index).dropna().astype(np.int64)
            total = margins.loc[s.index]
            bad = (s["lo"] > total["hi"]) | (s["hi"] < total["lo"])
            if bad.any():
                problems.append(pd.DataFrame({"key": s.index[bad], "dimension": dim,
                                              "parts_min": s.loc[bad, "lo"].astype(np.int64),
                                              "parts_max": s.loc[bad, "hi"].astype(np.int64)}))
    return problems


def _unfilled(cube: Cube, keys: np.ndarray, keep) -> pd.DataFrame:
    """Computed cells at these keys, not yet bounded (kept where `keep` says)."""
    keys = keys[keep(keys)]
    return pd.DataFrame({"lo": 0, "hi": 0, "a": LOWEST, "b": HIGHEST, "a_out": LOWEST,
                         "b_out": HIGHEST, "pub": False, "proxy": False,
                         "level": cube.level(keys)}, index=pd.Index(keys))


def _implied(cube: Cube, keys: np.ndarray, lo: np.ndarray, hi: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Unknown cells the published cells determine exactly: where every part of a published
    exact margin along a dimension (every cell there is or could be computed from below)
    other than its unknown category is published and exact, and the unknown one is not
    published, the unknown one holds the rest (Netherlands 2016, detected victims: 952 in
    all, 653 women, 154 men and no other sex published, so 145 of unknown sex), if the
    published cells right below it fit in it. Returned as (keys, values); none where the
    parts exceed the margin (an excess, listed) or leave nothing."""
    every = cube.closure(keys)
    exact = pd.Series(lo == hi, index=keys).reindex(every, fill_value=False).to_numpy(dtype=bool)
    low = pd.Series(lo, index=keys).reindex(every, fill_value=0).to_numpy(dtype=np.int64)
    value = pd.Series(lo, index=keys)
    margin_exact = pd.Series(lo == hi, index=keys)
    found_keys, found_values = [], []
    for dim in cube.dims:
        code = cube.code(every, dim)
        part = code != 0
        if not part.any():
            continue
        unknown_code = cube.categories[dim].tolist().index(UNKNOWN_OF[dim])
        parent = every[part] - code[part] * cube.radix[dim]
        is_unknown = code[part] == unknown_code
        published = pd.Series(True, index=keys).reindex(every[part], fill_value=False).to_numpy(dtype=bool)
        groups = pd.DataFrame({"parent": parent, "lo": np.where(is_unknown, 0, low[part]),
                               "exact": exact[part] | is_unknown,
                               "unknown": is_unknown & published}).groupby("parent").agg(
            total=("lo", "sum"), exact=("exact", "all"), unknown=("unknown", "any"))
        groups = groups[groups["exact"] & ~groups["unknown"]]
        margin = value.reindex(groups.index)
        sure = margin_exact.reindex(groups.index).fillna(False).astype(bool)
        rest = margin - groups["total"]
        ok = margin.notna() & sure & (rest > 0)
        found_keys.append(groups.index[ok].to_numpy() + unknown_code * cube.radix[dim])
        found_values.append(rest[ok].to_numpy(dtype=np.int64))
    if not found_keys:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    frame = pd.DataFrame({"key": np.concatenate(found_keys), "value": np.concatenate(found_values)})
    # Published cells below it must fit in it: GLOTIP's Unknown row (unknown sex and age) lies
    # below the cell of unknown sex (Netherlands 2021: 22 of unknown sex, 13 of them of unknown
    # age; Ecuador 2018: 107 - 5 - 62 = 40 of unknown sex, but the Unknown row says 88: not
    # determined, an excess). A cell with published cells further below only is left alone.
    frame = frame.drop_duplicates("key")
    below = np.zeros(len(frame), dtype=np.int64)
    direct = np.zeros(len(frame), dtype=bool)
    for dim in cube.dims:
        code = cube.code(keys, dim)
        part = code != 0
        sums = pd.Series(lo[part]).groupby(keys[part] - code[part] * cube.radix[dim]).sum()
        found = sums.reindex(frame["key"].to_numpy())
        direct |= found.notna().to_numpy()
        below = np.maximum(below, found.fillna(0).to_numpy(dtype=np.int64))
    inside = frame["key"].isin(every).to_numpy()
    ok = (~inside | direct) & (frame["value"].to_numpy() >= below)
    frame = frame[ok]
    return frame["key"].to_numpy(), frame["value"].to_numpy()


def _fill_shortfalls(cube: Cube, cells: pd.DataFrame, level: int, margins: pd.DataFrame,
                     dim: str, s: pd.DataFrame, keep, room: Room) -> pd.DataFrame:
    """Published margins of `level` whose parts along `dim` (sums `s`) fall short: the
    shortfall goes to the dimension's unknown cell (a new one, or the range of a computed one
    widened to take it), as far as the published cells leave it room; a shortfall it has no
    room for stays unfilled and is listed."""
    s = s.reindex(margins.index).dropna().astype(np.int64)
    if s.empty:
        return cells
    total = margins.loc[s.index]
    short = s["hi"] < total["lo"]
    if not short.any():
        return cells
    s, total = s[short], total[short]
    fill = s.index.to_numpy() + (cube.categories[dim].tolist().index(UNKNOWN_OF[dim])
                                 * cube.radix[dim])
    exists = cells.index.get_indexer(fill) >= 0  # the index's hash table, built once per index
    # A new unknown cell takes the shortfall (bounds: the total's less the parts', within its
    # room by the published cells).
    lo_need = np.maximum(total["lo"].to_numpy() - s["hi"].to_numpy(), 0)
    limit = np.array([room.of(int(k)) for k in fill], dtype=float)
    new = ~exists & (lo_need <= limit)
    if new.any():
        lo_new = lo_need[new]
        hi_new = np.minimum(total["hi"].to_numpy()[new] - s["lo"].to_numpy()[new],
                            limit[new]).astype(np.int64)
        added = pd.DataFrame({"lo": lo_new, "hi": hi_new, "a": lo_new, "b": hi_new,
                              "a_out": LOWEST, "b_out": HIGHEST, "pub": False, "proxy": False,
                              "level": level - 1}, index=pd.Index(fill[new]))
        above = cube.closure(fill[new])
        above = above[(cells.index.get_indexer(above) < 0) & ~np.isin(above, fill[new])]
        cells = pd.concat([cells, added, _unfilled(cube, above, keep)])
    existing = pd.Index(fill[exists])
    if len(existing):
        # A published unknown cell (GLOTIP's Unknown citizenship or Unknown row) stays as
        # published, and a computed one takes no more than the published cells leave it room
        # for: the shortfall they cannot take is listed.
        fixed = cells.loc[existing, "pub"].to_numpy() | (lo_need[exists] > limit[exists])
        widen = existing[~fixed]
        if len(widen):  # a computed unknown cell: its range takes the shortfall too
            others_lo = s["lo"].to_numpy()[exists][~fixed] - cells.loc[widen, "lo"].to_numpy()
            others_hi = s["hi"].to_numpy()[exists][~fixed] - cells.loc[widen, "hi"].to_numpy()
            need_lo = np.maximum(total["lo"].to_numpy()[exists][~fixed] - others_hi, 0)
            need_hi = total["hi"].to_numpy()[exists][~fixed] - others_lo
            a = np.maximum(cells.loc[widen, "a"].to_numpy(), need_lo)
            b = np.minimum(cells.loc[widen, "b"].to_numpy(), need_hi)
            cells.loc[widen, "a"], cells.loc[widen, "b"] = a, b
            cells.loc[widen, "lo"], cells.loc[widen, "hi"] = np.minimum(a, b), np.maximum(a, b)
    return cells


def _bound_computed(cube: Cube, cells: pd.DataFrame, level: int, rules: Pass) -> pd.DataFrame:
    """Computed margins of `level`: the tightest range meeting every sum of their parts (and
    the pass's external constraints); a computed cell with no parts at all is dropped."""
    computed = cells.index[(cells["level"] == level) & ~cells["pub"]]
    if not len(computed):
        return cells
    a = pd.Series(LOWEST, index=computed)
    b = pd.Series(HIGHEST, index=computed)
    a_out, b_out = a.copy(), b.copy()
    if rules.external is not None:
        a = np.maximum(a, rules.external["a"].reindex(computed, fill_value=LOWEST))
        b = np.minimum(b, rules.external["b"].reindex(computed, fill_value=HIGHEST))
    for dim, s in _part_sums(cube, cells[cells["level"] == level - 1]).items():
        s_lo = s["lo"].reindex(computed, fill_value=LOWEST)
        s_hi = s["hi"].reindex(computed, fill_value=HIGHEST)
        a, b = np.maximum(a, s_lo), np.minimum(b, s_hi)
        if dim in rules.outside:
            a_out, b_out = np.maximum(a_out, s_lo), np.minimum(b_out, s_hi)
    cells.loc[computed, "a"], cells.loc[computed, "b"] = a, b
    cells.loc[computed, "a_out"], cells.loc[computed, "b_out"] = a_out, b_out
    cells.loc[computed, "lo"] = np.minimum(a, b)
    cells.loc[computed, "hi"] = np.maximum(a, b)
    empty = computed[(a == LOWEST).to_numpy() & (b == HIGHEST).to_numpy()]
    return cells.drop(index=empty) if len(empty) else cells


def reconcile_cells(cube: Cube, keys: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                     rules: Pass) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The published `keys` (bounds `lo`/`hi`) and their margins that `rules.keep` allows,
    reconciled from the finest up: per key lo, hi, the constraints a <= b met by the parts
    of a computed cell, and whether it stays as published; plus the listed margins."""
    keys, lo, hi = (np.asarray(a, dtype=np.int64) for a in (keys, lo, hi))
    implied, value = _implied(cube, keys, lo, hi)
    if len(implied):  # kept where the cell may hold so much by every published margin above it
        room = Room(cube, keys, lo, hi)
        fits = np.array([room.of(int(k)) >= v for k, v in zip(implied, value)], dtype=bool)
        implied_ok = rules.keep(implied) & fits
        implied, value = implied[implied_ok], value[implied_ok]
    keys, lo, hi = np.concatenate([keys, implied]), np.concatenate([lo, value]), np.concatenate([hi, value])
    candidates = cube.closure(keys)
    if rules.external is not None:
        candidates = np.union1d(candidates, cube.closure(rules.external.index.to_numpy()))
    cells = _unfilled(cube, candidates, rules.keep)
    published = pd.Index(keys)
    cells.loc[published, "lo"], cells.loc[published, "hi"] = lo, hi
    cells.loc[published, "a"], cells.loc[published, "b"] = lo, hi
    cells.loc[published, "pub"] = True
    cells.loc[pd.Index(implied), "proxy"] = True  # determined by published cells, not one
    room = Room(cube, keys, lo, hi)
    for level in range(1, len(cube.dims) + 1):
        sums = _part_sums(cube, cells[cells["level"] == level - 1], rules.checked)
        margins = cells[(cells["level"] == level) & cells["pub"]]
        for dim, s in sums.items():
            cells = _fill_shortfalls(cube, cells, level, margins, dim, s, rules.keep, room)
        cells = _bound_computed(cube, cells, level, rules)
    return cells, _published_mismatches(cube, cells, rules.checked)
