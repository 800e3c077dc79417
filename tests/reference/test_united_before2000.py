"""UNITED's 1993-1999 entries as curated in neocarto/missing-migrants: the sum of
`dead_and_missing` per `year` (2,119 in all, PROVENANCE.md 9.2), computed with pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.reference.europe import check_yearly_sums
from tests.reference.persons import read_csv
from tests.reference.published import raw_folder

pytestmark = pytest.mark.real

SOURCE = "united_before2000"
SNAPSHOT = "2025-11-07"


def test_dead_and_missing_per_year(raw_root, published):
    frame = read_csv(str(raw_folder(raw_root, SOURCE, SNAPSHOT) / "United_before2000.csv"))
    counts = pd.to_numeric(frame["dead_and_missing"], errors="raise")
    assert int(counts.sum()) == 2119
    check_yearly_sums(published, SOURCE, SNAPSHOT, pd.to_numeric(frame["year"], errors="raise"),
                      counts, "found", "UNITED 1993-1999: dead and missing per year")
