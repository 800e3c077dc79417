"""Record tables kept on disk: a release's `deaths`, `crimes` and `prosecutions` can be far
larger than memory, so they are assembled by DuckDB from the processed Parquet parts and
handed on as one Parquet file, never as a frame.

The file keeps the pandas schema of the parts (Int64, str, dates as DATE), so reading it back
gives the same frame a release held when tables were frames.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

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
    con.execute(f"SET temp_directory = '{_escape(str(scratch / 'duckdb-spill'))}'")
    return limit_memory(con)


def limit_memory(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Cap DuckDB's memory at HARMSTATS_DUCKDB_MEMORY (default 1GB; DuckDB's own default is
    80% of RAM), so the pipeline's peak stays flat whatever the size of the records."""
    con.execute(f"SET memory_limit = '{_escape(os.environ.get('HARMSTATS_DUCKDB_MEMORY', '1GB'))}'")
    return con


def parquet_list(paths: list[str | Path]) -> str:
    """A DuckDB list literal of Parquet paths."""
    return "[" + ", ".join(f"'{_escape(str(p))}'" for p in paths) + "]"


def _escape(text: str) -> str:
    return text.replace("'", "''")


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


def write_query(con: duckdb.DuckDBPyConnection, sql: str, path: Path, schema: pa.Schema,
                compression: str = "zstd") -> StoredTable:
    """Stream the result of `sql` into a Parquet file at `path` with `schema` (batch by
    batch, so memory stays flat) and describe it."""
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    rows = 0
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
        import pyarrow.compute as pc
        import pyarrow.dataset as ds

        condition = None
        for column, value in key.items():
            term = pc.field(column) == value
            condition = term if condition is None else condition & term
        yield from ds.dataset(path).to_batches(filter=condition, batch_size=BATCH_ROWS)
    return batches


def names_in(con: duckdb.DuckDBPyConnection, stored: StoredTable, text_columns: list[str],
             fingerprints: str) -> list[tuple[str, int]]:
    """(column, distinct values) of `stored`'s text columns whose value fingerprints match
    the table `fingerprints` (column `name_hash`): one scan, distinct values only."""
    from pipelines.names import name_fingerprint_sql

    if not text_columns:
        return []
    unpivot = ", ".join(f'"{c}"' for c in text_columns)
    rows = con.execute(
        f"SELECT name, count(*) FROM (SELECT DISTINCT name, value FROM (UNPIVOT "
        f"(SELECT {unpivot} FROM read_parquet('{_escape(str(stored.path))}')) ON {unpivot})) "
        f"WHERE {name_fingerprint_sql('value')} IN (SELECT name_hash FROM {fingerprints}) "
        "GROUP BY name ORDER BY name").fetchall()
    return [(column, int(count)) for column, count in rows]
