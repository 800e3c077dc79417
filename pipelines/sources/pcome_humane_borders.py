"""Pima County Office of the Medical Examiner / Humane Borders: migrant remains recovered in
southern Arizona (the "Arizona OpenGIS Initiative for Deceased Migrants"), one person a row.

Choices: the year is the year of the Reporting Date (year_basis `reported`; the date of death
is often unknowable for skeletal remains); `region` is the County as published (the OME's
jurisdiction, mixed case kept; Corridor is Humane Borders' own grouping); scope is `in_transit`
(remains found along the crossing routes in the desert, not in custody); the files have no
nationality column. The cause is the OME's category; where that says nothing (Skeletal Remains,
Undetermined, Pending, Other Injury / Homicide...), the OME Determined COD text decides when
it states more. Neither the Name nor the COD free text is copied into curated rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import age_groups, map_causes, map_labels
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.curate import (add_flag, finish_records, future_date_flags, native_text,
                                      record_ids, reject_missing_years)
from pipelines.sources.formats import VersionedCsv, mapped_column
from pipelines.sources.person import person_counts
from pipelines.sources.person import row_totals  # noqa: F401 (one person a row; for tests)
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.pcome_humane_borders import HEADERS, SCHEMAS


# Internal name <- published name, per format version. Missing keys: not in that format.
COLUMN_MAPS = {
    "underscore_2018": {"record_id": "ML_Number", "sex": "Sex", "age": "Age",
                        "date": "Reporting_Date", "cause": "Cause_of_Death", "state": "State",
                        "county": "County"},
    "quoted_2021": {"record_id": "ML Number", "sex": "Sex", "age": "Age",
                    "date": "Reporting Date", "cause": "Cause of Death",
                    "cause_text": "OME Determined COD", "state": "State", "county": "County"},
}
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%y")
TWO_DIGIT_YEAR = r"^\d{1,2}/\d{1,2}/\d{2}$"
AGE_SENTINEL = {"underscore_2018": 100}  # the 2018 copy writes unknown age as 100
CATEGORY_SCHEMES = ("pcome",)
TEXT_SCHEMES = ("pcome_cod",)


# --- load -----------------------------------------------------------------------------------

# One OGIS CSV as text, checked against its raw schema; whole or in chunks.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- process --------------------------------------------------------------------------------

def whole_year_ages(raw: RawTable, curation: Curation, out: pd.DataFrame) -> pd.Series:
    """Age in years: an age that is not a whole number of years goes to quarantine, and the
    old format's unknown-age sentinel becomes null (flagged `age_sentinel_unknown`)."""
    version, column = raw.format_version, COLUMN_MAPS[raw.format_version]["age"]
    age, bad_age = parse_counts(mapped_column(raw, COLUMN_MAPS, "age"))
    curation.reject(bad_age | (age < 0).fillna(False).to_numpy(), column, "whole_number",
                    f"{column!r} is not a whole number of years")
    sentinel = (age == AGE_SENTINEL[version]).fillna(False) if version in AGE_SENTINEL else (
        pd.Series(False, index=out.index))
    out["flags"] = add_flag(out["flags"], sentinel, "age_sentinel_unknown")
    return age.mask(sentinel)


def reporting_dates(text: pd.Series, snapshot: Snapshot) -> tuple[pd.Series, np.ndarray]:
    """Dates and the mask of unreadable ones. A two-digit year takes the latest century that
    does not put the date after the snapshot's end (records start in 1981)."""
    dates, bad = parse_dates(text, DATE_FORMATS)
    end = snapshot.period_end_date()
    if end is not None:
        two_digit = text.str.strip().str.match(TWO_DIGIT_YEAR)
        late = two_digit & (dates > pd.Timestamp(end)).fillna(False)
        dates = dates.mask(late, dates[late] - pd.DateOffset(years=100))
    return dates, bad


def causes(raw: RawTable, log: UnmappedLog) -> pd.DataFrame:
    """cause, criminal, criminal_rule from the OME category, refined by the OME text where
    the category gives no cause (its rule then says `ome_text_...`)."""
    version = raw.format_version
    by_category = map_causes(mapped_column(raw, COLUMN_MAPS, "cause"), CATEGORY_SCHEMES, log,
                             COLUMN_MAPS[version]["cause"])
    if "cause_text" not in COLUMN_MAPS[version]:
        return by_category
    open_rows = by_category["cause"] == "unknown"
    text = mapped_column(raw, COLUMN_MAPS, "cause_text").where(open_rows, "")
    by_text = map_causes(text, TEXT_SCHEMES, log, COLUMN_MAPS[version]["cause_text"])
    refine = open_rows & (by_text["cause"] != "unknown")
    by_text["criminal_rule"] = "ome_text_" + by_text["criminal_rule"]
    return by_category.mask(refine, by_text)


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise one OGIS file into `deaths` rows (one person each); bad rows go to quarantine."""
    names = COLUMN_MAPS[raw.format_version]
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=raw.frame.index)
    out["flags"] = ""

    out["record_id"] = record_ids(curation, raw, COLUMN_MAPS, label="ML Number",
                                  repeated="the ML Number")
    sex = map_labels(mapped_column(raw, COLUMN_MAPS, "sex"), "sex", log, names["sex"])
    age = whole_year_ages(raw, curation, out)
    person_counts(out, sex, age, age_groups(age))

    dates, bad_dates = reporting_dates(mapped_column(raw, COLUMN_MAPS, "date"), snapshot)
    reject_missing_years(curation, dates.isna().to_numpy(), bad_dates, names["date"],
                         "the Reporting Date")
    out["event_date"] = dates
    out["year"] = pd.Series(dates.dt.year, index=out.index).astype("Int32")
    out["year_basis"] = "reported"
    out["flags"] = future_date_flags(out["flags"], dates, snapshot)

    out["region"] = native_text(mapped_column(raw, COLUMN_MAPS, "county"))
    out["country_iso3"] = "USA"
    out["country_native"] = native_text(mapped_column(raw, COLUMN_MAPS, "state"))
    out[["cause", "criminal", "criminal_rule"]] = causes(raw, log)
    out["cause_native"] = native_text(mapped_column(raw, COLUMN_MAPS, "cause"))
    out["scope"] = "in_transit"
    return finish_records(out, raw, snapshot, curation, log)


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="pcome_humane_borders",
        title="Arizona OpenGIS Initiative for Deceased Migrants",
        publisher="Humane Borders with the Pima County Office of the Medical Examiner",
        landing_page="https://humaneborders.info/app/map.asp",
        licence="not stated",
        stream="deaths",
        cadence="quarterly (map data refreshed as the OME reports new cases)",
        max_age_days=120,
        product="arizona_ogis",
        # The CSV is exported from the map page; no stable file address: drop it in by hand.
        download_url=None,
        person_level=True,
        name_columns=("Name",),
        citation="Humane Borders / Pima County Office of the Medical Examiner, Arizona OpenGIS "
                 "Initiative for Deceased Migrants, https://humaneborders.info/app/map.asp",
    ),
    file_patterns=("*.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    read_raw_chunks=CSV.read_chunks,
    to_curated=to_curated,
)
