"""Repeated identical rows: a breakdown's cells summed with and without the repeats of
identical rows, and each repeat counted once or twice according to which agrees with the
cell's published margins (a range where neither or both do, then listed)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from pipelines.stats.reconcile.cube import BASE, NO_BREAKDOWN, Cube

REPEATED_ROWS = "repeated_rows"  # `source_inconsistencies.dimension` of an undecidable repeat

# A content id (`curate.content_ids`) of an identical row's second or later occurrence.
REPEAT_ID = r"^h[0-9a-f]{16}-(?:[2-9]|[1-9][0-9]+)$"
# The same for a whole-text match in DuckDB (RE2): `$` of Python's `re` also matches before a
# final newline.
REPEAT_ID_FULL = REPEAT_ID[1:-1] + "\n?"


def _bounds(frame: pd.DataFrame) -> pd.DataFrame:
    """value_min / value_max filled from value where the value is exact."""
    frame = frame.copy()
    frame["value_min"] = frame["value_min"].fillna(frame["value"]).astype("Int64")
    frame["value_max"] = frame["value_max"].fillna(frame["value"]).astype("Int64")
    return frame


def breakdown_cells(records: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Records summed by key within each breakdown, once without the repeats of identical
    rows (`o_*`) and once with them (`t_*`); a withheld part makes the sum withheld."""
    frame = _bounds(records)
    if "breakdown" not in frame:
        frame = frame.assign(breakdown=NO_BREAKDOWN)
    repeat = (frame["record_id"].str.match(REPEAT_ID).fillna(False).to_numpy(dtype=bool)
              if "record_id" in frame else np.zeros(len(frame), dtype=bool))
    withheld = frame["value"].isna()
    frame = frame.assign(breakdown=frame["breakdown"].fillna(NO_BREAKDOWN), repeat=repeat,
                         t_withheld=withheld, o_withheld=withheld & ~repeat,
                         t_lo=frame["value_min"], t_hi=frame["value_max"],
                         o_lo=frame["value_min"].where(~repeat, 0), o_hi=frame["value_max"].where(~repeat, 0))
    cells = frame.groupby(keys + ["breakdown"], dropna=False, sort=False).agg(
        o_lo=("o_lo", "sum"), o_hi=("o_hi", "sum"), t_lo=("t_lo", "sum"), t_hi=("t_hi", "sum"),
        o_withheld=("o_withheld", "any"), t_withheld=("t_withheld", "any"),
        repeat=("repeat", "any"), source_suppressed=("source_suppressed", "any")).reset_index()
    for column in ("o_lo", "o_hi", "t_lo", "t_hi"):
        cells[column] = cells[column].astype(np.int64)
    return cells


def resolve_repeats(cube: Cube, cells: pd.DataFrame, owner: np.ndarray, strata: frozenset[str]
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each breakdown cell with (lo, hi, withheld): repeated identical rows counted once or
    twice, whichever agrees with the cell's nearest published margins in its breakdown; the
    range [once, twice] where neither or both do. Also the undecided cells (key, once and
    twice bounds), to be listed.

    A margin of a cell is the cell with some of its dimensions (not strata) set to `all`,
    published by the same breakdown or the base; the nearest are those with the fewest set
    (GLOTIP's "Other forms of exploitation" x sgbv "no" cell has none one step up, and the
    country's total two steps up). Agreeing means the bounds of the sum of the breakdown's
    published cells under that margin, with the cell counted so, meet the margin's bounds."""
    key = cube.keys
    lo, hi = cells["o_lo"].to_numpy().copy(), cells["o_hi"].to_numpy().copy()
    withheld = cells["o_withheld"].to_numpy().copy()
    repeats = np.flatnonzero(cells["repeat"].to_numpy())
    if not len(repeats):
        return cells.assign(lo=lo, hi=hi, withheld=withheld | (lo != hi)), pd.DataFrame(
            {"key": np.empty(0, np.int64), "once": np.empty(0, np.int64), "twice": np.empty(0, np.int64)})
    breakdown = cells["breakdown"].to_numpy()
    margin_of = pd.DataFrame({"key": key, "b": np.where(owner == BASE, BASE, breakdown), "lo": lo, "hi": hi}
                             ).drop_duplicates(["key", "b"]).set_index(["key", "b"])
    strata_bits = sum(1 << b for b, d in enumerate(cube.dims) if d in strata)
    pattern = cube.split_mask(key) & ~strata_bits
    t_lo, t_hi = cells["t_lo"].to_numpy(), cells["t_hi"].to_numpy()
    choice = np.zeros(len(repeats), dtype=np.int8)  # 0 undecided, 1 once, 2 twice
    for mask in np.unique(pattern[repeats]):
        dims = [d for b, d in enumerate(cube.dims) if mask >> b & 1]
        mine = np.flatnonzero(pattern[repeats] == mask)
        peers = np.flatnonzero(pattern == mask)
        for size in range(1, len(dims) + 1):
            agree_once = np.ones(len(mine), dtype=bool)
            agree_twice = np.ones(len(mine), dtype=bool)
            found = np.zeros(len(mine), dtype=bool)
            for raised in combinations(dims, size):
                up = sum(cube.code(key, d) * cube.radix[d] for d in raised)
                ancestor = key - up
                sums = pd.DataFrame({"b": breakdown[peers], "m": ancestor[peers], "lo": lo[peers],
                                     "hi": hi[peers]}).groupby(["b", "m"], sort=False).sum()
                at = repeats[mine]
                m_index = pd.MultiIndex.from_arrays([ancestor[at], breakdown[at]])
                own = margin_of.reindex(m_index)
                shared = margin_of.reindex(pd.MultiIndex.from_arrays([ancestor[at], np.full(len(at), BASE)]))
                m_lo = np.where(own["lo"].isna(), shared["lo"], own["lo"]).astype(float)
                m_hi = np.where(own["hi"].isna(), shared["hi"], own["hi"]).astype(float)
                has = ~np.isnan(m_lo)
                s = sums.reindex(pd.MultiIndex.from_arrays([breakdown[at], ancestor[at]]))
                s_lo, s_hi = s["lo"].to_numpy(), s["hi"].to_numpy()
                extra_lo, extra_hi = t_lo[at] - lo[at], t_hi[at] - hi[at]
                agree_once &= ~has | ((s_lo <= m_hi) & (s_hi >= m_lo))
                agree_twice &= ~has | ((s_lo + extra_lo <= m_hi) & (s_hi + extra_hi >= m_lo))
                found |= has
            open_ = choice[mine] == 0
            settle = found & open_
            choice[mine[settle & agree_once & ~agree_twice]] = 1
            choice[mine[settle & agree_twice & ~agree_once]] = 2
            choice[mine[settle & (agree_once == agree_twice)]] = 3  # both or neither: a range
            if (choice[mine] != 0).all():
                break
    twice, ranged = repeats[choice == 2], repeats[(choice == 3) | (choice == 0)]
    lo[twice], hi[twice] = t_lo[twice], t_hi[twice]
    withheld[twice] = cells["t_withheld"].to_numpy()[twice]
    undecided = pd.DataFrame({"key": key[ranged], "once": lo[ranged], "twice": t_hi[ranged]})
    hi[ranged] = t_hi[ranged]
    withheld[ranged] = True
    return cells.assign(lo=lo, hi=hi, withheld=withheld | (lo != hi)), undecided
