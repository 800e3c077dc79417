"""Areas a source is published for: the reviewed list of US border counties in
maps/border_counties_us.csv (a stated proxy where a source does not mark migrants)."""

from __future__ import annotations

import csv
from functools import cache

import pandas as pd

from pipelines.harmonize.categories import MAPS
from pipelines.harmonize.labels import normalise_label


@cache
def border_counties() -> frozenset[tuple[str, str]]:
    """(state, county) of every listed county, as normalised labels."""
    with (MAPS / "border_counties_us.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["state"].startswith("#")]
    return frozenset((normalise_label(r["state"]), normalise_label(r["county"])) for r in rows)


def in_border_counties(state: pd.Series, county: pd.Series) -> pd.Series:
    """True where (state, county) is one of the listed border counties."""
    keys = zip(state.astype("str").map(normalise_label), county.astype("str").map(normalise_label))
    listed = border_counties()
    return pd.Series([key in listed for key in keys], index=state.index, dtype="bool")
