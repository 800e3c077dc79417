"""Pima County OME / Humane Borders source: both published formats, on hand-written excerpts,
on the real files (skipped when absent) and on the generated samples."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipelines.samples.pcome_humane_borders import write_samples
from pipelines.sources import pcome_humane_borders as pcome
from pipelines.sources.base import RawFormatError
from tests.helpers import (assert_no_names, assert_rows_reconcile, cells, curate, curate_real,
                           curate_samples, write_snapshot)

OLD_HEADER = ("ML_Number,Sex,Age,Reporting_Date,Surface_Management,Corridor,Cause_of_Death,State,"
              "County,Latitude,Longitude,UTM_X,UTM_Y")
NEW_HEADER = ('"ML Number","Name","Sex","Age","Reporting Date","Surface Management","Location",'
              '"Location Precision","Corridor Code","Corridor","Cause of Death","OME Determined COD",'
              '"Condition Code","Body Condition","Post Mortem Interval","State","County","Latitude",'
              '"Longitude","UTM X","UTM Y"')


def _snapshot(tmp_path: Path, name: str, file_name: str, lines: list[str], end: str,
              final_newline: bool = True):
    """A snapshot folder holding one CSV written with CRLF, and its sidecar."""
    text = "\r\n".join(lines) + ("\r\n" if final_newline else "")
    return write_snapshot(tmp_path, pcome, name, file_name, text.encode("utf-8"),
                          ("1981-01-01", end))


def _new_row(ml: str, name: str, sex: str, age: str, date: str, cause: str, text: str,
             county: str = "Pima") -> str:
    quoted = [ml, name, sex, age, date, "Private", "", "no location description", "7",
              "San Miguel", cause, text, "1", "Fully fleshed", "< 1 day", "Arizona", county]
    return ",".join(f'"{v}"' for v in quoted) + ",32.1,-111.2,480000,3550000"


# --- hand-written excerpts ------------------------------------------------------------------

def test_old_format_two_digit_years_and_age_sentinel(tmp_path):
    lines = [OLD_HEADER,
             "81-00001,male,100,11/25/81,Private,Undetermined,Undetermined,Arizona,Maricopa,33.2,-112.0,406145,3675655",
             "01-00002,female,27,1/15/01,Bureau of Land Management,Sasabe,Exposure,Arizona,PIMA,32.4,-111.5,447587,3592932",
             '18-00003,undetermined,16,9/25/18,"Tohono Oodham Nation, San Xavier",Sasabe,Gunshot Wound,Arizona,Pima,32.0,-111.1,491799,3550682',
             "99-00004,male,99,12/31/99,Private,Ajo,Heart Disease,Arizona,Pima,32.0,-112.1,391320,3693765"]
    snap, path = _snapshot(tmp_path, "2018-10", "ogis_migrant_deaths1.csv", lines, "2018-09-25",
                           final_newline=False)
    raw, part = curate(pcome, snap, path)
    rec = part.records.set_index("record_id")

    assert raw.format_version == "underscore_2018"
    assert part.rows_read == 4 and len(rec) == 4 and part.rows_quarantined == 0
    assert rec["year"].to_dict() == {"81-00001": 1981, "01-00002": 2001, "18-00003": 2018,
                                     "99-00004": 1999}
    assert rec.loc["81-00001", "event_date"] == pd.Timestamp("1981-11-25")
    assert (rec["year_basis"] == "reported").all()
    # 100 is the old format's "unknown"; 99 is a real age.
    assert pd.isna(rec.loc["81-00001", "age_years"])
    assert rec.loc["81-00001", "age_unknown"] == 1 and rec.loc["81-00001", "adults"] == 0
    assert "age_sentinel_unknown" in rec.loc["81-00001", "flags"]
    assert rec.loc["99-00004", "age_years"] == 99 and rec.loc["99-00004", "flags"] == ""
    assert rec.loc["18-00003", "children"] == 1 and rec.loc["18-00003", "sex_unknown"] == 1
    assert rec.loc["01-00002", "female"] == 1 and rec.loc["01-00002", "adults"] == 1
    assert rec.loc["01-00002", "region"] == "PIMA"  # as published
    assert (rec["country_iso3"] == "USA").all() and (rec["country_native"] == "Arizona").all()
    assert (rec["nationality"] == "NOT_RECORDED").all() and (rec["scope"] == "in_transit").all()
    assert rec.loc["18-00003", ["cause", "criminal"]].tolist() == ["violence", "criminal"]
    assert rec.loc["01-00002", ["cause", "criminal"]].tolist() == ["environmental_exposure",
                                                                   "undetermined"]
    assert rec.loc["99-00004", ["cause", "criminal"]].tolist() == ["illness", "non_criminal"]
    assert (rec[["dead", "missing", "dead_and_missing"]].to_numpy() == [1, 0, 1]).all()


def test_two_digit_years_never_land_after_the_snapshot(tmp_path):
    snap, _ = _snapshot(tmp_path, "2018-10", "x.csv", [OLD_HEADER], "2018-09-25")
    text = pd.Series(["3/2/68", "9/25/18", "9/26/18", "2018-01-05", "", "13/1/01"])
    dates, bad = pcome.reporting_dates(text, snap)
    assert dates.dt.year.tolist()[:4] == [1968, 2018, 1918, 2018]
    assert dates[4:].isna().all() and bad.tolist() == [False] * 5 + [True]


def test_current_format_causes_sex_age_and_names(tmp_path):
    rows = [
        ("21-00001", "Sample, Person One", "male", "", "2021-03-01", "Other Injury / Homicide",
         "HOMICIDE BY UNSPECIFIED MEANS"),
        ("21-00002", "Unidentified", "undetermined", "34", "2021-04-02", "Other Injury / Homicide",
         "HANGING"),
        ("21-00003", "Sample, Person Three", "", "17", "2021-05-03", "Skeletal Remains",
         "UNDETERMINED - SKELETAL REMAINS"),
        ("21-00004", "Unidentified", "female", "40", "2021-06-04", "Exposure", "PROBABLE HYPERTHERMIA"),
        ("21-00005", "Unidentified", "male", "22", "2021-07-05", "Blunt Force Injury",
         "MULTIPLE BLUNT FORCE INJURIES"),
        ("21-00006", "Unidentified", "male", "23", "2021-08-06", "Undetermined",
         "UNDETERMINED (POSSIBLE GSW TO THE R. TEMPORAL)"),
        ("21-00007", "Unidentified", "male", "", "2021-09-07", "Pending", "GSW TO HEAD"),
        ("21-00008", "Unidentified", "male", "", "2021-10-08", "", ""),
        ("21-00009", "Unidentified", "male", "", "2021-11-09", "Gunshot Wound", "MULTIPLE GUNSHOT WOUNDS"),
    ]
    lines = [NEW_HEADER] + [_new_row(*r) for r in rows]
    snap, path = _snapshot(tmp_path, "2022-03-28", "ogis_data_original.csv", lines, "2022-03-28")
    raw, part = curate(pcome, snap, path)
    rec = part.records.set_index("record_id")

    assert raw.format_version == "quoted_2021" and part.rows_quarantined == 0
    assert part.unmapped.empty
    got = {i: (r.cause, r.criminal, r.criminal_rule) for i, r in rec.iterrows()}
    assert got["21-00001"] == ("violence", "criminal", "ome_text_manner_homicide")
    assert got["21-00002"] == ("self_harm", "undetermined", "ome_text_no_offence_or_manner_stated")
    assert got["21-00003"][:2] == ("unknown", "undetermined")
    assert got["21-00004"][:2] == ("environmental_exposure", "undetermined")
    assert got["21-00005"][:2] == ("accident_other", "undetermined")  # blunt force is not violence
    assert got["21-00006"][:2] == ("unknown", "undetermined")  # a "possible" shooting
    assert got["21-00007"] == ("violence", "criminal", "ome_text_violence_stated")
    assert got["21-00008"] == ("unknown", "undetermined", "no_cause_recorded")
    assert got["21-00009"] == ("violence", "criminal", "violence_stated")
    assert rec.loc["21-00001", "cause_native"] == "Other Injury / Homicide"
    assert pd.isna(rec.loc["21-00008", "cause_native"])
    assert rec["sex_unknown"].to_dict()["21-00002"] == 1 and rec.loc["21-00003", "sex_unknown"] == 1
    assert rec.loc["21-00003", "children"] == 1 and rec.loc["21-00004", "adults"] == 1
    assert pd.isna(rec.loc["21-00001", "age_years"]) and rec.loc["21-00001", "age_unknown"] == 1
    assert (rec["flags"] == "").all()
    assert not any("Person" in cell or "Unidentified" in cell for cell in cells(part.records))


def test_bad_rows_are_quarantined_not_dropped(tmp_path):
    lines = [NEW_HEADER,
             _new_row("20-00001", "Unidentified", "male", "30", "2020-01-01", "Exposure", "HYPERTHERMIA"),
             _new_row("20-00001", "Unidentified", "male", "31", "2020-01-02", "Exposure", "HYPERTHERMIA"),
             _new_row("20-00002", "Unidentified", "male", "", "", "Exposure", "HYPERTHERMIA"),
             _new_row("20-00003", "Unidentified", "male", "", "2020-13-45", "Exposure", "HYPERTHERMIA"),
             _new_row("20-00004", "Unidentified", "male", "about 30", "2020-02-02", "Exposure", "HYPERTHERMIA"),
             _new_row("", "Unidentified", "male", "", "2020-02-03", "Exposure", "HYPERTHERMIA"),
             _new_row("20-00005", "Unidentified", "male", "", "2023-01-01", "Alien Cause", "")]
    snap, path = _snapshot(tmp_path, "2022-03-28", "ogis_data_original.csv", lines, "2022-03-28")
    _, part = curate(pcome, snap, path)

    q = part.quarantine.set_index("raw_row")
    assert part.rows_read == 7 and len(part.records) == 2 and part.rows_quarantined == 5
    assert_rows_reconcile(part)
    assert q.loc[3, "check"] == "record_id_unique"
    assert q.loc[4, "check"] == "year_present" and q.loc[5, "check"] == "year_present"
    assert "not in a known date format" in q.loc[5, "reason"]
    assert q.loc[6, "check"] == "whole_number" and q.loc[7, "check"] == "record_id_present"
    future = part.records.set_index("record_id").loc["20-00005"]
    assert "future_date" in future["flags"] and future["cause"] == "unknown"
    assert part.unmapped["value"].tolist() == ["Alien Cause"]


def test_unknown_header_fails_loudly(tmp_path):
    lines = ["ML Number,Sex,Age,Date of Death", "20-00001,male,30,2020-01-01"]
    snap, path = _snapshot(tmp_path, "2022-03-28", "renamed.csv", lines, "2022-03-28")
    with pytest.raises(RawFormatError, match="closest is"):
        pcome.SOURCE.read_raw(path)


# --- generated samples ----------------------------------------------------------------------

def test_samples_parse_without_quarantine(tmp_path):
    found = curate_samples(tmp_path, pcome, write_samples)
    assert [snap.name for snap, *_ in found] == ["SAMPLE-2018-10", "SAMPLE-2022-03-28"]
    versions = set()
    for snap, path, raw, part in found:
        assert snap.is_sample and snap.product == "arizona_ogis"
        versions.add(raw.format_version)
        assert 150 <= part.rows_read <= 300
        assert part.rows_quarantined == 0 and len(part.records) == part.rows_read
        assert part.unmapped.empty
        assert path.read_bytes().count(b"\r\n") >= part.rows_read
    assert versions == {"underscore_2018", "quoted_2021"}


# --- real files -----------------------------------------------------------------------------

REAL = {"2018-10": ("underscore_2018", 2989), "2021-02-24": ("quoted_2021", 3627),
        "2022-03-28": ("quoted_2021", 3857)}


@pytest.mark.real
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_files_parse_and_reconcile(real_dir, name):
    snap, raw, part = curate_real(real_dir, pcome, name)
    version, rows = REAL[name]
    assert raw.format_version == version and part.rows_read == rows
    assert_rows_reconcile(part)
    assert part.records["dead_and_missing"].sum() == len(part.records)
    assert part.records["year"].between(1981, int(name[:4])).all()
    assert (part.records["female"] + part.records["male"] + part.records["sex_unknown"] == 1).all()
    assert (part.records["children"] + part.records["adults"] + part.records["age_unknown"] == 1).all()
    # Every frequent published value is mapped deliberately; rare leftovers may be logged.
    assert part.unmapped.query("rows >= 5").empty, part.unmapped


@pytest.mark.real
def test_real_2022_snapshot_has_226_records_reported_in_2021(real_dir):
    _, _, part = curate_real(real_dir, pcome, "2022-03-28")
    in_2021 = part.records[part.records["year"] == 2021]
    assert len(in_2021) == 226
    assert (in_2021["year_basis"] == "reported").all()
    assert (in_2021["event_date"].dt.year == 2021).all()


@pytest.mark.real
def test_real_2018_age_sentinel_and_two_digit_years(real_dir):
    _, raw, part = curate_real(real_dir, pcome, "2018-10")
    rec = part.records
    sentinel = raw.frame["Age"].str.strip() == "100"
    assert sentinel.sum() == 1166
    assert rec["flags"].str.contains("age_sentinel_unknown").sum() == 1166
    assert rec.loc[sentinel.to_numpy(), "age_years"].isna().all()
    assert rec["age_years"].max() == 99
    assert rec["year"].min() == 1981 and rec["year"].max() == 2018
    assert (rec["year"] <= 2017).sum() == 2884
    assert (rec["event_date"] <= pd.Timestamp("2018-09-25")).all()
    assert not rec["flags"].str.contains("future_date").any()


@pytest.mark.real
@pytest.mark.parametrize("name", ["2021-02-24", "2022-03-28"])
def test_real_names_never_reach_curated_records(real_dir, name):
    _, raw, part = curate_real(real_dir, pcome, name)
    names = {n.strip() for n in raw.frame[pcome.SOURCE.spec.name_columns[0]]} - {""}
    # Published names are "Last, First": none may be hidden inside a longer cell either.
    assert_no_names(names, part.records)
