"""Lineage of a statistics cell: the source records that add up to a figure of `deaths_stats`.

A cell is identified by source, snapshot, year (and year basis, when a snapshot has more than
one) and its dimension values; dimensions not named are `all`. The records are found with the
same SQL the statistics are computed with (`pipelines.stats.deaths`): status, sex and age
group are *splits* of a record's count, so a record's contribution to a cell with
sex = 'female' is its `n_sex_female`; with no split dimension it is `dead_and_missing`. For
person-level sources each split is an attribute of the person, exactly as in the statistics.
The contributions of the records listed always sum to the cell's exact value.

Catalog only: this lists records of people, which never leave the catalog.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipelines.stats.deaths import (DIMENSIONS, SPLIT_CATEGORIES, SPLIT_DIMENSIONS,
                                     create_counted_view, rows_view_sql)

RECORD_COLUMNS = ("source", "snapshot", "raw_file", "raw_sha256", "raw_row", "record_id",
                  "contribution")


class CellError(ValueError):
    """The cell cannot be traced as asked (unknown dimension, ambiguous year basis, a crossing
    the statistics never publish)."""


def parse_dims(items: list[str] | None) -> dict[str, str]:
    """`["sex=female", "country_iso3=MEX"]` -> {"sex": "female", "country_iso3": "MEX"}."""
    dims: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise CellError(f"{item!r}: expected DIMENSION=VALUE, e.g. sex=female")
        if name in dims and dims[name] != value:
            raise CellError(f"dimension {name!r} given twice")
        dims[name] = value
    return normalise_dims(dims)


def normalise_dims(dims: dict[str, str] | None) -> dict[str, str]:
    """Check dimension names; drop those given as `all` (the same as not naming them)."""
    dims = dict(dims or {})
    unknown = sorted(set(dims) - set(DIMENSIONS))
    if unknown:
        raise CellError(f"unknown dimension(s) {', '.join(unknown)}; "
                        f"dimensions are: {', '.join(DIMENSIONS)}")
    return {d: str(v) for d, v in dims.items() if str(v) != "all"}


def is_person_level(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    """Whether the statistics treated `source` as person-level, read off the catalog itself:
    only person-level sources have cells crossing two splits (status, sex, age group)."""
    crossed = " + ".join(f"({d} <> 'all')::INTEGER" for d in SPLIT_DIMENSIONS)
    return bool(con.execute(f"SELECT count(*) FROM (SELECT 1 FROM deaths_stats WHERE source = ? "
                            f"AND {crossed} >= 2 LIMIT 1)", [source]).fetchall()[0][0])


def _cell_where(dims: dict[str, str]) -> tuple[str, list]:
    """WHERE clause for a deaths_stats cell: named dimensions equal, the others `all`."""
    clauses, params = [], []
    for d in DIMENSIONS:
        clauses.append(f"{d} = ?")
        params.append(dims.get(d, "all"))
    return " AND ".join(clauses), params


def year_bases(con: duckdb.DuckDBPyConnection, source: str, snapshot: str, year: int) -> list[str]:
    """Year bases published (or, failing that, recorded) for a source, snapshot and year."""
    for table in ("deaths_stats", "deaths"):
        rows = con.execute(f"SELECT DISTINCT year_basis FROM {table} WHERE source = ? AND "
                           "snapshot = ? AND year = ? ORDER BY 1", [source, snapshot, year]).fetchall()
        if rows:
            return [r[0] for r in rows]
    return []


def resolve_year_basis(con: duckdb.DuckDBPyConnection, source: str, snapshot: str, year: int,
                       year_basis: str | None) -> str | None:
    """The year basis of the cell: the one given, or the only one there is."""
    if year_basis is not None:
        return year_basis
    bases = year_bases(con, source, snapshot, year)
    if len(bases) > 1:
        raise CellError(f"{source} {snapshot} {year} is published on more than one year basis "
                        f"({', '.join(bases)}): name one (year_basis)")
    return bases[0] if bases else None


def published_cell(con: duckdb.DuckDBPyConnection, source: str, snapshot: str, year: int,
                   dims: dict[str, str] | None = None, year_basis: str | None = None) -> dict | None:
    """The cell as published in `deaths_stats` (value, suppressed, bounds), or None when the
    table has no such cell."""
    dims = normalise_dims(dims)
    basis = resolve_year_basis(con, source, snapshot, year, year_basis)
    where, params = _cell_where(dims)
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'deaths_stats'").fetchall()}
    extra = ", ".join(c for c in ("suppressed", "source_suppressed", "value_min", "value_max",
                                  "partial_year", "is_latest") if c in columns)
    rows = con.execute(
        f"SELECT year_basis, value{', ' + extra if extra else ''} FROM deaths_stats "
        f"WHERE source = ? AND snapshot = ? AND year = ? AND year_basis IS NOT DISTINCT FROM "
        f"coalesce(?, year_basis) AND {where}",
        [source, snapshot, year, basis, *params]).fetchall()
    if not rows:
        return None
    names = ["year_basis", "value"] + [c.strip() for c in extra.split(",") if c.strip()]
    cell = dict(zip(names, rows[0]))
    cell["suppressed"] = bool(cell.get("suppressed")) or cell["value"] is None
    return cell


def trace_cell(con: duckdb.DuckDBPyConnection, source: str, snapshot: str, year: int,
               dims: dict[str, str] | None = None, year_basis: str | None = None,
               person_level: bool | None = None) -> pd.DataFrame:
    """The records of table `deaths` that add up to one `deaths_stats` cell, each with its
    contribution (columns RECORD_COLUMNS, in file order). Empty when no record falls in it.

    `con` needs the table `deaths` (the catalog, read-only is fine: only temp views are made).
    `person_level` (whether each split is an attribute of the row, as for one person a row)
    defaults to what the catalog's statistics show (see is_person_level)."""
    dims = normalise_dims(dims)
    basis = resolve_year_basis(con, source, snapshot, year, year_basis)
    splits = [d for d in SPLIT_DIMENSIONS if d in dims]
    if person_level is None:
        person_level = is_person_level(con, source)
    if len(splits) > 1 and not person_level:
        raise CellError(f"{' x '.join(splits)} is not published for {source}: its rows are "
                        "incidents whose splits cover the same people again, so two splits are "
                        "never crossed")
    empty = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("raw_row", "contribution") else "str")
                          for c in RECORD_COLUMNS})
    if any(dims[s] not in SPLIT_CATEGORIES[s] for s in splits):
        return empty  # a category the statistics never produce for this split
    create_counted_view(con, "deaths")
    view = rows_view_sql(bool(person_level), splits[0] if splits else None)
    clauses = ["source = ?", "snapshot = ?", "year = ?", "year_basis IS NOT DISTINCT FROM ?"]
    params: list = [source, snapshot, year, basis]
    for d, value in dims.items():
        clauses.append(f"{d} = ?")
        params.append(value)
    sql = (f"SELECT source, snapshot, raw_file, raw_sha256, raw_row::BIGINT AS raw_row, "
           f"record_id, n::BIGINT AS contribution FROM ({view}) WHERE {' AND '.join(clauses)} "
           "ORDER BY raw_file, raw_row, record_id")
    frame = con.sql(sql, params=params).to_arrow_table().to_pandas()
    return frame if len(frame) else empty


def latest_snapshot(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """The one `is_latest` snapshot of a source (error when there are none or several)."""
    rows = [r[0] for r in con.execute("SELECT DISTINCT snapshot FROM deaths_stats WHERE "
                                      "source = ? AND is_latest ORDER BY 1", [source]).fetchall()]
    if len(rows) != 1:
        raise CellError(f"{source} has {len(rows)} latest snapshots"
                        + (f" ({', '.join(rows)}): name one" if rows else ""))
    return rows[0]
