"""CBP-involved deaths (ACLU/SBCC list, one person a row): deaths per year of the list's own
Year column, which agrees with its Date_Standardized (year_basis `incident`,
pipelines/sources/cbp_deaths.py). The list has no sex column: every year's deaths are sex
`not_recorded` (DATA_MODEL.md: an unrecorded dimension is not_recorded), none female or male."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.reference.persons import check_yearly, read_csv
from tests.reference.published import assert_yearly, raw_folder, require_snapshot

pytestmark = pytest.mark.real

SOURCE = "cbp_deaths"
SNAPSHOT = "2026-01-28"
FILE = "cbp_deaths_in_custody.csv"


@pytest.fixture()
def years(raw_root):
    frame = read_csv(str(raw_folder(raw_root, SOURCE, SNAPSHOT) / FILE))
    years = pd.to_numeric(frame["Year"], errors="raise").astype(int)
    standardized = pd.to_datetime(frame["Date_Standardized"], format="%Y-%m-%d").dt.year
    assert (years == standardized).all(), frame.loc[years != standardized, ["Year", "Date_Standardized"]]
    return years


def test_deaths_per_year(years, published):
    check_yearly(published, SOURCE, SNAPSHOT, years, "incident", "CBP: deaths per year")


def test_sex_is_not_recorded_for_every_death(years, published):
    require_snapshot(published, "deaths_stats", SOURCE, SNAPSHOT)
    expected = years.value_counts().rename_axis("year").reset_index(name="exp_value")
    assert_yearly(published.stats("deaths_stats", SOURCE), SNAPSHOT, expected,
                  "CBP: deaths per year, sex not_recorded", unit="persons", year_basis="incident",
                  sex="not_recorded")
    stats = published.stats("deaths_stats", SOURCE)
    assert not stats["sex"].isin(["female", "male"]).any()
