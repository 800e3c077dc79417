"""Which published format a file is, told from its header, the raw-schema check, the reader of a
plain CSV source (`VersionedCsv`) and of a one-sheet workbook (`read_versioned_xlsx`), and a published column read under the internal name a source
module gives it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from pipelines.sources.base import RawFormatError, RawTable
from pipelines.sources.readers import cell_text, iter_csv_text, read_header, read_xlsx_rows, xlsx_table


def detect_format(path: Path, header: list[str], headers: dict[str, list[str]]) -> str:
    """The format version whose header has exactly these columns (order ignored).

    A header matching none fails loudly, naming the closest known version and the columns
    that are missing or new, so the person who updates the parser knows what changed."""
    seen = [h.strip() for h in header]
    for version, columns in headers.items():
        if set(seen) == set(columns):
            return version
    closest = max(headers, key=lambda v: len(set(seen) & set(headers[v])))
    missing = [c for c in headers[closest] if c not in seen]
    new = [c for c in seen if c not in headers[closest]]
    raise RawFormatError(path, f"header matches no known format; closest is {closest!r}: "
                         f"missing columns {missing}, new columns {new}", row=1)


def detect_wide_format(path: Path, header: list[str], headers: dict[str, list[str]],
                       is_period: Callable[[str], object], row: int | None = 1) -> str:
    """The format version of a wide table (fixed columns, then one column per year or month)
    whose header has exactly the version's fixed columns and some of the period columns the
    version is known to have (`headers`: its columns, periods included; a publisher's table
    or viewer may show a window of the series).

    A period the version never had (a year added to the table) is a new column: refused like
    any new format, naming the columns that are new or missing, so that no figure of a year
    the product never had is read before a person has looked at the file."""
    seen = [h.strip() for h in header]
    for version, columns in headers.items():
        fixed = [c for c in columns if not is_period(c)]
        periods = [c for c in seen if is_period(c)]
        if sorted(c for c in seen if not is_period(c)) == sorted(fixed) and periods \
                and set(periods) <= set(columns):
            return version
    closest = max(headers, key=lambda v: len(set(seen) & set(headers[v])))
    missing = [c for c in headers[closest] if not is_period(c) and c not in seen]
    new = [c for c in seen if c not in headers[closest]]
    known = [c for c in headers[closest] if is_period(c)]
    span = f" (known: {known[0]} to {known[-1]})" if known else ""
    raise RawFormatError(path, f"header matches no known format; closest is {closest!r}: "
                         f"missing columns {missing}, new columns {new}{span}. A new format? "
                         f"Check the file, then add its columns to schemas/raw", row=row)


def validate_raw(raw: RawTable, schema: pa.DataFrameSchema) -> None:
    """Check a text table against its strict raw schema; every failure is reported at once."""
    raw.frame.columns = [c.strip() for c in raw.frame.columns]
    try:
        schema.validate(raw.frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        summary = "; ".join(f"{r.column}: {r.check} ({r.failure_case})"
                            for r in cases.head(10).itertuples())
        raise RawFormatError(raw.path, f"raw schema {schema.name} failed: {summary}") from exc


def read_versioned_csv(path: Path, headers: dict[str, list[str]],
                       schemas: dict[str, pa.DataFrameSchema],
                       encodings: tuple[str, ...] = ("utf-8-sig",)) -> RawTable:
    """A CSV read as text, its format told from its header and checked against that raw schema."""
    return next(iter_versioned_csv(path, headers, schemas, sys.maxsize, encodings))


def iter_versioned_csv(path: Path, headers: dict[str, list[str]],
                       schemas: dict[str, pa.DataFrameSchema], rows: int,
                       encodings: tuple[str, ...] = ("utf-8-sig",)) -> Iterator[RawTable]:
    """`read_versioned_csv` in chunks of up to `rows` records (a file only the exact reader
    takes comes whole), each checked against the raw schema of the format told from the
    header."""
    version = detect_format(path, read_header(path, encodings), headers)
    for raw in iter_csv_text(path, version, encodings, rows):
        validate_raw(raw, schemas[version])
        yield raw


def read_versioned_xlsx(path: Path, headers: dict[str, list[str]],
                        schemas: dict[str, pa.DataFrameSchema]) -> RawTable:
    """A workbook's first sheet as text, its header in row 1, its format told from that header
    and checked against that raw schema."""
    rows = read_xlsx_rows(path)
    header = [cell_text(c) for c in (rows[0] if rows else ())]
    version = detect_format(path, [h for h in header if h], headers)
    raw = xlsx_table(path, rows, 0, version)
    validate_raw(raw, schemas[version])
    return raw


@dataclass(frozen=True)
class VersionedCsv:
    """The reader of a source published as plain CSV: the format version told from the header
    row, the file checked against that version's raw schema; whole or in chunks."""

    headers: dict[str, list[str]]
    schemas: dict[str, pa.DataFrameSchema]
    encodings: tuple[str, ...] = ("utf-8-sig",)

    def read(self, path: Path) -> RawTable:
        """The file as text, checked against its raw schema."""
        return read_versioned_csv(path, self.headers, self.schemas, self.encodings)

    def read_chunks(self, path: Path, rows: int) -> Iterator[RawTable]:
        """`read` in chunks of up to `rows` records (a CSV larger than memory)."""
        yield from iter_versioned_csv(path, self.headers, self.schemas, rows, self.encodings)


def mapped_column(raw: RawTable, column_maps: dict[str, dict[str, str]], name: str) -> pd.Series:
    """A published column under its internal name, or blanks where the format lacks it."""
    published = column_maps[raw.format_version].get(name)
    if published is None:
        return pd.Series("", index=raw.frame.index, dtype="str")
    return raw.frame[published].astype("str")
