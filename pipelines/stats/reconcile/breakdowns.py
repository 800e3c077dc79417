"""`reconcile_source`: one aggregate source's statistics cells, breakdown by breakdown (each
with the base), then the base (package docstring for the method), decoded as statistics rows
with the inconsistencies listed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.stats.reconcile.cube import BASE, NO_BREAKDOWN, Cube, Layout, Owners
from pipelines.stats.reconcile.derived import (constant_dimensions, derivable, with_constant,
                                               with_derived)
from pipelines.stats.reconcile.margins import HIGHEST, LOWEST, Pass, reconcile_cells
from pipelines.stats.reconcile.repeats import REPEATED_ROWS, breakdown_cells, resolve_repeats

COLUMNS = ("value", "value_min", "value_max", "source_suppressed")


def reconcile_source(records: pd.DataFrame, fixed: list[str], dims: list[str], layout: Layout
                     ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Statistics cells (with their `breakdown`) and listed inconsistencies of one aggregate
    source's records (whole fixed-key groups of one snapshot, laid out as `layout` says).

    Two passes: each breakdown that owns cells is reconciled with the base's published
    cells (its own cells final; shortfalls and excesses along its dimensions); then the base
    alone, its computed cells meeting the sums of every breakdown and its published ones
    reconciled along the strata. A source with one breakdown is one pass."""
    derived = derivable(records, dims)
    constant = constant_dimensions(records, [d for d in dims if d not in {f[0] for f in derived}])
    for dim in [f[0] for f in derived] + [c[0] for c in constant]:  # reconciled without it, derived afterwards
        records = records.assign(**{dim: "all"})
        layout = Layout({n: s - {dim} for n, s in layout.splits.items()},
                        {n: s - {dim} for n, s in layout.required.items()}, layout.strata - {dim})
    keys = fixed + dims
    by_breakdown = breakdown_cells(records, keys)
    cube = Cube(by_breakdown, fixed, dims)
    if not layout.splits:
        layout = Layout({NO_BREAKDOWN: frozenset(cube.dims)}, {}, frozenset())
    strata = layout.strata
    owners = Owners(cube, layout)
    owner = owners.of(cube.keys)
    by_breakdown, undecided = resolve_repeats(cube, by_breakdown, owner, strata)
    by_breakdown = by_breakdown.assign(key=cube.keys, owner=owner)
    published = _published_cells(by_breakdown)
    every = frozenset(cube.dims)
    if not owners.owning:
        cells, problems = reconcile_cells(cube, published.index.to_numpy(), published["lo"].to_numpy(),
                                           published["hi"].to_numpy(),
                                           Pass(keep=lambda k: np.ones(len(k), bool), checked=every))
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
    for dim, category in constant:
        out, listed = with_constant(out, listed, dim, category)
    for dim, follows, categories in derived:
        out, listed = with_derived(out, listed, dim, follows, categories, fixed, dims)
    return out, listed


def _by_breakdown(cube: Cube, owners: Owners, by_breakdown: pd.DataFrame,
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

        cells, found = reconcile_cells(cube, mine, pub["lo"].to_numpy(), pub["hi"].to_numpy(),
                                        Pass(keep=keep, checked=outside, outside=outside))
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
    cells, found = reconcile_cells(
        cube, base_keys, base_pub["lo"].to_numpy(), base_pub["hi"].to_numpy(),
        Pass(keep=lambda k: owners.of(k) == BASE, checked=strata, external=external))
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


def _decoded(cube: Cube, cells: pd.DataFrame, published: pd.DataFrame, dims: list[str],
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
