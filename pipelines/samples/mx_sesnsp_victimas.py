"""A sample snapshot of the SESNSP victims file (víctimas del fuero común), every count invented,
in the publisher's format: Windows-1252 / Latin-1 bytes (Año, Rango de edad "Adultos (18 y
más)"), CRLF line ends, `Clave_Ent` unpadded, one column per month, a quarter of the states.

SAMPLE-2025-01-20 (kind full), the 2015-2024 catalogue as the December 2024 cut: 2023 and 2024,
all twelve months. Each subtype x modality has a row per sex and age group as SESNSP lays them
out: Hombre and Mujer each with `Menores de edad (0-17)`, `Adultos (18 y más)` and `No
especificado` (age not stated), and `No identificado` with `No identificado` (victim not
identified); femicide only for women, abortion only for the unidentified."""

from __future__ import annotations

import random
from pathlib import Path

from pipelines.samples.common import csv_text, rng, write_sidecar
from pipelines.samples.mx_sesnsp import STATES, poisson_count
from pipelines.sources.mx_sesnsp_victimas import SOURCE
from schemas.raw.mx_sesnsp_victimas import HEADERS

VIDA, LIBERTAD, SOCIEDAD, PATRIMONIO = ("La vida y la Integridad corporal", "Libertad personal",
                                        "La sociedad", "El patrimonio")
WEAPONS = ["Con arma blanca", "Con arma de fuego"]  # of the four SESNSP modalities
AGES = ["Menores de edad (0-17)", "Adultos (18 y más)", "No especificado"]
BOTH = [(sex, age) for sex in ("Hombre", "Mujer") for age in AGES] + [
    ("No identificado", "No identificado")]
WOMEN = [("Mujer", age) for age in AGES]
UNIDENTIFIED = [("No identificado", "No identificado")]
# (bien jurídico, tipo, subtipo, modalidades, sex x age rows, mean victims per state and month)
CATALOGUE = [
    (VIDA, "Homicidio", "Homicidio doloso", WEAPONS, BOTH, 6.0),
    (VIDA, "Feminicidio", "Feminicidio", WEAPONS, WOMEN, 0.3),
    (VIDA, "Aborto", "Aborto", None, UNIDENTIFIED, 0.2),
    (LIBERTAD, "Secuestro", "Secuestro", ["Secuestro extorsivo", "Secuestro exprés"], BOTH, 0.2),
    (LIBERTAD, "Tráfico de menores", "Tráfico de menores", None, BOTH, 0.05),
    (PATRIMONIO, "Extorsión", "Extorsión", None, BOTH, 2.0),
    (SOCIEDAD, "Trata de personas", "Trata de personas", None, BOTH, 0.2),
]
YEARS = (2023, 2024)
# Shares of a subtype's victims by sex and age (men, women, unidentified; child, adult, unstated).
WEIGHT = {"Hombre": 0.55, "Mujer": 0.33, "No identificado": 0.12,
          "Menores de edad (0-17)": 0.1, "Adultos (18 y más)": 0.7, "No especificado": 0.2}


def sample_rows(r: random.Random) -> list[list[str]]:
    """Rows in the publisher's order: year, state, subtype, modality, sex, age group."""
    rows = []
    for year in YEARS:
        for code, state in list(enumerate(STATES, start=1))[::4]:
            size = 0.3 + r.random() * 1.7
            for bien, tipo, subtipo, modalities, cells, mean in CATALOGUE:
                for modality in modalities or [subtipo]:
                    share = mean * size / (len(modalities) if modalities else 1)
                    for sex, age in cells:
                        weight = WEIGHT[sex] * (1.0 if age == "No identificado" else WEIGHT[age])
                        months = [str(poisson_count(r, share * weight)) for _ in range(12)]
                        rows.append([str(year), str(code), state, bien, tipo, subtipo, modality,
                                     sex, age, *months])
    return rows


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2025-01-20 (2023 and 2024, complete), Latin-1 with CRLF line ends."""
    name = "SAMPLE-2025-01-20"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    text = csv_text(HEADERS["victimas_2015"], sample_rows(rng(SOURCE.id)), line_end="\r\n")
    (folder / "IDVFC_NM_dic24.csv").write_bytes(text.encode("latin-1"))
    write_sidecar(folder, SOURCE, name, kind="full", period=("2023-01-01", "2024-12-31"))
