"""Incremental runs, as plain functions: which sources are reprocessed, and why.

The "current release" here is a hand-made manifest recording what a run would record, so
no flow runs (the flow itself is in test_ops_run.py)."""

from __future__ import annotations

import json
import shutil
import zipfile

import pandas as pd
import pytest

from pipelines.config import DEFAULT_RAW_DIR
from pipelines.ops import incremental
from pipelines.ops.incremental import mark_reused, plan, source_inputs

CHOSEN = ["cbp_deaths", "mmp"]


@pytest.fixture
def raw(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(DEFAULT_RAW_DIR / "mmp" / "SAMPLE-2020-01-13", raw / "mmp" / "SAMPLE-2020-01-13")
    shutil.copytree(DEFAULT_RAW_DIR / "cbp_deaths", raw / "cbp_deaths")
    return raw


def publish_manifest(raw, out, chosen=CHOSEN, mode="latest", status="ok", edit=None):
    """A current release whose manifest records these inputs, as a run would."""
    first = plan(raw, out, chosen, mode)
    inputs = [{"source": sid, "snapshot": d["snapshot"], "file": name, "sha256": sha,
               "status": status, "rows_read": 10, "rows_accepted": 9, "rows_quarantined": 1,
               "rows_flagged": 0}
              for sid in first.process for d in source_inputs(raw, sid, mode)
              for name, sha in d["files"].items()]
    manifest = {"release_id": "R1", "snapshot_mode": mode,
                "code_version": first.parts["code_version"],
                "definitions": dict(first.parts["definitions"]), "inputs": inputs,
                "incremental": first.manifest_block()}
    if edit:
        edit(manifest)
    release = out / "releases" / "R1"
    (release / "tables").mkdir(parents=True)
    (release / "manifest.json").write_text(json.dumps(manifest))
    (out / "current").symlink_to("releases/R1")
    return manifest


def test_first_run_processes_everything(raw, tmp_path):
    first = plan(raw, tmp_path / "out", CHOSEN + ["ice_detention_deaths"], "latest")
    assert first.process == CHOSEN and first.reuse == [] and not first.nothing_new
    assert first.no_snapshot == ["ice_detention_deaths"]
    assert first.reasons["mmp"] == "no current release"


def test_nothing_changed_means_nothing_new(raw, tmp_path):
    out = tmp_path / "out"
    publish_manifest(raw, out)
    again = plan(raw, out, CHOSEN, "latest")
    assert again.process == [] and again.reuse == CHOSEN and again.nothing_new
    assert again.previous.name == "R1"


def test_a_new_snapshot_reprocesses_only_its_source(raw, tmp_path):
    out = tmp_path / "out"
    publish_manifest(raw, out)
    shutil.copytree(raw / "mmp" / "SAMPLE-2020-01-13", raw / "mmp" / "2026-07-01")
    (raw / "mmp" / "2026-07-01" / "snapshot.json").unlink()
    again = plan(raw, out, CHOSEN, "latest")
    assert again.process == ["mmp"] and again.reuse == ["cbp_deaths"] and not again.nothing_new
    assert "new: 2026-07-01/data.csv" in again.reasons["mmp"]
    assert "gone: SAMPLE-2020-01-13/data.csv" in again.reasons["mmp"]


def test_a_changed_raw_file_is_named(raw, tmp_path):
    out = tmp_path / "out"
    publish_manifest(raw, out)
    path = raw / "mmp" / "SAMPLE-2020-01-13" / "data.csv"
    path.write_bytes(path.read_bytes() + b"\r\n")
    assert plan(raw, out, CHOSEN, "latest").reasons == {"mmp": "raw files changed: SAMPLE-2020-01-13/data.csv"}


def test_unchanged_files_are_not_read_again_and_a_touched_file_is(raw, tmp_path, monkeypatch):
    """The planner remembers hashes by path, size and mtime (OUT/.raw-hashes.json)."""
    out = tmp_path / "out"
    publish_manifest(raw, out)
    assert plan(raw, out, CHOSEN, "latest").nothing_new  # learns the hashes
    assert (out / incremental.HASH_CACHE).is_file()
    read = []
    original = incremental.snapshots.raw_sha256
    monkeypatch.setattr(incremental.snapshots, "raw_sha256", lambda p: read.append(p.name) or original(p))
    assert plan(raw, out, CHOSEN, "latest").nothing_new and read == []
    path = raw / "mmp" / "SAMPLE-2020-01-13" / "data.csv"
    path.write_bytes(path.read_bytes() + b"\r\n")  # new size and time: hashed again
    assert plan(raw, out, CHOSEN, "latest").reasons == {"mmp": "raw files changed: SAMPLE-2020-01-13/data.csv"}
    assert read == ["data.csv"]


def test_a_zip_is_hashed_as_the_file_and_a_changed_member_reprocesses(raw, tmp_path):
    """A source that reads a file inside a zip: the archive is what is hashed and remembered
    (the member changes the archive); its sidecar's member record is part of the inputs."""
    zipped = "SAMPLE-2021-12-09_incidents_zip"
    shutil.copytree(DEFAULT_RAW_DIR / "fbi_hate_crime" / zipped, raw / "fbi_hate_crime" / zipped)
    chosen = CHOSEN + ["fbi_hate_crime"]
    out = tmp_path / "out"
    publish_manifest(raw, out, chosen)
    assert plan(raw, out, chosen, "latest").nothing_new
    cache = json.loads((out / incremental.HASH_CACHE).read_text())
    path = raw / "fbi_hate_crime" / zipped / "hate_crime.csv.zip"
    assert cache[str(path.resolve())][2] == incremental.snapshots.sha256_file(path)
    with zipfile.ZipFile(path) as archive:
        data = archive.read("hate_crime.csv")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hate_crime.csv", data + data.splitlines(keepends=True)[-1])
    again = plan(raw, out, chosen, "latest")
    assert again.reasons == {"fbi_hate_crime": f"raw files changed: {zipped}/hate_crime.csv.zip"}


def test_a_hash_the_planner_remembers_is_not_worked_out_again_for_processing(raw, tmp_path, monkeypatch):
    """Processing asks for each raw file's sha256 again (lineage, `sources`): a digest the
    planner took from OUT/.raw-hashes.json is the answer, the file is not read again."""
    out = tmp_path / "out"
    publish_manifest(raw, out)
    plan(raw, out, CHOSEN, "latest")  # learns the hashes
    monkeypatch.setattr(incremental.snapshots, "_SHA256", {})  # as in a new process
    read, original = [], incremental.snapshots.sha256_file
    monkeypatch.setattr(incremental.snapshots, "sha256_file", lambda p: read.append(p.name) or original(p))
    assert plan(raw, out, CHOSEN, "latest").nothing_new
    path = raw / "mmp" / "SAMPLE-2020-01-13" / "data.csv"
    assert incremental.snapshots.raw_sha256(path) == original(path) and read == []
    path.write_bytes(path.read_bytes() + b"\r\n")  # changed: worked out anew
    assert incremental.snapshots.raw_sha256(path) == original(path) and read == ["data.csv"]


def test_a_full_run_hashes_a_file_the_cache_would_vouch_for(raw, tmp_path, monkeypatch):
    """A file rewritten with the same size and time stamp keeps its remembered hash in a
    nightly plan; `--full` (enabled=False) works every hash out again, even in a process that
    remembers one, so the records' `raw_sha256` is the file's."""
    import os

    out = tmp_path / "out"
    publish_manifest(raw, out)
    plan(raw, out, CHOSEN, "latest")  # learns the hashes
    path = raw / "mmp" / "SAMPLE-2020-01-13" / "data.csv"
    stat, text = path.stat(), path.read_bytes()
    path.write_bytes(text[:-1] + (b"X" if text[-1:] != b"X" else b"Y"))  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time stamp
    truth = incremental.snapshots.sha256_file(path)
    monkeypatch.setattr(incremental.snapshots, "_SHA256", {})
    plan(raw, out, CHOSEN, "latest")
    assert incremental.snapshots.raw_sha256(path) != truth  # vouched for: the documented limit
    assert plan(raw, out, CHOSEN, "latest", enabled=False).process  # same process: still read
    assert incremental.snapshots.raw_sha256(path) == truth


@pytest.mark.parametrize("edit, expected", [
    (lambda m: m["definitions"].update({"pipelines/harmonize/maps/sex.csv": "0" * 64}),
     "mapping tables or schemas changed: pipelines/harmonize/maps/sex.csv"),
    (lambda m: m.update(code_version="0.0.9+0123456789ab"), "code changed (0.0.9+0123456789ab -> "),
    (lambda m: m["incremental"].update(code_hash="x", code_files={
        **m["incremental"]["code_files"], "pipelines/flows.py": "y"}),
     "code changed (uncommitted edits): pipelines/flows.py"),
    (lambda m: m["incremental"]["libraries"].update(pandas="2.2.0"), "library versions changed: pandas 2.2.0 -> "),
    (lambda m: m.update(snapshot_mode="all"), "snapshot mode changed (all -> latest)"),
    (lambda m: m.pop("incremental"), "the current release records no incremental fingerprint"),
])
def test_code_definitions_libraries_or_settings_reprocess_everything(raw, tmp_path, edit, expected):
    out = tmp_path / "out"
    publish_manifest(raw, out, edit=edit)
    again = plan(raw, out, CHOSEN, "latest")
    assert again.process == CHOSEN and again.reuse == []
    assert again.reasons["mmp"].startswith(expected), again.reasons["mmp"]


def test_full_run_reprocesses_everything(raw, tmp_path):
    out = tmp_path / "out"
    publish_manifest(raw, out)
    assert plan(raw, out, CHOSEN, "latest", enabled=False).process == CHOSEN


def test_a_source_with_failed_files_is_reprocessed(raw, tmp_path):
    out = tmp_path / "out"
    publish_manifest(raw, out, status="failed")
    assert "status failed" in plan(raw, out, CHOSEN, "latest").reasons["mmp"]


def test_an_edited_sidecar_reprocesses_its_source(raw, tmp_path):
    out = tmp_path / "out"
    publish_manifest(raw, out)
    sidecar = raw / "cbp_deaths" / "SAMPLE-2026-01-28" / "snapshot.json"
    meta = json.loads(sidecar.read_text())
    meta["period"]["end"] = "2026-01-31"
    sidecar.write_text(json.dumps(meta))
    assert plan(raw, out, CHOSEN, "latest").reasons == {"cbp_deaths": "snapshot metadata (sidecar) changed"}


def test_fewer_sources_on_disk_is_not_nothing_new(raw, tmp_path):
    out = tmp_path / "out"
    publish_manifest(raw, out)
    shutil.rmtree(raw / "cbp_deaths")
    again = plan(raw, out, CHOSEN, "latest")
    assert again.reuse == ["mmp"] and again.no_snapshot == ["cbp_deaths"] and not again.nothing_new


def test_previous_accounting_sums_the_manifest_rows(raw, tmp_path):
    manifest = publish_manifest(raw, tmp_path / "out")
    accounting = incremental.previous_accounting(manifest, "mmp")
    assert accounting["snapshots"] == ["SAMPLE-2020-01-13"]
    assert (accounting["rows_read"], accounting["rows_quarantined"]) == (10, 1)


def test_mark_reused_restores_ok_only_for_reused_sources():
    sources = pd.DataFrame({"source": ["mmp", "cbp_deaths"], "status": ["carried_forward"] * 2,
                            "carried_forward_from": ["R1", "R0"]})
    marked = mark_reused(sources, {"cbp_deaths"})
    assert marked["status"].tolist() == ["carried_forward", "ok"]
    assert marked["carried_forward_from"].tolist()[0] == "R1" and marked["carried_forward_from"].isna().tolist()[1]


def test_threads_asking_for_one_file_hash_it_once(tmp_path, monkeypatch):
    """Chunks of one file are harmonised in two threads, and each asks for its sha256: the
    file is read once, the other thread waits for that digest."""
    import threading
    import time

    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * 1000)
    read, original = [], incremental.snapshots.sha256_file
    monkeypatch.setattr(incremental.snapshots, "_SHA256", {})
    monkeypatch.setattr(incremental.snapshots, "sha256_file",
                        lambda p: read.append(p.name) or time.sleep(0.2) or original(p))
    digests = []
    threads = [threading.Thread(target=lambda: digests.append(incremental.snapshots.raw_sha256(path)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert read == ["big.csv"] and digests == [original(path)] * 2
