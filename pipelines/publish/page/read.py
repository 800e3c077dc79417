"""The rows of the public tables the page reads, and small sums over them.

A statistics table stored on disk is read frame by frame, keeping only the cells the charts
draw (`PAGE_SPLITS`) and, per chart group, a row of its first and of its last year (for its
heading), so the page is the same as from the table held whole.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.publish.extract_tables import STATS_DIMENSIONS
from pipelines.stored import table_frames

# The cells the crimes charts draw: rows with exactly these dimensions split.
CROSSED, BY_TYPE, BY_SGBV, BY_BIAS = ("crime_type", "sgbv"), ("crime_type",), ("sgbv",), ("bias_motivation",)
BY_CITIZENSHIP = ("nationality", "country_iso3")  # a reporting country's victims by citizenship
# The cells each chart reads, per table: the crimes charts' above, and the funnel's
# (`prosecutions.funnel_of`: every dimension `all` but the country). A table not listed is
# read whole.
PAGE_SPLITS = {
    "crimes_stats": (CROSSED, BY_TYPE, BY_SGBV, BY_BIAS, BY_CITIZENSHIP),
    "prosecutions_stats": ((), ("country_iso3",)),
}
CHART_GROUP = ["source", "snapshot", "unit", "subject"]  # a chart group of crimes and prosecutions


def cells(frame: pd.DataFrame, table: str, split: tuple[str, ...]) -> pd.DataFrame:
    """Rows where exactly the dimensions in `split` are not `all`."""
    dims = STATS_DIMENSIONS[table]
    if frame.empty:
        return frame
    mask = pd.Series(True, index=frame.index)
    for dim in dims:
        mask &= (frame[dim] != "all") if dim in split else (frame[dim] == "all")
    return frame[mask]


def page_rows(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of (a frame of) public table `name` the page reads: the cells of PAGE_SPLITS
    and, per chart group, a row of its first and of its last year (for its heading)."""
    splits = PAGE_SPLITS.get(name)
    if splits is None or frame.empty:
        return frame
    dims = STATS_DIMENSIONS[name]
    split = np.column_stack([(frame[d] != "all").to_numpy(dtype=bool, na_value=True) for d in dims])
    codes = split @ (1 << np.arange(len(dims)))
    wanted = [sum(1 << dims.index(d) for d in s) for s in splits]
    keep = np.isin(codes, wanted) | frame.index.isin(_year_ends(frame))
    return frame[keep]


def _year_ends(frame: pd.DataFrame) -> pd.Index:
    """Index labels of a row of the first and of the last year of each chart group."""
    years = frame[CHART_GROUP + ["year"]].dropna(subset=["year"]).groupby(CHART_GROUP, sort=False)["year"]
    return pd.Index(years.idxmin()).append(pd.Index(years.idxmax()))


def page_table(name: str, data) -> tuple[pd.DataFrame, int]:
    """(the rows of a public table the page reads, how many rows the table has): a stored
    table is read frame by frame and never held whole."""
    kept, rows = [], 0
    for frame in table_frames(data):
        rows += len(frame)
        kept.append(page_rows(name, frame))
    return (pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0]), rows


def withheld(*frames: pd.DataFrame) -> int:
    """Cells without a published value (suppressed, or withheld by the source)."""
    return sum(int(f["value"].isna().sum()) for f in frames if len(f))


def total(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum of published values by keys (withheld cells left out)."""
    if frame.empty:
        return pd.DataFrame(columns=by + ["value"])
    return (frame.assign(value=frame["value"].astype("Float64").fillna(0))
            .groupby(by, as_index=False)["value"].sum())


def years_of(frame: pd.DataFrame) -> str:
    """`2011-2025`: the first and last year of a chart group."""
    return f"{int(frame['year'].min())}-{int(frame['year'].max())}"
