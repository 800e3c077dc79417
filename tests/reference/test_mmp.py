"""IOM Missing Migrants Project: every export in ../shared/data/real/mmp, CSV and XLSX, five
header generations (PROVENANCE.md section 1), read with pandas and openpyxl.

The publisher's yearly figure is the sum of its own total column ("Total Number of Dead and
Missing", "Total Dead and Missing"; dead + missing where the export has none: the 2017 Kaggle
copy and the 2026 export) by its own year column:

- "Incident year" / "Incident Year" / "Year": year_basis `incident`;
- "Reported Year", and the date of the 2017 copy (dd/mm/yyyy, no year column): `reported`
  (pipelines/sources/mmp.py: those exports date incidents by when they were reported);
- a row whose year column and date are blank has only its Incident ID's "2020." prefix: it
  counts under year_basis `record_id` (DATA_MODEL.md), so that each basis sums to what the
  publisher's own column gives.

Quirks handled here on purpose: the thousands separator of "1,022" (2020-01-13), float cells of
the XLSX exports ("5.0"), negative missing counts (kept: IOM's total already nets them).
"""

from __future__ import annotations

import functools
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests import real_release
from tests.reference.published import Published, assert_yearly, raw_folder, require_snapshot

pytestmark = pytest.mark.real

SOURCE = "mmp"
TOTAL_COLUMNS = ("Total Number of Dead and Missing", "Total Dead and Missing")
DEAD_COLUMNS = ("Number of Dead", "Number Dead", "dead")
MISSING_COLUMNS = ("Minimum Estimated Number of Missing", "missing")
YEAR_COLUMNS = {"Incident Year": "incident", "Incident year": "incident", "Year": "incident",
                "Reported Year": "reported"}
DATE_ONLY = {"date": ("%d/%m/%Y", "reported")}  # the 2017 Kaggle copy
ID_COLUMNS = ("Incident ID", "Web ID", "id")


def snapshot_names() -> list[str]:
    folder = real_release.real_dir() / SOURCE
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def data_file(folder: Path) -> Path:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
    assert len(files) == 1, f"one export per MMP snapshot: {files}"
    return files[0]


@functools.cache
def read_export(path: str) -> pd.DataFrame:
    """The export with its header as published: CSV cells as text ("" for blank), XLSX cells
    as openpyxl gives them (read column by column with `text`)."""
    if path.lower().endswith(".xlsx"):
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()
            rows = list(sheet.iter_rows(values_only=True))
        finally:
            book.close()
        header = [str(c) for c in rows[0] if c is not None]
        body = [(tuple(r) + (None,) * len(header))[:len(header)]
                for r in rows[1:] if any(c is not None for c in r)]
        return pd.DataFrame(body, columns=header, dtype=object)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def text(column: pd.Series) -> pd.Series:
    """A column as the text a reader sees: blank "", a float cell of the XLSX 5.0 as "5"."""
    return column.map(lambda c: "" if c is None or c == "" else
                      str(int(c)) if isinstance(c, float) and c.is_integer() else str(c))


def counts(column: pd.Series) -> pd.Series:
    """Whole numbers as the publisher writes them ("1,022", "5.0", "-1"); blank is null."""
    written = text(column).str.strip().str.replace(",", "", regex=False)
    number = pd.to_numeric(written.where(written != ""), errors="raise")
    assert (number.dropna() % 1 == 0).all()
    return number.astype("Int64")


def first_present(frame: pd.DataFrame, names) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def publisher_yearly(frame: pd.DataFrame) -> pd.DataFrame:
    """The publisher's total per (year, year_basis): its total column (or dead + missing) summed
    by its own year column, the date where it has no year column, else the record id's year."""
    total_column = first_present(frame, TOTAL_COLUMNS)
    if total_column:
        total = counts(frame[total_column])
    else:
        dead = counts(frame[first_present(frame, DEAD_COLUMNS)])
        missing = counts(frame[first_present(frame, MISSING_COLUMNS)])
        total = dead.fillna(0) + missing.fillna(0)
        total = total.where(dead.notna() | missing.notna())
    year_column = first_present(frame, YEAR_COLUMNS)
    if year_column:
        year = counts(frame[year_column])
        basis = pd.Series(YEAR_COLUMNS[year_column], index=frame.index)
    else:
        (date_column, (date_format, basis_name)), = [(c, f) for c, f in DATE_ONLY.items()
                                                    if c in frame.columns]
        written = text(frame[date_column]).str.strip()
        dates = pd.to_datetime(written.where(written != ""), format=date_format)
        year = dates.dt.year.astype("Int64")
        basis = pd.Series(basis_name, index=frame.index)
    id_column = first_present(frame, ID_COLUMNS)
    if id_column:
        from_id = pd.to_numeric(text(frame[id_column]).str.extract(r"^(\d{4})\.", expand=False))
        use_id = year.isna() & from_id.notna()
        year = year.fillna(from_id.astype("Int64"))
        basis = basis.where(~use_id, "record_id")
    rows = pd.DataFrame({"year": year, "year_basis": basis, "total": total})
    rows = rows[rows["year"].notna() & rows["total"].notna()]
    yearly = rows.groupby(["year", "year_basis"], as_index=False)["total"].sum()
    return yearly.rename(columns={"total": "exp_value"})


@pytest.fixture(scope="module", params=snapshot_names() or [pytest.param("none", marks=pytest.mark.skip(
        reason="no MMP snapshot in the real folder"))])
def export(request, raw_root, published):
    name = request.param
    folder = raw_folder(raw_root, SOURCE, name)
    require_snapshot(published, "deaths_stats", SOURCE, name)
    return name, read_export(str(data_file(folder)))


def test_yearly_totals_per_year_basis_are_the_publishers(export, published: Published):
    """deaths_stats grand total (every dimension `all`) per snapshot, year and year_basis = the
    publisher's total column summed by its own year column; no other year or basis."""
    name, frame = export
    expected = publisher_yearly(frame)
    assert len(expected)
    assert_yearly(published.stats("deaths_stats", SOURCE), name, expected,
                  f"MMP {name}: yearly dead and missing", by=("year", "year_basis"), unit="persons")


def test_the_known_quirks_are_read(raw_root):
    """The reference reads the quirks PROVENANCE.md names (it can fail): 2020-01-13 totals
    34,688 only with "1,022" read as 1022; the 2025 export has 13 rows whose year comes from
    the Incident ID (2020)."""
    web = publisher_yearly(read_export(str(data_file(raw_folder(raw_root, SOURCE, "2020-01-13")))))
    assert web["exp_value"].sum() == 34_688
    latest = publisher_yearly(read_export(str(data_file(raw_folder(raw_root, SOURCE, "2025-05-05")))))
    by_id = latest[latest["year_basis"] == "record_id"]
    assert list(by_id["year"]) == [2020]
