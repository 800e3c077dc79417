"""The Great Expectations suites of the tables built from links (schemas/expectations.py):
`deaths_overlap`, `deaths_linked_race`, `deaths_estimates` pass when they keep what they
promise (docs/linkage.md) and fail, naming the check, when they break it."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipelines.publish.quality import run_expectations
from schemas import codes
from schemas.overlap import DeathsEstimates, DeathsLinkedRace, DeathsOverlap

PIMA = dict(area="us_az_pima_county", sources="pcome_humane_borders+us_namus_unidentified")
MMP = dict(area="us_az_pima_ome_jurisdiction", sources="pcome_humane_borders+mmp")


def _table(model, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    return model.validate(frame[list(model.to_schema().columns)])


def _overlap() -> pd.DataFrame:
    base = dict(partial_year=False, source_l="pcome_humane_borders", snapshot_l="2022-03-28",
                year_basis_l="reported", snapshot_r="2025-10-18", year_basis_r="found")
    return _table(DeathsOverlap, [
        # 10 and 5 persons, 4 linked, 3 of them true at the precision's low end (0.8).
        {**PIMA, **base, "year": 2015, "source_r": "us_namus_unidentified", "records_l": 10,
         "persons_l": 10, "records_r": 5, "persons_r": 5, "linked": 4, "linked_true_min": 3,
         "union_min": 10, "union_max": 12, "link_precision": 0.9, "link_precision_low": 0.8,
         "link_recall": 0.7, "link_quality_basis": "answer_key"},
        # Nothing measured: no precision, no link taken as true.
        {**MMP, **base, "year": 2015, "source_r": "mmp", "year_basis_r": "incident",
         "records_l": 8, "persons_l": 8, "records_r": 6, "persons_r": 9, "linked": 5,
         "linked_true_min": 0, "union_min": 9, "union_max": 17, "link_precision": None,
         "link_precision_low": None, "link_recall": None, "link_quality_basis": "none"},
    ])


def _linked_race() -> pd.DataFrame:
    persons = {"hispanic_latino": 30, "white": 5, "unknown": 2}
    rows = [{**PIMA, "first_year": 2001, "last_year": 2021, "source": "pcome_humane_borders",
             "snapshot": "2022-03-28", "race_source": "us_namus_unidentified",
             "race_snapshot": "2025-10-18", "race_ethnicity": code,
             "persons": persons.get(code, 0) if code != codes.ALL else sum(persons.values()),
             "persons_in_area": 100, "link_precision": 0.94}
            for code in (*codes.RACE_ETHNICITY, codes.ALL)]
    return _table(DeathsLinkedRace, rows)


def _estimates() -> pd.DataFrame:
    base = dict(first_year=2001, last_year=2021, method="chapman", lists=2, persons_3=None)
    return _table(DeathsEstimates, [
        {**PIMA, **base, "persons_l": 100, "persons_r": 40, "linked": 30, "union_min": 100,
         "union_max": 115, "status": "not_estimated", "reason": "one_list_entered_from_the_other",
         "assumptions_failing": "independence;equal_catchability;perfect_linkage",
         "estimate": None, "ci_low": None, "ci_high": None},
        {**MMP, **base, "persons_l": 100, "persons_r": 40, "linked": 30, "union_min": 100,
         "union_max": 115, "status": "estimated", "reason": None, "assumptions_failing": "",
         "estimate": 133.0, "ci_low": 118.0, "ci_high": 160.0},
    ])


def _tables() -> dict[str, pd.DataFrame]:
    return {"deaths_overlap": _overlap(), "deaths_linked_race": _linked_race(),
            "deaths_estimates": _estimates()}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> tuple[dict, dict]:
    """The clean tables' summary and the broken tables' summary (one checkpoint each)."""
    clean = run_expectations(_tables(), tmp_path_factory.mktemp("clean") / "data_docs")
    broken = _tables()
    broken["deaths_overlap"].loc[0, "linked"] = 6                # more linked than list r holds
    broken["deaths_overlap"].loc[1, "link_precision"] = 0.9      # a precision nobody measured
    race = broken["deaths_linked_race"]
    race.loc[race["race_ethnicity"] == codes.ALL, "persons"] += 1  # margin != sum of the codes
    estimates = broken["deaths_estimates"]
    estimates.loc[0, "estimate"] = 150.0                         # a number where none is published
    estimates.loc[1, "ci_low"] = 140.0                           # an interval without its estimate
    return clean, run_expectations(broken, tmp_path_factory.mktemp("broken") / "data_docs")


def test_tables_that_keep_their_promises_pass(results):
    clean, _ = results
    assert clean["success"], clean["failed"]
    assert set(clean["suites"]) == {"deaths_overlap", "deaths_linked_race", "deaths_estimates"}
    assert all(s["evaluated"] >= 15 and s["failed"] == 0 for s in clean["suites"].values())


def test_each_broken_promise_fails_its_check(results):
    _, broken = results
    assert not broken["success"]
    got = {(f["table"], f["expectation"], json.dumps(f["column"])) for f in broken["failed"]}
    assert got == {
        ("deaths_overlap", "expect_column_pair_values_a_to_be_greater_than_b", '["persons_r", "linked"]'),
        ("deaths_overlap", "expect_column_values_to_be_null", '"link_precision"'),
        ("deaths_linked_race", "expect_column_pair_values_to_be_equal", '["persons", "persons_of_the_codes"]'),
        ("deaths_estimates", "expect_column_values_to_be_null", '"estimate"'),
        ("deaths_estimates", "expect_column_pair_values_a_to_be_greater_than_b", '["estimate", "ci_low"]'),
    }


def test_empty_tables_pass(tmp_path):
    """A release without linked lists (the samples) publishes the tables empty: they get no
    suite (nothing to check beyond Pandera's columns), and the run passes."""
    empty = {name: frame.iloc[0:0] for name, frame in _tables().items()}
    result = run_expectations(empty, tmp_path / "data_docs")
    assert result["success"] and result["suites"] == {}
    one = {**empty, "deaths_estimates": _estimates()}
    assert set(run_expectations(one, None)["suites"]) == {"deaths_estimates"}
