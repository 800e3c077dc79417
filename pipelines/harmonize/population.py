"""Published population bounds for data-model invariant 6: a cell larger than a published
population bound is quarantined. The bound of a country is the largest total population it had
over 2000-2023, from the reviewed table `maps/population_bounds.csv` (World Bank SP.POP.TOTL;
source, licence and derivation in `maps/population_bounds.md`)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

BOUNDS_CSV = Path(__file__).parent / "maps" / "population_bounds.csv"


@cache
def population_bounds() -> dict[str, int]:
    """ISO 3166-1 alpha-3 code (or XKX) -> largest published total population; read once."""
    with BOUNDS_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["iso3"]: int(row["max_population"]) for row in csv.DictReader(handle)}


def population_bound(iso3: str) -> int | None:
    """Upper bound on the number of people living in a country, or None when the table has no
    row for the code (an unknown code, an aggregate, one of the data model's special codes such
    as UNKNOWN, or a territory the source does not cover)."""
    return population_bounds().get(iso3)
