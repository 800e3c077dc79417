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

    def frame(self) -> pd.DataFrame:
        """The log as a table, most frequent first."""
        rows = [(m, c, v, n) for (m, c, v), n in self.counts.items()]
        frame = pd.DataFrame(rows, columns=UNMAPPED_COLUMNS)
        frame["rows"] = frame["rows"].astype("int64")
        return frame.sort_values(["rows", "value"], ascending=[False, True], ignore_index=True)
