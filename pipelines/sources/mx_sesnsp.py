"""SESNSP (Mexico) incidencia delictiva del fuero común, state level, new methodology: the
investigation files (carpetas de investigación) opened each month by the 32 state prosecutors,
per state, crime subtype and modality.

Choices:
- One record per published cell: (row, month with a value). A zero is a published value and
  becomes a record of 0; an empty month after the file's last published month is a month not
  yet published (no record). The snapshot's period says where a partial year ends; the module
  reads the same end from the data (`period_end`), and a month inside the covered period left
  empty quarantines its row (check `month_value_present`): nothing is filled in.
- `unit = cases` (investigation files), `subject = incident`, `year_basis = reported` (the month
  the file was opened, not when the crime happened), `country_iso3 = MEX`, `country_native` the
  state (Entidad): the statistics have no state dimension, so states add up into the MEX cell.
- The file says nothing about victims: sex, gender identity, age, nationality, race and
  perpetrator are `all` on every record (the cell is a margin over them), and the statistics
  publish them once per grand total as `not_recorded`. Nothing is inferred.
- Modality (Modalidad: weapon used, etc.) is not a published dimension: it is kept in
  `crime_type_native` ("Subtipo / Modalidad") and cells of one subtype are added.
- Only the subtypes that concern the 2023 letter are kept (maps/crime_types_mx_sesnsp.csv says
  which, and why). The others are not errors but are not crimes this project publishes: their
  rows go to quarantine with check `out_of_scope` and a reason saying so, so that rows read =
  accepted + quarantined holds and `rows_accepted` keeps meaning "rows that became records".
  A subtype the map does not list is quarantined with check `crime_type_mapped` and logged in
  `unmapped_values` for a reviewer to decide.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.fetching import fetch_snapshot
from pipelines.harmonize.categories import map_crime_types
from pipelines.harmonize.numbers import parse_counts
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable, SourceSpec
from pipelines.sources.cases import finish_case_records
from pipelines.sources.curate import add_flag
from pipelines.sources.formats import read_versioned_csv
from schemas.raw.mx_sesnsp import HEADERS, MONTHS, SCHEMAS

SOURCE = SourceSpec(
    id="mx_sesnsp",
    title="Incidencia delictiva del fuero común, estatal (nueva metodología)",
    publisher="Secretariado Ejecutivo del Sistema Nacional de Seguridad Pública (SESNSP), Mexico",
    landing_page="https://www.gob.mx/sesnsp/acciones-y-programas/datos-abiertos-de-incidencia-delictiva",
    licence="not stated in the copy held (Mexican government open data)",
    stream="crimes",
    cadence="monthly (around the 20th, for the month before)",
    max_age_days=62,
    product="incidencia_estatal",
    # The publisher's download link changes with every release: drop the CSV into
    # data/raw/mx_sesnsp/<date>/ by hand.
    download_url=None,
    citation="Secretariado Ejecutivo del Sistema Nacional de Seguridad Pública (SESNSP), "
             "Incidencia delictiva del fuero común, estatal, nueva metodología (datos abiertos), "
             "https://www.gob.mx/sesnsp/acciones-y-programas/datos-abiertos-de-incidencia-delictiva.",
    population="general",
)
FILE_PATTERNS = ("*.csv",)
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")  # UTF-8 first, then Windows-1252
CRIME_MAP = "crime_types_mx_sesnsp"
OUT_OF_SCOPE = "out_of_scope"
SUBTYPE, MODALITY, YEAR, STATE_CODE, STATE = ("Subtipo de delito", "Modalidad", "Año", "Clave_Ent",
                                              "Entidad")
KEY_COLUMNS = (STATE_CODE, YEAR, "Bien jurídico afectado", "Tipo de delito", SUBTYPE, MODALITY)
BREAKDOWN = "by_state_and_subtype"
# Dimensions the file does not split: every record is a margin over them.
MARGIN_DIMS = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
               "perpetrator")


# --- load -----------------------------------------------------------------------------------

def fetch(raw_dir: Path) -> Path | None:
    """No stable download address: files are dropped in by hand."""
    return fetch_snapshot(SOURCE, raw_dir)


def read_raw(path: Path) -> RawTable:
    """Read the state file (UTF-8 or Latin-1/Windows-1252) as text, checked against its schema."""
    return read_versioned_csv(path, HEADERS, SCHEMAS, encodings=ENCODINGS)


# --- process --------------------------------------------------------------------------------

def month_values(raw: RawTable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts per month as Int64, blank = null; mask of cells that are not whole numbers >= 0)."""
    values, bad = {}, {}
    for month in MONTHS:
        counts, unreadable = parse_counts(raw.frame[month])
        values[month] = counts
        bad[month] = unreadable | (counts < 0).fillna(False).to_numpy()
    return pd.DataFrame(values, index=raw.frame.index), pd.DataFrame(bad, index=raw.frame.index)


def period_end(raw: RawTable) -> date | None:
    """The last month the file publishes, as its last day: the latest year's last filled month.
    This is where a partial year ends (the sidecar's period end should say the same)."""
    years, _ = parse_counts(raw.frame[YEAR])
    values, _ = month_values(raw)
    filled = values.notna().to_numpy()
    has_year = years.notna().to_numpy() & filled.any(axis=1)
    if not has_year.any():
        return None
    last_year = int(years[has_year].max())
    in_year = has_year & (years == last_year).fillna(False).to_numpy()
    month = int(np.flatnonzero(filled[in_year].any(axis=0)).max()) + 1
    return (pd.Timestamp(last_year, month, 1) + pd.offsets.MonthEnd(0)).date()


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """One `crimes` record per (row, published month) for the subtypes that concern the letter;
    out-of-scope subtypes and bad rows go to quarantine."""
    frame = raw.frame
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()

    years, bad_years = parse_counts(frame[YEAR])
    no_year = bad_years | years.isna().to_numpy() | ~years.between(1900, 2100).fillna(False).to_numpy()
    curation.reject(no_year, YEAR, "year_present", "no usable year: Año is blank, not a whole "
                    "number or outside 1900-2100")
    codes = frame[STATE_CODE].str.strip()
    curation.reject(~codes.str.fullmatch(r"\d{2}").to_numpy(), STATE_CODE, "state_code",
                    "Clave_Ent is not a two-digit state code")

    keys = frame[list(KEY_COLUMNS)].apply(lambda c: c.str.strip())
    repeated = keys.duplicated(keep="first").to_numpy()
    curation.reject(repeated, SUBTYPE, "record_id_unique", "the row repeats the state, year, "
                    "subtype and modality of an earlier row (a duplicate)")

    values, bad = month_values(raw)
    for month in MONTHS:
        curation.reject(bad[month].to_numpy(), month, "whole_number",
                        f"{month!r} is not a whole number of investigation files (0 or more)")
    _reject_gaps(curation, raw, years, values, bad)

    subtype = frame[SUBTYPE]
    mapped = map_crime_types(subtype, CRIME_MAP, log, SUBTYPE)
    unmapped = (mapped["crime_type"] == "unknown").to_numpy()
    curation.reject(unmapped, SUBTYPE, "crime_type_mapped", "the subtype is not in "
                    "maps/crime_types_mx_sesnsp.csv: a reviewer must decide whether it concerns "
                    "the letter (see unmapped_values)")
    outside = (mapped["crime_type"] == OUT_OF_SCOPE).to_numpy()
    for label in pd.unique(subtype[outside]):
        curation.reject(outside & (subtype == label).to_numpy(), SUBTYPE, OUT_OF_SCOPE,
                        f"not an error: {label.strip()!r} is outside the scope this project "
                        "publishes (crimes against migrants, in particular sexual and "
                        "gender-based violence; see maps/crime_types_mx_sesnsp.csv); the row is "
                        "read and counted here, not published")

    records = _records(raw, snapshot, years, values, mapped, ~curation.rejected)
    return finish_case_records({"crimes": records}, raw, snapshot, curation, log,
                               SOURCE.population)


def _reject_gaps(curation: Curation, raw: RawTable, years: pd.Series, values: pd.DataFrame,
                 bad: pd.DataFrame) -> None:
    """Quarantine rows with an empty month inside the period the file covers (all months of
    earlier years, up to the last published month of the latest year). Unreadable cells are
    not empty: they have their own check."""
    end = period_end(raw)
    if end is None:
        return
    filled = values.notna().to_numpy() | bad.to_numpy()
    expected = np.where((years == end.year).fillna(False).to_numpy(), end.month,
                        np.where((years < end.year).fillna(False).to_numpy(), 12, 0))
    month_no = np.arange(1, 13)
    gap = (~filled) & (month_no[None, :] <= expected[:, None])
    rows = gap.any(axis=1)
    for index, month in enumerate(MONTHS):
        first = rows & gap[:, index] & ~gap[:, :index].any(axis=1)
        curation.reject(first, month, "month_value_present",
                        f"{month!r} is empty although the file publishes months up to "
                        f"{end:%Y-%m}: a gap inside the covered period (nothing is filled in)")


def _records(raw: RawTable, snapshot: Snapshot, years: pd.Series, values: pd.DataFrame,
             mapped: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The long table: one row per kept raw row and month with a value."""
    frame = raw.frame
    long = values[keep].rename(columns={m: i + 1 for i, m in enumerate(MONTHS)}).stack()
    long = long.dropna()
    rows = long.index.get_level_values(0).to_numpy()
    month = long.index.get_level_values(1).to_numpy().astype(int)
    pos = frame.index.get_indexer(rows)
    subtype = frame[SUBTYPE].str.strip().to_numpy()[pos]
    modality = frame[MODALITY].str.strip().to_numpy()[pos]
    code = frame[STATE_CODE].str.strip().to_numpy()[pos]
    year = years.to_numpy()[pos].astype(int)
    native = np.where(modality == subtype, subtype,
                      pd.Series(subtype).str.cat(pd.Series(modality), sep=" / ").to_numpy())
    out = pd.DataFrame({
        "_row": pos,
        "record_id": [f"{c}|{s}|{m}|{y}-{mo:02d}" for c, s, m, y, mo in
                      zip(code, subtype, modality, year, month)],
        "year": year, "year_basis": "reported", "country_iso3": "MEX",
        "country_native": frame[STATE].str.strip().to_numpy()[pos], "breakdown": BREAKDOWN,
        "subject": "incident", "unit": "cases",
        "crime_type": mapped["crime_type"].to_numpy()[pos], "sgbv": mapped["sgbv"].to_numpy()[pos],
        "crime_type_native": native, "bias_motivation": "not_applicable",
        "value": pd.array(long.to_numpy(), dtype="Int64"), "flags": "",
        "_dated": pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1})),
    })
    for dim in MARGIN_DIMS:
        out[dim] = "all"
    out["year"] = out["year"].astype("Int32")
    end = snapshot.period_end_date()
    if end is not None and not snapshot.is_sample:
        late = (year > end.year) | ((year == end.year) & (month > end.month))
        out["flags"] = add_flag(out["flags"], late, "future_date")
    return out


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row: the sum of its published months (for tests)."""
    values, _ = month_values(raw)
    return values.sum(axis=1, min_count=1).astype("Int64")
