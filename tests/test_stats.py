"""`deaths_stats` on a few hand-built records: splits, margins, nothing invented."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines.stats.checks import BlockingCheckError, check_deaths, margin_violations
from pipelines.stats.deaths import DIMENSIONS, deaths_stats, grouping_sets

BASE = dict(source="mmp", snapshot="2025-05-05", year=2020, year_basis="incident",
            nationality="GTM", race_ethnicity="not_recorded", gender_identity="not_recorded",
            country_iso3="USA", cause="drowning", criminal="undetermined", scope="in_transit")


def _records(rows: list[dict]) -> pd.DataFrame:
    counts = ["dead", "missing", "dead_and_missing", "female", "male", "sex_unknown", "children",
              "adults", "age_unknown"]
    frame = pd.DataFrame([{**BASE, **r} for r in rows])
    for column in counts:
        frame[column] = pd.array(frame.get(column, [None] * len(frame)), dtype="Int64")
    return frame


def _stats(records: pd.DataFrame, person_level: bool = False) -> pd.DataFrame:
    con = duckdb.connect()
    con.register("frame", records)
    con.execute("CREATE TABLE deaths AS SELECT * FROM frame")
    info = pd.DataFrame({"source": ["mmp"], "snapshot": ["2025-05-05"], "is_latest": [True],
                         "period_end": [pd.Timestamp("2020-06-30")]})
    return deaths_stats(con, {"mmp": person_level}, info)


def _cell(stats: pd.DataFrame, **dims) -> int | None:
    mask = pd.Series(True, index=stats.index)
    for dim in DIMENSIONS:
        mask &= stats[dim] == dims.get(dim, "all")
    values = stats.loc[mask, "value"]
    return int(values.iloc[0]) if len(values) else None


@pytest.fixture
def incident_stats():
    records = _records([
        dict(dead=3, missing=2, dead_and_missing=5, female=1, male=2, sex_unknown=2, children=1, age_unknown=4),
        dict(dead=2, missing=None, dead_and_missing=2, female=2, male=1, sex_unknown=2, children=None, age_unknown=2,
             nationality="MULTIPLE"),                                   # females + males above total
        dict(dead=4, missing=-1, dead_and_missing=4, female=None, male=None, sex_unknown=4, children=0,
             age_unknown=4, cause="violence", criminal="criminal"),     # a negative correction
    ])
    return _stats(records)


def test_splits_follow_the_data_model(incident_stats):
    s = incident_stats
    assert _cell(s) == 11
    assert (_cell(s, sex="female"), _cell(s, sex="male"), _cell(s, sex="unknown")) == (1, 2, 8)
    assert (_cell(s, status="dead"), _cell(s, status="missing"), _cell(s, status="unknown")) == (5, 2, 4)
    assert (_cell(s, age_group="child"), _cell(s, age_group="unknown")) == (1, 10)
    assert _cell(s, age_group="adult") is None  # MMP has no adult count: never invented
    assert _cell(s, race_ethnicity="not_recorded") == 11
    assert _cell(s, criminal="criminal", sex="unknown") == 4


def test_margins_add_up_and_no_two_splits_are_crossed(incident_stats):
    s = incident_stats
    assert margin_violations(s).empty
    assert s[(s["sex"] != "all") & (s["status"] != "all")].empty
    assert s[(s["sex"] != "all") & (s["age_group"] != "all")].empty
    assert bool(s["partial_year"].iloc[0]) is True


def test_person_level_sources_cross_sex_and_age():
    records = _records([dict(dead=1, missing=0, dead_and_missing=1, female=1, male=0, sex_unknown=0,
                             children=0, adults=1, age_unknown=0),
                        dict(dead=1, missing=0, dead_and_missing=1, female=0, male=1, sex_unknown=0,
                             children=1, adults=0, age_unknown=0)])
    s = _stats(records, person_level=True)
    assert _cell(s, sex="female", age_group="adult") == 1
    assert _cell(s, sex="male", age_group="child") == 1
    assert margin_violations(s).empty
    assert ("age_group", "sex") in grouping_sets(True) and ("age_group", "sex") not in grouping_sets(False)


def test_source_without_sex_field_gives_not_recorded():
    records = _records([dict(dead=1, missing=0, dead_and_missing=1)])
    s = _stats(records, person_level=True)
    assert _cell(s, sex="not_recorded") == 1 and _cell(s, age_group="not_recorded") == 1


def test_rows_outside_the_published_area_are_left_out():
    one = dict(dead=1, missing=0, dead_and_missing=1, female=0, male=1, sex_unknown=0)
    records = _records([{**one, "flags": ""}, {**one, "flags": "future_date;outside_published_area"},
                        {**one, "flags": "future_date"}])
    s = _stats(records, person_level=True)
    assert _cell(s) == 2 and _cell(s, sex="male") == 2


def test_rows_flagged_not_in_stats_are_left_out():
    one = dict(dead=5, missing=0, dead_and_missing=5)
    records = _records([{**one, "flags": ""}, {**one, "flags": "publisher_total;not_in_stats"},
                        {**one, "flags": "pima_examiner_record;not_in_stats"}])
    assert _cell(_stats(records)) == 5


def test_a_fiscal_year_is_partial_only_before_30_september():
    # The snapshot's period ends 2020-06-30: inside calendar 2020 and inside FY2020 (Oct 2019 -
    # Sep 2020); a period ending 2020-09-30 completes FY2020 but not calendar 2020.
    one = dict(dead=1, missing=0, dead_and_missing=1)
    records = _records([{**one, "year_basis": "fiscal", "flags": ""},
                        {**one, "year_basis": "incident", "flags": ""},
                        {**one, "year_basis": "fiscal", "year": 2019, "flags": ""}])
    con = duckdb.connect()
    con.register("frame", records)
    con.execute("CREATE TABLE deaths AS SELECT * FROM frame")
    for end, partial in (("2020-06-30", {(2020, "fiscal"): True, (2020, "incident"): True,
                                         (2019, "fiscal"): False}),
                         ("2020-09-30", {(2020, "fiscal"): False, (2020, "incident"): True,
                                         (2019, "fiscal"): False})):
        info = pd.DataFrame({"source": ["mmp"], "snapshot": ["2025-05-05"], "is_latest": [True],
                             "period_end": [pd.Timestamp(end)]})
        s = deaths_stats(con, {"mmp": False}, info)
        seen = s.groupby(["year", "year_basis"])["partial_year"].agg(set).to_dict()
        assert seen == {k: {v} for k, v in partial.items()}, end


def test_blocking_check_catches_a_broken_margin(incident_stats):
    records = pd.DataFrame({"source": ["mmp"], "snapshot": ["2025-05-05"], "year": [2020],
                            "dead_and_missing": [11]})
    check_deaths(incident_stats, records)
    broken = incident_stats.copy()
    row = broken.index[(broken["sex"] == "female")][0]
    broken.loc[row, "value"] += 1
    with pytest.raises(BlockingCheckError, match="margin"):
        check_deaths(broken, records)


def test_criminal_deaths_per_country_by_sex_and_by_nationality():
    # The letter's question per country: criminal x country x sex and criminal x country x
    # nationality, each summing to its margins.
    records = _records([
        dict(dead=3, missing=0, dead_and_missing=3, female=1, male=2, sex_unknown=0, country_iso3="MEX",
             nationality="HND", cause="violence", criminal="criminal"),
        dict(dead=2, missing=0, dead_and_missing=2, female=None, male=1, sex_unknown=1, country_iso3="MEX",
             nationality="GTM", cause="violence", criminal="criminal"),
        dict(dead=5, missing=0, dead_and_missing=5, female=0, male=5, sex_unknown=0, country_iso3="USA",
             nationality="MEX", cause="violence", criminal="criminal"),
        dict(dead=7, missing=0, dead_and_missing=7, female=3, male=0, sex_unknown=4, country_iso3="MEX",
             nationality="HND"),
    ])
    s = _stats(records)
    mex = dict(criminal="criminal", country_iso3="MEX")
    assert (_cell(s, **mex, sex="female"), _cell(s, **mex, sex="male"),
            _cell(s, **mex, sex="unknown")) == (1, 3, 1)
    assert (_cell(s, **mex, nationality="HND"), _cell(s, **mex, nationality="GTM")) == (3, 2)
    assert _cell(s, **mex) == 5 and _cell(s, criminal="criminal", country_iso3="USA", sex="male") == 5
    assert _cell(s, criminal="undetermined", country_iso3="MEX", sex="unknown") == 4
    assert margin_violations(s).empty
