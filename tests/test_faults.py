"""Nothing is lost or corrupted when a raw file is broken, a check blocks, or a publish is killed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from pipelines.config import DEFAULT_RAW_DIR, PROJECT_ROOT
from pipelines.flows import run_pipeline
from pipelines.publish.release import current_release, write_release
from pipelines.snapshots import sha256_file
from pipelines.sources.process import process_source
from pipelines.stats.checks import BlockingCheckError
from pipelines.stats.tables import build_tables
from tests.sample_release import mmp_first_release

SAMPLE = DEFAULT_RAW_DIR / "mmp" / "SAMPLE-2020-01-13"
GOOD_CSV = (SAMPLE / "data.csv").read_bytes().decode("utf-8")  # keeps its CRLF


def _table(release: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(release / "tables" / f"{name}.parquet")


@pytest.fixture
def published(tmp_path, tmp_path_factory):
    """A raw folder with one good MMP snapshot and a first release built from it by the flow
    (built once per test run, copied for each test)."""
    return mmp_first_release(tmp_path_factory, tmp_path)


def _drop_new_snapshot(raw: Path, content: bytes) -> None:
    folder = raw / "mmp" / "2026-07-01"
    folder.mkdir()
    (folder / "data.csv").write_bytes(content)


BROKEN = {
    "truncated inside a quoted field": GOOD_CSV[: len(GOOD_CSV) // 2].rsplit('","', 1)[0] + '","Drow',
    "empty": "",
    "html error page": "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
    "new column": GOOD_CSV.replace('"Source Quality"', '"Source Quality","Extra"', 1),
    "missing column": GOOD_CSV.replace(',"Source Quality"', "", 1),
}


@pytest.mark.parametrize("fault", sorted(BROKEN))
def test_broken_new_file_keeps_last_good_data(published, fault):
    raw, out, first = published
    before = _table(first, "deaths")
    _drop_new_snapshot(raw, BROKEN[fault].encode("utf-8"))
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    assert report["exit_code"] == 1, report
    assert report["sources"]["mmp"].get("carried_forward") is True
    release = Path(report["release"])
    sources = _table(release, "sources")
    failed = sources[sources["status"] == "failed"]
    assert failed["snapshot"].tolist() == ["2026-07-01"] and failed["error"].str.contains("data.csv").all()
    carried = sources[sources["status"] == "carried_forward"]
    assert carried["carried_forward_from"].tolist() == [first.name]
    after = _table(release, "deaths")
    assert len(after) == len(before) and after["is_latest"].all()
    assert _table(first, "deaths").equals(before)  # the old release is untouched


def test_other_encoding_fails_the_file_and_names_it(published):
    raw, out, _ = published
    _drop_new_snapshot(raw, GOOD_CSV.replace("Sample", "Muestra día").encode("utf-16"))
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    (failed,) = [f for f in report["sources"]["mmp"]["files"] if f["status"] == "failed"]
    assert "data.csv" in failed["error"] and "decoded" in failed["error"]
    assert report["exit_code"] == 1


def test_row_cut_short_is_quarantined_not_dropped(tmp_path):
    folder = tmp_path / "mmp" / "2020-01-13"
    shutil.copytree(SAMPLE, folder)
    lines = GOOD_CSV.rstrip("\r\n").split("\r\n")
    cut = "\r\n".join(lines[:-1] + [lines[-1].rsplit(",", 4)[0]])
    (folder / "data.csv").write_bytes(cut.encode("utf-8"))
    summary = process_source("mmp", tmp_path, "all", tmp_path / "work")
    (result,) = summary["files"]
    assert result["rows_read"] == len(lines) - 1
    assert result["rows_quarantined"] == 1
    assert result["rows_read"] == result["rows_accepted"] + result["rows_quarantined"]
    quarantine = pd.read_parquet(result["parts"]["quarantine"])
    assert quarantine["check"].tolist() == ["complete_record"]
    assert quarantine["raw_row"].tolist() == [len(lines)]


def test_repeated_rows_are_quarantined_as_duplicates(tmp_path):
    folder = tmp_path / "mmp" / "2020-01-13"
    shutil.copytree(SAMPLE, folder)
    lines = GOOD_CSV.rstrip("\r\n").split("\r\n")
    (folder / "data.csv").write_bytes(("\r\n".join(lines + lines[1:4]) + "\r\n").encode("utf-8"))
    (result,) = process_source("mmp", tmp_path, "all", tmp_path / "work")["files"]
    assert result["rows_quarantined"] == 3
    assert result["rows_read"] == result["rows_accepted"] + 3
    assert set(pd.read_parquet(result["parts"]["quarantine"])["check"]) == {"record_id_unique"}


def test_blocking_check_publishes_nothing(published, monkeypatch):
    raw, out, first = published

    def broken_check(stats, records):
        raise BlockingCheckError("deaths_stats failed blocking checks: 1 margin(s) do not add up")

    monkeypatch.setattr("pipelines.stats.tables.check_deaths", broken_check)
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    assert report["exit_code"] == 2 and "margin" in report["blocked_by"]
    assert report["release"] is None
    assert current_release(out) == first.resolve()
    assert [p.name for p in (out / "releases").iterdir()] == [first.name]


def test_same_inputs_give_identical_tables(tmp_path):
    raw = DEFAULT_RAW_DIR
    work = tmp_path / "work"
    summaries = [process_source("mmp", raw, "all", work)]
    first = write_release(build_tables(raw, summaries), tmp_path / "a", {}, sample=True)
    second = write_release(build_tables(raw, summaries), tmp_path / "b", {}, sample=True)
    tables = lambda r: json.loads((r / "manifest.json").read_text())["tables"]  # noqa: E731
    assert tables(first) == tables(second)


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from pipelines.sources.process import process_source
    from pipelines.publish import release
    from pipelines.stats.tables import build_tables

    raw, out = Path(sys.argv[1]), Path(sys.argv[2])
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)   # killed in the middle of publishing
    release.build_catalog = die
    summaries = [process_source("mmp", raw, "all", out / "work")]
    release.write_release(build_tables(raw, summaries), out, {}, sample=True)
""")


def test_killed_publish_leaves_current_release_intact_and_next_run_recovers(published):
    raw, out, first = published
    sums = {p.name: sha256_file(p) for p in (first / "tables").iterdir()}
    killed = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(raw), str(out)],
                            cwd=PROJECT_ROOT, capture_output=True)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    assert list((out / "releases").glob(".staging-*")), "the kill should leave a staging folder"
    assert current_release(out) == first.resolve()
    assert {p.name: sha256_file(p) for p in (first / "tables").iterdir()} == sums
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    assert report["exit_code"] == 0
    assert not list((out / "releases").glob(".staging-*"))
    assert current_release(out) == Path(report["release"]).resolve()


def test_a_name_reaching_a_published_column_blocks_the_release(tmp_path):
    raw = tmp_path / "raw"
    folder = raw / "ice_detention_deaths" / "SAMPLE-2026-01-29"
    shutil.copytree(DEFAULT_RAW_DIR / "ice_detention_deaths" / folder.name, folder)
    (csv,) = [p for p in folder.glob("*.csv")]
    lines = csv.read_bytes().decode("utf-8").split("\n")
    # A publisher slip: the person's name typed into the cause column, which we publish as native text.
    lines[1] = lines[1].replace(",Cancer,", ",SAMPLE-PERSON 1,", 1)
    csv.write_bytes("\n".join(lines).encode("utf-8"))
    summaries = [process_source("ice_detention_deaths", raw, "all", tmp_path / "work")]
    with pytest.raises(BlockingCheckError, match="personal names"):
        build_tables(raw, summaries)


def test_release_of_a_crimes_source_alone_publishes(tmp_path):
    """No deaths source in the run: empty deaths tables are expected, not a failed check."""
    summaries = [process_source("ca_statcan_hate_crime", DEFAULT_RAW_DIR, "all", tmp_path / "work")]
    release = write_release(build_tables(DEFAULT_RAW_DIR, summaries), tmp_path / "out", {}, sample=True)
    assert len(_table(release, "crimes_stats")) and _table(release, "deaths").empty
