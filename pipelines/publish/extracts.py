"""The public extracts of a release, and `harmstats export`.

`write_extracts(tables, release_dir, release_id, ...)` writes `extracts/` into a release folder
(the data model's layout, paths relative to `extracts/`):

    extracts/<table>.parquet, <table>.csv     each public statistics table, latest snapshots only
    extracts/<table>.README.md                 the caveats that matter for that table
    extracts/README.md                         what is here, how to cite, how to check the files
    extracts/data_dictionary.md, .csv          table, column, type, meaning, allowed codes
    extracts/SHA256SUMS                        `sha256sum -c SHA256SUMS` run inside extracts/
    harmstats-extracts-<release-id>.zip        all of the above in one folder (release root)

When any input is sample data, every README opens with a SAMPLE DATA banner and the READMEs'
and the zip's names carry `-SAMPLE` (`README-SAMPLE.md`, `<table>.README-SAMPLE.md`).

A table may be a frame or stored on disk (`StoredTable`, or a `BatchView` of one): a stored
table is read and written frame by frame (`table_frames`), never held whole, and gives the same
bytes as the frame would.

The tables are taken as given: disclosure control has already run. A cell withheld by it
(`suppressed` true) is written with `value`, `value_min` and `value_max` null, whatever the
input holds.

CSV files are UTF-8 with a byte-order mark (spreadsheets then read accents correctly), and no
cell can run as a formula: text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
gets a leading single quote. Numeric columns are written as numbers, untouched.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pipelines.publish.dictionary import _type
from pipelines.publish.layout import EXTRACT_DIR, MANIFEST, PRIVATE_COLUMNS
from pipelines.publish.public import settings
from pipelines.snapshots import sha256_file
from pipelines.stored import BatchView, frame_to_arrow, table_frames
from schemas.tables import PUBLIC_TABLES, TABLES, table_description

# The order extracts are listed in (the statistics first, then the metadata tables).
EXTRACT_TABLES = ("deaths_stats", "crimes_stats", "prosecutions_stats", "coverage", "sources",
                  "source_inconsistencies")
REFUSED_TABLES = ("deaths", "crimes", "prosecutions", "quarantine", "unmapped_values")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576  # rows of a worksheet, the header included
SAMPLE_BANNER = ("> **SAMPLE DATA, NOT REAL STATISTICS.** These files were built from generated "
                 "sample snapshots in each publisher's format. Do not quote, chart or cite any "
                 "number in them.")
PROJECT_CITATION = ("harmstats, public release {release_id} ({created}), code version {code}: "
                    "statistics on harm to migrants, derived from the sources named in each "
                    "table's README.")
STATS_DIMENSIONS = {
    "deaths_stats": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                     "country_iso3", "cause", "criminal", "scope", "status"),
    "crimes_stats": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                     "country_iso3", "crime_type", "sgbv", "bias_motivation", "perpetrator"),
    "prosecutions_stats": ("sex", "gender_identity", "age_group", "nationality",
                           "race_ethnicity", "country_iso3", "offence", "sgbv"),
}
STREAM_OF = {"deaths_stats": "deaths", "crimes_stats": "crimes", "prosecutions_stats": "prosecutions"}


# --- the public tables ------------------------------------------------------------------------

def public_columns(name: str) -> list[str]:
    """The columns of a public table that may leave the catalog, in schema order."""
    hidden = PRIVATE_COLUMNS.get(name, ())
    return [c for c in TABLES[name].to_schema().columns if c not in hidden]


def _empty(name: str) -> pd.DataFrame:
    columns = TABLES[name].to_schema().columns
    return pd.DataFrame({c: pd.Series(dtype=col.dtype.type) for c, col in columns.items()})


def withhold_suppressed(frame: pd.DataFrame) -> pd.DataFrame:
    """Suppressed cells as suppressed: `value`, `value_min` and `value_max` null (as
    disclosure control publishes them), whatever the input holds."""
    if "suppressed" not in frame or frame.empty:
        return frame
    frame = frame.copy()
    hidden = frame["suppressed"].fillna(False).astype(bool)
    for column in ("value", "value_min", "value_max"):
        if column in frame:
            frame[column] = frame[column].astype("Int64").mask(hidden)
    return frame


def latest_keys(sources: pd.DataFrame) -> set[tuple[str, str]]:
    """(source, snapshot) of every latest snapshot."""
    if sources is None or sources.empty:
        return set()
    latest = sources[sources["is_latest"].fillna(False).astype(bool)]
    return set(zip(latest["source"], latest["snapshot"]))


def public_tables(tables: dict) -> dict:
    """Each public table as it is published: latest snapshots only, public columns only,
    suppressed cells withheld. Tables absent from `tables` come out empty. A frame comes out
    as a frame; a stored table as a `BatchView` giving its public rows frame by frame."""
    latest = latest_keys(tables.get("sources"))
    out = {}
    for name in EXTRACT_TABLES:
        data = tables.get(name)
        data = _empty(name) if data is None else data
        published = partial(public_rows, name, latest=latest)
        out[name] = published(data) if isinstance(data, pd.DataFrame) else BatchView(data, published)
    return out


def public_rows(name: str, frame: pd.DataFrame, latest: set[tuple[str, str]]) -> pd.DataFrame:
    """The rows of (a frame of) table `name` as published: latest snapshots only (`is_latest`,
    or (source, snapshot) in `latest`), public columns only, suppressed cells withheld."""
    if "is_latest" in frame:
        frame = frame[frame["is_latest"].fillna(False).astype(bool)]
    elif {"source", "snapshot"} <= set(frame.columns) and len(frame):
        keys = pd.Series(list(zip(frame["source"], frame["snapshot"])), index=frame.index)
        frame = frame[keys.isin(latest)]
    columns = public_columns(name)
    frame = frame.reindex(columns=columns) if set(columns) - set(frame.columns) else frame[columns]
    return withhold_suppressed(frame.reset_index(drop=True))


def is_sample(tables: dict[str, pd.DataFrame], sample: bool = False) -> bool:
    """Sample when the release says so or any input snapshot is sample data."""
    sources = tables.get("sources")
    if sample:
        return True
    if sources is None or sources.empty:
        return False
    flagged = sources["is_sample"].fillna(False).astype(bool).any() if "is_sample" in sources else False
    return bool(flagged or sources["snapshot"].astype(str).str.upper().str.startswith("SAMPLE").any())


# --- safe files -------------------------------------------------------------------------------

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
ZIP_LEVEL = 1  # deflate level of the extracts bundle
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


# --- READMEs ----------------------------------------------------------------------------------

@dataclass
class Context:
    """What every README needs: the release, the public tables, sample or not."""

    release_id: str
    created: str
    code_version: str
    sample: bool
    public: dict  # name -> frame (`sources` and `coverage` always), or a view of a stored table
    names: dict[str, str] = field(default_factory=dict)  # file role -> file name

    @property
    def sources(self) -> pd.DataFrame:
        return self.public["sources"]

    @property
    def coverage(self) -> pd.DataFrame:
        return self.public["coverage"]


def readme_name(stem: str, sample: bool) -> str:
    """`README.md` or `<table>.README.md`, with `-SAMPLE` before `.md` for sample data."""
    return f"{stem}{'-SAMPLE' if sample else ''}.md"


def _text(value) -> str:
    """A cell as text; empty for null."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _md(value) -> str:
    """Raw text (snapshot names, titles, licences, a user's query) made safe inside Markdown:
    HTML escaped, so no renderer runs a tag from it; table pipes, backticks and line breaks
    neutralised, so it cannot break out of its table cell or code span."""
    text = html.escape(_text(value), quote=False)
    return re.sub(r"[\r\n]+", " ", text).replace("|", "\\|").replace("`", "\\`")


def _code(value) -> str:
    """Raw text as a Markdown code span: shown literally (a renderer runs no HTML inside one),
    with backticks and line breaks replaced and table pipes escaped so it cannot end early."""
    text = re.sub(r"[\r\n]+", " ", _text(value)).replace("`", "'")
    return f"`{text.replace('|', chr(92) + '|')}`"


def _fmt(n) -> str:
    return "" if n is None or pd.isna(n) else f"{int(n):,}"


def _snapshot_lines(ctx: Context, source_ids: list[str]) -> list[str]:
    sources = ctx.sources
    rows = sources[sources["source"].isin(source_ids)].drop_duplicates(["source", "snapshot"])
    if rows.empty:
        return ["No snapshot of any source is in this table in this release."]
    lines = ["| source | snapshot | kind | product | period covered | retrieved |",
             "|---|---|---|---|---|---|"]
    for r in rows.sort_values(["source", "snapshot"]).itertuples():
        period = f"{_md(r.period_start) or '?'} to {_md(r.period_end) or '?'}"
        lines.append(f"| {_code(r.source)} | {_md(r.snapshot)} | {_md(r.kind)} | {_md(r.product)} | "
                     f"{period} | {_md(r.retrieved) or 'not recorded'} |")
    return lines


def _citation_lines(ctx: Context, source_ids: list[str]) -> list[str]:
    sources = ctx.sources.drop_duplicates(["source", "title"])  # a product's own title cited apart
    lines = []
    for r in sources[sources["source"].isin(source_ids)].sort_values(["source", "title"]).itertuples():
        lines.append(f"- **{_md(r.title)}** ({_code(r.source)}), {_md(r.publisher)}. {_md(r.landing_page)}")
        lines.append(f"  - Licence or terms: {_md(r.licence) or 'not stated'}")
        if _text(r.citation):
            lines.append(f"  - Cite as: {_md(r.citation)}")
    lines.append("- **This project**: " + PROJECT_CITATION.format(
        release_id=_md(ctx.release_id), created=_md(ctx.created), code=_md(ctx.code_version) or "unknown"))
    return lines


@dataclass
class Years:
    """The years of one source and snapshot in a table: range, year bases, partial years."""

    first: int | None = None
    last: int | None = None
    bases: set[str] = field(default_factory=set)
    partial: set[int] = field(default_factory=set)

    def add(self, part: pd.DataFrame) -> None:
        """Take in the rows of `part` (one source and snapshot)."""
        years = part["year"].dropna()
        if len(years):
            low, high = int(years.min()), int(years.max())
            self.first = low if self.first is None else min(self.first, low)
            self.last = high if self.last is None else max(self.last, high)
        self.bases |= set(part["year_basis"].dropna().unique())  # distinct first: far fewer
        self.partial |= {int(y) for y in part.loc[part["partial_year"].fillna(False).astype(bool),
                                                  "year"].dropna().unique()}


YEAR_COLUMNS = {"source", "snapshot", "year", "year_basis", "partial_year"}


@dataclass
class TableFacts:
    """What a table's README says of its rows, gathered frame by frame (a stored table is
    never whole): how many, which sources, how many cells withheld, and the years of each
    source and snapshot."""

    rows: int = 0
    sources: set[str] | None = None  # None: the table has no `source` column
    suppressed: int | None = None  # None: the table has no `suppressed` column
    source_suppressed: int = 0
    years: dict[tuple[str, str], Years] = field(default_factory=dict)

    @classmethod
    def of(cls, frame: pd.DataFrame) -> TableFacts:
        facts = cls()
        facts.add(frame)
        return facts

    @property
    def empty(self) -> bool:
        return self.rows == 0

    def add(self, frame: pd.DataFrame) -> None:
        """Take in the rows of `frame`."""
        self.rows += len(frame)
        if "source" in frame:
            self.sources = (self.sources or set()) | set(frame["source"].dropna().unique())
        if "suppressed" in frame:
            self.suppressed = (self.suppressed or 0) + int(frame["suppressed"].fillna(False).astype(bool).sum())
            self.source_suppressed += int(frame["source_suppressed"].fillna(False).astype(bool).sum())
        if YEAR_COLUMNS <= set(frame.columns) and len(frame):
            for key, part in frame.groupby(["source", "snapshot"], sort=False):
                self.years.setdefault(key, Years()).add(part)


def _year_lines(facts: TableFacts) -> list[str]:
    lines = []
    for (source, snapshot), years in sorted(facts.years.items()):
        bases = ", ".join(_code(b) for b in sorted(years.bases))
        partial = sorted(years.partial)
        text = f"- {_code(source)} {_md(snapshot)}: years {years.first}-{years.last}, year basis {bases}"
        text += (f"; **partial year(s): {', '.join(str(y) for y in partial)}** (the snapshot "
                 "ends before the year does: not comparable with full years)" if partial else
                 "; no partial year")
        lines.append(text + ".")
    return lines


def _coverage_lines(ctx: Context, stream: str) -> list[str]:
    cov = ctx.coverage[ctx.coverage["stream"] == stream]
    if cov.empty:
        return ["No coverage figures for this stream in this release."]
    lines = ["| source | unit | subject | sex | gender identity | age group | nationality | race/ethnicity |",
             "|---|---|---|---|---|---|---|---|"]
    order = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity")
    for (source, snapshot, unit, subject), part in cov.groupby(
            ["source", "snapshot", "unit", cov["subject"].fillna("")], sort=True):
        cells = []
        for dim in order:
            row = part[part["dimension"] == dim]
            if row.empty:
                cells.append("")
                continue
            r = row.iloc[0]
            share = "" if pd.isna(r["known_share"]) else f", {r['known_share']:.0%} known"
            cells.append(f"{r['recorded']}{share}")
        lines.append(f"| {_code(source)} | {_md(unit)} | {_md(subject)} | " + " | ".join(cells) + " |")
    return lines


def _withheld_lines(facts: TableFacts) -> list[str]:
    if facts.suppressed is None:
        return []
    suppressed, by_source = facts.suppressed, facts.source_suppressed
    try:
        st = settings()
        high, k = st.threshold[1], st.k
    except ValueError:
        high, k = "a few", "k"
    return [
        f"- **Suppressed cells ({suppressed:,} in this file).** harmstats withholds small counts "
        "built from non-public person-level data (disclosure control; the NGO incident log): "
        f"every count from 0 to {high}, and other cells that would give one away. Such a cell "
        "has `suppressed = true` and an empty `value` (and no bounds). It may be zero: the "
        "table lists every category of such a source in every year, zeros included, and "
        "withholds zeros like small counts, so that no row or empty cell tells whether anyone "
        "is in it. Treat it as unknown (0 or more), never as zero or as small; do not try to "
        "recover it from other cells.",
        f"- **`OTHER` is a recoded group, not a nationality.** For such a source, nationalities "
        f"(and countries) with fewer than {k} victims over its whole log are published together "
        "as `OTHER`, in every year. Its figures are refreshed only when at least "
        f"{k} records have changed since the last public update, so its snapshot can be older "
        "than the latest delivery. Method and parameters: the public `manifest.json` and "
        "docs/disclosure_control.md of the project.",
        f"- **Withheld by the source ({by_source:,} in this file).** `source_suppressed = true`: the "
        "publisher withheld the value (e.g. UNODC GLOTIP '<5'); `value_min` and `value_max` give "
        "its bounds where the source states them.",
    ]


def _flag_lines(ctx: Context, source_ids: list[str]) -> list[str]:
    s = ctx.sources[ctx.sources["source"].isin(source_ids)]
    if s.empty:
        return []
    agg = s.groupby("source").agg(read=("rows_read", "sum"), accepted=("rows_accepted", "sum"),
                                  quarantined=("rows_quarantined", "sum"),
                                  flagged=("rows_flagged", "sum"))
    lines = ["Rows of the latest snapshots: read, accepted into the statistics, set aside "
             "(quarantined: failed a check, listed in the catalog), and accepted but flagged "
             "by a consistency check (kept with the publisher's total; their inconsistent split "
             "is counted under `unknown`):", "",
             "| source | rows read | accepted | quarantined | flagged |", "|---|---|---|---|---|"]
    for source, r in agg.iterrows():
        lines.append(f"| {_code(source)} | {_fmt(r['read'])} | {_fmt(r['accepted'])} | "
                     f"{_fmt(r['quarantined'])} | {_fmt(r['flagged'])} |")
    return lines


NOT_ADDITIVE = ("- **Sources are never additive.** Each row belongs to one `source`; the same "
                "death, crime or case often appears in several sources (IOM's US-border figures "
                "include cases of the Pima County medical examiner). Never add figures of "
                "different sources.")
MARGINS = ("- **`all` marks a margin.** A row whose dimension is `all` is the total over that "
           "dimension. To get a figure, fix every dimension: e.g. the grand total of a source "
           "and year is the one row where every dimension is `all`. Summing rows that include "
           "`all` rows double-counts.")
LATEST = ("- **Latest snapshots only.** This file holds each source's latest snapshot "
          "(`is_latest`); earlier snapshots and record-level data stay in the catalog. Snapshot "
          "dates and periods covered are listed below.")
NOT_RECORDED = ("- **`not_recorded` is not `unknown`.** `not_recorded` means the source has no "
                "field for the dimension at all (most sources record no race or ethnicity); "
                "`unknown` means the field exists but is blank or unclear for those people. "
                "Neither is spread over the known categories. The coverage table below (and "
                "`coverage`) gives, per source, whether each dimension the 2023 letter asks for "
                "is recorded and what share of the count has a known value.")

TABLE_NOTES = {
    "deaths_stats": [
        "- **Unit: persons dead or missing.** `status` splits dead and missing; `dead_and_missing` "
        "figures (status `all`) are what most sources count.",
        "- **IOM Missing Migrants Project (`mmp`) counts are minimum estimates.** IOM records only "
        "deaths and disappearances it can document; many are never found or reported, so the "
        "true numbers are higher. Missing counts are estimates from survivors' accounts and "
        "can be revised (IOM sometimes publishes negative corrections; such rows keep their "
        "total under status `unknown`).",
        "- **Sex and age in MMP are counts per incident** (females, males, children), covering "
        "dead and missing together: they are published only with `status = all`, and the rest "
        "of each incident is `unknown`. MMP has no adult count: age is `child` or `unknown`.",
        "- **`criminal`** is `criminal` only where the source states violence, homicide or an "
        "offence, `non_criminal` only where it states a natural or accidental manner, and "
        "`undetermined` otherwise: drowning, vehicle accidents or exposure alone say nothing "
        "about smugglers, state agents or other crimes.",
        "- **Source quality.** MMP grades each incident's sourcing 1-5 and medical examiners "
        "record manner of death with varying certainty; those grades and each record's "
        "consistency `flags` are in the catalog (`deaths`), not in these statistics.",
    ],
    "crimes_stats": [
        "- **Different units and subjects.** `unit` says what a value counts (persons, "
        "incidents, offences, cases, or `unspecified`) and `subject` whose attributes the "
        "dimensions describe (victim, offender, incident). Never add rows of different units "
        "or subjects.",
        "- **A hate-crime bias motivation is the offender's bias**, never the victim's race or "
        "nationality. Hate-crime sources do not record victims' nationality: such rows are "
        "`NOT_RECORDED`.",
        "- **Recorded crime is not all crime.** Police figures count what was reported and "
        "recorded; migrants report less, and recording practices differ between countries "
        "and years.",
        "- **`sgbv`** marks sexual and gender-based violence (rape, sexual assault, sexual "
        "harassment, femicide, trafficking for sexual exploitation and the like).",
    ],
    "prosecutions_stats": [
        "- **Stages overlap: never add them.** A convicted person was also prosecuted and "
        "usually reported: compare stages (a funnel), do not sum `stage`.",
        "- **Whose attributes.** `subject = offender` (e.g. UNODC GLOTIP persons prosecuted) "
        "means sex and citizenship are the offenders', not the victims'.",
        "- **Funnels need the same country-years at every stage.** Countries report different "
        "stages in different years; compare stages only over country-years that report each "
        "of them.",
    ],
    "coverage": [
        "- **How to read it.** One row per source, snapshot, unit, subject and dimension the 2023 "
        "letter asks about (sex, gender identity, age group, nationality, race/ethnicity): "
        "`recorded` is `yes` (the source has the field for every record), `partly` or `no`, and "
        "`known_share` the share of `total` with a known value. It shows where governments do "
        "not record what was asked.",
    ],
    "sources": [
        "- **One row per raw file read for the latest snapshots**, with the source's title, "
        "publisher, licence, how to cite it, the file's sha256 and its row accounting. The "
        "catalog keeps every snapshot and the error text of files that could not be read.",
    ],
    "source_inconsistencies": [
        "- **Where a source's own parts exceed its published total.** The statistics keep the "
        "source's total as the `all` row; the excess is listed here instead of being hidden. "
        "Empty when no source of the latest snapshots has such a case.",
    ],
}


def table_readme(name: str, frame: pd.DataFrame | TableFacts, ctx: Context, files: list[str],
                 query: str | None = None) -> str:
    """The README of one extract (or of an export, with `query` describing the slice), from
    the table's rows or the facts gathered from them."""
    facts = frame if isinstance(frame, TableFacts) else TableFacts.of(frame)
    source_ids = sorted(facts.sources or ())
    title = f"# `{name}`" + (" (custom export)" if query else "") + f": harmstats release {_md(ctx.release_id)}"
    lines = [title, ""]
    if ctx.sample:
        lines += [SAMPLE_BANNER, ""]
    lines += [table_description(name), ""]
    lines += [f"- Files: {', '.join(f'`{f}`' for f in files)}. Rows: {facts.rows:,}. Columns, types "
              f"and allowed codes: `{ctx.names.get('dictionary', 'data_dictionary.md')}` "
              "(generated from the schemas).",
              "- CSV: UTF-8 with a byte-order mark; empty cell = null. Text that begins with `=`, "
              "`+`, `-`, `@`, a tab or a carriage return starts with a single quote `'` so that "
              "no spreadsheet runs it as a formula; numbers are plain numbers."]
    if query:
        lines += [f"- This file is a slice of the public extract `{name}` (what the release "
                  f"publishes, nothing more), selected with: {_code(query)}."]
    lines += ["", "## Read this before using the numbers", "", NOT_ADDITIVE]
    if name in STATS_DIMENSIONS:
        lines += [MARGINS]
    lines += [LATEST]
    lines += TABLE_NOTES.get(name, [])
    if name in STATS_DIMENSIONS:
        lines += [NOT_RECORDED]
        lines += _withheld_lines(facts)
        year_lines = _year_lines(facts)
        lines += ["", "## Years: `year_basis` and partial years", "",
                  "`year_basis` says what a year is the year of: the incident, its report, the "
                  "finding of remains, a fiscal year, or the publisher's record id (`record_id`: "
                  "the row has no date or year of its own); figures on different bases are not "
                  "comparable. `partial_year = true` marks a year the snapshot ends inside of: "
                  "its period does, or its records stop inside it (table `sources`, column "
                  "`records_end`).", ""]
        lines += year_lines or ["No rows in this release."]
        lines += ["", "## What each source records (coverage, latest snapshots)", ""]
        lines += _coverage_lines(ctx, STREAM_OF[name])
        lines += ["", "## Source quality and flags", ""]
        lines += _flag_lines(ctx, source_ids) or ["No source in this table in this release."]
    lines += ["", "## Snapshots", ""]
    lines += _snapshot_lines(ctx, source_ids) if source_ids else [
        "This table has no rows in this release." if facts.empty else "Not per source."]
    lines += ["", "## How to cite", ""]
    lines += _citation_lines(ctx, source_ids or sorted(ctx.sources["source"].dropna().unique()))
    lines += ["", "## Checking the files", "",
              "Inside `extracts/` (or the unzipped folder) run `sha256sum -c SHA256SUMS`: every "
              "file must say OK."]
    return "\n".join(lines) + "\n"


def index_readme(ctx: Context, listing: list[tuple[str, str]]) -> str:
    """The README of the whole extracts folder."""
    lines = [f"# harmstats public extracts, release {_md(ctx.release_id)}", ""]
    if ctx.sample:
        lines += [SAMPLE_BANNER, ""]
    lines += [f"Created {_md(ctx.created)}; code version {_md(ctx.code_version) or 'unknown'}.", "",
              "Statistics on deaths of migrants, crimes against them and prosecutions of those "
              "crimes, disaggregated by sex, gender identity, age group, nationality and "
              "race/ethnicity wherever a source records them, from the latest snapshot of each "
              "source. Record-level data and lineage stay in the project's catalog.", "",
              "## Files", "", "| file | what |", "|---|---|"]
    lines += [f"| `{f}` | {what} |" for f, what in listing]
    lines += ["", "## Before you use any number", "", NOT_ADDITIVE, MARGINS, NOT_RECORDED,
              "- Each table's README lists its own caveats: IOM's minimum estimates, `year_basis` "
              "and partial years, coverage, flags, suppressed cells, snapshot dates, citations.",
              "", "## How to cite", ""]
    lines += _citation_lines(ctx, sorted(ctx.sources["source"].dropna().unique()))
    lines += ["", "## Checking the files", "",
              "Inside this folder run `sha256sum -c SHA256SUMS`: every file must say OK."]
    return "\n".join(lines) + "\n"


def dictionary_rows(ctx_tables: tuple[str, ...] = EXTRACT_TABLES) -> pd.DataFrame:
    """table, column, type, meaning, allowed codes: one row per public column."""
    rows = []
    for name in ctx_tables:
        columns = TABLES[name].to_schema().columns
        for column in public_columns(name):
            spec = columns[column]
            rows.append({"table": name, "column": column, "type": _type(spec),
                         "meaning": spec.description or "",
                         "allowed_codes": "; ".join((spec.metadata or {}).get("codes", []))})
    return pd.DataFrame(rows, columns=["table", "column", "type", "meaning", "allowed_codes"])


def dictionary_markdown(rows: pd.DataFrame, ctx: Context) -> str:
    lines = [f"# Data dictionary: harmstats public extracts, release {_md(ctx.release_id)}", ""]
    if ctx.sample:
        lines += [SAMPLE_BANNER, ""]
    lines += ["Generated from the schemas (`schemas/`). `all` in a dimension marks a margin; "
              "`not_recorded` means the source has no such field; `unknown` that it is blank "
              "or unclear.", ""]
    for name, part in rows.groupby("table", sort=False):
        lines += [f"## `{name}`", "", table_description(name), "",
                  "| column | type | meaning | allowed codes |", "|---|---|---|---|"]
        for r in part.itertuples():
            codes = ", ".join(f"`{c}`" for c in r.allowed_codes.split("; ")) if r.allowed_codes else ""
            lines.append(f"| `{r.column}` | {r.type} | {r.meaning} | {codes} |")
        lines.append("")
    return "\n".join(lines)


# --- write_extracts ---------------------------------------------------------------------------

def write_table_files(name: str, data, folder: Path, metadata: dict[str, str]) -> TableFacts:
    """`<name>.parquet` and `<name>.csv` of a public table (a frame, or a stored table read
    frame by frame, never whole), written in one pass; returns what its README says of it."""
    facts = TableFacts()
    with ParquetParts(folder / f"{name}.parquet", metadata) as parquet, \
            CsvParts(folder / f"{name}.csv", public_columns(name)) as csv_out:
        for frame in table_frames(data):
            parquet.write(frame)
            csv_out.write(frame)
            facts.add(frame)
    return facts


def write_zip(folder: Path, zip_path: Path, created: str) -> None:
    """Every file of `folder` into `zip_path` under a folder named like the zip, each member
    dated `created` with permissions rw-r--r--: the same bytes for the same files and date, in
    any time zone. (A `created` inside the hour a local daylight-saving change skips has no
    local file time: there the members are dated an hour later.)"""
    stamp = _zip_time(created)
    when = time.mktime(stamp + (0, 0, -1))  # the file time that ZipFile.write reads back as `stamp`
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for p in sorted(folder.iterdir()):
            # ZipFile.write streams the file (an extract can be gigabytes) and takes the
            # member's date and permissions from it: set those first.
            os.utime(p, (when, when))
            p.chmod(0o644)
            # Level 1: the CSVs shrink about 30-fold either way; the default level takes three
            # times as long for a bundle a fifth smaller.
            bundle.write(p, f"{zip_path.stem}/{p.name}", compresslevel=ZIP_LEVEL)


def write_extracts(tables: dict, release_dir: Path, release_id: str, *,
                   created: str | None = None, sample: bool = False,
                   code_version: str = "") -> dict:
    """Write `extracts/` and the zip into `release_dir` from the public tables as given
    (frames, or tables stored on disk: see the module's docstring).

    Returns what the manifest and the release page need: per table its rows and files, every
    file with its size and sha256 (paths relative to the release folder), the zip, and
    whether the extracts are sample data."""
    created = created or datetime.now(timezone.utc).isoformat(timespec="seconds")
    sample = is_sample(tables, sample)
    public = public_tables(tables)
    folder = release_dir / EXTRACT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ctx = Context(release_id, created, code_version, sample, public,
                  names={"dictionary": "data_dictionary.md"})
    listing: list[tuple[str, str]] = []
    table_info = {}
    for name in EXTRACT_TABLES:
        parquet, csv = f"{name}.parquet", f"{name}.csv"
        facts = write_table_files(name, public[name], folder, {
            "release_id": release_id, "sample": sample, "table": name,
            "description": table_description(name)})
        readme = readme_name(f"{name}.README", sample)
        (folder / readme).write_text(table_readme(name, facts, ctx, [parquet, csv]), encoding="utf-8")
        table_info[name] = {"rows": facts.rows, "parquet": f"{EXTRACT_DIR}/{parquet}",
                            "csv": f"{EXTRACT_DIR}/{csv}", "readme": f"{EXTRACT_DIR}/{readme}",
                            "description": table_description(name)}
        listing += [(parquet, f"{name}, Parquet (typed)"), (csv, f"{name}, CSV"),
                    (readme, f"{name}: caveats, snapshots, citations")]
    rows = dictionary_rows()
    (folder / "data_dictionary.md").write_text(dictionary_markdown(rows, ctx), encoding="utf-8")
    write_csv(rows, folder / "data_dictionary.csv")
    listing += [("data_dictionary.md", "data dictionary (Markdown)"),
                ("data_dictionary.csv", "data dictionary (CSV: table, column, type, meaning, allowed codes)"),
                ("SHA256SUMS", "sha256 of every file here (`sha256sum -c SHA256SUMS`)")]
    index = readme_name("README", sample)
    listing.insert(0, (index, "this file"))
    (folder / index).write_text(index_readme(ctx, listing), encoding="utf-8")

    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "SHA256SUMS")
    sums = {p.name: sha256_file(p) for p in files}
    (folder / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sums.items()),
                                       encoding="utf-8")
    zip_name = f"harmstats-extracts-{release_id}" + (
        "-SAMPLE" if sample and not release_id.endswith("-SAMPLE") else "") + ".zip"
    zip_path = release_dir / zip_name
    write_zip(folder, zip_path, created)
    described = [{"path": f"{EXTRACT_DIR}/{p.name}", "bytes": p.stat().st_size,
                  "sha256": sums.get(p.name) or sha256_file(p)}
                 for p in sorted(folder.iterdir())]
    return {"dir": EXTRACT_DIR, "sample": sample, "tables": table_info, "files": described,
            "readme": f"{EXTRACT_DIR}/{index}", "dictionary": f"{EXTRACT_DIR}/data_dictionary.md",
            "zip": {"path": zip_name, "bytes": zip_path.stat().st_size,
                    "sha256": sha256_file(zip_path)}}


def _zip_time(created: str) -> tuple[int, int, int, int, int, int]:
    try:
        t = datetime.fromisoformat(created)
    except ValueError:
        t = datetime.now(timezone.utc)
    return (max(t.year, 1980), t.month, t.day, t.hour, t.minute, t.second)


# --- harmstats export -------------------------------------------------------------------------

class ExportError(ValueError):
    """A request `harmstats export` refuses, with the reason in words."""


def _where_tree(where: str, table: str) -> dict:
    """The WHERE clause of `SELECT * FROM table WHERE (where)` as DuckDB's own parser reads
    it; refused unless it is one plain SELECT of that table with a boolean-looking filter."""
    import duckdb

    if not where or not where.strip():
        raise ExportError("--where is empty")
    if ";" in where:
        raise ExportError("--where must be one boolean expression: ';' is not allowed")
    if "--" in where or "/*" in where:
        raise ExportError("--where must not contain SQL comments")
    sql = f'SELECT * FROM "{table}" WHERE ({where})'
    con = duckdb.connect()
    try:
        parsed = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    finally:
        con.close()
    if parsed.get("error") or len(parsed.get("statements", [])) != 1:
        raise ExportError(f"--where is not a valid SQL expression: {parsed.get('error_message', where)}")
    node = parsed["statements"][0]["node"]
    plain = (node.get("type") == "SELECT_NODE" and not node.get("modifiers")
             and not node.get("cte_map", {}).get("map") and not node.get("group_expressions")
             and node.get("having") is None and node.get("qualify") is None
             and (node.get("from_table") or {}).get("table_name") == table
             and [e.get("class") for e in node.get("select_list", [])] == ["STAR"])
    if not plain:
        raise ExportError("--where must be a plain boolean expression over the table's columns")
    tree = node.get("where_clause") or {}
    if '"SUBQUERY"' in json.dumps(tree):
        raise ExportError("--where must not contain a subquery (a plain boolean expression over "
                          "this table's columns only: no other tables)")
    return tree


def check_where(where: str, columns: list[str], table: str = "t") -> str:
    """`where` if DuckDB's parser reads it as one plain expression (no statement separator,
    comment, subquery or other table) whose column references are all in `columns`."""
    tree = _where_tree(where, table)
    known = {c.lower() for c in columns}
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("class") == "COLUMN_REF":
                refs.add(str(node.get("column_names", [""])[-1]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    unknown = sorted(r for r in refs if r.lower() not in known)
    if unknown:
        raise ExportError(f"--where: {', '.join(map(repr, unknown))} is neither a column of this "
                          "public table nor an allowed function (a plain boolean expression only: "
                          "no subqueries, no other tables)")
    return where


def _public_manifest(public: Path) -> dict:
    path = public / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _selected_rows(frame: pd.DataFrame, table: str, where: str) -> pd.DataFrame:
    """The rows of `frame` for which `where` is true, evaluated by DuckDB on a connection that
    holds nothing but this table, with external access off and its configuration locked (no
    file, extension or setting is reachable from the expression)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("public_rows", frame)
        con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM public_rows')
        con.unregister("public_rows")
        con.execute("SET enable_external_access = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET lock_configuration = true")
        try:
            kind = con.execute(f'DESCRIBE SELECT ({where}) AS w FROM "{table}"').fetchall()[0][1]
            if kind != "BOOLEAN":
                raise ExportError(f"--where must be a boolean expression (true or false per row); "
                                  f"it gives {kind}")
            rows = [r[0] for r in con.execute(f'SELECT rowid FROM "{table}" WHERE ({where}) '
                                              "ORDER BY rowid").fetchall()]
        except duckdb.Error as exc:
            raise ExportError(f"--where failed in DuckDB: {exc}") from exc
    finally:
        con.close()
    return frame.iloc[rows].reset_index(drop=True)


def export_table(public: Path, table: str, where: str | None = None, fmt: str = "csv",
                 out_path: Path | None = None) -> dict:
    """A slice of a public table as the public tier publishes it (the release's
    `public/extracts/<table>.parquet`: latest snapshots, public columns, disclosure control
    applied), written as parquet, csv or xlsx, with a README of caveats beside it (a README
    sheet in xlsx). `public` is a release's public folder. Returns what was written."""
    if table in REFUSED_TABLES or table not in PUBLIC_TABLES:
        kind = ("record-grain or lineage table: it stays in the catalog and is never exported"
                if table in TABLES else "unknown table")
        raise ExportError(f"{table!r} cannot be exported ({kind}). Public tables: "
                          + ", ".join(PUBLIC_TABLES))
    if fmt not in ("parquet", "csv", "xlsx"):
        raise ExportError(f"unknown format {fmt!r}: parquet, csv or xlsx")
    source = Path(public) / EXTRACT_DIR / f"{table}.parquet" if public else None
    if source is None or not source.is_file():
        raise ExportError(f"no public extract of {table!r} in {public}: run `harmstats run` first")
    columns = public_columns(table)
    if where:
        check_where(where, columns, table)
    frame = pd.read_parquet(source)
    frame = frame.reindex(columns=[c for c in columns if c in frame.columns])
    if where:
        frame = _selected_rows(frame, table, where)
    frame = withhold_suppressed(frame)
    if fmt == "xlsx" and len(frame) >= XLSX_MAX_ROWS:
        raise ExportError(f"{len(frame):,} rows do not fit in a spreadsheet (at most "
                          f"{XLSX_MAX_ROWS - 1:,}): narrow --where or use csv or parquet")
    info = _public_manifest(Path(public))
    sources = pd.read_parquet(Path(public) / EXTRACT_DIR / "sources.parquet")
    coverage = pd.read_parquet(Path(public) / EXTRACT_DIR / "coverage.parquet")
    if "source" in frame and {"source", "snapshot"} <= set(sources.columns):
        keys = set(zip(frame["source"], frame["snapshot"])) if "snapshot" in frame else None
        mask = sources["source"].isin(frame["source"].unique())
        if keys is not None:
            mask &= pd.Series(list(zip(sources["source"], sources["snapshot"])), index=sources.index).isin(keys)
        sources = sources[mask]
    sample = bool(info.get("sample")) or is_sample({"sources": sources})
    tables = {"sources": sources.reindex(columns=public_columns("sources")),
              "coverage": coverage.reindex(columns=public_columns("coverage"))}
    out_path = Path(out_path or f"{table}.{fmt}")
    if out_path.suffix.lower() != f".{fmt}":
        out_path = out_path.with_name(out_path.name + f".{fmt}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    ctx = Context(str(info.get("release_id", "unknown")), str(info.get("created", "")),
                  str(info.get("code_version", "")), sample, tables,
                  names={"dictionary": "data_dictionary.md of the release's extracts/"})
    readme = table_readme(table, frame, ctx, [out_path.name], query=where or "(all rows)")
    written = [out_path]
    if fmt == "parquet":
        write_parquet(frame, out_path, {"table": table, "where": where or "", "sample": sample,
                                        "release_id": ctx.release_id})
    elif fmt == "csv":
        write_csv(frame, out_path)
    else:
        write_xlsx(frame, out_path, readme, sheet=table)
    if fmt != "xlsx":
        readme_path = out_path.with_name(readme_name(f"{out_path.name}.README", sample))
        readme_path.write_text(readme, encoding="utf-8")
        written.append(readme_path)
    return {"table": table, "rows": len(frame), "files": [str(p) for p in written],
            "sample": sample}
