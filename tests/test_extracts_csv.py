"""The Arrow CSV path of the extracts writes exactly the bytes of the plain pandas one:
`neutralise(frame).to_csv(..., encoding="utf-8-sig", lineterminator="\\r\\n")`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines.publish import table_files
from pipelines.publish.table_files import _csv_cells, neutralise, write_csv

TRICKY = ["plain", "", "a,b", 'say "hi"', "line\nbreak", "cr\rhere", "crlf\r\nend", "=1+1",
          "+44", "-3", "@SUM(A1)", "\tTab", "\rcr", "'quoted", " lead", "trail ", "é accent",
          "中文", "emoji 😀", '"', ",", "=a,\"b\"", "nul\x00byte", "-", "=", "x=1", None]


def reference(frame: pd.DataFrame, path) -> bytes:
    neutralise(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path.read_bytes()


def fast(frame: pd.DataFrame, path) -> bytes:
    write_csv(frame, path)
    return path.read_bytes()


def frames(n: int = 300, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    words = np.array(TRICKY, dtype=object)
    text = words[rng.integers(0, len(words), n)]
    ints = rng.integers(-10**6, 10**6, n)
    hole = rng.random(n) < 0.2
    floats = rng.normal(0, 1e3, n)
    floats[hole] = np.nan
    floats[:6] = [0.1, 1e16, 1e-5, -0.0, np.inf, 3.0]
    plain = np.array(["all", "unknown", "ABW", "x y", ""], dtype=object)[rng.integers(0, 5, n)]
    base = {
        "str": pd.Series(text, dtype="str"),
        "string_python": pd.Series(text, dtype="string[python]"),
        "string_pyarrow": pd.Series(text, dtype="string[pyarrow]"),
        "object": pd.Series(text, dtype=object),
        "object_na": pd.Series(np.where(hole, pd.NA, plain), dtype=object),
        "plain_str": pd.Series(plain, dtype="str"),
        "int64": pd.Series(ints),
        "uint64": pd.Series(rng.integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2)),
        "Int64": pd.Series(ints, dtype="Int64").mask(hole),
        "Int32": pd.Series(ints, dtype="Int32").mask(~hole),
        "bool": pd.Series(ints % 2 == 0),
        "boolean": pd.Series(ints % 3 == 0, dtype="boolean").mask(hole),
        "float64": pd.Series(floats),
        "float32": pd.Series(floats.astype(np.float32)),
    }
    safe = {k: v for k, v in base.items() if k not in ("str", "string_python", "string_pyarrow", "object")}
    return {
        "everything": pd.DataFrame(base),
        "nothing_quoted": pd.DataFrame(safe),
        "all_null_text": pd.DataFrame({"a": pd.Series([None] * n, dtype=object),
                                       "b": pd.Series([pd.NA] * n, dtype="str"), "c": ints}),
        "no_rows": pd.DataFrame(base).iloc[:0],
        "sliced": pd.DataFrame(base).iloc[37:211],
        "odd_labels": pd.DataFrame({"a,b": plain, 'q"x': ints, "é": text}),
        # left to pandas: one column, dates, mixed objects, categoricals, non-text labels
        "one_column": pd.DataFrame({"a": plain}),
        "dates": pd.DataFrame({"d": pd.date_range("2020-01-01", periods=n), "t": text}),
        "mixed_object": pd.DataFrame({"m": pd.Series([1, "-x", None] * (n // 3), dtype=object),
                                      "t": text[: n // 3 * 3]}),
        "category": pd.DataFrame({"c": pd.Categorical(plain), "t": text}),
        "int_labels": pd.DataFrame({0: ints, 1: text}),
    }


@pytest.mark.parametrize("name", list(frames()))
def test_write_csv_bytes_match_pandas(name, tmp_path):
    frame = frames()[name]
    assert fast(frame, tmp_path / "fast.csv") == reference(frame, tmp_path / "ref.csv")


@pytest.mark.parametrize("seed", range(5))
def test_write_csv_across_slices(seed, tmp_path, monkeypatch):
    """Cells quoted (joined in slices) and not (Arrow's writer), over several slices."""
    monkeypatch.setattr(table_files, "CSV_SLICE_ROWS", 64)
    for frame in (frames(1000, seed)["everything"], frames(1000, seed)["nothing_quoted"]):
        assert fast(frame, tmp_path / "fast.csv") == reference(frame, tmp_path / "ref.csv")


def test_fast_path_is_taken_for_statistics_tables():
    frame = frames()["everything"]
    assert any(quoted for _, quoted in _csv_cells(frame, "x.csv"))  # joined in slices
    assert not any(quoted for _, quoted in _csv_cells(frames()["nothing_quoted"], "x.csv"))
    assert _csv_cells(frame, "x.csv.gz") is None
    assert _csv_cells(frames()["dates"], "x.csv") is None
