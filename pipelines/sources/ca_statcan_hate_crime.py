"""Statistics Canada, table 35-10-0066-01: police-reported hate crime by type of motivation,
Canada (selected police services), in either CSV layout StatCan publishes (told from the file):
the report-style CSV of the table viewer (`statcan_report_csv`: total and the 9 motivation
types, one column per year) and the full table for database loading (`statcan_db_csv`: one row
per year and motivation, with the detailed motivations under each type).

One record per (motivation, year): `unit = incidents` (hate crime incidents reported by
police), `subject = incident`, country CAN (`country_native` the table's geography, "Canada,
selected police services"), `crime_type = hate_crime`, year_basis `reported` (the UCR survey
counts incidents by the year police recorded them). The motivation's level says its breakdown:

- "Total police-reported hate crime": the all-margin (bias `all`, breakdown `total`).
- a motivation type (breakdown `by_motivation_type`): the whole categories of
  maps/bias_motivations.csv (`race_ethnicity_any`, `religion_any`, `sexual_orientation_any`,
  `language_any`, `disability_any`, `sex_any` (sgbv yes: bias against a sex is gender-based),
  `age_any`, `other_similar_factor`, `unknown`). The types add up to the Total in every year
  the table has numbers for. Both layouts publish them.
- a detailed motivation (breakdown `by_detailed_motivation`; database layout only): a child
  of the nearest motivation type above it in the table's member order ("Black", "South
  Asian", ... under "Race or ethnicity"), with its own code (`anti_black`,
  `anti_south_asian`, ...; "Unknown race or ethnicity" is `race_ethnicity_unknown`). Children
  add up to their type and must never be added to it: the statistics do not yet reconcile a
  second breakdown of the same incidents separately, so until they do, child records carry
  the flag `not_in_stats:detailed_motivation` and stay in the catalog only (the statistics
  are those of the total and the types, as for the report layout). A type whose children
  with a number do not add up to it is flagged `subtotal_differs_from_parts` (said, never
  fixed).

A cell without a number is not a zero. `..` ("not available for a specific reference
period": every motivation in 2012-2013, and the six "Unknown ..." children, TERMINATED series,
in 2018-2021) and `...` (not applicable) become records with value, value_min and value_max
null, `source_suppressed` false and the flags `not_available;not_in_stats`; `x` (suppressed
under the Statistics Act) is `source_suppressed` and `not_in_stats`; `F` (too unreliable) is
flagged `too_unreliable;not_in_stats`. A series StatCan has terminated is flagged
`series_terminated`. Any other cell that is not a count quarantines its row (the report
layout's row, naming the year column; the database layout's row, naming VALUE). A database
file whose unit is not `Number`, whose scale is not `units`, or with more than one geography
is another table and fails.

Motivation is the offender's bias as police recorded it; sex, gender identity, age group,
nationality, race/ethnicity and perpetrator of victims are not in this table: `all` on every
record (the statistics publish them as `not_recorded` at each grand total).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import label_table, map_bias_motivations
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawFormatError, RawTable
from pipelines.sources.cases import NOT_IN_STATS, NOT_SPLIT_BY_AGGREGATES, finish_case_records
from pipelines.sources.curate import add_flag
from pipelines.sources.formats import detect_wide_format, read_versioned_csv, validate_raw
from pipelines.sources.readers import decode_text, read_header, sniff_problem
from pipelines.sources.reports import csv_records, malformed_records, report_table, strip_footnote
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.ca_statcan_hate_crime import (DB_HEADER, DB_SCHEMA, DB_VERSION, HEADERS,
                                               LABEL_COLUMN, NOT_AVAILABLE, SCALAR, SUPPRESSED,
                                               TITLE, TOTAL_LABEL, UNIT, UNRELIABLE, VERSION,
                                               YEAR_HEADER, body_schema)

ENCODINGS = ("utf-8-sig", "cp1252")
NOT_AVAILABLE_FLAGS = "not_available;" + NOT_IN_STATS
DETAILED_FLAG = NOT_IN_STATS + ":detailed_motivation"  # until the statistics reconcile it apart
TOTAL, TYPE, DETAILED = "total", "by_motivation_type", "by_detailed_motivation"
# Bias codes of a motivation type (a whole category); any other motivation is a detailed one.
TYPE_CODES = ("race_ethnicity_any", "religion_any", "sexual_orientation_any", "language_any",
              "disability_any", "sex_any", "age_any", "other_similar_factor", "unknown")


def read_raw(path: Path) -> RawTable:
    """The table as text, in either layout, told from the file's first record."""
    problem = sniff_problem(path)
    if problem:
        raise RawFormatError(path, problem)
    first = [c.strip() for c in read_header(path, ENCODINGS)]
    if first == DB_HEADER or set(first) == set(DB_HEADER):
        return _read_db(path)
    return _read_report(path)


def _read_db(path: Path) -> RawTable:
    """The database-loading CSV, checked to be this table's counts: unit `Number`, scale
    `units`, one geography."""
    raw = read_versioned_csv(path, {DB_VERSION: DB_HEADER}, {DB_VERSION: DB_SCHEMA}, ENCODINGS)
    f = raw.frame
    for column, expected in (("UOM", UNIT), ("SCALAR_FACTOR", SCALAR)):
        other = f[column].str.strip() != expected
        if other.any():
            at = int(np.flatnonzero(other.to_numpy())[0])
            raise RawFormatError(path, f"{column} is {f[column].iloc[at]!r}, not {expected!r}: "
                                 "another table than the counts of 35-10-0066-01",
                                 row=int(raw.raw_rows[at]), column=column)
    places = f["GEO"].str.strip().unique()
    if len(places) > 1:
        raise RawFormatError(path, f"more than one geography ({', '.join(places[:4])}): this "
                             "module reads the Canada-level table", column="GEO")
    f.attrs["geography"] = places[0] if len(places) else None
    return raw


def _read_report(path: Path) -> RawTable:
    """The table body (motivation rows x years) as text, below the title block and the unit
    row and above the blank row that opens the legend, footnotes and citation."""
    text, _ = decode_text(path, ENCODINGS)
    records = csv_records(text, keep_blank=True)
    filled = [r for r in records if any(c.strip() for c in r[2])]
    if not filled or not TITLE.match(filled[0][2][0]):
        raise RawFormatError(path, "not StatCan table 35-10-0066-01: the first cell is neither "
                             "'Police-reported hate crime, by type of motivation ...' (the table "
                             "viewer's CSV) nor the header of the database-loading CSV "
                             f"({', '.join(DB_HEADER[:4])}, ...)", row=1)
    header_at = next((i for i, (_, _, cells) in enumerate(records)
                      if normalise_label(cells[0]) == normalise_label(LABEL_COLUMN)), None)
    if header_at is None:
        raise RawFormatError(path, f"no header row starting {LABEL_COLUMN!r}")
    years = [c.strip() for c in records[header_at][2][1:] if c.strip()]
    if not years or not all(YEAR_HEADER.match(y) for y in years):
        raise RawFormatError(path, f"the header row's cells after {LABEL_COLUMN!r} are not years: "
                             f"{years}", row=records[header_at][0])
    unit_at = header_at + 1
    unit = records[unit_at][2] if unit_at < len(records) else []
    if len(unit) < 2 or unit[0].strip() or unit[1].strip() != UNIT:
        raise RawFormatError(path, f"the row under the header should give the unit {UNIT!r}, "
                             f"found {unit[:2]}", row=records[unit_at][0] if unit_at < len(records) else None)
    end = next((i for i in range(unit_at + 1, len(records))
                if not any(c.strip() for c in records[i][2])), len(records))
    # The header record, then the body rows (report_table reads below its header record).
    table = [records[header_at]] + records[unit_at + 1:end]
    frame, lines, _ = report_table(table, 0, LABEL_COLUMN, lambda label, values: False)
    frame.attrs["geography"] = _geography(records[:header_at])
    version = detect_wide_format(path, [LABEL_COLUMN, *years], HEADERS, YEAR_HEADER.match,
                                 row=records[header_at][0])
    raw = RawTable(path=path, frame=frame, format_version=version, raw_rows=lines)
    validate_raw(raw, body_schema(years))
    return raw


def _geography(title_block: list) -> str | None:
    """The geography of the table as the title block writes it above the header ("Canada,
    selected police services 4 5 (map)" -> "Canada, selected police services")."""
    for _, _, cells in reversed(title_block):
        if len(cells) > 1 and not cells[0].strip() and cells[1].strip():
            text = re.sub(r"\(map\)\s*$", "", cells[1].strip()).strip()
            return strip_footnote(text)
    return None


# --- harmonising ------------------------------------------------------------------------------

def _report_cells(raw: RawTable, curation: Curation) -> pd.DataFrame:
    """The report layout's cells, one per (row, year column), in row order."""
    f = raw.frame
    malformed_records(curation, raw, LABEL_COLUMN)
    years = [c for c in f.columns if c != LABEL_COLUMN]
    labels = f[LABEL_COLUMN].map(strip_footnote).str.strip()
    frames = []
    for year in years:
        cells = f[year].str.strip()
        frames.append(pd.DataFrame({
            "label": labels, "year": year, "text": cells.where(~cells.isin(NOT_AVAILABLE), ""),
            "status": cells.where(cells.isin(NOT_AVAILABLE), ""), "terminated": False,
            "member": np.arange(len(f)), "column": year, "_row": np.arange(len(f))}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["label", "year", "text", "status", "terminated", "member", "column", "_row"])


def _db_cells(raw: RawTable) -> pd.DataFrame:
    """The database layout's cells, one per row; `member` is the motivation's member id (the
    N of COORDINATE 1.N), which orders the hierarchy."""
    f = raw.frame
    member = pd.to_numeric(f["COORDINATE"].str.strip().str.extract(r"(\d+)$")[0], errors="coerce")
    return pd.DataFrame({
        "label": f[LABEL_COLUMN].map(strip_footnote).str.strip(), "year": f["REF_DATE"].str.strip(),
        "text": f["VALUE"].str.strip(), "status": f["STATUS"].str.strip(),
        "terminated": f["TERMINATED"].str.strip().str.lower().eq("t"),
        "member": member.fillna(-1).astype("int64").to_numpy(), "column": "VALUE",
        "_row": np.arange(len(f))})


def _levels(cells: pd.DataFrame, codes: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(breakdown of each cell, label of its motivation type): the total, a type, or a
    detailed motivation under the nearest type above it in member order. A label the map
    does not know is never taken for a type (it would be added beside its own type): it is
    a detailed motivation, out of the statistics, and listed in unmapped_values."""
    keys = cells["label"].map(normalise_label)
    is_total = (keys == normalise_label(TOTAL_LABEL)).to_numpy()
    is_type = codes.isin(TYPE_CODES).to_numpy() & keys.isin(label_table("bias_motivations")).to_numpy() & ~is_total
    breakdown = np.where(is_total, TOTAL, np.where(is_type, TYPE, DETAILED))
    members = (pd.DataFrame({"member": cells["member"], "label": cells["label"], "is_type": is_type,
                             "is_total": is_total})
               .drop_duplicates("label").sort_values("member", kind="stable"))
    parent = members["label"].where(members["is_type"]).ffill().where(
        ~members["is_type"] & ~members["is_total"])
    return breakdown, cells["label"].map(dict(zip(members["label"], parent)))


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """One `crimes` record per (motivation, year); bad rows go to quarantine."""
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    is_db = raw.format_version == DB_VERSION
    cells = _db_cells(raw) if is_db else _report_cells(raw, curation)
    labels = pd.Series(pd.unique(cells["label"]))
    coded = map_bias_motivations(labels[labels.map(normalise_label)
                                        != normalise_label(TOTAL_LABEL)], log, LABEL_COLUMN)
    code_of = dict(zip(labels[coded.index], coded["bias_motivation"]))
    sgbv_of = dict(zip(labels[coded.index], coded["sgbv"]))
    codes = cells["label"].map(code_of).fillna("all")
    breakdown, parent = _levels(cells, codes)

    rows = cells["_row"].to_numpy()
    at_rows = lambda mask: np.bincount(rows[mask], minlength=len(raw.frame)) > 0  # noqa: E731
    ids = cells["year"] + "|" + cells["label"]
    key = cells["label"] if not is_db else ids  # the report's row is a label; the db's a cell
    repeated = (key.groupby(rows).first().duplicated(keep="first")).reindex(
        range(len(raw.frame)), fill_value=False).to_numpy()
    curation.reject(repeated, LABEL_COLUMN, "record_id_unique",
                    "the motivation repeats an earlier row of the table (a duplicate)"
                    if not is_db else "the year and motivation repeat an earlier row (a duplicate)")
    curation.reject(at_rows((cells["label"] == "").to_numpy()), LABEL_COLUMN, "record_id_present",
                    "the row has no motivation label")

    status = cells["status"]
    not_available = status.isin(NOT_AVAILABLE) & (cells["text"] == "")
    suppressed = status.isin(SUPPRESSED) & (cells["text"] == "")
    unreliable = status.isin(UNRELIABLE) & (cells["text"] == "")
    no_number = (not_available | suppressed | unreliable).to_numpy()
    counts, bad = parse_counts(cells["text"].where(~no_number, ""))
    unreadable = bad | (counts.isna().to_numpy() & ~no_number)
    for column in pd.unique(cells.loc[unreadable, "column"]):
        what = (f"the {column} cell is neither a count nor the symbol '..' (not available)"
                if not is_db else "VALUE is neither a count nor empty beside a STATUS symbol "
                "('..' not available, 'x' suppressed, 'F' too unreliable)")
        curation.reject(at_rows(unreadable & (cells["column"] == column).to_numpy())
                        & ~curation.rejected, column, "whole_number", what)

    flags = pd.Series("", index=cells.index, dtype="str")
    flags = add_flag(flags, not_available, NOT_AVAILABLE_FLAGS)
    flags = add_flag(flags, suppressed, "source_suppressed;" + NOT_IN_STATS)
    flags = add_flag(flags, unreliable, "too_unreliable;" + NOT_IN_STATS)
    flags = add_flag(flags, status.eq("E") & ~no_number, "use_with_caution")
    flags = add_flag(flags, cells["terminated"], "series_terminated")
    flags = add_flag(flags, _parts_differ(cells, breakdown, parent, counts), "subtotal_differs_from_parts")
    flags = add_flag(flags, breakdown == DETAILED, DETAILED_FLAG)

    out = pd.DataFrame(index=cells.index)
    out["record_id"] = ids
    out["year"] = pd.to_numeric(cells["year"], errors="coerce").astype("Int32")
    out["year_basis"] = "reported"
    out["country_iso3"] = "CAN"
    out["country_native"] = raw.frame.attrs.get("geography")
    out["breakdown"] = breakdown
    out["subject"] = "incident"
    out["unit"] = "incidents"
    for name in NOT_SPLIT_BY_AGGREGATES:
        out[name] = "all"
    out["crime_type"] = "hate_crime"
    out["bias_motivation"] = codes
    out["sgbv"] = cells["label"].map(sgbv_of).fillna("all")
    out["bias_motivation_native"] = cells["label"]
    out["value"] = counts
    out["value_min"] = counts
    out["value_max"] = counts
    out["source_suppressed"] = suppressed.to_numpy()
    out["flags"] = flags
    out["_row"] = rows
    year_ok = out["year"].between(1900, 2100).fillna(False).to_numpy()
    curation.reject(at_rows(~year_ok) & ~curation.rejected, "REF_DATE" if is_db else LABEL_COLUMN,
                    "year_present", "REF_DATE is not a year")
    return finish_case_records({"crimes": out}, raw, snapshot, curation, log, SOURCE.spec.population)


def _parts_differ(cells: pd.DataFrame, breakdown: np.ndarray, parent: pd.Series,
                  counts: pd.Series) -> np.ndarray:
    """Motivation-type cells whose detailed motivations with a number do not add up to them."""
    children = pd.DataFrame({"year": cells["year"], "parent": parent, "value": counts})[
        (breakdown == DETAILED) & counts.notna().to_numpy()]
    sums = children.groupby(["year", "parent"])["value"].sum()
    if sums.empty:
        return np.zeros(len(cells), dtype=bool)
    keys = pd.MultiIndex.from_arrays([cells["year"], cells["label"]])
    expected = sums.reindex(keys).to_numpy()
    have = counts.to_numpy(dtype="float64", na_value=np.nan)
    return (breakdown == TYPE) & ~pd.isna(expected) & ~np.isnan(have) & (
        np.nan_to_num(expected.astype("float64")) != have)


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="ca_statcan_hate_crime",
        title="Police-reported hate crime, by type of motivation, Canada (selected police services), "
              "table 35-10-0066-01",
        publisher="Statistics Canada, Canadian Centre for Justice and Community Safety Statistics "
                  "(Uniform Crime Reporting Survey)",
        landing_page="https://www150.statcan.gc.ca/t1/tbl1/en/tv.action?pid=3510006601",
        licence="Statistics Canada Open Licence (applies to its tables generally; not stated in the "
                "copy held)",
        stream="crimes",
        cadence="yearly (police-reported crime statistics each summer)",
        max_age_days=450,
        product="35-10-0066-01",
        # The viewer's "Download as displayed" CSV has no stable address: dropped in by hand.
        download_url=None,
        citation="Statistics Canada. Table 35-10-0066-01 Police-reported hate crime, by type of "
                 "motivation, Canada (selected police services). DOI: https://doi.org/10.25318/3510006601-eng",
        population="general",
    ),
    file_patterns=("*.csv",),
    headers=HEADERS,
    read_raw=read_raw,
    to_curated=to_curated,
)
