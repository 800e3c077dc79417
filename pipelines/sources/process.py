"""Run one source over its selected snapshots: read, harmonise, write parts to a work folder.

A failure in one file is recorded with its message and does not stop the others; what is
handed on is small (paths and counts), never frames.
"""

from __future__ import annotations

import fnmatch
import shutil
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines import snapshots
from pipelines.concurrency import in_threads
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.settings import active
from pipelines.sources.base import RawFormatError, RawTable
from pipelines.sources.chunk_ids import id_frame, settle_ids
from pipelines.sources.names import name_hashes
from pipelines.sources.readers import RereadWhole
from pipelines.sources.registry import SOURCES
from pipelines.sources.source import Source
from pipelines.stored import repeated_keys


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
    records_end: str | None = None  # where the records stop, as they show (ISO date)
    parts: dict[str, str] | None = None  # table name -> parquet path in the work folder
    warnings: list[str] = field(default_factory=list)  # read, but something needs a person

    def to_dict(self) -> dict:
        return asdict(self)


def files_to_read(snapshot: snapshots.Snapshot, patterns: tuple[str, ...]) -> tuple[list[Path], list[Path]]:
    """(files the module reads, other files in the folder) of one snapshot."""
    files = snapshot.data_files()
    wanted = [f for f in files if any(fnmatch.fnmatch(f.name.lower(), p) for p in patterns)]
    return wanted, [f for f in files if f not in wanted]


def raw_chunks(source: Source, path: Path) -> Iterator[RawTable]:
    """The raw table of a file, in chunks of HARMSTATS_CHUNK_ROWS records (bounding the memory
    of processing one file, whatever its size) where its source reads it so, else whole."""
    if source.read_raw_chunks is None:
        yield source.read_raw(path)
    else:
        yield from source.read_raw_chunks(path, active().chunk_rows)


def process_file(source: Source, snapshot: snapshots.Snapshot, path: Path, work_dir: Path) -> FileResult:
    """Read and harmonise one raw file; write its records, quarantine and unmapped values."""
    result = read_file(source, snapshot, path, work_dir)
    mismatch = snapshots.sidecar_mismatch(snapshot, path)
    if mismatch:
        result.warnings.append(mismatch)
    return result


def read_file(source: Source, snapshot: snapshots.Snapshot, path: Path, work_dir: Path) -> FileResult:
    """`process_file` without the provenance check."""
    result = FileResult(source=source.id, snapshot=snapshot.name, file=path.name, status="ok")
    # One folder per raw file: an abandoned chunked read is removed whole, and no other
    # file's parts can be caught by it.
    target = work_dir / source.id / snapshot.name / path.name.replace(" ", "_")
    try:
        try:
            written = write_chunks(source, snapshot, path, target, raw_chunks(source, path))
        except RereadWhole:  # Arrow refused a late record: read it again whole, exactly
            written = write_chunks(source, snapshot, path, target, iter([source.read_raw(path)]))
    except RawFormatError as exc:
        result.status, result.error = "failed", str(exc)
        return result
    except Exception as exc:  # a bug or an unforeseen format: report it, keep other files going
        result.status = "failed"
        result.error = f"{path}: {exc.__class__.__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        return result
    result.parts = {name: paths[0] if len(paths) == 1 else paths for name, paths in written.parts.items()}
    result.format_version = written.format_version
    result.rows_read = written.rows_read
    result.rows_quarantined = written.rows_quarantined
    result.rows_accepted = written.rows_read - written.rows_quarantined
    result.rows_flagged = written.rows_flagged
    result.records_end = written.records_end.isoformat() if written.records_end else None
    return result


# Parts a file leaves beside its record tables.
NOT_RECORDS = ("quarantine", "names", "ids")


@dataclass
class ChunkResult:
    """What one harmonised chunk left in the work folder (its frames are not kept)."""

    parts: list[tuple[str, str]]  # (table, parquet path), in the order written
    unmapped: pd.DataFrame
    format_version: str
    rows_read: int
    rows_quarantined: int
    rows_flagged: int
    row_ids: tuple | None  # (kind, column, None, reason): the ids themselves are in the `ids` part
    records_end: date | None = None


@dataclass
class Written:
    """What the chunks of one file left in the work folder, and their row accounting."""

    parts: dict[str, list[str]] = field(default_factory=dict)
    format_version: str | None = None
    rows_read: int = 0
    rows_quarantined: int = 0
    rows_flagged: int = 0
    row_ids: tuple | None = None
    records_end: date | None = None  # the latest of its chunks'

    def add(self, name: str, frame: pd.DataFrame, path: Path) -> None:
        frame.to_parquet(path, index=False)
        self.parts.setdefault(name, []).append(str(path))

    def absorb(self, chunk: ChunkResult) -> None:
        """Count a chunk in, its parts after those of the chunks before it."""
        for name, path in chunk.parts:
            self.parts.setdefault(name, []).append(path)
        self.format_version = chunk.format_version
        self.rows_read += chunk.rows_read
        self.rows_quarantined += chunk.rows_quarantined
        self.rows_flagged += chunk.rows_flagged
        self.row_ids = chunk.row_ids or self.row_ids
        if chunk.records_end is not None:
            self.records_end = max(self.records_end or chunk.records_end, chunk.records_end)


def harmonise_chunk(source: Source, snapshot: snapshots.Snapshot, raw: RawTable, number: int,
                    stem: str, target: Path) -> ChunkResult:
    """Harmonise one chunk and write its parts (`<file>.<table>[.<n>].parquet`)."""
    part = source.to_curated(raw, snapshot)
    suffix = "" if number == 0 else f".{number}"
    frames = []
    for name, frame in part.tables.items():  # in row order, as the release keeps them
        if not in_record_order(frame):
            frame = frame.sort_values(["raw_row", "record_id"], ignore_index=True, kind="stable")
        frames.append((name, frame))
    frames.append(("quarantine", part.quarantine))
    frames.append(("names", pd.DataFrame({"name_hash": pd.Series(
        name_hashes(raw.frame, source.spec.name_columns + source.spec.free_text_columns),
        dtype="str")})))
    row_ids = None
    if part.row_ids is not None:
        frames.append(("ids", id_frame(part.row_ids, raw, number)))
        kind, column, _, reason = part.row_ids
        row_ids = (kind, column, None, reason)
    parts = []
    for name, frame in frames:
        out = target / f"{stem}.{name}{suffix}.parquet"
        frame.to_parquet(out, index=False)
        parts.append((name, str(out)))
    return ChunkResult(parts=parts, unmapped=part.unmapped, format_version=part.format_version,
                       rows_read=part.rows_read, rows_quarantined=part.rows_quarantined,
                       rows_flagged=sum(int((t["flags"] != "").sum()) for t in part.tables.values()
                                        if "flags" in t),
                       row_ids=row_ids, records_end=part.records_end)


def in_record_order(frame: pd.DataFrame) -> bool:
    """Whether records are sorted by (raw_row, record_id) already, each pair once (several
    records of one raw row, as the FBI incident and its offender record, in id order)."""
    rows = frame["raw_row"]
    if not rows.is_monotonic_increasing:
        return False
    if rows.is_unique:
        return True
    values = rows.to_numpy()
    same = np.flatnonzero(values[1:] == values[:-1])
    ids = frame["record_id"].to_numpy(dtype=object)
    try:
        return all(bool(a < b) for a, b in zip(ids[same], ids[same + 1]))
    except TypeError:  # a missing id: let the sort place it
        return False


def write_chunks(source: Source, snapshot: snapshots.Snapshot, path: Path, target: Path,
                 chunks: Iterator[RawTable]) -> Written:
    """Harmonise the chunks (up to HARMSTATS_CHUNK_WORKERS at once, each in its own thread:
    Arrow's parsing, compute kernels and Parquet writing release the GIL, so a second core does
    real work; the next one parsed meanwhile) and write their parts; then settle the id rules
    that span chunks and merge the unmapped counts."""
    stem = path.name.replace(" ", "_")
    shutil.rmtree(target, ignore_errors=True)  # the parts of an abandoned chunked read
    target.mkdir(parents=True)
    written = Written()
    # At most chunk_workers chunks are held by threads, plus the one being parsed.
    done = list(in_threads(lambda numbered: harmonise_chunk(source, snapshot, numbered[1], numbered[0],
                                                            stem, target),
                           enumerate(chunks), active().chunk_workers))
    for chunk in done:
        written.absorb(chunk)
    if len(done) > 1 and written.row_ids is not None:
        settle_across_chunks(written, snapshot, path, target)
    check_file_keys(written, path)
    merged = UnmappedLog.of_frames(c.unmapped for c in done).frame().assign(
        source=snapshot.source, snapshot=snapshot.name, file=path.name)
    written.add("unmapped", merged, target / f"{stem}.unmapped.parquet")
    written.parts.pop("ids", None)
    return written


def check_file_keys(written: Written, path: Path) -> None:
    """A record id repeated within the file is a bug of its source module (ids are made
    unique per file): the file fails, and its source is carried forward from the last
    release, rather than the whole release being blocked."""
    con = duckdb.connect()
    try:
        for name, paths in written.parts.items():
            if name in NOT_RECORDS:
                continue
            repeated = repeated_keys(con, paths, ["record_id"])
            if repeated:
                raise ValueError(f"{path}: {name} record ids repeat within the file (a bug of the "
                                 f"source module), e.g. {repeated}")
    finally:
        con.close()


def settle_across_chunks(written: Written, snapshot: snapshots.Snapshot, path: Path, target: Path) -> None:
    """File-wide id rules over the chunks (`chunk_ids`); repeats found there are quarantined
    and the accounting recounted."""
    records = {n: p for n, p in written.parts.items() if n not in NOT_RECORDS}
    extra = settle_ids(written.row_ids, written.parts["ids"], records, written.parts["quarantine"],
                       (snapshot.source, snapshot.name, path.name), target)
    if extra.empty:
        return
    stem = path.name.replace(" ", "_")
    written.add("quarantine", extra, target / f"{stem}.quarantine.across_chunks.parquet")
    rows = set()
    for part in written.parts["quarantine"]:
        rows |= set(pd.read_parquet(part, columns=["raw_row"])["raw_row"])
    written.rows_quarantined = len(rows)
    written.rows_flagged = sum(int((pd.read_parquet(p, columns=["flags"])["flags"] != "").sum())
                               for paths in records.values() for p in paths)


def process_source(source_id: str, raw_dir: Path, snapshot_mode: str, work_dir: Path) -> dict:
    """Process the selected snapshots of one source. Returns a JSON-able summary."""
    source = SOURCES[source_id]
    found = snapshots.discover(raw_dir, source)
    chosen = snapshots.select(found, snapshot_mode)
    results, ignored = [], []
    for snap in chosen:
        wanted, others = files_to_read(snap, source.file_patterns)
        ignored += [f"{source_id}/{snap.name}/{f.name}" for f in others]
        links = snap.links_out()
        if snap.refused or links:  # one row for the snapshot: its rows name no file
            results.append(FileResult(source_id, snap.name, "", "failed", error=snap.refused or (
                f"{snap.folder}: {', '.join(p.name for p in links)} "
                f"{'leads' if len(links) == 1 else 'lead'} outside the raw folder "
                f"{snapshots.raw_root(snap.folder)}: refused unread{snapshots.LINK_HINT}")))
        elif not wanted:
            results.append(FileResult(source_id, snap.name, "", "failed",
                                      error=f"{snap.folder}: no file matching {source.file_patterns}"))
        elif len(wanted) > 1 and source.one_file_per_snapshot:
            results.append(FileResult(source_id, snap.name, "", "failed", error=(
                f"{snap.folder}: holds {', '.join(p.name for p in wanted)}, but a snapshot of "
                f"{source_id} is one file (the same release in two formats would be counted "
                "twice): keep one")))
            continue
        for path in wanted:
            results.append(process_file(source, snap, path, work_dir))
    return {
        "source": source_id,
        "snapshots_found": [s.name for s in found],
        "snapshots_selected": [s.name for s in chosen],
        "files": [r.to_dict() for r in results],
        "ignored_files": ignored,
    }


def part_paths(summaries: list[dict], kind: str) -> list[str]:
    """Parquet parts of `kind` (a record table, quarantine, unmapped, names) written by the
    files of these summaries that were read."""
    return [p for s in summaries for f in s["files"] for p in part_list((f.get("parts") or {}).get(kind))]


def read_parts(summaries: list[dict], kind: str) -> pd.DataFrame:
    """Concatenate the `kind` parts of successful files."""
    frames = [pd.read_parquet(p) for p in part_paths(summaries, kind)]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def part_list(parts: str | list[str] | None) -> list[str]:
    """A part entry as a list of paths (a file read in chunks has one part per chunk)."""
    if parts is None:
        return []
    return [parts] if isinstance(parts, str) else list(parts)
