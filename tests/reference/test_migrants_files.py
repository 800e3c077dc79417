"""The Migrants' Files (events 2000 to June 2016): the sum of the file's own total column
`dead_and_missing` per `Year` (34,861 in all; the two events with no Year, 1 person each, and
the 13 empty rows count nowhere), and its `dead` per year where an event's dead and missing do
not exceed its total (DATA_MODEL.md invariant 2: an inconsistent split is status `unknown`),
computed with pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.reference.europe import check_yearly_sums
from tests.reference.persons import read_csv
from tests.reference.published import raw_folder

pytestmark = pytest.mark.real

SOURCE = "migrants_files"
SNAPSHOT = "2016-06-24"
FILE = ("DISCONTINUED ON JUNE 24, 2016 - Events during which someone died trying to reach or "
        "stay in Europe - Events.csv")


@pytest.fixture()
def events(raw_root):
    frame = read_csv(str(raw_folder(raw_root, SOURCE, SNAPSHOT) / FILE))
    number = {c: pd.to_numeric(frame[c].replace("", None), errors="raise")
              for c in ("dead", "missing", "dead_and_missing")}
    return pd.to_numeric(frame["Year"].replace("", None), errors="raise"), number


def test_dead_and_missing_per_year(events, published):
    year, number = events
    assert int(number["dead_and_missing"].sum()) == 34861
    assert int(number["dead_and_missing"][year.isna()].sum()) == 2
    check_yearly_sums(published, SOURCE, SNAPSHOT, year, number["dead_and_missing"], "incident",
                      "Migrants' Files: dead and missing per year")


def test_dead_per_year(events, published):
    year, number = events
    dead, missing, total = number["dead"], number["missing"], number["dead_and_missing"]
    consistent = dead.fillna(0) + missing.fillna(0) <= total
    check_yearly_sums(published, SOURCE, SNAPSHOT, year[consistent & (dead > 0)],
                      dead[consistent & (dead > 0)], "incident",
                      "Migrants' Files: dead per year", status="dead")
