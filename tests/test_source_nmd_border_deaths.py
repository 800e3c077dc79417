"""No More Deaths border-death records (a third party's merge): hand-written excerpts with
every quirk PROVENANCE.md lists, the sample and the real copy (skipped when absent)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pipelines.samples.nmd_border_deaths import write_samples
from pipelines.sources import nmd_border_deaths as nmd
from tests.helpers import assert_rows_reconcile, curate, curate_real, curate_samples, write_snapshot

HEADER = "Source,Year,Date,Age,Age_Range,Gender,Nationality,Cause_of_Death,Latitude,Longitude,County,State"


def _curate(tmp_path, rows):
    data = ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")
    snap, path = write_snapshot(tmp_path, nmd, "2026-04-29", "border_deaths_master.csv", data,
                                ("1981-01-01", "2025-12-31"), kind="derived")
    return curate(nmd, snap, path)


ROWS = [
    "San Diego County Office of the,2002.0,2/8/2002,30.0,26-35,M,Mexico,Stab wounds of torso,32.539026,-117.076790,,",
    'Pima County Office of the Medic,2010.0,2010-06-12 00:00:00,,,F,,Exposure,"32.63366522822624,",-111.1,PIMA,Arizona',
    "Pima County Office of the Medic,,2025-04-05 00:00:00,,,M,,Undetermined,31.92828,-112.11071,Pima,Arizona",
    "El Paso Sector Database,,3/7/2020 0950,,0-17,U,,Complications of maternal trauma,31.399321,-106.038202,El Paso,",
    "El Paso Sector Database,2022.0,2022,31.0,Unknown,Female,Haiti,Miscarriage,31.766623,-106.450332,,",
    "El Paso Sector Database,2024.0,2023-11-28 00:00:00,53.0,,Male,Tent Mexico,Natural,31.81,-106.80,Doña Ana,",
    "Brooks County,2015.0,2015-05-01 00:00:00,,56 and older,M,GUATEMALA,,27.2,-98.1,Brooks,Michoacan",
    "Imperial County Coroners Office,,,,,,,,32.65517,-115.6336,,",
    'Maverick,2012.0,7/4/2012,x,,M,,Drowning,"32.877401469913465, -117.25196860496008",,Maverick,',
]


def test_excerpt_quirks(tmp_path):
    raw, part = _curate(tmp_path, ROWS)
    assert part.rows_read == 9 and part.rows_quarantined == 2
    assert_rows_reconcile(part)
    assert part.unmapped.empty, part.unmapped
    checks = dict(zip(part.quarantine["raw_row"], part.quarantine["check"]))
    assert checks == {9: "year_present", 10: "whole_number"}
    rec = part.records.set_index("raw_row")
    # Float years; the Date's year where Year is blank; a Year kept against its Date, flagged.
    assert rec["year"].to_dict() == {2: 2002, 3: 2010, 4: 2025, 5: 2020, 6: 2022, 7: 2024, 8: 2015}
    assert "year_differs_from_date" in rec.loc[7, "flags"] and "date_unparsed" in rec.loc[6, "flags"]
    assert rec.loc[5, "event_date"] == pd.Timestamp("2020-03-07")
    # Pima County examiner rows: kept, out of the statistics, on the examiner's reporting basis.
    assert rec.loc[3, "flags"] == rec.loc[4, "flags"] == "pima_examiner_record;not_in_stats"
    assert rec.loc[3, "year_basis"] == "reported" and rec.loc[2, "year_basis"] == "found"
    assert rec["region"].fillna("").to_dict() == {2: "", 3: "Pima", 4: "Pima", 5: "El Paso",
                                                  6: "", 7: "Doña Ana", 8: "Brooks"}
    # The home state (Michoacan) is not a place of death and is not copied.
    assert pd.isna(rec.loc[8, "country_native"]) and rec.loc[3, "country_native"] == "Arizona"
    assert rec["nationality"].to_dict() == {2: "MEX", 3: "UNKNOWN", 4: "UNKNOWN", 5: "UNKNOWN",
                                            6: "HTI", 7: "UNKNOWN", 8: "GTM"}
    assert rec.loc[2, "male"] == 1 and rec.loc[6, "female"] == 1 and rec.loc[5, "sex_unknown"] == 1
    assert rec.loc[5, "children"] == 1 and rec.loc[8, "adults"] == 1 and rec.loc[2, "age_years"] == 30
    causes = rec[["cause", "criminal"]].apply(tuple, axis=1).to_dict()
    assert causes == {2: ("violence", "criminal"), 3: ("environmental_exposure", "undetermined"),
                      4: ("unknown", "undetermined"), 5: ("accident_other", "undetermined"),
                      6: ("illness", "non_criminal"), 7: ("illness", "non_criminal"),
                      8: ("unknown", "undetermined")}
    assert (rec["race_ethnicity"] == "not_recorded").all()


def test_coordinates_read_the_trailing_comma_and_the_pair_in_one_cell(tmp_path):
    raw, _ = _curate(tmp_path, ROWS)
    coords = nmd.coordinates(raw)
    assert coords.loc[1, "latitude"] == pytest.approx(32.63366522822624)
    assert coords.loc[8].tolist() == pytest.approx([32.877401469913465, -117.25196860496008])
    assert coords["latitude"].notna().all()


def test_samples_parse(tmp_path):
    for snap, path, raw, part in curate_samples(tmp_path, nmd, write_samples):
        assert part.rows_quarantined == 1 and part.unmapped.empty, part.unmapped
        assert_rows_reconcile(part)


@pytest.mark.real
def test_real_copy(real_dir):
    snap, raw, part = curate_real(real_dir, nmd, "2026-04-29")
    assert part.rows_read == 8832 and part.rows_quarantined == 78
    # The published rows stop with San Diego's examiner (2025-10-03), not the Pima examiner's.
    assert part.records_end == date(2025, 10, 31)
    assert part.unmapped.empty, part.unmapped
    rec = part.records
    pima = rec["flags"].str.contains("pima_examiner_record")
    assert int(nmd.pima_rows(raw).sum()) == 4492 and int(pima.sum()) == 4458
    # The "Maverick County" sheet's 91 rows all repeat the "Maverick" sheet's.
    assert int(rec["flags"].str.contains("repeats_other_sheet").sum()) == 91
    published = rec[~rec["flags"].str.contains("not_in_stats")]
    assert len(published) == 4296 - 91 and (published["year_basis"] == "found").all()
    assert int(published["criminal"].eq("criminal").sum()) == 11
    assert not {"PIMA", "SANTA CRUZ", "COCHISE"} & set(rec["region"].dropna())
    assert set(rec["country_native"].dropna()) == {"Arizona", "Texas"}


def test_rows_of_the_maverick_county_sheet_repeating_the_maverick_sheet_are_not_counted(tmp_path):
    rows = [
        "Maverick,2023.0,11/25/2023,,,M,,Drowning,28.62491,-100.4,,",
        "Maverick,2023.0,11/25/2023,15.0,,F,,Drowning,28.62491,-100.4,,",
        "Maverick,2022.0,5/1/2022,,,M,,Drowning,28.7,-100.5,,",
        # The same day and sex as a Maverick row (one of them twice: only one is a repeat).
        "Maverick County,2023.0,2023-11-25 00:00:00,,,M,,Drowning,28.62491,-100.4,Maverick,",
        "Maverick County,2023.0,2023-11-25 00:00:00,,,M,,Drowning,28.62491,-100.4,Maverick,",
        # The same day, another sex; and a day the Maverick sheet does not have.
        "Maverick County,2022.0,2022-05-01 00:00:00,,,F,,Drowning,28.7,-100.5,Maverick,",
        "Maverick County,2021.0,2021-03-03 00:00:00,,,M,,Drowning,28.7,-100.5,Maverick,",
    ]
    raw, part = _curate(tmp_path, rows)
    flags = part.records.set_index("raw_row")["flags"].to_dict()
    repeats = {row for row, flag in flags.items() if flag == "repeats_other_sheet;not_in_stats"}
    assert repeats == {5}, flags
    assert all(flags[row] == "" for row in (2, 3, 4, 6, 7, 8))
