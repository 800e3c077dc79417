"""UNITED 1993-1999 list as curated by a third party: hand-written excerpts, the real file
(skipped when absent) and the generated sample."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from pipelines import snapshots
from pipelines.samples.united_before2000 import write_samples
from pipelines.sources import united_before2000 as before2000
from schemas.raw.united_before2000 import HEADERS
from tests.helpers import assert_rows_reconcile, curate, curate_real, write_snapshot

HEADER = HEADERS["neocarto_2025"]


def _snapshot(tmp_path: Path, rows: list[list[str]]):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *rows])
    return write_snapshot(tmp_path, before2000, "2025-11-07", "United_before2000.csv",
                          buffer.getvalue().encode("utf-8"), ("1993-01-01", "1999-12-31"), kind="derived")


def test_french_categories_codes_and_counts(tmp_path):
    rows = [["2", "40.15", "18.55", "14", "1999", "Noyade", "4"],
            ["3", "40.2", "18.55", "1", "1998", "Incendie criminel, homicide, absence de soins", "1"],
            ["4", "40.2", "18.55", "2", "1997", "Mort de faim, de soif ou de froid", "3"],
            ["5", "40.2", "18.55", "1", "1996", "Suicide", "5"],
            ["6", "40.2", "18.55", "1", "1996", "Suicide", "4"],   # the code names another cause
            ["7", "40.2", "18.55", "", "1995", "Noyade", "4"],      # no count
            ["7", "40.2", "18.55", "3", "1995", "Noyade", "4"]]     # a repeated id
    snap, path = _snapshot(tmp_path, rows)
    raw, part = curate(before2000, snap, path)
    assert_rows_reconcile(part)
    assert set(part.quarantine["raw_row"]) == {6, 7, 8}
    rec = part.records.set_index("raw_row")
    assert rec["cause"].tolist() == ["drowning", "unknown", "environmental_exposure", "self_harm"]
    assert (rec["criminal"] == "undetermined").all()
    assert rec["dead_and_missing"].tolist() == [14, 1, 2, 1]
    assert rec["dead"].isna().all() and rec["female"].isna().all()  # not split, not recorded
    assert (rec["year_basis"] == "found").all() and rec["event_date"].isna().all()
    assert (rec["nationality"] == "NOT_RECORDED").all() and (rec["country_iso3"] == "UNKNOWN").all()
    assert part.unmapped.empty


@pytest.mark.real
def test_real_file(real_dir):
    _, raw, part = curate_real(real_dir, before2000, "2025-11-07")
    assert_rows_reconcile(part)
    assert (part.rows_read, part.rows_quarantined) == (613, 0)
    rec = part.records
    assert int(rec["dead_and_missing"].sum()) == 2119
    assert rec.groupby("year")["dead_and_missing"].sum().to_dict() == {
        1993: 62, 1994: 125, 1995: 180, 1996: 459, 1997: 384, 1998: 390, 1999: 519}
    assert part.unmapped.empty and (rec["cause"] != "unknown").sum() == 613 - 81


def test_sample(tmp_path):
    write_samples(tmp_path)
    (snap,) = snapshots.discover(tmp_path, before2000.SOURCE)
    (path,) = snap.data_files()
    raw, part = curate(before2000, snap, path)
    assert_rows_reconcile(part)
    assert len(part.records) == 60 and part.rows_quarantined == 0
