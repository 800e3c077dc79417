"""Counts written as text: "12", "1,022" (thousands separators), "12.0" (spreadsheet floats)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.harmonize.distinct import per_distinct

_COUNT = r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?$"


def parse_counts(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Whole numbers from text; blank is null. Returns (Int64 values, mask of unparseable cells)."""
    return per_distinct(text.astype("str"), _parse_distinct)


def _parse_distinct(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """parse_counts on the distinct cells of a column."""
    cleaned = text.str.strip()
    blank = (cleaned == "").to_numpy()
    valid = cleaned.str.match(_COUNT).to_numpy(dtype=bool)
    digits = cleaned.where(valid, "").str.replace(",", "", regex=False).str.replace(
        r"\.0+$", "", regex=True)
    values = pd.to_numeric(digits.where(valid, None), errors="coerce").astype("Int64")
    return values, ~blank & ~valid
