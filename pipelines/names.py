"""Personal names never leave data/raw: the raw name columns of a file are reduced to one-way
fingerprints, and every published table is searched for values with those fingerprints
(`publish.checks.check_no_names`, a blocking check).

Both sides use the same SQL normalisation (whitespace collapsed, lower case), so the search
runs inside DuckDB over record tables far larger than memory.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

# Values that stand for "no name": not fingerprinted (they are ordinary words in other columns).
PLACEHOLDER_NAMES = ("", "unknown", "unkown", "unidentified", "n/a", "na", "none", "redacted",
                     "[name not released]", "name not released", "n.n.", "nn")
NAME_NORMAL_SQL = "lower(regexp_replace(trim({value}), '\\s+', ' ', 'g'))"
NAME_FINGERPRINT_SQL = "sha256(" + NAME_NORMAL_SQL + ")"


def name_hashes(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """Fingerprints of the distinct real names in a raw table's name columns (placeholders
    and names of three characters or fewer left out), sorted."""
    present = [c for c in columns if c in frame.columns]
    if not present:
        return []
    values = pa.chunked_array([pa.array(frame[c].astype("str"), type=pa.large_string()) for c in present])
    placeholders = ", ".join("'" + p.replace("'", "''") + "'" for p in PLACEHOLDER_NAMES)
    con = duckdb.connect()
    try:
        con.register("names", pa.table({"v": values}))
        rows = con.sql(
            f"SELECT DISTINCT {NAME_FINGERPRINT_SQL.format(value='v')} AS h FROM "
            f"(SELECT DISTINCT v FROM names WHERE v IS NOT NULL) "
            f"WHERE length(trim(v)) > 3 AND {NAME_NORMAL_SQL.format(value='v')} NOT IN ({placeholders}) "
            "ORDER BY h").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]
