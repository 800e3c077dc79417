"""Lists of deaths on the way to Europe (incident-level: an entry counts several people): the
publisher's yearly sum of its own count column, computed with pandas from the raw CSV, as
expected grand totals of deaths_stats."""

from __future__ import annotations

import pandas as pd

from tests.reference.published import Published, assert_yearly, require_snapshot


def check_yearly_sums(published: Published, source: str, snapshot: str, years: pd.Series,
                      counts: pd.Series, year_basis: str, what: str, **cell) -> pd.DataFrame:
    """deaths_stats cell per year (dimensions not named in `cell` are `all`) = the sum of
    `counts` over the rows of that year; no other year published."""
    require_snapshot(published, "deaths_stats", source, snapshot)
    frame = pd.DataFrame({"year": years, "n": counts}).dropna()
    expected = frame.groupby("year")["n"].sum().rename("exp_value").reset_index()
    expected["year"] = expected["year"].astype(int)
    return assert_yearly(published.stats("deaths_stats", source), snapshot, expected, what,
                         unit="persons", year_basis=year_basis, **cell)
