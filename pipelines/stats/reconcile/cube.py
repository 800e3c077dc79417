"""Reconciliation's cube and ownership: a source's cells keyed by one integer over its
dimensions' categories (`Cube`), how each published table of it is laid out (`Layout`), and the
breakdown each cell belongs to (`Owners`; package docstring for the method)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

UNKNOWN_OF = {"sex": "unknown", "gender_identity": "unknown", "age_group": "unknown",
              "nationality": "UNKNOWN", "race_ethnicity": "unknown", "country_iso3": "UNKNOWN",
              "crime_type": "unknown", "offence": "unknown", "sgbv": "unknown",
              "bias_motivation": "unknown", "perpetrator": "unknown"}

BASE = "all"  # the `breakdown` of the cells every breakdown of a source shares

NO_BREAKDOWN = "_"  # records of a source that names no breakdown


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


class Cube:
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


class Owners:
    """The breakdown each cell belongs to: the base where its non-`all` dimensions are all
    strata, else, among the breakdowns that split all of the others, one whose records always
    split no more than it does if there is one (GLOTIP's form table does not own a cell of all
    forms: the Total table does), with the fewest dimensions (the first in name order on a
    tie)."""

    def __init__(self, cube: Cube, layout: Layout):
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
