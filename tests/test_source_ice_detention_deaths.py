"""ICE detention deaths source: both published layouts, on hand-written excerpts, on the real
files (skipped when absent) and on the generated samples."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipelines.harmonize.categories import classify_cause
from pipelines.samples.ice_detention_deaths import write_samples
from pipelines.sources import ice_detention_deaths as ice
from pipelines.sources.base import RawFormatError
from pipelines.sources.curate import content_ids
from tests.helpers import (assert_no_names, assert_rows_reconcile, curate, curate_real,
                           curate_samples, write_snapshot)

NBSP, HYPHEN = "\u00a0", "\u2010"
FOIA_HEADER = ("index,name,sex,dob,country,date_of_death,location_of_death,"
               "location_last_detention,ihsc,facility_type,cause,age")
DETAILED_HEADER = ("Name,Sex,Age,Country,Date_of_Death,Cause_of_Death,Facility_Name,"
                   "Facility_Location,Facility_Type,PDF_URL,Period")
PDF = "https://www.ice.gov/doclib/foia/reports/detaineedeaths-2003-2017.pdf"


def _snapshot(tmp_path: Path, name: str, file_name: str, lines: list[str], end: str,
              kind: str = "full"):
    """A snapshot folder holding one CSV written with LF, and its sidecar."""
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return write_snapshot(tmp_path, ice, name, file_name, data, ("2003-10-01", end), kind)


def _no_names(raw, part) -> None:
    """No published name, as written or with its spaces tidied, is in any curated cell."""
    column = next(c for c in ice.SOURCE.spec.name_columns if c in raw.frame.columns)
    names = {n.strip() for n in raw.frame[column]} - {""}
    names |= {" ".join(n.replace(HYPHEN, "-").split()) for n in names}
    assert_no_names(names, part.records)


def _foia_row(index, name, sex, country, died, cause, age, place=f"Sample{NBSP} Jail,{NBSP} AZ"):
    return (f'{index},"{name}",{sex},1/1/1970,{country},{died},'
            f'"Sample{NBSP}Hospital,{NBSP} Sampletown,{NBSP} AZ","{place}",No,IGSA,"{cause}",{age}')


def _detailed_row(name, sex, age, country, died, cause, facility="Sample Detention Center TX",
                  location="Sample Detention Center, TX", period="FY2003-2017", url=PDF):
    return f'{name},{sex},{age},{country},{died},"{cause}",{facility},"{location}",IGSA,{url},{period}'


# --- hand-written excerpts ------------------------------------------------------------------

def test_foia_table_pdf_artefacts(tmp_path):
    lines = [FOIA_HEADER,
             _foia_row(1, f"SAMPLE{HYPHEN} PERSON,  One", "M", "HONDURAS", "5/31/2017", "Pending", 46),
             _foia_row(2, "SAMPLE, Person  Two", "", f"EL{NBSP}SALVADOR", "3/28/2017",
                       f"Hypoxic{NBSP}Encephalopathy{NBSP} due{NBSP}to{NBSP}hanging", 32),
             _foia_row(3, "SAMPLE, Person Three", "F", "AFGHANISTA N", "10/7/2003",
                       f"Cardiac{NBSP}Arrest", 40, place=f"Sample{NBSP} County{NBSP} Jail,{NBSP} TX"),
             _foia_row(4, "SAMPLE, Person Four", "M", f"DOMINICAN{NBSP} REPUBLIC", "1/4/2005",
                       f"Suicide{NBSP}by{NBSP}Hanging", 17)]
    snap, path = _snapshot(tmp_path, "2025-11-17", "_extracted_foia_2003_2017.csv", lines,
                           "2017-05-31", kind="partial")
    raw, part = curate(ice, snap, path)
    rec = part.records.set_index("record_id")

    assert raw.format_version == "foia_2017"
    assert part.rows_read == 4 and len(rec) == 4 and part.rows_quarantined == 0
    assert part.unmapped.empty
    assert rec.loc["1", "event_date"] == pd.Timestamp("2017-05-31")
    assert rec["year"].to_dict() == {"1": 2017, "2": 2017, "3": 2003, "4": 2005}
    assert (rec["year_basis"] == "incident").all()
    assert rec["nationality"].to_dict() == {"1": "HND", "2": "SLV", "3": "AFG", "4": "DOM"}
    assert rec.loc["2", "nationality_native"] == f"EL{NBSP}SALVADOR"  # as published
    assert rec.loc["1", "male"] == 1 and rec.loc["3", "female"] == 1
    assert rec.loc["2", ["female", "male", "sex_unknown"]].tolist() == [0, 0, 1]  # blank sex
    assert rec.loc["4", ["children", "adults", "age_unknown", "age_years"]].tolist() == [1, 0, 0, 17]
    assert rec["region"].to_dict() == {"1": "AZ", "2": "AZ", "3": "TX", "4": "AZ"}
    assert (rec["country_iso3"] == "USA").all() and (rec["scope"] == "in_custody").all()
    got = {i: (r.cause, r.criminal, r.criminal_rule) for i, r in rec.iterrows()}
    assert got["1"] == ("unknown", "undetermined", "no_offence_or_manner_stated")
    assert got["2"] == ("self_harm", "undetermined", "no_offence_or_manner_stated")
    assert got["3"] == ("illness", "non_criminal", "manner_natural")
    assert got["4"] == ("self_harm", "undetermined", "manner_suicide")
    assert rec.loc["3", "cause_native"] == "Cardiac Arrest"  # non-breaking spaces made plain
    assert (rec[["dead", "missing", "dead_and_missing"]].to_numpy() == [1, 0, 1]).all()
    assert (rec["flags"] == "").all()
    _no_names(raw, part)


def test_detailed_list_ages_countries_ids_and_scope(tmp_path):
    lines = [DETAILED_HEADER,
             _detailed_row("SAMPLE-PERSON ONE", "Male", "40.0", "MEXICO", "2004-01-17",
                           "Hypertensive Cardiovascular Disease"),
             _detailed_row("SAMPLE-PERSON TWO", "Female", "", "Honduras", "2019-04-03",
                           "Suicide by hanging (asphyxia)", period="FY2018-2025",
                           location=f"Sample{NBSP}Center,{NBSP} Texas",
                           url="https://example.org/ddrSamplePersonTwo.pdf"),
             _detailed_row("SAMPLE-PERSON THREE", "Male", "40.0", "MEXICO", "2004-01-17",
                           "Hypertensive Cardiovascular Disease"),
             _detailed_row("SAMPLE-PERSON FOUR", "Female", "37.0", "United States", "2026-01-07",
                           "Shot by a federal agent during a traffic stop (ICE-related death; "
                           "not in custody).", facility="ICE enforcement action (Sampletown)",
                           location="Sampletown, MN", period="Public reporting (CY2026)"),
             _detailed_row("SAMPLE-PERSON FIVE", "Male", "55.0", "Cuba", "2026-01-03",
                           "Homicide (neck injuries per autopsy; ICE reported suicide attempt).",
                           period="Public reporting (CY2026)")]
    snap, path = _snapshot(tmp_path, "2026-01-29", "all_deaths.csv", lines, "2026-01-24")
    raw, part = curate(ice, snap, path)
    rec = part.records

    assert raw.format_version == "detailed_2026" and part.rows_quarantined == 0
    # No publisher id: a hash of the row without name and URL, plus an occurrence number.
    ids = rec["record_id"].tolist()
    assert ids[0].endswith("-1") and ids[2] == ids[0][:-2] + "-2" and len(set(ids)) == 5
    assert rec.loc[0, "age_years"] == 40 and rec.loc[0, "adults"] == 1
    assert pd.isna(rec.loc[1, "age_years"]) and rec.loc[1, "age_unknown"] == 1
    assert rec["nationality"].tolist() == ["MEX", "HND", "MEX", "USA", "CUB"]
    assert rec.loc[3, "flags"] == "national_of_reporting_country"
    assert rec["region"].tolist() == ["TX", "Texas", "TX", "MN", "TX"]  # as published
    assert rec["scope"].tolist() == ["in_custody"] * 3 + ["unknown", "in_custody"]
    assert rec[["cause", "criminal"]].to_numpy().tolist() == [
        ["illness", "non_criminal"], ["self_harm", "undetermined"],
        ["illness", "non_criminal"], ["violence", "criminal"], ["violence", "criminal"]]
    assert rec.loc[4, "criminal_rule"] == "manner_homicide"
    assert rec["female"].tolist() == [0, 1, 0, 1, 0] and rec["male"].sum() == 3
    # The snapshot period ends on 2026-01-24: nothing here lies after it.
    assert not rec["flags"].str.contains("future_date").any()
    _no_names(raw, part)


def test_ids_do_not_change_with_names_or_urls():
    frame = pd.DataFrame({"Name": ["SAMPLE A", "SAMPLE B"], "PDF_URL": ["u1", "u2"],
                          "Age": ["40.0", "40.0"]})
    ids = content_ids(frame.drop(columns=list(ice.NOT_HASHED), errors="ignore"))
    assert ids.str[:-2].nunique() == 1 and ids.tolist()[1].endswith("-2")


@pytest.mark.parametrize("text, expected", [
    ("Asphyxia", ("unknown", "undetermined")),
    ("Suicide by Asphyxia", ("self_harm", "undetermined")),
    ("Hanging/Asphyxiation (Suicide)", ("self_harm", "undetermined")),
    ("Found with a cloth ligature around his neck", ("self_harm", "undetermined")),
    ("Post cardiac arrest from attempted suicide by hanging", ("self_harm", "undetermined")),
    ("Gunshot wounds (homicide)", ("violence", "criminal")),
    ("Struck by vehicle while fleeing ICE agents", ("transport", "undetermined")),
    ("Methemphetamine Intoxication", ("accident_other", "undetermined")),
    ("Sudden cardiac death due to fentanyl intoxication", ("accident_other", "undetermined")),
    ("MDMA toxicity with coronary artery disease. The manner of death was accidental.",
     ("accident_other", "non_criminal")),
    ("Traumatic brain injury", ("unknown", "undetermined")),
    ("Cardiac arrest due to acute MI. Final cause pending autopsy", ("illness", "non_criminal")),
    ("Metastic Carcinoma of Lung", ("illness", "non_criminal")),
    ("AIDS", ("illness", "non_criminal")),
    ("Medical distress (per ICE)", ("illness", "undetermined")),
    ("Not stated", ("unknown", "undetermined")),
    ("Electrocution", ("accident_other", "undetermined")),
])
def test_ice_cause_rules(text, expected):
    assert classify_cause(text, ice.CAUSE_SCHEMES)[:2] == expected


def test_bad_rows_are_quarantined_not_dropped(tmp_path):
    lines = [FOIA_HEADER,
             _foia_row(1, "SAMPLE, A", "M", "MEXICO", "5/31/2017", "Cancer", 46),
             _foia_row(1, "SAMPLE, B", "M", "MEXICO", "5/30/2017", "Cancer", 46),
             _foia_row("", "SAMPLE, C", "M", "MEXICO", "5/29/2017", "Cancer", 46),
             _foia_row(4, "SAMPLE, D", "M", "MEXICO", "", "Cancer", 46),
             _foia_row(5, "SAMPLE, E", "M", "MEXICO", "31/5/2017", "Cancer", 46),
             _foia_row(6, "SAMPLE, F", "X", "ATLANTIS", "5/28/2017", "Mysterious", 46),
             _foia_row(7, "SAMPLE, G", "M", "MEXICO", "5/28/2018", "Cancer", "about 40")]
    snap, path = _snapshot(tmp_path, "2025-11-17", "foia.csv", lines, "2017-05-31")
    _, part = curate(ice, snap, path)

    q = part.quarantine.set_index("raw_row")
    assert part.rows_read == 7 and len(part.records) == 3 and part.rows_quarantined == 4
    assert_rows_reconcile(part)
    assert q.loc[3, "check"] == "record_id_unique" and q.loc[4, "check"] == "record_id_present"
    assert q.loc[5, "check"] == "year_present" and "blank" in q.loc[5, "reason"]
    assert "not in a known date format" in q.loc[6, "reason"]
    rec = part.records.set_index("record_id")
    # Unknown values are logged and fall back, never crash.
    assert rec.loc["6", ["cause", "nationality", "sex_unknown"]].tolist() == ["unknown", "UNKNOWN", 1]
    assert set(part.unmapped["value"]) == {"X", "ATLANTIS", "Mysterious", "about 40"}
    assert rec.loc["7", "age_unknown"] == 1 and "future_date" in rec.loc["7", "flags"]


def test_unknown_header_fails_loudly(tmp_path):
    snap, path = _snapshot(tmp_path, "2026-01-29", "renamed.csv",
                           ["Name,Sex,Age,Citizenship,Date_of_Death", "A,Male,40,Cuba,2004-01-01"],
                           "2026-01-24")
    with pytest.raises(RawFormatError, match="closest is 'detailed_2026'"):
        ice.SOURCE.read_raw(path)


# --- generated samples ----------------------------------------------------------------------

def test_samples_parse_without_quarantine(tmp_path):
    found = curate_samples(tmp_path, ice, write_samples)
    assert [snap.name for snap, *_ in found] == ["SAMPLE-2025-11-17", "SAMPLE-2026-01-29"]
    versions = set()
    for snap, path, raw, part in found:
        assert snap.is_sample and snap.product == "detainee_deaths"
        versions.add(raw.format_version)
        assert 40 <= part.rows_read <= 150
        assert part.rows_quarantined == 0 and len(part.records) == part.rows_read
        assert part.unmapped.empty, part.unmapped
        data = path.read_bytes()
        assert b"\r" not in data and data.endswith(b"\n")
        _no_names(raw, part)
    assert versions == {"foia_2017", "detailed_2026"}
    foia = (found[0][0].folder / "_extracted_foia_2003_2017.csv").read_text(encoding="utf-8")
    assert NBSP in foia and HYPHEN in foia and "  " in foia and ",Pending," in foia


# --- real files -----------------------------------------------------------------------------

REAL = {"2025-11-17": ("foia_2017", 171), "2026-01-29": ("detailed_2026", 274)}


@pytest.mark.real
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_files_parse_and_reconcile(real_dir, name):
    _, raw, part = curate_real(real_dir, ice, name)
    version, rows = REAL[name]
    rec = part.records
    assert raw.format_version == version and part.rows_read == rows
    assert_rows_reconcile(part)
    assert part.rows_quarantined == 0
    assert rec["dead_and_missing"].sum() == len(rec)
    assert rec["year"].between(2003, 2026).all()
    assert (rec["female"] + rec["male"] + rec["sex_unknown"] == 1).all()
    assert (rec["children"] + rec["adults"] + rec["age_unknown"] == 1).all()
    assert rec["record_id"].is_unique
    # Every cause text is mapped deliberately; rare country spellings may wait in the log.
    assert part.unmapped.query("mapping == 'causes'").empty, part.unmapped
    assert part.unmapped.query("rows >= 5").empty, part.unmapped


@pytest.mark.real
def test_real_detailed_list_sex_by_published_column(real_dir):
    _, raw, part = curate_real(real_dir, ice, "2026-01-29")
    assert raw.frame["Sex"].value_counts().to_dict() == {"Male": 250, "Female": 24}
    assert part.records["male"].sum() == 250 and part.records["female"].sum() == 24
    assert part.records["sex_unknown"].sum() == 0
    # Deaths outside custody (enforcement actions) are kept, with scope unknown.
    assert (part.records["scope"] == "unknown").sum() == 3


@pytest.mark.real
def test_real_foia_table_blank_sex_and_pending(real_dir):
    _, raw, part = curate_real(real_dir, ice, "2025-11-17")
    assert (raw.frame["sex"] == "").sum() == 8 and part.records["sex_unknown"].sum() == 8
    pending = raw.frame["cause"].str.strip() == "Pending"
    assert pending.sum() == 9
    assert (part.records.loc[pending.to_numpy(), "cause"] == "unknown").all()


@pytest.mark.real
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_names_never_reach_curated_records(real_dir, name):
    _, raw, part = curate_real(real_dir, ice, name)
    _no_names(raw, part)
