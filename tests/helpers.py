"""Helpers the per-source tests share: a snapshot folder holding one hand-written file, a file
read and curated by its source module, and the checks every source must pass."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pandas as pd

from pipelines import snapshots
from pipelines.stats.cases import STREAMS, case_stats
from tests.conftest import real_snapshot


def write_snapshot(tmp_path: Path, module: ModuleType, name: str, file_name: str, data: bytes,
                   period: tuple[str, str], kind: str = "full"):
    """A snapshot folder of the module's source holding one file with these bytes, and its
    sidecar; returns the loaded snapshot and the file's path."""
    source = module.SOURCE.id
    folder = tmp_path / source / name
    folder.mkdir(parents=True)
    (folder / file_name).write_bytes(data)
    sidecar = {"source": source, "snapshot": name, "kind": kind,
               "product": module.SOURCE.product,
               "period": {"start": period[0], "end": period[1]},
               "files": snapshots.describe_files(folder)}
    (folder / snapshots.SIDECAR).write_text(json.dumps(sidecar), encoding="utf-8")
    return snapshots.load_snapshot(folder, module.SOURCE), folder / file_name


def curate(module: ModuleType, snap, path: Path):
    """The raw table of one file and what the source module curates from it."""
    raw = module.SOURCE.read_raw(path)
    return raw, module.SOURCE.to_curated(raw, snap)


def curate_samples(tmp_path: Path, module: ModuleType, write_samples) -> list[tuple]:
    """The generated sample snapshots of the module's source, oldest first, each as (snapshot,
    its one file, raw table, curated part)."""
    write_samples(tmp_path)
    found = []
    for snap in snapshots.discover(tmp_path, module.SOURCE):
        (path,) = snap.data_files()
        found.append((snap, path, *curate(module, snap, path)))
    return found


def curate_real(real_dir: Path, module: ModuleType, name: str):
    """A real snapshot holding one file (skipped when absent), its raw table and curated part."""
    snap = real_snapshot(real_dir, module.SOURCE.id, name)
    (path,) = snap.data_files()
    return (snap, *curate(module, snap, path))


def cells(frame: pd.DataFrame) -> list[str]:
    """Every cell of a table as text (nulls included, as their text)."""
    return [str(v) for v in frame.to_numpy().ravel()]


def assert_no_names(names: set[str], records: pd.DataFrame) -> None:
    """No name is a curated cell, and no name of five letters or more hides inside one."""
    texts = cells(records)
    assert not names & set(texts)
    blob = "\x1f".join(texts)
    assert not [n for n in names if len(n) >= 5 and n in blob]


def assert_rows_reconcile(part, where: str = "") -> None:
    """Every row read is either accepted or quarantined, none dropped."""
    assert part.rows_read == len(part.records) + part.rows_quarantined, where


def assert_rows_to_records(part) -> None:
    """Rows read = accepted + quarantined, and the accepted rows are the raw rows the records
    come from (a source that writes several records per row)."""
    assert part.rows_read == part.rows_accepted + part.rows_quarantined
    assert part.records["raw_row"].nunique() == part.rows_accepted


def crimes_stats_of(part, snap) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The crimes statistics of one curated part (its snapshot the latest) and their problems."""
    info = pd.DataFrame({"source": [snap.source], "snapshot": [snap.name], "is_latest": [True],
                         "period_end": [pd.Timestamp(snap.period_end)]})
    return case_stats(part.records, "crimes", {snap.source: False}, info)


def crimes_cell(stats: pd.DataFrame, year: int, **dims) -> pd.DataFrame:
    """The rows of one crimes statistics cell (dimensions not named are `all`)."""
    rows = stats[stats["year"] == year]
    for dim in STREAMS["crimes"]["dims"]:
        rows = rows[rows[dim] == dims.get(dim, "all")]
    return rows


def crimes_value(stats: pd.DataFrame, year: int, **dims) -> int | None:
    """The value of one crimes statistics cell, None where there is no such cell."""
    rows = crimes_cell(stats, year, **dims)
    assert len(rows) <= 1, rows
    return None if rows.empty else int(rows["value"].iloc[0])
