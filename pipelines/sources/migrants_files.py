"""The Migrants' Files: events during which someone died trying to reach or stay in Europe,
2000 to June 2016 (a consortium of journalists, Journalism++; discontinued on 24 June 2016).
One event a row, several dead or missing: incident-level, like MMP.

Choices:
- Counts as MMP's: `dead_and_missing` is the file's own total column (dead + missing where it
  is blank); `dead` and `missing` as published, often short of the total (the remainder is
  status `unknown`; `total_differs_from_parts` flags it); a row without a usable total is
  quarantined.
- The date is the event's (`date`, an ISO timestamp whose hour is a time-zone artefact: the
  day is kept), the year the `Year` column, else the date's (year_basis `incident`). The rows
  with neither (2 events and 13 empty rows at the end of the 2016 file) are quarantined.
- `Event_id` is the record id; where blank (329 rows, mostly 2015-2016) a content hash of the
  row stands in. A repeated id is a duplicate and is quarantined.
- The route is `route (Frontex)` as published; there is no country, nationality, sex or age
  column (`not_recorded`, country `UNKNOWN`; the coordinates stay in the raw file).
- Cause: the `cause_of_death` label through maps/causes_migrants_files.csv (criminal only
  where violence or murder is stated); scope `in_custody` where the description says
  detention, prison or deportation, else `unknown` (the file holds deaths in transit and
  deaths of people trying to stay). `name` (a title, at times the name of the dead),
  `description` and `source_url` are declared free-text columns, never copied;
  `cause_native` stays null because the titles repeat cause labels word for word ("run over
  by a bus").
"""

from __future__ import annotations

import pandas as pd

from pipelines.harmonize.categories import map_causes
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.curate import (add_flag, content_ids, finish_records, future_date_flags,
                                      native_text, reject_missing_years, split_flags)
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.free_text import custody_scope
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.migrants_files import HEADERS, SCHEMAS

CAUSE_SCHEMES = ("migrants_files",)
ID = "Event_id"


# --- load -----------------------------------------------------------------------------------

# The 2016 export as CSV text (one quoted multi-line description), checked against its schema.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- process --------------------------------------------------------------------------------

def event_ids(curation: Curation, frame: pd.DataFrame) -> pd.Series:
    """`Event_id`, or a content hash of the row where it is blank; a repeated id is quarantined."""
    ids = frame[ID].str.strip()
    blank = ids == ""
    if blank.any():
        ids = ids.mask(blank, content_ids(frame[blank]))
    reason = "the Event_id repeats an earlier row of the file (a duplicate)"
    curation.reject((ids.duplicated(keep="first") & ~blank).to_numpy(), ID, "record_id_unique", reason)
    curation.row_ids = ("publisher", ID, ids, reason)
    return ids


def add_counts(out: pd.DataFrame, frame: pd.DataFrame, curation: Curation) -> None:
    """dead, missing and the row total (its total column, else dead + missing), with MMP's flags."""
    counts = {}
    for column in ("dead", "missing", "dead_and_missing"):
        values, bad = parse_counts(frame[column])
        curation.reject(bad | (values < 0).fillna(False).to_numpy(), column, "whole_number",
                        f"{column!r} is not a whole number of people")
        counts[column] = values
    dead, missing, total = counts["dead"], counts["missing"], counts["dead_and_missing"]
    has_parts = dead.notna() | missing.notna()
    parts = dead.fillna(0) + missing.fillna(0)
    total = total.fillna(parts.where(has_parts))
    curation.reject(total.isna().to_numpy(), "dead_and_missing", "total_present",
                    "no total: 'dead_and_missing', 'dead' and 'missing' are blank")
    out["dead"], out["missing"], out["dead_and_missing"] = dead, missing, total
    out["flags"] = add_flag(out["flags"], (counts["dead_and_missing"].notna() & has_parts
                                           & (counts["dead_and_missing"] != parts)).fillna(False),
                            "total_differs_from_parts")
    for column in ("female", "male", "children"):
        out[column] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["flags"] = split_flags(out)


def add_dates(out: pd.DataFrame, frame: pd.DataFrame, curation: Curation, snapshot: Snapshot) -> None:
    """event_date (the day of the ISO timestamp), year (the Year column, else the date's) and
    year_basis `incident`; rows with neither are quarantined."""
    text = frame["date"].str.strip()
    dates, bad = parse_dates(text.str[:10], ("%Y-%m-%d",))
    years, bad_years = parse_counts(frame["Year"])
    year = years.fillna(pd.Series(dates.dt.year, index=frame.index).astype("Int64")).astype("Int32")
    missing = year.isna().to_numpy() | bad_years
    reject_missing_years(curation, missing, bad, "date", "'date' and 'Year'")
    curation.reject(((year < 1900) | (year > 2100)).fillna(False).to_numpy(), "Year",
                    "year_in_range", "the year is outside 1900-2100")
    out["flags"] = add_flag(out["flags"], bad & ~missing, "date_unparsed")
    out["event_date"], out["year"], out["year_basis"] = dates, year, "incident"
    out["flags"] = future_date_flags(out["flags"], dates, snapshot)


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise The Migrants' Files events into `deaths` rows; bad rows go to quarantine."""
    frame = raw.frame
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=frame.index)
    out["flags"] = ""
    out["record_id"] = event_ids(curation, frame)
    add_counts(out, frame, curation)
    add_dates(out, frame, curation, snapshot)
    out["route"] = native_text(frame["route (Frontex)"])
    out[["cause", "criminal", "criminal_rule"]] = map_causes(frame["cause_of_death"], CAUSE_SCHEMES,
                                                             log, "cause_of_death")
    out["scope"] = custody_scope(frame["description"])
    return finish_records(out, raw, snapshot, curation, log)


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row: dead_and_missing, else dead + missing (for tests)."""
    total = parse_counts(raw.frame["dead_and_missing"])[0]
    dead, missing = (parse_counts(raw.frame[c])[0] for c in ("dead", "missing"))
    parts = (dead.fillna(0) + missing.fillna(0)).where(dead.notna() | missing.notna())
    return total.fillna(parts).astype("Int64")


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="migrants_files",
        title="The Migrants' Files: events during which someone died trying to reach or stay "
              "in Europe",
        publisher="The Migrants' Files (Journalism++ consortium of European journalists)",
        landing_page="http://www.themigrantsfiles.com/",
        licence="not stated",
        stream="deaths",
        cadence="discontinued on 24 June 2016",
        max_age_days=None,
        product="events",
        download_url=None,
        # `name` is a title ("Event at Corsica on Jan 01, 2000", at times "Death of" a person),
        # `description` a paragraph, `source_url` a press address: free text that may name people.
        free_text_columns=("name", "description", "source_url"),
        citation="The Migrants' Files, http://www.themigrantsfiles.com/ (discontinued 2016); "
                 "copy in https://github.com/neocarto/missing-migrants",
    ),
    file_patterns=("*.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
