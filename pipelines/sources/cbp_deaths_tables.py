"""CBP's official CBP-related deaths per fiscal year and component (CBP Office of Professional
Responsibility reports, FY2021-2023), from a researcher's package of three tables
(etchin/ice-detention-mortality, `kind = derived`). An aggregate source: one `deaths` row per
fiscal year and component, carrying the count.

Which file publishes what (each file of the snapshot is read; rows read = accepted +
quarantined per file):

- `cbp_deaths_summary.csv` is published: CBP OPR's total per fiscal year (year_basis `fiscal`)
  split into its three components, `in_custody` (scope `in_custody`), `cbp_involved_non_custody`
  and `additional_requested` (deaths CBP reviewed that were neither: scope `unknown`, nothing
  inferred). The components add up to the total in every year held; a total above its parts
  is published with the difference as a row of its own (flag `remainder_of_total`), a total
  below them sends the row to quarantine with both numbers. `adp` (an average daily
  population, empty) is not a count of deaths and is not read.
- `cbp_deaths_by_source.csv` is kept in the catalog only (flag `not_in_stats`): its CBP OPR
  rows give the summary's totals again (`repeats_other_file`), and its BJS rows are another
  publisher's count under another definition (arrest-related deaths of CBP, FY2016-2023:
  `other_publisher_definition`), which summed with CBP's in one year would count the same
  deaths twice.
- `cbp_deaths_by_year.csv` is kept in the catalog only (`derived_from_cbp_deaths`): the
  compiler's yearly counts of the ACLU list, whose in-custody column is the person-level source
  `cbp_deaths` counted again (a reference test holds the two equal). Rows whose year is not a
  year (0, 23: dates the compiler could not read) go to quarantine.

The tables record no sex, age, nationality, race or cause: `not_recorded`, cause `unknown`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.curate import finish_records
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.cbp_deaths_tables import HEADERS, SCHEMAS

# The summary's components: column -> scope.
COMPONENTS = {"in_custody": "in_custody", "cbp_involved_non_custody": "unknown",
              "additional_requested": "unknown"}
CBP_OPR = "cbp opr"  # the by-source file's label of CBP's own reports
NOT_PUBLISHED = {"repeat": "repeats_other_file;not_in_stats",
                 "other": "other_publisher_definition;not_in_stats",
                 "derived": "derived_from_cbp_deaths;not_in_stats"}
FIRST_YEAR = 1990  # CBP was formed in 2003, its predecessors' tables start in the 1990s


# --- load -----------------------------------------------------------------------------------

# Each table as text, its format told from its header and checked against its raw schema.
CSV = VersionedCsv(HEADERS, SCHEMAS)


# --- process --------------------------------------------------------------------------------

def _years(curation: Curation, text: pd.Series, column: str) -> pd.Series:
    """Years as numbers; a blank, non-numeric or impossible year sends the row to quarantine."""
    year, bad = parse_counts(text)
    curation.reject((year.isna().to_numpy() & ~bad), column, "year_present", "the year is blank")
    curation.reject(bad, column, "year_present", "the year is not a whole number")
    curation.reject(((year < FIRST_YEAR) | (year > 2100)).fillna(False).to_numpy(), column,
                    "year_in_range", f"the year is outside {FIRST_YEAR}-2100: not a year (a date the "
                    "compiler could not read)")
    return year


def _counts(curation: Curation, frame: pd.DataFrame, column: str) -> pd.Series:
    """A count column; blank, non-numeric or negative sends the row to quarantine."""
    count, bad = parse_counts(frame[column])
    curation.reject(count.isna().to_numpy() & ~bad, column, "count_present", f"{column!r} is blank")
    curation.reject(bad | (count < 0).fillna(False).to_numpy(), column, "whole_number",
                    f"{column!r} is not a whole number of 0 or more")
    return count


def _base(out: pd.DataFrame, year: pd.Series, basis: str, count: pd.Series) -> pd.DataFrame:
    """What every row of these tables says: the year, the count, the USA, nothing recorded."""
    out["year"], out["year_basis"] = year.astype("Int32"), basis
    out["dead"], out["missing"], out["dead_and_missing"] = count, count * 0, count
    out["country_iso3"] = "USA"
    out["cause"], out["criminal"], out["criminal_rule"] = "unknown", "undetermined", "no_cause_recorded"
    return out


def summary_records(raw: RawTable, curation: Curation) -> pd.DataFrame:
    """The summary's rows as one record per fiscal year and component (plus a remainder where
    the total exceeds its components)."""
    frame = raw.frame
    year = _years(curation, frame["fiscal_year"], "fiscal_year")
    total = _counts(curation, frame, "total_deaths")
    parts = {column: _counts(curation, frame, column) for column in COMPONENTS}
    summed = sum(parts.values())
    below = (total < summed).fillna(False).to_numpy()
    curation.reject_each(below & ~curation.rejected, "total_deaths", "parts_within_total",
                         [f"the components add up to {s}, more than the total {t}"
                          for s, t in zip(summed[below & ~curation.rejected],
                                          total[below & ~curation.rejected])])
    pieces = []
    for column, scope in COMPONENTS.items():
        piece = _base(pd.DataFrame(index=frame.index), year, "fiscal", parts[column])
        piece["record_id"] = "FY" + year.astype("str") + " " + column
        piece["scope"], piece["flags"], piece["region"] = scope, "", None
        pieces.append(piece)
    remainder = (total > summed).fillna(False)
    if remainder.any():
        rest = _base(pd.DataFrame(index=frame.index), year, "fiscal", total - summed)[remainder]
        rest["record_id"] = "FY" + year[remainder].astype("str") + " remainder_of_total"
        rest["scope"], rest["flags"], rest["region"] = "unknown", "remainder_of_total", None
        pieces.append(rest)
    return pd.concat(pieces)


def by_source_records(raw: RawTable, curation: Curation) -> pd.DataFrame:
    """One record per fiscal year and publisher, kept in the catalog only."""
    frame = raw.frame
    year = _years(curation, frame["fiscal_year"], "fiscal_year")
    total = _counts(curation, frame, "total_deaths")
    _counts(curation, frame, "in_custody_deaths")
    publisher = frame["source"].str.strip()
    curation.reject((publisher == "").to_numpy(), "source", "publisher_present",
                    "the row names no publisher")
    keys = "FY" + year.astype("str") + " " + publisher
    curation.reject((keys.duplicated(keep="first") & ~curation.rejected).to_numpy(), "source",
                    "record_id_unique", "the fiscal year and publisher repeat an earlier row")
    out = _base(pd.DataFrame(index=frame.index), year, "fiscal", total)
    out["record_id"] = keys
    is_cbp = (publisher.map(normalise_label) == CBP_OPR).to_numpy()
    out["flags"] = np.where(is_cbp, NOT_PUBLISHED["repeat"], NOT_PUBLISHED["other"])
    out["scope"], out["region"] = "unknown", None
    return out


def by_year_records(raw: RawTable, curation: Curation) -> pd.DataFrame:
    """One record per year of the compiler's counts, kept in the catalog only."""
    frame = raw.frame
    year = _years(curation, frame["Year"], "Year")
    total = _counts(curation, frame, "Total_Deaths")
    for column in ("In_Custody_Deaths", "Firearm_Deaths", "Vehicle_Pursuit_Deaths"):
        _counts(curation, frame, column)
    curation.reject((year.astype("str").duplicated(keep="first") & ~curation.rejected).to_numpy(),
                    "Year", "record_id_unique", "the year repeats an earlier row of the file")
    # The year of the list's dates (calendar years: cbp_deaths' basis), no fiscal marker.
    out = _base(pd.DataFrame(index=frame.index), year, "incident", total)
    out["record_id"] = "Y" + frame["Year"].str.strip()
    out["flags"], out["scope"], out["region"] = NOT_PUBLISHED["derived"], "unknown", None
    return out


READERS = {"summary_2025": summary_records, "by_source_2026": by_source_records,
           "by_year_2026": by_year_records}


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """`deaths` rows of one of the three tables (see the module's docstring for which are
    published); defective rows go to quarantine."""
    curation = Curation(raw, snapshot.source, snapshot.name)
    records = READERS[raw.format_version](raw, curation).sort_index(kind="stable")
    return finish_records(records, raw, snapshot, curation, UnmappedLog(),
                          row_positions=records.index.to_numpy())


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="cbp_deaths_tables",
        title="CBP-related deaths by fiscal year and component",
        publisher="U.S. Customs and Border Protection (CBP) Office of Professional "
                  "Responsibility, CBP-related deaths reports; tables compiled by "
                  "etchin/ice-detention-mortality (with BJS FDCRP figures)",
        landing_page="https://www.cbp.gov/document/report/fiscal-year-2023-office-professional-"
                     "responsibility-cbp-related-deaths-report",
        licence="U.S. federal government work (public domain); compilation CC BY 4.0",
        stream="deaths",
        cadence="yearly (CBP OPR report per fiscal year)",
        max_age_days=None,
        product="summary_tables",
        download_url=None,  # PDF reports; the compiled tables are dropped in by hand
        person_level=False,
        citation="CBP Office of Professional Responsibility, CBP-related deaths reports FY2021-"
                 "FY2023, as tabulated in etchin/ice-detention-mortality (Basu et al.).",
    ),
    file_patterns=("cbp_deaths_summary.csv", "cbp_deaths_by_source.csv", "cbp_deaths_by_year.csv"),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
