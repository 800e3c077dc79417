"""Statistics Canada, table 35-10-0066-01: police-reported hate crime by type of motivation,
Canada (selected police services), as the report-style CSV of the table viewer.

One record per (motivation row, year): `unit = incidents` (hate crime incidents reported by
police), `subject = incident`, country CAN (`country_native` the table's geography, "Canada,
selected police services"), `crime_type = hate_crime`, year_basis `reported` (the UCR survey
counts incidents by the year police recorded them). The "Total police-reported hate crime" row
is the all-margin (bias `all`, breakdown `total`); each motivation row is a cell of breakdown
`by_motivation`, with the bias code of maps/bias_motivations.csv (whole categories:
`race_ethnicity_any`, `religion_any`, `sexual_orientation_any`, `language_any`, `disability_any`,
`sex_any` (sgbv yes: bias against a sex is gender-based), `age_any`, `other_similar_factor`,
`unknown`). The motivations add up to the Total in every year the table has numbers for.

`..` ("not available for a specific reference period", 2012-2013 in the copy held) is not a
count and not a withheld small number: such cells become records with value, value_min and
value_max null, `source_suppressed` false and the flags `not_available;not_in_stats`, so the
catalog says the source has no figure there and the statistics leave those cells (and so those
years) out instead of reading them as zero. `...` (not applicable) is treated the same way. Any
other cell that is not a count quarantines its row, naming the year column.

Motivation is the offender's bias as police recorded it; sex, gender identity, age group,
nationality, race/ethnicity and perpetrator of victims are not in this table: `all` on every
record (the statistics publish them as `not_recorded` at each grand total).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.fetching import fetch_snapshot
from pipelines.harmonize.categories import map_bias_motivations
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawFormatError, RawTable, SourceSpec
from pipelines.sources.cases import NOT_SPLIT_BY_AGGREGATES, finish_case_records
from pipelines.sources.curate import add_flag
from pipelines.sources.formats import detect_wide_format, validate_raw
from pipelines.sources.readers import decode_text, sniff_problem
from pipelines.sources.reports import csv_records, malformed_records, report_table, strip_footnote
from schemas.raw.ca_statcan_hate_crime import (HEADERS, LABEL_COLUMN, NOT_AVAILABLE, TITLE,
                                               TOTAL_LABEL, UNIT, YEAR_HEADER, body_schema)

SOURCE = SourceSpec(
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
)
FILE_PATTERNS = ("*.csv",)
ENCODINGS = ("utf-8-sig", "cp1252")
NOT_AVAILABLE_FLAGS = "not_available;not_in_stats"


def fetch(raw_dir: Path) -> Path | None:
    """No stable download address for the report-style CSV: files are dropped in by hand."""
    return fetch_snapshot(SOURCE, raw_dir)


def read_raw(path: Path) -> RawTable:
    """The table body (motivation rows x years) as text, below the title block and the unit
    row and above the blank row that opens the legend, footnotes and citation."""
    problem = sniff_problem(path)
    if problem:
        raise RawFormatError(path, problem)
    text, _ = decode_text(path, ENCODINGS)
    records = csv_records(text, keep_blank=True)
    filled = [r for r in records if any(c.strip() for c in r[2])]
    if not filled or not TITLE.match(filled[0][2][0]):
        raise RawFormatError(path, "not StatCan table 35-10-0066-01 (the first cell is not "
                             "'Police-reported hate crime, by type of motivation ...')", row=1)
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


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """One `crimes` record per (motivation row, year); bad rows go to quarantine."""
    f = raw.frame
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()
    malformed_records(curation, raw, LABEL_COLUMN)
    years = [c for c in f.columns if c != LABEL_COLUMN]
    labels = f[LABEL_COLUMN].map(strip_footnote)
    is_total = (labels.map(normalise_label) == normalise_label(TOTAL_LABEL)).to_numpy()
    coded = pd.DataFrame({"bias_motivation": "all", "sgbv": "all"}, index=f.index)
    if (~is_total).any():
        coded.loc[~is_total] = map_bias_motivations(labels[~is_total], log, LABEL_COLUMN)
    ids = labels.str.strip()
    repeated = ids.duplicated(keep="first").to_numpy()
    curation.reject(repeated, LABEL_COLUMN, "record_id_unique",
                    "the motivation repeats an earlier row of the table (a duplicate)")
    curation.reject((ids == "").to_numpy(), LABEL_COLUMN, "record_id_present",
                    "the row has no motivation label")
    frames = []
    for year in years:
        cells = f[year].str.strip()
        missing = cells.isin(NOT_AVAILABLE).to_numpy()
        counts, bad = parse_counts(cells.where(~missing, ""))
        unreadable = (bad | (counts.isna().to_numpy() & ~missing)) & ~curation.rejected
        curation.reject(unreadable, year, "whole_number",
                        f"the {year} cell is neither a count nor the symbol '..' (not available)")
        out = pd.DataFrame(index=f.index)
        out["record_id"] = year + "|" + ids
        out["year"] = int(year)
        out["year_basis"] = "reported"
        out["country_iso3"] = "CAN"
        out["country_native"] = f.attrs.get("geography")
        out["breakdown"] = np.where(is_total, "total", "by_motivation")
        out["subject"] = "incident"
        out["unit"] = "incidents"
        for name in NOT_SPLIT_BY_AGGREGATES:
            out[name] = "all"
        out["crime_type"] = "hate_crime"
        out[["bias_motivation", "sgbv"]] = coded
        out["bias_motivation_native"] = labels
        out["value"] = counts
        out["value_min"] = counts
        out["value_max"] = counts
        out["source_suppressed"] = False
        out["flags"] = add_flag(pd.Series("", index=f.index, dtype="str"), missing,
                                NOT_AVAILABLE_FLAGS)
        out["_row"] = np.arange(len(f))
        frames.append(out)
    records = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return finish_case_records({"crimes": records}, raw, snapshot, curation, log,
                               SOURCE.population)
