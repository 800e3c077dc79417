"""The public tier (disclosure control, extracts, page) gives the same bytes whether the
crimes and prosecutions statistics come as frames or as stored Parquet files read in small
batches, and never reads a stored table whole."""

from __future__ import annotations

import filecmp
import json
import time
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipelines import stored
from pipelines.publish import extract_tables, public
from pipelines.publish.disclosure import confidential_sources
from pipelines.publish.extracts import write_extracts, write_zip
from pipelines.publish.page import read
from pipelines.publish.page.write import render_page, write_page
from pipelines.stored import StoredTable, frame_to_arrow, table_frames
from tests.sample_release import sample_release

STORED = ("crimes_stats", "prosecutions_stats")
BATCH_ROWS = 500  # the sample's crimes_stats has about 11,000 rows: some twenty batches


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return sample_release(tmp_path_factory)


@pytest.fixture(scope="module")
def frames(release) -> dict[str, pd.DataFrame]:
    """The sample release's tables as frames, as the pipeline held them."""
    return {p.stem: pd.read_parquet(p) for p in (release / "tables").glob("*.parquet")
            if p.stem != "suppression_report" and not p.stem.startswith("public_basis")}


@pytest.fixture(scope="module")
def stored_tables(frames, tmp_path_factory) -> dict:
    """The same tables with the crimes and prosecutions statistics as StoredTables (written in
    row groups smaller than a batch, so batches end at row groups too)."""
    folder = tmp_path_factory.mktemp("stored-stats")
    tables = dict(frames)
    for name in STORED:
        path = folder / f"{name}.parquet"
        pq.write_table(frame_to_arrow(frames[name]), path, row_group_size=1_700)
        tables[name] = StoredTable(path=path, rows=len(frames[name]), columns=tuple(frames[name].columns))
    return tables


@pytest.fixture
def small_batches(monkeypatch):
    """Batches and Parquet row groups far smaller than the tables; every frame read from a
    stored table is recorded."""
    monkeypatch.setattr(stored, "BATCH_ROWS", BATCH_ROWS)
    monkeypatch.setattr(stored, "PARQUET_ROW_GROUP_ROWS", 1_000)
    seen = []
    read = stored._stored_frames

    def recorded(*args):
        for frame in read(*args):
            seen.append(len(frame))
            yield frame

    def whole(self, columns=None):
        raise AssertionError(f"{self.path.name} read whole")

    monkeypatch.setattr(stored, "_stored_frames", recorded)
    monkeypatch.setattr(StoredTable, "to_pandas", whole)
    return seen


def _public(tables: dict, previous: Path | None) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    tier = public.public_tables(tables, previous)
    return {**tables, **tier.tables}, tier.catalog["suppression_report"], tier.summary


def _whole(data) -> pd.DataFrame:
    return pd.concat(list(table_frames(data)), ignore_index=True)


@pytest.mark.parametrize("previous", [False, True], ids=["first-release", "after-a-release"])
def test_disclosure_control_is_the_same_for_stored_statistics(frames, stored_tables, release,
                                                              small_batches, previous):
    """Frames or stored tables read in small batches: the same public rows, report and
    summary. The other sources' latest rows pass through untouched, followed by the NGO log's
    published grid; after a release with the same records, that release's public rows are
    published again as they were (fewer than k records changed)."""
    before = release if previous else None
    as_frames, report, summary = _public(frames, before)
    as_stored, stored_report, stored_summary = _public(stored_tables, before)
    assert len(report) and (summary["cells_suppressed"] > 0).any()  # the NGO log is protected
    pd.testing.assert_frame_equal(stored_report, report)
    pd.testing.assert_frame_equal(stored_summary, summary)
    confidential = confidential_sources()
    for name in STORED:
        whole = _whole(as_frames[name])
        pd.testing.assert_frame_equal(_whole(as_stored[name]), whole)
        latest = frames[name][frames[name]["is_latest"]]
        others = latest[~latest["source"].isin(confidential)].reset_index(drop=True)
        mine = whole["source"].isin(confidential)
        assert not mine[:len(others)].any() and mine[len(others):].all()
        pd.testing.assert_frame_equal(whole[:len(others)].reset_index(drop=True), others)
        if previous:
            published = pd.read_parquet(release / "public" / "extracts" / f"{name}.parquet")
            published = published[published["source"].isin(confidential)].reset_index(drop=True)
            ngo = whole[mine].reset_index(drop=True)[list(published.columns)]
            pd.testing.assert_frame_equal(ngo, published, check_dtype=False)
    assert small_batches and max(small_batches) <= BATCH_ROWS


def test_extracts_and_page_are_byte_identical_for_stored_statistics(frames, stored_tables, release,
                                                                    tmp_path, small_batches):
    manifest = json.loads((release / "manifest.json").read_text())
    meta = {"created": manifest["created"], "sample": True, "code_version": "test"}
    written = {}
    for way, tables in (("frames", frames), ("stored", stored_tables)):
        folder = tmp_path / way
        tables = _public(tables, None)[0]
        info = write_extracts(tables, folder, "R1", **meta)
        write_page(tables, folder, "R1", extracts=info, **meta)
        written[way] = (folder, info)
    (ours, info), (theirs, stored_info) = written["frames"], written["stored"]
    assert stored_info == info
    names = sorted(p.name for p in (ours / "extracts").iterdir())
    assert names == sorted(p.name for p in (theirs / "extracts").iterdir())
    for name in names:
        assert filecmp.cmp(ours / "extracts" / name, theirs / "extracts" / name, shallow=False), name
    assert filecmp.cmp(ours / info["zip"]["path"], theirs / info["zip"]["path"], shallow=False)
    assert (ours / "index.html").read_text() == (theirs / "index.html").read_text()
    charts = sorted(p.name for p in (ours / "charts").iterdir())
    assert len(charts) > 20 and charts == sorted(p.name for p in (theirs / "charts").iterdir())
    for name in charts:  # SVG, PNG, Vega-Lite spec and data of each chart
        assert filecmp.cmp(ours / "charts" / name, theirs / "charts" / name, shallow=False), name
    # several batches and row groups were written, and the rows are all there
    crimes = pq.ParquetFile(theirs / "extracts" / "crimes_stats.parquet")
    assert crimes.metadata.num_row_groups > 1 and crimes.metadata.num_rows == info["tables"]["crimes_stats"]["rows"]
    assert len(small_batches) > 2 * len(frames["crimes_stats"]) / BATCH_ROWS
    assert max(small_batches) <= BATCH_ROWS


def test_page_reads_only_the_cells_its_charts_draw(frames, monkeypatch, tmp_path):
    tables = _public(frames, None)[0]
    reduced, rows = read.page_table("crimes_stats", extract_tables.public_tables(tables)["crimes_stats"])
    assert rows > 3 * len(reduced)  # most cells are crossings no chart draws
    meta = {"created": "2026-01-01T00:00:00+00:00", "sample": True}
    partial = render_page(tables, tmp_path, "R1", **meta)
    monkeypatch.setattr(read, "PAGE_SPLITS", {})  # every row of every table
    assert partial == render_page(tables, tmp_path, "R1", **meta)


def test_page_keeps_a_row_of_each_groups_first_and_last_year():
    dims = extract_tables.STATS_DIMENSIONS["crimes_stats"]
    base = {"source": "s", "snapshot": "S1", "unit": "persons", "subject": "victim", **dict.fromkeys(dims, "all")}
    frame = pd.DataFrame([
        {**base, "year": 2019, "sex": "female", "crime_type": "assault"},  # no chart draws it
        {**base, "year": 2020, "crime_type": "assault"},
        {**base, "year": 2021, "sex": "male", "sgbv": "yes"},  # no chart draws it
        {**base, "year": 2021, "sex": "female", "sgbv": "yes"},  # nor this
        {**base, "year": 2020, "unit": "incidents", "sex": "male"},  # another group
    ]).astype({"year": "Int32"})
    assert list(read.page_rows("crimes_stats", frame).index) == [0, 1, 2, 4]


def test_zip_is_the_same_in_any_time_zone(tmp_path, monkeypatch):
    folder = tmp_path / "extracts"
    folder.mkdir()
    (folder / "a.csv").write_bytes(b"x,y\r\n1,2\r\n" * 1000)
    (folder / "b.md").write_text("# b\n")
    bundles = []
    for zone in ("UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        path = tmp_path / zone.replace("/", "-") / "bundle.zip"
        path.parent.mkdir()
        write_zip(folder, path, "2026-07-01T23:30:05+00:00")
        bundles.append(path.read_bytes())
    monkeypatch.undo()
    time.tzset()
    assert all(b == bundles[0] for b in bundles)
    with zipfile.ZipFile(tmp_path / "UTC" / "bundle.zip") as bundle:
        assert [i.filename for i in bundle.infolist()] == ["bundle/a.csv", "bundle/b.md"]
        for info in bundle.infolist():
            assert info.date_time == (2026, 7, 1, 23, 30, 4)  # DOS times count in 2 seconds
            assert info.external_attr >> 16 & 0o777 == 0o644
        assert bundle.read("bundle/a.csv") == (folder / "a.csv").read_bytes()
