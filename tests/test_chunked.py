"""A file read in chunks gives exactly what it gives read whole: the same records (ids
included), the same quarantine and accounting, the same unmapped counts. Chunks are made
tiny here (a few rows) so that repeats and identical rows fall in different chunks."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from pipelines import snapshots
from pipelines.config import DEFAULT_RAW_DIR
from pipelines.sources import ice_detention_deaths, mmp, ngo_incidents, process, unodc_glotip
from pipelines.sources.registry import SOURCES
from schemas.raw.unodc_glotip import CSV_HEADERS
from tests.helpers import write_snapshot

GLOTIP_HEADER = CSV_HEADERS["sheet_csv_2023"]


def _frames(result: dict, kind: str) -> pd.DataFrame:
    paths = process.part_list((result["parts"] or {}).get(kind))
    frames = [pd.read_parquet(p) for p in paths]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    keys = [c for c in ("raw_row", "record_id", "column", "check", "mapping", "value") if c in frame]
    return frame.sort_values(keys, ignore_index=True)


def _both(monkeypatch, tmp_path, snap, path, rows: int) -> tuple[dict, dict]:
    monkeypatch.setenv("HARMSTATS_CHUNK_ROWS", str(10**9))
    whole = process.process_file(SOURCES[snap.source], snap, path, tmp_path / "whole").to_dict()
    monkeypatch.setenv("HARMSTATS_CHUNK_ROWS", str(rows))
    chunked = process.process_file(SOURCES[snap.source], snap, path, tmp_path / "chunked").to_dict()
    return whole, chunked


def _assert_same(whole: dict, chunked: dict, tables: tuple[str, ...]) -> None:
    assert whole["status"] == chunked["status"] == "ok", (whole["error"], chunked["error"])
    for key in ("rows_read", "rows_accepted", "rows_quarantined", "rows_flagged", "format_version"):
        assert whole[key] == chunked[key], key
    assert isinstance(chunked["parts"]["quarantine"], list)  # really read in several chunks
    for kind in tables + ("quarantine", "unmapped"):
        pd.testing.assert_frame_equal(_frames(whole, kind), _frames(chunked, kind), check_dtype=False)


def _with_repeats(path, repeat: list[int]) -> bytes:
    """The file's bytes with the given data lines (0 = first record) appended again at the end."""
    lines = path.read_bytes().splitlines(keepends=True)
    if not lines[-1].endswith(b"\n"):
        lines[-1] += b"\r\n" if lines[0].endswith(b"\r\n") else b"\n"
    return b"".join(lines + [lines[1 + i] for i in repeat])


@pytest.mark.parametrize("sample", ["SAMPLE-2026-05-06", "SAMPLE-2020-01-13"])
def test_mmp_publisher_ids_repeated_across_chunks_are_quarantined_as_when_read_whole(
        monkeypatch, tmp_path, sample):
    (source_path,) = [p for p in snapshots.load_snapshot(DEFAULT_RAW_DIR / "mmp" / sample, mmp.SOURCE).data_files()
                      if p.suffix == ".csv"]
    data = _with_repeats(source_path, [0, 3, 3])
    snap, path = write_snapshot(tmp_path / "raw", mmp, sample.removeprefix("SAMPLE-"), source_path.name,
                                data, ("2014-01-01", "2025-05-05"))
    whole, chunked = _both(monkeypatch, tmp_path, snap, path, rows=7)
    _assert_same(whole, chunked, ("deaths",))
    repeats = _frames(chunked, "quarantine")
    assert (repeats["check"] == "record_id_unique").sum() >= 3


def test_content_ids_are_numbered_over_the_whole_file(monkeypatch, tmp_path):
    folder = DEFAULT_RAW_DIR / "ice_detention_deaths" / "SAMPLE-2026-01-29"
    (source_path,) = snapshots.load_snapshot(folder, SOURCES["ice_detention_deaths"]).data_files()
    data = _with_repeats(source_path, [0, 0, 5])
    snap, path = write_snapshot(tmp_path / "raw", ice_detention_deaths, "2026-01-29", source_path.name,
                                data, ("2003-01-01", "2026-01-29"))
    whole, chunked = _both(monkeypatch, tmp_path, snap, path, rows=9)
    _assert_same(whole, chunked, ("deaths",))
    records = _frames(chunked, "deaths")
    first = records.loc[records["raw_row"] == 2, "record_id"].item()
    digest = first.rsplit("-", 1)[0]
    assert records["record_id"].is_unique
    assert set(records.loc[records["record_id"].str.startswith(digest), "record_id"]) == {
        f"{digest}-1", f"{digest}-2", f"{digest}-3"}  # the first row, then twice more


def test_ngo_submission_read_in_chunks_gives_what_it_gives_whole(monkeypatch, tmp_path):
    """Both tables, quarantine reasons in the submitter's language (a repeat across chunks
    names the row it repeats) and the row numbers of a file with blank rows."""
    folder = DEFAULT_RAW_DIR / "ngo_incidents" / "SAMPLE-2025-12-31"
    (source_path,) = snapshots.load_snapshot(folder, SOURCES["ngo_incidents"]).data_files()
    data = _with_repeats(source_path, [0, 7, 7])
    header = data.split(b"\n", 1)[0]
    data = data.replace(b"\n", b"\n" + b"," * header.count(b",") + b"\n", 1)  # a blank row
    snap, path = write_snapshot(tmp_path / "raw", ngo_incidents, "2025-12-31", source_path.name,
                                data, ("2021-01-01", "2025-12-31"))
    whole, chunked = _both(monkeypatch, tmp_path, snap, path, rows=50)
    _assert_same(whole, chunked, ("crimes", "prosecutions"))
    reasons = _frames(chunked, "quarantine").query("check == 'record_id_unique'")["reason"]
    assert len(reasons) >= 3 and reasons.str.contains("row 3:").any()


def test_a_module_repeating_an_id_fails_its_file_not_the_release(monkeypatch, tmp_path):
    """Ids are unique per file by construction; a module that breaks this fails the file
    (its source is then carried forward), as the per-file schema check did."""
    folder = DEFAULT_RAW_DIR / "mmp" / "SAMPLE-2026-05-06"
    snap = snapshots.load_snapshot(folder, mmp.SOURCE)
    (path,) = snap.data_files()
    def repeating(raw, snapshot):
        part = mmp.to_curated(raw, snapshot)
        deaths = part.tables["deaths"]
        part.tables["deaths"] = pd.concat([deaths, deaths.head(1)], ignore_index=True)
        return part

    result = process.process_file(dataclasses.replace(mmp.SOURCE, to_curated=repeating), snap, path,
                                  tmp_path / "work")
    assert result.status == "failed" and "record ids repeat within the file" in result.error


def test_glotip_sheet_as_csv_read_in_chunks_gives_what_it_gives_whole(monkeypatch, tmp_path):
    """Identical rows (sub-forms collapsed under one label) in different chunks keep their
    occurrence numbers over the file; a spreadsheet's CSV (BOM, CRLF) with a bad value."""
    header = ",".join(GLOTIP_HEADER)
    place = "MEX,Mexico,Americas,Latin America and the Caribbean,Detected trafficking victims"
    forms = f"{place},by form of exploitation,Other forms of exploitation,Total,Total,2021,Counts"
    rows = [f"{place},Total,Total,Total,Total,2021,Counts,\"1,115\",GLOTIP",
            f"{forms},7,GLOTIP", f"{forms},<5,GLOTIP", f"{forms},7,GLOTIP",
            f"{place},Total,Total,Female,Total,2021,Counts,n/a,GLOTIP", f"{forms},7,GLOTIP"]
    data = ("\ufeff" + "\r\n".join([header] + rows) + "\r\n").encode("utf-8")
    snap, path = write_snapshot(tmp_path / "raw", unodc_glotip, "2025-04-14", "data_glotip.csv",
                                data, ("2003-01-01", "2025-04-14"))
    whole, chunked = _both(monkeypatch, tmp_path, snap, path, rows=2)
    _assert_same(whole, chunked, ("crimes",))
    crimes = _frames(chunked, "crimes")
    repeated = crimes.loc[crimes["raw_row"].isin([3, 5, 7]), "record_id"]
    digest = repeated.iloc[0].rsplit("-", 1)[0]
    assert repeated.tolist() == [f"{digest}-1", f"{digest}-2", f"{digest}-3"]
    assert _frames(chunked, "quarantine")["raw_row"].tolist() == [6]
