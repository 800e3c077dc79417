"""What every source module shares: the raw table it reads, and the bookkeeping that sends bad
rows to quarantine instead of dropping them (its metadata and contract: `source.py`)."""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa


@dataclass
class RawTable:
    """A file as published: every cell as text ("" where blank), plus what we detected."""

    path: Path
    frame: pd.DataFrame
    format_version: str
    raw_rows: np.ndarray  # row number a person sees in a spreadsheet (header = 1)
    short_rows: np.ndarray | None = None  # records with fewer fields than the header (truncated)
    # Facts about the whole file that a rule checking one chunk needs (read before the chunks
    # by the source module, e.g. GLOTIP's Total rows); None when the chunk is the whole file.
    file_facts: dict | None = None

    @property
    def name(self) -> str:
        return self.path.name


class RawFormatError(ValueError):
    """A raw file that cannot be read as any known format of its source."""

    def __init__(self, path: Path, message: str, row: int | None = None, column: str | None = None):
        where = f"{path}" + (f", row {row}" if row is not None else "") + (
            f", column {column!r}" if column else "")
        super().__init__(f"{where}: {message}")
        self.path, self.row, self.column = path, row, column


@functools.cache
def chunk_schema(model) -> pa.DataFrameSchema:
    """The schema a chunk of records is validated against: `model`'s, without its key
    uniqueness check. A chunk holds part of a file, so ids are made unique per file by the
    source module (and across chunks by `pipelines.sources.chunk_ids`), and the key is checked over
    the whole release table in DuckDB (`stats.tables.check_unique_records`)."""
    schema = copy.deepcopy(model.to_schema())  # to_schema() is cached: never edit it in place
    schema.unique = None
    return schema


QUARANTINE_COLUMNS = ["source", "snapshot", "file", "raw_row", "column", "check", "value", "reason"]


@dataclass
class Curation:
    """Collects rejected rows of one raw table, with the column, check and value that failed.

    A row may fail several checks; each failure is listed, but the row counts once.
    """

    raw: RawTable
    source: str
    snapshot: str
    rejected: np.ndarray = field(init=False)
    _entries: list[pd.DataFrame] = field(default_factory=list, init=False)
    # The record id of every raw row, for checks across the chunks of one file: set by
    # `curate.unique_ids` ("publisher", column, ids, reason) or `curate.record_ids` ("content").
    row_ids: tuple[str, str | None, pd.Series, str | None] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.rejected = np.zeros(len(self.raw.frame), dtype=bool)
        if self.raw.short_rows is not None and self.raw.short_rows.any():
            self.reject(self.raw.short_rows, self.raw.frame.columns[-1], "complete_record",
                        "the record has fewer fields than the header: the file is cut short "
                        "or the row is malformed")

    def reject(self, mask, column: str, check: str, reason: str) -> None:
        """Quarantine the rows under `mask`, naming the column and check that failed."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.rejected |= mask
        values = (self.raw.frame[column].to_numpy()[mask]
                  if column in self.raw.frame.columns else [""] * int(mask.sum()))
        self._entries.append(pd.DataFrame({
            "source": self.source,
            "snapshot": self.snapshot,
            "file": self.raw.name,
            "raw_row": self.raw.raw_rows[mask].astype("int64"),
            "column": column,
            "check": check,
            "value": [str(v)[:200] for v in values],
            "reason": reason,
        }))

    def reject_each(self, mask, column: str, check: str, reasons) -> None:
        """Quarantine the rows under `mask`, each with its own reason (`reasons`, one per
        masked row, in row order): one call however many rows, as `reject` is per reason."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        self.reject(mask, column, check, "")
        self._entries[-1]["reason"] = list(reasons)

    def quarantine(self) -> pd.DataFrame:
        """Every failure recorded so far, in the quarantine table's columns."""
        if not self._entries:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "raw_row" else "str")
                                 for c in QUARANTINE_COLUMNS})
        return pd.concat(self._entries, ignore_index=True)[QUARANTINE_COLUMNS]


@dataclass
class CuratedPart:
    """What a source module hands on for one raw file: its record tables (`deaths`, or
    `crimes` and `prosecutions`), quarantine and unmapped values."""

    tables: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame
    rows_read: int
    format_version: str
    unmapped: pd.DataFrame  # harmonisation misses: column, value, count
    row_ids: tuple | None = None  # `Curation.row_ids` of the file (for chunked reading)
    records_end: date | None = None  # where the records stop, as they show (`curate.records_end`)

    @property
    def records(self) -> pd.DataFrame:
        """All record rows of the file (one table for most sources)."""
        frames = [t for t in self.tables.values() if len(t)]
        if len(frames) <= 1:
            return frames[0] if frames else next(iter(self.tables.values()))
        return pd.concat(frames, ignore_index=True)

    @property
    def rows_quarantined(self) -> int:
        return int(self.quarantine["raw_row"].nunique()) if len(self.quarantine) else 0

    @property
    def rows_accepted(self) -> int:
        """Raw rows that became records (a wide row may become several records)."""
        return self.rows_read - self.rows_quarantined
