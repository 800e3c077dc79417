"""UNITED for Intercultural Action, "List of refugee deaths" (The List, 1993 to May 2018): one
entry per death or group of deaths on the way to Europe or inside it, as extracted to CSV by
onData from the PDF The Guardian published in June 2018.

Choices:
- An entry is incident-level (like MMP): `number` is the entry's people, dead and missing
  together ("4 ... 1 died ...; 3 missing"), so `dead_and_missing` = number and dead and
  missing stay null (statistics: status `unknown`).
- The date is the `found dead` column (year_basis `found`, the list's own word): dd/mm/yy is a
  date; a month ("Mar 99") or a year alone gives the year and no date; an odd form ("3010/16",
  "12/1/2000", day and month unsure) gives the year its last digits state, flagged
  `date_unparsed`. A row without a year or without a whole number is quarantined (the one
  empty row of the 2018 file).
- Sex and age come from the words inside the last parentheses of the "name, gender, age" cell
  ("N.N. (1 baby; 5 men)", "(woman, 19)"), read through maps/united_person_words.csv: people
  counted by a number or a singular word, an age beside the word deciding the age group. The
  rest of the entry's number is `unknown`; a split above the number puts the whole entry
  under `unknown` (flagged, as for MMP). The cell itself is a declared name column, never copied.
- Nationality is the `region of origin` (countries, M49 regions, lists: maps/countries.csv);
  the place is the `country of incident` (`country_native` as written; no region or route).
- Cause: the free-text `cause of death` read by the rules of maps/causes_united_list.csv and the
  free_text rules (criminal only where violence is stated); scope `in_custody` where the text
  says detention, prison or deportation, else `unknown`. The text is a declared free-text
  column: never copied (`free_text.py`).
- No publisher id: record ids are content hashes. `sources.csv` of the snapshot (the key to
  the `source` abbreviations) is not read as records.
"""

from __future__ import annotations

import csv
import re
from functools import cache

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import MAPS
from pipelines.harmonize.countries import map_countries
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.curate import (add_flag, content_record_ids, finish_records,
                                      future_date_flags, native_text, reject_missing_years,
                                      sex_unknown_counts, split_flags)
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.free_text import FREE_TEXT_PLACEHOLDER, custody_scope, free_text_causes
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.united_list import HEADERS, SCHEMAS

COLUMNS = {"date": "found dead", "number": "number", "person": "name, gender, age",
           "origin": "region of origin", "cause": "cause of death",
           "country": "country of incident"}
CAUSE_SCHEMES = ("united_list",)
FULL_DATE = r"\d{1,2}/\d{1,2}/\d{2}"
MONTH = r"[A-Za-z]{3} (\d{2}|\d{4})"
# The year an odd date form still states: its last four digits, or two after a slash.
YEAR_AT_END = r"(?:(?<=/)(\d{2})|(\d{4}))$"
_PARENS = re.compile(r"\(([^()]*)\)\s*$")
_LEADING = re.compile(r"^(?:at least\s+)?(\d+)\s+(.+)$")
_AGE = re.compile(r"^(?:±\s*)?(\d+)(?:\s*-\s*(\d+))?(\s*months?)?$")


# --- load -----------------------------------------------------------------------------------

# The List as CSV text, checked against its raw schema.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- the people of an entry -------------------------------------------------------------------

@cache
def person_words() -> dict[str, tuple[str, str, bool]]:
    """word -> (sex, age_group, plural) from maps/united_person_words.csv."""
    with (MAPS / "united_person_words.csv").open(encoding="utf-8") as handle:
        return {normalise_label(r["label"]): (r["sex"], r["age_group"], r["plural"] == "yes")
                for r in csv.DictReader(handle) if not r["label"].startswith("#")}


def _age_group(item: str) -> str | None:
    """child / adult for an age item ("19", "±25", "6 months", "15-20"); unknown for a range
    across 18; None when the item is not an age."""
    match = _AGE.match(item.strip())
    if match is None:
        return None
    if match.group(3):  # months
        return "child"
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    return "child" if high < 18 else "adult" if low >= 18 else "unknown"


def _group_counts(group: str) -> dict[str, int] | None:
    """{female, male, children, adults} of one ";"-part of the parentheses ("5 men", "woman,
    19", "±30"), or None when a word is not in the table (the part then says nothing)."""
    items = [i.strip() for i in group.split(",") if i.strip()]
    if not items:
        return {}
    first, rest = items[0], items[1:]
    ages = [a for a in (_age_group(i) for i in rest) if a is not None]
    if _age_group(first) is not None:  # "(25)", "(±30)": one person, an age and no word
        return {"children": int(_age_group(first) == "child"),
                "adults": int(_age_group(first) == "adult")}
    leading = _LEADING.match(first)
    count, word = (int(leading.group(1)), leading.group(2)) if leading else (None, first)
    known = person_words().get(normalise_label(word))
    if known is None:
        return None
    sex, age_group, plural = known
    if count is None:
        if plural:
            return {}  # "men": how many is not said
        count = 1
    if ages and len(ages) == count and "unknown" not in ages:  # an age for each person
        children = ages.count("child")
        adults = count - children
    else:
        children = count if age_group == "child" else 0
        adults = count if age_group == "adult" else 0
    return {"female": count if sex == "female" else 0, "male": count if sex == "male" else 0,
            "children": children, "adults": adults}


@cache
def person_counts(cell: str) -> tuple[int, int, int, int, bool]:
    """(female, male, children, adults, read) of one "name, gender, age" cell, from its last
    parentheses; read is False where a word of it is unknown (those people stay unknown)."""
    match = _PARENS.search(cell)
    totals = {"female": 0, "male": 0, "children": 0, "adults": 0}
    if match is None:
        return 0, 0, 0, 0, True
    read = True
    for group in match.group(1).split(";"):
        counts = _group_counts(group)
        if counts is None:
            read = False
            continue
        for key, value in counts.items():
            totals[key] += value
    return totals["female"], totals["male"], totals["children"], totals["adults"], read


def add_people(out: pd.DataFrame, cells: pd.Series, log: UnmappedLog) -> None:
    """female, male, children, adults and the unknown remainders of each entry."""
    parsed = pd.DataFrame([person_counts(str(c)) for c in cells],
                          columns=["female", "male", "children", "adults", "read"], index=cells.index)
    unread = int((~parsed["read"]).sum())
    if unread:  # the cell is a name column: counted, never shown
        log.counts[("united_person_words", COLUMNS["person"], FREE_TEXT_PLACEHOLDER)] += unread
    for column in ("female", "male", "children", "adults"):
        out[column] = parsed[column].astype("Int64")
    out["sex_unknown"] = sex_unknown_counts(out)
    total = out["dead_and_missing"]
    known_age = out["children"] + out["adults"]
    out["age_unknown"] = total.where(known_age > total, total - known_age).astype("Int64")
    out["flags"] = split_flags(out)


# --- dates ----------------------------------------------------------------------------------

def found_dates(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, np.ndarray]:
    """(date, first day of the month where only a month is given, year, mask of odd forms whose
    year was read from their last digits) of the `found dead` cells."""
    text = text.astype("str").str.strip()
    full = text.str.fullmatch(FULL_DATE)
    dates, _ = parse_dates(text.where(full, ""), ("%d/%m/%y",))
    month = text.str.fullmatch(MONTH)
    months, _ = parse_dates(text.where(month, ""), ("%b %y", "%b %Y"))
    year = pd.Series(dates.dt.year, index=text.index).astype("Int32")
    year = year.fillna(pd.Series(months.dt.year, index=text.index).astype("Int32"))
    only_year = text.str.fullmatch(r"\d{4}")
    year = year.fillna(pd.to_numeric(text.where(only_year), errors="coerce").astype("Int32"))
    odd = (year.isna() & (text != "")).to_numpy()
    ending = text.str.extract(YEAR_AT_END)
    two = pd.to_numeric(ending[0], errors="coerce")
    from_end = pd.to_numeric(ending[1], errors="coerce").fillna(
        two.where(two.isna(), np.where(two < 69, 2000 + two, 1900 + two)))
    year = year.fillna(from_end.where(odd).astype("Int32"))
    dated = dates.fillna(months)
    return dates, dated, year, odd & year.notna().to_numpy()


# --- process --------------------------------------------------------------------------------

def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise The List into `deaths` rows (one entry each); bad rows go to quarantine."""
    frame = raw.frame
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    out = pd.DataFrame(index=frame.index)
    out["flags"] = ""
    out["record_id"] = content_record_ids(curation, frame)

    number, bad = parse_counts(frame[COLUMNS["number"]])
    curation.reject(bad, COLUMNS["number"], "whole_number",
                    f"{COLUMNS['number']!r} is not a whole number")
    curation.reject((number.isna() & ~bad).to_numpy(), COLUMNS["number"], "total_present",
                    f"{COLUMNS['number']!r} is blank: the entry has no count")
    out["dead_and_missing"] = number
    # Dead and missing together, not split ("1 died ...; 3 missing"): status unknown.
    out["dead"] = out["missing"] = pd.array([pd.NA] * len(out), dtype="Int64")
    add_people(out, frame[COLUMNS["person"]], log)

    dates, dated, year, odd = found_dates(frame[COLUMNS["date"]])
    written = (frame[COLUMNS["date"]].str.strip() != "").to_numpy()
    reject_missing_years(curation, year.isna().to_numpy(), written,
                         COLUMNS["date"], f"{COLUMNS['date']!r}")
    curation.reject(((year < 1900) | (year > 2100)).fillna(False).to_numpy(), COLUMNS["date"],
                    "year_in_range", "the year is outside 1900-2100")
    out["event_date"], out["_dated"] = dates, dated
    out["year"], out["year_basis"] = year, "found"
    out["flags"] = add_flag(out["flags"], odd, "date_unparsed")
    out["flags"] = future_date_flags(out["flags"], dates, snapshot)

    origin = frame[COLUMNS["origin"]]
    out["nationality"] = map_countries(origin, log, COLUMNS["origin"])
    out["nationality_native"] = native_text(origin)
    country = frame[COLUMNS["country"]]
    out["country_iso3"] = map_countries(country, log, COLUMNS["country"])
    out["country_native"] = native_text(country)

    cause = frame[COLUMNS["cause"]]
    out[["cause", "criminal", "criminal_rule"]] = free_text_causes(cause, CAUSE_SCHEMES, log,
                                                                   COLUMNS["cause"])
    out["scope"] = custody_scope(cause)
    return finish_records(out, raw, snapshot, curation, log)


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row: its `number` (for tests)."""
    return parse_counts(raw.frame[COLUMNS["number"]])[0]


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="united_list",
        title="List of refugee deaths (The List)",
        publisher="UNITED for Intercultural Action; CSV extraction of the 2018 PDF by onData "
                  "(ondata/the-list)",
        landing_page="http://www.unitedagainstracism.org/",
        licence="CC BY 4.0 (onData's extraction); the list itself: not stated",
        stream="deaths",
        cadence="yearly (UNITED updates The List around 20 June, World Refugee Day)",
        max_age_days=None,
        product="the_list",
        # The PDF is the publication; the CSV is a third party's extraction: drop it in by hand.
        download_url=None,
        name_columns=("name, gender, age",),  # "Sample Person (woman, 19)": names the dead
        free_text_columns=("cause of death",),  # a sentence that may name people
        citation="UNITED for Intercultural Action, List of refugee deaths (The List), "
                 "http://www.unitedagainstracism.org/; CSV by onData, https://github.com/ondata/the-list",
    ),
    file_patterns=("refugeesandmigrants*.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
