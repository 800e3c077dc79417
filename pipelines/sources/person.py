"""Person-level sources (one person a row): the row turned into the 0/1 counts, age, sex, date
and nationality columns of `deaths`. What a source writes its own way (which columns, a
two-digit-year rule, an age sentinel, indicator columns) stays in its module."""

from __future__ import annotations

import pandas as pd

from pipelines.harmonize.categories import age_groups, map_labels
from pipelines.harmonize.countries import map_countries
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, RawTable
from pipelines.sources.curate import (add_flag, future_date_flags, native_text,
                                      reject_missing_years)


def clean_text(text: pd.Series) -> pd.Series:
    """PDF-extraction artefacts made plain: non-breaking and doubled spaces collapsed, the
    Unicode hyphen (U+2010, followed by a line-break space) joined as "-"."""
    text = text.astype("str").str.replace(r"\u2010\s*", "-", regex=True)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def ages(text: pd.Series, log: UnmappedLog, column: str) -> tuple[pd.Series, pd.Series]:
    """(age in years, age group) from an Age cell holding a number ("40", "40.0") or a word
    ("unknown", "Adult", "Infant", "N/A (adult)") read through maps/age_labels.csv. A number
    outside 0-120 is read as an unknown age."""
    cleaned = text.astype("str").str.replace(r"\s+", " ", regex=True).str.strip()
    cleaned = cleaned.str.replace(r"(?i)^n/a \((.+)\)$", r"\1", regex=True)
    years, words = parse_counts(cleaned)
    years = years.where((years >= 0) & (years <= 120))
    groups = age_groups(years)
    labelled = map_labels(cleaned.where(words, ""), "age_labels", log, column)
    return years, groups.mask(words, labelled)


def person_counts(out: pd.DataFrame, sex: pd.Series | None, years: pd.Series,
                  groups: pd.Series) -> None:
    """The 0/1 counts of a one-person row: dead, sex (left null where the source has no sex
    column, which the statistics read as not_recorded) and age group."""
    one = pd.Series(1, index=out.index, dtype="Int64")
    out["dead"], out["missing"], out["dead_and_missing"] = one, one * 0, one
    if sex is not None:
        out["female"] = (sex == "female").astype("Int64")
        out["male"] = (sex == "male").astype("Int64")
        out["sex_unknown"] = (~sex.isin(["female", "male"])).astype("Int64")
    out["age_years"] = years.astype("Int64")
    out["children"] = (groups == "child").astype("Int64")
    out["adults"] = (groups == "adult").astype("Int64")
    out["age_unknown"] = (~groups.isin(["child", "adult"])).astype("Int64")


def death_dates(curation: Curation, text: pd.Series, column: str, formats: tuple[str, ...],
                snapshot: Snapshot, out: pd.DataFrame,
                fallback_year: pd.Series | None = None) -> None:
    """event_date, year and year_basis from the date of death (or `fallback_year` where the
    date is blank or unreadable); rows left without a plausible year go to quarantine."""
    dates, bad = parse_dates(text, formats)
    year = pd.Series(dates.dt.year, index=out.index).astype("Int32")
    if fallback_year is not None:
        year = year.fillna(fallback_year.astype("Int32"))
    missing = year.isna().to_numpy()
    reject_missing_years(curation, missing, bad, column, f"{column!r}")
    curation.reject(((year < 1900) | (year > 2100)).fillna(False).to_numpy(), column,
                    "year_in_range", "the year is outside 1900-2100")
    out["flags"] = add_flag(out["flags"], bad & ~missing, "date_unparsed")
    out["event_date"], out["year"], out["year_basis"] = dates, year, "incident"
    out["flags"] = future_date_flags(out["flags"], dates, snapshot)


def nationalities(out: pd.DataFrame, text: pd.Series, log: UnmappedLog, column: str,
                  native: pd.Series) -> None:
    """nationality and its native text; U.S. nationals kept, with a flag."""
    out["nationality_native"] = native_text(native)
    out["nationality"] = map_countries(text, log, column)
    out["flags"] = add_flag(out["flags"], out["nationality"] == "USA",
                            "national_of_reporting_country")


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row: one person each (for tests)."""
    return pd.Series(1, index=raw.frame.index, dtype="Int64")
