"""A confidential source's statistics shaped for disclosure control, before any suppression:
global recoding of rare categories, then the full grid of its declared categories.

- **Global recoding.** In a dimension whose code list is open (nationality, country), a
  category held by fewer than `k` records over the whole snapshot (every year, stage, unit)
  becomes `OTHER` in every cell, every year: it is published only as part of that group. A
  recoded table is still exact: the person-level cells of the rare categories are summed.
- **Full grid.** Every published grouping (`disclosure.published_groupings`) that the
  statistics compute for the source gets a row for
  every combination of the declared categories, zeros included, in every block: each year from
  the snapshot's first to its last, crossed with every combination of the other fixed columns
  (unit, subject, stage, ...) the snapshot holds. The declared categories of a dimension are
  those the snapshot holds anywhere (after recoding; `OTHER` always for a recoded dimension),
  so a row's presence says nothing about a year, a stage or a crossing.

Both run on the statistics table only (frames of one source and snapshot), so they need no
record table and carry any new fixed column through (the fixed columns and dimensions come
from `disclosure.stream_spec`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.publish.disclosure import in_published_grouping, published_groupings, stream_spec
from schemas.codes import RECODED_GROUP as OTHER

# Dimensions whose code list is open (any ISO code): rare categories are quasi-identifiers.
RECODED_DIMENSIONS = ("nationality", "country_iso3")
MEASURES = ("value", "value_min", "value_max")
ALL = "all"


def rare_categories(stats: pd.DataFrame, stream: str, k: int) -> dict[str, set[str]]:
    """Per recoded dimension, the categories held by fewer than `k` records over the snapshot:
    the one-dimension cells (every other dimension `all`), summed over its blocks."""
    _, dims = stream_spec(stream)
    out = {}
    for dim in RECODED_DIMENSIONS:
        if dim not in dims:
            continue
        others = [d for d in dims if d != dim]
        alone = stats[(stats[dim] != ALL) & (stats[others] == ALL).all(axis=1)]
        counts = pd.to_numeric(alone["value_max"].fillna(alone["value"]), errors="coerce") \
            .groupby(alone[dim]).sum()
        out[dim] = {c for c, n in counts.items() if n < k and c != OTHER}
    return out


def recode(stats: pd.DataFrame, stream: str, rare: dict[str, set[str]]) -> pd.DataFrame:
    """`stats` with the rare categories of each recoded dimension replaced by `OTHER` and the
    cells that now share a key summed (value and bounds; a cell is source-suppressed if any
    part was)."""
    if not any(rare.values()):
        return stats
    fixed, dims = stream_spec(stream)
    out = stats.copy()
    for dim, cats in rare.items():
        out[dim] = out[dim].where(~out[dim].isin(cats), OTHER)
    keys = [c for c in (*fixed, *dims) if c in out]
    measures = [m for m in MEASURES if m in out]
    rest = [c for c in out.columns if c not in keys and c not in measures]
    agg = {m: (m, lambda s: s.sum(min_count=1)) for m in measures}
    agg.update({c: (c, "any" if c in ("source_suppressed", "suppressed") else "first") for c in rest})
    summed = out.groupby(keys, dropna=False, sort=False).agg(**agg).reset_index()
    for m in measures:
        summed[m] = summed[m].astype(stats[m].dtype)
    for c in rest:
        if c in ("source_suppressed", "suppressed"):
            summed[c] = summed[c].astype(stats[c].dtype)
    return summed[list(stats.columns)]


def declared_categories(stats: pd.DataFrame, stream: str, rare: dict[str, set[str]]) -> dict[str, list[str]]:
    """Per dimension, the categories the snapshot holds anywhere (OTHER always where recoded)."""
    _, dims = stream_spec(stream)
    out = {}
    for dim in dims:
        cats = set(stats[dim].dropna().astype(str)) - {ALL}
        if dim in rare:
            cats = (cats - rare[dim]) | {OTHER}
        out[dim] = sorted(cats)
    return out


def computed_groupings(stats: pd.DataFrame, stream: str) -> set[frozenset[str]]:
    """The published groupings the statistics compute for this source (a grouping present in
    one block is computed in all: the statistics stream declares its crossings)."""
    _, dims = stream_spec(stream)
    split = stats[list(dims)].ne(ALL).drop_duplicates()
    present = {frozenset(d for d, on in zip(dims, row) if on) for row in split.itertuples(index=False)}
    return present & set(published_groupings(stream))


def blocks(stats: pd.DataFrame, stream: str) -> pd.DataFrame:
    """The blocks of the grid: every year from the first to the last, crossed with every
    combination of the other fixed columns (but source and snapshot) the snapshot holds."""
    fixed, _ = stream_spec(stream)
    others = [c for c in fixed if c not in ("source", "snapshot", "year") and c in stats]
    years = pd.to_numeric(stats["year"], errors="coerce").dropna()
    span = pd.DataFrame({"year": np.arange(int(years.min()), int(years.max()) + 1)}) if len(years) \
        else pd.DataFrame({"year": pd.Series(dtype="int64")})
    combos = stats[others].drop_duplicates() if others else pd.DataFrame(index=[0])
    return span.merge(combos, how="cross")


def full_grid(stats: pd.DataFrame, stream: str, k: int) -> pd.DataFrame:
    """One source and snapshot's statistics, recoded, with a row for every combination of the
    declared categories in every published grouping and block (zeros where no record is);
    rows of other groupings are kept as they are (disclosure control drops them)."""
    if stats.empty:
        return stats
    fixed, dims = stream_spec(stream)
    rare = rare_categories(stats, stream, k)
    table = recode(stats, stream, rare)
    cats = declared_categories(table, stream, rare)
    frame = blocks(table, stream)
    parts = []
    for grouping in sorted(computed_groupings(table, stream), key=lambda g: (len(g), sorted(g))):
        part = frame
        for dim in dims:
            values = cats[dim] if dim in grouping else [ALL]
            if not values:
                part = part.iloc[0:0]
            part = part.merge(pd.DataFrame({dim: values}), how="cross")
        parts.append(part)
    keys = pd.concat(parts, ignore_index=True)
    for col in ("source", "snapshot"):
        keys[col] = table[col].iloc[0]
    keys["year"] = keys["year"].astype(table["year"].dtype)
    key_cols = [c for c in (*fixed, *dims) if c in table]
    grid = keys[key_cols].merge(table, on=key_cols, how="left", indicator=True)
    missing = (grid.pop("_merge") == "left_only").to_numpy()
    for m in MEASURES:
        if m in grid:
            grid[m] = grid[m].astype(table[m].dtype).mask(missing, 0)
    for flag in ("source_suppressed", "suppressed"):
        if flag in grid:
            grid[flag] = grid[flag].astype("boolean").mask(missing, False).astype(table[flag].dtype)
    if "is_latest" in grid:
        grid["is_latest"] = grid["is_latest"].astype("boolean").mask(missing, True).astype(table["is_latest"].dtype)
    if "partial_year" in grid:
        by_year = table.groupby("year")["partial_year"].first()
        filled = grid["year"].map(by_year).astype("boolean").fillna(False)
        grid["partial_year"] = grid["partial_year"].astype("boolean").mask(missing, filled) \
            .astype(table["partial_year"].dtype)
    for col in table.columns:
        if col not in grid:
            continue
        if grid[col].isna().any() and col not in MEASURES and col not in key_cols:
            grid[col] = grid[col].fillna(table[col].iloc[0])
    others = table[~in_published_grouping(table, stream)]
    return pd.concat([grid[list(table.columns)], others], ignore_index=True)
