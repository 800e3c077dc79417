"""One public table as files: Parquet and CSV (and XLSX for `harmstats export`).

The Parquet file is written by pyarrow frame by frame (`stored.write_parquet`); the CSV is
DuckDB's `COPY` of that Parquet file (or of a frame), which reads and writes it a batch at a
time: a table stored on disk is never held whole.

CSV files are UTF-8 with a byte-order mark (spreadsheets then read accents correctly) and CRLF
line ends (RFC 4180). Text is quoted where it must be (a comma, a quote or a line break in it)
and an empty text as `""`; booleans are `True`/`False`; nulls are empty cells. No cell can run
as a formula: text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
leading single quote. Numeric columns are written as numbers, untouched.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from pipelines.sql import sql_name, sql_text
from pipelines.stored import frame_to_arrow, limit_memory

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def write_csv(frame: pd.DataFrame, path: Path, con: duckdb.DuckDBPyConnection | None = None) -> None:
    """A frame as a CSV file (the module's docstring says how), through `con` (a
    `csv_connection`) or a connection of its own."""
    with _reuse(con) as con:
        con.register("frame_rows", frame_to_arrow(frame))
        try:
            _copy_csv(con, "frame_rows", path, [str(c) for c in frame.columns])
        finally:
            con.unregister("frame_rows")


def parquet_to_csv(parquet: Path, path: Path, con: duckdb.DuckDBPyConnection | None = None) -> None:
    """A Parquet file as a CSV file, its columns in order, streamed batch by batch (through
    `con` or a connection of its own, as `write_csv`)."""
    with _reuse(con) as con:
        _copy_csv(con, f"read_parquet({sql_text(parquet)})", path, pq.read_schema(parquet).names)


@contextmanager
def csv_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection for writing CSV files (opening one costs some 20 ms: the extracts
    share one), held to the memory limit and spilling, if ever, into a folder of its own that
    goes with it: never into the extracts folder or the working directory."""
    with tempfile.TemporaryDirectory(prefix="harmstats-csv-") as spill:
        con = limit_memory(duckdb.connect())
        try:
            con.execute(f"SET temp_directory = {sql_text(spill)}")
            yield con
        finally:
            con.close()


@contextmanager
def _reuse(con: duckdb.DuckDBPyConnection | None) -> Iterator[duckdb.DuckDBPyConnection]:
    if con is not None:
        yield con
    else:
        with csv_connection() as own:
            yield own


def _copy_csv(con: duckdb.DuckDBPyConnection, relation: str, path: Path, columns: list[str]) -> None:
    """COPY `relation` (whose columns are `columns`) to `path` as a CSV (formulas
    neutralised), the byte-order mark first.

    DuckDB's COPY writes no byte-order mark and refuses a PREFIX beside a header: the mark
    goes in as the first character of the first column's name (a name DuckDB does not quote,
    so the mark is the file's first character)."""
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    labels = [name for name, *_ in described]
    if labels != list(columns):  # DuckDB renames names equal but for case: `a`, `A` -> `a`, `A_1`
        raise ValueError(f"{path.name}: columns {columns} would be written as {labels}")
    if any(c in labels[0] for c in ',"\r\n'):
        raise ValueError(f"{labels[0]!r}: DuckDB quotes this name, so it cannot carry the BOM")
    labels[0] = BOM + labels[0]
    cells = [f"{guarded(name, kind)} AS {sql_name(label)}"
             for (name, kind, *_), label in zip(described, labels)]
    # PRESERVE_ORDER: without it DuckDB 2.0 may write the row groups of a projection like
    # this one out of order when it runs on more than one thread
    con.execute(f"COPY (SELECT {', '.join(cells)} FROM {relation}) TO {sql_text(path)} "
                "(FORMAT csv, HEADER, NEW_LINE '\\r\\n', PRESERVE_ORDER true)")


def guarded(name: str, kind: str) -> str:
    """SQL giving column `name` (of DuckDB type `kind`) as written to a CSV: a text that a
    spreadsheet would run as a formula with a leading single quote; a boolean as `True` or
    `False`; other types as they are."""
    column = sql_name(name)
    if kind == "BOOLEAN":  # spelt as pandas and Python do: the extracts' bytes stay as they were
        return f"CASE WHEN {column} THEN 'True' WHEN NOT {column} THEN 'False' END"
    if kind != "VARCHAR":
        return column
    starts = ", ".join(sql_text(c) for c in FORMULA_START)
    return f"CASE WHEN left({column}, 1) IN ({starts}) THEN '''' || {column} ELSE {column} END"


def neutralised(value):
    """A cell value as written to a workbook: text that would run as a formula with a leading
    single quote; anything else as it is."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def write_xlsx(frame: pd.DataFrame, path: Path, readme: str, sheet: str) -> None:
    """The data on one sheet (formulas neutralised, text cells stored as text) and the README
    on a second sheet."""
    from openpyxl import Workbook

    book = Workbook()
    data = book.active
    data.title = sheet[:31]
    data.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        values = []
        for value in row:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                values.append(None)
            else:
                values.append(neutralised(value.item() if hasattr(value, "item") else value))
        data.append(values)
    for cells in data.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    notes = book.create_sheet("README")
    for number, line in enumerate(readme.splitlines(), start=1):
        cell = notes.cell(row=number, column=1, value=line)
        cell.data_type = "s"
    notes.column_dimensions["A"].width = 120
    book.save(path)
