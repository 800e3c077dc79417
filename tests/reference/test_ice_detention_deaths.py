"""ICE detention deaths (one person a row, two snapshots): deaths per year of the date of death
(year_basis `incident`, pipelines/sources/ice_detention_deaths.py) and per year and sex as
published (Male/M, Female/F; a blank sex in the FOIA extract is sex `unknown`)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.reference.persons import check_yearly, check_yearly_by_sex, read_csv
from tests.reference.published import raw_folder

pytestmark = pytest.mark.real

SOURCE = "ice_detention_deaths"
FILES = {"2026-01-29": ("all_274_deaths_detailed.csv", "Date_of_Death", "%Y-%m-%d", "Sex"),
         "2025-11-17": ("_extracted_foia_2003_2017.csv", "date_of_death", "%m/%d/%Y", "sex")}
SEX = {"male": "male", "m": "male", "female": "female", "f": "female", "": "unknown"}


@pytest.fixture(params=sorted(FILES))
def snapshot(request, raw_root):
    name = request.param
    file, date_column, date_format, sex_column = FILES[name]
    frame = read_csv(str(raw_folder(raw_root, SOURCE, name) / file))
    years = pd.to_datetime(frame[date_column].str.strip(), format=date_format).dt.year
    return name, years, frame[sex_column].str.strip().str.lower().map(SEX)


def test_deaths_per_year(snapshot, published):
    name, years, _ = snapshot
    check_yearly(published, SOURCE, name, years, "incident", f"ICE {name}: deaths per year")


def test_deaths_per_year_and_sex(snapshot, published):
    name, years, sexes = snapshot
    check_yearly_by_sex(published, SOURCE, name, years, sexes, "incident", f"ICE {name}: deaths per year")


def test_the_lists_total_as_provenance_says(raw_root):
    for name, rows in (("2026-01-29", 274), ("2025-11-17", 171)):
        file = FILES[name][0]
        assert len(read_csv(str(raw_folder(raw_root, SOURCE, name) / file))) == rows
