"""Toronto Police Service, Hate Crimes Open Data: one row per hate-crime occurrence (City of
Toronto open-data portal, `hate-crimes-open-data`), from 2018. Absent biases are written
`None`; a copy re-written by R's readr writes missing cells as `NA`.

Records, each of value 1, `unit = incidents`, `subject = incident`, country CAN
(`country_native` null: the file names no country; every occurrence is in Toronto), population
`general` (everyone in the city; no victim's sex, age, nationality or race is recorded:
`all` on every record, published as `not_recorded` at each grand total):

- `crimes`, one per occurrence (breakdown `occurrences`, record id EVENT_UNIQUE_ID):
  - year: OCCURRENCE_YEAR (year_basis `incident`; where it is blank, the year of
    OCCURRENCE_DATE, flagged `year_from_date`). REPORTED_YEAR (else the year of REPORTED_DATE)
    is kept on the record as `reported_year`, not as a second record set: a record per basis
    would count each occurrence twice, and the statistics, their page and every per-year
    reader add the records of a year whatever their basis. The two bases differ for 10
    occurrences of the 2024-09-22 copy (reported in the next year); a reported date before the
    occurrence date is flagged `reported_before_occurrence`.
  - bias motivation (the OFFENDER's bias, never the victim's race: race_ethnicity stays
    `not_recorded`): the labels of RACE_BIAS, ETHNICITY_BIAS (national or ethnic origin: still a
    bias, never the victim's nationality), LANGUAGE_BIAS, RELIGION_BIAS,
    SEXUAL_ORIENTATION_BIAS, GENDER_BIAS, and the YES/NO columns
    MENTAL_OR_PHYSICAL_DISABILITY (`disability_any`) and AGE_BIAS (`age_any`; NO in every
    row of the copy held), through maps/bias_motivations.csv. A cell may list several labels
    joined by ", ", split only where every part is a known label (data model invariant 4). One
    bias listed is its code; several listed, or MULTIPLE_BIAS = YES, is `multiple` (counted
    once). MULTIPLE_BIAS = YES with fewer than two listed is flagged
    `multiple_bias_label_missing`, NO with several listed `multiple_bias_flag_disagrees`; no
    bias at all is `unknown` (flag `bias_not_stated`). `bias_motivation_native` keeps every
    listed cell as `COLUMN=value`.
  - crime type: PRIMARY_OFFENCE through maps/crime_types_ca_toronto_hate_crime.csv (the
    offence committed; only the hate-propaganda offences are `hate_crime`).
  - sgbv: `yes` where the offence or the bias is gender-based (a sexual offence; bias against
    women, a sex or a gender identity), `no` where both are known not to be, else `unknown`
    (several biases of which one is not listed).
- `prosecutions`, the police end of the funnel (breakdown `occurrences`, offence and sgbv as
  above): every occurrence at stage `recorded` (a hate-crime occurrence the police recorded),
  and the occurrences with ARREST_MADE = YES at stage `suspect_identified` (record id
  `<EVENT_UNIQUE_ID>|arrest`). An arrest brings a suspect into formal contact with the
  criminal-justice system (UNODC's "persons brought into formal contact with the police":
  suspected, arrested or cautioned), which is what `suspect_identified` counts; it is not a
  prosecution (a charge may be laid without an arrest and an arrest may end without one). The
  count is of occurrences with an arrest, not of persons arrested, and a lower bound of the
  occurrences with an identified suspect (a suspect charged by summons is not arrested).
  ARREST_MADE blank or `NA` gives stage `unknown` beside `recorded`. Stages are a fixed
  column of the statistics: never summed.

Kept as published, used for nothing: DIVISION, LOCATION_TYPE (literal `NA` in 37 rows, labels
with typos and trailing spaces), HOOD_158 / HOOD_140 (zero-padded codes read as text, `NSA` =
not a specified area) and the neighbourhood names; OCCURRENCE_TIME and REPORTED_TIME.
Quarantined: a blank or repeated EVENT_UNIQUE_ID, a row without a readable occurrence year, a
YES/NO column holding anything else. A label no map knows is `unknown` and listed in
unmapped_values, never quarantined.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import label_table, map_bias_motivations, map_crime_types
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.labels import normalise_label, split_known
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.cases import NOT_SPLIT_BY_AGGREGATES, finish_case_records
from pipelines.sources.curate import add_flag, future_date_flags, native_text, unique_ids
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.person import row_totals  # noqa: F401 (one occurrence a row; for tests)
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.ca_toronto_hate_crime import HEADERS, SCHEMAS

CRIME_MAP = "crime_types_ca_toronto_hate_crime"
BIAS_TABLE = "bias_motivations"
BREAKDOWN = "occurrences"
ID = "EVENT_UNIQUE_ID"
DATE_FORMAT = ("%Y-%m-%d",)
# Columns whose cells are bias labels (`None`: no such bias).
LABEL_COLUMNS = ("RACE_BIAS", "ETHNICITY_BIAS", "LANGUAGE_BIAS", "RELIGION_BIAS",
                 "SEXUAL_ORIENTATION_BIAS", "GENDER_BIAS")
# YES/NO columns that are a bias when YES, and the label maps/bias_motivations.csv knows it by.
FLAG_COLUMNS = {"MENTAL_OR_PHYSICAL_DISABILITY": "Mental or physical disability",
                "AGE_BIAS": "Age"}
YES_NO_COLUMNS = (*FLAG_COLUMNS, "MULTIPLE_BIAS", "ARREST_MADE")
ABSENT = "none"  # a bias the occurrence does not have (normalised `None`)
MISSING = ("", "na")  # a blank cell, or readr's NA
ARREST_SUFFIX = "|arrest"
RECORDED_SUFFIX = "|recorded"


# The open-data CSV as text, checked against its raw schema.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- bias motivation ----------------------------------------------------------------------------

def bias_parts(frame: pd.DataFrame, log: UnmappedLog) -> pd.DataFrame:
    """Every bias an occurrence lists, one row each: `row` (position in the frame), `column`,
    `label`, `bias_motivation` and `sgbv`. A cell holding several labels joined by ", " gives
    one part per label where every part is a known label; otherwise the cell is one label."""
    known = label_table(BIAS_TABLE)
    parts = []
    for column in LABEL_COLUMNS:
        text = frame[column].str.strip()
        listed = ~text.map(normalise_label).isin((ABSENT, *MISSING)).to_numpy()
        cells = pd.unique(text[listed])
        split = {c: split_known(c, lambda p: normalise_label(p) in known, ",") or [c] for c in cells}
        rows = np.flatnonzero(listed)
        labels = text.iloc[rows].map(split)
        parts.append(pd.DataFrame({"row": rows, "column": column, "label": labels.to_numpy()})
                     .explode("label"))
    for column, label in FLAG_COLUMNS.items():
        rows = np.flatnonzero(frame[column].str.strip().str.upper().eq("YES").to_numpy())
        parts.append(pd.DataFrame({"row": rows, "column": column, "label": label}))
    found = pd.concat(parts, ignore_index=True).astype({"row": "int64", "label": "str"})
    coded = [map_bias_motivations(found.loc[found["column"] == c, "label"], log, c)
             for c in (*LABEL_COLUMNS, *FLAG_COLUMNS)]
    return found.join(pd.concat(coded))


def occurrence_biases(frame: pd.DataFrame, parts: pd.DataFrame) -> pd.DataFrame:
    """Per occurrence: `bias_motivation` (its one listed bias, or `multiple`, or `unknown`),
    the bias's `sgbv`, the listed count `n` and whether MULTIPLE_BIAS says YES."""
    index = pd.RangeIndex(len(frame))
    grouped = parts.groupby("row")
    n = grouped.size().reindex(index, fill_value=0)
    first = grouped.first().reindex(index)
    any_yes = (parts["sgbv"] == "yes").groupby(parts["row"]).any().reindex(index, fill_value=False)
    all_no = (parts["sgbv"] == "no").groupby(parts["row"]).all().reindex(index, fill_value=False)
    flagged = pd.Series(frame["MULTIPLE_BIAS"].str.strip().str.upper().eq("YES").to_numpy(),
                        index=index)
    multiple = flagged | (n > 1)
    bias = first["bias_motivation"].fillna("unknown").mask(multiple, "multiple")
    # Several listed and all known not gender-based: no; one not listed (flagged only): unknown.
    several_no = np.where(all_no & (n > 1), "no", "unknown")
    sgbv = first["sgbv"].fillna("unknown").mask(multiple, np.where(any_yes, "yes", several_no))
    return pd.DataFrame({"bias_motivation": bias.astype("str"), "sgbv": sgbv.astype("str"),
                         "n": n, "flagged": flagged})


def bias_native(frame: pd.DataFrame) -> pd.Series:
    """The bias cells as published, `COLUMN=value` joined by "; " (null where none listed)."""
    pieces = []
    for column in (*LABEL_COLUMNS, *FLAG_COLUMNS, "MULTIPLE_BIAS"):
        text = frame[column].str.strip()
        key = text.map(normalise_label)
        shown = (text.str.upper().eq("YES") if column not in LABEL_COLUMNS
                 else ~key.isin((ABSENT, *MISSING)))
        pieces.append((column + "=" + text).where(shown, ""))
    joined = pd.concat(pieces, axis=1).apply(lambda r: "; ".join(p for p in r if p), axis=1)
    return joined.replace("", None) if len(joined) else pd.Series([], dtype="object")


def combined_sgbv(offence: pd.Series, bias: pd.Series) -> pd.Series:
    """yes where the offence or the bias is gender-based, no where both are known not to be."""
    return pd.Series(np.where((offence == "yes") | (bias == "yes"), "yes",
                              np.where((offence == "no") & (bias == "no"), "no", "unknown")),
                     index=offence.index, dtype="str")


# --- years --------------------------------------------------------------------------------------

def year_of(curation: Curation | None, year_text: pd.Series, date_text: pd.Series, column: str
            ) -> tuple[pd.Series, pd.Series, np.ndarray, np.ndarray]:
    """(year, date, mask of years taken from the date, mask of unreadable dates) from a year
    column and its date column; a year cell that is neither blank/NA nor a year 1900-2100 is
    quarantined when `curation` is given (else it is treated as missing)."""
    cleaned = year_text.str.strip().mask(year_text.str.strip().str.upper().eq("NA"), "")
    years, bad = parse_counts(cleaned)
    out_of_range = (years.lt(1900) | years.gt(2100)).fillna(False).to_numpy()
    if curation is not None:
        curation.reject(bad | out_of_range, column, "year_present",
                        f"{column!r} is not a year (1900-2100)")
    years = years.mask(pd.Series(bad | out_of_range, index=years.index))
    dates_clean = date_text.str.strip().mask(date_text.str.strip().str.upper().eq("NA"), "")
    dates, unreadable = parse_dates(dates_clean, DATE_FORMAT)
    from_date = (years.isna() & dates.notna()).to_numpy()
    years = years.fillna(dates.dt.year.astype("Int64"))
    return years.astype("Int32"), dates, from_date, unreadable


# --- curation -----------------------------------------------------------------------------------

def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise the occurrences into `crimes` (one each) and `prosecutions` (recorded, and
    arrest made); bad rows go to quarantine."""
    frame = raw.frame.reset_index(drop=True)
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    ids = unique_ids(curation, frame[ID].astype("str"), ID, "EVENT_UNIQUE_ID",
                     "EVENT_UNIQUE_ID")
    for column in YES_NO_COLUMNS:
        value = frame[column].str.strip().str.upper()
        curation.reject(~value.isin(["YES", "NO", "NA", ""]), column, "yes_no",
                        f"{column!r} is neither YES nor NO (nor blank or NA)")

    year, dates, from_date, date_unreadable = year_of(curation, frame["OCCURRENCE_YEAR"],
                                                      frame["OCCURRENCE_DATE"], "OCCURRENCE_YEAR")
    curation.reject(year.isna().to_numpy() & ~curation.rejected, "OCCURRENCE_YEAR", "year_present",
                    "no occurrence year: OCCURRENCE_YEAR and OCCURRENCE_DATE are blank or unreadable")
    reported, reported_dates, _, _ = year_of(None, frame["REPORTED_YEAR"], frame["REPORTED_DATE"],
                                             "REPORTED_YEAR")

    flags = pd.Series("", index=frame.index, dtype="str")
    flags = add_flag(flags, from_date, "year_from_date")
    flags = add_flag(flags, date_unreadable, "date_unparsed")
    differs = (dates.dt.year.astype("Int64") != year.astype("Int64")).fillna(False).to_numpy()
    flags = add_flag(flags, differs, "date_year_differs")
    flags = add_flag(flags, (reported_dates < dates).fillna(False).to_numpy(),
                     "reported_before_occurrence")
    flags = future_date_flags(flags, dates, snapshot)

    biases = occurrence_biases(frame, bias_parts(frame, log))
    flags = add_flag(flags, (biases["flagged"] & (biases["n"] < 2)).to_numpy(),
                     "multiple_bias_label_missing")
    flags = add_flag(flags, (~biases["flagged"] & (biases["n"] > 1)).to_numpy(),
                     "multiple_bias_flag_disagrees")
    flags = add_flag(flags, (~biases["flagged"] & (biases["n"] == 0)).to_numpy(), "bias_not_stated")

    offence = map_crime_types(frame["PRIMARY_OFFENCE"], CRIME_MAP, log, "PRIMARY_OFFENCE")
    sgbv = combined_sgbv(offence["sgbv"], biases["sgbv"].set_axis(frame.index))
    offence_native = native_text(frame["PRIMARY_OFFENCE"])
    common = {"year": year, "year_basis": "incident", "reported_year": reported,
              "country_iso3": "CAN", "country_native": None, "breakdown": BREAKDOWN,
              "subject": "incident", "unit": "incidents", "sgbv": sgbv, "flags": flags,
              "value": pd.array([1] * len(frame), dtype="Int64"),
              "_row": np.arange(len(frame))}
    crimes = _records(frame.index, record_id=ids, crime_type=offence["crime_type"],
                      crime_type_native=offence_native,
                      bias_motivation=biases["bias_motivation"].set_axis(frame.index),
                      bias_motivation_native=bias_native(frame), _dated=dates, **common)
    crimes["race_ethnicity"] = "not_recorded"

    arrest = frame["ARREST_MADE"].str.strip().str.upper()
    stages = {RECORDED_SUFFIX: (np.ones(len(frame), dtype=bool), "recorded", None),
              ARREST_SUFFIX: ((arrest == "YES").to_numpy(), "suspect_identified",
                              "ARREST_MADE=YES"),
              "|arrest_unknown": (arrest.isin(["", "NA"]).to_numpy(), "unknown",
                                  "ARREST_MADE=" + frame["ARREST_MADE"].str.strip())}
    funnel = []
    for suffix, (mask, stage, native) in stages.items():
        records = _records(frame.index, record_id=ids + suffix, offence=offence["crime_type"],
                           offence_native=offence_native, stage=stage, stage_native=native,
                           **common)
        funnel.append(records[mask])
    prosecutions = pd.concat(funnel).sort_values("_row", kind="stable", ignore_index=True)
    return finish_case_records({"crimes": crimes.reset_index(drop=True),
                                "prosecutions": prosecutions},
                               raw, snapshot, curation, log, SOURCE.spec.population)


def _records(index, **columns) -> pd.DataFrame:
    """Records with the given columns and the dimensions the file does not record `all` (the
    statistics publish them as `not_recorded` at each grand total)."""
    out = pd.DataFrame(index=index)
    for name, value in columns.items():
        out[name] = value
    for name in NOT_SPLIT_BY_AGGREGATES:
        out[name] = "all"
    return out


# --- the source ---------------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="ca_toronto_hate_crime",
        title="Hate Crimes Open Data (occurrences), Toronto Police Service",
        publisher="Toronto Police Service, through the City of Toronto open-data portal",
        landing_page="https://open.toronto.ca/dataset/hate-crimes-open-data/",
        licence="Open Government Licence - Toronto (the portal's; not stated in the copy held)",
        stream="crimes",  # and prosecutions (arrest made)
        cadence="yearly (the year's occurrences, published the following year)",
        max_age_days=450,
        product="hate_crime_occurrences",
        # The portal serves the file from a datastore resource whose address changes with each
        # upload: files are dropped in by hand.
        download_url=None,
        citation="Toronto Police Service, Hate Crimes Open Data, City of Toronto Open Data "
                 "Portal, https://open.toronto.ca/dataset/hate-crimes-open-data/. Occurrences "
                 "the police classed as hate crimes; a bias motivation is the offender's bias.",
        population="general",
    ),
    file_patterns=("*.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
