"""One public table as files: CSV, Parquet and (for `harmstats export`) XLSX, written frame by
frame so a table stored on disk is never held whole.

CSV files are UTF-8 with a byte-order mark (spreadsheets then read accents correctly), and no
cell can run as a formula: text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
gets a leading single quote. Numeric columns are written as numbers, untouched.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pipelines.stored import frame_to_arrow

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, prefixed with a single quote.
    Numbers, booleans and dates are left as they are."""
    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) \
                or pd.api.types.is_datetime64_any_dtype(series):
            continue
        text = series.astype("string")
        risky = text.str.startswith(FORMULA_START).fillna(False).astype(bool)
        if risky.any():
            frame[column] = series.astype(object).where(~risky, "'" + text.astype(object))
    return frame


CSV_SLICE_ROWS = 262_144
# Bytes `csv.writer` (QUOTE_MINIMAL, CRLF line terminator) quotes a cell for: the delimiter,
# the quote character and those of the line terminator.
_QUOTE_BYTES = np.frombuffer(b',"\r\n', dtype=np.uint8)
_FORMULA_BYTES = np.frombuffer("".join(FORMULA_START).encode(), dtype=np.uint8)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with a byte-order mark, formulas neutralised, nulls as empty cells; CRLF line
    ends (RFC 4180), so a cell holding a line break is quoted.

    The bytes are those of `neutralise(frame).to_csv(path, index=False, encoding="utf-8-sig",
    lineterminator="\\r\\n")`. A frame whose columns are all text, integers, booleans or
    floats is formatted column by column in Arrow instead (many times faster on large
    tables); any other frame's rows go through pandas."""
    if not _plain_csv(path, frame.columns):
        neutralise(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        return
    with CsvParts(path, list(frame.columns)) as out:
        out.write(frame)


class CsvParts:
    """A CSV file written frame by frame (frames with the same columns, at least two, all
    named by text): the header once, then each frame's rows, the bytes `write_csv` writes
    for the frames' concatenation. (Rows of a column type left to pandas, such as dates, are
    formatted frame by frame: pandas may pick a different date format for each.)"""

    def __init__(self, path: Path, columns: list[str]):
        self.path = path
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow(columns)
        self.out = open(path, "wb")
        self.out.write(b"\xef\xbb\xbf" + header.getvalue().encode("utf-8"))

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of `frame`."""
        if not len(frame):
            return
        cells = _csv_cells(frame, self.path)
        if cells is None:
            self.out.write(neutralise(frame).to_csv(index=False, header=False, lineterminator="\r\n")
                           .encode("utf-8"))
        elif not any(quoted for _, quoted in cells):
            # Arrow's writer, told never to quote, joins the cells as they are.
            table = pa.table([c for c, _ in cells], names=[f"c{i}" for i in range(len(cells))])
            pa_csv.write_csv(table, self.out, pa_csv.WriteOptions(
                include_header=False, eol="\r\n", quoting_style="none"))
        else:
            _write_joined(self.out, cells, len(frame))

    def close(self) -> None:
        self.out.close()

    def __enter__(self) -> CsvParts:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _write_joined(out, cells: list[tuple[pa.Array, bool]], rows: int) -> None:
    """Rows of cells (some quoted) joined with commas and CRLF, a slice of rows at a time."""
    text = pa.large_string()
    comma, crlf, empty = (pa.scalar(t, text) for t in (",", "\r\n", ""))
    for start in range(0, rows, CSV_SLICE_ROWS):
        part = [c.slice(start, CSV_SLICE_ROWS) for c, _ in cells]
        lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*part, comma), empty, crlf)
        offsets, data = _text_buffers(lines)
        out.write(memoryview(data)[int(offsets[0]):int(offsets[-1])])


def _plain_csv(path, columns) -> bool:
    """Whether a CSV to `path` with `columns` is written here rather than wholly by pandas."""
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path).lower().endswith(".csv"):
        return False  # pandas would compress a .gz/.zip/... path or write to a buffer
    # pandas writes a row of one empty cell as `""`
    return len(columns) >= 2 and all(isinstance(c, str) for c in columns)


def _csv_cells(frame: pd.DataFrame, path) -> list[tuple[pa.Array, bool]] | None:
    """Each column of `frame` as the text of its CSV cells (null-free large strings, quoted
    where `csv.writer` quotes) as `neutralise` and `DataFrame.to_csv` write them, and whether
    any cell of it is quoted; None when a column's type is not one formatted here."""
    if not _plain_csv(path, frame.columns):
        return None
    cells = []
    for _, series in frame.items():
        column = _csv_column(series)
        if column is None:
            return None
        cells.append(column)
    return cells


def _csv_column(series: pd.Series) -> tuple[pa.Array, bool] | None:
    """One column's cells, as `_csv_cells`; None for a type left to pandas."""
    dtype, text = series.dtype, pa.large_string()
    numpy = isinstance(dtype, np.dtype)
    if numpy and dtype.kind == "b" or isinstance(dtype, pd.BooleanDtype):
        # to_csv writes str() of each bool
        values = _arrow(pa.array(series, type=pa.bool_(), from_pandas=True))
        return pc.if_else(values, pa.scalar("True", text), pa.scalar("False", text)).fill_null(""), False
    if numpy and dtype.kind in "iu" or isinstance(series.array, pd.arrays.IntegerArray):
        # str() of each int: Arrow writes integers in the same decimal form
        values = _arrow(pa.array(series, from_pandas=True))
        return pc.cast(values, text).fill_null(""), False
    if numpy and dtype.kind == "f":
        # to_csv writes numpy's `astype(str)` of floats (no comma, quote or line break)
        values = series.to_numpy()
        strings = values.astype(str).astype(object)
        strings[np.isnan(values)] = ""
        return pa.array(strings, type=text), False
    if isinstance(dtype, pd.StringDtype) or (
            dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")):
        values = _arrow(pa.array(series, type=None if isinstance(dtype, pd.StringDtype) else pa.string(),
                                 from_pandas=True))
        values = pc.cast(values, text)
        if values.null_count:
            values = values.fill_null("")
        offsets, data = _text_buffers(values)
        data = np.frombuffer(data, dtype=np.uint8)
        filled = offsets[1:] > offsets[:-1]
        formula = np.isin(data[offsets[:-1][filled]], _FORMULA_BYTES)
        if formula.any():  # neutralise: a leading single quote
            risky = np.zeros(len(values), dtype=bool)
            risky[filled] = formula
            values = pc.if_else(pa.array(risky), pc.binary_join_element_wise(
                pa.scalar("'", text), values, pa.scalar("", text)), values)
            offsets, data = _text_buffers(values)
            data = np.frombuffer(data, dtype=np.uint8)
        if not np.isin(data[int(offsets[0]):int(offsets[-1])], _QUOTE_BYTES).any():
            return values, False
        needs = pc.match_substring_regex(values, '[,"\r\n]')
        quoted = pc.binary_join_element_wise(pa.scalar('"', text), pc.replace_substring(values, '"', '""'),
                                             pa.scalar('"', text), pa.scalar("", text))
        return pc.if_else(needs, quoted, values), True
    return None


def _arrow(values) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _text_buffers(values: pa.Array) -> tuple[np.ndarray, pa.Buffer]:
    """The offsets (of this slice's cells, one past the last included) and data buffer of a
    large string array."""
    _, offsets, data = values.buffers()
    return (np.frombuffer(offsets, dtype=np.int64)[values.offset:values.offset + len(values) + 1],
            data if data is not None else pa.py_buffer(b""))


PARQUET_ROW_GROUP_ROWS = 262_144  # rows of a row group of a Parquet extract (and held to write one)


def write_parquet(frame: pd.DataFrame, path: Path, metadata: dict[str, str] | None = None) -> None:
    """A frame as a Parquet file, with `metadata` as `harmstats.<key>` schema metadata."""
    with ParquetParts(path, metadata) as out:
        out.write(frame)


class ParquetParts:
    """A Parquet file written frame by frame in row groups of PARQUET_ROW_GROUP_ROWS rows,
    whatever the frames' sizes: the same bytes whether the rows come as one frame or many.
    The schema (pandas types included) is that of the first frame with rows."""

    def __init__(self, path: Path, metadata: dict[str, str] | None = None):
        self.path, self.metadata = path, metadata
        self.writer: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None  # the file's, set with the first frame with rows
        self.first: pa.Table | None = None  # the first frame, for the schema of a file without rows
        self.pending: list[pa.Table] = []
        self.pending_rows = 0

    def write(self, frame: pd.DataFrame) -> None:
        """Add the rows of `frame`; full row groups are written out."""
        table = frame_to_arrow(frame) if len(frame.columns) else pa.table({})
        if self.first is None:
            self.first = table
        if not table.num_rows:
            return
        if self.writer is None:
            self.schema = self._with_metadata(table.schema)
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self.pending.append(table.cast(self.schema))
        self.pending_rows += table.num_rows
        if self.pending_rows >= PARQUET_ROW_GROUP_ROWS:
            self._write_groups(final=False)

    def close(self) -> None:
        """Write what is left and close the file (a file without rows has the first frame's
        schema)."""
        if self.writer is None:
            table = self.first if self.first is not None else pa.table({})
            pq.write_table(table.replace_schema_metadata(self._with_metadata(table.schema).metadata),
                           self.path, compression="zstd")
            return
        self._write_groups(final=True)
        self.writer.close()

    def _write_groups(self, final: bool) -> None:
        table = pa.concat_tables(self.pending)
        size = PARQUET_ROW_GROUP_ROWS
        end = table.num_rows if final else table.num_rows // size * size
        for start in range(0, end, size):
            # one contiguous chunk per column, however the rows arrived
            self.writer.write_table(table.slice(start, min(size, end - start)).combine_chunks())
        rest = table.slice(end)
        self.pending, self.pending_rows = ([rest], rest.num_rows) if rest.num_rows else ([], 0)

    def _with_metadata(self, schema: pa.Schema) -> pa.Schema:
        if not self.metadata:
            return schema
        merged = dict(schema.metadata or {})
        merged.update({f"harmstats.{k}".encode(): str(v).encode() for k, v in self.metadata.items()})
        return schema.with_metadata(merged)

    def __enter__(self) -> ParquetParts:
        return self

    def __exit__(self, failed, *exc) -> None:
        if not failed:
            self.close()
        elif self.writer is not None:
            self.writer.close()


def write_xlsx(frame: pd.DataFrame, path: Path, readme: str, sheet: str) -> None:
    """The data on one sheet (formulas neutralised, text cells stored as text) and the README
    on a second sheet."""
    from openpyxl import Workbook

    book = Workbook()
    data = book.active
    data.title = sheet[:31]
    safe = neutralise(frame)
    data.append([str(c) for c in safe.columns])
    for row in safe.itertuples(index=False):
        values = []
        for value in row:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                values.append(None)
            elif hasattr(value, "item"):
                values.append(value.item())
            else:
                values.append(value)
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
