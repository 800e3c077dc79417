"""FBI hate crime (UCR), three products, read with the csv module, pandas and zipfile:

- Table 1 of the yearly report, 2015-2019 (`Hate Crimes Incidents.csv`): incidents per bias
  row and year. Leaf rows and "Multiple-Bias Incidents" are cells of `bias_motivation`; the Total
  row is the `all` margin; "Single-Bias Incidents" and the category rows ending in ":" are
  subtotals over a group of biases, which the statistics have no dimension for (and which the
  leaves must add up to: checked here on the raw file).
- The CDE state x year x bias counts, 1991-2014: `count` summed per year and per year and bias
  (what `count` counts is undocumented: unit `unspecified`).
- The CDE incident files, one incident a row: the truncated 1991-92 copy (4,989 complete
  records; the cut last record is not an incident) and the zipped 1991-2020 file (member
  `hate_crime.csv`): incidents per DATA_YEAR.

year_basis `incident` (the UCR year of the incident). The label -> code list below is this
test's own, written from the labels the files print (codes as in docs/data_dictionary.md:
anti_<group>, `multiple`)."""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile

import pandas as pd
import pytest

from tests.reference.published import Published, assert_yearly, raw_folder, require_snapshot

pytestmark = pytest.mark.real

SOURCE = "fbi_hate_crime"
TABLE1 = ("table1_2015_2019", "Hate Crimes Incidents.csv")
STATE_COUNTS = ("cde_state_year_bias_counts_1991_2014", "hate_crime.csv")
TRUNCATED = ("cde_incidents_truncated_1991_1992", "hate_crime.csv")
ZIPPED = ("cde_incidents_1991_2020", "hate_crime.csv.zip", "hate_crime.csv")
YEAR_BASIS = "incident"

BIAS = {
    "Anti-White": "anti_white",
    "Anti-Black or African American": "anti_black_african_american",
    "Anti-American Indian or Alaska Native": "anti_american_indian_alaska_native",
    "Anti-Asian": "anti_asian",
    "Anti-Native Hawaiian or Other Pacific Islander": "anti_native_hawaiian_pacific_islander",
    "Anti-Multiple Races, Group": "anti_multiple_races_group",
    "Anti-Multi-Racial Group": "anti_multiple_races_group",
    "Anti-Arab": "anti_arab",
    "Anti-Hispanic or Latino": "anti_hispanic_latino",
    "Anti-Not Hispanic or Latino": "anti_not_hispanic_latino",
    "Anti-Other Race/Ethnicity/Ancestry": "anti_other_race_ethnicity_ancestry",
    "Anti-Jewish": "anti_jewish",
    "Anti-Catholic": "anti_catholic",
    "Anti-Protestant": "anti_protestant",
    "Anti-Islamic (Muslim)": "anti_islamic_muslim",
    "Anti-Islamic (Muslem)": "anti_islamic_muslim",
    "Anti-Other Religion": "anti_other_religion",
    "Anti-Multiple Religions, Group": "anti_multiple_religions_group",
    "Anti-Multi-Religious Group": "anti_multiple_religions_group",
    "Anti-Mormon": "anti_mormon",
    "Anti-Jehovah's Witness": "anti_jehovahs_witness",
    "Anti-Eastern Orthodox (Russian, Greek, Other)": "anti_eastern_orthodox",
    "Anti-Other Christian": "anti_other_christian",
    "Anti-Buddhist": "anti_buddhist",
    "Anti-Hindu": "anti_hindu",
    "Anti-Sikh": "anti_sikh",
    "Anti-Atheism/Agnosticism/etc.": "anti_atheism_agnosticism",
    "Anti-Atheist/Agnosticism": "anti_atheism_agnosticism",
    "Anti-Gay (Male)": "anti_gay_male",
    "Anti-Male Homosexual (Gay)": "anti_gay_male",
    "Anti-Lesbian": "anti_lesbian",
    "Anti-Female Homosexual (Lesbian)": "anti_lesbian",
    "Anti-Lesbian, Gay, Bisexual, or Transgender (Mixed Group)": "anti_lgbt_mixed_group",
    "Anti-Lesbian, Gay, Bisexual, or Transgender, Mixed Group (LGBT)": "anti_lgbt_mixed_group",
    "Anti-Heterosexual": "anti_heterosexual",
    "Anti-Bisexual": "anti_bisexual",
    "Anti-Physical": "anti_physical_disability",
    "Anti-Physical Disability": "anti_physical_disability",
    "Anti-Mental": "anti_mental_disability",
    "Anti-Mental Disability": "anti_mental_disability",
    "Anti-Male": "anti_male",
    "Anti-Female": "anti_female",
    "Anti-Transgender": "anti_transgender",
    "Anti-Gender Non-Conforming": "anti_gender_non_conforming",
    "Multiple-Bias Incidents": "multiple",
}


# --- Table 1 -------------------------------------------------------------------------------

@functools.cache
def table1(path: str) -> pd.DataFrame:
    """Table 1 as (label, year, incidents, kind): kind `total`, `subtotal` or `leaf`; title
    and footnote rows left out, footnote digits cut from labels."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    header_at = next(i for i, r in enumerate(records) if r and r[0] == "" and r[1:2] == ["2015"])
    years = [int(y) for y in records[header_at][1:] if y]
    rows = []
    for record in records[header_at + 1:]:
        label = record[0].strip()
        values = record[1:1 + len(years)]
        if not label or not all(v.strip().replace(",", "").isdigit() for v in values):
            continue  # footnotes
        label = re.sub(r"(?<=[A-Za-z])\d+$", "", label)
        kind = ("total" if label == "Total" else
                "subtotal" if label.endswith(":") or label == "Single-Bias Incidents" else "leaf")
        for year, value in zip(years, values):
            rows.append({"label": label, "year": year, "incidents": int(value.replace(",", "")),
                         "kind": kind})
    return pd.DataFrame(rows)


@pytest.fixture()
def table1_rows(raw_root, published):
    folder = raw_folder(raw_root, SOURCE, TABLE1[0])
    require_snapshot(published, "crimes_stats", SOURCE, TABLE1[0])
    return table1(str(folder / TABLE1[1]))


def test_table1_adds_up_as_the_fbi_prints_it(table1_rows):
    """Sanity of the reading (it can fail): leaves + Multiple-Bias = Total in every year."""
    totals = table1_rows[table1_rows["kind"] == "total"].set_index("year")["incidents"]
    leaves = table1_rows[table1_rows["kind"] == "leaf"].groupby("year")["incidents"].sum()
    assert totals.to_dict() == leaves.to_dict() == {2015: 5850, 2016: 6121, 2017: 7175,
                                                    2018: 7120, 2019: 7314}


def test_table1_total_per_year(table1_rows, published: Published):
    totals = table1_rows[table1_rows["kind"] == "total"]
    assert_yearly(published.stats("crimes_stats", SOURCE), TABLE1[0],
                  totals.rename(columns={"incidents": "exp_value"})[["year", "exp_value"]],
                  "FBI Table 1: Total incidents", unit="incidents", subject="incident",
                  year_basis=YEAR_BASIS)


def test_table1_incidents_per_bias_row(table1_rows, published: Published):
    """Each leaf row of Table 1 (and Multiple-Bias Incidents) per year is the cell
    bias_motivation = its code, every other dimension `all`."""
    leaves = table1_rows[table1_rows["kind"] == "leaf"].copy()
    unknown = set(leaves["label"]) - set(BIAS)
    assert not unknown, f"labels this test has no code for: {unknown}"
    leaves["bias_motivation"] = leaves["label"].map(BIAS)
    assert not leaves.duplicated(["year", "bias_motivation"]).any()
    assert_yearly(published.stats("crimes_stats", SOURCE), TABLE1[0],
                  leaves.rename(columns={"incidents": "exp_value", "label": "raw_label"})
                  [["year", "bias_motivation", "raw_label", "exp_value"]],
                  "FBI Table 1: incidents per bias", by=("year", "bias_motivation"),
                  unit="incidents", subject="incident", year_basis=YEAR_BASIS)


def test_table1_anti_hispanic_or_latino(table1_rows, published: Published):
    """The letter's closest FBI figure, named: Anti-Hispanic or Latino incidents 2015-2019."""
    rows = table1_rows[table1_rows["label"] == "Anti-Hispanic or Latino"]
    assert rows.set_index("year")["incidents"].to_dict() == {2015: 299, 2016: 344, 2017: 427,
                                                             2018: 485, 2019: 527}


# --- CDE state x year x bias counts -------------------------------------------------------------

@pytest.fixture()
def state_counts(raw_root, published):
    folder = raw_folder(raw_root, SOURCE, STATE_COUNTS[0])
    require_snapshot(published, "crimes_stats", SOURCE, STATE_COUNTS[0])
    frame = pd.read_csv(folder / STATE_COUNTS[1], dtype={"count": "int64", "year": "int64"},
                        keep_default_na=False)
    return frame


def test_state_counts_per_year(state_counts, published: Published):
    yearly = state_counts.groupby("year", as_index=False)["count"].sum()
    assert yearly.set_index("year")["count"][[1991, 2001, 2014]].tolist() == [5872, 11036, 6330]
    assert_yearly(published.stats("crimes_stats", SOURCE), STATE_COUNTS[0],
                  yearly.rename(columns={"count": "exp_value"}), "FBI CDE state counts: per year",
                  unit="unspecified", subject="incident", year_basis=YEAR_BASIS)


def test_state_counts_per_year_and_bias(state_counts, published: Published):
    unknown = set(state_counts["bias_motivation"]) - set(BIAS)
    assert not unknown, f"labels this test has no code for: {unknown}"
    frame = state_counts.assign(code=state_counts["bias_motivation"].map(BIAS))
    yearly = (frame.groupby(["year", "code"], as_index=False)["count"].sum()
              .rename(columns={"count": "exp_value", "code": "bias_motivation"}))
    assert_yearly(published.stats("crimes_stats", SOURCE), STATE_COUNTS[0], yearly,
                  "FBI CDE state counts: per year and bias", by=("year", "bias_motivation"),
                  unit="unspecified", subject="incident", year_basis=YEAR_BASIS)


# --- incident files ---------------------------------------------------------------------------

def complete_incident_years(text: io.TextIOBase) -> tuple[pd.Series, int]:
    """DATA_YEAR of every complete record (as many fields as the header) and the number of
    incomplete ones."""
    reader = csv.reader(text)
    header = next(reader)
    year_at = header.index("DATA_YEAR")
    years, incomplete = [], 0
    for record in reader:
        if len(record) == len(header):
            years.append(int(record[year_at]))
        elif record:
            incomplete += 1
    return pd.Series(years, dtype="int64"), incomplete


def check_incidents_per_year(published: Published, snapshot: str, years: pd.Series) -> None:
    require_snapshot(published, "crimes_stats", SOURCE, snapshot)
    expected = years.value_counts().rename_axis("year").reset_index(name="exp_value")
    assert_yearly(published.stats("crimes_stats", SOURCE), snapshot, expected,
                  f"FBI incidents {snapshot}: per year", unit="incidents", subject="incident",
                  year_basis=YEAR_BASIS)


def test_truncated_incident_file_per_year(raw_root, published: Published):
    """4,589 incidents in 1991 and the first 400 of 1992; the cut last record is no incident."""
    folder = raw_folder(raw_root, SOURCE, TRUNCATED[0])
    with open(folder / TRUNCATED[1], encoding="utf-8", newline="") as handle:
        years, incomplete = complete_incident_years(handle)
    assert (len(years), incomplete) == (4989, 1)
    assert years.value_counts().to_dict() == {1991: 4589, 1992: 400}
    check_incidents_per_year(published, TRUNCATED[0], years)


@functools.cache
def zipped_years(path: str) -> tuple[pd.Series, int]:
    with zipfile.ZipFile(path) as archive, archive.open(ZIPPED[2]) as member:
        return complete_incident_years(io.TextIOWrapper(member, encoding="utf-8", newline=""))


def test_zipped_incident_file_per_year(raw_root, published: Published):
    folder = raw_folder(raw_root, SOURCE, ZIPPED[0])
    years, incomplete = zipped_years(str(folder / ZIPPED[1]))
    assert (len(years), incomplete) == (219_577, 0)
    assert (years.min(), years.max()) == (1991, 2020)
    check_incidents_per_year(published, ZIPPED[0], years)
