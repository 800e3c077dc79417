"""Blocking checks on our own outputs: margins add up (invariant 1) and totals reconcile with
the source (invariant 3). A failure stops publication; the previous release stays current."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from pipelines.publish.stats import DIMENSIONS

FIXED_KEYS = ("source", "snapshot", "year", "year_basis")


class BlockingCheckError(RuntimeError):
    """Our own output broke an invariant: nothing is published."""


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
    problems = []
    listed = set()
    if len(inconsistencies):
        listed = {(r.source, r.snapshot, int(r.year), r.dimension, r.cell)
                  for r in inconsistencies.itertuples()}
    for dim, others, bad in _unmet_case_margins(stats, list(fixed), list(dims)):
        for row in bad.itertuples(index=False):
            record = row._asdict()
            cell = "; ".join(f"{k}={record[k]}" for k in others
                             if k not in ("source", "snapshot", "year") and record[k] != "all")
            if (record["source"], record["snapshot"], int(record["year"]), dim, cell) not in listed:
                problems.append({**record, "dimension": dim})
    return pd.DataFrame(problems)


def _unmet_case_margins(stats: pd.DataFrame, fixed: list[str], dims: list[str]):
    """(dimension, other keys, rows) per dimension: the parts (cells other than `all` in the
    dimension) summed per margin, beside their margin's bounds (NULL where there is none),
    where the two cannot meet; rows ordered by the other keys. Grouped and joined in DuckDB,
    as the tables can hold millions of cells."""
    con = duckdb.connect()
    try:
        con.register("cells", pa.Table.from_pandas(stats, preserve_index=False))
        for dim in dims:
            others = fixed + [d for d in dims if d != dim]
            keys = ", ".join(f'"{k}"' for k in others)
            same = " AND ".join(f'p."{k}" = m."{k}"' for k in others)  # NULL keys never match, as in pandas
            bad = con.sql(f"""
                WITH parts AS (
                    SELECT {keys}, coalesce(sum(value_min), 0)::BIGINT AS parts_min,
                           coalesce(sum(value_max), 0)::BIGINT AS parts_max
                    FROM cells WHERE "{dim}" IS DISTINCT FROM 'all' GROUP BY ALL),
                margins AS (SELECT {keys}, value_min, value_max FROM cells WHERE "{dim}" = 'all')
                SELECT p.*, m.value_min, m.value_max
                FROM parts p LEFT JOIN margins m ON {same}
                WHERE m.value_min IS NULL OR p.parts_min > m.value_max OR p.parts_max < m.value_min
                ORDER BY {", ".join(f'p."{k}"' for k in others)}""").to_arrow_table()
            yield dim, others, bad.to_pandas(types_mapper=_NULLABLE_INTS.get)
    finally:
        con.close()


_NULLABLE_INTS = {pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int32Dtype()}


def check_cases(stats: pd.DataFrame, stream: str, inconsistencies: pd.DataFrame) -> None:
    """Raise BlockingCheckError when a crimes/prosecutions margin neither adds up nor is listed
    as a source inconsistency, or a published value is negative."""
    from pipelines.publish.case_stats import STREAMS  # late: case_stats imports nothing from here

    spec = STREAMS[stream]
    bad = case_margin_violations(stats, spec["fixed"], spec["dims"], inconsistencies)
    messages = []
    if len(bad):
        messages.append(f"{len(bad)} margin(s) neither add up nor are listed as source "
                        f"inconsistencies, e.g. {bad.head(3).to_dict('records')}")
    if (stats["value_min"] < 0).any():
        messages.append("negative published values")
    if messages:
        raise BlockingCheckError(f"{stream}_stats failed blocking checks: " + "; ".join(messages))


def names_found(tables: dict, name_parts: list[str]) -> list[tuple[str, str, int]]:
    """(table, column, count) of text cells whose whole value is a raw personal name (its
    fingerprint is in the `names` parts, column name_hash); frames and record tables stored
    as Parquet are both searched inside DuckDB."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.names import name_fingerprint_sql
    from pipelines.publish.stored import StoredTable, names_in

    from pipelines.publish.stored import parquet_list

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
            if isinstance(data, StoredTable):
                schema = pq.read_schema(data.path)
                text = [f.name for f in schema if pa.types.is_string(f.type)
                        or pa.types.is_large_string(f.type)]
                found += [(table, column, n) for column, n in names_in(con, data, text, "fingerprints")]
                continue
            for column in data.columns:
                if not (pd.api.types.is_string_dtype(data[column])
                        or pd.api.types.is_object_dtype(data[column])):
                    continue
                values = pd.DataFrame({"v": pd.Series(data[column].dropna().astype("str").unique(),
                                                      dtype="str")})
                con.register("cells", values)
                expr = name_fingerprint_sql("v")
                count = con.execute(f"SELECT count(*) FROM cells WHERE {expr} IN "
                                    "(SELECT name_hash FROM fingerprints)").fetchall()[0][0]
                con.unregister("cells")
                if count:
                    found.append((table, column, int(count)))
    finally:
        con.close()
    return found


def check_no_names(tables: dict, name_parts: list[str]) -> None:
    """Raise BlockingCheckError when a raw personal name appears as a value in any table."""
    found = names_found(tables, name_parts)
    if found:
        raise BlockingCheckError("personal names found in published tables (table, column, "
                                 f"distinct values): {found}")
