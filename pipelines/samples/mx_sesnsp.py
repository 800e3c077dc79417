"""Sample snapshots of the SESNSP state incidence file, in both crime catalogues, every count
invented. Both: Windows-1252 / Latin-1 bytes (Año, Violación, Extorsión...), one column per
month, zeros where a state recorded nothing, half the states.

- SAMPLE-2024-12-20 (kind full), the 2015-2024 catalogue as `estatal.csv` of the 2024-11 cut:
  `Clave_Ent` unpadded (`1`), CRLF line ends, 2023 complete and 2024 up to November (December
  empty in every row: not yet published, not zero); one Secuestro, Extorsión, Trata de
  personas subtype, vehicle robbery by modality.
- SAMPLE-2025-10-20 (kind partial), the 2025 catalogue: `Clave_Ent` zero-padded, LF, 2025 up to
  September (October-December empty); Secuestro, Extorsión and trata split, Discriminación,
  Tortura; for one state, subtypes no canonical type fits (kept as `other`).

As with the real files, the full older snapshot is the latest (newest `full` of the product)."""

from __future__ import annotations

import random
from pathlib import Path

from pipelines.samples.common import csv_text, rng, write_sidecar
from pipelines.sources.mx_sesnsp import ENCODINGS, SOURCE
from schemas.raw.mx_sesnsp import HEADERS

STATES = ["Aguascalientes", "Baja California", "Baja California Sur", "Campeche",
          "Coahuila de Zaragoza", "Colima", "Chiapas", "Chihuahua", "Ciudad de México", "Durango",
          "Guanajuato", "Guerrero", "Hidalgo", "Jalisco", "México", "Michoacán de Ocampo",
          "Morelos", "Nayarit", "Nuevo León", "Oaxaca", "Puebla", "Querétaro", "Quintana Roo",
          "San Luis Potosí", "Sinaloa", "Sonora", "Tabasco", "Tamaulipas", "Tlaxcala",
          "Veracruz de Ignacio de la Llave", "Yucatán", "Zacatecas"]
VIDA, LIBERTAD, SEXUAL = ("La vida y la Integridad corporal", "Libertad personal",
                          "La libertad y la seguridad sexual")
PATRIMONIO, FAMILIA, SOCIEDAD = "El patrimonio", "La familia", "La sociedad"
OTROS = "Otros bienes jurídicos afectados (del fuero común)"
WEAPONS = ["Con arma blanca", "Con arma de fuego", "Con otro elemento", "No especificado"]
# (bien jurídico, tipo, subtipo, modalidades, mean files per state and month)
CATALOGUE = [
    (VIDA, "Feminicidio", "Feminicidio", WEAPONS, 0.4),
    (VIDA, "Feminicidio", "Tentativa de feminicidio", None, 0.5),
    (LIBERTAD, "Secuestro", "Secuestro extorsivo", None, 0.3),
    (LIBERTAD, "Secuestro", "Secuestro exprés", None, 0.1),
    (LIBERTAD, "Tráfico de menores", "Tráfico de menores", None, 0.05),
    (SEXUAL, "Abuso sexual", "Abuso sexual", None, 25.0),
    (SEXUAL, "Acoso sexual", "Acoso sexual", None, 8.0),
    (SEXUAL, "Hostigamiento sexual", "Hostigamiento sexual", None, 2.0),
    (SEXUAL, "Violación", "Violación simple", None, 10.0),
    (SEXUAL, "Violación", "Violación equiparada", None, 5.0),
    (SEXUAL, "Violación a la intimidad sexual", "Violación a la intimidad sexual", None, 5.0),
    (PATRIMONIO, "Extorsión", "Extorsión presencial", None, 1.5),
    (PATRIMONIO, "Extorsión", "Extorsión por otros medios", None, 6.0),
    (PATRIMONIO, "Extorsión", "Tentativa de extorsión por otros medios", None, 1.0),
    (FAMILIA, "Violencia familiar", "Violencia familiar", None, 200.0),
    (FAMILIA, "Violencia de género en todas sus modalidades distinta a la violencia familiar",
     "Violencia de género en todas sus modalidades distinta a la violencia familiar", None, 3.0),
    (SOCIEDAD, "Trata de personas", "Trata de personas con fines de explotación sexual", None, 0.15),
    (SOCIEDAD, "Trata de personas", "Trata de personas con fines de trabajo o servicios forzados",
     None, 0.05),
    (SOCIEDAD, "Trata de personas", "Trata de personas con otros fines", None, 0.3),
    (SOCIEDAD, "Discriminación", "Discriminación", None, 2.5),
    (OTROS, "Tortura", "Tortura", None, 1.5),
]
# General crime, for one state only (the real file has about three such rows in four; the
# sample stays small): kept, homicide and robbery as such, fraud as `other`.
GENERAL_STATE = "07"
GENERAL = [
    (VIDA, "Homicidio", "Homicidio doloso", ["Con arma de fuego"], 6.0),
    (PATRIMONIO, "Robo", "Robo a negocio", ["Con violencia", "Sin violencia"], 40.0),
    (PATRIMONIO, "Fraude", "Fraude", None, 10.0),
]
YEARS = (2025,)
LAST_MONTH = 9  # the sample's last year is published up to September
# The 2015-2024 catalogue (bien jurídico, tipo, subtipo, modalidades, mean)
OLD_CATALOGUE = [
    (VIDA, "Homicidio", "Homicidio doloso", ["Con arma de fuego", "Con arma blanca"], 8.0),
    (VIDA, "Feminicidio", "Feminicidio", WEAPONS, 0.4),
    (LIBERTAD, "Secuestro", "Secuestro", ["Secuestro extorsivo", "Secuestro exprés",
                                          "Otro tipo de secuestros"], 0.3),
    (SEXUAL, "Violación simple", "Violación simple", None, 10.0),
    (SEXUAL, "Abuso sexual", "Abuso sexual", None, 25.0),
    (PATRIMONIO, "Robo", "Robo de vehículo automotor",
     ["Robo de coche de 4 ruedas Con violencia", "Robo de coche de 4 ruedas Sin violencia"], 20.0),
    (PATRIMONIO, "Extorsión", "Extorsión", None, 7.0),
    (FAMILIA, "Violencia familiar", "Violencia familiar", None, 200.0),
    (SOCIEDAD, "Trata de personas", "Trata de personas", None, 0.2),
    (OTROS, "Narcomenudeo", "Narcomenudeo", None, 15.0),
]
OLD_YEARS = (2023, 2024)
OLD_LAST_MONTH = 11  # the 2024-11 cut: December 2024 empty


def poisson_count(r: random.Random, mean: float) -> int:
    """A Poisson-like count (many zeros for rare offences)."""
    total, limit, product = 0, 2.718281828 ** -min(mean, 30.0), r.random()
    if mean > 30:
        return max(0, round(r.gauss(mean, mean ** 0.5)))
    while product > limit:
        total += 1
        product *= r.random()
    return total


def sample_rows(r: random.Random, catalogue: list, years: tuple[int, ...], last_month: int,
                padded: bool, general: list) -> list[list[str]]:
    """Rows in the publisher's order: year, state, catalogue, modality; the last year
    published up to `last_month`."""
    rows = []
    for year in years:
        for code, state in list(enumerate(STATES, start=1))[::2]:  # half the states, own codes
            size = 0.3 + r.random() * 1.7  # states differ in size
            extra = general if f"{code:02d}" == GENERAL_STATE else []
            for bien, tipo, subtipo, modalities, mean in catalogue + extra:
                for modality in modalities or [subtipo]:
                    share = mean * size / (len(modalities) if modalities else 1)
                    months = [str(poisson_count(r, share)) for _ in range(12)]
                    if year == years[-1]:
                        months = months[:last_month] + [""] * (12 - last_month)
                    rows.append([str(year), f"{code:02d}" if padded else str(code), state, bien,
                                 tipo, subtipo, modality, *months])
    return rows


def _write(folder: Path, name: str, rows: list[list[str]], line_end: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    assert ENCODINGS[1] == "cp1252"
    (folder / name).write_bytes(csv_text(HEADERS["estatal_2015"], rows, line_end).encode("latin-1"))


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2024-12-20 (old catalogue, 2023 and 2024 to November, full) and
    SAMPLE-2025-10-20 (2025 catalogue, 2025 to September, partial), in Latin-1."""
    r = rng(SOURCE.id)
    name = "SAMPLE-2024-12-20"
    folder = raw_dir / SOURCE.id / name
    _write(folder, "estatal.csv", sample_rows(r, OLD_CATALOGUE, OLD_YEARS, OLD_LAST_MONTH,
                                              padded=False, general=[]), "\r\n")
    write_sidecar(folder, SOURCE, name, kind="full", period=("2023-01-01", "2024-11-30"))
    name = "SAMPLE-2025-10-20"
    folder = raw_dir / SOURCE.id / name
    _write(folder, "IDEFC_NM_sep25.csv", sample_rows(r, CATALOGUE, YEARS, LAST_MONTH, padded=True,
                                                     general=GENERAL), "\n")
    write_sidecar(folder, SOURCE, name, kind="partial", period=("2025-01-01", "2025-09-30"))
