"""SESNSP (Mexico) víctimas del fuero común, state level, new methodology (`IDVFC_NM_<cut>.csv`,
2015 onwards): the victims counted in the investigation files (carpetas) opened each month by
the 32 state prosecutors, per state, crime subtype, modality, **sex and age group**. Only the
subtypes with a victim are published (15 in the 2015-2024 catalogue: homicide, femicide,
injuries, kidnapping, trafficking in persons, extortion...).

Choices:
- One record per published cell: (row, month with a value), as in `mx_sesnsp`, with the same
  month handling (`monthly.MonthlyTable`: a blank month after the last published one is not
  published, a blank inside the covered period quarantines its row), the same state codes
  (1-32, padded or not) and the same crosswalk (maps/crime_types_mx_sesnsp.csv: the victims
  file uses the state incidence file's catalogue, so its labels are looked up, "Subtipo /
  Modalidad" first, by `mx_sesnsp.crime_labels`; no second copy). Every subtype is kept.
- `unit = persons`, `subject = victim`, `year_basis = reported` (the month the investigation
  file was opened), `country_iso3 = MEX`, `country_native` the state: states add up into the
  MEX cell. SESNSP counts every victim in Mexico, not only migrants (population general); the
  file has no nationality, so nationality, race, gender identity and perpetrator are margins
  (`all`) on every record, published once per grand total as not recorded.
- Sex (`Sexo`) through maps/sex.csv: Hombre male, Mujer female, No identificado unknown. Age
  group (`Rango de edad`) through maps/age_labels.csv: Menores de edad (0-17) child, Adultos (18
  y más) adult, and two different unknown codes, both `unknown` in the data model's sense (the
  age is not known) but not the same thing:
  `No identificado` is a victim who was not identified (sex unknown as well: every row with
  Sexo No identificado has it, and no other row does), `No especificado` the unstated age of a
  victim of known sex. The statistics keep them apart through the sex: age unknown with sex
  unknown is `No identificado`, age unknown with sex female or male is `No especificado` (the
  sex x age cells are published). The native labels stay in each record's `record_id`
  (state|subtype|modality|Sexo|Rango de edad|month), and a row that breaks the pattern is
  flagged `unidentified_sex_age_mismatch` (none in the 2024-12 cut), since its age cell could
  then not be read back to its code.
- No full grid is assumed: the file publishes the cells it has (femicide only for women,
  abortion only as No identificado); a cell the file does not have is not published, never 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.harmonize.categories import map_crime_types, map_labels
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources import mx_sesnsp as sesnsp
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.sources.cases import finish_case_records
from pipelines.sources.curate import add_flag
from pipelines.sources.formats import VersionedCsv
from pipelines.sources.monthly import MonthlyTable, after_period, month_starts
from pipelines.sources.source import Source, SourceSpec
from schemas.raw.mx_sesnsp_victimas import HEADERS, MONTHS, SCHEMAS

SEX, AGE = "Sexo", "Rango de edad"
KEY_COLUMNS = sesnsp.KEY_COLUMNS + (SEX, AGE)
BREAKDOWN = "by_state_subtype_sex_and_age"
UNIDENTIFIED = normalise_label("No identificado")  # the code of a victim not identified
MISMATCH_FLAG = "unidentified_sex_age_mismatch"
# Dimensions the file does not split: every record is a margin over them.
MARGIN_DIMS = ("gender_identity", "nationality", "race_ethnicity", "perpetrator")

# The victims file (UTF-8 or Latin-1/Windows-1252) as text, checked against its raw schema.
CSV = VersionedCsv(HEADERS, SCHEMAS, sesnsp.ENCODINGS)
# The year and the twelve month columns; a cell counts victims.
MONTHLY = MonthlyTable(sesnsp.YEAR, tuple(MONTHS), "victims")


def unidentified_mismatch(frame: pd.DataFrame) -> np.ndarray:
    """Rows where exactly one of Sexo and Rango de edad is `No identificado` (the file pairs
    them: an unidentified victim has neither sex nor age)."""
    sex, age = (frame[c].isin([v for v in frame[c].unique() if normalise_label(v) == UNIDENTIFIED])
                for c in (SEX, AGE))
    return (sex != age).to_numpy()


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """One `crimes` record per (row, published month), whatever the subtype; bad rows go to
    quarantine."""
    frame = raw.frame
    curation = Curation(raw, snapshot.source, snapshot.name)
    log = UnmappedLog()

    years = MONTHLY.reject_years(curation, raw)
    codes = sesnsp.state_codes(frame[sesnsp.STATE_CODE])
    curation.reject((codes == "").to_numpy(), sesnsp.STATE_CODE, "state_code",
                    f"Clave_Ent is not a state code (1-{sesnsp.STATES}, with or without a "
                    "leading zero)")
    keys = frame[list(KEY_COLUMNS)].apply(lambda c: c.str.strip()).assign(
        **{sesnsp.STATE_CODE: codes})
    curation.reject(keys.duplicated(keep="first").to_numpy(), sesnsp.SUBTYPE, "record_id_unique",
                    "the row repeats the state, year, subtype, modality, sex and age group of "
                    "an earlier row (a duplicate)")
    values = MONTHLY.reject_counts(curation, raw, years)

    mapped = map_crime_types(sesnsp.crime_labels(frame), sesnsp.CRIME_MAP, log, sesnsp.SUBTYPE)
    mapped = mapped.assign(sex=map_labels(frame[SEX], "sex", log, SEX),
                           age_group=map_labels(frame[AGE], "age_labels", log, AGE))
    records = _records(raw, snapshot, years, values, mapped, codes, unidentified_mismatch(frame),
                       ~curation.rejected)
    return finish_case_records({"crimes": records}, raw, snapshot, curation, log,
                               SOURCE.spec.population)


def _records(raw: RawTable, snapshot: Snapshot, years: pd.Series, values: pd.DataFrame,
             mapped: pd.DataFrame, codes: pd.Series, mismatch: np.ndarray,
             keep: np.ndarray) -> pd.DataFrame:
    """The long table: one row per kept raw row and month with a value."""
    frame = raw.frame
    pos, month, counts = MONTHLY.cells(values, keep)
    text = frame[[sesnsp.SUBTYPE, sesnsp.MODALITY, SEX, AGE, sesnsp.STATE]].apply(
        lambda c: c.str.strip())
    subtype, modality = text[sesnsp.SUBTYPE], text[sesnsp.MODALITY]
    # Per raw row first (a twelfth of the records), then spread to its months.
    row_key = (codes + "|" + subtype + "|" + modality + "|" + text[SEX] + "|" + text[AGE]).to_numpy()
    native = subtype.where(modality == subtype, subtype + " / " + modality).to_numpy()
    year = years.to_numpy()[pos].astype(int)
    periods = pd.Series(year).astype("str") + "-" + pd.Series(month).astype("str").str.zfill(2)
    out = pd.DataFrame({
        "_row": pos,
        "record_id": (pd.Series(row_key[pos]) + "|" + periods).to_numpy(),
        "year": year, "year_basis": "reported", "country_iso3": "MEX",
        "country_native": text[sesnsp.STATE].to_numpy()[pos], "breakdown": BREAKDOWN,
        "subject": "victim", "unit": "persons",
        "sex": mapped["sex"].to_numpy()[pos], "age_group": mapped["age_group"].to_numpy()[pos],
        "crime_type": mapped["crime_type"].to_numpy()[pos], "sgbv": mapped["sgbv"].to_numpy()[pos],
        "crime_type_native": native[pos], "bias_motivation": "not_applicable",
        "value": counts, "flags": "", "_dated": month_starts(year, month),
    })
    for dim in MARGIN_DIMS:
        out[dim] = "all"
    out["year"] = out["year"].astype("Int32")
    out["flags"] = add_flag(out["flags"], mismatch[pos], MISMATCH_FLAG)
    out["flags"] = add_flag(out["flags"], after_period(snapshot, year, month), "future_date")
    return out


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row: the sum of its published months (for tests)."""
    values, _ = MONTHLY.values(raw)
    return values.sum(axis=1, min_count=1).astype("Int64")


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="mx_sesnsp_victimas",
        title="Víctimas de delitos del fuero común, estatal (nueva metodología)",
        publisher="Secretariado Ejecutivo del Sistema Nacional de Seguridad Pública (SESNSP), Mexico",
        landing_page="https://www.gob.mx/sesnsp/acciones-y-programas/datos-abiertos-de-incidencia-delictiva",
        licence="not stated in the copy held (Mexican government open data)",
        stream="crimes",
        cadence="monthly (around the 20th, for the month before)",
        max_age_days=62,
        product="victimas_estatal",
        # The publisher's download link changes with every release: drop the CSV into
        # data/raw/mx_sesnsp_victimas/<date>/ by hand.
        download_url=None,
        citation="Secretariado Ejecutivo del Sistema Nacional de Seguridad Pública (SESNSP), "
                 "Cifras de víctimas del fuero común, estatal, nueva metodología (datos abiertos), "
                 "https://www.gob.mx/sesnsp/acciones-y-programas/datos-abiertos-de-incidencia-delictiva.",
        population="general",
    ),
    file_patterns=("*.csv",),
    headers=HEADERS,
    read_raw=CSV.read,
    to_curated=to_curated,
)
