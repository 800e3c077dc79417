"""UNODC Global Report on Trafficking in Persons data (GLOTIP): national counts of detected
victims of trafficking in persons, of offences, and of persons brought into formal contact with
the police, prosecuted and convicted, per country and year.

The export (`data_glotip.xlsx`) is long: one published cell a row, each row one category of one
breakdown (column `Dimension`) of one indicator. Two title rows sit above the header (row 3),
counts are text ("8,913", "<5"). The same sheet saved as CSV (UTF-8, header first, title rows
left out) is read too, in chunks when it is large; its rows are numbered as CSV records, the
header being 1.

Choices, row by row:

- `Indicator` says the table and what is counted: "Detected trafficking victims" are `crimes`
  (unit `persons`, subject `victim`); "Offences of trafficking in persons" are `crimes` (unit
  `offences`, subject `incident`); "Persons brought into formal contact" (`suspect_identified`),
  "Persons prosecuted" (`prosecuted`) and "Persons convicted" (`convicted`) are `prosecutions`
  (unit `persons`, subject `offender`: their Sex, Age and citizenship are the offenders', not the
  victims'). An indicator not listed here is quarantined, never guessed.
- `Dimension` is the `breakdown`: Total -> `total`, by citizenship -> `by_citizenship`, by form
  of exploitation -> `by_form_of_exploitation`, by country of repatriation ->
  `by_country_of_repatriation`. Breakdowns count the same people again.
- Form of exploitation: the `Category` of by-form rows, through
  maps/crime_types_unodc_glotip.csv (sexual exploitation is SGBV). Every other row covers all
  forms of trafficking in persons: it is the margin over the forms, so `crime_type` (`offence`)
  and `sgbv` are `all` there; `crime_type_native` (`offence_native`) then keeps the indicator.
- Sex and Age are read as published: Total -> `all` (the cell is a margin), Female/Male/Other/
  Unknown, "0 to 17 years" -> `child`, "18 years or over" -> `adult`. GLOTIP's Unknown row has
  Sex and Age both Unknown (sex and age not known) and is kept so. Rows of the citizenship,
  form and repatriation breakdowns that are not split by sex or age say Total there: `all`.
- Citizenship: the `Category` of by-citizenship rows through the country alias table;
  "Nationals" are citizens of the reporting country (`Iso3_code` of the row); demonyms and
  regions are mapped there too. What no alias knows becomes `UNKNOWN` and is listed in the
  unmapped log (GLOTIP has a few category cells that are not citizenships at all: "Nationality",
  "0", "145"). A citizenship category that is the total itself ("TOTAL", BOL 2017-22: the
  same figure as the Total row) is kept with nationality `all` and left out of the statistics
  (flag `not_in_stats:category_is_total`), so it does not count the victims twice.
- Country of repatriation is not nationality: those rows keep nationality `all`, carry the
  country as published in the flag `repatriation_country:<label>`, and are left out of the
  statistics (flag `not_in_stats:repatriation`): the statistics tables have no repatriation
  dimension, and with nationality `all` they would add to the Total row.
- Values: "<5" is withheld by UNODC (value null, bounds [0, 4], `source_suppressed`); other
  values are whole numbers with thousands separators. A value that is neither, a blank value,
  an unreadable year, or a unit other than "Counts" sends the row to quarantine with its reason.
  Rows whose `Category` is a questionnaire item code ("Q6.1_10s_2019", PAK and SLE persons
  convicted 2019-21 in the 2025 release) are quarantined too: their values repeat the code's
  digits ("61,102,019"), they are not counts; so is every other row of their block (the
  "Nationals" row among them says 6,112,019). A value above its country-year-indicator's own
  Total row, or above the largest population of its country, is quarantined naming both
  numbers (data model invariant 6).
- `country_iso3` is `Iso3_code` (the reporting country); `country_native` is `Country`. A few
  rows have no code ("Sark", "Aruba/Curacao"): `UNKNOWN`, with the text kept and logged.
- `year` is `Year`, `year_basis` `reported`: national authorities report what they detected,
  prosecuted or convicted in that calendar year; the year of the exploitation is not given.
- There is no publisher id: `record_id` is a hash of the row's content plus its occurrence
  number. Identical rows are kept as records (several "Other forms of exploitation" rows for
  one country and year may be sub-forms UNODC collapsed under one label, or one row repeated);
  the statistics count them once or twice, whichever agrees with the breakdown's own total,
  and as the range [once, twice] where neither or both do (invariant 5, `stats.reconcile`).
- Race/ethnicity, gender identity and perpetrator are not recorded by GLOTIP.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import map_crime_types
from pipelines.harmonize.countries import NATIONALS, map_countries
from pipelines.harmonize.distinct import per_distinct
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.population import population_bounds
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawFormatError, RawTable
from pipelines.sources.cases import NOT_IN_STATS, finish_case_records, statistics_input
from pipelines.sources.curate import add_flag, content_record_ids, native_text
from pipelines.sources.formats import detect_format, iter_versioned_csv, read_versioned_csv, validate_raw
from pipelines.sources.readers import cell_text, read_xlsx_rows, xlsx_table
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.unodc_glotip import CSV_HEADERS, HEADER_INDEX, HEADERS, SCHEMAS


MAP_TABLE = "crime_types_unodc_glotip"
# Indicator -> (table, unit, subject, stage). Stage only for prosecutions.
INDICATORS = {
    "Detected trafficking victims": ("crimes", "persons", "victim", None),
    "Offences of trafficking in persons": ("crimes", "offences", "incident", None),
    "Persons brought into formal contact": ("prosecutions", "persons", "offender",
                                            "suspect_identified"),
    "Persons prosecuted": ("prosecutions", "persons", "offender", "prosecuted"),
    "Persons convicted": ("prosecutions", "persons", "offender", "convicted"),
}
BREAKDOWNS = {
    "Total": "total",
    "by citizenship": "by_citizenship",
    "by form of exploitation": "by_form_of_exploitation",
    "by country of repatriation": "by_country_of_repatriation",
}
SEX = {"Total": "all", "Female": "female", "Male": "male", "Other": "other", "Unknown": "unknown"}
AGE = {"Total": "all", "0 to 17 years": "child", "18 years or over": "adult", "Unknown": "unknown"}
UNIT_OF_MEASUREMENT = "Counts"
SUPPRESSED = "<5"
SUPPRESSED_BOUNDS = (0, 4)  # "<5" of a count: 0 to 4 (UNODC documents nothing else)
# A citizenship category that is the total of the breakdown, not a citizenship.
TOTAL_CATEGORIES = {"total", "total por año"}
ITEM_CODE = re.compile(r"^\s*Q\d+(?:\.\d+)*_", re.IGNORECASE)
ISO3 = re.compile(r"^[A-Z]{3}$")
YEAR_BASIS = "reported"

CRIMES_COLUMNS = ["record_id", "year", "year_basis", "country_iso3", "country_native",
                  "breakdown", "crime_type", "crime_type_native", "sgbv", "subject", "sex",
                  "age_group", "nationality", "nationality_native", "unit", "value", "value_min",
                  "value_max", "source_suppressed", "flags", "_row"]
PROSECUTIONS_COLUMNS = ["record_id", "year", "year_basis", "country_iso3", "country_native",
                        "breakdown", "offence", "offence_native", "stage", "stage_native", "sgbv",
                        "subject", "sex", "age_group", "nationality", "nationality_native", "unit",
                        "value", "value_min", "value_max", "source_suppressed", "flags", "_row"]


# --- load -----------------------------------------------------------------------------------

def _header_index(path: Path, rows: list[list]) -> tuple[str, int]:
    """Format version and 0-based index of the header row: row 3 of the sheet in every release
    seen; a header elsewhere in the first rows is read too, a sheet with none fails loudly."""
    for version, index in HEADER_INDEX.items():
        if len(rows) > index and _cells(rows[index]) == HEADERS[version]:
            return version, index
    for index, row in enumerate(rows[:10]):
        cells = _cells(row)
        if "txtVALUE" in cells and "Indicator" in cells:
            return detect_format(path, cells, HEADERS), index
    first = _cells(rows[HEADER_INDEX["titled_2023"]]) if len(rows) > 2 else []
    return detect_format(path, first, HEADERS), HEADER_INDEX["titled_2023"]


def _cells(row: list) -> list[str]:
    cells = [cell_text(c).strip() for c in row]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def read_raw(path: Path) -> RawTable:
    """Read a GLOTIP export as text (rows numbered as the sheet or the CSV shows them) and
    check it against its raw schema."""
    if path.suffix.lower() == ".csv":
        return read_versioned_csv(path, CSV_HEADERS, SCHEMAS)
    rows = read_xlsx_rows(path)
    if not rows:
        raise RawFormatError(path, "the workbook's first sheet is empty")
    version, index = _header_index(path, rows)
    raw = xlsx_table(path, rows, index, version)
    validate_raw(raw, SCHEMAS[version])
    return raw


def read_raw_chunks(path: Path, rows: int) -> Iterator[RawTable]:
    """`read_raw` in chunks of up to `rows` records (a CSV larger than memory; a workbook
    comes whole). Each chunk carries the file's plausibility facts (`_csv_file_facts`), so a
    chunk is checked against Total rows and item-code blocks anywhere in the file."""
    if path.suffix.lower() != ".csv":
        yield read_raw(path)
        return
    facts = None
    for number, raw in enumerate(iter_versioned_csv(path, CSV_HEADERS, SCHEMAS, rows)):
        if number == 0 and len(raw.frame) >= rows:  # more chunks may follow
            facts = _csv_file_facts(path)
        raw.file_facts = facts
        yield raw


def _csv_file_facts(path: Path) -> dict[str, pd.DataFrame] | None:
    """`_file_facts` of a whole CSV, read a block at a time with only the columns they need
    (None where Arrow cannot read the file: it is then read whole, as one chunk)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    convert = pacsv.ConvertOptions(include_columns=FACT_COLUMNS,
                                   column_types={c: pa.string() for c in FACT_COLUMNS},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    found = []
    try:
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 24),
                                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                                convert_options=convert)
        for batch in reader:
            trimmed = {c: pc.utf8_trim_whitespace(batch.column(c)) for c in FACT_COLUMNS}
            found.append(_file_facts(pa.table(trimmed).to_pandas()))
    except (pa.ArrowInvalid, UnicodeDecodeError, KeyError):
        return None
    return {name: pd.concat([f[name] for f in found], ignore_index=True).drop_duplicates()
            for name in ("totals", "blocks")} if found else None


# --- process --------------------------------------------------------------------------------

def _closed_vocabulary(curation: Curation, text: pd.Series, table: dict, column: str,
                       what: str) -> pd.Series:
    """Codes for a column whose published labels are a closed list; others quarantined."""
    codes = per_distinct(text, lambda labels: labels.map(table))
    unknown = codes.isna().to_numpy()
    curation.reject(unknown, column, f"known_{column.lower().replace(' ', '_')}",
                    f"{column!r} is not one of GLOTIP's {what} ({', '.join(table)})")
    return codes


def _citizenships(category: pd.Series, reporting: pd.Series, log: UnmappedLog) -> pd.Series:
    """Nationality codes of by-citizenship categories; "Nationals" -> the reporting country
    (`Iso3_code`; where the row has no code, UNKNOWN and logged like any unmapped label)."""
    codes = map_countries(category, log, "Category", reporting_country=NATIONALS)
    nationals = (codes == NATIONALS).to_numpy()
    if not nationals.any():
        return codes
    own = reporting.where(reporting.str.match(ISO3).to_numpy())
    uncoded = nationals & own.isna().to_numpy()
    if uncoded.any():
        log.add("countries", "Category", category[uncoded].str.strip())
    return codes.mask(nationals, own).fillna("UNKNOWN").astype("str")


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise one GLOTIP export into `crimes` and `prosecutions` records; rows that cannot
    be read go to quarantine with their reason."""
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    text = {c: raw.frame[c].astype("str").str.strip() for c in raw.frame.columns}
    out = _read_cells(text, curation)
    out["record_id"] = content_record_ids(curation, raw.frame)
    readable = ~curation.rejected  # mapped only where readable: quarantine stays out of the log
    out = out.join(_places(text, readable, log))
    out = out.join(_categories(text, out["breakdown"].to_numpy(), readable, log))
    return finish_case_records(_tables(out, text["Indicator"]), raw, snapshot, curation, log,
                               SOURCE.spec.population)


def _read_cells(text: dict[str, pd.Series], curation: Curation) -> pd.DataFrame:
    """What every row says in GLOTIP's closed vocabularies (indicator, dimension, sex, age,
    unit), its year and its value; rows that say something else are quarantined."""
    _closed_vocabulary(curation, text["Indicator"], INDICATORS, "Indicator", "indicators")
    out = pd.DataFrame(index=text["Indicator"].index)
    out["_row"] = np.arange(len(out))
    for position, column in enumerate(("_table", "unit", "subject", "stage")):
        out[column] = text["Indicator"].map({k: v[position] for k, v in INDICATORS.items()})
    out["breakdown"] = _closed_vocabulary(curation, text["Dimension"], BREAKDOWNS, "Dimension",
                                          "dimensions")
    out["sex"] = _closed_vocabulary(curation, text["Sex"], SEX, "Sex", "sex categories")
    out["age_group"] = _closed_vocabulary(curation, text["Age"], AGE, "Age", "age categories")
    curation.reject((text["Unit of measurement"] != UNIT_OF_MEASUREMENT).to_numpy(),
                    "Unit of measurement", "unit_counts",
                    f"the unit of measurement is not {UNIT_OF_MEASUREMENT!r}: not a count")
    category = text["Category"]
    curation.reject(((out["breakdown"] == "total") & (category != "Total")).to_numpy(),
                    "Category", "total_category",
                    "a row of Dimension 'Total' whose category is not 'Total'")
    curation.reject(category.str.match(ITEM_CODE).to_numpy(), "Category",
                    "category_not_item_code", "the category is a questionnaire item code, not a "
                    "citizenship, and the value repeats the code's digits: not a count")

    years, bad_years = parse_counts(text["Year"])
    no_year = (years.isna().to_numpy() | bad_years
               | ~years.between(1900, 2100).fillna(False).to_numpy())
    curation.reject(no_year, "Year", "year_present", "the year is blank or not a year")
    out["year"] = years.astype("Int32")
    out["year_basis"] = YEAR_BASIS

    value_text = text["txtVALUE"]
    suppressed = (value_text == SUPPRESSED).to_numpy()
    values, bad_values = parse_counts(value_text.mask(suppressed, ""))
    curation.reject(bad_values, "txtVALUE", "count_or_withheld",
                    "txtVALUE is neither a whole number (thousands separators allowed) nor '<5'")
    curation.reject((value_text == "").to_numpy(), "txtVALUE", "value_present",
                    "txtVALUE is blank")
    out["value"] = values
    out["value_min"] = values.mask(suppressed, SUPPRESSED_BOUNDS[0]).astype("Int64")
    out["value_max"] = values.mask(suppressed, SUPPRESSED_BOUNDS[1]).astype("Int64")
    out["source_suppressed"] = suppressed
    _reject_implausible(text, out, curation)
    return out


BLOCK = ["Iso3_code", "Year", "Indicator", "Dimension"]  # one published table of a country-year
CELL = ["Iso3_code", "Year", "Indicator"]
FACT_COLUMNS = BLOCK + ["Category", "Sex", "Age", "txtVALUE"]


def _file_facts(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """What checking any row of the file for plausibility needs (`frame`: the FACT_COLUMNS
    as stripped text): each country-year-indicator's Total row, and the blocks holding a
    questionnaire item code."""
    is_total = ((frame["Dimension"] == "Total") & (frame["Category"] == "Total")
                & (frame["Sex"] == "Total") & (frame["Age"] == "Total"))
    return {"totals": frame.loc[is_total, CELL + ["txtVALUE"]].drop_duplicates(),
            "blocks": frame.loc[frame["Category"].str.match(ITEM_CODE).to_numpy(dtype=bool),
                                BLOCK].drop_duplicates()}


def _reject_implausible(text: dict[str, pd.Series], out: pd.DataFrame, curation: Curation) -> None:
    """Data model invariant 6: rows that cannot be counts. A block of questionnaire item
    codes (a country-year-indicator table whose categories are item codes) is quarantined
    whole, ordinary labels among them included (PAK and SLE persons convicted 2019-21: a
    "Nationals" row of 6,112,019 sits among `Q6.1_...` codes). A cell above its own
    country-year-indicator Total (the Total/Total/Total/Total row), or above the largest
    population its country had (World Bank, `maps/population_bounds.csv`), is quarantined
    with both numbers in the reason (repatriation rows excepted). A file read in chunks is
    checked chunk by chunk."""
    frame = pd.DataFrame({c: text[c] for c in FACT_COLUMNS})
    facts = curation.raw.file_facts or _file_facts(frame)
    coded = frame["Category"].str.match(ITEM_CODE).to_numpy(dtype=bool)
    if len(facts["blocks"]):
        in_block = frame[BLOCK].merge(facts["blocks"], how="left", indicator=True)["_merge"].eq(
            "both").to_numpy()
        curation.reject(in_block & ~coded, "Category", "block_of_item_codes",
                        "the row sits in a block of questionnaire item codes (same country, year, "
                        "indicator and dimension): its value is not a count")
    # Repatriation rows count victims returned to or from another country, not a split of the
    # country's detected victims: its Total does not bound them (they stay out of statistics).
    high = out["value_min"].to_numpy(dtype="float64", na_value=np.nan)
    high[(frame["Dimension"] == "by country of repatriation").to_numpy()] = np.nan
    is_total = ((frame["Dimension"] == "Total") & (frame["Category"] == "Total")
                & (frame["Sex"] == "Total") & (frame["Age"] == "Total")).to_numpy()
    totals = facts["totals"].rename(columns={"txtVALUE": "total_text"})
    values, unreadable = parse_counts(totals["total_text"].mask(totals["total_text"] == SUPPRESSED, ""))
    totals = totals.assign(total=values.mask(totals["total_text"] == SUPPRESSED, SUPPRESSED_BOUNDS[1])
                           .to_numpy(dtype="float64", na_value=np.nan))[~unreadable].dropna(subset=["total"])
    totals = totals.sort_values("total").drop_duplicates(CELL, keep="last")
    own = frame[CELL].merge(totals, how="left", on=CELL)
    above = ~is_total & (high > own["total"].to_numpy())
    if above.any():
        curation.reject_each(above, "txtVALUE", "cell_within_total", [
            f"txtVALUE {v} is above its own country-year-indicator Total ({t}"
            + (f", at most {int(m)})" if t == SUPPRESSED else ")")
            for v, t, m in zip(frame.loc[above, "txtVALUE"], own.loc[above, "total_text"],
                               own.loc[above, "total"])])
    bound = frame["Iso3_code"].map(population_bounds()).to_numpy(dtype="float64", na_value=np.nan)
    crowded = high > bound
    if crowded.any():
        curation.reject_each(crowded, "txtVALUE", "cell_within_population", [
            f"txtVALUE {v} is above the largest population of {c} ({int(b):,}, World Bank "
            "SP.POP.TOTL 2000-2023)" for v, c, b in zip(
                frame.loc[crowded, "txtVALUE"], frame.loc[crowded, "Iso3_code"], bound[crowded])])


def _places(text: dict[str, pd.Series], readable: np.ndarray, log: UnmappedLog) -> pd.DataFrame:
    """The reporting country: its code where `Iso3_code` holds one, else UNKNOWN (logged)."""
    iso3 = text["Iso3_code"]
    coded = iso3.str.match(ISO3)
    country = text["Country"].where(text["Country"] != "", iso3)  # "Aruba/Curacao" in Iso3_code
    uncoded = ~coded.to_numpy() & readable
    if uncoded.any():
        log.add("countries", "Iso3_code", country[uncoded])
    return pd.DataFrame({"country_iso3": iso3.where(coded, "UNKNOWN"),
                         "country_native": native_text(country)})


def _categories(text: dict[str, pd.Series], breakdown: np.ndarray, readable: np.ndarray,
                log: UnmappedLog) -> pd.DataFrame:
    """Crime type and SGBV (the form of exploitation, or `all`), nationality (the citizenship,
    or `all`) and the flags that keep repatriation and total-as-category rows out of the
    statistics."""
    category, indicator = text["Category"], text["Indicator"]
    out = pd.DataFrame(index=category.index)
    labels = category.where(breakdown == "by_form_of_exploitation", indicator)
    crime = pd.DataFrame({"crime_type": "unknown", "sgbv": "unknown"}, index=out.index)
    crime.loc[readable] = map_crime_types(labels[readable], MAP_TABLE, log, "Category")
    out["crime_type"], out["sgbv"] = crime["crime_type"], crime["sgbv"]
    out["crime_type_native"] = native_text(labels)

    citizenship = breakdown == "by_citizenship"
    is_total = citizenship & per_distinct(
        category, lambda labels: labels.map(normalise_label).isin(TOTAL_CATEGORIES).to_numpy())
    nationality = pd.Series("all", index=out.index, dtype="str")
    mapped = citizenship & ~is_total & readable
    if mapped.any():
        nationality[mapped] = _citizenships(category[mapped], text["Iso3_code"][mapped], log)
    out["nationality"] = nationality
    out["nationality_native"] = native_text(category.where(citizenship, ""))

    flags = pd.Series("", index=out.index, dtype="str")
    repatriation = breakdown == "by_country_of_repatriation"
    flags = add_flag(flags, repatriation, f"{NOT_IN_STATS}:repatriation")
    flags = flags.mask(repatriation, flags + ";repatriation_country:"
                       + category.str.replace(";", ",", regex=False))
    out["flags"] = add_flag(flags, is_total, f"{NOT_IN_STATS}:category_is_total")
    return out


def _tables(out: pd.DataFrame, indicator: pd.Series) -> dict[str, pd.DataFrame]:
    """The cells split into `crimes` and `prosecutions` (rows of an unknown indicator, already
    quarantined, ride along with crimes and are dropped there)."""
    table = out.pop("_table")
    crimes = out[(table != "prosecutions").to_numpy()]
    prosecutions = out[(table == "prosecutions").to_numpy()].rename(
        columns={"crime_type": "offence", "crime_type_native": "offence_native"})
    prosecutions = prosecutions.assign(stage_native=native_text(indicator[prosecutions.index]))
    return {"crimes": crimes[CRIMES_COLUMNS].copy(),
            "prosecutions": prosecutions[PROSECUTIONS_COLUMNS].copy()}


# --- the source's own arithmetic ------------------------------------------------------------

# Dimensions whose margins GLOTIP publishes, per table; sgbv follows crime_type (offence) and
# is not a dimension of its own here.
REPORT_DIMS = {"crimes": ("sex", "age_group", "nationality", "crime_type"),
               "prosecutions": ("sex", "age_group", "nationality", "offence")}
REPORT_FIXED = {"crimes": ("source", "snapshot", "year", "unit", "subject", "country_iso3"),
                "prosecutions": ("source", "snapshot", "year", "unit", "subject", "stage",
                                 "country_iso3")}
OUTCOMES = ("exact", "within_bounds", "short", "excess")


def margin_report(records: pd.DataFrame, table: str) -> pd.DataFrame:
    """Every margin GLOTIP publishes beside its parts, and how they compare.

    Rows sharing every key (sub-forms) are added first. For each dimension, the parts are the
    published cells with a category there, grouped by all other keys; the margin is the cell
    with `all` there and the same other keys (e.g. Female + Male + Other at age `all` against the
    Total row; the forms of exploitation against the Total breakdown; the citizenships against
    the Total row). Outcome: `exact`, `within_bounds` (withheld "<5" parts or total, bounds
    overlap), `short` (parts below the total: the statistics put the rest under unknown) or
    `excess` (parts above the total: listed as a source inconsistency). Parts without a
    published margin are not compared. Records flagged not_in_stats are left out, as in the
    statistics."""
    records = statistics_input(records)
    dims, fixed = REPORT_DIMS[table], REPORT_FIXED[table]
    keys = list(fixed + dims)
    cells = records.assign(withheld=records["value"].isna()).groupby(keys, sort=False).agg(
        value_min=("value_min", "sum"), value_max=("value_max", "sum"),
        withheld=("withheld", "any")).reset_index()
    frames = []
    for dim in dims:
        others = [k for k in keys if k != dim]
        parts = cells[cells[dim] != "all"].groupby(others, sort=False).agg(
            parts_min=("value_min", "sum"), parts_max=("value_max", "sum"),
            parts_withheld=("withheld", "any"), parts=(dim, "size")).reset_index()
        margins = cells[cells[dim] == "all"][others + ["value_min", "value_max", "withheld"]]
        joined = parts.merge(margins, on=others, how="inner")
        excess = joined["parts_min"] > joined["value_max"]
        short = joined["parts_max"] < joined["value_min"]
        exact = (~joined["parts_withheld"] & ~joined["withheld"]
                 & (joined["parts_min"] == joined["value_min"]))
        outcome = np.select([excess, short, exact], ["excess", "short", "exact"], "within_bounds")
        frames.append(joined.assign(dimension=dim, outcome=outcome))
    report = pd.concat(frames, ignore_index=True)
    return report.rename(columns={"value_min": "total_min", "value_max": "total_max",
                                  "withheld": "total_withheld"})


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="unodc_glotip",
        title="Global Report on Trafficking in Persons: data (GLOTIP)",
        publisher="United Nations Office on Drugs and Crime (UNODC)",
        landing_page="https://dataunodc.un.org/dp-trafficking-persons",
        licence="not stated in the copies held; see the publisher's terms of use",
        stream="crimes",  # and prosecutions: persons brought into formal contact, prosecuted, convicted
        cadence="biennial (with each Global Report on Trafficking in Persons)",
        max_age_days=3 * 365,
        product="glotip",
        download_url="https://dataunodc.un.org/sites/dataunodc.un.org/files/data_glotip.xlsx",
        download_name="data_glotip.xlsx",
        citation="UNODC, Global Report on Trafficking in Persons data, "
                 "https://dataunodc.un.org/dp-trafficking-persons",
        population="general",
    ),
    file_patterns=("*.xlsx", "*.csv"),
    one_file_per_snapshot=True,
    headers=HEADERS,
    read_raw=read_raw,
    read_raw_chunks=read_raw_chunks,
    to_curated=to_curated,
)
