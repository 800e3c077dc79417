"""The extract files: CSV written by DuckDB's COPY (byte-order mark, CRLF, formula guard) reads
back as the values pandas' own writer gives; Parquet written by pyarrow in fixed row groups,
the same bytes however the rows arrive."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipelines import stored
from pipelines.publish.table_files import parquet_to_csv, write_csv
from pipelines.stored import write_parquet

TRICKY = ["plain", "", "a,b", 'say "hi"', "line\nbreak", "cr\rhere", "crlf\r\nend", "=1+1",
          "+44", "-3", "@SUM(A1)", "\tTab", "\rcr", "'quoted", " lead", "trail ", "é accent",
          "中文", "emoji 😀", '"', ",", "=a,\"b\"", "-", "=", "x=1", None]
RISKY = ("=", "+", "-", "@", "\t", "\r")


def pandas_csv(frame: pd.DataFrame, path) -> None:
    """The oracle: pandas' writer, text cells that start like a formula prefixed with `'` by
    hand (the rule the extracts promise)."""
    safe = frame.copy()
    for column, series in frame.items():
        if series.dtype.kind not in "biuf" and not pd.api.types.is_bool_dtype(series):
            safe[column] = [("'" + v) if isinstance(v, str) and v.startswith(RISKY) else v
                            for v in series.astype(object)]
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def frames(n: int = 300, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Frames of the column types the public tables hold (text, integers with and without
    nulls, booleans, floats), with text that needs quoting or guarding."""
    rng = np.random.default_rng(seed)
    text = np.array(TRICKY, dtype=object)[rng.integers(0, len(TRICKY), n)]
    ints = rng.integers(-10**6, 10**6, n)
    hole = rng.random(n) < 0.2
    floats = rng.normal(0, 1e3, n)
    floats[hole] = np.nan
    floats[:6] = [0.1, 1e16, 1e-5, -0.0, np.inf, 3.0]
    plain = np.array(["all", "unknown", "ABW", "x y", "Société"], dtype=object)[rng.integers(0, 5, n)]
    base = pd.DataFrame({
        "str": pd.Series(text, dtype="str"),
        "string_python": pd.Series(text, dtype="string[python]"),
        "object": pd.Series(text, dtype=object),
        "object_na": pd.Series(np.where(hole, pd.NA, plain), dtype=object),
        "category": pd.Categorical(plain),
        "int64": pd.Series(ints),
        "nullable_int": pd.Series(ints, dtype="Int64").mask(hole),
        "int32_nulls": pd.Series(ints, dtype="Int32").mask(~hole),
        "bool": pd.Series(ints % 2 == 0),
        "boolean": pd.Series(ints % 3 == 0, dtype="boolean").mask(hole),
        "float64": pd.Series(floats),
    })
    return {"everything": base, "no_rows": base.iloc[:0], "sliced": base.iloc[37:211],
            "all_null_text": pd.DataFrame({"a": pd.Series([None] * n, dtype=object),
                                           "b": pd.Series([pd.NA] * n, dtype="str"), "c": ints}),
            "one_column": pd.DataFrame({"a": plain}), "non_text_labels": pd.DataFrame({0: ints, 1: text})}


@pytest.mark.parametrize("name", list(frames()))
def test_csv_reads_back_as_pandas_writes_it(name, tmp_path):
    """Parsed as text and with pandas' own type inference, the file gives what pandas' writer
    gives (pandas writes an empty text as an empty cell, DuckDB as `""`: both read back as
    an empty text, or as a null with pandas' default NA handling, in either file)."""
    frame = frames()[name]
    write_csv(frame, tmp_path / "duckdb.csv")
    pandas_csv(frame, tmp_path / "pandas.csv")
    for options in ({"dtype": str, "keep_default_na": False}, {}):
        mine = pd.read_csv(tmp_path / "duckdb.csv", encoding="utf-8-sig", **options)
        theirs = pd.read_csv(tmp_path / "pandas.csv", encoding="utf-8-sig", **options)
        pd.testing.assert_frame_equal(mine, theirs)


def test_csv_bytes(tmp_path):
    """Byte-order mark, CRLF line ends, quoting only where needed, formulas guarded, booleans
    and numbers as pandas spells them, nulls empty."""
    frame = pd.DataFrame({"text": ["=1+1", "a,b", 'say "hi"', "line\nbreak", "plain", None, "-"],
                          "flag": pd.array([True, False, None, True, True, True, True], dtype="boolean"),
                          "count": pd.array([1, None, -3, 4, 5, 6, 7], dtype="Int64"),
                          "share": [0.5, 1e-05, None, 1e16, -0.0, 3.0, 2.25]})
    write_csv(frame, tmp_path / "x.csv")
    assert (tmp_path / "x.csv").read_bytes() == (
        "\ufefftext,flag,count,share\r\n'=1+1,True,1,0.5\r\n\"a,b\",False,,1e-05\r\n"
        "\"say \"\"hi\"\"\",,-3,\r\n\"line\nbreak\",True,4,1e+16\r\nplain,True,5,-0.0\r\n"
        ",True,6,3.0\r\n'-,True,7,2.25\r\n").encode("utf-8")


def test_csv_refuses_columns_it_cannot_write_as_named(tmp_path):
    """DuckDB renames a column whose name equals another's but for case, and quotes a first
    name holding a comma (the byte-order mark would then not come first): refused, not
    written wrong."""
    with pytest.raises(ValueError, match="A_1"):
        write_csv(pd.DataFrame({"a": [1], "A": [2]}), tmp_path / "x.csv")
    with pytest.raises(ValueError, match="cannot carry the BOM"):
        write_csv(pd.DataFrame({"a,b": [1], "c": [2]}), tmp_path / "y.csv")


def test_parquet_and_its_csv_are_the_same_however_the_rows_arrive(tmp_path, monkeypatch):
    """Row groups of PARQUET_ROW_GROUP_ROWS whatever the frames' sizes, so one frame or many
    give the same bytes; the CSV of the Parquet file is that of the frame."""
    monkeypatch.setattr(stored, "PARQUET_ROW_GROUP_ROWS", 1_000)
    frame = pd.concat([frames(1_000, seed)["everything"] for seed in range(5)], ignore_index=True)
    frame = frame.drop(columns=["string_python", "object", "object_na", "category"])  # read back as str
    meta = {"table": "t", "release_id": "R1"}
    assert write_parquet([frame], tmp_path / "one.parquet", meta) == 5_000
    pieces = [frame.iloc[i:i + 333] for i in range(0, len(frame), 333)] + [frame.iloc[:0]]
    assert write_parquet(iter(pieces), tmp_path / "many.parquet", meta) == 5_000
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "many.parquet").read_bytes()
    file = pq.ParquetFile(tmp_path / "many.parquet")
    assert [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)] == [1_000] * 5
    assert file.schema_arrow.metadata[b"harmstats.release_id"] == b"R1"
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "many.parquet"), frame)
    assert not list(tmp_path.glob(".*"))  # no part file left behind
    parquet_to_csv(tmp_path / "many.parquet", tmp_path / "from_parquet.csv")
    write_csv(frame, tmp_path / "from_frame.csv")
    assert (tmp_path / "from_parquet.csv").read_bytes() == (tmp_path / "from_frame.csv").read_bytes()
    # in the frame's order (DuckDB on two threads wrote row groups out of order before
    # PRESERVE_ORDER, in most runs of this test)
    back = pd.read_csv(tmp_path / "from_parquet.csv", encoding="utf-8-sig")
    assert back["int64"].tolist() == frame["int64"].tolist()


def test_parquet_without_rows_keeps_the_first_frames_columns(tmp_path):
    frame = frames()["everything"]
    assert write_parquet([frame.iloc[:0], frame.iloc[:0]], tmp_path / "x.parquet", {"table": "t"}) == 0
    back = pq.read_table(tmp_path / "x.parquet")
    assert back.num_rows == 0 and back.column_names == list(frame.columns)
    assert back.schema.metadata[b"harmstats.table"] == b"t"
