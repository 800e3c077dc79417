"""Record ids across the chunks of one file.

A file larger than memory is harmonised chunk by chunk, and each chunk sees only its own
rows. Two id rules reach across the whole file, so they are settled here afterwards, in
DuckDB over small per-chunk id parts (raw_row, id, chunk), exactly as if the file had been
read whole:

- a publisher id repeated in a later chunk is a duplicate: the later row leaves the record
  parts and goes to quarantine (`record_id_unique`, the reason's `{first}` naming the first
  row of the file with that id, not of its chunk);
- a content id (`h<digest>-<n>`) numbers identical rows in file order, so `n` is recounted
  over the file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from pipelines.sources.base import QUARANTINE_COLUMNS, RawTable
from pipelines.stored import connect, parquet_list, write_query


def id_frame(row_ids: tuple, raw: RawTable, chunk: int) -> pd.DataFrame:
    """The id of every raw row of one chunk ("" where the row has none it can use) and the
    published cell it came from, as written to its `ids` part."""
    column = row_ids[1]
    cells = raw.frame[column].astype("str").to_numpy() if column in raw.frame else ""
    return pd.DataFrame({"raw_row": raw.raw_rows, "id": row_ids[2].to_numpy(), "value": cells,
                         "chunk": chunk})


def settle_ids(row_ids: tuple, ids_parts: list[str], record_parts: dict[str, list[str]],
               quarantine_parts: list[str], where: tuple[str, str, str], scratch: Path
               ) -> pd.DataFrame:
    """Apply the file-wide id rules to the parts of a file read in several chunks. Record
    parts are rewritten in place; returns the quarantine rows to add (possibly none)."""
    kind, column, _, reason = row_ids
    con = connect(scratch)
    try:
        con.execute(f"CREATE TEMP VIEW ids AS SELECT * FROM read_parquet({parquet_list(ids_parts)})")
        if kind == "publisher":
            return _drop_repeats(con, column, reason, record_parts, quarantine_parts, where)
        _renumber_content_ids(con, record_parts)
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    finally:
        con.close()


def _drop_repeats(con, column: str, reason: str, record_parts: dict[str, list[str]],
                  quarantine_parts: list[str], where: tuple[str, str, str]) -> pd.DataFrame:
    """Rows whose publisher id first appeared in an earlier chunk: out of the record parts
    and into quarantine, naming the first row (an entry its own chunk made, naming a row of
    that chunk, is replaced)."""
    con.execute("""
        CREATE TEMP TABLE repeats AS
        SELECT i.raw_row, i.value, f.first_row FROM ids i
        JOIN (SELECT id, min(raw_row) AS first_row, arg_min(chunk, raw_row) AS first_chunk
              FROM ids WHERE id <> '' GROUP BY id) f USING (id)
        WHERE i.chunk <> f.first_chunk""")
    repeats = con.sql("SELECT raw_row, value, first_row FROM repeats ORDER BY raw_row"
                      ).to_arrow_table().to_pandas()
    if repeats.empty:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    for paths in record_parts.values():
        for path in paths:
            _rewrite(con, path, "SELECT * FROM read_parquet({part}) WHERE raw_row NOT IN "
                                "(SELECT raw_row FROM repeats) ORDER BY raw_row, record_id")
    rows = set(repeats["raw_row"])
    for path in quarantine_parts:
        entries = pd.read_parquet(path)
        stale = (entries["check"] == "record_id_unique") & entries["raw_row"].isin(rows)
        if stale.any():
            entries[~stale].reset_index(drop=True).to_parquet(path, index=False)
    source, snapshot, file = where
    return pd.DataFrame({"source": source, "snapshot": snapshot, "file": file,
                         "raw_row": repeats["raw_row"].astype("int64"), "column": column,
                         "check": "record_id_unique", "value": repeats["value"].str.slice(0, 200),
                         "reason": [reason.replace("{first}", str(f)) for f in repeats["first_row"]]
                         })[QUARANTINE_COLUMNS]


def _renumber_content_ids(con, record_parts: dict[str, list[str]]) -> None:
    """Occurrence numbers of content ids counted over the whole file, not per chunk."""
    con.execute("""
        CREATE TEMP TABLE renumbered AS
        SELECT raw_row, new_id FROM (
          SELECT raw_row, id,
                 regexp_replace(id, '-[0-9]+$', '') || '-'
                   || row_number() OVER (PARTITION BY regexp_replace(id, '-[0-9]+$', '')
                                         ORDER BY raw_row) AS new_id
          FROM ids)
        WHERE new_id <> id""")
    if not con.sql("SELECT count(*) FROM renumbered").fetchall()[0][0]:
        return
    for paths in record_parts.values():
        for path in paths:
            _rewrite(con, path, "SELECT p.* REPLACE (coalesce(r.new_id, p.record_id) AS record_id) "
                                "FROM read_parquet({part}) p LEFT JOIN renumbered r USING (raw_row) "
                                "ORDER BY p.raw_row, p.record_id")


def _rewrite(con, path: str, sql: str) -> None:
    """Replace a part by the result of `sql` over it, keeping its schema."""
    schema = pq.read_schema(path)
    tmp = Path(f"{path}.tmp")
    write_query(con, sql.format(part=parquet_list([path])), tmp, schema, compression="snappy")
    os.replace(tmp, path)
