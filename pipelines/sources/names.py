"""Personal names never leave data/raw: the raw name columns of a file are reduced to one-way
fingerprints, and every published table is searched for values with those fingerprints
(`stats.checks.check_no_names`, a blocking check).

Both sides use the same SQL normalisation (white space collapsed, case folded), so the search
runs inside DuckDB over record tables far larger than memory.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from pipelines.sql import sql_text

# Values that stand for "no name": not fingerprinted (they are ordinary words in other columns).
PLACEHOLDER_NAMES = ("", "unknown", "unkown", "unidentified", "n/a", "na", "none", "redacted",
                     "[name not released]", "name not released", "n.n.", "nn")
# Every Unicode white space (tab, no-break and em spaces...), as Python's str.split() sees it.
_SPACE = r"[\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}]+"


def trimmed_sql(value: str) -> str:
    """SQL: `value` without white space at either end."""
    return f"regexp_replace({value}, '^{_SPACE}|{_SPACE}$', '', 'g')"


def name_normal_sql(value: str) -> str:
    """SQL: `value` as a name is compared (Python's `" ".join(v.split()).casefold()`)."""
    collapsed = f"regexp_replace({trimmed_sql(value)}, '{_SPACE}', ' ', 'g')"
    return f"replace(replace(replace(lower({collapsed}), 'ß', 'ss'), 'ẞ', 'ss'), 'ς', 'σ')"


def name_fingerprint_sql(value: str) -> str:
    """SQL: the one-way fingerprint of `value` as a name."""
    return f"sha256({name_normal_sql(value)})"


def name_hashes(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """Fingerprints of the distinct real names in a raw table's name columns (placeholders
    and names of three characters or fewer left out), sorted."""
    present = [c for c in columns if c in frame.columns]
    if not present:
        return []
    values = pa.chunked_array([pa.array(frame[c].astype("str"), type=pa.large_string()) for c in present])
    placeholders = ", ".join(sql_text(p) for p in PLACEHOLDER_NAMES)
    con = duckdb.connect()
    try:
        con.register("names", pa.table({"v": values}))
        rows = con.sql(
            f"SELECT DISTINCT {name_fingerprint_sql('v')} AS h FROM "
            f"(SELECT DISTINCT v FROM names WHERE v IS NOT NULL) "
            f"WHERE length({trimmed_sql('v')}) > 3 "
            f"AND {name_normal_sql('v')} NOT IN ({placeholders}) "
            "ORDER BY h").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]
