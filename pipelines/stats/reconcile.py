"""The statistics of an aggregate source: its published cells, reconciled breakdown by
breakdown, and every margin of them (data model invariants 1 and 5).

An aggregate source (GLOTIP, FBI, StatCan, SESNSP) publishes cells, not people, often in
several breakdowns that count the same people again: GLOTIP's Total table (sex x age), its
citizenship table and its form-of-exploitation table (form x sex x age). Only the cells the
source published are authoritative; every other cell is computed.

- **Breakdowns stay apart.** Each breakdown is reconciled on its own, together with the totals
  every breakdown of the source shares (the *base*: cells whose dimensions are `all` except
  the source's *strata*, dimensions no record leaves `all`, such as GLOTIP's reporting
  country). A cell belongs to the breakdown with the fewest dimensions that still splits all
  of its other non-`all` dimensions (its *owner*): GLOTIP's sex cells belong to the Total
  table, its sexual-exploitation x sex cells to the form table. A breakdown never computes, fills or checks a cell it does not
  own, so a published cell is never altered by another breakdown and a shortfall or excess
  stays in the breakdown where it arises. Each statistics row says its owner in `breakdown`
  (`all` for the base).
- **Published cells** are summed by key within a breakdown (sub-forms collapsed under one
  label are added). Identical repeated rows (content ids `h<digest>-<n>`, n >= 2) count once
  or twice according to which agrees with the published margins of that cell in its
  breakdown; where neither or both do, the cell is the range [once, twice] and is listed in
  `source_inconsistencies` (dimension `repeated_rows`).
- **Computed margins** meet the sum of their parts along every dimension that has parts in
  the owner's breakdown: exact where those sums agree; where they disagree (the countries'
  published totals against sums of their splits, say), the tightest range meeting every sum,
  with `value` null. A base cell (a world total) meets the sums of every breakdown.
- **Published margins** are reconciled with their parts, dimension by dimension: a shortfall
  is published under the dimension's unknown category (a new cell, or the range of a computed
  unknown cell widened to take it), as far as the published cells leave that cell room; an
  excess keeps the total and is listed; withheld parts (GLOTIP "<5", bounds [0, 4]) must
  contain the total within their bounds. An unknown cell the published cells determine is
  that value first (Netherlands 2016: 952 - 653 women - 154 men = 145 of unknown sex). A
  shortfall the unknown cell cannot take (the source published it, or it has no room) is
  listed too (negative excess): a published cell is never altered.
- Cells are processed from the finest up (by the number of `all` dimensions), so a margin is
  computed or reconciled only once its parts are final.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple

import numpy as np
import pandas as pd

UNKNOWN_OF = {"sex": "unknown", "gender_identity": "unknown", "age_group": "unknown",
              "nationality": "UNKNOWN", "race_ethnicity": "unknown", "country_iso3": "UNKNOWN",
              "crime_type": "unknown", "offence": "unknown", "sgbv": "unknown",
              "bias_motivation": "unknown", "perpetrator": "unknown"}
BASE = "all"  # the `breakdown` of the cells every breakdown of a source shares
NO_BREAKDOWN = "_"  # records of a source that names no breakdown
COLUMNS = ("value", "value_min", "value_max", "source_suppressed")
REPEATED_ROWS = "repeated_rows"  # `source_inconsistencies.dimension` of an undecidable repeat
# A content id (`curate.content_ids`) of an identical row's second or later occurrence.
REPEAT_ID = r"^h[0-9a-f]{16}-(?:[2-9]|[1-9][0-9]+)$"
LOWEST, HIGHEST = np.iinfo(np.int64).min, np.iinfo(np.int64).max
# (dimension, dimension it follows): each category of the second has one category of the
# first (the sgbv of a crime type, or of a hate crime's bias), so the first is derived from
# the second after
# reconciliation, not reconciled on its own (invariant 5: a margin whose parts are all one
# category equals that category).
FOLLOWS = (("sgbv", "crime_type"), ("sgbv", "offence"), ("sgbv", "bias_motivation"))


class Layout(NamedTuple):
    """How one published table (a snapshot) of a source is laid out: per breakdown, the
    dimensions it splits (has a category in) and those it always splits (every record has a
    category there: GLOTIP's form of exploitation in its form table); and the strata,
    dimensions no record leaves `all` (every published cell lies inside one of their
    categories, as inside GLOTIP's reporting country)."""

    splits: dict[str, frozenset[str]]
    required: dict[str, frozenset[str]]
    strata: frozenset[str]


@dataclass(frozen=True)
class SourceFacts:
    """What reconciliation needs to know of a whole source, not only of one batch of it."""

    constant: dict[str, str] = field(default_factory=dict)  # dim -> its one "not recorded" code
    unsplit: frozenset[str] = frozenset()  # dims `all` on every record
    layouts: dict[str, Layout] = field(default_factory=dict)  # per snapshot


def snapshot_layouts(records: pd.DataFrame, dims, constant) -> dict[str, Layout]:
    """The `Layout` of each snapshot of a source's records."""
    frame = records.assign(breakdown=records["breakdown"].fillna(NO_BREAKDOWN)) \
        if "breakdown" in records else records.assign(breakdown=NO_BREAKDOWN)
    dims = [d for d in dims if d not in constant]
    layouts = {}
    for snapshot, part in frame.groupby("snapshot", sort=True):
        split = part[dims] != "all"
        by = split.groupby(part["breakdown"].to_numpy())
        some, every = by.any(), by.all()
        layouts[snapshot] = Layout(
            splits={n: frozenset(d for d in dims if some.loc[n, d]) for n in some.index},
            required={n: frozenset(d for d in dims if every.loc[n, d]) for n in every.index},
            strata=frozenset(d for d in dims if split[d].all()))
    return layouts


class _Cube:
    """Cells of one source keyed by one integer: a mixed-radix number over the fixed keys'
    group and each dimension's category code, code 0 being `all`. The parent of a cell along a
    dimension is its key minus that dimension's code times its radix."""

    def __init__(self, cells: pd.DataFrame, fixed: list[str], dims: list[str]):
        fixed_id = np.zeros(len(cells), dtype=np.int64)  # numbered in order of appearance
        for column in fixed:
            column_codes, uniques = pd.factorize(cells[column], use_na_sentinel=False)
            fixed_id = pd.factorize(fixed_id * len(uniques) + column_codes)[0]
        first_rows = np.unique(fixed_id, return_index=True)[1]
        self.fixed_table = cells[fixed].iloc[first_rows].reset_index(drop=True)
        self.dims = [d for d in dims if (cells[d] != "all").any()]
        self.categories, self.radix = {}, {}
        radix = 1
        codes = {}
        for dim in reversed(self.dims):
            row_codes, uniques = pd.factorize(cells[dim])
            values = sorted(set(uniques) - {"all"} | {UNKNOWN_OF[dim]})
            self.categories[dim] = pd.array(["all"] + values, dtype="str")
            codes[dim] = pd.Index(self.categories[dim]).get_indexer(uniques)[row_codes]
            self.radix[dim] = radix
            radix *= len(self.categories[dim])
        self.span = radix
        if len(self.fixed_table) * radix >= 2 ** 62:
            raise OverflowError("too many categories to key the cells of one source")
        key = fixed_id.astype(np.int64) * radix
        for dim in self.dims:
            key = key + codes[dim].astype(np.int64) * self.radix[dim]
        self.keys = key  # of the rows of `cells`

    def code(self, keys: np.ndarray, dim: str) -> np.ndarray:
        return (keys // self.radix[dim]) % len(self.categories[dim])

    def level(self, keys: np.ndarray) -> np.ndarray:
        """How many dimensions are `all`."""
        return sum((self.code(keys, d) == 0).astype(np.int8) for d in self.dims)

    def split_mask(self, keys: np.ndarray) -> np.ndarray:
        """Which dimensions are not `all`, one bit per dimension in `self.dims` order."""
        mask = np.zeros(len(keys), dtype=np.int64)
        for bit, dim in enumerate(self.dims):
            mask |= (self.code(keys, dim) != 0).astype(np.int64) << bit
        return mask

    def closure(self, keys: np.ndarray) -> np.ndarray:
        """The keys and every margin of them."""
        keys = pd.unique(np.asarray(keys, dtype=np.int64))  # hashing, not sorting, per dimension
        for dim in self.dims:
            code = self.code(keys, dim)
            part = code != 0
            keys = pd.unique(np.concatenate([keys, keys[part] - code[part] * self.radix[dim]]))
        return np.sort(keys)

    def decode(self, keys: np.ndarray) -> pd.DataFrame:
        out = self.fixed_table.iloc[keys // self.span].reset_index(drop=True)
        for dim in self.dims:
            out[dim] = self.categories[dim].take(self.code(keys, dim))
        return out


class _Owners:
    """The breakdown each cell belongs to: the base where its non-`all` dimensions are all
    strata, else, among the breakdowns that split all of the others, one whose records always
    split no more than it does if there is one (GLOTIP's form table does not own a cell of all
    forms: the Total table does), with the fewest dimensions (the first in name order on a
    tie)."""

    def __init__(self, cube: _Cube, layout: Layout):
        self.cube = cube
        self.names = sorted(layout.splits)

        def bits(found):
            return sum(1 << b for b, d in enumerate(cube.dims) if d in found)

        self.common_bits = bits(layout.strata)
        self.bits = {name: bits(layout.splits[name]) for name in self.names}
        self.required = {name: bits(layout.required.get(name, frozenset())) & ~self.common_bits
                         for name in self.names}
        self.sizes = {name: len(layout.splits[name] - layout.strata) for name in self.names}

    def of(self, keys: np.ndarray) -> np.ndarray:
        """The owner of each key (BASE, a breakdown name, or "" where no breakdown splits it)."""
        masks = self.cube.split_mask(keys) & ~self.common_bits
        uniques, inverse = np.unique(masks, return_inverse=True)
        names = np.array([self._owner(int(m)) for m in uniques], dtype=object)
        return names[inverse]

    def _owner(self, mask: int) -> str:
        if mask == 0:
            return BASE
        fits = [n for n in self.names if mask & ~self.bits[n] == 0]
        # A breakdown whose every record splits what the cell splits is its owner before one
        # whose records all split more (the form table's margin over forms is not its own
        # where the Total table publishes that cell); the smallest among them.
        whole = [n for n in fits if self.required[n] & ~mask == 0] or fits
        return min(whole, key=lambda n: (self.sizes[n], n)) if whole else ""

    @property
    def owning(self) -> list[str]:
        """Breakdowns that can own a cell of their own (those splitting a dimension besides
        the strata); none where the source has one breakdown (it is all base)."""
        if len(self.names) <= 1:
            return []
        return [n for n in self.names if self.bits[n] & ~self.common_bits]


def _bounds(frame: pd.DataFrame) -> pd.DataFrame:
    """value_min / value_max filled from value where the value is exact."""
    frame = frame.copy()
    frame["value_min"] = frame["value_min"].fillna(frame["value"]).astype("Int64")
    frame["value_max"] = frame["value_max"].fillna(frame["value"]).astype("Int64")
    return frame


def _breakdown_cells(records: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
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


def _resolve_repeats(cube: _Cube, cells: pd.DataFrame, owner: np.ndarray, strata: frozenset[str]
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


def _part_sums(cube: _Cube, children: pd.DataFrame, dims=None) -> dict[str, pd.DataFrame]:
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


def _published_mismatches(cube: _Cube, cells: pd.DataFrame, dims) -> list[pd.DataFrame]:
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


def _unfilled(cube: _Cube, keys: np.ndarray, keep) -> pd.DataFrame:
    """Computed cells at these keys, not yet bounded (kept where `keep` says)."""
    keys = keys[keep(keys)]
    return pd.DataFrame({"lo": 0, "hi": 0, "a": LOWEST, "b": HIGHEST, "a_out": LOWEST,
                         "b_out": HIGHEST, "pub": False, "proxy": False,
                         "level": cube.level(keys)}, index=pd.Index(keys))


def _implied(cube: _Cube, keys: np.ndarray, lo: np.ndarray, hi: np.ndarray
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


@dataclass
class _Pass:
    """One reconciliation pass over a set of cells: which cells it may hold (`keep`), along
    which dimensions published margins are reconciled with their parts (`checked`), along
    which the part sums of computed cells are also kept apart (`outside`, as a_out/b_out),
    and constraints on computed cells from outside the pass (`external`: a, b by key)."""

    keep: object
    checked: frozenset[str]
    outside: frozenset[str] = frozenset()
    external: pd.DataFrame | None = None


class _Room:
    """How much a cell can hold at most, by the published cells alone: a published cell its
    upper bound; any cell at most, along each dimension it splits, its margin's room less the
    lower bounds of the published cells beside it (GLOTIP Mexico 2021 persons prosecuted:
    48 in all, 14 women and 23 men published, so at most 11 of unknown sex; the Unknown row
    holds 11 of unknown age, so none of unknown sex is a child)."""

    def __init__(self, cube: _Cube, keys: np.ndarray, lo: np.ndarray, hi: np.ndarray):
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


def _fill_shortfalls(cube: _Cube, cells: pd.DataFrame, level: int, margins: pd.DataFrame,
                     dim: str, s: pd.DataFrame, keep, room: _Room) -> pd.DataFrame:
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


def _bound_computed(cube: _Cube, cells: pd.DataFrame, level: int, rules: _Pass) -> pd.DataFrame:
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


def _reconcile_cells(cube: _Cube, keys: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                     rules: _Pass) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The published `keys` (bounds `lo`/`hi`) and their margins that `rules.keep` allows,
    reconciled from the finest up: per key lo, hi, the constraints a <= b met by the parts
    of a computed cell, and whether it stays as published; plus the listed margins."""
    keys, lo, hi = (np.asarray(a, dtype=np.int64) for a in (keys, lo, hi))
    implied, value = _implied(cube, keys, lo, hi)
    if len(implied):  # kept where the cell may hold so much by every published margin above it
        room = _Room(cube, keys, lo, hi)
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
    room = _Room(cube, keys, lo, hi)
    for level in range(1, len(cube.dims) + 1):
        sums = _part_sums(cube, cells[cells["level"] == level - 1], rules.checked)
        margins = cells[(cells["level"] == level) & cells["pub"]]
        for dim, s in sums.items():
            cells = _fill_shortfalls(cube, cells, level, margins, dim, s, rules.keep, room)
        cells = _bound_computed(cube, cells, level, rules)
    return cells, _published_mismatches(cube, cells, rules.checked)


def reconcile_source(records: pd.DataFrame, fixed: list[str], dims: list[str], layout: Layout
                     ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Statistics cells (with their `breakdown`) and listed inconsistencies of one aggregate
    source's records (whole fixed-key groups of one snapshot, laid out as `layout` says).

    Two passes: each breakdown that owns cells is reconciled with the base's published
    cells (its own cells final; shortfalls and excesses along its dimensions); then the base
    alone, its computed cells meeting the sums of every breakdown and its published ones
    reconciled along the strata. A source with one breakdown is one pass."""
    derived = _derivable(records, dims)
    for dim, follows, _ in derived:  # reconciled without it, derived afterwards
        records = records.assign(**{dim: "all"})
        layout = Layout({n: s - {dim} for n, s in layout.splits.items()},
                        {n: s - {dim} for n, s in layout.required.items()}, layout.strata - {dim})
    keys = fixed + dims
    by_breakdown = _breakdown_cells(records, keys)
    cube = _Cube(by_breakdown, fixed, dims)
    if not layout.splits:
        layout = Layout({NO_BREAKDOWN: frozenset(cube.dims)}, {}, frozenset())
    strata = layout.strata
    owners = _Owners(cube, layout)
    owner = owners.of(cube.keys)
    by_breakdown, undecided = _resolve_repeats(cube, by_breakdown, owner, strata)
    by_breakdown = by_breakdown.assign(key=cube.keys, owner=owner)
    published = _published_cells(by_breakdown)
    every = frozenset(cube.dims)
    if not owners.owning:
        cells, problems = _reconcile_cells(cube, published.index.to_numpy(), published["lo"].to_numpy(),
                                           published["hi"].to_numpy(),
                                           _Pass(keep=lambda k: np.ones(len(k), bool), checked=every))
        cells["breakdown"] = BASE
    else:
        cells, problems = _by_breakdown(cube, owners, by_breakdown, published, strata)
    cells = cells.sort_index()
    out = _decoded(cube, cells, published, dims, fixed)
    listed = []
    for found in _unique_problems(problems):
        where = cells.index.get_indexer(found["key"].to_numpy())
        margin = out.iloc[where].reset_index(drop=True)
        listed.append(margin.assign(dimension=found["dimension"].to_numpy(),
                                    parts_min=found["parts_min"].to_numpy(),
                                    parts_max=found["parts_max"].to_numpy()))
    if len(undecided):
        where = cells.index.get_indexer(undecided["key"].to_numpy())
        listed.append(out.iloc[where].reset_index(drop=True).assign(
            value=pd.NA, dimension=REPEATED_ROWS, parts_min=undecided["once"].to_numpy(),
            parts_max=undecided["twice"].to_numpy()))
    for dim, follows, categories in derived:
        out, listed = _with_derived(out, listed, dim, follows, categories, fixed, dims)
    return out, listed


def _derivable(records: pd.DataFrame, dims: list[str]) -> list[tuple[str, str, dict]]:
    """(dimension, dimension it follows, category of each of the latter's) for the FOLLOWS
    pairs these records hold as a function: every record split by the second carries the
    one category of the first that goes with it, and no record splits the first alone."""
    found = []
    for dim, follows in FOLLOWS:
        if dim not in dims or follows not in dims or follows not in records or dim in {
                f[0] for f in found}:
            continue
        split = records[follows] != "all"
        if (records.loc[~split, dim] != "all").any() or not split.any():
            continue
        pairs = records.loc[split, [follows, dim]].drop_duplicates()
        if pairs[follows].duplicated().any() or (pairs[dim] == "all").any():
            continue
        found.append((dim, follows, dict(zip(pairs[follows], pairs[dim]))))
    return found


def _with_derived(out: pd.DataFrame, listed: list[pd.DataFrame], dim: str, follows: str,
                  categories: dict, fixed: list[str], dims: list[str]
                  ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The statistics with `dim` derived from `follows` (reconciled as `all`): each cell of a
    category of `follows` also under that category's `dim` (the unknown crime type's sgbv is
    unknown), and each `dim` category's margin over `follows` the sum of those. Listed
    margins follow them: a listed cell is listed under its `dim` too, a margin over `follows`
    also over `dim`, and the new sums are listed where their own parts do not meet them."""
    unknown = UNKNOWN_OF[dim]
    split = (out[follows] != "all").to_numpy()
    copies = out[split].assign(**{dim: out.loc[split, follows].map(categories).fillna(unknown)})
    group = [c for c in fixed + ["breakdown"] + dims if c != follows]
    summed = copies.assign(withheld=copies["value"].isna()).groupby(group, sort=False, dropna=False).agg(
        value=("value", "sum"), value_min=("value_min", "sum"), value_max=("value_max", "sum"),
        withheld=("withheld", "any"), source_suppressed=("source_suppressed", "any")).reset_index()
    summed["value"] = summed["value"].astype("Int64").mask(summed["withheld"])
    summed = summed.drop(columns="withheld").assign(**{follows: "all"})[out.columns]
    more = []
    for frame in listed:
        if not len(frame):
            continue
        mine = (frame[follows] != "all").to_numpy() & (frame["dimension"] != REPEATED_ROWS).to_numpy()
        more.append(frame[mine].assign(**{dim: frame.loc[mine, follows].map(categories).fillna(unknown)}))
        over = ~mine & (frame["dimension"] == follows).to_numpy()
        more.append(frame[over].assign(dimension=dim))
    more.append(_unmet(summed, [d for d in dims if d not in (dim, follows)], fixed + dims))
    return pd.concat([out, copies, summed], ignore_index=True), listed + [f for f in more if len(f)]


def _unmet(cells: pd.DataFrame, along: list[str], keys: list[str]) -> pd.DataFrame:
    """Cells of `cells` that are a margin of others of them along one of `along` whose parts'
    bounds cannot meet theirs, as listed margins (the margin, dimension, parts' bounds)."""
    found = []
    for dim in along:
        parts = cells[cells[dim] != "all"]
        if parts.empty:
            continue
        others = [k for k in keys if k != dim]
        sums = parts.groupby(others, sort=False, dropna=False)[["value_min", "value_max"]].sum()
        sums = sums.rename(columns={"value_min": "parts_min", "value_max": "parts_max"})
        margins = cells[cells[dim] == "all"].join(sums, on=others, how="inner")
        bad = (margins["parts_min"] > margins["value_max"]) | (margins["parts_max"] < margins["value_min"])
        found.append(margins[bad.to_numpy(dtype=bool)].assign(dimension=dim))
    found = [f for f in found if len(f)]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame()


def _by_breakdown(cube: _Cube, owners: _Owners, by_breakdown: pd.DataFrame,
                  published: pd.DataFrame, strata: frozenset[str]
                  ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The two passes of `reconcile_source` for a source of several breakdowns."""
    outside = frozenset(cube.dims) - strata
    base_keys = by_breakdown.loc[by_breakdown["owner"] == BASE, "key"].unique()
    pieces, problems, external = [], [], []
    for name in owners.owning:
        mine = np.union1d(base_keys, by_breakdown.loc[by_breakdown["breakdown"] == name, "key"])
        pub = published.loc[mine]

        def keep(candidates, name=name, mine=mine):
            return np.isin(owners.of(candidates), [name, BASE]) | np.isin(candidates, mine)

        cells, found = _reconcile_cells(cube, mine, pub["lo"].to_numpy(), pub["hi"].to_numpy(),
                                        _Pass(keep=keep, checked=outside, outside=outside))
        base = owners.of(cells.index.to_numpy()) == BASE
        own = cells[~base]
        pieces.append(own.assign(breakdown=name))
        computed_base = cells[base & ~cells["pub"].to_numpy()]
        external.append(computed_base[["a_out", "b_out"]].rename(columns={"a_out": "a", "b_out": "b"}))
        problems += found
    external = pd.concat(external)
    external = external.groupby(level=0).agg(a=("a", "max"), b=("b", "min"))
    external = external[(external["a"] != LOWEST) | (external["b"] != HIGHEST)]
    base_pub = published.loc[base_keys]
    cells, found = _reconcile_cells(
        cube, base_keys, base_pub["lo"].to_numpy(), base_pub["hi"].to_numpy(),
        _Pass(keep=lambda k: owners.of(k) == BASE, checked=strata, external=external))
    pieces.append(cells.assign(breakdown=BASE))
    problems += found
    cells = pd.concat(pieces)
    if cells.index.duplicated().any():  # a key published by two breakdowns: kept once
        cells = cells[~cells.index.duplicated()]
    return cells, problems


def _published_cells(by_breakdown: pd.DataFrame) -> pd.DataFrame:
    """One published cell per key (lo, hi, value, source_suppressed), indexed by key: where
    two breakdowns publish one key they count the same people twice, never added: their
    value where they agree, else a range over both with no value."""
    grouped = by_breakdown.groupby("key", sort=False)
    out = pd.DataFrame({"lo": grouped["lo"].min(), "hi": grouped["hi"].max(),
                        "values": grouped["lo"].nunique(), "withheld": grouped["withheld"].any(),
                        "source_suppressed": grouped["source_suppressed"].any()})
    exact = (out["values"] == 1) & ~out["withheld"] & (out["lo"] == out["hi"])
    out["value"] = pd.array(out["lo"], dtype="Int64")
    out.loc[~exact, "value"] = pd.NA
    return out.drop(columns=["values", "withheld"])


def _unique_problems(problems: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The listed margins, each (cell, dimension) once (a base margin is seen by every
    breakdown)."""
    problems = [p for p in problems if len(p)]
    if len(problems) <= 1:
        return problems
    return [pd.concat(problems, ignore_index=True).drop_duplicates(["key", "dimension"])]


def _decoded(cube: _Cube, cells: pd.DataFrame, published: pd.DataFrame, dims: list[str],
             fixed: list[str]) -> pd.DataFrame:
    """The cells as statistics rows, in key order: published cells as the source published
    them, computed ones as an exact value where their bounds meet, else a range."""
    keys = cells.index.to_numpy()
    out = cube.decode(keys)
    for dim in dims:
        if dim not in out:
            out[dim] = "all"
    lo, hi = cells["lo"].to_numpy(dtype=np.int64), cells["hi"].to_numpy(dtype=np.int64)
    out["value"] = pd.array(np.where(lo == hi, lo, 0), dtype="Int64")
    out.loc[lo != hi, "value"] = pd.NA
    out["value_min"] = pd.array(lo, dtype="Int64")
    out["value_max"] = pd.array(hi, dtype="Int64")
    out["source_suppressed"] = False
    at = np.flatnonzero(cells["pub"].to_numpy() & ~cells["proxy"].to_numpy())
    shown = published.loc[keys[at]]
    out.loc[at, "value"] = shown["value"].to_numpy()
    out.loc[at, "value_min"] = shown["lo"].to_numpy()
    out.loc[at, "value_max"] = shown["hi"].to_numpy()
    out.loc[at, "source_suppressed"] = shown["source_suppressed"].to_numpy()
    out["breakdown"] = cells["breakdown"].to_numpy()
    return out[fixed + ["breakdown"] + dims + list(COLUMNS)]
