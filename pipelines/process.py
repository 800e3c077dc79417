"""Run one source over its selected snapshots: read, harmonise, write parts to a work folder.

A failure in one file is recorded with its message and does not stop the others; what is
handed on is small (paths and counts), never frames.
"""

from __future__ import annotations

import fnmatch
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from pipelines import snapshots
from pipelines.registry import SOURCES
from pipelines.sources.base import RawFormatError


@dataclass
class FileResult:
    """What happened to one raw file."""

    source: str
    snapshot: str
    file: str
    status: str  # ok | failed
    error: str | None = None
    format_version: str | None = None
    rows_read: int | None = None
    rows_accepted: int | None = None
    rows_quarantined: int | None = None
    rows_flagged: int | None = None
    parts: dict[str, str] | None = None  # table name -> parquet path in the work folder

    def to_dict(self) -> dict:
        return asdict(self)


def files_to_read(snapshot: snapshots.Snapshot, patterns: tuple[str, ...]) -> tuple[list[Path], list[Path]]:
    """(files the module reads, other files in the folder) of one snapshot."""
    files = snapshot.data_files()
    wanted = [f for f in files if any(fnmatch.fnmatch(f.name.lower(), p) for p in patterns)]
    return wanted, [f for f in files if f not in wanted]


def process_file(source_id: str, snapshot: snapshots.Snapshot, path: Path, work_dir: Path) -> FileResult:
    """Read and harmonise one raw file; write its records, quarantine and unmapped values."""
    module = SOURCES[source_id]
    result = FileResult(source=source_id, snapshot=snapshot.name, file=path.name, status="ok")
    try:
        raw = module.read_raw(path)
        part = module.to_curated(raw, snapshot)
    except RawFormatError as exc:
        result.status, result.error = "failed", str(exc)
        return result
    except Exception as exc:  # a bug or an unforeseen format: report it, keep other files going
        result.status = "failed"
        result.error = f"{path}: {exc.__class__.__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        return result
    target = work_dir / source_id / snapshot.name
    target.mkdir(parents=True, exist_ok=True)
    stem = path.name.replace(" ", "_")
    unmapped = part.unmapped.assign(source=source_id, snapshot=snapshot.name, file=path.name)
    names = pd.DataFrame({"name_hash": name_hashes(raw.frame, module.SOURCE.name_columns)})
    result.parts = {}
    for name, frame in {**part.tables, "quarantine": part.quarantine, "unmapped": unmapped,
                        "names": names}.items():
        out = target / f"{stem}.{name}.parquet"
        frame.to_parquet(out, index=False)
        result.parts[name] = str(out)
    result.format_version = part.format_version
    result.rows_read = part.rows_read
    result.rows_accepted = part.rows_accepted
    result.rows_quarantined = part.rows_quarantined
    result.rows_flagged = sum(int((t["flags"] != "").sum()) for t in part.tables.values()
                              if "flags" in t)
    return result


PLACEHOLDER_NAMES = {"", "unknown", "unkown", "unidentified", "n/a", "na", "none", "redacted",
                     "[name not released]", "name not released", "n.n.", "nn"}


def name_hash(value: str) -> str:
    """A one-way fingerprint of a personal name (names themselves never leave data/raw)."""
    import hashlib

    return hashlib.sha256(" ".join(str(value).split()).casefold().encode("utf-8")).hexdigest()


def name_hashes(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """Fingerprints of the distinct real names in a raw table's name columns."""
    values = set()
    for column in columns:
        if column in frame.columns:
            values |= {v for v in frame[column].astype("str")
                       if " ".join(v.split()).casefold() not in PLACEHOLDER_NAMES and len(v.strip()) > 3}
    return sorted(name_hash(v) for v in values)


def process_source(source_id: str, raw_dir: Path, snapshot_mode: str, work_dir: Path) -> dict:
    """Process the selected snapshots of one source. Returns a JSON-able summary."""
    module = SOURCES[source_id]
    found = snapshots.discover(raw_dir, source_id)
    chosen = snapshots.select(found, snapshot_mode)
    results, ignored = [], []
    for snap in chosen:
        wanted, others = files_to_read(snap, module.FILE_PATTERNS)
        ignored += [f"{source_id}/{snap.name}/{f.name}" for f in others]
        if not wanted:
            results.append(FileResult(source_id, snap.name, "", "failed",
                                      error=f"{snap.folder}: no file matching {module.FILE_PATTERNS}"))
        for path in wanted:
            results.append(process_file(source_id, snap, path, work_dir))
    return {
        "source": source_id,
        "snapshots_found": [s.name for s in found],
        "snapshots_selected": [s.name for s in chosen],
        "files": [r.to_dict() for r in results],
        "ignored_files": ignored,
    }


def read_parts(summaries: list[dict], kind: str) -> pd.DataFrame:
    """Concatenate the `kind` parts (a record table, quarantine, unmapped) of successful files."""
    paths = [f["parts"][kind] for s in summaries for f in s["files"] if kind in (f.get("parts") or {})]
    frames = [pd.read_parquet(p) for p in paths]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
