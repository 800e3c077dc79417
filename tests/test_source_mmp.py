"""MMP: every export generation parses; IOM's arithmetic is kept and flagged, not fixed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipelines import snapshots
from pipelines.sources import mmp
from pipelines.sources.base import RawFormatError
from tests.helpers import assert_rows_reconcile, curate_real

WEB_ID_HEADER = ('"Web ID","Region of Incident","Reported Date","Reported Year","Reported Month",'
                 '"Number Dead","Minimum Estimated Number of Missing","Total Dead and Missing",'
                 '"Number of Survivors","Number of Females","Number of Males","Number of Children",'
                 '"Cause of Death","Location Description","Information Source","Location Coordinates",'
                 '"Migration Route","URL","UNSD Geographical Grouping","Source Quality"')


def _snapshot(folder: Path, name: str = "2020-01-13") -> snapshots.Snapshot:
    return snapshots.load_snapshot(folder, mmp.SOURCE, write_missing_sidecar=False)


def _web_id_file(tmp_path: Path, rows: list[str]) -> Path:
    folder = tmp_path / "mmp" / "2020-01-13"
    folder.mkdir(parents=True)
    path = folder / "data.csv"
    path.write_text("\r\n".join([WEB_ID_HEADER] + rows) + "\r\n", encoding="utf-8")
    return path


def test_thousands_separator_is_a_number(tmp_path):
    path = _web_id_file(tmp_path, [
        '"1","Mediterranean","January 13, 2020","2020","Jan","750","272","1,022","","","","",'
        '"Drowning","x","y","1, 2","","","Uncategorized","3"'])
    part = mmp.to_curated(mmp.read_raw(path), _snapshot(path.parent))
    assert part.records["dead_and_missing"].tolist() == [1022]
    assert part.records["year_basis"].tolist() == ["reported"]


def test_inconsistent_split_keeps_total_and_flags(tmp_path):
    path = _web_id_file(tmp_path, [
        '"1","Mediterranean","January 13, 2020","2020","Jan","2","","2","","2","1","3",'
        '"Drowning","x","y","1, 2","","","Uncategorized","3"'])
    record = mmp.to_curated(mmp.read_raw(path), _snapshot(path.parent)).records.iloc[0]
    assert record["dead_and_missing"] == 2
    assert record["sex_unknown"] == 2  # the whole row goes to unknown, never spread
    assert "sex_split_exceeds_total" in record["flags"]
    assert "children_exceed_total" in record["flags"]


def test_bad_count_goes_to_quarantine_with_row_and_column(tmp_path):
    path = _web_id_file(tmp_path, [
        '"1","Mediterranean","January 13, 2020","2020","Jan","1","","1","","","","","Drowning",'
        '"x","y","1, 2","","","Uncategorized","3"',
        '"2","Mediterranean","January 13, 2020","2020","Jan","two","","2","","","","","Drowning",'
        '"x","y","1, 2","","","Uncategorized","3"'])
    part = mmp.to_curated(mmp.read_raw(path), _snapshot(path.parent))
    assert len(part.records) == 1 and part.rows_quarantined == 1
    q = part.quarantine.iloc[0]
    assert (q["raw_row"], q["column"], q["value"]) == (3, "Number Dead", "two")


def test_repeated_publisher_id_is_a_duplicate(tmp_path):
    row = ('"7","Mediterranean","January 13, 2020","2020","Jan","1","","1","","","","","Drowning",'
           '"x","y","1, 2","","","Uncategorized","3"')
    path = _web_id_file(tmp_path, [row, row])
    part = mmp.to_curated(mmp.read_raw(path), _snapshot(path.parent))
    assert len(part.records) == 1
    assert part.quarantine["check"].tolist() == ["record_id_unique"]


def test_unknown_header_fails_loudly_naming_columns(tmp_path):
    path = _web_id_file(tmp_path, [])
    path.write_text(WEB_ID_HEADER.replace('"Number Dead"', '"Dead"') + "\n", encoding="utf-8")
    with pytest.raises(RawFormatError, match="missing columns \\['Number Dead'\\].*new columns \\['Dead'\\]"):
        mmp.read_raw(path)


def test_kaggle_copy_identical_rows_are_separate_incidents(tmp_path):
    folder = tmp_path / "mmp" / "kaggle_2023"
    folder.mkdir(parents=True)
    header = ("Incident Type,Incident year,Reported Month,Region of Origin,Region of Incident,"
              "Country of Origin,Number of Dead,Minimum Estimated Number of Missing,"
              "Total Number of Dead and Missing,Number of Survivors,Number of Females,Number of Males,"
              "Number of Children,Cause of Death,Migration route,Location of death,Information Source,"
              "Coordinates,UNSD Geographical Grouping")
    row = ('Incident,2016,May,Central America,North America,"Guatemala,Mexico",1,0,1,0,0,0,0,'
           'Violence,US-Mexico border crossing,somewhere,someone,"31.6, -110.3",Northern America')
    path = folder / "Global Missing Migrants Dataset.csv"
    path.write_text("\ufeff" + "\n".join([header, row, row]) + "\n", encoding="utf-8")
    records = mmp.to_curated(mmp.read_raw(path), _snapshot(folder)).records
    assert len(records) == 2 and records["record_id"].is_unique
    assert records["nationality"].tolist() == ["MULTIPLE", "MULTIPLE"]
    assert records["criminal"].tolist() == ["criminal", "criminal"]


# --- real files -----------------------------------------------------------------------------

REAL_SNAPSHOTS = ["2017_kaggle", "2019-12-31", "2020-01-13", "2022-02-20", "2022-05-15",
                  "kaggle_2023", "2024-11-21", "2025-05-05", "2026-05-06"]


@pytest.fixture(scope="module")
def real_parts(real_dir):
    parts = {}
    for name in REAL_SNAPSHOTS:
        _, raw, part = curate_real(real_dir, mmp, name)
        parts[name] = (raw, part)
    return parts


@pytest.mark.real
def test_every_real_export_parses_and_rows_reconcile(real_parts):
    versions = {name: raw.format_version for name, (raw, _) in real_parts.items()}
    assert len(set(versions.values())) == 7, versions
    for name, (raw, part) in real_parts.items():
        assert_rows_reconcile(part, name)
        assert part.rows_quarantined <= 0.01 * part.rows_read, name


@pytest.mark.real
def test_published_figures_2020_01_13(real_parts):
    records = real_parts["2020-01-13"][1].records
    assert records["dead_and_missing"].sum() == 34_688
    by_region = records.groupby("region")["dead_and_missing"].sum()
    assert by_region["US-Mexico Border"] == 2_405
    assert by_region["Mediterranean"] == 19_299


@pytest.mark.real
def test_source_total_kept_over_accepted_rows(real_parts):
    for name, (raw, part) in real_parts.items():
        totals = mmp.row_totals(raw)
        accepted_rows = set(part.records["raw_row"])
        expected = totals[pd.Series(raw.raw_rows).isin(accepted_rows).to_numpy()].sum()
        assert part.records["dead_and_missing"].sum() == expected, name


@pytest.mark.real
def test_multi_valued_origins_count_once(real_parts):
    records = real_parts["2025-05-05"][1].records
    multi = records[records["nationality_native"].fillna("").str.contains(",")]
    assert len(multi) > 400
    assert set(multi["nationality"]) <= {"MULTIPLE", "UNKNOWN"}


@pytest.mark.real
def test_iom_arithmetic_is_flagged_not_quarantined(real_parts):
    records = real_parts["2025-05-05"][1].records
    negative = records[records["flags"].str.contains("negative_count")]
    assert len(negative) >= 1 and (negative["dead_and_missing"] >= 0).all()
    assert records["flags"].str.contains("sex_split_exceeds_total").sum() > 10
    assert records["flags"].str.contains("year_from_record_id").sum() == 13


@pytest.mark.real
def test_causes_and_criminal_flag_are_conservative(real_parts):
    records = real_parts["2025-05-05"][1].records
    crosstab = pd.crosstab(records["cause"], records["criminal"])
    assert set(crosstab.columns) == {"criminal", "non_criminal", "undetermined"}
    for cause in ("drowning", "transport", "environmental_exposure"):
        assert crosstab.loc[cause, "criminal"] == 0 and crosstab.loc[cause, "non_criminal"] == 0
    assert crosstab.loc["violence", "criminal"] == crosstab.loc["violence"].sum()
