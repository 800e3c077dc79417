"""IOM Missing Migrants Project (MMP): incidents of migrants dead and missing in transit.

Every export generation since 2017 is read here; the format is told from the header and each
version is a header map onto the same internal names, not a copy of the parser.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import map_causes
from pipelines.harmonize.countries import map_countries
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.curate import (add_flag, finish_records, future_date_flags, native_text,
                                      record_ids, sex_unknown_counts, split_flags)
from pipelines.sources.formats import iter_versioned_csv, mapped_column, read_versioned_csv, read_versioned_xlsx
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.mmp import HEADERS, SCHEMAS


# Internal name <- published name, per format version. Missing keys: not in that format.
COLUMN_MAPS = {
    "kaggle_2017": {"record_id": "id", "cause": "cause_of_death", "nationality": "affected_nationality",
                    "missing": "missing", "dead": "dead", "region": "incident_region",
                    "date": "date", "quality": "reliability"},
    "web_id_2019": {"record_id": "Web ID", "region": "Region of Incident", "date": "Reported Date",
                    "year": "Reported Year", "month": "Reported Month", "dead": "Number Dead",
                    "missing": "Minimum Estimated Number of Missing", "total": "Total Dead and Missing",
                    "females": "Number of Females", "males": "Number of Males",
                    "children": "Number of Children", "cause": "Cause of Death",
                    "route": "Migration Route", "quality": "Source Quality"},
    "main_id_2022": {"record_id": "Incident ID", "region": "Region of Incident",
                     "date": "Incident Date", "year": "Incident year", "month": "Reported Month",
                     "dead": "Number of Dead",
                     "missing": "Minimum Estimated Number of Missing",
                     "total": "Total Number of Dead and Missing", "females": "Number of Females",
                     "males": "Number of Males", "children": "Number of Children",
                     "cause": "Cause of Death", "route": "Migration route", "quality": "Source Quality"},
    "kaggle_2023": {"region": "Region of Incident", "year": "Incident year", "month": "Reported Month",
                    "dead": "Number of Dead",
                    "missing": "Minimum Estimated Number of Missing",
                    "total": "Total Number of Dead and Missing", "females": "Number of Females",
                    "males": "Number of Males", "children": "Number of Children",
                    "cause": "Cause of Death", "route": "Migration route",
                    "nationality": "Country of Origin"},
    "country_2024": {"record_id": "Incident ID", "region": "Region of Incident",
                     "date": "Incident Date", "year": "Incident Year", "month": "Month",
                     "dead": "Number of Dead",
                     "missing": "Minimum Estimated Number of Missing",
                     "total": "Total Number of Dead and Missing", "females": "Number of Females",
                     "males": "Number of Males", "children": "Number of Children",
                     "cause": "Cause of Death", "route": "Migration Route", "quality": "Source Quality",
                     "nationality": "Country of Origin", "country": "Country of Incident"},
    "export_2026": {"record_id": "Incident ID", "region": "Region", "date": "Incident Date",
                    "year": "Year", "month": "Reported Month", "dead": "Number Dead",
                    "missing": "Minimum Estimated Number of Missing", "females": "Number of Females",
                    "males": "Number of Males", "children": "Number of Children",
                    "cause": "Cause of Death", "route": "Migration route", "quality": "Source Quality",
                    "nationality": "Country of Origin"},
}
COLUMN_MAPS["main_id_2022_website_date"] = {**COLUMN_MAPS["main_id_2022"], "date": "Website Date"}

# The "Web ID" exports and the 2017 copy date incidents by when they were reported.
YEAR_BASIS = {"kaggle_2017": "reported", "web_id_2019": "reported"}
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%B %d, %Y", "%a, %m/%d/%Y - %H:%M", "%d/%m/%Y")
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
CAUSE_SCHEMES = ("mmp_category", "free_text")
COUNT_COLUMNS = ("dead", "missing", "total", "females", "males", "children")


# --- load -----------------------------------------------------------------------------------

def read_raw(path: Path) -> RawTable:
    """Read an MMP export (CSV or XLSX) as text and check it against its raw schema."""
    if path.suffix.lower() != ".xlsx":
        return read_versioned_csv(path, HEADERS, SCHEMAS)
    return read_versioned_xlsx(path, HEADERS, SCHEMAS)


def read_raw_chunks(path: Path, rows: int) -> Iterator[RawTable]:
    """`read_raw` in chunks of up to `rows` records (a CSV export larger than memory; a
    workbook comes whole)."""
    if path.suffix.lower() == ".xlsx":
        yield read_raw(path)
        return
    yield from iter_versioned_csv(path, HEADERS, SCHEMAS, rows)


# --- process --------------------------------------------------------------------------------

def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise one MMP export into `deaths` rows; bad rows go to quarantine."""
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=raw.frame.index)
    out["record_id"] = record_ids(curation, raw, COLUMN_MAPS, label="incident id")
    out["flags"] = ""
    add_counts(out, raw, curation)
    add_dates_and_years(out, raw, curation, snapshot)
    add_places_and_causes(out, raw, log)
    return finish_records(out, raw, snapshot, curation, log)


def add_counts(out: pd.DataFrame, raw: RawTable, curation: Curation) -> None:
    """Dead, missing, the row total (the total column, else dead + missing), the sex and
    age splits, and the flags of IOM's arithmetic; rows without a usable total are rejected."""
    columns = COLUMN_MAPS[raw.format_version]
    counts = {}
    for name in COUNT_COLUMNS:
        values, bad = parse_counts(mapped_column(raw, COLUMN_MAPS, name))
        if bad.any():
            curation.reject(bad, columns[name], "whole_number", f"{columns[name]!r} is not a whole number")
        counts[name] = values
    out["dead"], out["missing"] = counts["dead"], counts["missing"]
    parts = counts["dead"].fillna(0) + counts["missing"].fillna(0)
    has_parts = counts["dead"].notna() | counts["missing"].notna()
    total = counts["total"].fillna(parts.where(has_parts))
    no_total = total.isna().to_numpy() | (total < 0).fillna(False).to_numpy()
    curation.reject(no_total, columns.get("total", columns["dead"]), "total_present",
                    "no usable total: the total is negative, or blank with dead and missing blank too")
    out["dead_and_missing"] = total
    out["female"], out["male"], out["children"] = counts["females"], counts["males"], counts["children"]
    out["flags"] = add_flag(out["flags"], (counts["total"].notna() & has_parts &
                                           (counts["total"] != parts)).fillna(False),
                            "total_differs_from_parts")
    if "females" in columns:
        out["sex_unknown"] = sex_unknown_counts(out)
    else:
        out["sex_unknown"] = pd.array([pd.NA] * len(out), dtype="Int64")
    if "children" in columns:
        children = out["children"].fillna(0)
        out["age_unknown"] = total.where(children > total, total - children).astype("Int64")
    out["flags"] = split_flags(out)


def add_dates_and_years(out: pd.DataFrame, raw: RawTable, curation: Curation,
                        snapshot: Snapshot) -> None:
    """Event date and year: the year column, else the date's year, else the year prefix of
    IOM's id (flagged, year_basis `record_id`); rows with none of these are rejected."""
    columns = COLUMN_MAPS[raw.format_version]
    dates, bad_dates = parse_dates(mapped_column(raw, COLUMN_MAPS, "date"), DATE_FORMATS)
    out["event_date"] = dates
    out["flags"] = add_flag(out["flags"], bad_dates, "date_unparsed")
    years, bad_years = parse_counts(mapped_column(raw, COLUMN_MAPS, "year"))
    year = years.fillna(pd.Series(dates.dt.year, index=dates.index).astype("Int64"))
    # Only rows still without a year need the id's prefix (extracting it is slow per row).
    from_id = out["record_id"][year.isna()].str.extract(r"^(\d{4})\.", expand=False)
    from_id_found = from_id.notna().reindex(year.index, fill_value=False)
    by_id = (year.isna() & from_id_found).to_numpy()
    out["flags"] = add_flag(out["flags"], by_id, "year_from_record_id")
    year = year.fillna(pd.to_numeric(from_id, errors="coerce").astype("Int64"))
    curation.reject(year.isna().to_numpy() | bad_years, columns.get("year", "date"),
                    "year_present", "no year: the year and date are blank or unreadable")
    out["year"] = year.astype("Int32")
    out["flags"] = future_date_flags(out["flags"], dates, snapshot)
    # A year read from the id is on its own basis, so that each basis sums to the
    # publisher's own column (its year, or its date's year).
    out["year_basis"] = np.where(by_id, "record_id", YEAR_BASIS.get(raw.format_version, "incident"))
    # Where the records stop (partial years): the date, else the year and month columns
    # (the Kaggle 2023 copy has no dates); only rows without a date are looked at again.
    undated = dates.isna().to_numpy()
    out["_dated"] = dates
    if undated.any():
        month = mapped_column(raw, COLUMN_MAPS, "month")[undated].str.strip().str[:3].str.lower()
        month, year_of = month.map(MONTHS), year[undated]
        known = year_of.notna() & month.notna()
        out.loc[undated, "_dated"] = pd.to_datetime(pd.DataFrame(
            {"year": year_of.where(known, 2000), "month": month.where(known, 1), "day": 1})).where(known)


def add_places_and_causes(out: pd.DataFrame, raw: RawTable, log: UnmappedLog) -> None:
    """Region and route as published; country of incident and origin as codes; cause and
    the criminal flag; scope and source quality."""
    columns = COLUMN_MAPS[raw.format_version]
    out["region"] = native_text(mapped_column(raw, COLUMN_MAPS, "region"))
    out["route"] = native_text(mapped_column(raw, COLUMN_MAPS, "route"))
    if "country" in columns:
        country = mapped_column(raw, COLUMN_MAPS, "country")
        out["country_native"] = native_text(country)
        out["country_iso3"] = map_countries(country, log, columns["country"])
    if "nationality" in columns:
        nationality = mapped_column(raw, COLUMN_MAPS, "nationality")
        out["nationality_native"] = native_text(nationality)
        out["nationality"] = map_countries(nationality, log, columns["nationality"])
    cause = mapped_column(raw, COLUMN_MAPS, "cause")
    out[["cause", "criminal", "criminal_rule"]] = map_causes(cause, CAUSE_SCHEMES, log, columns["cause"])
    out["cause_native"] = native_text(cause)
    out["scope"] = "in_transit"
    quality = mapped_column(raw, COLUMN_MAPS, "quality").str.strip().str.capitalize()
    out["source_quality"] = quality.replace("", None)


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row, as the publisher's arithmetic gives it (for tests)."""
    total, _ = parse_counts(mapped_column(raw, COLUMN_MAPS, "total"))
    dead, _ = parse_counts(mapped_column(raw, COLUMN_MAPS, "dead"))
    missing, _ = parse_counts(mapped_column(raw, COLUMN_MAPS, "missing"))
    return total.fillna(dead.fillna(0) + missing.fillna(0)).astype("Int64")


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="mmp",
        title="Missing Migrants Project",
        publisher="International Organization for Migration (IOM)",
        landing_page="https://missingmigrants.iom.int/downloads",
        licence="CC BY 4.0 IGO (as stated on HDX); not stated in the copies held",
        stream="deaths",
        cadence="continuous (website updated as incidents are recorded)",
        max_age_days=14,
        product="global",
        # The download sits behind a terms page: drop the file into data/raw/mmp/<date>/ by hand.
        download_url=None,
        citation="IOM Missing Migrants Project, https://missingmigrants.iom.int (minimum estimates).",
    ),
    file_patterns=("*.csv", "*.xlsx"),
    one_file_per_snapshot=True,
    headers=HEADERS,
    read_raw=read_raw,
    read_raw_chunks=read_raw_chunks,
    to_curated=to_curated,
)
