"""NamUs (National Missing and Unidentified Persons System, NIJ/DOJ): unidentified remains,
one person a row, from the public search export split by state (a third party's copy:
`kind = derived`).

Choices: the year is the year the body was found (DBF; year_basis `found`); `region` is the
County and `country_native` the State as published; the place is the USA. Sex and age range
are the examiner's estimate from the remains: `age_years` only where Age From = Age To, the age
group where the whole range is on one side of 18 (else `unknown`). `race_ethnicity` is the
examiner's estimated race/ethnicity (maps/race_ethnicity.csv); a cell with several values is
`multiple` (invariant 4). NamUs records no cause and no scope: cause `unknown`, criminal
`undetermined`, scope `unknown`.

Nothing in NamUs marks a person as a migrant. Every row is accepted into the catalog, but only
the remains found in the listed border counties (maps/border_counties_us.csv) are published:
rows elsewhere carry the flag `outside_published_area`, which the statistics leave out
(pipelines/stats/deaths.py). The export holds only cases still unidentified when it was made:
remains identified since are gone, so older years are undercounted. The examiner's case number
(ME/C Case) and the city are not copied into curated rows.
"""

from __future__ import annotations

import pandas as pd

from pipelines.harmonize.areas import in_border_counties
from pipelines.harmonize.categories import map_labels
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
from schemas.raw.us_namus_unidentified import HEADERS, SCHEMAS

COLUMN_MAPS = {
    "namus_export_2025": {"record_id": "Case", "date": "DBF", "age_from": "Age From",
                          "age_to": "Age To", "county": "County", "state": "State",
                          "sex": "Biological Sex", "race": "Race / Ethnicity"},
}
DATE_FORMATS = ("%m/%d/%Y",)
MULTI_VALUE_SEPARATOR = ", "  # the export joins several race values with ", "
OUTSIDE_FLAG = "outside_published_area"  # found outside the listed border counties


# --- load -----------------------------------------------------------------------------------

# One state's NamUs export as text, checked against its raw schema; whole or in chunks.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- process --------------------------------------------------------------------------------

def age_ranges(raw: RawTable, curation: Curation) -> tuple[pd.Series, pd.Series]:
    """(age in years where the range is one age, age group) from Age From / Age To. A range
    that is not two whole numbers from low to high, or only half given, goes to quarantine."""
    names = COLUMN_MAPS[raw.format_version]
    low, bad_low = parse_counts(mapped_column(raw, COLUMN_MAPS, "age_from"))
    high, bad_high = parse_counts(mapped_column(raw, COLUMN_MAPS, "age_to"))
    curation.reject(bad_low | (low < 0).fillna(False).to_numpy(), names["age_from"],
                    "whole_number", f"{names['age_from']!r} is not a whole number of years")
    curation.reject(bad_high | (high < 0).fillna(False).to_numpy(), names["age_to"],
                    "whole_number", f"{names['age_to']!r} is not a whole number of years")
    half = (low.isna() != high.isna()).to_numpy() & ~bad_low & ~bad_high
    curation.reject(half, names["age_to"], "age_range",
                    "only one end of the age range is given")
    curation.reject((low > high).fillna(False).to_numpy(), names["age_to"], "age_range",
                    "Age From is above Age To")
    groups = pd.Series("unknown", index=raw.frame.index, dtype="str")
    groups = groups.mask((high < 18).fillna(False), "child").mask((low >= 18).fillna(False), "adult")
    return low.where(low == high), groups


def races(text: pd.Series, log: UnmappedLog, column: str) -> pd.Series:
    """race_ethnicity codes: one value through maps/race_ethnicity.csv, several `multiple`."""
    several = text.str.contains(MULTI_VALUE_SEPARATOR, regex=False)
    single = map_labels(text.where(~several, ""), "race_ethnicity", log, column)
    return single.mask(several, "multiple")


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise one NamUs state file into `deaths` rows (one person each); bad rows go to
    quarantine; rows outside the border counties are kept, flagged, and not published."""
    names = COLUMN_MAPS[raw.format_version]
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=raw.frame.index)
    out["flags"] = ""

    out["record_id"] = record_ids(curation, raw, COLUMN_MAPS, label="Case",
                                  repeated="the NamUs Case number")
    sex = map_labels(mapped_column(raw, COLUMN_MAPS, "sex"), "sex", log, names["sex"])
    age, groups = age_ranges(raw, curation)
    person_counts(out, sex, age, groups)
    out["race_ethnicity"] = races(mapped_column(raw, COLUMN_MAPS, "race"), log, names["race"])

    dates, bad_dates = parse_dates(mapped_column(raw, COLUMN_MAPS, "date"), DATE_FORMATS)
    reject_missing_years(curation, dates.isna().to_numpy(), bad_dates, names["date"],
                         "the date the body was found (DBF)")
    out["event_date"] = dates
    out["year"] = pd.Series(dates.dt.year, index=out.index).astype("Int32")
    out["year_basis"] = "found"
    out["flags"] = future_date_flags(out["flags"], dates, snapshot)

    state, county = mapped_column(raw, COLUMN_MAPS, "state"), mapped_column(raw, COLUMN_MAPS, "county")
    out["flags"] = add_flag(out["flags"], ~in_border_counties(state, county), OUTSIDE_FLAG)
    out["region"] = native_text(county)
    out["country_iso3"] = "USA"
    out["country_native"] = native_text(state)
    out["cause"], out["criminal"], out["criminal_rule"] = "unknown", "undetermined", "no_cause_recorded"
    out["scope"] = "unknown"
    return finish_records(out, raw, snapshot, curation, log)


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="us_namus_unidentified",
        title="NamUs unidentified persons in US border counties",
        publisher="National Missing and Unidentified Persons System (NamUs), National Institute "
                  "of Justice, US Department of Justice",
        landing_page="https://namus.nij.ojp.gov/",
        licence="not stated (a US DOJ/NIJ programme)",
        stream="deaths",
        cadence="continuous (cases are added, identified and removed every day)",
        max_age_days=None,
        product="namus_unidentified_export",
        download_url=None,  # the public search export needs a browser session: drop it in by hand
        person_level=True,
        # No names (the persons are unidentified), but the examiner's case number opens the
        # person's file: checked like a name, never published.
        name_columns=("ME/C Case",),
        citation="National Missing and Unidentified Persons System (NamUs), Unidentified Persons "
                 "search export, https://namus.nij.ojp.gov/ (split by state by a third party)",
    ),
    file_patterns=("*_unidentified_bodies.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    read_raw_chunks=CSV.read_chunks,
    to_curated=to_curated,
)
