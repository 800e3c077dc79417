"""SESNSP (Mexico) incidencia delictiva del fuero común, state level, new methodology: the
investigation files (carpetas de investigación) opened each month by the 32 state prosecutors,
per state, crime subtype and modality. Two crime catalogues share one header: the files for
2015-2024 (e.g. `2024-11/estatal.csv`: one Secuestro, Extorsión, Trata de personas subtype) and
the files from 2025 on (e.g. `2026-03/estatal_n.csv`: those split, plus Discriminación and
Tortura). Each file is its own snapshot and the statistics never add snapshots, so a year's
figure never mixes catalogues.

Choices:
- One record per published cell: (row, month with a value). A zero is a published value and
  becomes a record of 0; an empty month after the file's last published month is a month not
  yet published (no record: the 2024-11 file's December 2024 is empty in every row, a partial
  year, not zeros). The snapshot's period says where a partial year ends; the module reads the
  same end from the data (`period_end`), and a month inside the covered period left empty
  quarantines its row (check `month_value_present`): nothing is filled in.
- `unit = cases` (investigation files), `subject = incident`, `year_basis = reported` (the month
  the file was opened, not when the crime happened), `country_iso3 = MEX`, `country_native` the
  state (Entidad): the statistics have no state dimension, so states add up into the MEX cell.
  `Clave_Ent` is read zero-padded (`01`, 2025 catalogue) or not (`1`, the 2015-2024 files); any
  other code than 1-32 quarantines the row.
- The file says nothing about victims: sex, gender identity, age, nationality, race and
  perpetrator are `all` on every record (the cell is a margin over them), and the statistics
  publish them once per grand total as `not_recorded`. Nothing is inferred. SESNSP counts
  every crime reported in Mexico, not crimes against migrants (population general).
- Every subtype is kept (data model invariant 6): one crosswalk for both catalogues,
  maps/crime_types_mx_sesnsp.csv, maps it to a canonical crime type (`other` where none fits)
  and flags the sexual and gender-based ones (sgbv yes). A row is looked up by "Subtipo /
  Modalidad" first (robbery: only the `Con violencia` modality of a Robo subtype is robbery),
  then by its subtype. A subtype the crosswalk does not know is kept as crime type `unknown`
  and listed in `unmapped_values` for a reviewer; nothing valid is quarantined.
- Modality (Modalidad: weapon used, etc.) is not a published dimension: it is kept in
  `crime_type_native` ("Subtipo / Modalidad") and cells of one subtype are added.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import crime_type_table, map_crime_types
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.cases import finish_case_records
from pipelines.sources.curate import add_flag
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.monthly import MonthlyTable, after_period, month_starts
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.mx_sesnsp import HEADERS, MONTHS, SCHEMAS

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")  # UTF-8 first, then Windows-1252
CRIME_MAP = "crime_types_mx_sesnsp"
STATES = 32  # Clave_Ent 1..32 (INEGI state codes)
SUBTYPE, MODALITY, YEAR, STATE_CODE, STATE = ("Subtipo de delito", "Modalidad", "Año", "Clave_Ent",
                                              "Entidad")
KEY_COLUMNS = (STATE_CODE, YEAR, "Bien jurídico afectado", "Tipo de delito", SUBTYPE, MODALITY)
BREAKDOWN = "by_state_and_subtype"
# Dimensions the file does not split: every record is a margin over them.
MARGIN_DIMS = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
               "perpetrator")


# --- load -----------------------------------------------------------------------------------

# The state file (UTF-8 or Latin-1/Windows-1252) as text, checked against its raw schema.
CSV = VersionedCsv(HEADERS, SCHEMAS, ENCODINGS)


# --- process --------------------------------------------------------------------------------

# The year and the twelve month columns; a cell counts investigation files.
MONTHLY = MonthlyTable(YEAR, tuple(MONTHS), "investigation files")


def month_values(raw: RawTable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(counts per month as Int64, blank = null; mask of cells that are not whole numbers >= 0)."""
    return MONTHLY.values(raw)


def period_end(raw: RawTable) -> date | None:
    """The last month the file publishes, as its last day (`MonthlyTable.period_end`)."""
    return MONTHLY.period_end(raw)


def state_codes(codes: pd.Series) -> pd.Series:
    """Clave_Ent as two digits ("1" and "01" are both "01"); "" where it is not 1-32."""
    text = codes.str.strip()
    number = pd.to_numeric(text.where(text.str.fullmatch(r"\d{1,2}"), None), errors="coerce")
    valid = number.between(1, STATES).fillna(False)
    return number.where(valid).map(lambda n: f"{int(n):02d}", na_action="ignore").fillna("").astype("str")


def crime_labels(frame: pd.DataFrame) -> pd.Series:
    """The label each row is looked up by in the crosswalk: "Subtipo / Modalidad" where the
    crosswalk lists that pair, else the subtype."""
    subtype = frame[SUBTYPE].str.strip()
    pair = subtype + " / " + frame[MODALITY].str.strip()
    distinct = pd.Series(pd.unique(pair))  # a few hundred pairs for tens of thousands of rows
    listed = distinct[distinct.map(normalise_label).isin(crime_type_table(CRIME_MAP))]
    return pair.where(pair.isin(listed).to_numpy(), subtype)


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """One `crimes` record per (row, published month), whatever the subtype; bad rows go to
    quarantine."""
    frame = raw.frame
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()

    years = MONTHLY.reject_years(curation, raw)
    codes = state_codes(frame[STATE_CODE])
    curation.reject((codes == "").to_numpy(), STATE_CODE, "state_code",
                    f"Clave_Ent is not a state code (1-{STATES}, with or without a leading zero)")

    keys = frame[list(KEY_COLUMNS)].apply(lambda c: c.str.strip()).assign(**{STATE_CODE: codes})
    repeated = keys.duplicated(keep="first").to_numpy()
    curation.reject(repeated, SUBTYPE, "record_id_unique", "the row repeats the state, year, "
                    "subtype and modality of an earlier row (a duplicate)")
    values = MONTHLY.reject_counts(curation, raw, years)

    mapped = map_crime_types(crime_labels(frame), CRIME_MAP, log, SUBTYPE)
    records = _records(raw, snapshot, years, values, mapped, codes, ~curation.rejected)
    return finish_case_records({"crimes": records}, raw, snapshot, curation, log, SOURCE.spec.population)


def _records(raw: RawTable, snapshot: Snapshot, years: pd.Series, values: pd.DataFrame,
             mapped: pd.DataFrame, codes: pd.Series, keep: np.ndarray) -> pd.DataFrame:
    """The long table: one row per kept raw row and month with a value."""
    frame = raw.frame
    pos, month, counts = MONTHLY.cells(values, keep)
    subtype = frame[SUBTYPE].str.strip().to_numpy()[pos]
    modality = frame[MODALITY].str.strip().to_numpy()[pos]
    code = codes.to_numpy()[pos]
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
    ),
    file_patterns=("*.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
