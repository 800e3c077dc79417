"""ICE detention deaths: people who died in the custody of U.S. Immigration and Customs
Enforcement, one person a row.

Two layouts are read: the table extracted from ICE's FOIA list of detainee deaths 2003-2017
(`foia_2017`, with ICE's row `index`) and a compiled list of every death since October 2003
(`detailed_2026`: the FOIA list, ICE's detainee death reports and, for 2025-2026, press reports).

Choices: the year is the year of the date of death (year_basis `incident`); `region` and
`country_native` are the state of the facility as written after the last comma of its location
(the facility of last detention in the FOIA table); the place is the USA (Puerto Rico included,
as a U.S. custody list). Scope is `in_custody`, except rows the compiled list marks as deaths
during an enforcement action or "not in custody" (shootings at a traffic stop or a protest, a
person struck by a vehicle while fleeing): scope `unknown` there, since such a death may be of a
resident or a citizen, not of a detainee. The compiled list has no id: `record_id` is a hash of
the row without its name and URL columns, plus an occurrence number. Causes are read with the
`ice` rules of maps/causes_ice.csv. Names, dates of birth and report URLs (which embed names)
are never copied into curated rows.
"""

from __future__ import annotations

import pandas as pd

from pipelines.harmonize.categories import map_causes, map_labels
from pipelines.harmonize.distinct import per_distinct
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.curate import finish_records, native_text, record_ids
from pipelines.sources.formats import VersionedCsv, mapped_column
from pipelines.sources.person import ages, clean_text, death_dates, nationalities, person_counts
from pipelines.sources.person import row_totals  # noqa: F401 (one person a row; for tests)
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.ice_detention_deaths import HEADERS, SCHEMAS


# Internal name <- published name, per format version. Missing keys: not in that format.
COLUMN_MAPS = {
    "foia_2017": {"record_id": "index", "sex": "sex", "age": "age", "nationality": "country",
                  "date": "date_of_death", "cause": "cause", "location": "location_last_detention"},
    "detailed_2026": {"sex": "Sex", "age": "Age", "nationality": "Country",
                      "date": "Date_of_Death", "cause": "Cause_of_Death",
                      "facility": "Facility_Name", "location": "Facility_Location"},
}
NOT_HASHED = ("Name", "name", "PDF_URL")  # never part of a content id
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
CAUSE_SCHEMES = ("ice",)
NOT_IN_CUSTODY = r"(?i)enforcement action|not in custody"


# --- load -----------------------------------------------------------------------------------

# One ICE deaths CSV as text, checked against its raw schema; whole or in chunks.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- process --------------------------------------------------------------------------------

def _plain_column(raw: RawTable, name: str) -> pd.Series:
    """A published column under its internal name, its PDF-extraction artefacts made plain."""
    return per_distinct(mapped_column(raw, COLUMN_MAPS, name), clean_text)


def repair_split_word(text: pd.Series) -> pd.Series:
    """A country name the PDF broke before its last letter ("AFGHANISTA N") joined again."""
    return per_distinct(text, lambda names: names.str.replace(
        r"(?<=[A-Za-z]{3}) (?=[A-Za-z]$)", "", regex=True))


def _state(location: pd.Series) -> pd.Series:
    """The state of a facility location: the text after its last comma."""
    return per_distinct(location, lambda places: places.str.extract(r",\s*([^,]+)$", expand=False))


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise one ICE deaths file into `deaths` rows (one person each); bad rows go to
    quarantine."""
    names = COLUMN_MAPS[raw.format_version]
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=raw.frame.index)
    out["flags"] = ""

    out["record_id"] = record_ids(curation, raw, COLUMN_MAPS, not_hashed=NOT_HASHED)

    sex = map_labels(_plain_column(raw, "sex"), "sex", log, names["sex"])
    years, groups = ages(_plain_column(raw, "age"), log, names["age"])
    person_counts(out, sex, years, groups)
    death_dates(curation, _plain_column(raw, "date"), names["date"], DATE_FORMATS, snapshot, out)

    state = _state(_plain_column(raw, "location"))
    out["region"] = native_text(state)
    out["country_iso3"] = "USA"
    out["country_native"] = out["region"]
    country = repair_split_word(_plain_column(raw, "nationality"))
    nationalities(out, country, log, names["nationality"],
                  mapped_column(raw, COLUMN_MAPS, "nationality"))

    cause = _plain_column(raw, "cause")
    out[["cause", "criminal", "criminal_rule"]] = map_causes(cause, CAUSE_SCHEMES, log,
                                                             names["cause"])
    out["cause_native"] = cause.replace("", None)
    facility = mapped_column(raw, COLUMN_MAPS, "facility")
    outside = (facility + " " + cause).str.contains(NOT_IN_CUSTODY, regex=True)
    out["scope"] = outside.map({True: "unknown", False: "in_custody"})
    return finish_records(out, raw, snapshot, curation, log)


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="ice_detention_deaths",
        title="ICE detainee death reporting",
        publisher="U.S. Immigration and Customs Enforcement (ICE); compiled list: "
                  "etchin/ice-detention-mortality",
        landing_page="https://www.ice.gov/doclib/foia/reports/detaineedeaths-2003-2017.pdf",
        licence="U.S. federal government work (public domain); compilation CC BY 4.0",
        stream="deaths",
        cadence="ad hoc (a detainee death report after each death; FOIA lists occasionally)",
        max_age_days=90,
        product="detainee_deaths",
        # The files are compiled from PDF reports: drop them into data/raw/ice_detention_deaths/<date>/.
        download_url=None,
        person_level=True,
        name_columns=("Name", "name"),
        citation="U.S. Immigration and Customs Enforcement, detainee death reports and FOIA list of "
                 "detainee deaths 2003-2017 (https://www.ice.gov/detain/detainee-death-reporting).",
    ),
    file_patterns=("*.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    read_raw_chunks=CSV.read_chunks,
    to_curated=to_curated,
)
