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

from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.fetching import fetch_snapshot
from pipelines.harmonize.categories import map_causes, map_labels
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable, SourceSpec
from pipelines.sources.curate import add_flag, finish_records
from pipelines.sources.formats import detect_format, validate_raw
from pipelines.sources.readers import read_csv_text, read_header
from schemas.raw.pcome_humane_borders import HEADERS, SCHEMAS

SOURCE = SourceSpec(
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
)
FILE_PATTERNS = ("*.csv",)

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

def fetch(raw_dir: Path) -> Path | None:
    """No stable download address (the CSV comes from the map page); files are dropped in."""
    return fetch_snapshot(SOURCE, raw_dir)


def read_raw(path: Path) -> RawTable:
    """Read one OGIS CSV as text and check it against its raw schema."""
    version = detect_format(path, read_header(path), HEADERS)
    raw = read_csv_text(path, version)
    validate_raw(raw, SCHEMAS[raw.format_version])
    return raw


# --- process --------------------------------------------------------------------------------

def _column(raw: RawTable, name: str) -> pd.Series:
    """A published column under its internal name, or blanks where the format lacks it."""
    published = COLUMN_MAPS[raw.format_version].get(name)
    if published is None:
        return pd.Series("", index=raw.frame.index, dtype="str")
    return raw.frame[published].astype("str")


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
    by_category = map_causes(_column(raw, "cause"), CATEGORY_SCHEMES, log,
                             COLUMN_MAPS[version]["cause"])
    if "cause_text" not in COLUMN_MAPS[version]:
        return by_category
    open_rows = by_category["cause"] == "unknown"
    text = _column(raw, "cause_text").where(open_rows, "")
    by_text = map_causes(text, TEXT_SCHEMES, log, COLUMN_MAPS[version]["cause_text"])
    refine = open_rows & (by_text["cause"] != "unknown")
    by_text["criminal_rule"] = "ome_text_" + by_text["criminal_rule"]
    return by_category.mask(refine, by_text)


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise one OGIS file into `deaths` rows (one person each); bad rows go to quarantine."""
    version = raw.format_version
    names = COLUMN_MAPS[version]
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=raw.frame.index)
    out["flags"] = ""

    ids = _column(raw, "record_id").str.strip()
    curation.reject(ids == "", names["record_id"], "record_id_present", "the row has no ML Number")
    repeated = ids.duplicated(keep="first") & (ids != "")
    curation.reject(repeated, names["record_id"], "record_id_unique",
                    "the ML Number repeats an earlier row of the file (a duplicate)")
    out["record_id"] = ids

    one = pd.Series(1, index=out.index, dtype="Int64")
    out["dead"], out["missing"], out["dead_and_missing"] = one, one * 0, one
    sex = map_labels(_column(raw, "sex"), "sex", log, names["sex"])
    out["female"] = (sex == "female").astype("Int64")
    out["male"] = (sex == "male").astype("Int64")
    out["sex_unknown"] = (~sex.isin(["female", "male"])).astype("Int64")

    age, bad_age = parse_counts(_column(raw, "age"))
    curation.reject(bad_age | (age < 0).fillna(False).to_numpy(), names["age"], "whole_number",
                    f"{names['age']!r} is not a whole number of years")
    sentinel = (age == AGE_SENTINEL[version]).fillna(False) if version in AGE_SENTINEL else (
        pd.Series(False, index=out.index))
    out["flags"] = add_flag(out["flags"], sentinel, "age_sentinel_unknown")
    age = age.mask(sentinel)
    out["age_years"] = age
    out["children"] = (age < 18).fillna(False).astype("Int64")
    out["adults"] = (age >= 18).fillna(False).astype("Int64")
    out["age_unknown"] = age.isna().astype("Int64")

    dates, bad_dates = reporting_dates(_column(raw, "date"), snapshot)
    curation.reject(dates.isna().to_numpy() & ~bad_dates, names["date"], "year_present",
                    "no year: the Reporting Date is blank")
    curation.reject(bad_dates, names["date"], "year_present",
                    "no year: the Reporting Date is not in a known date format")
    out["event_date"] = dates
    out["year"] = pd.Series(dates.dt.year, index=out.index).astype("Int32")
    out["year_basis"] = "reported"
    if snapshot.period_end_date() and not snapshot.is_sample:
        limit = pd.Timestamp(snapshot.period_end_date()) + pd.Timedelta(days=1)
        out["flags"] = add_flag(out["flags"], (dates > limit).fillna(False), "future_date")

    out["region"] = _column(raw, "county").str.strip().replace("", None)
    out["country_iso3"] = "USA"
    out["country_native"] = _column(raw, "state").str.strip().replace("", None)
    out[["cause", "criminal", "criminal_rule"]] = causes(raw, log)
    out["cause_native"] = _column(raw, "cause").str.strip().replace("", None)
    out["scope"] = "in_transit"
    return finish_records(out, raw, snapshot, curation, log)


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row: one person each (for tests)."""
    return pd.Series(1, index=raw.frame.index, dtype="Int64")
