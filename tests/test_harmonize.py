"""Harmonisation functions on small hand-written values."""

from __future__ import annotations

import pandas as pd

from pipelines.harmonize.categories import age_groups, classify_cause, map_causes, map_labels
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.labels import normalise_label, split_known
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog

MMP = ("mmp_category", "free_text")


def test_counts_accept_thousands_separators_and_spreadsheet_floats():
    values, bad = parse_counts(pd.Series(["1,022", "12", "", " 3 ", "2014.0", "-1", "6,112,019"]))
    assert values.tolist() == [1022, 12, pd.NA, 3, 2014, -1, 6112019]
    assert not bad.any()


def test_counts_reject_text_and_fractions():
    values, bad = parse_counts(pd.Series(["two", "1.5", "1,22", "7"]))
    assert bad.tolist() == [True, True, True, False]
    assert values.isna().tolist() == [True, True, True, False]


def test_dates_in_every_known_format():
    formats = ("%Y-%m-%d", "%B %d, %Y", "%a, %m/%d/%Y - %H:%M", "%m/%d/%y")
    dates, bad = parse_dates(pd.Series(["2014-01-06", "January 13, 2020",
                                        "Thu, 01/01/2026 - 12:00", "1/15/01", "11/25/81", "0", ""]),
                             formats)
    assert [d.date().isoformat() if pd.notna(d) else None for d in dates] == [
        "2014-01-06", "2020-01-13", "2026-01-01", "2001-01-15", "1981-11-25", None, None]
    assert bad.tolist() == [False, False, False, False, False, True, False]


def test_split_only_on_known_labels():
    known = {"drowning", "harsh environmental conditions / lack of adequate shelter, food, water"}
    is_known = lambda s: normalise_label(s) in known  # noqa: E731
    text = "Drowning,Harsh environmental conditions / lack of adequate shelter, food, water"
    assert split_known(text, is_known) == ["Drowning", text.split(",", 1)[1]]
    assert split_known("Drowning, something else", is_known) is None


def test_mmp_categories_and_multiple_causes():
    assert classify_cause("Violence", MMP) == ("violence", "criminal", "violence_stated")
    assert classify_cause("Drowning", MMP)[1:] == ("undetermined", "no_offence_or_manner_stated")
    assert classify_cause("Accidental death", MMP)[:2] == ("accident_other", "non_criminal")
    multiple = classify_cause("Drowning,Sickness / lack of access to adequate healthcare", MMP)
    assert multiple[:2] == ("multiple", "undetermined")  # drowning says nothing of a manner
    assert classify_cause("Harsh environmental conditions / lack of adequate shelter, food, water",
                          MMP)[0] == "environmental_exposure"


def test_free_text_causes_prefer_the_specific_match():
    assert classify_cause("Fell from train", MMP)[0] == "transport"
    assert classify_cause("Unknown (violence)", MMP)[:2] == ("violence", "criminal")
    assert classify_cause("Unknown (skeletal remains)", MMP)[0] == "unknown"
    assert classify_cause("Heat stroke", MMP)[0] == "environmental_exposure"


def test_unmapped_cause_is_reported_not_fatal():
    log = UnmappedLog()
    out = map_causes(pd.Series(["Drowning", "Zzz unheard of", "Zzz unheard of"]), MMP, log, "cause")
    assert out["cause"].tolist() == ["drowning", "unknown", "unknown"]
    assert log.frame().to_dict("records") == [
        {"mapping": "causes", "column": "cause", "value": "Zzz unheard of", "rows": 2}]


def test_sex_labels_and_age_groups():
    log = UnmappedLog()
    sex = map_labels(pd.Series(["Male", "F", "undetermined", "", "robot"]), "sex", log, "Sex")
    assert sex.tolist() == ["male", "female", "unknown", "unknown", "unknown"]
    assert log.frame()["value"].tolist() == ["robot"]
    ages = age_groups(pd.Series([3, 17, 18, 60, None], dtype="Int64"))
    assert ages.tolist() == ["child", "child", "adult", "adult", "unknown"]
