"""Pima County Office of the Medical Examiner / Humane Borders (one person a row, three
snapshots): people per year of the Reporting Date (year_basis `reported`, per
pipelines/sources/pcome_humane_borders.py), and per year and sex (male, female; `undetermined`
and blank are sex `unknown`). The 2018 copy writes dates m/d/yy: years 00-18 are 20xx (its last
date is 2018-09-25), 19-99 are 19xx (its first is 1981-11-25)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.reference.persons import check_yearly, check_yearly_by_sex, read_csv
from tests.reference.published import raw_folder

pytestmark = pytest.mark.real

SOURCE = "pcome_humane_borders"
FILES = {"2022-03-28": "ogis_data_original.csv", "2021-02-24": "ogis_migrant_deaths.csv",
         "2018-10": "ogis_migrant_deaths1.csv"}
SEX = {"male": "male", "female": "female", "undetermined": "unknown", "": "unknown"}


def years_and_sexes(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    if "Reporting Date" in frame.columns:
        years = pd.to_datetime(frame["Reporting Date"], format="%Y-%m-%d").dt.year
        sexes = frame["Sex"]
    else:
        two_digits = frame["Reporting_Date"].str.extract(r"^\d{1,2}/\d{1,2}/(\d{2})$")[0].astype(int)
        years = two_digits + two_digits.le(18).map({True: 2000, False: 1900})
        sexes = frame["Sex"]
    return years.astype(int), sexes.str.strip().str.lower().map(SEX)


@pytest.fixture(params=sorted(FILES))
def snapshot(request, raw_root):
    name = request.param
    frame = read_csv(str(raw_folder(raw_root, SOURCE, name) / FILES[name]))
    return name, *years_and_sexes(frame)


def test_people_per_year_of_the_reporting_date(snapshot, published):
    name, years, _ = snapshot
    check_yearly(published, SOURCE, name, years, "reported", f"Pima County {name}: people per year")


def test_people_per_year_and_sex(snapshot, published):
    name, years, sexes = snapshot
    check_yearly_by_sex(published, SOURCE, name, years, sexes, "reported",
                        f"Pima County {name}: people per year")


def test_two_digit_years_cover_the_documented_range(raw_root):
    years, _ = years_and_sexes(read_csv(str(raw_folder(raw_root, SOURCE, "2018-10") / FILES["2018-10"])))
    assert (years.min(), years.max(), len(years)) == (1981, 2018, 2989)
