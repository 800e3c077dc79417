"""No More Deaths border-death records (the third party's merge): deaths per year and per year
and sex of every sub-source but the Pima County medical examiner (whose records the release
publishes as pcome_humane_borders), computed with pandas from the raw CSV. The year is the
file's Year column (float text), else the year of its Date; rows with neither are set aside
(year_basis `found`)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.reference.persons import check_yearly, check_yearly_by_sex, read_csv
from tests.reference.published import raw_folder

pytestmark = pytest.mark.real

SOURCE, SNAPSHOT = "nmd_border_deaths", "2026-04-29"
FILE = "border_deaths_master.csv"
SEX = {"M": "male", "Male": "male", "F": "female", "Female": "female", "U": "unknown", "": "unknown"}


def _years(frame: pd.DataFrame) -> pd.Series:
    year = pd.to_numeric(frame["Year"], errors="coerce")
    date = frame["Date"].str.strip()
    iso = pd.to_datetime(date.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    us = pd.to_datetime(date.str.split(" ").str[0], format="%m/%d/%Y", errors="coerce")
    return year.fillna(iso.dt.year).fillna(us.dt.year)


@pytest.fixture(scope="module")
def rows(raw_root) -> pd.DataFrame:
    frame = read_csv(str(raw_folder(raw_root, SOURCE, SNAPSHOT) / FILE)).copy()
    frame["year"] = _years(frame)
    return frame


def _maverick_repeats(rows: pd.DataFrame) -> pd.Index:
    """Rows of the sheet "Maverick County" with a row of the sheet "Maverick" found the same day,
    of the same sex (one for one: the n-th of a day and sex in each sheet)."""
    day = pd.to_datetime(rows["Date"].str.strip(), format="mixed", errors="coerce").dt.normalize()
    sheets = pd.DataFrame({"source": rows["Source"].str.strip(), "day": day,
                           "sex": rows["Gender"].str.strip().map(SEX)}, index=rows.index).dropna(subset=["day"])
    sheets["n"] = sheets.groupby(["source", "day", "sex"]).cumcount()
    county = sheets[sheets["source"] == "Maverick County"].reset_index()
    kept = sheets.loc[sheets["source"] == "Maverick", ["day", "sex", "n"]]
    return pd.Index(county.merge(kept, on=["day", "sex", "n"])["index"])


@pytest.fixture(scope="module")
def published_rows(rows) -> pd.DataFrame:
    """Where harmstats differs from the merged file on purpose: the Pima examiner's rows (the
    release publishes them as pcome_humane_borders) and the "Maverick County" sheet's repeats
    of the "Maverick" sheet (rule: same day and sex) are not counted."""
    others = rows[~rows["Source"].str.startswith("Pima County")]
    others = others.drop(_maverick_repeats(rows))
    return others[others["year"].notna()]


def test_the_file_holds_what_provenance_says(rows):
    assert len(rows) == 8832
    assert (rows["Source"] == "Pima County Office of the Medic").sum() == 4492
    assert rows["year"].isna().sum() == 78


def test_the_maverick_county_sheet_repeats_the_maverick_sheet(rows):
    repeats = rows.loc[_maverick_repeats(rows)]
    assert len(repeats) == (rows["Source"] == "Maverick County").sum() == 91
    assert repeats["year"].value_counts().sort_index().to_dict() == {
        2015: 2, 2016: 4, 2017: 1, 2018: 1, 2019: 1, 2021: 6, 2022: 35, 2023: 35, 2024: 6}


def test_deaths_per_year_outside_the_pima_examiner(published_rows, published):
    assert len(published_rows) == 4296 - 91
    check_yearly(published, SOURCE, SNAPSHOT, published_rows["year"].astype(int), "found",
                 "No More Deaths merge, without the Pima County examiner")


def test_deaths_per_year_and_sex(published_rows, published):
    check_yearly_by_sex(published, SOURCE, SNAPSHOT, published_rows["year"].astype(int),
                        published_rows["Gender"].str.strip().map(SEX), "found",
                        "No More Deaths merge, without the Pima County examiner")


def test_the_pima_examiners_records_are_not_counted_again(published):
    stats = published.stats("deaths_stats", SOURCE)
    assert set(stats["year_basis"]) == {"found"}
    rows = published.sources().query("source == @SOURCE")
    assert rows[["rows_read", "rows_accepted", "rows_quarantined"]].values.tolist() == [[8832, 8754, 78]]
