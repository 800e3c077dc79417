"""Run faults found by an attack review (issue 14): each reproduced here on small files, and
each ending as the README's exit codes say (0 published, 1 published with warnings, 2 nothing
published), with a message that names the file and what is wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipelines.config import DEFAULT_RAW_DIR
from pipelines.flows import run_pipeline
from pipelines.publish.release import current_release

MMP_SAMPLE = DEFAULT_RAW_DIR / "mmp" / "SAMPLE-2020-01-13"


def _table(release: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(release / "tables" / f"{name}.parquet")


def _copy(raw: Path, source: str, snapshot: str) -> Path:
    folder = raw / source / snapshot
    shutil.copytree(DEFAULT_RAW_DIR / source / snapshot, folder)
    return folder


def _failed_files(report: dict, source: str) -> list[dict]:
    return [f for f in report["sources"][source].get("files") or [] if f["status"] == "failed"]


# --- an incremental run among sources without deaths ----------------------------------------

def test_changed_source_among_unchanged_ones_without_deaths_publishes(tmp_path):
    """Two crimes sources, one edited: the unchanged one is reused from a release whose deaths
    table is empty. The empty deaths table must stay an empty table (it was taken for a table
    of rows and its statistics came back without columns: exit 2 on main)."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    folder = _copy(raw, "ngo_incidents", "SAMPLE-2025-12-31")
    _copy(raw, "mx_sesnsp", "SAMPLE-2025-10-20")
    first = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mx_sesnsp", "ngo_incidents"])
    assert first["exit_code"] == 0, first["summary"]
    (log,) = folder.glob("*.csv")
    lines = log.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    assert ",kidnapping," in lines[3]
    lines[3] = lines[3].replace(",kidnapping,", ",extortion,", 1)
    log.write_text("".join(lines), encoding="utf-8-sig")
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["ngo_incidents"],
                          reuse=["mx_sesnsp"])
    assert report["exit_code"] == 0, report["summary"]
    release = Path(report["release"])
    assert _table(release, "deaths").empty and _table(release, "deaths_stats").empty
    crimes = _table(release, "crimes")
    assert set(crimes["source"]) == {"mx_sesnsp", "ngo_incidents"}
    assert crimes.loc[crimes["source"] == "ngo_incidents", "crime_type"].value_counts()["extortion"] == \
        _table(Path(first["release"]), "crimes").query("source == 'ngo_incidents'")[
            "crime_type"].value_counts()["extortion"] + 1


# --- a source that fails: carried forward, or named, never blocking the others -------------

@pytest.fixture
def published_mmp(tmp_path):
    """A raw folder with one good MMP snapshot and a first release built from it."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    _copy(raw, "mmp", MMP_SAMPLE.name)
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    assert report["exit_code"] == 0, report["summary"]
    return raw, out, Path(report["release"])


def test_broken_file_replacing_a_good_one_in_the_same_snapshot_is_carried_forward(published_mmp):
    """The same snapshot, the same file name, broken content: its last good rows are carried
    forward (exit 1), as for a broken new snapshot (on main: two `sources` rows for one file,
    and the GX uniqueness check on `sources` blocked the whole release, exit 2)."""
    raw, out, first = published_mmp
    (raw / "mmp" / MMP_SAMPLE.name / "data.csv").write_text(
        "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>")
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    assert report["exit_code"] == 1, report["summary"]
    assert report["sources"]["mmp"]["state"] == "carried_forward"
    assert any("data.csv" in w and "HTML" in w for w in report["sources"]["mmp"]["warnings"])
    release = Path(report["release"])
    sources = _table(release, "sources")
    (row,) = sources.itertuples()
    assert (row.snapshot, row.file, row.status) == (MMP_SAMPLE.name, "data.csv", "carried_forward")
    assert row.carried_forward_from == first.name and "HTML" in row.error
    assert row.sha256 == _table(first, "sources")["sha256"].item()  # the rows' file, not the broken one
    assert _table(release, "deaths").equals(_table(first, "deaths"))


def test_a_failing_snapshot_without_an_earlier_release_leaves_the_others_published(tmp_path):
    """No release yet; one source's only snapshot holds no file its module reads (as the real
    `fbi_hate_crime/cde_incidents_1991_2020`, a zip, on main): the other sources are published
    and the failure is named (on main: GX failed on the empty `sources.sha256`, exit 2)."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    _copy(raw, "mmp", MMP_SAMPLE.name)
    folder = raw / "fbi_hate_crime" / "2026-01-01"
    folder.mkdir(parents=True)
    (folder / "hate_crime.csv.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["fbi_hate_crime", "mmp"])
    assert report["exit_code"] == 1, report["summary"]
    assert report["published"] and report["sources"]["fbi_hate_crime"]["state"] == "failed"
    assert any("no file matching" in w for w in report["sources"]["fbi_hate_crime"]["warnings"])
    sources = _table(Path(report["release"]), "sources").set_index("source")
    assert sources.loc["mmp", "status"] == "ok"
    assert sources.loc["fbi_hate_crime", "status"] == "failed"
    assert "no file matching" in sources.loc["fbi_hate_crime", "error"]
    assert len(_table(Path(report["release"]), "deaths"))


def test_a_run_in_which_every_source_fails_publishes_nothing(tmp_path):
    """Nothing read and nothing earlier to carry forward: no release of empty tables (on main:
    an empty release, exit 1), but exit 2 naming the failures."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    folder = raw / "mmp" / "2026-01-01"
    folder.mkdir(parents=True)
    (folder / "data.csv").write_bytes(b"")
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    assert report["exit_code"] == 2 and not report["published"], report["summary"]
    assert "every source failed" in report["summary"] and "data.csv" in report["summary"]
    assert "the file is empty" in report["summary"]
    assert current_release(out) is None
    assert not [p for p in (out / "releases").glob("*") if not p.name.startswith(".")] \
        if (out / "releases").exists() else True


# --- provenance: the file's own sha256, never the sidecar's word for it ----------------------

def _edit_keeping_sidecar(folder: Path) -> tuple[str, str]:
    """Change one value of the MMP sample's data.csv, leaving snapshot.json as it was.
    Returns (sha256 the sidecar declares, sha256 of the file now)."""
    from pipelines.snapshots import sha256_file

    declared = json.loads((folder / "snapshot.json").read_text())["files"]["data.csv"]["sha256"]
    path = folder / "data.csv"
    text = path.read_bytes().decode("utf-8")
    head, first, rest = text.split("\r\n", 2)
    path.write_bytes("\r\n".join([head, first.replace("Sample", "Muestra", 1), rest]).encode("utf-8"))
    actual = sha256_file(path)
    assert actual != declared
    return declared, actual


@pytest.mark.parametrize("earlier_release", [False, True])
def test_a_raw_file_differing_from_its_sidecar_is_recorded_as_read_and_warned(tmp_path, earlier_release):
    """On main `sources.sha256` and the manifest kept the sidecar's hash while the records
    carried the file's, and the run said nothing (exit 0)."""
    from pipelines.ops.incremental import plan
    from pipelines.ops.run import execute

    raw, out = tmp_path / "raw", tmp_path / "out"
    folder = _copy(raw, "mmp", MMP_SAMPLE.name)
    if earlier_release:
        assert execute(raw, out, sources=["mmp"])["exit_code"] == 0
    declared, actual = _edit_keeping_sidecar(folder)
    report = execute(raw, out, sources=["mmp"])
    assert report["exit_code"] == 1 and report["published"], report["summary"]
    (warning,) = report["sources"]["mmp"]["warnings"]
    assert "data.csv" in warning and declared in warning and actual in warning
    release = Path(report["release"])
    assert _table(release, "sources")["sha256"].tolist() == [actual]
    assert set(_table(release, "deaths")["raw_sha256"]) == {actual}
    manifest = json.loads((release / "manifest.json").read_text())
    assert [i["sha256"] for i in manifest["inputs"]] == [actual]
    # Until the sidecar is put right, every run processes the source again and says so.
    again = plan(raw, out, ["mmp"], "latest")
    assert again.process == ["mmp"] and "sidecar" in again.reasons["mmp"]
