"""US Border Patrol: deaths along the Southwest Border by sector and fiscal year, FY1998-2019
(the Border Safety Initiative counts of USBP's table "Southwest Border Deaths By Fiscal Year",
re-keyed into a long table by a third party: `kind = derived`). An aggregate source: one
`deaths` row per sector and fiscal year, carrying the count (`dead` = `dead_and_missing`).

Choices: the year is the US federal fiscal year (1 October to 30 September, year_basis
`fiscal`); `region` is the sector as published (its line break made a space); the place is the
USA. The table says nothing of sex, age, nationality, race or cause: those are `not_recorded`
(nationality `NOT_RECORDED`; cause `unknown`, criminal `undetermined`). Scope `in_transit`:
the counts are of migrants who died crossing the border region (official counts, known to be
lower than the medical examiners').

The "Southwest Border Total" row of each year is the publisher's total beside its sectors:
kept in the catalog (flags `publisher_total;not_in_stats`) and left out of the statistics,
whose all-margin is the sum of the sectors; a test holds that margin equal to the Total. A
Total above its sectors' sum is published as the remainder, of no named sector (flag
`remainder_of_total`); a Total below it stays out of the statistics, flagged
`total_differs_from_parts`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.curate import add_flag, finish_records
from pipelines.sources.formats import mapped_column, read_versioned_xlsx
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.usbp_sector_deaths import HEADERS, SCHEMAS

COLUMN_MAPS = {
    "long_sector_2022": {"year": "Year", "sector": "Sector", "deaths": "Deaths"},
    "long_border_patrol_2022": {"year": "Year", "sector": "Border Patrol", "deaths": "Deaths"},
}
TOTAL_LABEL = "Southwest Border Total"
TOTAL_FLAGS = "publisher_total;not_in_stats"
FIRST_FISCAL_YEAR = 1960  # USBP's sector tables start long after; earlier is a typing error


# --- load -----------------------------------------------------------------------------------

def read_raw(path: Path) -> RawTable:
    """The workbook's first sheet as text (calamine), checked against its raw schema."""
    return read_versioned_xlsx(path, HEADERS, SCHEMAS)


# --- process --------------------------------------------------------------------------------

def sector_names(text: pd.Series) -> pd.Series:
    """Sector names with line breaks and repeated spaces made one space."""
    return text.astype("str").str.replace(r"\s+", " ", regex=True).str.strip()


def total_checks(years: pd.Series, counts: pd.Series, is_total: np.ndarray,
                 usable: np.ndarray) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Per row: the count the statistics take (a sector's own; for a Total above its sectors'
    sum, the remainder), and the masks of Totals above and below that sum. Years with a
    defective row are not compared (their sum is not known)."""
    frame = pd.DataFrame({"year": years, "n": counts, "total": is_total, "ok": usable})
    bad_years = set(frame.loc[~frame["ok"], "year"].dropna())
    sectors = frame[~frame["total"] & frame["ok"]].groupby("year")["n"].sum()
    parts = frame["year"].map(sectors).fillna(0).astype("Int64")
    compared = frame["total"] & frame["ok"] & ~frame["year"].isin(bad_years)
    above = (compared & (frame["n"] > parts)).to_numpy(dtype=bool)
    below = (compared & (frame["n"] < parts)).to_numpy(dtype=bool)
    taken = counts.mask(pd.Series(above, index=counts.index), counts - parts)
    return taken, above, below


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """One `deaths` row per sector and fiscal year (the Total rows kept out of the
    statistics); rows without a usable year, sector or count go to quarantine."""
    names = COLUMN_MAPS[raw.format_version]
    curation = Curation(raw, snapshot.source, snapshot.name)
    out = pd.DataFrame(index=raw.frame.index)

    year, bad_year = parse_counts(mapped_column(raw, COLUMN_MAPS, "year"))
    curation.reject(year.isna().to_numpy() & ~bad_year, names["year"], "year_present",
                    "no fiscal year: the Year cell is blank")
    curation.reject(bad_year, names["year"], "year_present",
                    "the fiscal year is not a whole number")
    curation.reject(((year < FIRST_FISCAL_YEAR) | (year > 2100)).fillna(False).to_numpy(),
                    names["year"], "year_in_range", f"the fiscal year is outside {FIRST_FISCAL_YEAR}-2100")
    sector = sector_names(mapped_column(raw, COLUMN_MAPS, "sector"))
    curation.reject((sector == "").to_numpy(), names["sector"], "sector_present",
                    "the row names no sector")
    deaths, bad_deaths = parse_counts(mapped_column(raw, COLUMN_MAPS, "deaths"))
    curation.reject(deaths.isna().to_numpy() & ~bad_deaths, names["deaths"], "count_present",
                    "the Deaths cell is blank")
    curation.reject(bad_deaths | (deaths < 0).fillna(False).to_numpy(), names["deaths"],
                    "whole_number", "the Deaths cell is not a whole number of 0 or more")
    ids = "FY" + year.astype("str") + " " + sector
    keys = "FY" + year.astype("str") + " " + sector.map(normalise_label)
    curation.reject((keys.duplicated(keep="first") & ~curation.rejected).to_numpy(),
                    names["sector"], "record_id_unique",
                    "the fiscal year and sector repeat an earlier row of the file (a duplicate)")

    is_total = (sector.map(normalise_label) == normalise_label(TOTAL_LABEL)).to_numpy()
    taken, above, below = total_checks(year, deaths, is_total, ~curation.rejected)
    flags = pd.Series(np.where(is_total & ~above, TOTAL_FLAGS, ""), index=out.index, dtype="str")
    flags = add_flag(flags, above, "remainder_of_total")
    flags = add_flag(flags, below, "total_differs_from_parts")
    out["flags"] = flags
    out["record_id"] = ids
    out["year"], out["year_basis"] = year.astype("Int32"), "fiscal"
    out["dead"], out["missing"], out["dead_and_missing"] = taken, taken * 0, taken
    out["region"] = sector.where(~above, None).replace("", None)
    out["country_iso3"] = "USA"
    out["cause"], out["criminal"], out["criminal_rule"] = "unknown", "undetermined", "no_cause_recorded"
    out["scope"] = "in_transit"
    return finish_records(out, raw, snapshot, curation, UnmappedLog())


def source_totals(raw: RawTable) -> pd.DataFrame:
    """The publisher's Total per fiscal year (for tests): columns year, deaths."""
    names = COLUMN_MAPS[raw.format_version]
    frame = raw.frame
    total = sector_names(frame[names["sector"]]).map(normalise_label) == normalise_label(TOTAL_LABEL)
    years, _ = parse_counts(frame.loc[total, names["year"]])
    deaths, _ = parse_counts(frame.loc[total, names["deaths"]])
    return pd.DataFrame({"year": years.astype("Int64"), "deaths": deaths}).reset_index(drop=True)


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="usbp_sector_deaths",
        title="Southwest Border deaths by sector and fiscal year",
        publisher="U.S. Border Patrol (U.S. Customs and Border Protection), table \"Southwest "
                  "Border Deaths By Fiscal Year\"; long-format re-keying by a third party "
                  "(eduardoMataN/New-Data-Rep)",
        landing_page="https://www.cbp.gov/newsroom/media-resources/stats",
        licence="U.S. federal government work (public domain); not stated in the copy",
        stream="deaths",
        cadence="yearly (per fiscal year); this table stops at FY2019",
        max_age_days=None,
        product="sw_border_deaths_by_sector_fy",
        download_url=None,  # a PDF table at CBP; the long re-keying is dropped in by hand
        person_level=False,
        citation="U.S. Border Patrol, Southwest Border Deaths By Fiscal Year (FY1998-FY2019), "
                 "https://www.cbp.gov/newsroom/media-resources/stats (as re-keyed in "
                 "eduardoMataN/New-Data-Rep)",
    ),
    file_patterns=("*.xlsx",),
    headers=HEADERS,
    read_raw=read_raw,
    to_curated=to_curated,
)
