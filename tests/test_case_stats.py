"""Crimes statistics of aggregate sources: margins, shortfalls, excesses, withheld cells."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.stats.cases import STREAMS, case_stats
from pipelines.stats.checks import case_margin_violations
from pipelines.stats.tables import coverage_table

DIMS = STREAMS["crimes"]["dims"]
FIXED = STREAMS["crimes"]["fixed"]


def _cell(value, low=None, high=None, **dims) -> dict:
    row = {"source": "unodc_glotip", "snapshot": "2025-04-14", "year": 2021, "year_basis": "reported",
           "unit": "persons", "subject": "victim", "population": "general",
           **{d: "all" for d in DIMS}, **dims,
           "value": value, "value_min": low if low is not None else value,
           "value_max": high if high is not None else value, "source_suppressed": value is None}
    return row


def _stats(rows):
    records = pd.DataFrame(rows).astype({"value": "Int64", "value_min": "Int64", "value_max": "Int64",
                                         "year": "Int32"})
    info = pd.DataFrame({"source": ["unodc_glotip"], "snapshot": ["2025-04-14"], "is_latest": [True],
                         "period_end": [pd.Timestamp("2025-04-14")]})
    return case_stats(records, "crimes", {"unodc_glotip": False}, info)


def _get(stats, **dims):
    mask = pd.Series(True, index=stats.index)
    for d in DIMS:
        mask &= stats[d] == dims.get(d, "all")
    rows = stats[mask]
    assert len(rows) <= 1
    return None if rows.empty else rows.iloc[0]


@pytest.fixture
def glotip_like():
    return _stats([
        _cell(115, crime_type="trafficking_unspecified"),
        _cell(15, sex="female", crime_type="trafficking_unspecified"),
        _cell(6, sex="male", crime_type="trafficking_unspecified"),
        _cell(50, nationality="ROU", crime_type="trafficking_unspecified"),
        _cell(None, 0, 4, nationality="NGA", crime_type="trafficking_unspecified"),
        _cell(3, nationality="NGA", crime_type="trafficking_unspecified"),  # a collapsed sub-row: added
    ])


def test_shortfall_goes_to_unknown_and_total_stays(glotip_like):
    stats, problems = glotip_like
    assert _get(stats, crime_type="trafficking_unspecified")["value"] == 115
    assert _get(stats, sex="unknown", crime_type="trafficking_unspecified")["value"] == 94
    nga = _get(stats, nationality="NGA", crime_type="trafficking_unspecified")
    assert pd.isna(nga["value"]) and (nga["value_min"], nga["value_max"]) == (3, 7)
    unknown = _get(stats, nationality="UNKNOWN", crime_type="trafficking_unspecified")
    assert (unknown["value_min"], unknown["value_max"]) == (58, 62)
    assert problems.empty


def test_margins_hold_within_bounds(glotip_like):
    stats, problems = glotip_like
    assert case_margin_violations(stats, FIXED, DIMS, problems).empty


def test_not_recorded_dimensions_are_said_in_numbers(glotip_like):
    stats, _ = glotip_like
    assert _get(stats, race_ethnicity="not_recorded")["value"] == 115
    assert _get(stats, gender_identity="not_recorded")["value"] == 115
    assert _get(stats, sex="not_recorded") is None  # sex is recorded


def test_excess_is_listed_not_hidden():
    stats, problems = _stats([
        _cell(115),
        _cell(80, crime_type="trafficking_sexual_exploitation"),
        _cell(60, crime_type="trafficking_forced_labour"),
    ])
    assert _get(stats)["value"] == 115
    (problem,) = problems.to_dict("records")
    assert (problem["dimension"], problem["published_total"], problem["excess"]) == ("crime_type", 115, 25)
    assert case_margin_violations(stats, FIXED, DIMS, problems).empty
    assert not case_margin_violations(stats, FIXED, DIMS, problems.iloc[0:0]).empty


def test_leaf_only_source_gets_computed_margins():
    stats, problems = _stats([
        _cell(3, country_iso3="USA", bias_motivation="anti_hispanic_latino", crime_type="hate_crime"),
        _cell(4, country_iso3="USA", bias_motivation="anti_black", crime_type="hate_crime"),
    ])
    assert _get(stats, country_iso3="USA", crime_type="hate_crime")["value"] == 7
    assert _get(stats)["value"] == 7
    assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty


VICTIMS = dict(crime_type="all", sgbv="all")
SEXUAL = dict(crime_type="trafficking_sexual_exploitation", sgbv="yes")
OTHER = dict(crime_type="trafficking_other", sgbv="no")


def _breakdown(name, rows):
    return [{**r, "breakdown": name} for r in rows]


def _canada_2016():
    """GLOTIP 2025, Canada 2016, detected victims, as UNODC publishes them: the Total table
    (sex x age) adds up (231 = 223 female + 8 male); the sexual-exploitation table's sexes
    fall 14 short of its own total (96 against 33 + 49); one citizenship (96 Canadians)."""
    country = dict(country_iso3="CAN")
    return _stats(
        _breakdown("total", [
            _cell(231, **country, **VICTIMS),
            _cell(223, sex="female", **country, **VICTIMS), _cell(8, sex="male", **country, **VICTIMS),
            _cell(69, age_group="child", **country, **VICTIMS),
            _cell(162, age_group="adult", **country, **VICTIMS),
            _cell(68, sex="female", age_group="child", **country, **VICTIMS),
            _cell(155, sex="female", age_group="adult", **country, **VICTIMS),
            _cell(None, 0, 4, sex="male", age_group="child", **country, **VICTIMS),
            _cell(7, sex="male", age_group="adult", **country, **VICTIMS)])
        + _breakdown("by_form_of_exploitation", [
            _cell(96, **country, **SEXUAL),
            _cell(33, sex="female", age_group="child", **country, **SEXUAL),
            _cell(49, sex="female", age_group="adult", **country, **SEXUAL)])
        + _breakdown("by_citizenship", [_cell(96, nationality="CAN", **country, **VICTIMS)]))


def test_a_published_cell_is_never_altered_by_another_breakdown():
    """Invariant 5: the sexes of Canada's victims come from the Total table and add up
    there; the sexual-exploitation table's shortfall stays in that table."""
    stats, problems = _canada_2016()
    country = dict(country_iso3="CAN")
    assert _get(stats, **country)["value"] == 231
    assert _get(stats, sex="female", **country)["value"] == 223
    assert _get(stats, sex="male", **country)["value"] == 8
    assert _get(stats, sex="unknown", **country) is None  # UNODC implies none
    assert _get(stats, sex="female", **country)["breakdown"] == "total"
    assert _get(stats, **country)["breakdown"] == "all"
    # Within the form table: its own total, its sexes, and its shortfall under unknown sex.
    assert _get(stats, **country, **SEXUAL)["value"] == 96
    assert _get(stats, sex="female", **country, **SEXUAL)["value"] == 82
    unknown = _get(stats, sex="unknown", **country, **SEXUAL)
    assert unknown["value"] == 14 and unknown["breakdown"] == "by_form_of_exploitation"
    # The forms and the citizenships fall short of the country's total: unknown, each in its
    # own table.
    assert _get(stats, **country, crime_type="unknown")["value"] == 231 - 96
    assert _get(stats, nationality="UNKNOWN", **country)["value"] == 231 - 96
    assert problems.empty
    assert case_margin_violations(stats, FIXED, DIMS, problems).empty


def test_a_margin_whose_parts_are_one_category_equals_it():
    """The sgbv of a form of exploitation is one category: sgbv = all is that cell."""
    stats, _ = _canada_2016()
    yes = _get(stats, country_iso3="CAN", **SEXUAL)
    every = _get(stats, country_iso3="CAN", crime_type="trafficking_sexual_exploitation")
    assert (every["value"], every["value_min"], every["value_max"]) == (96, 96, 96) == (
        yes["value"], yes["value_min"], yes["value_max"])
    assert _get(stats, country_iso3="CAN", sgbv="yes")["value"] == 96


def test_the_total_tables_unknown_is_published_as_it_is():
    """GLOTIP 2025, Mexico 2021, persons prosecuted: 14 women + 23 men + 11 of unknown sex
    and age = 48, whatever the other tables say. The Total table's own sex x age cells give
    only 0-8 of its 14 children a sex; the other 6-14 cannot be of unknown sex (at most 11
    are, all of unknown age): that shortfall is listed, not put under unknown."""
    country = dict(country_iso3="MEX")
    stats, problems = _stats(
        _breakdown("total", [
            _cell(48, **country, **VICTIMS), _cell(14, sex="female", **country, **VICTIMS),
            _cell(23, sex="male", **country, **VICTIMS),
            _cell(11, sex="unknown", age_group="unknown", **country, **VICTIMS),
            _cell(14, age_group="child", **country, **VICTIMS),
            _cell(23, age_group="adult", **country, **VICTIMS),
            _cell(None, 0, 4, sex="female", age_group="child", **country, **VICTIMS),
            _cell(14, sex="female", age_group="adult", **country, **VICTIMS),
            _cell(None, 0, 4, sex="male", age_group="child", **country, **VICTIMS),
            _cell(22, sex="male", age_group="adult", **country, **VICTIMS)])
        + _breakdown("by_form_of_exploitation", [
            _cell(30, sex="female", **country, **SEXUAL), _cell(25, sex="male", **country, **OTHER)]))
    assert _get(stats, sex="unknown", **country)["value"] == 11
    assert _get(stats, sex="unknown", age_group="unknown", **country)["value"] == 11
    assert _get(stats, sex="unknown", age_group="child", **country) is None
    assert _get(stats, **country)["value"] == 48
    (child,) = problems[problems["cell"].str.endswith("age_group=child; country_iso3=MEX")
                        ].to_dict("records")
    assert (child["dimension"], child["published_total"], child["parts_max"]) == ("sex", 14, 8)
    assert case_margin_violations(stats, FIXED, DIMS, problems).empty


def test_computed_margins_meet_every_breakdown_and_are_never_listed():
    """Two countries (invented): GLOTIP publishes MEX's sexes and ages but no MEX total, USA's
    total but no sexes; no total across countries. Only published margins are reconciled:
    nothing lands in country UNKNOWN, no computed total is listed as the source's, and where
    the breakdowns imply different totals the computed one is a range meeting both."""
    mex, usa = dict(country_iso3="MEX"), dict(country_iso3="USA")
    stats, problems = _stats(
        _breakdown("total", [
            _cell(76, sex="male", **mex, **VICTIMS), _cell(50, age_group="child", **mex, **VICTIMS),
            _cell(1868, **usa, **VICTIMS)])
        + _breakdown("by_form_of_exploitation", [
            _cell(21, **mex, **OTHER), _cell(100, sex="male", **usa, **OTHER)]))
    assert not (stats["country_iso3"] == "UNKNOWN").any()
    assert problems.empty
    assert case_margin_violations(stats, FIXED, DIMS, problems).empty
    assert _get(stats, sex="male", **mex)["value"] == 76
    assert _get(stats, **usa)["value"] == 1868
    # USA's total and its one form: the rest of USA's victims have an unknown form.
    assert _get(stats, crime_type="unknown", **usa)["value"] == 1768
    assert _get(stats, sex="unknown", **usa) is None  # the Total table gives no sexes
    # MEX: 76 men, 50 children, 21 in one form: no single total is supported.
    total = _get(stats, **mex)
    assert pd.isna(total["value"]) and (total["value_min"], total["value_max"]) == (21, 76)


def test_identical_repeated_rows_count_as_their_breakdown_total_says():
    """Identical rows (content ids ending -2) count once or twice, whichever agrees with
    the cell's published margin; where both or neither do, the range, listed."""
    country = dict(country_iso3="CHL")

    def repeated(value, low, high, record_id, **dims):
        return {**_cell(value, low, high, **dims), "record_id": record_id}

    stats, problems = _stats(
        _breakdown("total", [
            repeated(20, None, None, "ha000000000000000-1", **country, **VICTIMS),
            repeated(12, None, None, "hb000000000000000-1", sex="female", **country, **VICTIMS),
            repeated(4, None, None, "hc000000000000000-1", sex="male", **country, **VICTIMS),
            repeated(4, None, None, "hc000000000000000-2", sex="male", **country, **VICTIMS)])
        + _breakdown("by_form_of_exploitation", [
            repeated(3, None, None, "hd000000000000000-1", **country, **OTHER),
            repeated(3, None, None, "hd000000000000000-2", **country, **OTHER),
            repeated(None, 0, 4, "he000000000000000-1", **country, **SEXUAL)])
        + _breakdown("by_citizenship", [
            repeated(20, None, None, "h1000000000000000-1", nationality="CHL", **country, **VICTIMS),
            repeated(5, None, None, "h2000000000000000-1", nationality="PER", **country, **VICTIMS),
            repeated(5, None, None, "h2000000000000000-2", nationality="PER", **country, **VICTIMS)]))
    assert _get(stats, sex="male", **country)["value"] == 8  # 12 + 4 + 4 = 20: twice
    per = _get(stats, nationality="PER", **country)  # 20 + 5 = 25 and 30 both exceed 20
    assert pd.isna(per["value"]) and (per["value_min"], per["value_max"]) == (5, 10)
    other = _get(stats, **country, **OTHER)  # 3 + [0, 4] and 6 + [0, 4] both fit under 20
    assert pd.isna(other["value"]) and (other["value_min"], other["value_max"]) == (3, 6)
    listed = problems[problems["dimension"] == "repeated_rows"]
    assert [c.split("population=general; ")[1] for c in sorted(listed["cell"])] == [
        "country_iso3=CHL; crime_type=trafficking_other", "nationality=PER; country_iso3=CHL"]
    assert list(listed["parts_min"]) == [3, 5] and list(listed["excess"]) == [3, 5]


def test_constant_not_recorded_dimensions_are_reconciled_as_all():
    """race_ethnicity = not_recorded on every record: one not_recorded row per grand total,
    no copy of every cell."""
    stats, problems = _stats([
        _cell(10, sex="female", race_ethnicity="not_recorded", bias_motivation="not_applicable"),
        _cell(5, sex="male", race_ethnicity="not_recorded", bias_motivation="not_applicable"),
    ])
    assert set(stats["race_ethnicity"]) == {"all", "not_recorded"}
    assert (stats["race_ethnicity"] == "not_recorded").sum() == 1
    assert _get(stats, race_ethnicity="not_recorded")["value"] == 15
    assert _get(stats, bias_motivation="not_applicable")["value"] == 15
    assert _get(stats, sex="female")["value"] == 10
    assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty


def test_aggregate_sources_reconciled_in_batches_give_the_same_statistics(tmp_path, monkeypatch):
    """A source larger than memory is reconciled a few (snapshot, year) groups at a time:
    the statistics are the same as reconciled whole, and so are the inconsistencies. Sample GLOTIP, FBI and StatCan snapshots, batches of 200 records."""
    from pipelines.config import DEFAULT_RAW_DIR
    from pipelines.sources.process import process_source
    from pipelines.stats import tables

    sources = ["unodc_glotip", "fbi_hate_crime", "ca_statcan_hate_crime"]
    summaries = [process_source(s, DEFAULT_RAW_DIR, "all", tmp_path / "work") for s in sources]
    built, batches = {}, []
    packed = tables._packed
    monkeypatch.setattr(tables, "_packed", lambda groups, limit: [
        batches.append((limit, batch)) or batch for batch in packed(groups, limit)])
    for rows in (10**9, 200):
        monkeypatch.setenv("HARMSTATS_RECONCILE_ROWS", str(rows))
        built[rows] = tables.build_tables(DEFAULT_RAW_DIR, summaries, store_dir=tmp_path / f"store{rows}")
    whole, batched = built[10**9], built[200]
    assert sum(limit == 200 for limit, _ in batches) > 2 * sum(limit > 200 for limit, _ in batches)
    for name in ("crimes_stats", "prosecutions_stats"):  # stored tables, written piece by piece
        pd.testing.assert_frame_equal(whole[name].to_pandas(), batched[name].to_pandas())
    pd.testing.assert_frame_equal(whole["coverage"], batched["coverage"])
    assert len(whole["source_inconsistencies"])  # the same rows in the same order
    pd.testing.assert_frame_equal(whole["source_inconsistencies"], batched["source_inconsistencies"])


def test_a_table_written_in_pieces_refuses_pieces_out_of_order(tmp_path):
    """Statistics are written piece by piece, each after the one before in key order, so the
    file is sorted without a sort: a piece that breaks the order fails the write."""
    from pipelines.stored import write_frames

    def piece(source, year):
        return pd.DataFrame({"source": [source], "snapshot": ["s"], "year": pd.array([year], dtype="Int32")})

    keys = ["source", "snapshot", "year"]
    stored = write_frames([piece("a", 2020), piece("a", 2021), piece("b", 2019)], tmp_path / "ok.parquet", keys)
    assert stored.rows == 3 and list(stored.to_pandas()["year"]) == [2020, 2021, 2019]
    with pytest.raises(ValueError, match="out of order"):
        write_frames([piece("a", 2021), piece("a", 2020)], tmp_path / "bad.parquet", keys)
    assert write_frames([piece("a", 2020).iloc[:0]], tmp_path / "none.parquet", keys) is None


def test_rewriting_a_stored_table_leaves_a_release_linked_to_it_unchanged(tmp_path):
    """A release hard-links the stored tables it publishes (`release.place_file`); writing
    the stored table anew (another build into the same folder) must not reach into it."""
    import os

    from pipelines.publish.release import place_file
    from pipelines.stored import write_frames

    frame = pd.DataFrame({"source": ["a"], "snapshot": ["s"], "year": pd.array([2020], dtype="Int32")})
    stored = write_frames([frame], tmp_path / "stats.parquet", ["source", "snapshot", "year"])
    place_file(stored.path, tmp_path / "release.parquet")
    assert os.stat(tmp_path / "release.parquet").st_nlink == 2  # linked, not copied
    write_frames([frame.assign(year=pd.array([1999], dtype="Int32"))], stored.path, ["source", "snapshot", "year"])
    assert list(pd.read_parquet(tmp_path / "release.parquet")["year"]) == [2020]
    assert list(pd.read_parquet(stored.path)["year"]) == [1999]


def test_a_dimension_every_record_shares_is_its_one_category():
    """Every record in one country and of one crime type (the HTPD): the margins over country
    and crime type are the source's own total, exact, even where the sex table exceeds it
    (113 published, female + male = 115); the excess is listed at those margins too."""
    place = dict(country_iso3="USA", crime_type="trafficking_unspecified")
    stats, problems = _stats(
        _breakdown("total", [_cell(113, **place)])
        + _breakdown("by_sex", [_cell(90, sex="female", **place), _cell(25, sex="male", **place)]))
    for dims in ({}, {"country_iso3": "USA"}, {"crime_type": "trafficking_unspecified"}, place):
        cell = _get(stats, **dims)
        assert (cell["value"], cell["value_min"], cell["value_max"]) == (113, 113, 113), dims
    assert _get(stats, sex="female")["value"] == 90
    sex_excess = problems[problems["dimension"] == "sex"]
    assert {int(v) for v in sex_excess["published_total"]} == {113}
    assert {int(v) for v in sex_excess["parts_min"]} == {115}
    assert any("country_iso3=USA" not in c for c in sex_excess["cell"])  # the margin is listed


def test_coverage_of_prosecutions_is_per_stage_never_added():
    """A person is counted at every stage reached: 10 prosecuted (8 of known sex) and 6 of them
    convicted (all of known sex) give coverage totals 10 and 6 with their own shares, not 16."""
    dims = STREAMS["prosecutions"]["dims"]
    rows = []
    for stage, known in (("prosecuted", {"female": 3, "male": 5, "unknown": 2}),
                         ("convicted", {"female": 2, "male": 4})):
        for sex, value in [("all", sum(known.values())), *known.items()]:
            rows.append({"source": "us_htpd_prosecutions", "snapshot": "2018-08-21", "is_latest": True,
                         "unit": "persons", "subject": "offender", "stage": stage,
                         **{d: "all" for d in dims}, "sex": sex, "value": value,
                         "value_min": value, "value_max": value})
    stats = pd.DataFrame(rows).astype({"value": "Int64", "value_min": "Int64", "value_max": "Int64"})
    coverage = coverage_table(stats[stats["sex"] != "all"], "prosecutions", dims)
    sex = coverage[coverage["dimension"] == "sex"].set_index("stage")
    assert sex["total"].to_dict() == {"prosecuted": 10, "convicted": 6}
    assert sex["known_share"].to_dict() == {"prosecuted": 0.8, "convicted": 1.0}


def test_records_summed_in_duckdb_reconcile_as_the_records_themselves(tmp_path):
    """Aggregate records are summed by cell in DuckDB before reconciliation (one row per
    cell instead of per record: the FBI incident file has one record per incident): the
    statistics and inconsistencies are those of the records as they are, identical repeats,
    withheld parts and cells split over several records included, and the cells come in the
    order they first appear."""
    import duckdb

    from pipelines.stats.cases import aggregate_stats, aggregate_stats_of
    from pipelines.stats.tables import _aggregate_batches
    from pipelines.stored import StoredTable

    country = dict(country_iso3="CHL")
    rows = []
    for record_id, value, low, high, breakdown, dims in [
            ("ha000000000000000-1", 20, None, None, "total", {}),
            ("r1", 6, None, None, "total", dict(sex="female")),  # one cell over two records
            ("r2", 6, None, None, "total", dict(sex="female")),
            ("hc000000000000000-1", 4, None, None, "total", dict(sex="male")),
            ("hc000000000000000-2", 4, None, None, "total", dict(sex="male")),
            ("hd000000000000000-1", 3, None, None, "by_form_of_exploitation", OTHER),
            ("hd000000000000000-2", 3, None, None, "by_form_of_exploitation", OTHER),
            ("he000000000000000-1", None, 0, 4, "by_form_of_exploitation", SEXUAL),
            ("h2000000000000000-1", 5, None, None, "by_citizenship", dict(nationality="PER")),
            ("h2000000000000000-2", 5, None, None, "by_citizenship", dict(nationality="PER")),
            ("r3", 1, None, None, "by_citizenship", dict(nationality="CHL")),
            ("r4", None, 0, 4, "by_citizenship", dict(nationality="CHL"))]:
        rows.append({**_cell(value, low, high, **country, **dims), "breakdown": breakdown,
                     "record_id": record_id, "flags": ""})
    records = pd.DataFrame(rows).astype({"value": "Int64", "value_min": "Int64", "value_max": "Int64",
                                         "year": "Int32"})
    path = tmp_path / "crimes.parquet"
    records.to_parquet(path, index=False)
    con = duckdb.connect()
    relation = f"read_parquet('{path}')"
    summed = list(_aggregate_batches(con, StoredTable(path=path, rows=len(records),
                                                      columns=tuple(records.columns)),
                                     relation, "unodc_glotip", "crimes"))
    assert len(summed) == 1 and len(summed[0][0]) == len(records) - 2  # r1 + r2, r3 + r4
    cells, problems = aggregate_stats_of(summed, "crimes")
    expected_cells, expected_problems = aggregate_stats(records, "crimes")
    pd.testing.assert_frame_equal(cells, expected_cells)
    pd.testing.assert_frame_equal(problems, expected_problems)
    assert (problems["dimension"] == "repeated_rows").any()
