"""Crimes statistics of aggregate sources: margins, shortfalls, excesses, withheld cells."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.publish.case_stats import STREAMS, case_stats
from pipelines.publish.checks import case_margin_violations

DIMS = STREAMS["crimes"]["dims"]
FIXED = STREAMS["crimes"]["fixed"]


def _cell(value, low=None, high=None, **dims) -> dict:
    row = {"source": "unodc_glotip", "snapshot": "2025-04-14", "year": 2021, "year_basis": "reported",
           "unit": "persons", "subject": "victim", **{d: "all" for d in DIMS}, **dims,
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


def test_computed_margins_are_never_treated_as_published():
    """Two countries, two breakdowns (the Total sex x age table and one form of exploitation),
    four published cells (invented): GLOTIP publishes no total for MEX, none for sex = male,
    none across countries. Only published margins are reconciled; nothing lands in
    country UNKNOWN, and no engine-made total is listed as the source's."""
    victims = dict(crime_type="all", sgbv="all")
    other = dict(crime_type="trafficking_other", sgbv="no")
    rows = [
        _cell(76, country_iso3="MEX", sex="male", age_group="child", **victims),
        _cell(21, country_iso3="MEX", sex="male", age_group="adult", **other),
        _cell(1868, country_iso3="USA", age_group="adult", **victims),
        _cell(100, country_iso3="USA", sex="male", age_group="adult", **other),
    ]
    breakdowns = ["total", "by_form_of_exploitation", "total", "by_form_of_exploitation"]
    stats, problems = _stats([{**r, "breakdown": b} for r, b in zip(rows, breakdowns)])
    assert not (stats["country_iso3"] == "UNKNOWN").any()
    assert problems.empty
    assert case_margin_violations(stats, FIXED, DIMS, problems).empty
    # Published cells are published as they are.
    assert _get(stats, country_iso3="MEX", sex="male", age_group="child")["value"] == 76
    assert _get(stats, country_iso3="USA", age_group="adult")["value"] == 1868
    assert _get(stats, country_iso3="MEX", sex="male", age_group="adult", **other)["value"] == 21
    # A published total against parts computed from another breakdown: the shortfall is unknown.
    assert _get(stats, country_iso3="USA", sex="unknown", age_group="adult")["value"] == 1768
    # Within one breakdown, computed margins are exact.
    assert _get(stats, country_iso3="MEX", sex="male", **other)["value"] == 21
    assert _get(stats, sex="male", age_group="adult", **other)["value"] == 121
    # MEX male victims: 76 children by the Total table, 21 adults by the forms: the source
    # supports no single total, so none is made up; the range meets both.
    mex_male = _get(stats, country_iso3="MEX", sex="male")
    assert pd.isna(mex_male["value"]) and not mex_male["source_suppressed"]
    assert (mex_male["value_min"], mex_male["value_max"]) == (21, 97)


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
    from pipelines.process import process_source
    from pipelines.publish import tables

    sources = ["unodc_glotip", "fbi_hate_crime", "ca_statcan_hate_crime"]
    summaries = [process_source(s, DEFAULT_RAW_DIR, "all", tmp_path / "work") for s in sources]
    built, batches = {}, []
    packed = tables._packed
    monkeypatch.setattr(tables, "_packed", lambda groups, limit: [
        batches.append((limit, batch)) or batch for batch in packed(groups, limit)])
    for rows in (10**9, 200):
        monkeypatch.setattr(tables, "RECONCILE_ROWS", rows)
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
    from pipelines.publish.stored import write_frames

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
    from pipelines.publish.stored import write_frames

    frame = pd.DataFrame({"source": ["a"], "snapshot": ["s"], "year": pd.array([2020], dtype="Int32")})
    stored = write_frames([frame], tmp_path / "stats.parquet", ["source", "snapshot", "year"])
    place_file(stored.path, tmp_path / "release.parquet")
    assert os.stat(tmp_path / "release.parquet").st_nlink == 2  # linked, not copied
    write_frames([frame.assign(year=pd.array([1999], dtype="Int32"))], stored.path, ["source", "snapshot", "year"])
    assert list(pd.read_parquet(tmp_path / "release.parquet")["year"]) == [2020]
    assert list(pd.read_parquet(stored.path)["year"]) == [1999]
