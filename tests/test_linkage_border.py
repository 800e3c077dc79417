"""The US-Mexico border pairings of nmd_border_deaths (pipelines/stats/pairings/border.py):
hand-written excerpts for how each list becomes the linker's input, and the real files
(skipped when absent) for the counts and quality measured in docs/linkage.md."""

from __future__ import annotations

import html
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines.sources import mmp as mmp_source
from pipelines.sources import nmd_border_deaths as nmd
from pipelines.sources import pcome_humane_borders as pcome
from pipelines.sources.base import RawTable
from pipelines.stats import link_rules, linkage
from pipelines.stats.overlap import overlap_tables
from pipelines.stats.pairings import PAIRINGS, border
from tests.conftest import real_snapshot
from tests.test_source_nmd_border_deaths import _curate

BY_NAME = {p.name: p for p in PAIRINGS}
NMD_ROWS = [
    "San Diego County Office of the,2015.0,6/16/2015,22.0,,M,,Drowning,32.60975,-116.44435,,",
    "Imperial County Coroners Office,2021.0,6/1/2021,25.0,,M,,Pending,32.75695,-114.81583,,",
    "El Paso Sector Database,2020.0,2020-08-18 16:27:00,23.0,,M,,Drowning,31.7602,-106.4684,Hidalgo,",
    "Other Texas Counties,2019.0,2019-08-22 00:00:00,,,M,,Drowning,,,Hidalgo,",
    "Other Texas Counties,2013.0,2013-02-28 00:00:00,,,U,,,,,Dimmit,",
    "Pima County Office of the Medic,2010.0,2010-06-12 00:00:00,30.0,,F,,Exposure,32.6336,-111.1,PIMA,Arizona",
    "Maverick,2022.0,11/2/2022,48.0,,F,,Drowning,,,,",
    "El Paso Sector Database,2023.0,2023-06-22 00:00:00,32.0,,F,,,31.82838,-106.63639,Dona Ana,",
    "Maverick County,2022.0,2022-11-02 00:00:00,48.0,,F,,Drowning,28.7,-100.5,Maverick,",
]


def test_nmd_rows_take_their_sub_sources_county_and_hidalgo_its_state(tmp_path):
    raw, _ = _curate(tmp_path, NMD_ROWS)
    assert border.nmd_counties(raw).tolist() == [
        "california|san diego", "california|imperial", "new mexico|hidalgo", "texas|hidalgo",
        None,  # Dimmit is not a listed border county
        None,  # the Pima County examiner's rows are linked in their own pairing
        "texas|maverick", "new mexico|dona ana",
        None]  # the sheet "Maverick County" repeats the sheet "Maverick"


def test_nmd_area_input_compares_date_sex_coordinates_and_keeps_deaths_record_ids(tmp_path):
    raw, part = _curate(tmp_path, NMD_ROWS)
    got = border.nmd_area_input(raw)
    assert len(got.frame) == 6
    # The record ids are the `deaths` ones: the links join the catalog's records.
    assert set(got.record_ids) <= set(part.records["record_id"])
    frame = got.frame
    assert frame["found_date"].astype("str").tolist()[:3] == ["2015-06-16", "2021-06-01", "2020-08-18"]
    assert frame["sex"].tolist() == ["male", "male", "male", "male", "female", "female"]
    assert frame["county_year"].tolist()[:2] == ["california|san diego|2015", "california|imperial|2021"]
    assert frame["county_half_shifted_year"].tolist()[0] == "california|san diego|2015"
    assert frame["county_half_shifted_year"].tolist()[1] == "california|imperial|2021"
    assert frame["county_half_shifted_year"].tolist()[2] == "new mexico|hidalgo|2021"  # August + 183 days
    assert frame[["lat", "lon"]].isna().all(axis=1).tolist() == [False, False, False, True, True, False]
    # Age, county and cause are not compared.
    assert not {"age_low", "age_high", "county", "cause"} & set(frame)


def test_nmd_pima_input_holds_the_examiners_rows_only(tmp_path):
    raw, part = _curate(tmp_path, NMD_ROWS)
    got = border.nmd_pima_input(raw)
    assert len(got.frame) == 1 and got.frame["sex"].tolist() == ["female"]
    pima = part.records[part.records["flags"].str.contains("pima_examiner_record")]
    assert got.record_ids.tolist() == pima["record_id"].tolist()
    assert got.frame[["lat", "lon"]].astype(float).values.tolist() == [[32.6336, -111.1]]


def _mmp(rows):
    columns = ["Incident ID", "Incident Date", "Location of Incident", "Country of Incident",
               "Coordinates", "Number of Females", "Number of Males",
               "Total Number of Dead and Missing"]
    frame = pd.DataFrame(rows, columns=columns)
    return RawTable(Path("mmp.xlsx"), frame, "country_2024", np.arange(2, 2 + len(frame)))


def test_mmp_area_input_reads_the_county_its_place_names():
    usa = "United States of America"
    raw = _mmp([
        ("I1", "2015-06-16", "Unspecified location, Otay Lakes County Park, Chula Vista, "
                             "San Diego County, California, 91914, USA", usa, "32.59, -116.46", "", "1", "1"),
        ("I2", "2019-08-22", "Desert Location In Hidalgo County, Texas, USA", usa, "", "", "", "2"),
        ("I3", "2020-01-01", "Near Ajo, Pima County, Arizona, USA", usa, "32.0, -112.8", "", "1", "1"),
        ("I4", "2020-01-02", "Rio Bravo in Eagle Pass, Texas, USA", usa, "28.7, -100.5", "1", "", "1"),
        ("I5", "2020-01-03", "Hidalgo County, New Mexico", usa, "31.5, -108.7", "1", "", "1"),
        ("I6", "2020-01-04", "Piedras Negras, Maverick County, Coahuila", "Mexico", "", "", "1", "1"),
        ("I7", "2020-01-05", "Webb County, Texas / Zapata County, Texas", usa, "", "", "1", "1"),
    ])
    got = border.mmp_area_input(raw)
    # Pima is not in the area; a place naming no county is not placed; Mexico is left out.
    assert got.record_ids.tolist() == ["I1", "I2", "I5", "I7"]
    assert got.frame["county_year"].tolist() == ["california|san diego|2015", "texas|hidalgo|2019",
                                                 "new mexico|hidalgo|2020", "texas|zapata|2020"]
    assert got.frame["sex"].tolist() == ["male", None, "female", "male"]
    assert got.persons.tolist() == [1, 2, 1, 1]
    assert not {"Location of Incident"} & set(got.frame)


def test_a_measurement_pairing_adds_no_overlap_row():
    pairing = BY_NAME["pima_ome_nmd"]
    assert not pairing.overlap and BY_NAME["border_nmd_mmp"].overlap
    quality = pd.DataFrame([{"pairing": pairing.name, "area": pairing.area, "source_l": "pcome_humane_borders",
                             "snapshot_l": "s1", "source_r": "nmd_border_deaths", "snapshot_r": "s2",
                             "links": 1, "precision": 1.0, "precision_low": 0.9, "recall": None,
                             "basis": "clerical_review"}])
    links = pd.DataFrame({"source_l": "pcome_humane_borders", "snapshot_l": "s1",
                          "source_r": "nmd_border_deaths", "snapshot_r": "s2",
                          "record_id_l": ["A"], "record_id_r": ["B"]})
    tables = overlap_tables(duckdb.connect(), linkage.Linkage(links, quality), pd.DataFrame(), PAIRINGS)
    assert all(frame.empty for frame in tables.values())


def test_location_m_is_set_not_trained():
    creator = linkage.settings(("found_date", "location"), m_set={"location": border.LOCATION_M})
    (location,) = [c for c in creator.comparisons if c.get_comparison("duckdb").output_column_name == "location"]
    levels = [lv for lv in location.get_comparison("duckdb").comparison_levels if not lv.is_null_level]
    assert [lv.m_probability for lv in levels] == pytest.approx(list(border.LOCATION_M))


def test_no_mmp_estimate_is_published_in_the_border_counties():
    pairing = BY_NAME["border_nmd_mmp"]
    assert pairing.not_estimated_because == "lists_entered_from_the_same_records"
    assert "independence" in pairing.assumptions_failing and pairing.incidents_right


# --- real files -----------------------------------------------------------------------------

def _real_inputs(real_dir, pairing):
    snaps = {"pcome_humane_borders": (pcome, "2022-03-28"), "nmd_border_deaths": (nmd, "2026-04-29"),
             "mmp": (mmp_source, "2025-05-05")}
    out = []
    for side in (pairing.left, pairing.right):
        module, name = snaps[side.source]
        snap = real_snapshot(real_dir, side.source, name)
        out.append(side.build(module.SOURCE.read_raw(snap.data_files()[0])))
    return out


def _chosen(left, right, pairing):
    pairs = linkage.scored(left, right, pairing)
    return link_rules.links(pairs, capacity=right.persons if pairing.incidents_right else None)


@pytest.mark.real
def test_real_nmd_pima_rows_link_to_the_ogis_records_and_agree_on_what_was_not_compared(real_dir):
    pairing = BY_NAME["pima_ome_nmd"]
    left, right = _real_inputs(real_dir, pairing)
    assert len(left.frame) == 3857 and len(right.frame) == 4492
    chosen = _chosen(left, right, pairing)
    assert len(chosen) == 3760
    # The fields the linker never saw: the age, where both records hold one, and the county.
    ogis = pcome.SOURCE.read_raw(real_snapshot(real_dir, "pcome_humane_borders", "2022-03-28").data_files()[0]).frame
    raw = nmd.SOURCE.read_raw(real_snapshot(real_dir, "nmd_border_deaths", "2026-04-29").data_files()[0])
    copy = raw.frame[nmd.pima_rows(raw).to_numpy()]
    a = ogis.iloc[chosen["unique_id_l"].astype(int)]
    b = copy.iloc[chosen["unique_id_r"].astype(int)]
    age_a = pd.to_numeric(a["Age"].str.strip(), errors="coerce").to_numpy()
    age_b = pd.to_numeric(b["Age"].str.strip(), errors="coerce").to_numpy()
    both = ~np.isnan(age_a) & ~np.isnan(age_b)
    assert both.sum() == 2208 and (age_a[both] == age_b[both]).sum() == 2205
    county = (a["County"].str.strip().str.lower().to_numpy() == b["County"].str.strip().str.lower().to_numpy())
    assert county.all()


@pytest.mark.real
def test_real_nmd_border_counties_link_to_mmp_the_same_way_twice(real_dir):
    pairing = BY_NAME["border_nmd_mmp"]
    left, right = _real_inputs(real_dir, pairing)
    assert len(left.frame) == 4045 and len(right.frame) == 2131
    first, second = _chosen(left, right, pairing), _chosen(left, right, pairing)
    assert len(first) == 1085
    key = ["unique_id_l", "unique_id_r", "match_probability"]
    pd.testing.assert_frame_equal(first[key].reset_index(drop=True), second[key].reset_index(drop=True))
    # Incident-level: an incident keeps at most as many records as it counts persons.
    per_incident = first.groupby("unique_id_r").size()
    assert (per_incident <= right.persons.to_numpy()[per_incident.index.astype(int)]).all()
    assert (per_incident > 1).any()



def test_page_names_the_border_counties_and_why_no_estimate(tmp_path):
    from pipelines.publish.page.write import render_page
    from tests.test_overlap import PAIRING, _section, _tables
    from tests.test_page import sources_rows

    declared = BY_NAME["border_nmd_mmp"]
    pairing = linkage.Pairing(**{**PAIRING.__dict__, "area": declared.area, "cross_race": False,
                                 "assumptions_failing": declared.assumptions_failing,
                                 "not_estimated_because": declared.not_estimated_because})
    tables = {**_tables(pairing), "sources": sources_rows("a", "b").assign(snapshot=["s1", "s2"])}
    assert tables["deaths_estimates"]["reason"].tolist() == ["lists_entered_from_the_same_records"]
    page = render_page(tables, tmp_path, "R1", created="2026-01-01T00:00:00+00:00", sample=False)
    text = html.unescape(_section(page))
    assert "US border counties outside the Pima County examiner's" in text
    assert ("no estimate: both lists are entered from the same examiners' and agencies' records: "
            "not independent captures") in text
