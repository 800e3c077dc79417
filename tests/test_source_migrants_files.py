"""The Migrants' Files events 2000-2016: hand-written excerpts, the real file (skipped when
absent) and the generated sample."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from pipelines import snapshots
from pipelines.samples.migrants_files import FILE, write_samples
from pipelines.sources import migrants_files as mf
from schemas.raw.migrants_files import HEADERS
from tests.helpers import assert_no_names, assert_rows_reconcile, curate, curate_real, write_snapshot

HEADER = HEADERS["cartodb_2016"]


def _row(event_id="70001", cause="drowned", date="2016-06-16T00:00:00Z", year="2016", dead="1",
         missing="0", total="1", description="SAMPLE description", name="SAMPLE EVENT",
         route="Central Mediterranean route") -> list[str]:
    return [event_id, cause, "drowning or exhaustion related death", "United", date, "2Q2016",
            "2016 -- 6", year, dead, missing, total, "1", description, "Sample place", "36.3",
            "18.9", "36.3, 18.9", total, name, route, "Sample News", "http://example.org/x"]


def _snapshot(tmp_path: Path, rows: list[list[str]]):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([HEADER, *rows])
    return write_snapshot(tmp_path, mf, "2016-06-24", FILE, buffer.getvalue().encode("utf-8"),
                          ("2000-01-01", "2016-06-20"))


def test_events_counts_dates_ids_and_causes(tmp_path):
    rows = [
        _row("81067", "shot by the police", "2016-06-20T00:00:00Z", dead="8", total="8",
             name="Death of Sample Person"),
        _row("", "unknown", "2015-08-02T02:00:00Z", "2015", dead="5", total="7",
             description="five bodies\nfound on a rubber boat"),
        _row("", "unknown", "2015-08-02T02:00:00Z", "2015", dead="5", total="7",
             description="five bodies\nfound on a rubber boat"),   # the same again: two events
        _row("36501", "suicide - hanged", "2000-01-02T00:00:00Z", "2000",
             description="hanged himself in a detention centre"),
        _row("36502", "drowned or thirst", "", "", dead="1", total="1"),   # no date, no year
        _row("36501", "drowned", "2000-01-01T00:00:00Z", "2000"),           # repeated id
        _row("36503", "murdered", "2000-01-01T00:00:00Z", "2000", dead="1", missing="1", total="1"),
        [""] * 17 + ["0"] + [""] * 4,                                       # an empty row
    ]
    snap, path = _snapshot(tmp_path, rows)
    raw, part = curate(mf, snap, path)
    assert_rows_reconcile(part)
    assert set(part.quarantine["raw_row"]) == {6, 7, 9}
    rec = part.records.set_index("raw_row")
    assert rec.loc[2, "record_id"] == "81067"
    assert rec.loc[3, "record_id"] != rec.loc[4, "record_id"]      # content ids, numbered
    assert rec.loc[3, "event_date"] == pd.Timestamp("2015-08-02") and rec.loc[3, "year"] == 2015
    assert (rec["year_basis"] == "incident").all()
    assert rec.loc[3, ["dead", "missing", "dead_and_missing"]].tolist() == [5, 0, 7]
    assert rec.loc[3, "flags"] == "total_differs_from_parts"
    assert "dead_missing_exceed_total" in rec.loc[8, "flags"]
    assert rec.loc[2, ["cause", "criminal"]].tolist() == ["violence", "criminal"]
    assert rec.loc[5, ["cause", "criminal", "scope"]].tolist() == ["self_harm", "undetermined",
                                                                   "in_custody"]
    assert rec.loc[8, ["cause", "criminal", "criminal_rule"]].tolist() == ["violence", "criminal",
                                                                           "manner_homicide"]
    assert rec["female"].isna().all() and (rec["nationality"] == "NOT_RECORDED").all()
    assert rec["route"].iloc[0] == "Central Mediterranean route"
    assert rec["cause_native"].isna().all()
    assert_no_names({"Death of Sample Person", "hanged himself in a detention centre"}, part.records)


@pytest.mark.real
def test_real_file(real_dir):
    _, raw, part = curate_real(real_dir, mf, "2016-06-24")
    assert_rows_reconcile(part)
    assert (part.rows_read, len(part.records), part.rows_quarantined) == (3206, 3191, 15)
    rec = part.records
    assert int(rec["dead_and_missing"].sum()) == 34861 - 2  # two events have no year
    assert int(rec.loc[rec["year"] == 2015, "dead_and_missing"].sum()) == 4008
    assert rec["record_id"].is_unique
    assert part.unmapped.empty  # every cause label is in maps/causes_migrants_files.csv
    texts = set()
    for column in mf.SOURCE.spec.name_columns + mf.SOURCE.spec.free_text_columns:
        texts |= {v.strip() for v in raw.frame[column]} - {""}
    assert_no_names({t for t in texts if len(t) > 3}, rec)


def test_sample(tmp_path):
    write_samples(tmp_path)
    (snap,) = snapshots.discover(tmp_path, mf.SOURCE)
    (path,) = snap.data_files()
    raw, part = curate(mf, snap, path)
    assert_rows_reconcile(part)
    assert part.rows_quarantined == 5 and len(part.records) == 70
