"""The DuckDB catalog: one table per curated table, stored in the file (so it answers from any
working directory), with a COMMENT on every table and column taken from the schemas."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.sql import sql_text
from pipelines.stored import limit_memory
from schemas.tables import column_descriptions, table_description

SAMPLE_WARNING = "SAMPLE DATA, NOT REAL STATISTICS (built from generated sample snapshots). "


def build_catalog(path: Path, parquet_files: dict[str, Path], release_info: dict, sample: bool) -> None:
    """Write a new catalog file at `path` from the release's Parquet tables."""
    path.unlink(missing_ok=True)
    con = limit_memory(duckdb.connect(str(path)))
    # Loading without keeping file order is about a quarter faster; tables are sets (every
    # query orders what it shows), and the release's Parquet files keep the canonical order.
    con.execute("SET preserve_insertion_order = false")
    try:
        for name, file in parquet_files.items():
            _load_table(con, name, file, sample)
        con.execute("CREATE TABLE release_info (key VARCHAR, value VARCHAR)")
        con.executemany("INSERT INTO release_info VALUES (?, ?)",
                        [(k, str(v)) for k, v in release_info.items()])
        con.execute("COMMENT ON TABLE release_info IS "
                    + sql_text((SAMPLE_WARNING if sample else "") + "Which release this catalog is."))
        con.execute("COMMENT ON COLUMN release_info.key IS 'Property name.'")
        con.execute("COMMENT ON COLUMN release_info.value IS 'Property value.'")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def add_table(path: Path, name: str, file: Path, sample: bool) -> None:
    """Add one table to a finished catalog file (a table built after the catalog, from the
    public tier: `letter_scorecard`)."""
    con = limit_memory(duckdb.connect(str(path)))
    try:
        _load_table(con, name, file, sample)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _load_table(con: duckdb.DuckDBPyConnection, name: str, file: Path, sample: bool) -> None:
    """One table from its Parquet file, with its COMMENTs."""
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet({sql_text(str(file))})")
    prefix = SAMPLE_WARNING if sample else ""
    con.execute(f"COMMENT ON TABLE {name} IS {sql_text(prefix + table_description(name))}")
    present = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [name]).fetchall()}
    for column, text in column_descriptions(name).items():
        if column in present:
            con.execute(f"COMMENT ON COLUMN {name}.{column} IS {sql_text(text)}")
