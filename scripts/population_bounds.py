"""Regenerate pipelines/harmonize/maps/population_bounds.csv from World Bank SP.POP.TOTL files.

    python scripts/population_bounds.py API_SP.POP.TOTL_DS2_en_csv_v2_*.csv [more.csv ...]

Each input is a World Bank indicator CSV in the layout the World Bank's download gives
(metadata lines, then a header `Country Name,Country Code,Indicator Name,Indicator Code,1960,...`).
Several inputs are merged: a code in more than one must carry the same numbers in each, else
the script stops. Aggregates (regions, income groups, World, ...) are dropped: only ISO 3166-1
alpha-3 codes known to pycountry, plus XKX (Kosovo), are kept. For each code the bound is the
largest value over the years FIRST..LAST that the file has; first_year/last_year are the first
and last of those years with a value. Update SOURCE when the edition changes, and
maps/population_bounds.md with it.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pycountry

FIRST, LAST = 2000, 2024
SOURCE = "World Bank WDI, SP.POP.TOTL (Population, total), edition last updated 2024-11-13"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "pipelines" / "harmonize" / "maps" / "population_bounds.csv"
EXTRA_CODES = {"XKX"}


def read_indicator(path: Path) -> dict[str, dict[int, int]]:
    """Country code -> {year: value} of one World Bank indicator CSV (blank cells left out)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    start = next(i for i, row in enumerate(rows) if row[:2] == ["Country Name", "Country Code"])
    header = rows[start]
    years = {i: int(name) for i, name in enumerate(header) if name.strip().isdigit()}
    found = {}
    for row in rows[start + 1:]:
        if len(row) < 2 or not row[1]:
            continue
        if row[3] != "SP.POP.TOTL":
            raise SystemExit(f"{path}: {row[1]} is {row[3]}, not SP.POP.TOTL")
        found[row[1]] = {years[i]: int(cell) for i, cell in enumerate(row) if i in years and cell}
    return found


def is_country(code: str) -> bool:
    return code in EXTRA_CODES or pycountry.countries.get(alpha_3=code) is not None


def bounds(paths: list[Path]) -> list[dict]:
    merged: dict[str, dict[int, int]] = {}
    for path in paths:
        for code, series in read_indicator(path).items():
            if code in merged and merged[code] != series:
                raise SystemExit(f"{code}: {path} disagrees with an earlier input")
            merged[code] = series
    out = []
    for code in sorted(c for c in merged if is_country(c)):
        window = {y: v for y, v in merged[code].items() if FIRST <= y <= LAST}
        if window:
            out.append({"iso3": code, "max_population": max(window.values()),
                        "first_year": min(window), "last_year": max(window), "source": SOURCE})
    return out


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    rows = bounds([Path(a) for a in argv])
    with TARGET.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["iso3", "max_population", "first_year",
                                                    "last_year", "source"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{TARGET}: {len(rows)} countries")


if __name__ == "__main__":
    main(sys.argv[1:])
