"""Computing on the distinct values of a column once, then spreading the results back to its
rows. The text columns harmonised here (counts, dates, causes, countries, labels) repeat a few
values over many rows, so a function of one cell need only see each value once."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(codes, uniques): the distinct values (a missing value being one of them, if present)
    in order of first appearance, as a Series of the column's dtype, and each row's position in
    them. Meant for text columns: in an object column None and NaN would count as one value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=values.dtype, name=values.name)


def distinct_rows(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """(codes, uniques) as `distinct`, for whole rows of `frame`: its distinct rows in order of
    first appearance (index 0..n-1) and each row's position in them."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        combined = pd.factorize(combined * len(uniques) + codes)[0]  # renumbered: never overflows
    first = np.unique(combined, return_index=True)[1]
    return combined, frame.iloc[first].reset_index(drop=True)


def spread(result, codes: np.ndarray, index: pd.Index):
    """A result computed on the distinct values (Series, DataFrame or array, one entry per
    distinct value, in order) repeated for the rows: `codes` say which entry each row gets."""
    if isinstance(result, pd.DataFrame):
        return pd.DataFrame({name: spread(column, codes, index) for name, column in result.items()},
                            index=index)
    if isinstance(result, pd.Series):
        return pd.Series(result.array.take(codes), index=index, name=result.name)
    return np.asarray(result)[codes]


def per_distinct(values: pd.Series, compute: Callable):
    """`compute` applied to the distinct values of `values` only, its result spread back to
    every row (index of `values`). `compute` takes a Series and returns a Series, DataFrame,
    array or a tuple of these, one entry per value it was given; it must treat each value on
    its own (the same cell gives the same result wherever it appears)."""
    codes, uniques = distinct(values)
    result = compute(uniques)
    if isinstance(result, tuple):
        return tuple(spread(part, codes, values.index) for part in result)
    return spread(result, codes, values.index)


def rows_per_distinct(codes: np.ndarray, count: int) -> np.ndarray:
    """How many rows hold each of `count` distinct values."""
    return np.bincount(codes, minlength=count)
