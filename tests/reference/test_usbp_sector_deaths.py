"""USBP Southwest Border deaths by sector and fiscal year: the publisher's "Southwest Border
Total" of each fiscal year is the published grand total (year_basis `fiscal`), read with plain
pandas (calamine) from the workbook, and the sectors add up to it. No sex is recorded: every
year's deaths are sex `not_recorded`."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.reference.published import assert_yearly, raw_folder, require_snapshot

pytestmark = pytest.mark.real

SOURCE, SNAPSHOT = "usbp_sector_deaths", "fy1998_fy2019"
FILE = "Southwest Border Deaths.xlsx"
TOTAL = "Southwest Border Total"


@pytest.fixture(scope="module")
def table(raw_root) -> pd.DataFrame:
    frame = pd.read_excel(raw_folder(raw_root, SOURCE, SNAPSHOT) / FILE, engine="calamine")
    frame["Year"] = frame["Year"].astype(int)
    frame["Deaths"] = frame["Deaths"].astype(int)
    return frame


def _totals(table: pd.DataFrame) -> pd.DataFrame:
    rows = table[table["Sector"] == TOTAL]
    return rows.rename(columns={"Year": "year", "Deaths": "exp_value"})[["year", "exp_value"]]


def test_total_per_fiscal_year_is_the_publishers_total(table, published):
    require_snapshot(published, "deaths_stats", SOURCE, SNAPSHOT)
    expected = _totals(table)
    assert len(expected) == 22 and int(expected["exp_value"].sum()) == 7805
    assert_yearly(published.stats("deaths_stats", SOURCE), SNAPSHOT, expected,
                  "USBP: Southwest Border Total per fiscal year", unit="persons", year_basis="fiscal")


def test_sex_is_not_recorded(table, published):
    assert_yearly(published.stats("deaths_stats", SOURCE), SNAPSHOT, _totals(table),
                  "USBP: deaths per fiscal year, sex not_recorded", unit="persons",
                  year_basis="fiscal", sex="not_recorded")


def test_sectors_add_up_to_the_total_in_the_file(table):
    sectors = table[table["Sector"] != TOTAL].groupby("Year")["Deaths"].sum()
    totals = table[table["Sector"] == TOTAL].set_index("Year")["Deaths"]
    assert sectors.equals(totals.loc[sectors.index])
    assert table["Sector"].nunique() == 10


def test_rows_read_and_accepted(published):
    rows = published.sources().query("source == @SOURCE")
    assert rows[["rows_read", "rows_accepted", "rows_quarantined"]].values.tolist() == [[220, 220, 0]]
