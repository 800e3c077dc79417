"""The reviewed population bounds (maps/population_bounds.csv) and their loader."""

from __future__ import annotations

import csv
import re

import pycountry
import pytest

from pipelines.harmonize.population import BOUNDS_CSV, population_bound, population_bounds

COLUMNS = ["iso3", "max_population", "first_year", "last_year", "source"]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with BOUNDS_CSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_one_row_per_valid_code(rows):
    codes = [r["iso3"] for r in rows]
    assert len(codes) == len(set(codes)), "iso3 must be unique"
    invalid = [c for c in codes if c != "XKX" and pycountry.countries.get(alpha_3=c) is None]
    assert not invalid, f"not ISO 3166-1 alpha-3 (nor XKX): {invalid}"
    assert len(codes) > 200


def test_numbers_are_positive_integers_in_the_window(rows):
    for r in rows:
        assert re.fullmatch(r"[1-9][0-9]*", r["max_population"]), r
        assert re.fullmatch(r"[0-9]{4}", r["first_year"]), r
        assert re.fullmatch(r"[0-9]{4}", r["last_year"]), r
        assert 2000 <= int(r["first_year"]) <= int(r["last_year"]) <= 2024, r


def test_one_citation_named_in_the_notes(rows):
    sources = {r["source"] for r in rows}
    assert len(sources) == 1 and all(sources)
    notes = BOUNDS_CSV.with_suffix(".md").read_text(encoding="utf-8")
    assert sources.pop() in notes


@pytest.mark.parametrize("code, low, high", [("CHN", 1.3e9, 1.5e9), ("IND", 1.3e9, 1.5e9),
                                             ("PAK", 2e8, 3e8), ("SLE", 5e6, 1e7)])
def test_known_magnitudes(code, low, high):
    assert low < population_bound(code) < high


def test_loader():
    assert population_bound("ZZZ") is None
    assert population_bound("UNKNOWN") is None
    assert population_bound("XKX") is not None
    assert population_bounds() is population_bounds()  # read once
