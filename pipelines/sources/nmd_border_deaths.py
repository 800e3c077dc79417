"""No More Deaths "Border Death Database": deaths of migrants recorded by county medical
examiners, sheriffs and the Border Patrol's El Paso sector along the US-Mexico border,
1981-2025, one person a row, as a third party standardised and merged its 13 sheets
(`kind = derived`).

Choices:

- The year is the file's Year column (written as float text, "2002.0"); where it is blank,
  the year of the Date. A row with neither goes to quarantine; a Year that disagrees with its
  Date's year is kept and flagged `year_differs_from_date`. Dates come as "2002-06-12
  00:00:00", "2/8/2002" or "3/7/2020 0950"; a date that is only a year ("2022") is not a day
  and stays unread (flag `date_unparsed`). year_basis `found`: the date the sub-source records
  for the recovery (the Pima County rows: `reported`, the examiner's Reporting Date, as in
  pcome_humane_borders).
- Sex from Gender (M/F/U and Male/Female); age from Age (float text), else the group of
  Age_Range (maps/age_labels.csv); nationality from Nationality (maps/countries.csv; blank is
  `UNKNOWN`, a tentative one such as "Tent Mexico" or "India?" is `UNKNOWN`). No race column:
  `not_recorded`.
- Cause: the Pima County examiner's categories read with the `pcome` rules, the other
  sub-sources' free text with the `nmd` rules (maps/causes_nmd.csv): criminal only where a
  shooting, stabbing or homicide is stated, non_criminal only where a disease or natural or
  accidental death is; a mechanism alone or "Skeletal Remains" stays unknown / undetermined.
- `region` is the County, upper-case spellings made title case ("PIMA" -> "Pima");
  `country_native` the State only where it is a US border state (Arizona, Texas, New Mexico,
  California): elsewhere the State column holds the decedent's home state or department,
  which is not copied. The place is the USA; scope `in_transit`.

The Pima County Office of the Medical Examiner's rows (Source "Pima County Office of the
Medic", 4,492 in the 2026 copy) are the examiner's own records, which the release publishes as
`pcome_humane_borders`: they are kept in the catalog (for record linkage) and flagged
`pima_examiner_record;not_in_stats`, so that nmd_border_deaths' statistics count only the
other sub-sources and never present the examiner's deaths as a second, independent count.
The sheet "Maverick County" repeats the sheet "Maverick" (the same day, sex and, mostly,
point): its rows that have such a twin are flagged `repeats_other_sheet;not_in_stats`, so a
death in both sheets is counted once.
The statistics' partial years follow the records they count: the last date of the other
sub-sources (each stops on its own date: Kenedy County in 2021, Other Texas Counties in 2023,
San Diego's examiner in October 2025), not the Pima examiner's: recent years hold fewer
sub-sources than earlier ones. Latitude and Longitude are not copied into `deaths` (its layout
has no coordinates); `coordinates` reads them for linkage, with the quirks of the copy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import age_groups, map_causes, map_labels
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.curate import (add_flag, content_record_ids, finish_records,
                                      future_date_flags, native_text)
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.person import nationalities, person_counts
from pipelines.sources.person import row_totals  # noqa: F401 (one person a row; for tests)
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.nmd_border_deaths import HEADERS, SCHEMAS

DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%m/%d/%Y", "%m/%d/%Y %H%M")
CAUSE_SCHEMES = ("pcome", "nmd")
PIMA_SOURCE = "pima county"  # the start of the (truncated) Source label of the Pima OME's rows
PIMA_FLAGS = "pima_examiner_record;not_in_stats"
# The sheet "Maverick County" (91 rows, 2015-2024) repeats deaths of the sheet "Maverick":
# every row has one there found the same day, of the same sex (86 also at the same point to
# the fifth decimal). Its repeats are kept in the catalog and left out of the statistics.
REPEATING_SHEET, REPEATED_SHEET = "maverick county", "maverick"
REPEAT_FLAGS = "repeats_other_sheet;not_in_stats"
RECOVERY_STATES = {"arizona", "texas", "new mexico", "california"}


# --- load -----------------------------------------------------------------------------------

# The merged CSV as text, checked against its raw schema.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- process --------------------------------------------------------------------------------

def pima_rows(raw: RawTable) -> pd.Series:
    """True for the Pima County medical examiner's rows (the examiner's own records)."""
    return raw.frame["Source"].map(normalise_label).str.startswith(PIMA_SOURCE)


def repeated_sheet_rows(raw: RawTable, day: pd.Series, sex: pd.Series) -> np.ndarray:
    """True for the rows of REPEATING_SHEET that repeat a row of REPEATED_SHEET: the same day
    and sex, the n-th such row of one sheet matched to the n-th of the other (so a day with
    more deaths in the repeating sheet than in the other keeps the extra ones counted)."""
    rows = pd.DataFrame({"sheet": raw.frame["Source"].map(normalise_label).to_numpy(),
                         "day": day.to_numpy(), "sex": sex.to_numpy()}).dropna(subset=["day"])
    rows["n"] = rows.groupby(["sheet", "day", "sex"], dropna=False).cumcount()
    key = ["day", "sex", "n"]
    repeats = (rows[rows["sheet"] == REPEATING_SHEET].reset_index()
               .merge(rows.loc[rows["sheet"] == REPEATED_SHEET, key], on=key)["index"])
    return np.isin(np.arange(len(raw.frame)), repeats.to_numpy())


def years_and_dates(raw: RawTable, curation: Curation, snapshot: Snapshot, out: pd.DataFrame) -> None:
    """year (the Year column, else the Date's year), event_date and the date flags; rows
    with no year at all go to quarantine."""
    frame = raw.frame
    dates, bad_dates = parse_dates(frame["Date"], DATE_FORMATS)
    date_year = pd.Series(dates.dt.year, index=out.index).astype("Int32")
    year, bad_year = parse_counts(frame["Year"])
    curation.reject(bad_year, "Year", "year_present", "the Year is not a whole number")
    year = year.astype("Int32").fillna(date_year)
    missing = (year.isna().to_numpy() & ~bad_year)
    curation.reject(missing & ~bad_dates, "Date", "year_present",
                    "no year: the Year and the Date are blank")
    curation.reject(missing & bad_dates, "Date", "year_present",
                    "no year: the Year is blank and the Date is not in a known date format")
    curation.reject(((year < 1900) | (year > 2100)).fillna(False).to_numpy(), "Year",
                    "year_in_range", "the year is outside 1900-2100")
    out["flags"] = add_flag(out["flags"], bad_dates, "date_unparsed")
    out["flags"] = add_flag(out["flags"], (date_year.notna() & (date_year != year)).fillna(False),
                            "year_differs_from_date")
    out["flags"] = future_date_flags(out["flags"], dates, snapshot)
    out["event_date"], out["year"] = dates.dt.normalize(), year  # a time of day is dropped


def ages(raw: RawTable, curation: Curation, log: UnmappedLog) -> tuple[pd.Series, pd.Series]:
    """(age in years, age group): the Age cell, else the group of the Age_Range cell."""
    years, bad = parse_counts(raw.frame["Age"])
    curation.reject(bad | (years < 0).fillna(False).to_numpy(), "Age", "whole_number",
                    "'Age' is not a whole number of years")
    groups = age_groups(years)
    by_range = map_labels(raw.frame["Age_Range"], "age_labels", log, "Age_Range")
    return years, groups.mask(years.isna(), by_range)


def counties(text: pd.Series) -> pd.Series:
    """County names with upper-case spellings made title case ("SANTA CRUZ" -> "Santa Cruz")."""
    text = text.str.strip()
    upper = text.str.isupper()
    return native_text(text.mask(upper, text.str.title()))


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise the merged file into `deaths` rows (one person each); bad rows go to
    quarantine; the Pima County examiner's rows and the repeats of the Maverick sheet are
    kept out of the statistics."""
    frame = raw.frame
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=frame.index)
    pima = pima_rows(raw)
    out["flags"] = np.where(pima, PIMA_FLAGS, "")
    out["record_id"] = content_record_ids(curation, frame)

    sex = map_labels(frame["Gender"], "sex", log, "Gender")
    age, groups = ages(raw, curation, log)
    person_counts(out, sex, age, groups)
    years_and_dates(raw, curation, snapshot, out)
    repeats = repeated_sheet_rows(raw, out["event_date"], sex)
    for flag in REPEAT_FLAGS.split(";"):
        out["flags"] = add_flag(out["flags"], repeats, flag)
    out["year_basis"] = np.where(pima, "reported", "found")

    out["region"] = counties(frame["County"])
    state = frame["State"].str.strip()
    out["country_native"] = native_text(state.where(state.map(normalise_label).isin(RECOVERY_STATES), ""))
    out["country_iso3"] = "USA"
    nationalities(out, frame["Nationality"], log, "Nationality", frame["Nationality"])
    out[["cause", "criminal", "criminal_rule"]] = map_causes(frame["Cause_of_Death"],
                                                             CAUSE_SCHEMES, log, "Cause_of_Death")
    out["cause_native"] = native_text(frame["Cause_of_Death"].str.replace(r"\s+", " ", regex=True))
    out["scope"] = "in_transit"
    # Where the published records stop (a later year is partial): the Pima examiner's rows
    # run to the end of 2025, the other sub-sources stop earlier (San Diego 2025-10-03).
    out["_dated"] = out["event_date"].where(~pima)
    return finish_records(out, raw, snapshot, curation, log)


def coordinates(raw: RawTable) -> pd.DataFrame:
    """Latitude and longitude as numbers (null where blank or unreadable), for record linkage.
    The copy writes some latitudes with a trailing comma ("32.63366522822624,") and one cell
    holds both ("32.877401469913465, -117.25196860496008"): the first number is the latitude,
    and a second one fills a blank Longitude."""
    lat_parts = raw.frame["Latitude"].str.split(",", n=1, expand=True).reindex(columns=[0, 1])
    latitude = pd.to_numeric(lat_parts[0].str.strip(), errors="coerce")
    longitude = pd.to_numeric(raw.frame["Longitude"].str.strip().str.rstrip(","), errors="coerce")
    second = pd.to_numeric(lat_parts[1].astype("object").fillna("").astype("str").str.strip(), errors="coerce")
    longitude = longitude.fillna(second)
    return pd.DataFrame({"latitude": latitude.where(latitude.between(-90, 90)),
                         "longitude": longitude.where(longitude.between(-180, 180))})


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="nmd_border_deaths",
        title="Border Death Database (US-Mexico border, medical examiners and sheriffs)",
        publisher="No More Deaths / No Más Muertes, compiled from county medical examiners, "
                  "sheriffs and Border Patrol records; standardised and merged by a third "
                  "party (dprieto-robles/border-deaths-malloy)",
        landing_page="https://nomoredeaths.org/",
        licence="not stated",
        stream="deaths",
        cadence="irregular (the database is updated as examiners' records are obtained)",
        max_age_days=None,
        product="border_deaths_master",
        download_url=None,  # a merged copy from a repository: dropped in by hand
        person_level=True,
        # The merge carries no name column (the database's names were not kept). Declared so
        # that a copy with the database's Name column is covered by the name check.
        name_columns=("Name",),
        citation="No More Deaths, Border Death Database (13 sheets: Pima, Yuma, San Diego, "
                 "Imperial, Brooks, Kenedy, Maverick and other Texas counties, El Paso sector), "
                 "as merged in dprieto-robles/border-deaths-malloy (2026-04-29)",
    ),
    file_patterns=("border_deaths_master.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
