"""Toronto Police Service, Hate Crimes Open Data (`2024-09-22/raw_data.csv`, one row per
occurrence, read with pandas as text: `None` is no bias, `NA` a missing cell).

Expected, computed here from the file's own columns:

- occurrences per OCCURRENCE_YEAR = the `crimes_stats` grand total (unit incidents, subject
  incident, year_basis `incident`), and no other year is published;
- occurrences per REPORTED_YEAR = the records of the catalog's `crimes` table per
  `reported_year` (kept on the record, not published as a second set of statistics);
- occurrences per OCCURRENCE_YEAR = `prosecutions_stats` stage `recorded`, and those with
  ARREST_MADE = YES = stage `suspect_identified` (stages are never added: no stage `all`);
- per year, the occurrences with one bias listed are the cell `bias_motivation` = that bias's
  code (this test's own list of the file's labels), those with several listed (a cell holding
  labels joined by ", ", or several columns) or MULTIPLE_BIAS = YES are the cell `multiple`,
  and the bias cells of a year add up to the year's total (each occurrence counted once).
"""

from __future__ import annotations

import functools

import duckdb
import pandas as pd
import pytest

from tests.reference.published import (Published, assert_yearly, dimensions, raw_folder,
                                       require_snapshot)

pytestmark = pytest.mark.real

SOURCE = "ca_toronto_hate_crime"
SNAPSHOT = "2024-09-22"
FILE = "raw_data.csv"
FIXED = {"unit": "incidents", "subject": "incident", "year_basis": "incident"}
LABELS = ["RACE_BIAS", "ETHNICITY_BIAS", "LANGUAGE_BIAS", "RELIGION_BIAS",
          "SEXUAL_ORIENTATION_BIAS", "GENDER_BIAS"]
# Each label of the file -> the code its single-bias occurrences are published under.
CODES = {
    "RACE_BIAS": {"Black": "anti_black", "East/Southeast Asian": "anti_east_southeast_asian",
                  "South Asian": "anti_south_asian", "White": "anti_white",
                  "Other race not mentioned": "anti_other_race_ethnicity",
                  "Indigenous": "anti_indigenous", "Middle Eastern": "anti_arab_west_asian",
                  "Latino": "anti_hispanic_latino"},
    "ETHNICITY_BIAS": {"Chinese": "anti_chinese", "Indian": "anti_indian", "Israeli": "anti_israeli",
                       "Other Ethnicity not mentioned": "anti_other_ethnicity_national_origin",
                       "Ukrainian": "anti_ukrainian", "Palestinian": "anti_palestinian",
                       "Arab": "anti_arab", "Iranian": "anti_iranian", "Korean": "anti_korean",
                       "Filipino": "anti_filipino", "Russian": "anti_russian",
                       "African": "anti_african", "Mexican": "anti_mexican",
                       "Pakistani": "anti_pakistani", "Sri Lankan": "anti_sri_lankan",
                       "Somali": "anti_somali", "Afghan": "anti_afghan", "Latino": "anti_hispanic_latino",
                       "Japanese": "anti_japanese"},
    "LANGUAGE_BIAS": {"Hindi": "anti_hindi_language", "Tamil": "anti_tamil_language",
                      "Spanish": "anti_spanish_language"},
    "RELIGION_BIAS": {"Jewish": "anti_jewish", "Muslim": "anti_islamic_muslim",
                      "Catholic": "anti_catholic", "Sikh": "anti_sikh",
                      "Christian Orthodox": "anti_eastern_orthodox", "Hindu": "anti_hindu",
                      "Other Christian Religion": "anti_other_christian", "Anglican": "anti_anglican"},
    "SEXUAL_ORIENTATION_BIAS": {"2SLGBTQ+": "anti_lgbt_mixed_group", "Gay": "anti_gay",
                                "Lesbian": "anti_lesbian"},
    "GENDER_BIAS": {"Woman": "anti_female", "Transgender": "anti_transgender",
                    "Transgender Woman (Identifies As Woman)": "anti_transgender_woman",
                    "Transgender Man (Identifies As Man)": "anti_transgender_man"},
}
YES_NO = {"MENTAL_OR_PHYSICAL_DISABILITY": "disability_any", "AGE_BIAS": "age_any"}


@functools.cache
def occurrences(path: str) -> pd.DataFrame:
    """The file as text, with the biases each occurrence lists (column, label) and its code."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame["EVENT_UNIQUE_ID"].is_unique
    listed = []
    for _, row in frame.iterrows():
        parts = []
        for column in LABELS:
            cell = row[column].strip()
            if cell in ("None", "NA", ""):
                continue
            labels = [p.strip() for p in cell.split(", ")]
            assert all(p in CODES[column] for p in labels), (column, cell)
            parts += [CODES[column][p] for p in labels]
        parts += [code for column, code in YES_NO.items() if row[column] == "YES"]
        listed.append(parts)
    frame["biases"] = listed
    several = frame["biases"].map(len).gt(1) | frame["MULTIPLE_BIAS"].eq("YES")
    frame["code"] = frame["biases"].map(lambda p: p[0] if len(p) == 1 else "unknown").mask(several, "multiple")
    return frame


@pytest.fixture
def frame(raw_root) -> pd.DataFrame:
    return occurrences(str(raw_folder(raw_root, SOURCE, SNAPSHOT) / FILE))


def _per_year(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    counts = frame.groupby(frame[column].astype(int)).size()
    return pd.DataFrame({"year": counts.index, "exp_value": counts.to_numpy()})


def test_the_file_is_the_one_described(frame):
    assert len(frame) == 1350
    assert _per_year(frame, "OCCURRENCE_YEAR")["exp_value"].tolist() == [133, 135, 210, 261, 246, 365]
    assert _per_year(frame, "REPORTED_YEAR")["exp_value"].tolist() == [132, 136, 209, 257, 248, 368]
    assert frame["ARREST_MADE"].value_counts().to_dict() == {"NO": 1080, "YES": 270}
    assert int((frame["code"] == "multiple").sum()) == 166


def test_occurrences_per_occurrence_year(frame, published: Published):
    require_snapshot(published, "crimes_stats", SOURCE, SNAPSHOT)
    assert_yearly(published.stats("crimes_stats", SOURCE), SNAPSHOT,
                  _per_year(frame, "OCCURRENCE_YEAR"), "Toronto: occurrences per occurrence year",
                  **FIXED)


def test_occurrences_per_reported_year_are_kept_on_the_records(frame, published: Published):
    con = duckdb.connect(str(published.out / "harmstats.duckdb"), read_only=True)
    try:
        found = con.execute("SELECT reported_year AS year, count(*) AS n, sum(value) AS v FROM crimes "
                            "WHERE source = ? AND snapshot = ? GROUP BY 1 ORDER BY 1",
                            [SOURCE, SNAPSHOT]).df()
    finally:
        con.close()
    expected = _per_year(frame, "REPORTED_YEAR")
    assert found["year"].astype(int).tolist() == expected["year"].tolist()
    assert found["n"].tolist() == expected["exp_value"].tolist()
    assert found["v"].tolist() == expected["exp_value"].tolist()
    # Published on one basis only: no statistic counts an occurrence by its reported year.
    stats = published.stats("crimes_stats", SOURCE)
    assert set(stats["year_basis"]) == {"incident"}


def test_recorded_and_arrests_per_year_are_stages_never_added(frame, published: Published):
    require_snapshot(published, "prosecutions_stats", SOURCE, SNAPSHOT)
    stats = published.stats("prosecutions_stats", SOURCE)
    assert set(stats["stage"]) == {"recorded", "suspect_identified"}
    assert_yearly(stats, SNAPSHOT, _per_year(frame, "OCCURRENCE_YEAR"),
                  "Toronto: hate-crime occurrences recorded", stage="recorded", **FIXED)
    arrests = frame[frame["ARREST_MADE"] == "YES"]
    assert_yearly(stats, SNAPSHOT, _per_year(arrests, "OCCURRENCE_YEAR"),
                  "Toronto: occurrences with an arrest made", stage="suspect_identified", **FIXED)


def test_biases_per_year(frame, published: Published):
    require_snapshot(published, "crimes_stats", SOURCE, SNAPSHOT)
    stats = published.stats("crimes_stats", SOURCE)
    counts = frame.groupby([frame["OCCURRENCE_YEAR"].astype(int), "code"]).size()
    expected = pd.DataFrame({"year": counts.index.get_level_values(0),
                             "bias_motivation": counts.index.get_level_values(1),
                             "exp_value": counts.to_numpy()})
    assert "unknown" not in set(expected["bias_motivation"])
    assert_yearly(stats, SNAPSHOT, expected, "Toronto: occurrences per year and bias",
                  by=("year", "bias_motivation"), **FIXED)
    # e.g. 2023: anti-Jewish alone 129 of 365 (145 list it), anti-Black alone 46, several 33.
    assert (counts[(2023, "anti_jewish")], counts[(2023, "anti_black")],
            counts[(2023, "multiple")]) == (129, 46, 33)


def test_bias_cells_of_a_year_add_up_to_its_total(frame, published: Published):
    stats = published.stats("crimes_stats", SOURCE)
    stats = stats[stats["snapshot"] == SNAPSHOT]
    others = [d for d in dimensions(stats) if d != "bias_motivation"]
    cells = stats[(stats[others] == "all").all(axis=1) & (stats["bias_motivation"] != "all")]
    sums = cells.groupby("year")["value"].sum().astype(int).to_dict()
    assert sums == _per_year(frame, "OCCURRENCE_YEAR").set_index("year")["exp_value"].to_dict()


def test_nothing_is_quarantined(frame, published: Published):
    require_snapshot(published, "crimes_stats", SOURCE, SNAPSHOT)
    assert published.quarantine(SOURCE).empty
    accounting = published.sources()
    row = accounting[(accounting["source"] == SOURCE) & (accounting["snapshot"] == SNAPSHOT)]
    assert row[["rows_read", "rows_accepted", "rows_quarantined"]].values.tolist() == [
        [len(frame), len(frame), 0]]
