"""CBP-involved deaths source: hand-written excerpts, the real file (skipped when absent) and
the generated sample."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from pipelines.harmonize.countries import country_code
from pipelines.samples.cbp_deaths import write_samples
from pipelines.sources import cbp_deaths as cbp
from pipelines.sources.base import RawFormatError, RawTable
from schemas.raw.cbp_deaths import HEADERS
from tests.helpers import (assert_no_names, assert_rows_reconcile, curate, curate_real,
                           curate_samples, write_snapshot)

HEADER = HEADERS["aclu_2026"]
# Name cells that hold no name: they may appear elsewhere (e.g. nationality "Unknown").
PLACEHOLDERS = {"Unknown", "Unkown", "[Name not released]"}
US_FORMS = ("U.S.", "U.S. Citizen", "United States")


def _row(case, age="40", date="2021-03-10", nationality="Mexican", incident="1. In Custody",
         name="Unknown", state="TX", year=None, **indicators) -> list[str]:
    """One record of the list; indicators default to In_Custody = 1, the rest 0."""
    flags = {c: "0" for c in ("Minor", "US_Citizen_LPR", "In_Custody", "Off_Duty", "Firearm",
                              "Wall_Related", "Vehicle_Pursuit", "Cross_Border_Shooting",
                              "Death_Immigration_Enforcement")}
    flags["In_Custody"] = "1"
    sbcc = indicators.pop("sbcc", "")
    flags.update(indicators)
    year = date[:4] if year is None else year
    return [str(case), name, age, date, "Sampletown", state, nationality, incident,
            *flags.values(), "ACLU", date, year, sbcc, "", "0"]


def _snapshot(tmp_path: Path, rows: list[list[str]], name: str = "2026-01-28"):
    """A snapshot folder holding the list written as the publisher writes it (LF, quoted
    multi-line cells), and its sidecar."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return write_snapshot(tmp_path, cbp, name, "cbp_deaths_in_custody.csv",
                          buffer.getvalue().encode("utf-8"), ("2011-01-01", "2025-03-26"))


def _no_names(raw, part) -> None:
    """No published name, as written or with its line breaks made spaces, is in a curated cell."""
    names = {n.strip() for n in raw.frame["Name"]} - {""} - PLACEHOLDERS
    names |= {" ".join(n.split()) for n in names}
    assert_no_names(names, part.records)


# --- hand-written excerpts ------------------------------------------------------------------

def test_incident_items_are_split_on_their_numbers_only():
    assert cbp.incident_items("1. In Custody\n2. Minor") == ["In Custody", "Minor"]
    assert cbp.incident_items("1. Death in Presence of\nImmigration Enforcement") == [
        "Death in Presence of Immigration Enforcement"]
    assert cbp.incident_items("In Custody") == ["In Custody"]
    assert cbp.incident_items("") == []


def test_list_ages_causes_scope_and_sex(tmp_path):
    rows = [
        _row(346, age="52", nationality="Chinese"),
        _row(315, age="Infant", incident="1. In Custody\n2. Minor", nationality="Angolan", Minor="1"),
        _row(314, age="unknown", nationality="United States", incident="1. In Custody\n2. U.S. Citizen",
             US_Citizen_LPR="1"),
        _row(256, age="33", incident="1. In Custody\n2. Firearm", Firearm="1"),
        _row(212, age="Adult", incident="1. Wall Related", Wall_Related="1"),
        _row(191, age="Adult", nationality="Unknown",
             incident="1. Death in Presence of\nImmigration Enforcement",
             Death_Immigration_Enforcement="1"),
        _row(152, age="N/A\n(adult)", incident="1. In Custody\n2. Medical"),
        _row(138, age="N/A (adult)", incident="1. In Custody\n2. Medical (COVID)"),
        _row(8, age="", incident="1. Other Use of Force\n2. In Custody", name="SAMPLE-PERSON\nEight"),
        _row(7, age="Minor", incident="1. Minor\n2. In Custody", Minor="1"),
        _row(6, age="", incident="In Custody", Minor="1", name="SAMPLE-PERSON SIX"),
        # Not in the custody file, but the list's format allows it: a pursuit outside custody.
        _row(5, age="19", incident="1. Vehicle Pursuit", In_Custody="0", Vehicle_Pursuit="1",
             state="AZ"),
    ]
    snap, path = _snapshot(tmp_path, rows)
    raw, part = curate(cbp, snap, path)
    rec = part.records.set_index("record_id")

    assert raw.format_version == "aclu_2026"
    assert part.rows_read == 12 and len(rec) == 12 and part.rows_quarantined == 0
    # No sex column: female, male and sex_unknown stay null (statistics: not_recorded).
    assert rec[["female", "male", "sex_unknown"]].isna().all().all()
    assert rec.loc["346", ["age_years", "adults"]].tolist() == [52, 1]
    groups = {i: ("child" if r.children else "adult" if r.adults else "unknown")
              for i, r in rec.iterrows()}
    assert groups == {"346": "adult", "315": "child", "314": "unknown", "256": "adult",
                      "212": "adult", "191": "adult", "152": "adult", "138": "adult",
                      "8": "unknown", "7": "child", "6": "child", "5": "adult"}
    assert rec["age_years"].isna().sum() == 9
    assert rec.loc["314", ["nationality", "flags"]].tolist() == ["USA",
                                                                 "national_of_reporting_country"]
    assert rec.loc["191", "nationality"] == "UNKNOWN"
    got = {i: (r.cause, r.criminal) for i, r in rec.iterrows()}
    assert got["346"] == got["315"] == got["314"] == ("unknown", "undetermined")
    assert got["256"] == got["8"] == ("violence", "criminal")
    assert rec.loc["256", "criminal_rule"] == "violence_stated"
    assert got["212"] == ("accident_other", "undetermined")
    assert got["191"] == ("unknown", "undetermined")
    assert got["152"] == ("illness", "undetermined") and got["138"] == ("illness", "non_criminal")
    assert got["5"] == ("transport", "undetermined")
    assert rec.loc["346", "criminal_rule"] == "no_cause_recorded"
    assert rec.loc["191", "cause_native"] == "Death in Presence of Immigration Enforcement"
    assert rec.loc["315", "cause_native"] == "In Custody; Minor"
    assert rec.loc["5", "scope"] == "unknown" and (rec.drop(index="5")["scope"] == "in_custody").all()
    assert rec.loc["5", ["region", "country_native", "country_iso3"]].tolist() == ["AZ", "AZ", "USA"]
    assert (rec["year_basis"] == "incident").all() and (rec["year"] == 2021).all()
    assert part.unmapped.query("mapping != 'countries'").empty
    _no_names(raw, part)


def test_indicator_columns_add_cause_items():
    """Firearm = 1 counts even where the Incident_Type list does not name it."""
    frame = pd.DataFrame([_row(1, incident="1. In Custody", Firearm="1"),
                          _row(2, incident="1. In Custody\n2. Firearm", Firearm="1")],
                         columns=HEADER, dtype="str")
    raw = RawTable(path=Path("x.csv"), frame=frame, format_version="aclu_2026",
                       raw_rows=pd.RangeIndex(2, 4).to_numpy())
    text, native = cbp.cause_items(raw)
    assert text.tolist() == ["Firearm", "Firearm"]
    assert native.tolist() == ["In Custody", "In Custody; Firearm"]


def test_sbcc_cause_is_read_where_the_list_gives_none(tmp_path):
    rows = [_row(1, sbcc="Gunshot wound"), _row(2, incident="1. In Custody\n2. Medical",
                                                 sbcc="Gunshot wound")]
    snap, path = _snapshot(tmp_path, rows)
    _, part = curate(cbp, snap, path)
    rec = part.records.set_index("record_id")
    assert rec.loc["1", ["cause", "criminal_rule"]].tolist() == ["violence",
                                                                 "sbcc_text_violence_stated"]
    assert rec.loc["1", "cause_native"] == "In Custody"
    assert rec.loc["2", "cause"] == "illness"


def test_bad_rows_are_quarantined_not_dropped(tmp_path):
    rows = [_row(10), _row(10, date="2021-03-11"), _row("", date="2021-03-12"),
            _row(11, date="", year=""), _row(12, date="", year="23"),
            _row(13, Firearm="yes"),
            _row(14, date="23-Sept-20", year="2020"),
            _row(15, incident="1. In Custody\n2. Taser")]
    snap, path = _snapshot(tmp_path, rows)
    _, part = curate(cbp, snap, path)

    q = part.quarantine.set_index("raw_row")
    assert part.rows_read == 8 and len(part.records) == 3 and part.rows_quarantined == 5
    assert_rows_reconcile(part)
    assert q.loc[3, "check"] == "record_id_unique" and q.loc[4, "check"] == "record_id_present"
    assert q.loc[5, "check"] == "year_present" and q.loc[6, "check"] == "year_in_range"
    assert q.loc[7, "check"] == "indicator_0_1"
    rec = part.records.set_index("record_id")
    # An unreadable date with a Year beside it keeps the row, flagged.
    assert rec.loc["14", "year"] == 2020 and pd.isna(rec.loc["14", "event_date"])
    assert rec.loc["14", "flags"] == "date_unparsed"
    # An item no rule knows is logged and falls back, never crashes.
    assert rec.loc["15", "cause"] == "unknown"
    assert part.unmapped.query("mapping == 'causes'")["value"].tolist() == ["Taser"]


def test_unknown_header_fails_loudly(tmp_path):
    folder = tmp_path / "cbp_deaths" / "2026-01-28"
    folder.mkdir(parents=True)
    path = folder / "x.csv"
    path.write_text(",".join(HEADER[:-1]) + "\n" + ",".join(["1"] * 22) + "\n", encoding="utf-8")
    with pytest.raises(RawFormatError, match="missing columns \\['In_SBCC'\\]"):
        cbp.SOURCE.read_raw(path)


# --- generated sample -----------------------------------------------------------------------

def test_sample_parses_without_quarantine(tmp_path):
    ((snap, path, raw, part),) = curate_samples(tmp_path, cbp, write_samples)
    assert snap.name == "SAMPLE-2026-01-28" and snap.is_sample
    assert snap.product == "cbp_involved_deaths"
    assert 40 <= part.rows_read <= 150
    assert part.rows_quarantined == 0 and len(part.records) == part.rows_read
    assert part.unmapped.query("mapping != 'countries'").empty, part.unmapped
    ages = set(raw.frame["Age"])
    assert {"unknown", "Unknown", "Adult", "Infant", "", "N/A\n(adult)"} <= ages
    assert raw.frame["Incident_Type"].str.contains("\n").any()
    assert raw.frame["Name"].str.contains("\n").any()
    assert set(US_FORMS) <= set(raw.frame["Nationality"])
    data = path.read_bytes()
    assert b"\r" not in data and data.endswith(b"\n")
    assert set(part.records["cause"]) >= {"violence", "illness", "accident_other", "unknown"}
    _no_names(raw, part)


# --- real file ------------------------------------------------------------------------------

REAL = "2026-01-28"


@pytest.mark.real
def test_real_file_parses_and_reconciles(real_dir):
    _, raw, part = curate_real(real_dir, cbp, REAL)
    rec = part.records
    assert raw.format_version == "aclu_2026" and part.rows_read == 61
    assert_rows_reconcile(part)
    assert part.rows_quarantined == 0
    assert rec["dead_and_missing"].sum() == 61
    assert rec["year"].between(2011, 2025).all()
    assert (rec["children"] + rec["adults"] + rec["age_unknown"] == 1).all()
    assert rec["children"].sum() == (raw.frame["Minor"] == "1").sum() == 13
    assert rec["age_unknown"].sum() == 11
    assert (rec["scope"] == "in_custody").all()  # In_Custody = 1 on every row of this file
    assert part.unmapped.query("mapping != 'countries'").empty, part.unmapped
    # Firearm 2 and Other Use of Force 1; Wall Related 2; Medical 2.
    assert rec["cause"].value_counts().to_dict() == {"unknown": 54, "violence": 3,
                                                     "accident_other": 2, "illness": 2}
    assert (rec["criminal"] == "criminal").sum() == 3


@pytest.mark.real
def test_real_sex_is_not_recorded(real_dir):
    _, _, part = curate_real(real_dir, cbp, REAL)
    assert part.records[["female", "male", "sex_unknown"]].isna().all().all()


@pytest.mark.real
def test_real_us_citizens_are_kept_as_nationals(real_dir):
    _, raw, part = curate_real(real_dir, cbp, REAL)
    us = raw.frame["Nationality"].isin(US_FORMS).to_numpy()
    assert us.sum() == 6
    missing = [f for f in US_FORMS if country_code(f) != "USA"]
    assert not missing, f"maps/countries.csv has no alias to USA for {missing}"
    rec = part.records
    assert (rec.loc[us, "nationality"] == "USA").all()
    assert rec.loc[us, "flags"].str.contains("national_of_reporting_country").all()
    assert not rec.loc[~us, "flags"].str.contains("national_of_reporting_country").any()


@pytest.mark.real
def test_real_names_never_reach_curated_records(real_dir):
    _, raw, part = curate_real(real_dir, cbp, REAL)
    _no_names(raw, part)
