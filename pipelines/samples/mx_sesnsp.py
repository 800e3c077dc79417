"""Sample snapshot of the SESNSP state incidence file: Windows-1252 / Latin-1 bytes (Año,
Violación, Extorsión...), one column per month, `Clave_Ent` zero-padded, LF line ends, two
years with the later one published up to September (October-December empty), zeros where a
state recorded nothing, the subtypes kept for the letter and, for one state, two outside its
scope (homicide, robbery). Every count is invented."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
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
# Subtypes outside the letter's scope (quarantined with check out_of_scope), for one state only:
# the real file has about three such rows in four, but a sample run's quarantine stays readable.
OUT_OF_SCOPE_STATE = "07"
OUT_OF_SCOPE = [
    (VIDA, "Homicidio", "Homicidio doloso", ["Con arma de fuego"], 6.0),
    (PATRIMONIO, "Robo", "Robo a negocio", ["Con violencia"], 40.0),
]
YEARS = (2024, 2025)
LAST_MONTH = 9  # the sample's later year is published up to September


def _count(r: random.Random, mean: float) -> int:
    """A Poisson-like count (many zeros for rare offences)."""
    total, limit, product = 0, 2.718281828 ** -min(mean, 30.0), r.random()
    if mean > 30:
        return max(0, round(r.gauss(mean, mean ** 0.5)))
    while product > limit:
        total += 1
        product *= r.random()
    return total


def sample_rows(r: random.Random) -> list[list[str]]:
    """Rows in the publisher's order: year, state, catalogue, modality."""
    rows = []
    for year in YEARS:
        for code, state in list(enumerate(STATES, start=1))[::2]:  # half the states, own codes
            size = 0.3 + r.random() * 1.7  # states differ in size
            extra = OUT_OF_SCOPE if f"{code:02d}" == OUT_OF_SCOPE_STATE else []
            for bien, tipo, subtipo, modalities, mean in CATALOGUE + extra:
                for modality in modalities or [subtipo]:
                    share = mean * size / (len(modalities) if modalities else 1)
                    months = [str(_count(r, share)) for _ in range(12)]
                    if year == YEARS[-1]:
                        months = months[:LAST_MONTH] + [""] * (12 - LAST_MONTH)
                    rows.append([str(year), f"{code:02d}", state, bien, tipo, subtipo, modality,
                                 *months])
    return rows


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2025-10-20: 2024 complete and 2025 up to September, in Latin-1."""
    name = "SAMPLE-2025-10-20"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS["estatal_2015"])
    writer.writerows(sample_rows(rng(SOURCE.id)))
    assert ENCODINGS[1] == "cp1252"
    (folder / "IDEFC_NM_sep25.csv").write_bytes(buffer.getvalue().encode("latin-1"))
    write_sidecar(folder, SOURCE, name, kind="full", period=("2024-01-01", "2025-09-30"))
