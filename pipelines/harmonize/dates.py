"""Dates written in the many ways publishers write them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.harmonize.distinct import per_distinct

# Tried in order; the first format that parses a cell wins for that cell.
KNOWN_FORMATS = (
    "%Y-%m-%d",               # 2014-01-06
    "%Y-%m-%dT%H:%M:%S",      # spreadsheet datetimes rendered as text
    "%B %d, %Y",              # January 13, 2020 (MMP 2019-2020)
    "%a, %m/%d/%Y - %H:%M",   # Thu, 01/01/2026 - 12:00 (MMP 2026)
    "%d/%m/%Y",               # 05/11/2015 (MMP 2017, day first)
    "%m/%d/%Y",               # 5/31/2017 (ICE FOIA, month first)
    "%m/%d/%y",               # 1/15/01 (Pima County 2018, two-digit year)
)


def parse_dates(text: pd.Series, formats: tuple[str, ...]) -> tuple[pd.Series, np.ndarray]:
    """Parse with the given formats, in order. Returns (datetime64 values, mask of unparseable
    non-blank cells). Two-digit years follow Python's pivot (69-99 -> 1900s, 00-68 -> 2000s),
    which fits records that start in 1981."""
    return per_distinct(text.astype("str"), lambda cells: _parse_distinct(cells, formats))


def _parse_distinct(text: pd.Series, formats: tuple[str, ...]) -> tuple[pd.Series, np.ndarray]:
    """parse_dates on the distinct cells of a column."""
    cleaned = text.str.strip()
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    for fmt in formats:
        todo = result.isna() & (cleaned != "")
        if not todo.any():
            break
        parsed = pd.to_datetime(cleaned[todo], format=fmt, errors="coerce")
        result.loc[todo] = parsed.astype("datetime64[s]")
    bad = (result.isna() & (cleaned != "")).to_numpy()
    return result, bad
