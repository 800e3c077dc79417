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

from pathlib import Path

import pandas as pd

from pipelines.fetching import fetch_snapshot
from pipelines.harmonize.categories import age_groups, map_causes, map_labels
from pipelines.harmonize.countries import map_countries
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable, SourceSpec
from pipelines.sources.curate import add_flag, finish_records
from pipelines.sources.formats import detect_format, validate_raw
from pipelines.sources.mmp import content_ids
from pipelines.sources.readers import read_csv_text, read_header
from schemas.raw.ice_detention_deaths import HEADERS, SCHEMAS

SOURCE = SourceSpec(
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
)
FILE_PATTERNS = ("*.csv",)

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

def fetch(raw_dir: Path) -> Path | None:
    """No machine-readable download (the reports are PDFs); files are dropped in by hand."""
    return fetch_snapshot(SOURCE, raw_dir)


def read_raw(path: Path) -> RawTable:
    """Read one ICE deaths CSV as text and check it against its raw schema."""
    version = detect_format(path, read_header(path), HEADERS)
    raw = read_csv_text(path, version)
    validate_raw(raw, SCHEMAS[raw.format_version])
    return raw


# --- process: helpers shared with the other person-level custody lists ----------------------

def _column(raw: RawTable, name: str) -> pd.Series:
    """A published column under its internal name, or blanks where the format lacks it."""
    published = COLUMN_MAPS[raw.format_version].get(name)
    if published is None:
        return pd.Series("", index=raw.frame.index, dtype="str")
    return raw.frame[published].astype("str")


def clean_text(text: pd.Series) -> pd.Series:
    """PDF-extraction artefacts made plain: non-breaking and doubled spaces collapsed, the
    Unicode hyphen (U+2010, followed by a line-break space) joined as "-"."""
    text = text.astype("str").str.replace(r"\u2010\s*", "-", regex=True)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


def repair_split_word(text: pd.Series) -> pd.Series:
    """A country name the PDF broke before its last letter ("AFGHANISTA N") joined again."""
    return text.str.replace(r"(?<=[A-Za-z]{3}) (?=[A-Za-z]$)", "", regex=True)


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


def death_dates(curation: Curation, text: pd.Series, column: str, snapshot: Snapshot,
                out: pd.DataFrame, fallback_year: pd.Series | None = None) -> None:
    """event_date, year and year_basis from the date of death (or `fallback_year` where the
    date is blank or unreadable); rows left without a plausible year go to quarantine."""
    dates, bad = parse_dates(text, DATE_FORMATS)
    year = pd.Series(dates.dt.year, index=out.index).astype("Int32")
    if fallback_year is not None:
        year = year.fillna(fallback_year.astype("Int32"))
    missing = year.isna().to_numpy()
    curation.reject(missing & ~bad, column, "year_present", f"no year: {column!r} is blank")
    curation.reject(missing & bad, column, "year_present",
                    f"no year: {column!r} is not in a known date format")
    curation.reject(((year < 1900) | (year > 2100)).fillna(False).to_numpy(), column,
                    "year_in_range", "the year is outside 1900-2100")
    out["flags"] = add_flag(out["flags"], bad & ~missing, "date_unparsed")
    out["event_date"], out["year"], out["year_basis"] = dates, year, "incident"
    if snapshot.period_end_date() and not snapshot.is_sample:
        limit = pd.Timestamp(snapshot.period_end_date()) + pd.Timedelta(days=1)
        out["flags"] = add_flag(out["flags"], (dates > limit).fillna(False), "future_date")


def nationalities(out: pd.DataFrame, text: pd.Series, log: UnmappedLog, column: str,
                  native: pd.Series) -> None:
    """nationality and its native text; U.S. nationals kept, with a flag."""
    out["nationality_native"] = native.str.strip().replace("", None)
    out["nationality"] = map_countries(text, log, column)
    out["flags"] = add_flag(out["flags"], out["nationality"] == "USA",
                            "national_of_reporting_country")


def unique_ids(curation: Curation, ids: pd.Series, column: str) -> pd.Series:
    """The publisher's ids, quarantining blank and repeated ones."""
    ids = ids.str.strip()
    curation.reject(ids == "", column, "record_id_present", "the row has no id")
    curation.reject(ids.duplicated(keep="first") & (ids != ""), column, "record_id_unique",
                    "the publisher's id repeats an earlier row of the file (a duplicate)")
    return ids


# --- process --------------------------------------------------------------------------------

def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise one ICE deaths file into `deaths` rows (one person each); bad rows go to
    quarantine."""
    names = COLUMN_MAPS[raw.format_version]
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=raw.frame.index)
    out["flags"] = ""

    if "record_id" in names:
        out["record_id"] = unique_ids(curation, _column(raw, "record_id"), names["record_id"])
    else:
        out["record_id"] = content_ids(raw.frame.drop(columns=list(NOT_HASHED), errors="ignore"))

    sex = map_labels(clean_text(_column(raw, "sex")), "sex", log, names["sex"])
    years, groups = ages(clean_text(_column(raw, "age")), log, names["age"])
    person_counts(out, sex, years, groups)
    death_dates(curation, clean_text(_column(raw, "date")), names["date"], snapshot, out)

    state = clean_text(_column(raw, "location")).str.extract(r",\s*([^,]+)$", expand=False)
    out["region"] = state.str.strip().replace("", None)
    out["country_iso3"] = "USA"
    out["country_native"] = out["region"]
    country = repair_split_word(clean_text(_column(raw, "nationality")))
    nationalities(out, country, log, names["nationality"], _column(raw, "nationality"))

    cause = clean_text(_column(raw, "cause"))
    out[["cause", "criminal", "criminal_rule"]] = map_causes(cause, CAUSE_SCHEMES, log,
                                                             names["cause"])
    out["cause_native"] = cause.replace("", None)
    outside = (_column(raw, "facility") + " " + cause).str.contains(NOT_IN_CUSTODY, regex=True)
    out["scope"] = outside.map({True: "unknown", False: "in_custody"})
    return finish_records(out, raw, snapshot, curation, log)


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row: one person each (for tests)."""
    return pd.Series(1, index=raw.frame.index, dtype="Int64")
