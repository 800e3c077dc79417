"""Statistics Canada table 35-10-0066-01, police-reported hate crime by type of motivation,
Canada (selected police services), in both layouts held (read with the csv module / pandas):

- `35-10-0066-01_2012_2019/raw data.csv`: the table viewer's report CSV (title block, one column
  per year, "1,295", `..`, footnote digits glued to labels, footnotes below);
- `35-10-0066-01_2012_2021_detailed/poldata.csv`: the database-loading CSV (REF_DATE, Type of
  motivation, VALUE, STATUS), with the detailed motivations (children: "Black", "Jewish", ...)
  under each motivation type (parents), all in one column.

Expected: the "Total police-reported hate crime" row per year is the grand total (bias `all`);
each motivation type per year is the cell bias_motivation = its whole-category code (this
test's own list: `race_ethnicity_any`, ...; year_basis `reported`, unit incidents), in both
layouts. `..` ("not
available", 2012-2013, and the six "Unknown ..." children from 2018) is no figure: no cell is
published for it, so those years have no statistics. Children add up to their type (checked on
the raw file); whatever the release does with them, it never adds a type and its children into
one margin: the published motivation cells of a year add up to that year's Total.
"""

from __future__ import annotations

import csv
import functools
import re

import pandas as pd
import pytest

from tests.reference.published import (Published, assert_yearly, dimensions, raw_folder,
                                       require_snapshot)

pytestmark = pytest.mark.real

SOURCE = "ca_statcan_hate_crime"
REPORT = ("35-10-0066-01_2012_2019", "raw data.csv")
DETAILED = ("35-10-0066-01_2012_2021_detailed", "poldata.csv")
TOTAL = "Total police-reported hate crime"
TYPES = {"Race or ethnicity": "race_ethnicity_any", "Religion": "religion_any",
         "Sexual orientation": "sexual_orientation_any", "Language": "language_any",
         "Disability": "disability_any", "Sex": "sex_any", "Age": "age_any",
         "Other similar factor": "other_similar_factor", "Unknown motivation": "unknown"}
NOT_AVAILABLE = ".."
FIXED = {"unit": "incidents", "subject": "incident", "year_basis": "reported"}


@functools.cache
def report_table(path: str) -> pd.DataFrame:
    """(motivation, year, value) of the report CSV; value null for `..`."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    header_at = next(i for i, r in enumerate(records) if r and r[0] == "Type of motivation")
    years = [int(y) for y in records[header_at][1:] if y.strip()]
    rows = []
    for record in records[header_at + 1:]:
        label = re.sub(r"\s+\d+$", "", record[0].strip())
        if label in ("", "Symbol legend:"):
            if rows:
                break
            continue
        for year, text in zip(years, record[1:]):
            text = text.strip()
            value = None if text == NOT_AVAILABLE else int(text.replace(",", ""))
            rows.append({"motivation": label, "year": year, "value": value})
    return pd.DataFrame(rows).astype({"value": "Int64"})


@functools.cache
def detailed_table(path: str) -> pd.DataFrame:
    """(motivation, year, value, parent) of the database CSV, in the table's member order
    (COORDINATE): a child's parent is the nearest type above it."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert set(frame["GEO"]) == {"Canada, selected police services"}, set(frame["GEO"])
    assert set(frame["UOM"]) == {"Number"}
    frame["member"] = frame["COORDINATE"].str.split(".").str[-1].astype(int)
    value = frame["VALUE"].str.strip()
    assert ((value == "") == (frame["STATUS"].str.strip() == NOT_AVAILABLE)).all()
    out = pd.DataFrame({"motivation": frame["Type of motivation"], "year": frame["REF_DATE"].astype(int),
                        "value": pd.to_numeric(value.where(value != "")).astype("Int64"),
                        "member": frame["member"]})
    order = out.drop_duplicates("motivation").sort_values("member")
    parent, current = {}, None
    for label in order["motivation"]:
        if label in TYPES or label == TOTAL:
            current = label
            parent[label] = None
        else:
            parent[label] = current
    out["parent"] = out["motivation"].map(parent)
    return out


@pytest.fixture(params=[REPORT, DETAILED], ids=lambda p: p[0])
def table(request, raw_root):
    snapshot, file = request.param
    path = str(raw_folder(raw_root, SOURCE, snapshot) / file)
    frame = report_table(path) if snapshot == REPORT[0] else detailed_table(path)
    return snapshot, frame


def test_total_per_year(table, published: Published):
    """Grand total per year = the Total row; years whose Total is `..` have none."""
    snapshot, frame = table
    require_snapshot(published, "crimes_stats", SOURCE, snapshot)
    total = frame[(frame["motivation"] == TOTAL) & frame["value"].notna()]
    assert len(total) == len(frame[frame["motivation"] == TOTAL]) - 2  # 2012-2013 are `..`
    assert_yearly(published.stats("crimes_stats", SOURCE), snapshot,
                  total.rename(columns={"value": "exp_value"})[["year", "exp_value"]],
                  f"StatCan {snapshot}: total hate crime incidents", **FIXED)


def test_motivation_types_per_year(table, published: Published):
    """Each motivation type per year is the cell bias_motivation = its code."""
    snapshot, frame = table
    require_snapshot(published, "crimes_stats", SOURCE, snapshot)
    types = frame[frame["motivation"].isin(TYPES)]
    assert set(types["motivation"]) == set(TYPES)
    stats = published.stats("crimes_stats", SOURCE)
    for label, rows in types.groupby("motivation"):
        rows = rows[rows["value"].notna()]
        assert_yearly(stats, snapshot, rows.rename(columns={"value": "exp_value"})[["year", "exp_value"]],
                      f"StatCan {snapshot}: {label}", bias_motivation=TYPES[label], **FIXED)


def test_types_add_up_to_the_total_on_the_raw_file(table):
    snapshot, frame = table
    total = frame[frame["motivation"] == TOTAL].set_index("year")["value"].dropna()
    types = frame[frame["motivation"].isin(TYPES)].groupby("year")["value"].sum(min_count=1).dropna()
    assert total.to_dict() == types.to_dict()


def test_children_add_up_to_their_type_on_the_raw_file_except_2017(raw_root):
    """The detailed file's children (with a number) add up to their type in every year but
    2017, where five types are below their children (StatCan revised the children, not the
    type): the type is the figure StatCan publishes, the difference is the source's."""
    frame = detailed_table(str(raw_folder(raw_root, SOURCE, DETAILED[0]) / DETAILED[1]))
    children = frame[frame["parent"].notna()]
    assert len(set(children["motivation"])) == 36
    sums = children.groupby(["parent", "year"])["value"].sum(min_count=1)
    types = frame[frame["motivation"].isin(TYPES)].set_index(["motivation", "year"])["value"]
    differ = {k: (int(v), int(types[k])) for k, v in sums.items()
              if pd.notna(v) and pd.notna(types[k]) and types[k] != v}
    assert differ == {("Disability", 2017): (11, 10), ("Race or ethnicity", 2017): (919, 878),
                      ("Religion", 2017): (879, 842), ("Sex", 2017): (38, 32),
                      ("Sexual orientation", 2017): (219, 204)}
    missing = children[(children["year"] >= 2014) & children["value"].isna()]
    assert sorted(set(missing["motivation"])) == [
        "Unknown disability", "Unknown language", "Unknown race or ethnicity", "Unknown religion",
        "Unknown sex", "Unknown sexual orientation"]
    assert sorted(set(missing["year"])) == [2018, 2019, 2020, 2021]


def test_no_margin_counts_a_type_and_its_children_together(table, published: Published):
    """Invariant 1 on the one bias dimension: per year, the published bias cells (every other
    dimension `all`) add up to the Total exactly, so a type and its children are never both
    categories of it (that would count the same incidents twice)."""
    snapshot, frame = table
    require_snapshot(published, "crimes_stats", SOURCE, snapshot)
    stats = published.stats("crimes_stats", SOURCE)
    stats = stats[stats["snapshot"] == snapshot]
    others = [d for d in dimensions(stats) if d != "bias_motivation"]
    cells = stats[(stats[others] == "all").all(axis=1) & (stats["bias_motivation"] != "all")]
    total = frame[frame["motivation"] == TOTAL].set_index("year")["value"].dropna().astype(int)
    sums = cells.groupby("year")["value"].sum().astype(int)
    assert sums.to_dict() == total.to_dict()
