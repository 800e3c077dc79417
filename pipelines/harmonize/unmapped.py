"""A record of values no mapping table knew: reported with counts and examples, never fatal."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

UNMAPPED_COLUMNS = ["mapping", "column", "value", "rows"]


@dataclass
class UnmappedLog:
    """Counts of values a mapping could not place, keyed by mapping and raw column."""

    counts: Counter = field(default_factory=Counter)

    def add(self, mapping: str, column: str, values: pd.Series) -> None:
        """Count each unmapped value once per row it appears in."""
        for value, rows in values.astype("str").value_counts().items():
            self.counts[(mapping, column, value)] += int(rows)

    def add_distinct(self, mapping: str, column: str, values: pd.Series, rows) -> None:
        """Like `add`, for distinct values given once each with the number of rows holding
        them (`rows`, in the same order), so a column need not be expanded to be counted."""
        totals: dict[str, int] = {}
        for value, count in zip(values.astype("str"), rows):
            if not pd.isna(value):  # as value_counts, which leaves missing values out
                totals[value] = totals.get(value, 0) + int(count)
        # Most frequent first, ties in order of appearance: the order `add` counts them in.
        for value in sorted(totals, key=totals.get, reverse=True):
            self.counts[(mapping, column, value)] += totals[value]

    @classmethod
    def of_frames(cls, frames) -> UnmappedLog:
        """One log counting the values of several logs' tables (`frame()`, e.g. one per chunk
        of a file), their counts added."""
        log = cls()
        for frame in frames:
            for mapping, column, value, rows in frame[UNMAPPED_COLUMNS].itertuples(index=False):
                log.counts[(mapping, column, value)] += int(rows)
        return log

    def frame(self) -> pd.DataFrame:
        """The log as a table, most frequent first."""
        rows = [(m, c, v, n) for (m, c, v), n in self.counts.items()]
        frame = pd.DataFrame(rows, columns=UNMAPPED_COLUMNS)
        frame["rows"] = frame["rows"].astype("int64")
        return frame.sort_values(["rows", "value"], ascending=[False, True], ignore_index=True)
