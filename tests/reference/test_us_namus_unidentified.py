"""NamUs unidentified persons (four state files, one person a row): remains found per year
(year of DBF, year_basis `found`) and per year and sex, in the border counties only, computed
with pandas from the raw files. The county list is written out here, independently of
pipelines/harmonize/maps/border_counties_us.csv: a change to either shows here."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.reference.persons import check_yearly, check_yearly_by_sex, read_csv
from tests.reference.published import raw_folder

pytestmark = pytest.mark.real

SOURCE, SNAPSHOT = "us_namus_unidentified", "2025-10-18"
FILES = ("arizona", "texas", "new_mexico", "california")
BORDER = {
    "California": {"San Diego", "Imperial"},
    "Arizona": {"Yuma", "Pima", "Santa Cruz", "Cochise"},
    "New Mexico": {"Hidalgo", "Luna", "Doña Ana"},
    "Texas": {"El Paso", "Hudspeth", "Presidio", "Brewster", "Terrell", "Val Verde", "Kinney",
              "Maverick", "Webb", "Zapata", "Starr", "Hidalgo", "Cameron", "Brooks", "Kenedy"},
}
SEX = {"Male": "male", "Female": "female", "Unsure": "unknown", "": "unknown"}


@pytest.fixture(scope="module")
def border_rows(raw_root) -> pd.DataFrame:
    folder = raw_folder(raw_root, SOURCE, SNAPSHOT)
    frame = pd.concat([read_csv(str(folder / f"{name}_unidentified_bodies.csv")) for name in FILES])
    listed = [county in BORDER.get(state, set()) for state, county in zip(frame["State"], frame["County"])]
    return frame[listed]


def test_remains_found_per_year(border_rows, published):
    years = pd.to_datetime(border_rows["DBF"], format="%m/%d/%Y").dt.year
    check_yearly(published, SOURCE, SNAPSHOT, years, "found", "NamUs border counties")


def test_remains_found_per_year_and_sex(border_rows, published):
    years = pd.to_datetime(border_rows["DBF"], format="%m/%d/%Y").dt.year
    check_yearly_by_sex(published, SOURCE, SNAPSHOT, years, border_rows["Biological Sex"].map(SEX),
                        "found", "NamUs border counties")


def test_the_files_hold_what_provenance_says(raw_root, border_rows):
    folder = raw_folder(raw_root, SOURCE, SNAPSHOT)
    rows = {name: len(read_csv(str(folder / f"{name}_unidentified_bodies.csv"))) for name in FILES}
    assert rows == {"arizona": 2131, "texas": 2095, "new_mexico": 302, "california": 2970}
    pima = border_rows[(border_rows["State"] == "Arizona") & (border_rows["County"] == "Pima")]
    assert len(pima) == 1313
