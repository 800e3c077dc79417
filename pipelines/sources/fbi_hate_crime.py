"""FBI hate crime data of the Uniform Crime Reporting (UCR) Program: three products, each a
snapshot folder with its own sidecar `product`. The format is told from the file itself.

- `state_year_bias_counts` (CDE, 1991-2014; `state_postal_abbr,year,bias_motivation,count`):
  one record per row, breakdown `by_state_and_bias`. What `count` counts (incidents, offences or
  victims) is not documented in the copy: `unit = unspecified`, `subject = incident` (the least
  wrong: the file is a tally of bias-motivated reports, not of people). State/year/bias
  combinations with no report are omitted by the publisher; no zero is invented.
- `table1_incidents_by_bias` (the yearly Hate Crime Statistics report, Table 1, 2015-2019,
  wide): one record per (label row, year), `unit = incidents`. Leaf bias rows and
  "Multiple-Bias Incidents" (bias `multiple`, sgbv `unknown`) are the cells, breakdown
  `by_bias_motivation`; the `Total` row is the all-margin (bias `all`, breakdown `total`). The
  leaves add up to "Single-Bias Incidents", and single + multiple to the Total. Subtotal rows
  ("Single-Bias Incidents" and the category rows ending in a colon: "Race/Ethnicity/Ancestry:",
  "Religion:", ...) are margins over a GROUP of biases, which the statistics have no dimension
  for: they are kept as catalog records (bias `<category>_any`, breakdown
  `bias_group_subtotal`) flagged `bias_group_subtotal;not_in_stats`, so the statistics never
  count them next to their own leaves; a subtotal that differs from the sum of its leaves is
  flagged `subtotal_differs_from_parts`.
- `incidents` (the CDE incident file `hate_crime.csv`, one incident a row; the 1991-2020 copy is
  shipped as `hate_crime.csv.zip`): two records per incident, both of value 1, `unit =
  incidents`:
  - the incident (`subject = incident`, breakdown `incident_level`, record id INCIDENT_ID):
    bias motivation and sgbv; several biases (`;`-joined in BIAS_DESC, MULTIPLE_BIAS = M) make
    bias `multiple` (counted once, data model invariant 4), sgbv `yes` when one of them is
    gender-based. OFFENSE_NAME (`;`-joined where several) is kept as `crime_type_native`;
    VICTIM_TYPES is not a dimension: an incident counts once whatever its victims.
  - the incident counted by its offenders' race (`subject = offender`, breakdown
    `by_offender_race`, record id `INCIDENT_ID|offender`): OFFENDER_RACE as published, through
    maps/race_ethnicity.csv (`Multiple`: a group of several races; blank and `Unknown`:
    unknown). The race of offenders is never the victims': the file has no victim race, sex or
    nationality, and every incident record of every product carries race/ethnicity
    `not_recorded` (not `all`, so that the statistics still say so beside the offender
    records, which split it).
    OFFENDER_ETHNICITY (Hispanic or Latino, published sporadically from 1999) is not kept: the
    data model's one race_ethnicity dimension cannot hold race and ethnicity of one group.
  INCIDENT_DATE (`31-AUG-91`: a two-digit year, read in the century of DATA_YEAR) is checked
  against DATA_YEAR (flags `date_unparsed`, `date_year_differs`); DATA_YEAR is the year.
  The file is read in chunks by Arrow (`read_raw_chunks`), the zip's member as a stream from
  the archive, never unpacked, after its sha256 and size were checked against the sidecar's
  `archive_member` (pipelines/archives.py); a repeated INCIDENT_ID is quarantined across
  chunks. Its counts are not the FBI's published Hate Crime Statistics tables (agencies and
  incidents are revised after publication): its title and citation (`product_titles`) say
  so by naming the CDE file, never the report.

A file cut short or with malformed records (pandas cannot parse the real 1991-92 copy: it ends
inside a quoted field) is read record by record with the csv module: complete records are
accepted, and each bad record is quarantined (check `complete_record`) with a reason naming the
file and line. The records of the last year of a file that ends mid-record carry the flag
`year_incomplete_file_truncated` (the statistics of that year are partial).

Everywhere: `crime_type = hate_crime`; bias motivations (the OFFENDER's bias, never the
victim's race) through the reviewed table maps/bias_motivations.csv, which also says which are
gender-based (`sgbv`: anti-female, anti-male, anti-transgender, anti-gender non-conforming);
country USA (Guam GUM, other territories their ISO codes; the UCR codes NB for Nebraska and GM
for Guam as well as the postal ones), `country_native` the state abbreviation. Dimensions a
record does not split (sex, gender identity, age, nationality, perpetrator) are `all`: a cell
counts every incident whatever the victim, and the statistics publish these dimensions as
`not_recorded` at each grand total; race/ethnicity, `not_recorded` on the records (above).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import map_bias_motivations, map_labels
from pipelines.harmonize.distinct import (distinct, distinct_rows, per_distinct,
                                          rows_per_distinct, spread)
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawFormatError, RawTable
from pipelines.sources.cases import NOT_SPLIT_BY_AGGREGATES, finish_case_records
from pipelines.sources.curate import add_flag, native_text
from pipelines.sources.formats import detect_wide_format, validate_raw
from pipelines.sources.readers import (decode_text, iter_csv_text, read_header, readable,
                                       sniff_problem)
from pipelines.sources.reports import (csv_records, malformed_records, padded_table, report_table,
                                       strip_footnote)
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.fbi_hate_crime import (HEADERS, LABEL_COLUMN, SCHEMAS, TABLE1_TITLE,
                                        TABLE1_HEADERS, YEAR_HEADER, table1_schema)

ENCODINGS = ("utf-8-sig", "cp1252")
RACE_TABLE = "race_ethnicity"
INCIDENTS = "incidents"

CRIME_TYPE = "hate_crime"
BIAS_TABLE = "bias_motivations"
SUBTOTAL_FLAGS = "bias_group_subtotal;not_in_stats"
TRUNCATED_FLAG = "year_incomplete_file_truncated"

# US postal codes -> where it happened (ISO 3166-1 alpha-3). The states and DC are the USA; the
# territories have ISO codes of their own; FS (federal agencies) is the USA.
US_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT "
             "NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY FS").split()
STATE_COUNTRY = {**{s: "USA" for s in US_STATES}, "GU": "GUM", "PR": "PRI", "VI": "VIR",
                 "AS": "ASM", "MP": "MNP",
                 # UCR's own codes where they differ from the postal ones (CDE incident file)
                 "NB": "USA", "GM": "GUM"}


# --- reading ------------------------------------------------------------------------------------

def read_raw(path: Path) -> RawTable:
    """Read any of the three FBI products as text, told from the file's first record, and
    check it against its raw schema. Records with the wrong number of fields are kept (padded)
    and marked for quarantine, never a crash. A zip is read through its member (checked
    against the sidecar), whole: the exact path."""
    source = readable(path, SOURCE.archive_member)
    problem = sniff_problem(source)
    if problem:
        raise RawFormatError(path, problem)
    text, _ = decode_text(source, ENCODINGS)
    records = csv_records(text)
    if not records:
        raise RawFormatError(path, "the file holds no CSV records")
    first = [c.strip() for c in records[0][2]]
    for version, columns in HEADERS.items():
        if set(first) == set(columns):
            raw = padded_table(path, version, records)
            validate_raw(raw, SCHEMAS[version])
            return raw
    if TABLE1_TITLE.match(first[0]):
        return _table1(path, records)
    closest = max(HEADERS, key=lambda v: len(set(first) & set(HEADERS[v])))
    missing = [c for c in HEADERS[closest] if c not in first]
    new = [c for c in first if c and c not in HEADERS[closest]]
    raise RawFormatError(path, "neither a known CDE header nor a 'Table 1' report; closest is "
                         f"{closest!r}: missing columns {missing}, new columns {new}", row=1)


def read_raw_chunks(path: Path, rows: int):
    """The incident file in chunks of `rows` records, read by Arrow (from the zip's member as
    a stream); a file Arrow refuses (a record cut short, as the 1991-92 copy) comes whole from
    `read_raw`, which names or quarantines the bad record. The other products are small and
    read whole."""
    source = readable(path, SOURCE.archive_member)
    header = [c.strip() for c in read_header(source, ENCODINGS)]
    if set(header) != set(HEADERS[INCIDENTS]):
        yield read_raw(path)
        return
    for raw in iter_csv_text(source, INCIDENTS, ENCODINGS, rows, exact=lambda: read_raw(path)):
        validate_raw(raw, SCHEMAS[INCIDENTS])
        yield raw


def _is_table1_note(label: str, values: list[str]) -> bool:
    """A footnote row under Table 1: a number then text, no values."""
    return not any(values) and bool(re.match(r"^\d+\s", label))


def _table1(path: Path, records: list) -> RawTable:
    """Table 1 of the yearly report: the header is the first record whose first cell is blank
    and whose other cells are years."""
    header_at = next((i for i, (_, _, cells) in enumerate(records)
                      if not cells[0].strip() and [c for c in cells[1:] if c.strip()]
                      and all(YEAR_HEADER.match(c.strip()) for c in cells[1:] if c.strip())), None)
    if header_at is None:
        raise RawFormatError(path, "a 'Table 1' report without a header row of years "
                             "(',2015,2016,...')")
    frame, lines, years = report_table(records, header_at, LABEL_COLUMN, _is_table1_note)
    version = detect_wide_format(path, [LABEL_COLUMN, *years], TABLE1_HEADERS, YEAR_HEADER.match,
                                 row=records[header_at][0])
    raw = RawTable(path=path, frame=frame, format_version=version, raw_rows=lines)
    validate_raw(raw, table1_schema(years))
    return raw


# --- harmonising ------------------------------------------------------------------------------

def _frame(index, **columns) -> pd.DataFrame:
    """Records with the given columns, the dimensions no FBI product splits set to `all`, and
    crime type hate_crime. Race/ethnicity is `not_recorded` rather than `all`: the offender
    records of the incident file split it, so the statistics would not otherwise say, beside
    them, that no product records the race of the incidents' victims (a dimension `all` on
    every record of a source is what they publish once as `not_recorded`)."""
    out = pd.DataFrame(index=index)
    for name, value in columns.items():
        out[name] = value
    for name in NOT_SPLIT_BY_AGGREGATES:
        out[name] = "all"
    out["race_ethnicity"] = "not_recorded"
    out["crime_type"] = CRIME_TYPE
    return out


def countries(states: pd.Series, log: UnmappedLog, column: str) -> pd.Series:
    """Where it happened from a US postal code; blank and unknown codes are UNKNOWN (unknown
    ones logged)."""
    row_codes, uniques = distinct(states)
    text = uniques.str.strip().str.upper()
    codes = text.map(STATE_COUNTRY)
    missing = (codes.isna() & (text != "")).to_numpy()
    if missing.any():
        log.add_distinct("us_states", column, uniques[missing],
                         rows_per_distinct(row_codes, len(uniques))[missing])
    return spread(codes.fillna("UNKNOWN").astype("str"), row_codes, states.index)


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise one FBI file into `crimes` records; bad rows go to quarantine."""
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    build = {"state_year_bias_counts": _state_year, "incidents": _incidents,
             **{version: _table1_records for version in TABLE1_HEADERS}}[raw.format_version]
    records = build(raw, curation, log)
    return finish_case_records({"crimes": records}, raw, snapshot, curation, log,
                               SOURCE.spec.population)


def _year_column(curation: Curation, text: pd.Series, column: str) -> pd.Series:
    """Years from text; rows without a readable year (1900-2100) are quarantined, except rows
    already quarantined for another reason (a record cut short says so once)."""
    years, bad = parse_counts(text)
    out_of_range = (years.lt(1900) | years.gt(2100)).fillna(False).to_numpy()
    curation.reject((bad | years.isna().to_numpy() | out_of_range) & ~curation.rejected, column,
                    "year_present", f"{column!r} is not a year")
    return years.astype("Int32")


def _ids(curation: Curation, ids: pd.Series, column: str, label: str) -> pd.Series:
    """Record ids: blank or repeated ids of rows not already quarantined go to quarantine
    (across the chunks of a file too: `curation.row_ids`)."""
    ids = ids.fillna("").str.strip()
    ok = ~curation.rejected
    curation.reject((ids == "").to_numpy() & ok, column, "record_id_present", f"the row has no {label}")
    repeated = (ids.duplicated(keep="first") & (ids != "")).to_numpy()
    reason = f"{label} repeats an earlier row of the file (a duplicate)"
    curation.reject(repeated & ok, column, "record_id_unique", reason)
    curation.row_ids = ("publisher", column, ids, reason)
    return ids


def _state_year(raw: RawTable, curation: Curation, log: UnmappedLog) -> pd.DataFrame:
    f = raw.frame
    malformed_records(curation, raw, f.columns[-1])
    state = f["state_postal_abbr"].str.strip()
    bias_native = native_text(f["bias_motivation"])
    year = _year_column(curation, f["year"], "year")
    counts, bad = parse_counts(f["count"])
    curation.reject(bad | counts.isna().to_numpy(), "count", "whole_number",
                    "'count' is not a whole number")
    ids = _ids(curation, state + "|" + f["year"].str.strip() + "|" + bias_native.fillna(""),
               "bias_motivation", "the state, year and bias")
    out = _frame(f.index, record_id=ids, year=year, year_basis="incident",
                 country_iso3=countries(state, log, "state_postal_abbr"),
                 country_native=native_text(state), breakdown="by_state_and_bias",
                 subject="incident", unit="unspecified", value=counts)
    out[["bias_motivation", "sgbv"]] = map_bias_motivations(f["bias_motivation"], log, "bias_motivation")
    out["bias_motivation_native"] = bias_native
    out["_row"] = np.arange(len(f))
    return out


_DATE = "%d-%b-%y"
OFFENDER_SUFFIX = "|offender"


def incident_dates(text: pd.Series, years: pd.Series) -> pd.Series:
    """Dates from `31-AUG-91`, the two-digit year read in the century that puts the date
    nearest DATA_YEAR (not Python's fixed 1969-2068 window); NaT where unreadable. Each
    distinct (date, year) is read once."""
    codes, pairs = distinct_rows(pd.DataFrame({"text": text, "year": years}))
    return spread(_dates(pairs["text"], pairs["year"]), codes, text.index)


def _dates(text: pd.Series, years: pd.Series) -> pd.Series:
    """`incident_dates` of each row."""
    dates = pd.to_datetime(text.str.strip(), format=_DATE, errors="coerce")
    read = dates.dt.year.astype("Int64")
    centuries = ((years.astype("Int64") - read) / 100).round().fillna(0).astype("int64")
    if not centuries.any():
        return dates
    parts = pd.DataFrame({"year": read + 100 * centuries, "month": dates.dt.month,
                          "day": dates.dt.day}).astype("float64")  # NaN where unreadable
    return pd.to_datetime(parts, errors="coerce")


def _incidents(raw: RawTable, curation: Curation, log: UnmappedLog) -> pd.DataFrame:
    """The incident records and the offender-race records of each incident (see the module
    docstring)."""
    f = raw.frame
    # The exact path reads record by record and knows the malformed ones; Arrow's chunks
    # hold complete records only.
    cut = (malformed_records(curation, raw, f.columns[-1]) if "fields" in f.attrs
           else np.zeros(len(f), dtype=bool))
    ok = ~curation.rejected
    ids = _ids(curation, f["INCIDENT_ID"], "INCIDENT_ID", "INCIDENT_ID")
    year = _year_column(curation, f["DATA_YEAR"], "DATA_YEAR")
    readable = pd.Series(ok, index=f.index)  # cut rows: nothing to map
    country = countries(f["STATE_ABBR"].where(readable, ""), log, "STATE_ABBR")
    out = _frame(f.index, record_id=ids, year=year, year_basis="incident",
                 country_iso3=country, country_native=per_distinct(f["STATE_ABBR"], native_text),
                 breakdown="incident_level", subject="incident", unit="incidents",
                 value=pd.array(np.ones(len(f), dtype=np.int64), dtype="Int64"),
                 crime_type_native=per_distinct(f["OFFENSE_NAME"], native_text),
                 bias_motivation_native=per_distinct(f["BIAS_DESC"], native_text))
    biases = _incident_biases(f[["BIAS_DESC", "MULTIPLE_BIAS"]], ok, log)
    out[["bias_motivation", "sgbv"]] = biases[["bias_motivation", "sgbv"]]
    flags = pd.Series("", index=f.index, dtype="str")
    flags = add_flag(flags, biases["label_missing"].to_numpy(), "multiple_bias_label_missing")
    flags = add_flag(flags, biases["flag_disagrees"].to_numpy(), "multiple_bias_flag_disagrees")
    dates = incident_dates(f["INCIDENT_DATE"], year)
    flags = add_flag(flags, (dates.isna() & ok).to_numpy(), "date_unparsed")
    differs = (dates.dt.year.astype("Int64") != year.astype("Int64")).fillna(False).to_numpy()
    flags = add_flag(flags, differs & ok, "date_year_differs")
    if cut.any():
        last_year = year[ok].iloc[-1] if ok.any() else None
        flags = add_flag(flags, (year == last_year).fillna(False).to_numpy() & ok, TRUNCATED_FLAG)
    out["flags"] = flags
    out["_dated"] = dates.to_numpy()  # where the records stop (partial years)
    out["_row"] = np.arange(len(f))
    # The same incidents counted by their offenders' race: subject offender, never the
    # victims' race. Bias and sgbv stay on the incident records.
    offenders = _frame(f.index, record_id=ids + OFFENDER_SUFFIX, year=year, year_basis="incident",
                       country_iso3=country, country_native=out["country_native"],
                       breakdown="by_offender_race", subject="offender", unit="incidents",
                       value=out["value"], crime_type_native=out["crime_type_native"],
                       bias_motivation_native=out["bias_motivation_native"],
                       bias_motivation="all", sgbv="all", flags=flags, _dated=out["_dated"],
                       _row=out["_row"])
    offenders["race_ethnicity"] = map_labels(f["OFFENDER_RACE"].where(readable, ""), RACE_TABLE,
                                             log, "OFFENDER_RACE")
    # In raw row order: each incident, then its offender record.
    both = pd.concat([out, offenders[out.columns]], ignore_index=True)
    return both.sort_values("_row", kind="stable", ignore_index=True)


def _incident_biases(f: pd.DataFrame, readable: np.ndarray, log: UnmappedLog) -> pd.DataFrame:
    """`_label_biases` of each incident (BIAS_DESC, MULTIPLE_BIAS), worked out once per
    distinct pair of them. Rows not `readable` (cut short) map nothing: bias and sgbv
    unknown, no unmapped label counted; their flag columns read the text as it is."""
    codes, pairs = distinct_rows(f[["BIAS_DESC", "MULTIPLE_BIAS"]])
    found = UnmappedLog()
    coded = _label_biases(pairs, found)
    if found.counts:  # counted once per readable row holding the label, as row by row
        rows = np.bincount(codes[readable], minlength=len(pairs))
        labels = pairs["BIAS_DESC"].str.split(";").explode().str.strip()
        weights = pd.Series(rows[labels.index], index=labels.index)
        for (mapping, column, value) in found.counts:
            n = int(weights[(labels.astype("str") == value).to_numpy()].sum())
            if n:
                log.counts[(mapping, column, value)] += n
    out = spread(coded, codes, f.index)
    if not readable.all():
        out.loc[~readable, ["bias_motivation", "sgbv"]] = "unknown"
    return out


def _label_biases(f: pd.DataFrame, log: UnmappedLog) -> pd.DataFrame:
    """One bias code per row of (BIAS_DESC, MULTIPLE_BIAS): the label's code, or `multiple`
    where BIAS_DESC lists several (split on `;` only: labels themselves hold commas and
    slashes) or MULTIPLE_BIAS says M. sgbv: yes where any listed bias is gender-based, no where
    all are known and none is, else unknown. Also whether the flag M and the number of labels
    disagree (`label_missing`: M with fewer than two; `flag_disagrees`: several without M)."""
    parts = f["BIAS_DESC"].str.split(";").explode().str.strip()
    parts = parts[parts != ""]
    coded = map_bias_motivations(parts, log, "BIAS_DESC") if len(parts) else pd.DataFrame(
        columns=["bias_motivation", "sgbv"])
    grouped = coded.groupby(level=0)
    n = grouped.size().reindex(f.index, fill_value=0)
    first = grouped.first().reindex(f.index)
    any_yes = (coded["sgbv"] == "yes").groupby(level=0).any().reindex(f.index, fill_value=False)
    all_no = (coded["sgbv"] == "no").groupby(level=0).all().reindex(f.index, fill_value=False)
    flagged_m = f["MULTIPLE_BIAS"].str.strip().str.upper() == "M"
    multiple = (n > 1) | flagged_m
    bias = first["bias_motivation"].fillna("unknown").mask(multiple, "multiple")
    sgbv = first["sgbv"].fillna("unknown")
    sgbv = sgbv.mask(multiple, np.where(any_yes, "yes", np.where(all_no & (n > 1), "no", "unknown")))
    return pd.DataFrame({"bias_motivation": bias.astype("str"), "sgbv": sgbv.astype("str"),
                         "label_missing": (flagged_m & (n < 2)).to_numpy(),
                         "flag_disagrees": (~flagged_m & (n > 1)).to_numpy()}, index=f.index)


def _table1_records(raw: RawTable, curation: Curation, log: UnmappedLog) -> pd.DataFrame:
    """One record per (label row, year); see the module docstring for what each row is."""
    f = raw.frame
    malformed_records(curation, raw, LABEL_COLUMN)
    years = [c for c in f.columns if c != LABEL_COLUMN]
    labels = f[LABEL_COLUMN].map(strip_footnote)
    is_colon = labels.str.endswith(":")
    names = labels.str.rstrip(":").str.strip()
    is_total = (names.map(normalise_label) == "total").to_numpy()
    coded = pd.DataFrame({"bias_motivation": "all", "sgbv": "all"}, index=f.index)
    if (~is_total).any():
        coded.loc[~is_total] = map_bias_motivations(names[~is_total], log, LABEL_COLUMN)
    is_subtotal = (is_colon | coded["bias_motivation"].str.endswith("_any")).to_numpy()
    is_multiple = (coded["bias_motivation"] == "multiple").to_numpy()
    # The group a leaf sits under: the nearest category subtotal above it; "Multiple-Bias
    # Incidents", the Total and the subtotals stand outside every group.
    group = names.where(is_colon).ffill().where(~is_subtotal & ~is_total & ~is_multiple)
    path = names.where(group.isna(), group + "|" + names)
    _ids(curation, path, LABEL_COLUMN, "the label")
    breakdown = np.where(is_total, "total", np.where(is_subtotal, "bias_group_subtotal",
                                                     "by_bias_motivation"))
    frames = []
    for year in years:
        counts, bad = parse_counts(f[year])
        curation.reject((bad | counts.isna().to_numpy()) & ~curation.rejected, year,
                        "whole_number", f"the {year} cell is not a whole number")
        out = _frame(f.index, record_id=year + "|" + path, year=int(year), year_basis="incident",
                     country_iso3="USA", country_native=None, breakdown=breakdown,
                     subject="incident", unit="incidents", value=counts,
                     bias_motivation_native=labels)
        out[["bias_motivation", "sgbv"]] = coded
        flags = pd.Series(np.where(is_subtotal, SUBTOTAL_FLAGS, ""), index=f.index, dtype="str")
        out["flags"] = add_flag(flags, _subtotal_differs(names, is_colon, is_subtotal, group,
                                                         counts), "subtotal_differs_from_parts")
        out["_row"] = np.arange(len(f))
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


def _subtotal_differs(names, is_colon, is_subtotal, group, counts) -> np.ndarray:
    """Subtotal rows whose value is not the sum of their parts: a category's leaves, or (for
    "Single-Bias Incidents") the category subtotals."""
    differs = np.zeros(len(names), dtype=bool)
    for i in np.flatnonzero(is_subtotal):
        if is_colon.iloc[i]:
            parts = counts[(group == names.iloc[i]).to_numpy()]
        else:
            parts = counts[is_colon.to_numpy()]
        total = counts.iloc[i]
        if pd.notna(total) and len(parts) and parts.notna().all() and int(parts.sum()) != int(total):
            differs[i] = True
    return differs


# --- load -------------------------------------------------------------------------------------

# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="fbi_hate_crime",
        title="Hate crime data of the FBI Uniform Crime Reporting Program (per product: see "
              "sources.product)",
        publisher="Federal Bureau of Investigation (FBI), Criminal Justice Information Services",
        landing_page="https://crime-data-explorer.fr.cloud.gov/downloads-and-docs",
        licence="US government work (public domain); not stated in the copies held",
        stream="crimes",
        cadence="yearly (each autumn, for the previous year)",
        max_age_days=450,
        product="incidents",
        # The CDE bulk download sits behind an interactive page: files are dropped in by hand.
        download_url=None,
        citation="FBI Uniform Crime Reporting Program, hate crime data: Crime Data Explorer bulk "
                 "files and yearly report tables (each product cited in the sources table). "
                 "Participation by agencies is voluntary.",
        population="general",
        product_titles=(
            ("incidents",
             "Hate crime incident file hate_crime.csv (Crime Data Explorer bulk download), FBI UCR "
             "Program: counts computed from the incident records, not the FBI's published tables",
             "FBI Uniform Crime Reporting Program, Crime Data Explorer, hate crime incident data "
             "(bulk download hate_crime.csv), https://crime-data-explorer.fr.cloud.gov/downloads-and-docs. "
             "Counts computed from these records differ from the FBI's yearly published tables "
             "(agencies and incidents are revised after publication)."),
            ("table1_incidents_by_bias",
             "Hate Crime Statistics, Table 1: incidents by bias motivation (yearly report), FBI UCR "
             "Program",
             "FBI Uniform Crime Reporting Program, Hate Crime Statistics (yearly report), Table 1, "
             "https://ucr.fbi.gov/hate-crime. Participation by agencies is voluntary."),
            ("state_year_bias_counts",
             "Hate crime counts by state, year and bias motivation (Crime Data Explorer), FBI UCR "
             "Program",
             "FBI Uniform Crime Reporting Program, Crime Data Explorer, hate crime counts by state, "
             "year and bias motivation, https://crime-data-explorer.fr.cloud.gov/downloads-and-docs."),
        ),
    ),
    file_patterns=("*.csv", "*.zip"),
    one_file_per_snapshot=True,
    archive_member="*.csv",  # CDE ships its bulk files as zips (hate_crime.zip / hate_crime.csv.zip)
    headers=HEADERS,
    read_raw=read_raw,
    read_raw_chunks=read_raw_chunks,
    to_curated=to_curated,
)
