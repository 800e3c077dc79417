"""UNITED List of refugee deaths: hand-written excerpts, the real file (skipped when absent) and
the generated sample."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from pipelines.samples.united_list import write_samples
from pipelines.sources import united_list as united
from pipelines.sources.free_text import FREE_TEXT_PLACEHOLDER
from schemas.raw.united_list import HEADERS
from tests.conftest import real_snapshot
from tests.helpers import assert_no_names, assert_rows_reconcile, curate, write_snapshot

HEADER = HEADERS["ondata_2018"]
LIST = "refugeesAndMigrants.csv"


def _snapshot(tmp_path: Path, rows: list[list[str]]):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return write_snapshot(tmp_path, united, "2018-07-19", LIST, buffer.getvalue().encode("utf-8"),
                          ("1993-01-01", "2018-05-05"))


# --- hand-written excerpts ------------------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    ("N.N. (1 baby; 5 men)", (0, 5, 1, 5, True)),
    ("N.N. (woman)", (1, 0, 0, 1, True)),
    ("Sample Person (woman, 19)", (1, 0, 0, 1, True)),
    ("N.N. (man, 17)", (0, 1, 1, 0, True)),          # the age decides, not the word
    ("N.N. (boy, 6 months)", (0, 1, 1, 0, True)),
    ("N.N. (1 woman, 18; 1 man, 25)", (1, 1, 0, 2, True)),
    ("N.N. (men)", (0, 0, 0, 0, True)),               # how many is not said
    ("N.N. (±25)", (0, 0, 0, 1, True)),
    ("N.N. (2 girls-women, 15-20)", (2, 0, 0, 0, True)),  # a range across 18: age unknown
    ("N.N. (young man)", (0, 1, 0, 0, True)),
    ("N.N.", (0, 0, 0, 0, True)),
    ("N.N. (Sample's brother)", (0, 0, 0, 0, False)),
])
def test_people_of_an_entry_are_read_from_its_last_parentheses(cell, expected):
    assert united.person_counts(cell) == expected


def test_dates_months_years_and_odd_forms(tmp_path):
    rows = [
        ["05/05/18", "4", "N.N. (1 man)", "Africa", "1 died off coast; 3 missing", "AFP", "Libya"],
        ["Mar 99", "2", "N.N.", "Kurdistan-Iraq", "drowned in the Evros", "X", "Greece"],
        ["1994", "1", "Sample Person (man, 24)", "Zaire",
         "suicide, found hanged in detention centre", "X", "unknown"],
        ["3010/16", "1", "N.N. (woman)", "Somalia, Eritrea", "shot by border guards", "X", "Turkey"],
        ["12/1/2000", "3", "N.N. (2 men)", "Sub-Saharan Africa", "died in arson attack", "X", "Germany"],
        ["", "", "", "", "", "", "unknown"],
        ["Sample", "2", "N.N.", "unknown", "drowned", "X", "Spain"],
    ]
    snap, path = _snapshot(tmp_path, rows)
    raw, part = curate(united, snap, path)
    rec = part.records.set_index("raw_row")
    assert_rows_reconcile(part)
    assert set(part.quarantine["raw_row"]) == {7, 8}  # the empty row, and a date with no year
    assert rec.loc[2, "event_date"] == pd.Timestamp("2018-05-05")
    assert pd.isna(rec.loc[3, "event_date"]) and rec.loc[3, "year"] == 1999
    assert rec.loc[4, "year"] == 1994 and pd.isna(rec.loc[4, "event_date"])
    assert rec.loc[5, "year"] == 2016 and rec.loc[5, "flags"] == "date_unparsed"
    assert rec.loc[6, "year"] == 2000 and rec.loc[6, "flags"] == "date_unparsed"
    assert (rec["year_basis"] == "found").all()
    # an entry counts its people once, dead and missing together
    assert rec.loc[2, "dead_and_missing"] == 4 and pd.isna(rec.loc[2, "dead"])
    assert rec.loc[2, ["male", "sex_unknown", "adults", "age_unknown"]].tolist() == [1, 3, 1, 3]
    assert rec.loc[3, ["female", "male", "sex_unknown"]].tolist() == [0, 0, 2]
    assert rec.loc[4, ["male", "adults"]].tolist() == [1, 1]
    assert rec.loc[[2, 3, 4, 5, 6], "nationality"].tolist() == ["M49_002", "IRQ", "COD", "MULTIPLE",
                                                               "M49_202"]
    assert rec.loc[[2, 3, 4, 5, 6], "country_iso3"].tolist() == ["LBY", "GRC", "UNKNOWN", "TUR", "DEU"]
    assert rec.loc[4, ["cause", "criminal", "scope"]].tolist() == ["self_harm", "undetermined",
                                                                   "in_custody"]
    assert rec.loc[5, ["cause", "criminal"]].tolist() == ["violence", "criminal"]
    assert rec.loc[6, ["cause", "criminal"]].tolist() == ["violence", "criminal"]
    assert rec.loc[3, ["cause", "criminal"]].tolist() == ["drowning", "undetermined"]
    assert rec.loc[2, ["cause", "criminal"]].tolist() == ["unknown", "undetermined"]
    # free text never copied: not as cause, not into the unmapped log
    assert rec["cause_native"].isna().all()
    assert set(part.unmapped["value"]) == {FREE_TEXT_PLACEHOLDER}
    assert_no_names({"Sample Person (man, 24)", "1 died off coast; 3 missing",
                     "suicide, found hanged in detention centre"}, part.records)
    assert part.records_end == pd.Timestamp("2018-05-31").date()


# --- the real file --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(real_dir):
    snap = real_snapshot(real_dir, "united_list", "2018-07-19")
    return (snap, *curate(united, snap, snap.folder / LIST))


@pytest.mark.real
def test_real_list_counts_and_quarantine(real):
    _, raw, part = real
    assert_rows_reconcile(part)
    assert (part.rows_read, len(part.records), part.rows_quarantined) == (3932, 3931, 1)
    rec = part.records
    assert int(rec["dead_and_missing"].sum()) == 34361  # The List, June 2018
    assert rec["year"].min() == 1993 and rec["year"].max() == 2018
    assert int(rec.loc[rec["year"] == 2016, "dead_and_missing"].sum()) == 3992
    assert rec["flags"].str.contains("date_unparsed").sum() == 2
    assert rec["event_date"].notna().sum() == 3420
    assert set(part.unmapped["value"]) == {FREE_TEXT_PLACEHOLDER}
    assert rec["cause_native"].isna().all()
    # sex and age are read for the people the cell names; the rest stays unknown
    assert (rec["female"] + rec["male"] + rec["sex_unknown"] >= rec["dead_and_missing"]).all()
    assert int(rec["female"].sum()) == 1450 and int(rec["male"].sum()) == 3373


@pytest.mark.real
def test_real_names_and_free_text_never_reach_curated_records(real):
    _, raw, part = real
    texts = set()
    for column in united.SOURCE.spec.name_columns + united.SOURCE.spec.free_text_columns:
        texts |= {v.strip() for v in raw.frame[column]} - {"", "N.N.", "unknown"}
    assert_no_names(texts, part.records)


# --- the sample -----------------------------------------------------------------------------

def test_sample_reconciles_and_keeps_the_quirks(tmp_path):
    write_samples(tmp_path)
    from pipelines import snapshots
    (snap,) = snapshots.discover(tmp_path, united.SOURCE)
    raw, part = curate(united, snap, snap.folder / LIST)
    assert_rows_reconcile(part)
    assert part.rows_quarantined == 1
    assert part.records["flags"].str.contains("date_unparsed").sum() == 1
    assert (snap.folder / "sources.csv").is_file()
