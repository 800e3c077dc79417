"""Blocking checks on our own outputs: margins add up (invariant 1) and totals reconcile with
the source (invariant 3). A failure stops publication; the previous release stays current."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.sources.names import name_fingerprint_sql
from pipelines.sql import sql_text
from pipelines.stats.cases import STREAMS, cell_names
from pipelines.stats.deaths import DIMENSIONS
from pipelines.stored import StoredTable, parquet_list

FIXED_KEYS = ("source", "snapshot", "year", "year_basis")


class BlockingCheckError(RuntimeError):
    """Our own output broke an invariant: nothing is published."""

    headline = "a blocking check failed"  # what the run report's summary says happened


class NothingToPublish(BlockingCheckError):
    """No file of any chosen source was read and no earlier release holds rows of them:
    a release would hold nothing, so none is made."""

    headline = "nothing to publish"


def margin_violations(stats: pd.DataFrame, dims: tuple[str, ...] = DIMENSIONS) -> pd.DataFrame:
    """Rows where the categories of a dimension do not sum to its `all` margin, or where a
    published cell has no published margin. Empty when invariant 1 holds."""
    problems = []
    exact = stats[stats["value"].notna()]
    for dim in dims:
        others = list(FIXED_KEYS) + [d for d in dims if d != dim]
        parts = exact[exact[dim] != "all"].groupby(others, dropna=False)["value"].sum()
        margins = stats[stats[dim] == "all"].set_index(others)["value"]
        joined = parts.to_frame("parts").join(margins.rename("margin"), how="left")
        bad = joined[joined["margin"].isna() | (joined["parts"] != joined["margin"])]
        if len(bad):
            problems.append(bad.reset_index().assign(dimension=dim))
    return pd.concat(problems, ignore_index=True) if problems else pd.DataFrame()


def grand_totals(stats: pd.DataFrame, dims: tuple[str, ...] = DIMENSIONS) -> pd.DataFrame:
    """The one row per source, snapshot and year where every dimension is `all`."""
    return stats[(stats[list(dims)] == "all").all(axis=1)]


def reconciliation_problems(stats: pd.DataFrame, records: pd.DataFrame,
                            dims: tuple[str, ...] = DIMENSIONS) -> pd.DataFrame:
    """Source, snapshot and year where the grand total differs from the source's own total
    over accepted records (invariant 3). Empty when they agree."""
    published = grand_totals(stats, dims).groupby(["source", "snapshot", "year"])["value"].sum()
    own = records.groupby(["source", "snapshot", "year"])["dead_and_missing"].sum()
    joined = pd.concat([published.rename("published"), own.rename("source_total")], axis=1)
    return joined[joined["published"].fillna(-1) != joined["source_total"].fillna(-1)].reset_index()


def check_deaths(stats: pd.DataFrame, records: pd.DataFrame) -> None:
    """Raise BlockingCheckError naming what broke, with a few examples."""
    margins = margin_violations(stats)
    totals = reconciliation_problems(stats, records)
    negative = stats[stats["value"] < 0]
    messages = []
    if len(margins):
        messages.append(f"{len(margins)} margin(s) do not add up, e.g. "
                        f"{margins.head(3).to_dict('records')}")
    if len(totals):
        messages.append(f"{len(totals)} grand total(s) differ from the source's own total, e.g. "
                        f"{totals.head(3).to_dict('records')}")
    if len(negative):
        messages.append(f"{len(negative)} negative published value(s)")
    if messages:
        raise BlockingCheckError("deaths_stats failed blocking checks: " + "; ".join(messages))


def case_margin_violations(stats: pd.DataFrame, fixed: tuple[str, ...], dims: tuple[str, ...],
                           inconsistencies: pd.DataFrame) -> pd.DataFrame:
    """Margins of a crimes/prosecutions table that neither add up (within the bounds of
    withheld parts) nor appear in `source_inconsistencies`. Empty when invariant 1 holds."""
    return unlisted_margins(_unmet_case_margins(stats, list(fixed), list(dims)), inconsistencies)


def unlisted_margins(unmet, inconsistencies: pd.DataFrame) -> pd.DataFrame:
    """The unmet margins (dimension, other keys, rows) that `source_inconsistencies` does not
    list (cells named as it names them, `case_stats.cell_names`), one row each with its
    dimension."""
    naming = ["source", "snapshot", "year", "dimension", "cell"]
    listed = pd.MultiIndex.from_frame(inconsistencies[naming].astype({"year": "int64"})) \
        if len(inconsistencies) else None
    problems = []
    for dim, others, bad in unmet:
        if not len(bad):
            continue
        named = pd.MultiIndex.from_arrays([bad["source"], bad["snapshot"], bad["year"].astype("int64"),
                                           [dim] * len(bad), cell_names(bad, others, dim)], names=naming)
        unlisted = ~named.isin(listed) if listed is not None else np.ones(len(bad), dtype=bool)
        problems.append(bad[unlisted].assign(dimension=dim))
    problems = [p for p in problems if len(p)]
    return pd.concat(problems, ignore_index=True) if problems else pd.DataFrame()


def _unmet_case_margins(stats: pd.DataFrame, fixed: list[str], dims: list[str]
                        ) -> Iterator[tuple[str, list[str], pd.DataFrame]]:
    """(dimension, other keys, rows) per dimension: the parts (cells other than `all` in the
    dimension) summed per margin, beside their margin's bounds (NULL where there is none),
    where the two cannot meet; rows ordered by the other keys.

    Margins add up within a breakdown (invariant 5): parts are compared with their margin
    where the margin belongs to the parts' breakdown or is a total every breakdown shares
    (`breakdown` = all); a margin of another breakdown (GLOTIP's sex of a country-year,
    from its Total table, above the sexes of one form of exploitation) is not theirs to meet.
    Shared parts must have a margin; a breakdown's parts may have none (their margin would
    be another breakdown's cell).

    The keys are encoded here on purpose, not with the reconciliation's `reconcile.cube.Cube`:
    this check verifies that code's output, so it must not share its mistakes.
    Each cell is keyed by one integer, its fixed keys' rank times the span of the dimensions
    plus each dimension's code times its radix (codes in sorted order, so integer order is the
    order of the keys); a part's margin is its key with the dimension's code set to `all`'s.
    Grouping on one integer is what makes this fast on millions of cells."""
    keys = fixed + dims
    if stats[keys].isna().any().any():
        raise ValueError("statistics with NULL keys: validate them before checking margins")
    coded = {k: pd.factorize(stats[k], sort=True) for k in keys}
    group = np.zeros(len(stats), dtype=np.int64)
    for k in fixed:  # rank of the fixed keys, compressed after each column
        group = pd.factorize(group * len(coded[k][1]) + coded[k][0], sort=True)[0]
    first_of_group = np.unique(group, return_index=True)[1]
    sizes = [len(coded[d][1]) + 1 for d in dims]  # + a code for `all` where no cell has it
    radix = [int(np.prod(sizes[i + 1:], dtype=object)) for i in range(len(dims))]
    span = radix[0] * sizes[0] if dims else 1
    if (int(group.max(initial=0)) + 1) * span >= 2 ** 62:
        raise OverflowError("too many categories to key the statistics' cells")
    key = group * span + sum(coded[d][0].astype(np.int64) * r for d, r in zip(dims, radix))
    bounds = stats[["value_min", "value_max"]].reset_index(drop=True)
    shared = "all"
    split = (stats["breakdown"].astype("str").to_numpy() if "breakdown" in stats
             else np.full(len(stats), shared, dtype=object))
    for i, dim in enumerate(dims):
        others = fixed + [d for d in dims if d != dim]
        codes, values = coded[dim]
        all_code = values.get_loc("all") if "all" in values else len(values)
        is_part = codes != all_code
        parent = key[is_part] + (all_code - codes[is_part]) * radix[i]
        parts = bounds[is_part].set_axis(parent).groupby(level=0).sum().set_axis(
            ["parts_min", "parts_max"], axis=1)
        part_split = pd.Series(split[is_part], index=parent).groupby(level=0).first()
        margin = bounds[~is_part].assign(split=split[~is_part]).set_axis(key[~is_part])
        joined = parts.join(margin, how="left")
        mine = part_split.reindex(joined.index).to_numpy()
        theirs = joined["split"].to_numpy()
        missing = joined["value_min"].isna().to_numpy() & pd.isna(theirs)
        compared = ((mine == shared) | (theirs == mine) | (theirs == shared)).astype(bool)
        unmet = ((joined["parts_min"] > joined["value_max"]).fillna(False)
                 | (joined["parts_max"] < joined["value_min"]).fillna(False)
                 | joined["value_min"].isna()).to_numpy(dtype=bool)
        bad = joined[np.where(missing, mine == shared, compared & unmet).astype(bool)].drop(columns="split")
        at = bad.index.to_numpy()
        columns = {k: stats[k].iloc[first_of_group[at // span]].to_numpy() for k in fixed}
        for d, r, size in zip(dims, radix, sizes):
            if d != dim:
                columns[d] = coded[d][1].take((at // r) % size)
        frame = pd.DataFrame({k: pd.Series(columns[k]).astype(stats[k].dtype) for k in others})
        yield dim, others, pd.concat([frame, bad.reset_index(drop=True)], axis=1)


def groups_without_grand_total(stats: pd.DataFrame, fixed, dims) -> pd.DataFrame:
    """The fixed-key groups (source, snapshot, year, unit, subject, ...) of a statistics table
    that hold cells but not exactly one row with every dimension `all` (their grand total)."""
    fixed, dims = list(fixed), list(dims)
    grand = (stats[dims] == "all").all(axis=1)
    counts = stats[grand].groupby(fixed, dropna=False).size()
    groups = stats[fixed].drop_duplicates()
    found = groups.join(counts.rename("grand_totals"), on=fixed)
    return found[found["grand_totals"].fillna(0) != 1].reset_index(drop=True)


def check_cases(stats: pd.DataFrame, stream: str, inconsistencies: pd.DataFrame) -> None:
    """Raise BlockingCheckError when a crimes/prosecutions margin neither adds up nor is listed
    as a source inconsistency, a group of cells has no grand total, or a published value is
    negative."""
    spec = STREAMS[stream]
    bad = case_margin_violations(stats, spec["fixed"], spec["dims"], inconsistencies)
    messages = []
    missing = groups_without_grand_total(stats, spec["fixed"], spec["dims"])
    if len(missing):
        messages.append(f"{len(missing)} group(s) of cells without their grand total (every "
                        f"dimension all), e.g. {missing.head(3).to_dict('records')}")
    if len(bad):
        messages.append(f"{len(bad)} margin(s) neither add up nor are listed as source "
                        f"inconsistencies, e.g. {bad.head(3).to_dict('records')}")
    if (stats["value_min"] < 0).any():
        messages.append("negative published values")
    if messages:
        raise BlockingCheckError(f"{stream}_stats failed blocking checks: " + "; ".join(messages))


def names_found(tables: dict, name_parts: list[str]) -> list[tuple[str, str, int]]:
    """(table, column, count) of text cells whose whole value is a raw personal name (its
    fingerprint is in the `names` parts, column name_hash); frames and tables stored as
    Parquet are searched the same way, inside DuckDB."""
    found = []
    if not name_parts:
        return found
    con = duckdb.connect()
    try:
        con.execute("CREATE TEMP TABLE fingerprints AS SELECT DISTINCT CAST(name_hash AS VARCHAR) "
                    f"AS name_hash FROM read_parquet({parquet_list(name_parts)}, union_by_name = true) "
                    "WHERE name_hash IS NOT NULL")
        if not con.sql("SELECT count(*) FROM fingerprints").fetchall()[0][0]:
            return found
        for table, data in tables.items():
            relation, text = _text_cells(con, data)
            found += [(table, column, n) for column, n in _names_in(con, relation, text, "fingerprints")]
    finally:
        con.close()
    return found


def _text_cells(con, data) -> tuple[str, list[str]]:
    """(a DuckDB relation of a table, its text columns): a stored table read where it lies,
    a frame's text and object columns registered as text."""
    if isinstance(data, StoredTable):
        text = [f.name for f in pq.read_schema(data.path)
                if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        return f"read_parquet({sql_text(data.path)})", text
    text = [c for c in data.columns if pd.api.types.is_string_dtype(data[c])
            or pd.api.types.is_object_dtype(data[c])]
    con.register("frame_cells", data[text].astype("str"))
    return "frame_cells", text


def _names_in(con, relation: str, text_columns: list[str],
             fingerprints: str) -> list[tuple[str, int]]:
    """(column, distinct values) of the text columns of `relation` (SQL) whose value
    fingerprints match the table `fingerprints` (column `name_hash`): one scan, distinct
    values only."""
    if not text_columns:
        return []
    unpivot = ", ".join(f'"{c}"' for c in text_columns)
    rows = con.execute(
        f"SELECT name, count(*) FROM (SELECT DISTINCT name, value FROM (UNPIVOT "
        f"(SELECT {unpivot} FROM {relation}) ON {unpivot})) "
        f"WHERE {name_fingerprint_sql('value')} IN (SELECT name_hash FROM {fingerprints}) "
        "GROUP BY name ORDER BY name").fetchall()
    return [(column, int(count)) for column, count in rows]


def check_no_names(tables: dict, name_parts: list[str]) -> None:
    """Raise BlockingCheckError when a raw personal name appears as a value in any table."""
    found = names_found(tables, name_parts)
    if found:
        raise BlockingCheckError("personal names found in published tables (table, column, "
                                 f"distinct values): {found}")
