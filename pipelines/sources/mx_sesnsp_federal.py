"""SESNSP (Mexico) incidencia delictiva del fuero federal, state level (`IDEFF_<cut>.csv`, 2012
onwards): the investigation files (carpetas) the federal prosecutor (FGR) opened each month, per
state, law (LEY), concept (CONCEPTO) and type (TIPO): drug offences, organised crime, firearms,
fuel theft and, with `LEY DE MIGRACION`, the migration-law offences (migrant smuggling among
them), by state since 2012.

Choices:
- One record per published cell: (row, month with a value), read as the other SESNSP files
  (`monthly.MonthlyTable`: the file of July 2025 leaves August to December 2025 blank: not yet
  published, a partial year, never zeros; a blank inside the covered period quarantines its row).
- `unit = cases` (investigation files), `subject = incident`, `year_basis = reported` (the month
  the file was opened). SESNSP counts every federal crime reported in Mexico, not crimes
  against migrants (population general); the file says nothing about victims or offenders:
  sex, gender identity, age, nationality, race and perpetrator are margins (`all`) on every
  record, published once per grand total as not recorded.
- Entities: the 32 states (INEGI 1-32, padded or not) are `country_iso3 = MEX`, the state name as
  published (upper case, no accents: `NUEVO LEON`, `MEXICO` = Estado de México) in
  `country_native`; the statistics have no state dimension. A 33rd entity, `EXTRANJERO`, with an
  empty INEGI code, counts files on crimes committed abroad (Mexico's federal jurisdiction
  reaches some, e.g. against or by Mexicans): `country_iso3 = UNKNOWN`, since the data model's
  country is where a crime happened and the file says only that it was not in Mexico (never
  which country), with `EXTRANJERO` kept in `country_native`. They are still SESNSP's own count:
  the grand total (country `all`) is the file's national total, EXTRANJERO included, and the MEX
  cell is the 32 states. A row with an empty INEGI code and another entity, or EXTRANJERO with a
  code, quarantines (check `state_code`).
- Every type is kept (data model invariant 6): maps/crime_types_mx_sesnsp_federal.csv maps
  "LEY / CONCEPTO / TIPO" to a canonical type (`other` for most federal laws; `LEY DE MIGRACION`
  is `smuggling_unspecified`, migrant smuggling whose aggravation the file does not state). A
  label the crosswalk does not know is kept as crime type `unknown` and listed in
  `unmapped_values`.
- The catalogue changed in 2019 (two more types: the hydrocarbons law and the general law on
  electoral crimes). The catalogue is per year, so every year's cells come from one catalogue;
  the new types have no cells before 2019 (absent, not zero), and the crosswalk's `catalogue`
  column says which types are new.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import map_crime_types
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources import mx_sesnsp as sesnsp
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.cases import finish_case_records
from pipelines.sources.curate import add_flag
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.monthly import MonthlyTable, after_period, month_starts
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.mx_sesnsp_federal import HEADERS, MONTHS, SCHEMAS

CRIME_MAP = "crime_types_mx_sesnsp_federal"
YEAR, CODE, ENTITY, LAW, CONCEPT, TYPE = "AÑO", "INEGI", "ENTIDAD", "LEY", "CONCEPTO", "TIPO"
ABROAD = "EXTRANJERO"  # the entity of crimes committed abroad: no INEGI code
KEY_COLUMNS = (CODE, ENTITY, YEAR, LAW, CONCEPT, TYPE)
BREAKDOWN = "by_state_and_law"
# Dimensions the file does not split: every record is a margin over them.
MARGIN_DIMS = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
               "perpetrator")

# The federal file (UTF-8 or Latin-1/Windows-1252) as text, checked against its raw schema.
CSV = VersionedCsv(HEADERS, SCHEMAS, sesnsp.ENCODINGS)
# The year and the twelve month columns; a cell counts investigation files.
MONTHLY = MonthlyTable(YEAR, tuple(MONTHS), "investigation files")


def entity_codes(frame: pd.DataFrame) -> pd.Series:
    """The INEGI state code as two digits, `EXTRANJERO` for the entity abroad (which has no
    code), "" where neither holds: a code outside 1-32, a blank code for a state, or a code
    for the entity abroad."""
    codes = sesnsp.state_codes(frame[CODE])
    abroad = frame[ENTITY].str.strip().str.upper() == ABROAD
    blank = frame[CODE].str.strip() == ""
    return codes.mask(abroad, np.where(blank, ABROAD, "")).astype("str")


def crime_labels(frame: pd.DataFrame) -> pd.Series:
    """The label each row is looked up by in the crosswalk: "LEY / CONCEPTO / TIPO"."""
    return frame[LAW].str.strip() + " / " + frame[CONCEPT].str.strip() + " / " + frame[TYPE].str.strip()


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """One `crimes` record per (row, published month), whatever the law; bad rows go to
    quarantine."""
    frame = raw.frame
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()

    years = MONTHLY.reject_years(curation, raw)
    codes = entity_codes(frame)
    curation.reject((codes == "").to_numpy(), CODE, "state_code",
                    f"INEGI is not a state code (1-{sesnsp.STATES}, with or without a leading "
                    f"zero), nor empty for the entity {ABROAD}")
    keys = frame[list(KEY_COLUMNS)].apply(lambda c: c.str.strip()).assign(**{CODE: codes})
    curation.reject(keys.duplicated(keep="first").to_numpy(), TYPE, "record_id_unique",
                    "the row repeats the entity, year, law, concept and type of an earlier row "
                    "(a duplicate)")
    values = MONTHLY.reject_counts(curation, raw, years)

    labels = crime_labels(frame)
    mapped = map_crime_types(labels, CRIME_MAP, log, TYPE)
    records = _records(raw, snapshot, years, values, mapped, labels, codes, ~curation.rejected)
    return finish_case_records({"crimes": records}, raw, snapshot, curation, log,
                               SOURCE.spec.population)


def _records(raw: RawTable, snapshot: Snapshot, years: pd.Series, values: pd.DataFrame,
             mapped: pd.DataFrame, labels: pd.Series, codes: pd.Series,
             keep: np.ndarray) -> pd.DataFrame:
    """The long table: one row per kept raw row and month with a value."""
    frame = raw.frame
    pos, month, counts = MONTHLY.cells(values, keep)
    code = codes.to_numpy()[pos]
    year = years.to_numpy()[pos].astype(int)
    periods = pd.Series(year).astype("str") + "-" + pd.Series(month).astype("str").str.zfill(2)
    row_key = (codes + "|" + labels).to_numpy()
    out = pd.DataFrame({
        "_row": pos,
        "record_id": (pd.Series(row_key[pos]) + "|" + periods).to_numpy(),
        "year": year, "year_basis": "reported",
        "country_iso3": np.where(code == ABROAD, "UNKNOWN", "MEX"),
        "country_native": frame[ENTITY].str.strip().to_numpy()[pos], "breakdown": BREAKDOWN,
        "subject": "incident", "unit": "cases",
        "crime_type": mapped["crime_type"].to_numpy()[pos], "sgbv": mapped["sgbv"].to_numpy()[pos],
        "crime_type_native": labels.to_numpy()[pos], "bias_motivation": "not_applicable",
        "value": counts, "flags": "", "_dated": month_starts(year, month),
    })
    for dim in MARGIN_DIMS:
        out[dim] = "all"
    out["year"] = out["year"].astype("Int32")
    out["flags"] = add_flag(out["flags"], after_period(snapshot, year, month), "future_date")
    return out


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row: the sum of its published months (for tests)."""
    values, _ = MONTHLY.values(raw)
    return values.sum(axis=1, min_count=1).astype("Int64")


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="mx_sesnsp_federal",
        title="Incidencia delictiva del fuero federal, estatal",
        publisher="Secretariado Ejecutivo del Sistema Nacional de Seguridad Pública (SESNSP), Mexico",
        landing_page="https://www.gob.mx/sesnsp/acciones-y-programas/datos-abiertos-de-incidencia-delictiva",
        licence="not stated in the copy held (Mexican government open data)",
        stream="crimes",
        cadence="monthly (around the 20th, for the month before)",
        max_age_days=62,
        product="incidencia_federal_estatal",
        # The publisher's download link changes with every release: drop the CSV into
        # data/raw/mx_sesnsp_federal/<date>/ by hand.
        download_url=None,
        citation="Secretariado Ejecutivo del Sistema Nacional de Seguridad Pública (SESNSP), "
                 "Incidencia delictiva del fuero federal, estatal (datos abiertos), "
                 "https://www.gob.mx/sesnsp/acciones-y-programas/datos-abiertos-de-incidencia-delictiva.",
        population="general",
    ),
    file_patterns=("*.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
