"""Tables kept on disk: a release's record tables (`deaths`, `crimes`, `prosecutions`) and the
crimes and prosecutions statistics can be far larger than memory, so they are written into
one Parquet file each (records assembled from the processed parts, statistics appended piece
by piece) and handed on as a `StoredTable`, never as a frame; later stages read them through
DuckDB or a batch at a time (`table_frames`).

The file keeps the pandas schema of its frames (Int64, str, dates as DATE), so reading it back
gives the same frame a release held when tables were frames.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipelines.settings import active
from pipelines.sql import sql_text

BATCH_ROWS = 250_000


@dataclass(frozen=True)
class StoredTable:
    """A release table written as one Parquet file (`path`) with `rows` rows."""

    path: Path
    rows: int
    columns: tuple[str, ...]

    def __len__(self) -> int:
        return self.rows

    @property
    def empty(self) -> bool:
        return self.rows == 0

    def to_pandas(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The table (or some of its columns) as a frame: for small tables and tests."""
        return pd.read_parquet(self.path, columns=columns)


def connect(scratch: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to `scratch` and stays under the memory limit
    (`limit_memory`): sorting and grouping records larger than memory then still complete."""
    con = duckdb.connect()
    con.execute(f"SET temp_directory = {sql_text(scratch / 'duckdb-spill')}")
    return limit_memory(con)


def limit_memory(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Cap DuckDB's memory at HARMSTATS_DUCKDB_MEMORY (default 1GB; DuckDB's own default is
    80% of RAM), so the pipeline's peak stays flat whatever the size of the records."""
    con.execute(f"SET memory_limit = {sql_text(active().duckdb_memory)}")
    return con


def parquet_list(paths: list[str | Path]) -> str:
    """A DuckDB list literal of Parquet paths."""
    return "[" + ", ".join(sql_text(p) for p in paths) + "]"


def repeated_keys(con: duckdb.DuckDBPyConnection, paths: list, keys: list[str]) -> list[tuple]:
    """Up to three values of `keys` that more than one row of the Parquet files holds."""
    columns = ", ".join(keys)
    return con.execute(f"SELECT {columns}, count(*) FROM read_parquet({parquet_list(paths)}) "
                       "GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL LIMIT 3").fetchall()


def release_schema(schema: pa.Schema) -> pa.Schema:
    """The schema a release file gets: that of the parts, `*_date` timestamps as DATE."""
    fields = [pa.field(f.name, pa.date32()) if pa.types.is_timestamp(f.type)
              and f.name.endswith("_date") else f for f in schema]
    return pa.schema(fields, metadata=schema.metadata)


def _unlink(path: Path) -> None:
    """Remove a file about to be written anew: a release may hold a hard link to it
    (`release.place_file`), and writing into the same inode would change that release."""
    Path(path).unlink(missing_ok=True)


def frame_to_arrow(frame: pd.DataFrame) -> pa.Table:
    """A frame as an Arrow table, dates as DATE rather than timestamps (`release_schema`)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.cast(release_schema(table.schema))


PARQUET_ROW_GROUP_ROWS = 262_144  # rows of a row group of a file written from frames (and held to write one)


def write_parquet(frames: Iterable[pd.DataFrame], path: Path, metadata: dict[str, str] | None = None) -> int:
    """Frames written one after another into one Parquet file at `path` (zstd), one frame in
    memory at a time, in row groups of PARQUET_ROW_GROUP_ROWS rows whatever the frames' sizes:
    the same bytes whether the rows come as one frame or many. The schema (pandas types
    included) is that of the first frame with rows (the first frame's when none has rows),
    with `metadata` as `harmstats.<key>` schema metadata. Returns the number of rows.

    pyarrow's dataset writer gathers the frames into row groups; the file is written beside
    `path` under a hidden name and moved into place once whole."""
    tables = (frame_to_arrow(f) if len(f.columns) else pa.table({}) for f in frames)
    first = head = None
    for table in tables:
        first = table if first is None else first
        if table.num_rows:
            head = table
            break
    schema = _with_metadata((head if head is not None else first if first is not None
                             else pa.table({})).schema, metadata)
    _unlink(path)
    if head is None:
        pq.write_table(pa.Table.from_batches([], schema), path, compression="zstd")
        return 0
    rows = 0

    def batches() -> Iterator[pa.RecordBatch]:
        nonlocal rows
        for table in itertools.chain([head], tables):
            rows += table.num_rows
            yield from table.cast(schema).to_batches()

    part = f".{path.name}.{{i}}.part"
    try:
        ds.write_dataset(batches(), path.parent, basename_template=part, format="parquet",
                         schema=schema, use_threads=False, preserve_order=True,
                         file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
                         min_rows_per_group=PARQUET_ROW_GROUP_ROWS,
                         max_rows_per_group=PARQUET_ROW_GROUP_ROWS,
                         existing_data_behavior="overwrite_or_ignore")
        os.replace(path.parent / part.format(i=0), path)
    finally:
        (path.parent / part.format(i=0)).unlink(missing_ok=True)
    return rows


def _with_metadata(schema: pa.Schema, metadata: dict[str, str] | None) -> pa.Schema:
    if not metadata:
        return schema
    merged = dict(schema.metadata or {})
    merged.update({f"harmstats.{k}".encode(): str(v).encode() for k, v in metadata.items()})
    return schema.with_metadata(merged)


def write_frames(frames: Iterable[pd.DataFrame], path: Path, order: list[str]) -> StoredTable | None:
    """Frames written one after another into one Parquet file at `path` (`write_parquet`), one
    frame in memory at a time: a table larger than memory built in pieces. Each frame must be
    sorted by `order` and wholly after the frame before it (ValueError otherwise), so the file
    is sorted without a sort. None (and no file) when no frame has rows."""
    def in_order() -> Iterator[pd.DataFrame]:
        last = None
        for frame in frames:
            if not len(frame):
                continue
            first = tuple(frame[order].iloc[0])
            if last is not None and not last < first:
                raise ValueError(f"{path.name}: pieces out of order ({first} after {last})")
            last = tuple(frame[order].iloc[-1])
            yield frame

    rows = write_parquet(in_order(), path)
    if not rows:
        _unlink(path)
        return None
    return StoredTable(path=path, rows=rows, columns=tuple(pq.read_schema(path).names))


def write_query(con: duckdb.DuckDBPyConnection, sql: str, path: Path, schema: pa.Schema,
                compression: str = "zstd") -> StoredTable:
    """Stream the result of `sql` into a Parquet file at `path` with `schema` (batch by
    batch, so memory stays flat) and describe it."""
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    rows = 0
    _unlink(path)
    with pq.ParquetWriter(path, schema, compression=compression) as writer:
        for batch in reader:
            table = pa.Table.from_batches([batch])
            table = table.select(schema.names).cast(schema)
            writer.write_table(table)
            rows += table.num_rows
    return StoredTable(path=path, rows=rows, columns=tuple(schema.names))


def conform(batch: pa.RecordBatch, schema: pa.Schema, is_latest: bool | None = None) -> pa.Table:
    """A batch in `schema`'s columns and types (a column the batch lacks is null), with
    `is_latest` set when given."""
    columns = []
    for field in schema:
        if field.name == "is_latest" and is_latest is not None:
            columns.append(pa.array([is_latest] * batch.num_rows, type=field.type))
        elif field.name in batch.schema.names:
            columns.append(batch.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(batch.num_rows, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def assemble(groups: list[tuple[tuple, Callable[[], Iterator[pa.RecordBatch]]]], schema: pa.Schema,
             latest: set, path: Path) -> StoredTable:
    """Write one record table from groups of batches, group after group in key order, each
    group (one raw file: source, snapshot, file) already in row order: the result is sorted
    without a sort, and read and written batch by batch (memory stays flat)."""
    schema = release_schema(schema)
    rows = 0
    _unlink(path)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for key, batches in sorted(groups, key=lambda g: g[0]):
            flag = (key[0], key[1]) in latest
            for batch in batches():
                if batch.num_rows:
                    table = conform(batch, schema, flag)
                    writer.write_table(table)
                    rows += table.num_rows
    return StoredTable(path=path, rows=rows, columns=tuple(schema.names))


def part_batches(paths: list[str]) -> Callable[[], Iterator[pa.RecordBatch]]:
    """The batches of some Parquet parts, in order (read lazily)."""
    def batches():
        for path in paths:
            yield from pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS)
    return batches


def filtered_batches(path: Path, key: dict[str, str]) -> Callable[[], Iterator[pa.RecordBatch]]:
    """The batches of a Parquet file whose columns equal `key` (read lazily, in file order)."""
    def batches():
        condition = None
        for column, value in key.items():
            term = pc.field(column) == value
            condition = term if condition is None else condition & term
        yield from ds.dataset(path).to_batches(filter=condition, batch_size=BATCH_ROWS)
    return batches


@dataclass(frozen=True)
class BatchView:
    """A table seen through `step`, applied frame by frame as `table_frames` reads it: what a
    later stage makes of a stored table (its public rows, say) without holding it whole."""

    base: object  # a StoredTable, a frame or another BatchView
    step: Callable[[pd.DataFrame], pd.DataFrame]


@dataclass(frozen=True)
class Chain:
    """Tables read one after the other, as one table (e.g. the other sources' rows of a stored
    statistics table, then a confidential source's published rows)."""

    parts: tuple

    @property
    def empty(self) -> bool:
        return all(len(frame) == 0 for part in self.parts for frame in table_frames(part))


def table_frames(data, batch_rows: int | None = None,
                 columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """A table as successive frames indexed by row position, at least one (maybe empty): a
    frame is one; a StoredTable its Parquet batches of up to `batch_rows` rows (default
    BATCH_ROWS), with the pandas types the file records; a BatchView its base's frames through
    its step. `columns` narrows what is read (a BatchView's step still sees every column)."""
    if isinstance(data, pd.DataFrame):
        yield (data if columns is None else data[columns]).reset_index(drop=True)
    elif isinstance(data, BatchView):
        for frame in table_frames(data.base, batch_rows):
            frame = data.step(frame)
            yield frame if columns is None else frame[columns]
    elif isinstance(data, Chain):
        for part in data.parts:
            yield from table_frames(part, batch_rows, columns)
    else:
        yield from _stored_frames(data, batch_rows or BATCH_ROWS, columns)


def _stored_frames(stored: StoredTable, batch_rows: int, columns: list[str] | None) -> Iterator[pd.DataFrame]:
    file = pq.ParquetFile(stored.path)
    start = 0
    for batch in file.iter_batches(batch_size=batch_rows, columns=columns):
        frame = batch.to_pandas()
        frame.index = pd.RangeIndex(start, start + len(frame))
        start += len(frame)
        yield frame
    if start == 0:  # no rows: the file's columns and types still
        yield file.schema_arrow.empty_table().select(columns or file.schema_arrow.names).to_pandas()
