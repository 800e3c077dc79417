"""CBP deaths tables: CBP OPR's total per fiscal year (cbp_deaths_summary.csv) is the published
grand total, its in-custody component the published scope `in_custody`; the two files kept
as cross-checks publish nothing. The cross-checks themselves: the OPR rows of
cbp_deaths_by_source.csv repeat the summary's totals, and the in-custody column of
cbp_deaths_by_year.csv is the person-level source cbp_deaths counted per year, as the release
publishes it. Plain pandas on the raw files."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.reference.persons import read_csv
from tests.reference.published import assert_yearly, raw_folder, require_snapshot

pytestmark = pytest.mark.real

SOURCE, SNAPSHOT = "cbp_deaths_tables", "2026-01-28"


@pytest.fixture(scope="module")
def folder(raw_root):
    return raw_folder(raw_root, SOURCE, SNAPSHOT)


def _ints(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].astype(int)
    return frame


def test_opr_total_per_fiscal_year(folder, published):
    require_snapshot(published, "deaths_stats", SOURCE, SNAPSHOT)
    summary = _ints(read_csv(str(folder / "cbp_deaths_summary.csv")), "fiscal_year", "total_deaths")
    expected = summary.rename(columns={"fiscal_year": "year", "total_deaths": "exp_value"})
    assert expected.set_index("year")["exp_value"].to_dict() == {2021: 151, 2022: 171, 2023: 180}
    assert_yearly(published.stats("deaths_stats", SOURCE), SNAPSHOT, expected[["year", "exp_value"]],
                  "CBP OPR: deaths per fiscal year", unit="persons", year_basis="fiscal")


def test_opr_in_custody_per_fiscal_year(folder, published):
    summary = _ints(read_csv(str(folder / "cbp_deaths_summary.csv")), "fiscal_year", "in_custody")
    expected = summary.rename(columns={"fiscal_year": "year", "in_custody": "exp_value"})
    assert_yearly(published.stats("deaths_stats", SOURCE), SNAPSHOT, expected[["year", "exp_value"]],
                  "CBP OPR: in-custody deaths per fiscal year", unit="persons",
                  year_basis="fiscal", scope="in_custody")


def test_components_add_up_to_the_total(folder):
    summary = read_csv(str(folder / "cbp_deaths_summary.csv"))
    parts = summary[["in_custody", "cbp_involved_non_custody", "additional_requested"]].astype(int)
    assert (parts.sum(axis=1) == summary["total_deaths"].astype(int)).all()


def test_by_source_opr_rows_repeat_the_summary(folder):
    by_source = read_csv(str(folder / "cbp_deaths_by_source.csv"))
    summary = read_csv(str(folder / "cbp_deaths_summary.csv"))
    opr = by_source[by_source["source"] == "CBP OPR"]
    assert dict(zip(opr["fiscal_year"], opr["total_deaths"])) == dict(
        zip(summary["fiscal_year"], summary["total_deaths"]))
    assert dict(zip(opr["fiscal_year"], opr["in_custody_deaths"])) == dict(
        zip(summary["fiscal_year"], summary["in_custody"]))


def test_by_year_in_custody_is_cbp_deaths_counted_again(folder, published):
    by_year = _ints(read_csv(str(folder / "cbp_deaths_by_year.csv")), "Year", "In_Custody_Deaths")
    by_year = by_year[(by_year["Year"] > 1990) & (by_year["In_Custody_Deaths"] > 0)]
    expected = by_year.rename(columns={"Year": "year", "In_Custody_Deaths": "exp_value"})
    assert int(expected["exp_value"].sum()) == 61
    assert_yearly(published.stats("deaths_stats", "cbp_deaths"), "2026-01-28",
                  expected[["year", "exp_value"]], "cbp_deaths per year = cbp_deaths_by_year In_Custody",
                  unit="persons", year_basis="incident")


def test_only_the_summary_years_are_published(published):
    stats = published.stats("deaths_stats", SOURCE)
    assert set(stats["year"]) == {2021, 2022, 2023} and set(stats["year_basis"]) == {"fiscal"}
    rows = published.sources().query("source == @SOURCE").set_index("file")
    assert rows.loc["cbp_deaths_by_year.csv", ["rows_read", "rows_quarantined"]].tolist() == [18, 2]
    assert rows.loc["cbp_deaths_by_source.csv", ["rows_read", "rows_quarantined"]].tolist() == [11, 0]
