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
