"""UNITED List of refugee deaths (The List, June 2018, onData's CSV): the number of deaths per
year of the `found dead` column and the List's total, 34,361 (UNITED's own headline figure for
the List of 5 May 2018), computed from the raw CSV with pandas.

The year is the last digits of `found dead`, however the cell is written: dd/mm/yy, "Mar 99",
"1994", or an odd form ("3010/16", "12/1/2000"); a two-digit year is 19yy from 93 (the List
starts in 1993), else 20yy. The one row with neither a date nor a number counts nowhere.
An entry counts its `number` of people, dead and missing together: every person is status
`unknown` (the List does not split them)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.reference.europe import check_yearly_sums
from tests.reference.persons import read_csv
from tests.reference.published import raw_folder

pytestmark = pytest.mark.real

SOURCE = "united_list"
SNAPSHOT = "2018-07-19"
FILE = "refugeesAndMigrants.csv"


@pytest.fixture()
def entries(raw_root):
    frame = read_csv(str(raw_folder(raw_root, SOURCE, SNAPSHOT) / FILE))
    digits = frame["found dead"].str.strip().str.extract(r"(\d{4}|\d{2})$")[0]
    two = pd.to_numeric(digits.where(digits.str.len() == 2), errors="coerce")
    year = pd.to_numeric(digits.where(digits.str.len() == 4), errors="coerce").fillna(
        two.where(two.isna(), two.where(two < 93, two - 100) + 2000))
    number = pd.to_numeric(frame["number"].replace("", None), errors="raise")
    return year, number


def test_the_lists_total(entries):
    _, number = entries
    assert int(number.sum()) == 34361


def test_deaths_per_year(entries, published):
    year, number = entries
    check_yearly_sums(published, SOURCE, SNAPSHOT, year, number, "found",
                      "UNITED: dead and missing per year")


def test_every_person_has_status_unknown(entries, published):
    year, number = entries
    check_yearly_sums(published, SOURCE, SNAPSHOT, year, number, "found",
                      "UNITED: status unknown per year", status="unknown")


def test_one_row_quarantined(published):
    quarantine = published.quarantine(SOURCE)
    assert quarantine["raw_row"].nunique() == 1
