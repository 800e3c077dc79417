"""Derived dimensions: a dimension that follows another (the sgbv of a crime type), or that
every record of the source carries with one and the same category (the HTPD's victims are all
in the USA and all of trafficking), is reconciled as `all`, then derived: from the one it
follows, or as a copy of every cell under its one category, margins and listed cells included
(invariant 5: a margin whose parts are all one category equals that category)."""

from __future__ import annotations

import pandas as pd

from pipelines.stats.reconcile.cube import UNKNOWN_OF
from pipelines.stats.reconcile.repeats import REPEATED_ROWS

# (dimension, dimension it follows): each category of the second has one category of the
# first (the sgbv of a crime type, or of a hate crime's bias), so the first is derived from
# the second after
# reconciliation, not reconciled on its own (invariant 5: a margin whose parts are all one
# category equals that category).
FOLLOWS = (("sgbv", "crime_type"), ("sgbv", "offence"), ("sgbv", "bias_motivation"))


def derivable(records: pd.DataFrame, dims: list[str]) -> list[tuple[str, str, dict]]:
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


def with_derived(out: pd.DataFrame, listed: list[pd.DataFrame], dim: str, follows: str,
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


def constant_dimensions(records: pd.DataFrame, dims: list[str]) -> list[tuple[str, str]]:
    """(dimension, category) for each dimension that every record carries with the same
    category, never `all`: its margin is that category's cell, whatever the breakdowns' sums."""
    found = []
    for dim in dims:
        values = records[dim].unique() if dim in records else []
        if len(values) == 1 and values[0] != "all":
            found.append((dim, values[0]))
    return found


def with_constant(out: pd.DataFrame, listed: list[pd.DataFrame], dim: str, category: str
                  ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The statistics (reconciled with `dim` as `all`) with every cell also under `dim`'s one
    category, and every listed margin listed under it too (repeated rows are listed once, at
    the cell they were published in)."""
    copies = [frame.assign(**{dim: category}) for frame in listed if len(frame)]
    kept = [frame[(frame["dimension"] != REPEATED_ROWS).to_numpy()] for frame in listed if len(frame)]
    return (pd.concat([out, out.assign(**{dim: category})], ignore_index=True),
            copies + [frame for frame in kept if len(frame)])
