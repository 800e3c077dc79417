"""Reading the real release as a reader of DATA_MODEL.md would: the statistics tables, the
quarantine and source_inconsistencies, from OUT/harmstats.duckdb opened read-only; and comparing
expected cells (computed from the raw files) with the published ones.

A statistics cell is named by the fixed columns a test gives (snapshot, year, year_basis, unit,
subject, stage) and by its dimensions: every dimension a test does not name is `all`. Which
columns are dimensions is read from the table itself (everything that is neither a fixed column
nor a measure), so a dimension added later is `all` here too.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
import pandas as pd
import pytest

# Columns that are not dimensions: the fixed columns of DATA_MODEL.md, and `breakdown` (which
# split a cell belongs to: a label of the cell, not part of its name).
FIXED = {"source", "snapshot", "is_latest", "year", "year_basis", "partial_year", "unit",
         "subject", "stage", "population", "breakdown"}
MEASURES = ["value", "value_min", "value_max", "suppressed", "source_suppressed"]
EXPECTED = ["exp_value", "exp_min", "exp_max"]
SHOWN = 25  # mismatching cells printed in a failure message


class Published:
    """The tables of one OUT folder, each read once (tests share one instance per session)."""

    def __init__(self, out: Path):
        self.out = out

    @functools.cache
    def _query(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        con = duckdb.connect(str(self.out / "harmstats.duckdb"), read_only=True)
        try:
            return con.execute(sql, list(params)).df()
        finally:
            con.close()

    def stats(self, table: str, source: str) -> pd.DataFrame:
        """One source's rows of a statistics table."""
        return self._query(f"SELECT * FROM {table} WHERE source = ?", (source,))

    def quarantine(self, source: str) -> pd.DataFrame:
        return self._query("SELECT * FROM quarantine WHERE source = ?", (source,))

    def inconsistencies(self, source: str) -> pd.DataFrame:
        return self._query("SELECT * FROM source_inconsistencies WHERE source = ?", (source,))

    def sources(self) -> pd.DataFrame:
        return self._query("SELECT * FROM sources")

    def snapshots(self, table: str, source: str) -> set[str]:
        return set(self._query(f"SELECT DISTINCT snapshot FROM {table} WHERE source = ?",
                               (source,))["snapshot"])


def dimensions(stats: pd.DataFrame) -> list[str]:
    """The dimension columns of a statistics table."""
    return [c for c in stats.columns if c not in FIXED and c not in MEASURES]


def require_snapshot(published: Published, table: str, source: str, snapshot: str) -> None:
    """A snapshot whose raw folder is there must be in the release (a failure, not a skip)."""
    found = published.snapshots(table, source)
    assert snapshot in found, (f"{source}/{snapshot} is in the raw folder but not in {table} "
                               f"(snapshots published: {sorted(found)})")


def raw_folder(root: Path, source: str, snapshot: str) -> Path:
    """One real snapshot folder, or a skip naming it."""
    folder = root / source / snapshot
    if not folder.is_dir():
        pytest.skip(f"real snapshot {folder} not found")
    return folder


def lookup(stats: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Each expected cell with the published row of the same cell (measures null where none).
    Dimensions the expected frame does not name are `all`; the published cells must be unique
    on the columns compared (two published rows for one cell is itself an error)."""
    exp = expected.copy()
    for dim in dimensions(stats):
        if dim not in exp.columns:
            exp[dim] = "all"
    keys = [c for c in exp.columns if c in stats.columns and c not in MEASURES]
    unknown = [c for c in exp.columns if c not in stats.columns and c not in EXPECTED
               and not c.startswith("raw_")]
    assert not unknown, f"expected cells name columns the table does not have: {unknown}"
    published = stats[keys + MEASURES]
    repeated = published[published.duplicated(keys, keep=False)]
    relevant = repeated.merge(exp[keys].drop_duplicates(), on=keys)
    assert relevant.empty, ("several published rows for one cell:\n"
                            + relevant.head(SHOWN).to_string())
    return exp.merge(published, on=keys, how="left")


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.astype("Int64"), b.astype("Int64")
    return ((a == b).fillna(False) | (a.isna() & b.isna())).astype(bool)


def differences(merged: pd.DataFrame) -> pd.DataFrame:
    """The rows of `lookup` whose published value, value_min or value_max is not the expected
    one (a missing published cell differs too)."""
    ok = (_same(merged["value"], merged["exp_value"]) & _same(merged["value_min"], merged["exp_min"])
          & _same(merged["value_max"], merged["exp_max"]))
    return merged[~ok]


def assert_cells(stats: pd.DataFrame, expected: pd.DataFrame, what: str,
                 show: list[str] | None = None) -> pd.DataFrame:
    """Every expected cell is published with exactly the expected value and bounds."""
    assert len(expected), f"no expected cells for {what}: the reference found nothing to check"
    merged = lookup(stats, expected)
    wrong = differences(merged)
    if len(wrong):
        columns = [c for c in (show or []) if c in wrong.columns]
        columns += [c for c in wrong.columns if c.startswith("raw_") and c not in columns]
        columns += EXPECTED + ["value", "value_min", "value_max"]
        missing = int(wrong["value_min"].isna().sum())
        pytest.fail(f"{what}: {len(wrong)} of {len(merged)} cells differ from the publisher "
                    f"({missing} not published at all):\n"
                    + wrong[columns].head(SHOWN).to_string(index=False), pytrace=False)
    return merged


def exact(values: pd.Series) -> pd.DataFrame:
    """Expected measures for published counts: value = min = max."""
    v = values.astype("Int64")
    return pd.DataFrame({"exp_value": v, "exp_min": v, "exp_max": v}, index=values.index)


def parse_cell(text: str) -> dict[str, str]:
    """`source_inconsistencies.cell` ("unit=persons; country_iso3=ROU; ...") as a dict."""
    pairs = [p.split("=", 1) for p in str(text).split(";") if "=" in p]
    return {k.strip(): v.strip() for k, v in pairs}


def margin_rows(stats: pd.DataFrame, snapshot: str, free: tuple[str, ...] = (), **cell) -> pd.DataFrame:
    """The published rows of one snapshot whose dimensions are the given values, any category
    but `all` for the `free` dimensions, and `all` elsewhere; fixed columns given are matched,
    the others (year, year_basis ...) are left free."""
    rows = stats[stats["snapshot"] == snapshot]
    for dim in dimensions(stats):
        if dim in free:
            rows = rows[rows[dim] != "all"]
        else:
            rows = rows[rows[dim] == cell.get(dim, "all")]
    for column, value in cell.items():
        if column not in dimensions(stats):
            rows = rows[rows[column] == value]
    return rows


def assert_yearly(stats: pd.DataFrame, snapshot: str, expected: pd.DataFrame, what: str,
                  by: tuple[str, ...] = ("year",), **cell) -> pd.DataFrame:
    """Expected figures (columns `by` and `exp_value`, exact counts) are the published cells
    named by `by` and `cell` (dimensions named by neither are `all`), and the release publishes
    no such cell the publisher's file has no figure for (another year, basis or category)."""
    exp = expected.copy()
    exp["exp_value"] = exp["exp_value"].astype("Int64")
    exp["exp_min"] = exp["exp_value"]
    exp["exp_max"] = exp["exp_value"]
    exp["snapshot"] = snapshot
    for column, value in cell.items():
        exp[column] = value
    if "year" in exp.columns:
        exp["year"] = exp["year"].astype("int32")
    merged = assert_cells(stats, exp, what, show=list(by) + list(cell))
    free = tuple(c for c in by if c in dimensions(stats))
    published = margin_rows(stats, snapshot, free=free, **cell)
    extra = (published[list(by)].drop_duplicates()
             .merge(exp[list(by)].drop_duplicates(), on=list(by), how="left", indicator=True))
    extra = extra[extra["_merge"] == "left_only"]
    assert extra.empty, (f"{what}: published for {list(by)} the publisher's file has no figure for:\n"
                         + published.merge(extra[list(by)], on=list(by))[list(by) + MEASURES]
                         .head(SHOWN).to_string(index=False))
    return merged
