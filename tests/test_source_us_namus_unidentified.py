"""NamUs unidentified persons source: hand-written excerpts, the generated samples and the real
files (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipelines import snapshots
from pipelines.samples.us_namus_unidentified import write_samples
from pipelines.sources import us_namus_unidentified as namus
from pipelines.sources.base import RawFormatError
from tests.conftest import real_snapshot
from tests.helpers import assert_rows_reconcile, cells, curate, write_snapshot

HEADER = ("Case,ME/C Case,DBF,Age From,Age To,City,County,State,Biological Sex,"
          "Race / Ethnicity,Date Modified")


def _curate(tmp_path: Path, rows: list[str], file_name: str = "arizona_unidentified_bodies.csv"):
    data = ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")
    snap, path = write_snapshot(tmp_path, namus, "2025-10-18", file_name, data,
                                ("1915-05-13", "2025-09-26"), kind="derived")
    return curate(namus, snap, path)


# --- hand-written excerpts ------------------------------------------------------------------

def test_excerpt_ages_races_dates_and_border_counties(tmp_path):
    rows = [
        'UP1,ME/C Case 25-2599,07/30/2025,,,Tucson,Pima,Arizona,Male,Uncertain,09/16/2025',
        'UP2,ME/C Case 25-08279,07/24/2025,27.0,37.0,Mesa,Maricopa,Arizona,Male,'
        '"Black / African American, Hispanic / Latino",08/05/2025',
        'UP3,ME/C Case 19-0001,01/02/2019,16.0,16.0,Nogales,Santa Cruz,Arizona,Female,'
        'Hispanic / Latino,01/03/2019',
        'UP4,ME/C Case ,12/31/1998,10.0,20.0,Laredo,Webb,Texas,Unsure,White / Caucasian,01/01/2000',
        'UP5,ME/C Case X,03/04/2001,40.0,50.0,Las Cruces,Doña Ana,New Mexico,,,01/01/2002',
        'UP6,ME/C Case Y,03/04/2001,12.0,15.0,,,New Mexico,Female,Other,01/01/2002',
    ]
    raw, part = _curate(tmp_path, rows)
    rec = part.records.set_index("record_id")

    assert part.rows_read == 6 and len(rec) == 6 and part.rows_quarantined == 0
    assert part.unmapped.empty
    assert rec["year"].to_dict() == {"UP1": 2025, "UP2": 2025, "UP3": 2019, "UP4": 1998,
                                     "UP5": 2001, "UP6": 2001}
    assert (rec["year_basis"] == "found").all()
    assert rec.loc["UP4", "event_date"] == pd.Timestamp("1998-12-31")
    assert rec["race_ethnicity"].to_dict() == {
        "UP1": "unknown", "UP2": "multiple", "UP3": "hispanic_latino", "UP4": "white",
        "UP5": "unknown", "UP6": "other"}
    # The age range: one age -> age_years; a range on one side of 18 -> its group; else unknown.
    assert rec.loc["UP3", ["age_years", "children"]].tolist() == [16, 1]
    assert pd.isna(rec.loc["UP2", "age_years"]) and rec.loc["UP2", "adults"] == 1
    assert rec.loc["UP4", "age_unknown"] == 1 and rec.loc["UP6", "children"] == 1
    assert rec.loc["UP1", "age_unknown"] == 1
    assert rec.loc["UP4", "sex_unknown"] == 1 and rec.loc["UP5", "sex_unknown"] == 1
    assert rec.loc["UP3", "female"] == 1 and rec.loc["UP1", "male"] == 1
    # Only the listed border counties are published; the others are kept, flagged.
    outside = rec["flags"].str.contains("outside_published_area")
    assert outside.to_dict() == {"UP1": False, "UP2": True, "UP3": False, "UP4": False,
                                 "UP5": False, "UP6": True}
    assert rec["region"].tolist()[:5] == ["Pima", "Maricopa", "Santa Cruz", "Webb", "Doña Ana"]
    assert pd.isna(rec.loc["UP6", "region"])
    assert (rec["country_iso3"] == "USA").all() and (rec["scope"] == "unknown").all()
    assert (rec["cause"] == "unknown").all() and (rec["criminal"] == "undetermined").all()
    # The examiner's case number and the city never reach curated rows.
    texts = set(cells(part.records))
    assert not {"ME/C Case 25-2599", "25-2599", "Tucson", "Las Cruces"} & texts


def test_hidalgo_is_on_the_border_in_both_states_but_not_elsewhere(tmp_path):
    rows = ['UP1,,01/01/2020,,,,Hidalgo,Texas,Male,,01/01/2021',
            'UP2,,01/01/2020,,,,Hidalgo,New Mexico,Male,,01/01/2021',
            'UP3,,01/01/2020,,,,Pima,Texas,Male,,01/01/2021']
    _, part = _curate(tmp_path, rows)
    assert part.records["flags"].tolist() == ["", "", "outside_published_area"]


def test_bad_rows_are_quarantined_not_dropped(tmp_path):
    rows = ['UP1,,01/01/2020,20.0,30.0,,Pima,Arizona,Male,,01/01/2021',
            'UP1,,01/01/2020,20.0,30.0,,Pima,Arizona,Male,,01/01/2021',
            'UP3,,,20.0,30.0,,Pima,Arizona,Male,,01/01/2021',
            'UP4,,2020-01-01,20.0,30.0,,Pima,Arizona,Male,,01/01/2021',
            'UP5,,01/01/2020,30.0,20.0,,Pima,Arizona,Male,,01/01/2021',
            'UP6,,01/01/2020,about 20,30.0,,Pima,Arizona,Male,,01/01/2021',
            'UP7,,01/01/2020,20.0,,,Pima,Arizona,Male,,01/01/2021',
            'UP8,,01/01/2020,20.0,30.0,,Pima,Arizona,Alien,Martian,01/01/2021']
    _, part = _curate(tmp_path, rows)
    q = part.quarantine.set_index("raw_row")
    assert part.rows_read == 8 and len(part.records) == 2 and part.rows_quarantined == 6
    assert_rows_reconcile(part)
    assert q.loc[3, "check"] == "record_id_unique"
    assert "blank" in q.loc[4, "reason"] and "not in a known date format" in q.loc[5, "reason"]
    assert q.loc[6, "reason"] == "Age From is above Age To"
    assert "whole number" in q.loc[7, "reason"]
    assert q.loc[8, "reason"] == "only one end of the age range is given"
    rec = part.records.set_index("record_id")
    assert rec.loc["UP8", ["sex_unknown", "race_ethnicity"]].tolist() == [1, "unknown"]
    assert set(part.unmapped["value"]) == {"Alien", "Martian"}


def test_unknown_header_fails_loudly(tmp_path):
    data = b"Case,DBF,Sex\nUP1,01/01/2020,Male\n"
    snap, path = write_snapshot(tmp_path, namus, "2025-10-18", "texas_unidentified_bodies.csv",
                                data, ("1915-05-13", "2025-09-26"))
    with pytest.raises(RawFormatError):
        namus.SOURCE.read_raw(path)


# --- generated samples ----------------------------------------------------------------------

def test_samples_parse_without_quarantine(tmp_path):
    write_samples(tmp_path)
    (snap,) = snapshots.discover(tmp_path, namus.SOURCE)
    assert snap.is_sample and len(snap.data_files()) == 4
    for path in snap.data_files():
        raw, part = curate(namus, snap, path)
        assert part.rows_quarantined == 0 and part.unmapped.empty, path.name
        assert set(part.records["race_ethnicity"]) >= {"hispanic_latino", "unknown"}
        assert_rows_reconcile(part, path.name)


# --- real files -----------------------------------------------------------------------------

# Rows per file and the Pima County rows, as PROVENANCE.md counts them.
REAL_ROWS = {"arizona_unidentified_bodies.csv": 2131, "texas_unidentified_bodies.csv": 2095,
             "new_mexico_unidentified_bodies.csv": 302, "california_unidentified_bodies.csv": 2970}


@pytest.mark.real
def test_real_files_parse_and_reconcile(real_dir):
    snap = real_snapshot(real_dir, namus.SOURCE.id, "2025-10-18")
    parts = {path.name: curate(namus, snap, path)[1] for path in snap.data_files()}
    assert sorted(parts) == sorted(REAL_ROWS)
    for name, part in parts.items():
        assert part.rows_read == REAL_ROWS[name] and part.rows_quarantined == 0, name
        assert part.unmapped.empty, (name, part.unmapped)
        assert_rows_reconcile(part, name)
    arizona = parts["arizona_unidentified_bodies.csv"].records
    pima = arizona[arizona["region"] == "Pima"]
    assert len(pima) == 1313 and not pima["flags"].str.contains("outside").any()
    assert (arizona["race_ethnicity"] == "hispanic_latino").sum() <= 1093
    texas = parts["texas_unidentified_bodies.csv"].records
    published = texas[~texas["flags"].str.contains("outside_published_area")]
    assert set(published["region"]) >= {"Brooks", "Hidalgo", "Webb", "Kenedy", "Maverick"}
    assert "Harris" not in set(published["region"])
