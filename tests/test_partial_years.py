"""Years that stop early, and years read from the publisher's record id: `partial_year` comes
from where a snapshot's records stop as well as from its sidecar, and a year taken from an
MMP id is on its own `year_basis` (`record_id`)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pipelines.sources import fbi_hate_crime as fbi
from pipelines.sources import mmp, unodc_glotip
from pipelines.sources import mx_sesnsp as sesnsp
from pipelines.sources.curate import records_end
from pipelines.sources.process import process_source
from pipelines.stats.deaths import DIMENSIONS
from pipelines.stats.tables import build_tables
from tests.helpers import curate, curate_real, write_snapshot
from tests.test_source_fbi_hate_crime import INCIDENT_HEADER, _incident

KAGGLE_HEADER = ("Incident Type,Incident year,Reported Month,Region of Origin,Region of Incident,"
                 "Country of Origin,Number of Dead,Minimum Estimated Number of Missing,"
                 "Total Number of Dead and Missing,Number of Survivors,Number of Females,"
                 "Number of Males,Number of Children,Cause of Death,Migration route,"
                 "Location of death,Information Source,Coordinates,UNSD Geographical Grouping")
EXPORT_2024_HEADER = ("Main ID,Incident ID,Incident Type,Region of Incident,Incident Date,"
                      "Incident Year,Month,Number of Dead,Minimum Estimated Number of Missing,"
                      "Total Number of Dead and Missing,Number of Survivors,Number of Females,"
                      "Number of Males,Number of Children,Country of Origin,Region of Origin,"
                      "Cause of Death,Country of Incident,Migration Route,Location of Incident,"
                      "Coordinates,UNSD Geographical Grouping,Information Source,URL,Source Quality")


def _kaggle_row(year: int, month: str, total: int) -> str:
    return (f'Incident,{year},{month},Central America,North America,Guatemala,{total},0,{total},0,'
            f'0,0,0,Drowning,US-Mexico border crossing,somewhere,someone,"31.6, -110.3",'
            "Northern America")


def _export_row(incident_id: str, date_text: str, year: str, month: str, total: int) -> str:
    return (f"{incident_id},{incident_id},Incident,Northern America,{date_text},{year},{month},"
            f"{total},,{total},,,,,Mexico,Central America,Drowning,United States of America,"
            'US-Mexico border crossing,somewhere,"31.6, -110.3",Northern America,someone,,3')


def _release(raw_dir, tmp_path, source: str) -> dict:
    summary = process_source(source, raw_dir, "all", tmp_path / "work")
    assert all(f["status"] == "ok" for f in summary["files"]), summary["files"]
    return build_tables(raw_dir, [summary], store_dir=tmp_path / "store")


def _grand_totals(stats: pd.DataFrame, dims=DIMENSIONS) -> dict:
    grand = stats[(stats[list(dims)] == "all").all(axis=1)]
    return {(int(r.year), r.year_basis): (int(r.value), bool(r.partial_year))
            for r in grand.itertuples()}


# --- where records stop -----------------------------------------------------------------------

def test_records_end_is_the_end_of_the_latest_month_a_record_is_dated_in():
    dated = pd.Series(pd.to_datetime(["2023-01-05", "2023-07-01", None, "2022-12-31"]))
    assert records_end(dated) == date(2023, 7, 31)
    assert records_end(pd.Series(pd.to_datetime(["2019-12-02"]))) == date(2019, 12, 31)
    assert records_end(pd.Series([], dtype="datetime64[s]")) is None  # years only: unknown


def test_a_file_cut_short_stops_before_the_year_of_its_last_record():
    years = pd.Series([1991, 1991, 1992], dtype="Int32")
    dated = pd.Series(pd.to_datetime(["1991-03-01", "1991-12-30", "1992-12-30"]))
    # The dates reach December 1992, but the file ends inside a record: 1992 stops in the file.
    assert records_end(dated, years, cut=True) == date(1991, 12, 31)
    assert records_end(dated, years, cut=False) == date(1992, 12, 31)
    # Not in year order: any year may be short.
    assert records_end(pd.Series([], dtype="datetime64[s]"),
                       pd.Series([1992, 1991, 1992], dtype="Int32"), cut=True) == date(1990, 12, 31)


def test_truncated_incident_file_gives_a_partial_last_year(tmp_path):
    # Sorted by state, not by date: 1992's records reach December, yet the file is cut in 1992.
    lines = [INCIDENT_HEADER, _incident("3015"), _incident("3016", date="30-DEC-91"),
             _incident("3018", year="1992", date="03-JAN-92"),
             _incident("3019", year="1992", date="28-DEC-92", state="AZ"),
             '8883,1992,"']
    snap, path = write_snapshot(tmp_path / "raw", fbi, "cde_incidents_truncated_1991_1992",
                                "hate_crime.csv", "\n".join(lines).encode(),
                                ("1991-01-01", "1992-12-31"), kind="partial")
    _, part = curate(fbi, snap, path)
    assert part.records_end == date(1991, 12, 31)
    tables = _release(tmp_path / "raw", tmp_path, "fbi_hate_crime")
    assert tables["sources"]["records_end"].tolist() == ["1991-12-31"]
    stats = pd.read_parquet(tables["crimes_stats"].path)
    grand = stats[(stats[["sex", "nationality", "bias_motivation", "country_iso3", "crime_type",
                          "sgbv"]] == "all").all(axis=1) & (stats["race_ethnicity"] == "all")]
    partial = grand.groupby("year")["partial_year"].agg(["all", "any"])
    assert partial.loc[1992].tolist() == [True, True]
    assert partial.loc[1991].tolist() == [False, False]


def test_a_copy_cut_mid_year_marks_its_last_year_partial_in_chunks(tmp_path, monkeypatch):
    # The Kaggle 2023 copy: years and months only, the sidecar says the whole of 2023.
    monkeypatch.setenv("HARMSTATS_CHUNK_ROWS", "2")  # the chunked path: the latest chunk's month wins
    rows = [_kaggle_row(2022, "December", 4), _kaggle_row(2023, "January", 1),
            _kaggle_row(2023, "July", 2), _kaggle_row(2023, "March", 3), _kaggle_row(2022, "May", 5)]
    snap, path = write_snapshot(tmp_path / "raw", mmp, "kaggle_2023",
                                "Global Missing Migrants Dataset.csv",
                                ("\ufeff" + "\n".join([KAGGLE_HEADER] + rows) + "\n").encode(),
                                ("2014-01-01", "2023-12-31"), kind="derived")
    tables = _release(tmp_path / "raw", tmp_path, "mmp")
    assert tables["sources"]["records_end"].tolist() == ["2023-07-31"]
    assert _grand_totals(tables["deaths_stats"]) == {(2022, "incident"): (9, False),
                                                     (2023, "incident"): (6, True)}


def test_sidecar_period_still_marks_a_year_the_records_fill(tmp_path):
    rows = [_kaggle_row(2023, "December", 2)]
    write_snapshot(tmp_path / "raw", mmp, "kaggle_2023", "Global Missing Migrants Dataset.csv",
                   ("\n".join([KAGGLE_HEADER] + rows) + "\n").encode(), ("2014-01-01", "2023-12-15"),
                   kind="derived")
    tables = _release(tmp_path / "raw", tmp_path, "mmp")
    assert tables["sources"]["records_end"].tolist() == ["2023-12-31"]
    assert _grand_totals(tables["deaths_stats"]) == {(2023, "incident"): (2, True)}


# --- a year read from the record id -----------------------------------------------------------

def test_year_from_record_id_has_its_own_basis(tmp_path):
    rows = [_export_row("2020.MMP01074", "", "", "", 1),           # no date, year or month
            _export_row("2020.MMP01075", "", "2020", "March", 4),   # no date, the year column
            _export_row("2020.MMP00001", "2020-02-03", "2020", "February", 2),
            _export_row("2021.MMP00001", "2021-12-03", "2021", "December", 8)]
    write_snapshot(tmp_path / "raw", mmp, "2025-05-05", "export.csv",
                   ("\n".join([EXPORT_2024_HEADER] + rows) + "\n").encode(), ("2014-01-01", "2025-04-29"))
    tables = _release(tmp_path / "raw", tmp_path, "mmp")
    records = pd.read_parquet(tables["deaths"].path).set_index("record_id")
    assert records.loc["2020.MMP01074", ["year", "year_basis"]].tolist() == [2020, "record_id"]
    assert "year_from_record_id" in records.loc["2020.MMP01074", "flags"]
    assert (records.drop("2020.MMP01074")["year_basis"] == "incident").all()
    # Each basis sums to the publisher's own column: Incident Year (or the date) on `incident`,
    # the id's prefix alone on `record_id`.
    assert _grand_totals(tables["deaths_stats"]) == {(2020, "incident"): (6, False),
                                                     (2020, "record_id"): (1, False),
                                                     (2021, "incident"): (8, False)}


# --- real files --------------------------------------------------------------------------------

@pytest.mark.real
@pytest.mark.parametrize("name, rows, total", [("2025-05-05", 13, 13), ("2024-11-21", 0, 0),
                                               ("2022-05-15", 0, 0)])
def test_real_mmp_years_from_record_ids(real_dir, name, rows, total):
    # 2025-05-05: 13 rows (2020.MMP01074...) have no date, year or month; in 2024-11-21 and
    # 2022-05-15 the same incidents carry the publisher's Incident Year (PROVENANCE 1.1-1.3).
    _, _, part = curate_real(real_dir, mmp, name)
    by_id = part.records[part.records["year_basis"] == "record_id"]
    assert (len(by_id), int(by_id["dead_and_missing"].sum())) == (rows, total)
    assert (by_id["year"] == 2020).all()
    assert by_id["record_id"].str.startswith("2020.MMP").all()


@pytest.mark.real
@pytest.mark.parametrize("module, name, end", [
    (mmp, "kaggle_2023", date(2023, 7, 31)),        # 565 incidents of 2023, the last in July
    (mmp, "2025-05-05", date(2025, 4, 30)),
    (fbi, "cde_incidents_truncated_1991_1992", date(1991, 12, 31)),  # cut inside 1992
    (sesnsp, "2026-03", date(2026, 3, 31)),          # January to March filled
    (unodc_glotip, "2025-04-14", None),              # years only: the sidecar decides
])
def test_real_records_end(real_dir, module, name, end):
    _, _, part = curate_real(real_dir, module, name)
    assert part.records_end == end
