"""Human Trafficking Prosecution Dataset (the 2018 scrape's two CSVs), computed with plain
pandas from the raw files: victims of the cases filed each year (total, foreign nationals,
female, male, minors), and defendants charged each year by sex and race, charged under 8 USC
1324, and convicted (a guilty plea or verdict on a listed statute, or a sentence: n_sentences
1-998 or months of prison or probation; 999 means pending or missing, never a count).

A case's year is its `year` column (year_basis `filed`); a blank year is the docket number's
("2:06-cr-00198" -> 2006, basis `record_id`). Defendants take their case's year."""

from __future__ import annotations

import ast

import pandas as pd
import pytest

from tests.reference.persons import read_csv
from tests.reference.published import assert_yearly, raw_folder, require_snapshot

pytestmark = pytest.mark.real

SOURCE, SNAPSHOT = "us_htpd_prosecutions", "2018-08-21"
COUNTS = ["n_victims", "n_minors", "n_foreigners", "n_females", "n_males"]
SEX = {"Male": "male", "Female": "female", "Unknown": "unknown", "": "unknown"}
RACE = {"Black": "black_afrodescendant", "Hispanic": "hispanic_latino", "White": "white",
        "Asian": "asian", "Indian": "asian", "Other": "other", "": "unknown"}


@pytest.fixture(scope="module")
def cases(raw_root) -> pd.DataFrame:
    """The case table with its year and basis and the counts as numbers (blank: NaN)."""
    frame = read_csv(str(raw_folder(raw_root, SOURCE, SNAPSHOT) / "case_data.csv")).copy()
    docket = frame["number"].str.extract(r"^(?:\d+:)?(\d{2})[-\u2212]", expand=False).astype(float) + 2000
    frame["filed"] = frame["year"] != ""
    frame["year"] = pd.to_numeric(frame["year"].replace("", None)).fillna(docket).astype(int)
    frame["year_basis"] = frame["filed"].map({True: "filed", False: "record_id"})
    for column in COUNTS:
        frame[column] = pd.to_numeric(frame[column].replace("", None))
    return frame


@pytest.fixture(scope="module")
def defendants(raw_root, cases) -> pd.DataFrame:
    """The defendant table with its case's year and basis."""
    frame = read_csv(str(raw_folder(raw_root, SOURCE, SNAPSHOT) / "defendant_data.csv"))
    return frame.merge(cases[["id", "year", "year_basis"]].rename(columns={"id": "case_id"}),
                       on="case_id", how="left", validate="many_to_one")


def _items(cell: str) -> list:
    """A statute cell: "" -> [], "1591" -> ["1591"], "['0', None]" -> ["0", None]."""
    if cell == "":
        return []
    return ast.literal_eval(cell) if cell.startswith("[") else [cell]


def _yearly(frame: pd.DataFrame, value: pd.Series | None = None, by: tuple = ()) -> pd.DataFrame:
    """Per year and basis (and `by`), the sum of `value` (or the number of rows)."""
    value = pd.Series(1, index=frame.index) if value is None else value
    keys = ["year", "year_basis", *by]
    out = frame[keys].assign(exp_value=value).dropna(subset=["exp_value"])
    return out.groupby(keys, as_index=False)["exp_value"].sum()


def _check(published, stats_table: str, expected: pd.DataFrame, what: str, **cell) -> None:
    require_snapshot(published, stats_table, SOURCE, SNAPSHOT)
    by = tuple(c for c in expected.columns if c != "exp_value")
    assert_yearly(published.stats(stats_table, SOURCE), SNAPSHOT, expected, what, by=by, **cell)


def test_the_files_hold_what_provenance_says(cases, defendants):
    assert len(cases) == 674 and len(defendants) == 1762
    sums = {c: int(cases[c].sum()) for c in COUNTS}
    assert sums == {"n_victims": 6617, "n_minors": 1295, "n_foreigners": 4620, "n_females": 3683,
                    "n_males": 333}
    assert defendants["year"].notna().all()  # every defendant's case has a year


def test_victims_per_year(published, cases):
    # the case total is the published cell of the one crime type the case table states
    _check(published, "crimes_stats", _yearly(cases, cases["n_victims"]), "HTPD victims per year",
           unit="persons", subject="victim", country_iso3="USA", crime_type="trafficking_unspecified")


def test_foreign_national_victims_per_year(published, cases):
    _check(published, "crimes_stats", _yearly(cases, cases["n_foreigners"]),
           "HTPD foreign-national victims per year", unit="persons", subject="victim",
           nationality="FOREIGN_UNSPECIFIED")


@pytest.mark.parametrize("column,sex", [("n_females", "female"), ("n_males", "male")])
def test_victims_per_year_and_sex(published, cases, column, sex):
    _check(published, "crimes_stats", _yearly(cases, cases[column]), f"HTPD {sex} victims per year",
           unit="persons", subject="victim", sex=sex)


def test_minor_victims_per_year(published, cases):
    _check(published, "crimes_stats", _yearly(cases, cases["n_minors"]), "HTPD minor victims per year",
           unit="persons", subject="victim", age_group="child")


def test_excess_of_female_and_male_over_the_total_is_listed(published, cases):
    # a case's sex cells are its females and males, and the rest of its total as unknown; a
    # case with no total still publishes its females and males
    split = cases["n_females"].fillna(0) + cases["n_males"].fillna(0)
    parts = split.where(cases["n_victims"].isna(), split.clip(lower=cases["n_victims"]))
    excess = (parts - cases["n_victims"].fillna(0)).groupby(cases["year"]).sum()
    excess = excess[excess > 0].astype(int)
    assert len(excess)  # 2002, 2006, 2014 in the 2018 copy
    listed = published.inconsistencies(SOURCE)
    listed = listed[(listed["dimension"] == "sex") & (listed["snapshot"] == SNAPSHOT)
                    & listed["cell"].str.contains("country_iso3=USA; crime_type=trafficking_unspecified$")]
    assert dict(zip(listed["year"], listed["excess"])) == excess.to_dict()


def test_defendants_charged_per_year(published, defendants):
    _check(published, "prosecutions_stats", _yearly(defendants), "HTPD defendants per year",
           unit="persons", subject="offender", stage="prosecuted")


def test_defendants_charged_per_year_and_sex(published, defendants):
    frame = defendants.assign(sex=defendants["gender"].map(SEX))
    assert frame["sex"].notna().all()
    for sex, rows in frame.groupby("sex"):
        _check(published, "prosecutions_stats", _yearly(rows), f"HTPD {sex} defendants per year",
               unit="persons", subject="offender", stage="prosecuted", sex=sex)


def test_defendants_charged_per_year_and_race(published, defendants):
    frame = defendants.assign(race_ethnicity=defendants["race"].map(RACE))
    for race, rows in frame.groupby("race_ethnicity"):
        _check(published, "prosecutions_stats", _yearly(rows), f"HTPD {race} defendants per year",
               unit="persons", subject="offender", stage="prosecuted", race_ethnicity=race)


def test_defendants_charged_under_8_usc_1324_per_year_and_sex(published, defendants):
    smuggling = defendants[defendants["statute_sentence"].map(lambda c: "1324" in _items(c))]
    assert len(smuggling) == 397  # PROVENANCE.md
    _check(published, "prosecutions_stats", _yearly(smuggling), "HTPD 8 USC 1324 defendants per year",
           unit="charges", subject="offender", stage="prosecuted", offence="smuggling_unspecified")
    male = smuggling[smuggling["gender"] == "Male"]
    assert len(male) == 255
    _check(published, "prosecutions_stats", _yearly(male), "HTPD male 8 USC 1324 defendants",
           unit="charges", subject="offender", stage="prosecuted", offence="smuggling_unspecified",
           sex="male")


def test_defendants_convicted_per_year(published, defendants):
    def guilty(row) -> bool:
        counts = _items(row["statute_plea_guilty"]) + _items(row["statute_trial_guilty"])
        return any(c is not None and int(c) > 0 for c in counts)

    def number(column: str) -> pd.Series:
        return pd.to_numeric(defendants[column].replace("", None))

    sentences = number("n_sentences")
    sentenced = (sentences.between(1, 998) | (number("total_months_sentenced") > 0)
                 | (number("total_months_probation") > 0))
    convicted = defendants[defendants.apply(guilty, axis=1) | sentenced]
    _check(published, "prosecutions_stats", _yearly(convicted), "HTPD defendants convicted per year",
           unit="persons", subject="offender", stage="convicted")


def test_nothing_quarantined_and_every_row_counted(published):
    assert published.quarantine(SOURCE).empty
    rows = published.sources()
    rows = rows[(rows["source"] == SOURCE) & (rows["snapshot"] == SNAPSHOT)]
    assert dict(zip(rows["file"], rows["rows_read"])) == {"case_data.csv": 674,
                                                           "defendant_data.csv": 1762}
    assert (rows["rows_read"] == rows["rows_accepted"] + rows["rows_quarantined"]).all()
