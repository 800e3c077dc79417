"""Human Trafficking Prosecution Dataset (HTPD): federal human-trafficking prosecutions in the
United States, cases filed 2000-2016, as a third party scraped the dataset's public site in 2018
(`kind = derived`). Cases carry victim counts (total, minors, foreign nationals, females,
males); defendants their sex, race, age at arrest, the statutes of the site's statute table
(18 USC 1589-1594 trafficking, 8 USC 1324 alien smuggling and harbouring, the Mann Act...) with
the counts pleaded, dismissed and tried per statute, and their sentences.

Which file: the snapshot holds the same cases twice, as `case_data.json` (the raw scrape, one
line of JSON) and as `case_data.csv` + `defendant_data.csv` (the scraper's flattening of that
JSON, field for field). The module reads the two CSVs and never the JSON (`file_patterns`), so a
snapshot holding both counts its cases once: their rows give every record a raw row a person
can open, and their headers can be checked at fetch time and against the raw schema. The JSON
adds only the judges (never read, so their names cannot enter a table) and keeps "$" and "," in
money, which no statistic uses; tests/test_source_us_htpd_prosecutions.py checks that the two
agree on every field read.

Years: a case's `year` is the year it was filed in federal court, the year of its docket number
("2:10-cr-00159" was filed in 2010; they agree for 657 of the 658 cases with both), year_basis
`filed`. A case with a blank `year` takes its docket number's year instead: year_basis
`record_id`, flag `year_from_record_id` (as MMP's rows dated by their id), so the `filed` basis
sums to the publisher's own column. Defendants take their case's year and basis (read from
`case_data.csv` beside their file), so victims and defendants of the cases filed in a year are
counted in that year.

Cases -> `crimes`: victims (unit persons, subject victim, population general: victims of every
nationality), crime type `trafficking_unspecified` (sgbv unknown: the case table states no form
of exploitation; the summary text is never mined), country USA (`country_native` the state).
One record per published count and breakdown: `total` (n_victims), `by_sex` (female, male),
`by_age` (child = n_minors), `by_citizenship` (FOREIGN_UNSPECIFIED = n_foreigners); the rest of
a case's total is `unknown` in each breakdown (nobody is called adult or a US national unless the
source says so), worked out case by case so that one case's shortfall never hides another's
excess. Where a case's parts exceed its total (36 cases: female + male != n_victims, 3 of them
above it), the case keeps every published cell and a flag (`sex_split_exceeds_total`,
`children_exceed_total`, `foreigners_exceed_total`), and the statistics list the year's excess
in `source_inconsistencies`. A blank count is not published (no record); a case without a total
still gives its other counts, which the statistics then list as an excess over the year's total.
In the years with an excess (2002, 2006 and 2014 in the 2018 copy) the source's total is the
published cell (country USA, crime type trafficking_unspecified); the margins computed above it
(country or crime type `all`) meet every breakdown's sum and are ranges [total, parts] with a
null value, as GLOTIP's world totals are (pipelines/stats/reconcile).

Whom it counts (`population`): `general`, as GLOTIP. The HTPD counts every victim of the
federal trafficking cases it codes, US citizens as well as foreign nationals, so it is not a
source of migrants only; its foreign-national count is how it speaks about migrants, as the
data model's nationality dimension of a general source does. That count is published under
`nationality = FOREIGN_UNSPECIFIED` (the data model's code for "foreign, country not stated":
a foreign national is no country) and never under `population = migrants`: the HTPD does not
say that a foreign national moved across a border to be exploited, lived in the US before, or
holds any status (a foreign student, a tourist, a visa worker and a smuggled person all count),
so calling them migrants would add what the source does not say. Nobody is called a US national
either: the rest of a case's total is `UNKNOWN`. Readers asking "victims who are migrants"
read the FOREIGN_UNSPECIFIED cells as the closest figure the source gives, labelled as what it is.

Defendants -> `prosecutions` (subject offender, population general), with sex (gender), race
(maps/race_ethnicity_us_htpd_prosecutions.csv), age group at arrest, country USA; nationality
is not recorded. Two units:
- `persons`: every defendant at stage `prosecuted` (the HTPD lists persons charged in a federal
  court case, with a charge date and statutes: charging is prosecution; the earlier
  `suspect_identified` is never claimed, the site holding no arrests without charges), and at
  one outcome, the furthest reached (stages overlap: never summed):
  `convicted` (a guilty plea or trial verdict on a listed statute, or a sentence: n_sentences
  1-998 or months of prison or probation, as the statute table lists only the statutes the HTPD
  codes), else `acquitted` (a not-guilty verdict), else `dismissed` (counts dismissed or not
  prosecuted), else `pending` (n_sentences 999 and no year terminated: no disposition recorded;
  999 "means pending or missing", and a fugitive's case is pending too), else `unknown` (999
  with a year terminated, or no disposition at all). Offence is `all`: a person counts once,
  whatever the statutes (`offence_native` lists them).
- `charges`: the statutes grouped by offence (maps/offences_us_htpd_prosecutions.csv: 1589 and
  1590 forced labour, 1591 sexual exploitation, 1581-1588 other forms, 1592 and 1594 trafficking
  of unstated form, 8 USC 1324 `smuggling_unspecified`, ...), one record per defendant and
  offence at `prosecuted` and at that offence's own outcome (as above, from its statutes' counts
  only). A defendant charged under several offences counts once under each: the offence margin
  of this unit counts charges, never persons (397 defendants charged under 8 USC 1324). The 279
  defendants whose statute table the site left empty have no charges.
Statute cells are one value or a Python list ("['1324', '1589']", "[None, None]": a cell the
site left empty is an unknown disposition). Names (`name` of defendants and of cases, "USA v.
...") are never copied; the summary text is never read.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import crime_type_table, map_labels
from pipelines.harmonize.distinct import per_distinct
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawFormatError, RawTable
from pipelines.sources.cases import finish_case_records
from pipelines.sources.curate import add_flag, unique_ids
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.us_htpd_prosecutions import HEADERS, SCHEMAS

CASE_FILE = "case_data.csv"
OFFENCE_MAP = "offences_us_htpd_prosecutions"
RACE_MAP = "race_ethnicity_us_htpd_prosecutions"
CRIME_TYPE, CRIME_SGBV = "trafficking_unspecified", "unknown"
CRIME_NATIVE = "federal human-trafficking prosecution (HTPD case)"
# Count column -> (breakdown, dimension, category, flag where it exceeds the case's total).
VICTIM_COUNTS = {
    "n_females": ("by_sex", "sex", "female", "sex_split_exceeds_total"),
    "n_males": ("by_sex", "sex", "male", "sex_split_exceeds_total"),
    "n_minors": ("by_age", "age_group", "child", "children_exceed_total"),
    "n_foreigners": ("by_citizenship", "nationality", "FOREIGN_UNSPECIFIED",
                     "foreigners_exceed_total"),
}
UNKNOWN = {"sex": "unknown", "age_group": "unknown", "nationality": "UNKNOWN"}
# The statute table's columns: the statutes, then the counts disposed of each way.
STATUTES = "statute_sentence"
GUILTY, NOT_GUILTY = ("statute_plea_guilty", "statute_trial_guilty"), ("statute_trial_ng",)
DISMISSED = ("statute_plea_dismissed", "statute_counts_np")
DISPOSITIONS = GUILTY + NOT_GUILTY + DISMISSED
PENDING_OR_MISSING = 999  # n_sentences: no sentence yet, or none collected
NUMBERS = ("n_sentences", "total_months_sentenced", "total_months_probation", "arrest_age",
           "year_terminated")

# The two CSVs as text (UTF-8), the layout told from the header.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- years of cases -------------------------------------------------------------------------

def docket_years(numbers: pd.Series) -> pd.Series:
    """The filing year a federal docket number carries ("2:10-cr-00159-PD", "10-cr-00339",
    with hyphens or U+2212 minus signs): 20yy, or 19yy from 70 on; null where none."""
    def read(cells: pd.Series) -> pd.Series:
        yy = pd.to_numeric(cells.str.extract(r"^\s*(?:\d+\s*:\s*)?(\d{2})\s*[-\u2212\u2013]\s*[A-Za-z]{2}",
                                             expand=False), errors="coerce")
        return (yy + np.where(yy >= 70, 1900, 2000)).astype("Int32")
    return per_distinct(numbers.astype("str"), read)


def case_years(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, np.ndarray, np.ndarray]:
    """(year, year_basis, mask of years read from the docket number, mask of cases without a
    usable year: `year` unreadable, or blank with no docket year)."""
    years, unreadable = parse_counts(frame["year"])
    unreadable |= ~years.between(1900, 2100).fillna(True).to_numpy()
    from_docket = years.isna().to_numpy() & ~unreadable
    docket = docket_years(frame["number"])
    year = years.astype("Int32").mask(from_docket, docket)
    basis = pd.Series(np.where(from_docket, "record_id", "filed"), index=frame.index, dtype="str")
    return year, basis, from_docket & year.notna().to_numpy(), unreadable | year.isna().to_numpy()


# --- cases -> crimes --------------------------------------------------------------------------

def _cases_to_crimes(raw: RawTable, snapshot: Snapshot, curation: Curation, log: UnmappedLog) -> CuratedPart:
    """One `crimes` record per published victim count of a case, plus each breakdown's unknown
    rest of the case's total."""
    frame = raw.frame
    ids = unique_ids(curation, frame["id"], "id", label="case id", repeated="the case id")
    counts = {}
    for column in ("n_victims", *VICTIM_COUNTS):
        values, bad = parse_counts(frame[column])
        curation.reject(bad | (values < 0).fillna(False).to_numpy(), column, "whole_number",
                        f"{column!r} is not a whole number of victims (0 or more)")
        counts[column] = values
    year, basis, from_docket, no_year = case_years(frame)
    curation.reject(no_year, "year", "year_present", "no year: 'year' is unreadable or outside "
                    "1900-2100, or blank with a case number that gives no filing year")
    flags = add_flag(pd.Series("", index=frame.index, dtype="str"), from_docket, "year_from_record_id")
    total = counts["n_victims"]
    parts: dict[str, pd.Series] = {}
    for column, (breakdown, _, _, _) in VICTIM_COUNTS.items():
        parts[breakdown] = parts.get(breakdown, 0) + counts[column].fillna(0)
    for breakdown, flag in dict((b, f) for b, _, _, f in VICTIM_COUNTS.values()).items():
        flags = add_flag(flags, (parts[breakdown] > total).fillna(False), flag)
    common = pd.DataFrame({"_row": np.arange(len(frame)), "year": year, "year_basis": basis,
                           "country_native": frame["state"].str.strip().replace("", None),
                           "flags": flags})
    pieces = [_victim_records(common, ids, total, "total", "total", None, None)]
    for column, (breakdown, dim, code, _) in VICTIM_COUNTS.items():
        pieces.append(_victim_records(common, ids, counts[column], breakdown, f"{dim}={code}", dim, code))
    for breakdown, dim in (("by_sex", "sex"), ("by_age", "age_group"), ("by_citizenship", "nationality")):
        rest = (total - parts[breakdown]).where(total > parts[breakdown])
        pieces.append(_victim_records(common, ids, rest, breakdown, f"{dim}={UNKNOWN[dim]}", dim,
                                      UNKNOWN[dim]))
    records = pd.concat(pieces, ignore_index=True)
    for dim in ("sex", "age_group", "nationality"):
        records[dim] = records[dim].fillna("all")
    records["nationality_native"] = records["nationality"].map(
        {"FOREIGN_UNSPECIFIED": "foreigners (n_foreigners)"})
    records = records.assign(subject="victim", unit="persons", country_iso3="USA",
                             crime_type=CRIME_TYPE, sgbv=CRIME_SGBV, crime_type_native=CRIME_NATIVE,
                             bias_motivation="not_applicable", gender_identity="not_recorded",
                             race_ethnicity="not_recorded", perpetrator="not_recorded")
    return finish_case_records({"crimes": records}, raw, snapshot, curation, log,
                               SOURCE.spec.population)


def _victim_records(common: pd.DataFrame, ids: pd.Series, values: pd.Series, breakdown: str,
                    cell: str, dim: str | None, code: str | None) -> pd.DataFrame:
    """Records of one count of every case that publishes it (a blank count gives none)."""
    has = values.notna().to_numpy()
    out = common[has].copy()
    out["record_id"] = ids[has].to_numpy() + "|" + cell
    out["breakdown"] = breakdown
    out["value"] = values[has].astype("Int64").to_numpy()
    if dim is not None:
        out[dim] = code
    return out


# --- defendants -> prosecutions ---------------------------------------------------------------

def statute_cells(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Each statute cell as a tuple of items (text or None): "" -> (), "1591" -> ("1591",),
    "['1324', '1589']" -> ("1324", "1589"), "[None, None]" -> (None, None); and a mask of
    cells that are neither."""
    def read(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
        items, bad = [], []
        for cell in cells.str.strip():
            value = cell
            if cell.startswith("["):
                try:
                    value = ast.literal_eval(cell)
                except (ValueError, SyntaxError):
                    value = None
            ok = isinstance(value, str) or (isinstance(value, list) and all(
                v is None or isinstance(v, str) for v in value))
            items.append(() if not ok or value == "" else (value,) if isinstance(value, str)
                         else tuple(None if v in (None, "None", "") else v.strip() for v in value))
            bad.append(not ok)
        return pd.Series(items, index=cells.index, dtype="object"), np.asarray(bad, dtype=bool)
    return per_distinct(text.astype("str"), read)


def _statute_table(curation: Curation, frame: pd.DataFrame) -> pd.Series:
    """Per defendant, the rows of the statute table: (statute, guilty, not guilty, dismissed)
    counts, each None where the site left every disposition cell of the statute empty."""
    statutes, bad = statute_cells(frame[STATUTES])
    curation.reject(bad, STATUTES, "statute_list", "not a statute or a list of statutes")
    columns = {}
    for column in DISPOSITIONS:
        items, unreadable = statute_cells(frame[column])
        width = items.map(len)
        numbers = items.map(lambda cells: tuple(int(c) if c is not None and c.isdigit() else c
                                                for c in cells))
        unreadable |= numbers.map(lambda cells: any(isinstance(c, str) for c in cells)).to_numpy()
        curation.reject(unreadable, column, "whole_number",
                        f"{column!r} holds something other than counts (whole numbers or None)")
        curation.reject(((width != 0) & (width != statutes.map(len))).to_numpy() & ~unreadable,
                        column, "statute_list_length", f"{column!r} lists another number of "
                        f"statutes than {STATUTES!r}")
        columns[column] = numbers
    table = []
    for i, names in enumerate(statutes):
        rows = []
        for j, name in enumerate(names):
            cells = {c: columns[c].iat[i][j] if j < len(columns[c].iat[i]) else None
                     for c in DISPOSITIONS}
            if all(v is None or isinstance(v, str) for v in cells.values()):
                rows.append((name, None, None, None))
                continue
            count = {c: v if isinstance(v, int) else 0 for c, v in cells.items()}
            rows.append((name, sum(count[c] for c in GUILTY), sum(count[c] for c in NOT_GUILTY),
                         sum(count[c] for c in DISMISSED)))
        table.append(rows)
    return pd.Series(table, index=frame.index, dtype="object")


def outcome(rows: list[tuple], sentenced: bool, pending: bool) -> tuple[str, str, list]:
    """(stage, stage_native, the statutes it rests on) of the furthest outcome the statute rows
    (and, for a person, a sentence) show; see the module docstring."""
    guilty = [r[0] for r in rows if (r[1] or 0) > 0]
    if guilty or sentenced:
        return "convicted", "guilty plea or verdict" if guilty else "sentenced", guilty
    for stage, at, native in (("acquitted", 2, "found not guilty at trial"),
                              ("dismissed", 3, "counts dismissed or not prosecuted")):
        found = [r[0] for r in rows if (r[at] or 0) > 0]
        if found:
            return stage, native, found
    names = [r[0] for r in rows]
    if pending:
        return "pending", "n_sentences 999 and no year terminated: no disposition recorded", names
    return "unknown", "no disposition recorded", names


def _defendant_numbers(curation: Curation, frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The defendant's numbers the stages and age read; unreadable ones quarantined."""
    numbers = {}
    for column in NUMBERS:
        values, bad = parse_counts(frame[column])
        curation.reject(bad, column, "whole_number", f"{column!r} is not a whole number")
        numbers[column] = values
    too_old = (numbers["arrest_age"] > 120).fillna(False).to_numpy()
    curation.reject(too_old, "arrest_age", "age_in_range", "'arrest_age' is above 120")
    return numbers


def case_table(folder: Path) -> pd.DataFrame:
    """The cases beside a defendant file (`case_data.csv`), by case id: year, year_basis, the
    year-from-docket flag and the state; the first row of a repeated id, cases without a year
    left out."""
    path = folder / CASE_FILE
    if not path.is_file():
        raise RawFormatError(path, "the defendants' years are their cases' years, and the case "
                             "file is missing from the snapshot")
    raw = CSV.read(path)
    if raw.format_version != "cases":
        raise RawFormatError(path, f"{CASE_FILE} has the layout of {raw.format_version!r}, not the cases'")
    frame = raw.frame
    year, basis, from_docket, no_year = case_years(frame)
    cases = pd.DataFrame({"case_id": frame["id"].str.strip(), "year": year, "year_basis": basis,
                          "flags": np.where(from_docket, "year_from_record_id", ""),
                          "country_native": frame["state"].str.strip().replace("", None)})
    cases = cases[~no_year]
    return cases[~cases["case_id"].duplicated()].set_index("case_id")


def _defendants_to_prosecutions(raw: RawTable, snapshot: Snapshot, curation: Curation,
                                log: UnmappedLog) -> CuratedPart:
    """Per defendant, `persons` records (prosecuted, outcome) and `charges` records (per offence:
    prosecuted, its outcome)."""
    frame = raw.frame
    ids = unique_ids(curation, frame["id"], "id", label="defendant id", repeated="the defendant id")
    cases = case_table(raw.path.parent)
    case_ids = frame["case_id"].str.strip()
    curation.reject(~case_ids.isin(cases.index).to_numpy(), "case_id", "case_present",
                    f"the case id is not a case of {CASE_FILE} with a year")
    numbers = _defendant_numbers(curation, frame)
    table = _statute_table(curation, frame)
    case = cases.reindex(case_ids)
    person = pd.DataFrame({
        "year": case["year"].to_numpy(), "year_basis": case["year_basis"].fillna("filed").to_numpy(),
        "flags": case["flags"].fillna("").to_numpy(), "country_native": case["country_native"].to_numpy(),
        "sex": map_labels(frame["gender"], "sex", log, "gender").to_numpy(),
        "race_ethnicity": map_labels(frame["race"], RACE_MAP, log, "race").to_numpy(),
        "age_group": np.where(numbers["arrest_age"].isna(), "unknown",
                              np.where(numbers["arrest_age"].fillna(0) < 18, "child", "adult")),
    })
    sentences = numbers["n_sentences"]
    sentenced = (sentences.between(1, PENDING_OR_MISSING - 1).fillna(False)
                 | (numbers["total_months_sentenced"] > 0).fillna(False)
                 | (numbers["total_months_probation"] > 0).fillna(False)).to_numpy()
    pending = ((sentences == PENDING_OR_MISSING).fillna(False)
               & numbers["year_terminated"].isna()).to_numpy()
    offences = crime_type_table(OFFENCE_MAP)
    named = [n for rows in table for n, *_ in rows if n]
    unknown = [n for n in named if normalise_label(n) not in offences]
    if unknown:
        log.add(OFFENCE_MAP, STATUTES, pd.Series(unknown, dtype="str"))
    records = []
    for i, rows in enumerate(table):
        base = {"_row": i, "defendant": ids.iat[i], **person.iloc[i].to_dict()}
        records.append(_record(base, "persons", "prosecuted", "charged", [r[0] for r in rows]))
        records.append(_record(base, "persons", *outcome(rows, sentenced[i], pending[i])))
        by_offence: dict[tuple[str, str], list] = {}
        for row in rows:
            by_offence.setdefault(offences.get(normalise_label(row[0] or ""), ("unknown", "unknown")),
                                  []).append(row)
        for (offence, sgbv), group in by_offence.items():
            charge = {**base, "offence": offence, "sgbv": sgbv}
            records.append(_record(charge, "charges", "prosecuted", "charged", [r[0] for r in group]))
            records.append(_record(charge, "charges", *outcome(group, False, pending[i])))
    out = pd.DataFrame.from_records(records, columns=list(records[0]) if records else None)
    if out.empty:
        out = pd.DataFrame(columns=["_row", "record_id", "year", "year_basis", "flags", "unit",
                                    "stage", "stage_native", "offence", "offence_native", "sgbv",
                                    "value"])
    out["year"] = out["year"].astype("Int32")
    out["value"] = pd.array(np.ones(len(out), dtype=np.int64), dtype="Int64")
    out = out.assign(subject="offender", country_iso3="USA", breakdown="defendants",
                     gender_identity="not_recorded", nationality="NOT_RECORDED")
    return finish_case_records({"prosecutions": out.drop(columns="defendant")}, raw, snapshot,
                               curation, log, SOURCE.spec.population)


def _record(base: dict, unit: str, stage: str, native: str, statutes: list) -> dict:
    """One prosecutions record (value 1) of a defendant; offence `all` unless `base` has one."""
    offence = base.get("offence", "all")
    key = [base["defendant"], unit] + ([offence] if unit == "charges" else []) + [stage]
    return {**base, "record_id": "|".join(key), "unit": unit, "stage": stage,
            "stage_native": native, "offence": offence, "sgbv": base.get("sgbv", "all"),
            "offence_native": "; ".join(s for s in statutes if s) or None}


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """The cases file into `crimes`, the defendants file into `prosecutions`; bad rows go to
    quarantine."""
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    if raw.format_version == "cases":
        return _cases_to_crimes(raw, snapshot, curation, log)
    return _defendants_to_prosecutions(raw, snapshot, curation, log)


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="us_htpd_prosecutions",
        title="Human Trafficking Prosecution Dataset (federal human-trafficking cases)",
        publisher="Human Trafficking Prosecution Dataset (humantraffickingdata.org); copy scraped "
                  "by cassiecorey/HumanTraffickingData (2018)",
        landing_page="http://www.humantraffickingdata.org",
        licence="not stated",
        stream="prosecutions",  # and crimes: the victims of the cases
        cadence="discontinued (a 2018 scrape of the public site)",
        max_age_days=None,
        product="htpd_scrape",
        # A scrape of a site that is gone: drop a copy into data/raw/us_htpd_prosecutions/<date>/.
        download_url=None,
        name_columns=("name",),
        population="general",
        citation="Human Trafficking Prosecution Dataset, federal human-trafficking cases 2000-2016 "
                 "(http://www.humantraffickingdata.org), as scraped by C. Corey, "
                 "github.com/cassiecorey/HumanTraffickingData (2018).",
    ),
    # The two CSVs only: the JSON beside them holds the same cases (module docstring).
    file_patterns=("case_data.csv", "defendant_data.csv"),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
