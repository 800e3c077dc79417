"""Files published one column per month (SESNSP's state files: incidence, victims, federal
incidence): the count in each month cell, the last month a file publishes, gaps inside that
period, and the (row, month, count) cells a long table is built from.

A blank month after the file's last published month is a month not yet published (no record,
never a zero: the 2024-11 cut leaves December 2024 blank, the July 2025 federal file August to
December 2025). A blank month inside the period the file covers is a gap: its row is
quarantined, nothing is filled in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from pipelines.harmonize.numbers import parse_counts
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, RawTable


@dataclass(frozen=True)
class MonthlyTable:
    """The year column and the twelve month columns (January first) of a wide file."""

    year: str
    months: tuple[str, ...]
    what: str  # what a cell counts, for quarantine reasons ("investigation files", "victims")

    def years(self, raw: RawTable) -> tuple[pd.Series, np.ndarray]:
        """(year per row as Int64, mask of rows without a usable year: blank, not a whole
        number or outside 1900-2100)."""
        years, bad = parse_counts(raw.frame[self.year])
        unusable = bad | years.isna().to_numpy() | ~years.between(1900, 2100).fillna(False).to_numpy()
        return years, unusable

    def values(self, raw: RawTable) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(counts per month as Int64, blank = null; mask of cells that are not whole numbers
        >= 0)."""
        values, bad = {}, {}
        for month in self.months:
            counts, unreadable = parse_counts(raw.frame[month])
            values[month] = counts
            bad[month] = unreadable | (counts < 0).fillna(False).to_numpy()
        index = raw.frame.index
        return pd.DataFrame(values, index=index), pd.DataFrame(bad, index=index)

    def period_end(self, raw: RawTable) -> date | None:
        """The last month the file publishes, as its last day: the latest year's last filled
        month. This is where a partial year ends (the sidecar's period end should say the same)."""
        years, _ = parse_counts(raw.frame[self.year])
        values, _ = self.values(raw)
        filled = values.notna().to_numpy()
        has_year = years.notna().to_numpy() & filled.any(axis=1)
        if not has_year.any():
            return None
        last_year = int(years[has_year].max())
        in_year = has_year & (years == last_year).fillna(False).to_numpy()
        month = int(np.flatnonzero(filled[in_year].any(axis=0)).max()) + 1
        return (pd.Timestamp(last_year, month, 1) + pd.offsets.MonthEnd(0)).date()

    def reject_years(self, curation: Curation, raw: RawTable) -> pd.Series:
        """Quarantine rows without a usable year; the year of every row (Int64)."""
        years, no_year = self.years(raw)
        curation.reject(no_year, self.year, "year_present", f"no usable year: {self.year} is "
                        "blank, not a whole number or outside 1900-2100")
        return years

    def reject_counts(self, curation: Curation, raw: RawTable, years: pd.Series) -> pd.DataFrame:
        """Quarantine rows with a month cell that is not a count, or with a gap inside the
        covered period; the counts per month of the file."""
        values, bad = self.values(raw)
        for month in self.months:
            curation.reject(bad[month].to_numpy(), month, "whole_number",
                            f"{month!r} is not a whole number of {self.what} (0 or more)")
        self._reject_gaps(curation, raw, years, values, bad)
        return values

    def _reject_gaps(self, curation: Curation, raw: RawTable, years: pd.Series,
                     values: pd.DataFrame, bad: pd.DataFrame) -> None:
        """Quarantine rows with an empty month inside the period the file covers (all months
        of earlier years, up to the last published month of the latest year). Unreadable cells
        are not empty: they have their own check."""
        end = self.period_end(raw)
        if end is None:
            return
        filled = values.notna().to_numpy() | bad.to_numpy()
        expected = np.where((years == end.year).fillna(False).to_numpy(), end.month,
                            np.where((years < end.year).fillna(False).to_numpy(), 12, 0))
        month_no = np.arange(1, 13)
        gap = (~filled) & (month_no[None, :] <= expected[:, None])
        rows = gap.any(axis=1)
        for index, month in enumerate(self.months):
            first = rows & gap[:, index] & ~gap[:, :index].any(axis=1)
            curation.reject(first, month, "month_value_present",
                            f"{month!r} is empty although the file publishes months up to "
                            f"{end:%Y-%m}: a gap inside the covered period (nothing is filled in)")

    def cells(self, values: pd.DataFrame, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, pd.array]:
        """(row position, month 1-12, count) of every month with a value in the kept rows, row
        by row."""
        long = values[keep].rename(columns={m: i + 1 for i, m in enumerate(self.months)}).stack()
        long = long.dropna()
        rows = values.index.get_indexer(long.index.get_level_values(0))
        month = long.index.get_level_values(1).to_numpy().astype(int)
        return rows, month, pd.array(long.to_numpy(), dtype="Int64")


def month_starts(year: np.ndarray, month: np.ndarray) -> pd.Series:
    """The first day of each (year, month): what a record of a monthly count is dated."""
    return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))


def after_period(snapshot: Snapshot, year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Months after the snapshot's period end (flag `future_date`); none for a sample or a
    snapshot without a period end."""
    end = snapshot.period_end_date()
    if end is None or snapshot.is_sample:
        return np.zeros(len(year), dtype=bool)
    return (year > end.year) | ((year == end.year) & (month > end.month))
