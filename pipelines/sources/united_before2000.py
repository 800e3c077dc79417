"""UNITED for Intercultural Action's list of deaths on the way to Europe, 1993-1999, as curated by
a third party (neocarto/missing-migrants, `kind = derived`): one entry per death or group, with
coordinates, the year and a French cause category.

It is a separate source from `united_list` (its own folder, publisher's curation and format):
the same deaths as The List's 1993-1999 entries, re-typed, so the two are never added (like
every pair of sources). Within this source each entry counts once.

Choices: `dead_and_missing` is the entry's count (dead and missing not split: status
`unknown`); the year is the list's year (year_basis `found`, as The List's `found dead`), no
date; the file has no sex, age, nationality or country column (`not_recorded`, country
`UNKNOWN`; the coordinates stay in the raw file). The cause is the French category
(maps/causes_united_before2000.csv); `types`, a number repeating it, must agree with it (a row
whose code names another category is quarantined). Scope `unknown`. The `id` is the record id.
"""

from __future__ import annotations

import pandas as pd

from pipelines.harmonize.categories import map_causes
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.curate import finish_records, native_text, unique_ids
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.united_before2000 import HEADERS, SCHEMAS

CAUSE_SCHEMES = ("united_before2000",)
# The numeric `types` code of each French category (the file's own pairing, checked per row).
TYPE_CODES = {"Incendie criminel, homicide, absence de soins": "1",
              "Empoisonnement, champ de mise, accident, autre": "2",
              "Mort de faim, de soif ou de froid": "3", "Noyade": "4", "Suicide": "5",
              "Asphyxie": "6"}


# --- load -----------------------------------------------------------------------------------

# The curated 1993-1999 CSV as text, checked against its raw schema.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- process --------------------------------------------------------------------------------

def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise the 1993-1999 list into `deaths` rows (one entry each); bad rows go to
    quarantine."""
    frame = raw.frame
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=frame.index)
    out["flags"] = ""
    out["record_id"] = unique_ids(curation, frame["id"], "id")

    number, bad = parse_counts(frame["dead_and_missing"])
    curation.reject(bad | (number < 0).fillna(False).to_numpy(), "dead_and_missing", "whole_number",
                    "'dead_and_missing' is not a whole number of people")
    curation.reject((number.isna() & ~bad).to_numpy(), "dead_and_missing", "total_present",
                    "'dead_and_missing' is blank: the entry has no count")
    out["dead_and_missing"] = number

    year, bad_year = parse_counts(frame["year"])
    curation.reject(year.isna().to_numpy() | bad_year, "year", "year_present",
                    "no year: 'year' is blank or not a whole number")
    curation.reject(((year < 1900) | (year > 2100)).fillna(False).to_numpy(), "year",
                    "year_in_range", "the year is outside 1900-2100")
    out["year"], out["year_basis"] = year.astype("Int32"), "found"

    cause = frame["cause"]
    code = cause.str.strip().map(TYPE_CODES)
    curation.reject((code.notna() & (code != frame["types"].str.strip())).to_numpy(), "types",
                    "cause_code_agrees", "'types' is not the code of the row's 'cause'")
    out[["cause", "criminal", "criminal_rule"]] = map_causes(cause, CAUSE_SCHEMES, log, "cause")
    out["cause_native"] = native_text(cause)
    out["scope"] = "unknown"
    return finish_records(out, raw, snapshot, curation, log)


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row: its dead_and_missing (for tests)."""
    return parse_counts(raw.frame["dead_and_missing"])[0]


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="united_before2000",
        title="List of refugee deaths 1993-1999 (curated)",
        publisher="UNITED for Intercultural Action; curated with coordinates and French cause "
                  "categories by N. Lambert (neocarto/missing-migrants)",
        landing_page="http://www.unitedagainstracism.org/",
        licence="not stated",
        stream="deaths",
        cadence="not updated (a curation of the 1993-1999 entries)",
        max_age_days=None,
        product="before_2000",
        download_url=None,
        citation="UNITED for Intercultural Action, List of refugee deaths, 1993-1999 entries as "
                 "curated in https://github.com/neocarto/missing-migrants",
    ),
    file_patterns=("*.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
