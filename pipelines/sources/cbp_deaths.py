"""CBP-involved deaths: people who died in U.S. Customs and Border Protection custody or in an
encounter with CBP, one person a row (a list compiled from the ACLU's and the Southern Border
Communities Coalition's records; CBP's Office of Professional Responsibility reports yearly).

Choices: the year is the year of Date_Standardized, else of Date, else the Year column (year_basis
`incident`); `region` and `country_native` are the State column; the place is the USA. The list
has no sex column: female, male and sex_unknown stay null (statistics: `not_recorded`). Age is a
number or a word (`Adult`, `Infant`, `Minor`, `unknown`, `N/A (adult)`); Minor = 1 makes an
otherwise unknown age a child. U.S. citizens are kept, with nationality USA and the flag
`national_of_reporting_country`.

Cause: the items of the numbered Incident_Type list plus the 0/1 indicator columns (Firearm,
Vehicle_Pursuit, Wall_Related, Cross_Border_Shooting, Death_Immigration_Enforcement), read with
the `cbp` rules of maps/causes_cbp.csv; items that say who or where (In Custody, Minor, U.S.
Citizen, Off-Duty) are not causes and are dropped. Where no item is left, the SBCC cause text is
read with the `free_text` rules. A shooting or other use of force by an agent is violence
stated (criminal, rule `violence_stated`: the source states violence, no court finding); a
pursuit or a fall at the wall is transport or accident_other with no manner (undetermined).

Scope: `in_custody` where In_Custody = 1. CBP-involved deaths outside custody (shootings,
pursuits, deaths during an encounter) may be of migrants in transit, residents or citizens:
scope `unknown` there, nothing inferred. The Name column is never copied into curated rows.
"""

from __future__ import annotations

import re

import pandas as pd

from pipelines.harmonize.categories import map_causes
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.curate import finish_records, native_text, unique_ids
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.person import ages, clean_text, death_dates, nationalities, person_counts
from pipelines.sources.person import row_totals  # noqa: F401 (one person a row; for tests)
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.cbp_deaths import HEADERS, SCHEMAS


COLUMNS = {"record_id": "Case_Number", "age": "Age", "nationality": "Nationality",
           "state": "State", "incident": "Incident_Type", "minor": "Minor",
           "custody": "In_Custody", "sbcc_cause": "SBCC_Cause_of_Death"}
DATE_COLUMNS = ("Date_Standardized", "Date")  # the first non-blank one gives the date
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
# Indicator columns that name a cause item, as the Incident_Type list writes it.
CAUSE_INDICATORS = {"Firearm": "Firearm", "Vehicle_Pursuit": "Vehicle Pursuit",
                    "Wall_Related": "Wall Related",
                    "Cross_Border_Shooting": "Cross-Border Shooting",
                    "Death_Immigration_Enforcement": "Death in Presence of Immigration Enforcement"}
INDICATORS = ("Minor", "US_Citizen_LPR", "In_Custody", "Off_Duty", *CAUSE_INDICATORS, "In_SBCC")
# Incident_Type items saying who or where, not how the person died.
NOT_CAUSES = {"in custody", "minor", "minor (infant)", "u.s. citizen", "off-duty", "off duty"}
CAUSE_SCHEMES = ("cbp",)
TEXT_SCHEMES = ("free_text",)
_ITEM = re.compile(r"(?:^|\n)\s*\d+\.\s+")


# --- load -----------------------------------------------------------------------------------

# The CBP-involved deaths CSV as text, checked against its raw schema.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- process --------------------------------------------------------------------------------

def incident_items(cell: str) -> list[str]:
    """The items of a numbered Incident_Type cell ("1. In Custody\\n2. Minor"), each with its
    line breaks and spaces collapsed."""
    return [" ".join(p.split()) for p in _ITEM.split(str(cell)) if p.strip()]


def cause_items(raw: RawTable) -> tuple[pd.Series, pd.Series]:
    """(cause text to map, native text): the Incident_Type items plus the cause indicators set
    to 1, without the items that are not causes; the native text is the whole list."""
    frame = raw.frame
    texts, natives = [], []
    for index, cell in frame[COLUMNS["incident"]].items():
        items = incident_items(cell)
        flagged = [label for col, label in CAUSE_INDICATORS.items()
                   if frame.at[index, col].strip() == "1"]
        seen, causes = set(), []
        for item in items + flagged:
            key = normalise_label(item)
            if key not in seen and key not in NOT_CAUSES:
                seen.add(key)
                causes.append(item)
        texts.append("; ".join(causes))
        natives.append("; ".join(items))
    return (pd.Series(texts, index=frame.index, dtype="str"),
            pd.Series(natives, index=frame.index, dtype="str"))


def causes(raw: RawTable, log: UnmappedLog) -> tuple[pd.DataFrame, pd.Series]:
    """cause, criminal, criminal_rule and the native text; the SBCC cause text is read only
    where the list's own items give no cause."""
    text, native = cause_items(raw)
    mapped = map_causes(text, CAUSE_SCHEMES, log, COLUMNS["incident"])
    sbcc = clean_text(raw.frame[COLUMNS["sbcc_cause"]])
    use_sbcc = (text == "") & (sbcc != "")
    if use_sbcc.any():
        by_text = map_causes(sbcc.where(use_sbcc, ""), TEXT_SCHEMES, log, COLUMNS["sbcc_cause"])
        by_text["criminal_rule"] = "sbcc_text_" + by_text["criminal_rule"]
        mapped = mapped.mask(use_sbcc, by_text)
        native = native.mask(use_sbcc & (native == ""), sbcc)
    return mapped, native


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise the CBP-involved deaths list into `deaths` rows (one person each); bad rows go
    to quarantine."""
    frame = raw.frame
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=frame.index)
    out["flags"] = ""
    out["record_id"] = unique_ids(curation, frame[COLUMNS["record_id"]].astype("str"),
                                  COLUMNS["record_id"])
    for column in INDICATORS:
        value = frame[column].str.strip()
        curation.reject(~value.isin(["0", "1", ""]), column, "indicator_0_1",
                        f"{column!r} is not 0, 1 or blank")

    years, groups = ages(frame[COLUMNS["age"]], log, COLUMNS["age"])
    minor = frame[COLUMNS["minor"]].str.strip() == "1"
    groups = groups.mask(minor & (groups == "unknown"), "child")
    person_counts(out, None, years, groups)

    date_text = frame[DATE_COLUMNS[0]].str.strip()
    date_text = date_text.mask(date_text == "", frame[DATE_COLUMNS[1]].str.strip())
    year_column, _ = parse_counts(frame["Year"])
    death_dates(curation, date_text, DATE_COLUMNS[0], DATE_FORMATS, snapshot, out,
                fallback_year=year_column)

    out["region"] = native_text(frame[COLUMNS["state"]])
    out["country_iso3"] = "USA"
    out["country_native"] = out["region"]
    nationality = frame[COLUMNS["nationality"]]
    nationalities(out, clean_text(nationality), log, COLUMNS["nationality"], nationality)

    mapped, native = causes(raw, log)
    out[["cause", "criminal", "criminal_rule"]] = mapped
    out["cause_native"] = native.replace("", None)
    in_custody = frame[COLUMNS["custody"]].str.strip() == "1"
    out["scope"] = in_custody.map({True: "in_custody", False: "unknown"})
    return finish_records(out, raw, snapshot, curation, log)


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="cbp_deaths",
        title="CBP-involved deaths",
        publisher="U.S. Customs and Border Protection (CBP) Office of Professional Responsibility; "
                  "person-level list compiled from ACLU and SBCC records "
                  "(etchin/ice-detention-mortality)",
        landing_page="https://www.cbp.gov/document/report/fiscal-year-2023-office-professional-"
                     "responsibility-cbp-related-deaths-report",
        licence="U.S. federal government work (public domain); compilation CC BY 4.0",
        stream="deaths",
        cadence="yearly (CBP OPR report on CBP-related deaths per fiscal year)",
        max_age_days=400,
        product="cbp_involved_deaths",
        # No machine-readable download: drop the compiled CSV into data/raw/cbp_deaths/<date>/.
        download_url=None,
        person_level=True,
        name_columns=("Name",),
        citation="CBP Office of Professional Responsibility, CBP-related deaths reports; ACLU and "
                 "Southern Border Communities Coalition lists of CBP-involved deaths.",
    ),
    file_patterns=("*.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
