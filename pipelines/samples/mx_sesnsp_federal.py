"""A sample snapshot of the SESNSP federal incidence file (incidencia delictiva del fuero federal),
every count invented, in the publisher's format: Windows-1252 / Latin-1 bytes (`AÑO`), CRLF line
ends, names in upper case without accents, one column per month, half the states plus the entity
`EXTRANJERO` (crimes committed abroad) with an empty INEGI code.

SAMPLE-2020-08-20 (kind full): 2018 and 2019 complete, 2020 up to July (August-December empty:
not yet published, not zero). The catalogue changes in 2019 as the real one does: two more
types (the hydrocarbons law and the general law on electoral crimes) from 2019 on, none before."""

from __future__ import annotations

import random
from pathlib import Path

from pipelines.samples.common import csv_text, rng, write_sidecar
from pipelines.samples.mx_sesnsp import poisson_count
from pipelines.sources.mx_sesnsp_federal import ABROAD, SOURCE
from schemas.raw.mx_sesnsp_federal import HEADERS

STATES = ["AGUASCALIENTES", "BAJA CALIFORNIA", "BAJA CALIFORNIA SUR", "CAMPECHE", "COAHUILA",
          "COLIMA", "CHIAPAS", "CHIHUAHUA", "CIUDAD DE MEXICO", "DURANGO", "GUANAJUATO",
          "GUERRERO", "HIDALGO", "JALISCO", "MEXICO", "MICHOACAN", "MORELOS", "NAYARIT",
          "NUEVO LEON", "OAXACA", "PUEBLA", "QUERETARO", "QUINTANA ROO", "SAN LUIS POTOSI",
          "SINALOA", "SONORA", "TABASCO", "TAMAULIPAS", "TLAXCALA", "VERACRUZ", "YUCATAN",
          "ZACATECAS"]
CPF, OTHER_LAWS = "CODIGO PENAL FEDERAL", "OTRAS LEYES Y CODIGOS"
HEALTH, OTHER_CRIMES = "CONTRA LA SALUD", "OTROS DELITOS"
LFCDO = "LEY FEDERAL CONTRA LA DELINCUENCIA ORGANIZADA (L.F.C.D.O.)"
# (ley, concepto, tipo, mean files per state and month, first year in the catalogue)
CATALOGUE = [
    (CPF, HEALTH, "COMERCIO", 3.0, 2012),
    (CPF, HEALTH, "POSESION", 15.0, 2012),
    (CPF, HEALTH, "TRAFICO", 0.3, 2012),
    (CPF, OTHER_CRIMES, "COMETIDOS POR SERVIDORES PUBLICOS", 4.0, 2012),
    (CPF, OTHER_CRIMES, "CONTRA LA INTEGRIDAD CORPORAL", 0.5, 2012),
    (CPF, OTHER_CRIMES, "ELECTORALES", 0.2, 2012),
    (CPF, OTHER_CRIMES, "FALSEDAD, TITULO DECIMO TERCERO", 5.0, 2012),
    (CPF, OTHER_CRIMES, "OTROS DELITOS DEL C.P.F.", 6.0, 2012),
    (CPF, OTHER_CRIMES, "PATRIMONIALES", 10.0, 2012),
    (OTHER_LAWS, LFCDO, "OTROS DELITOS PREVISTOS EN LA L.F.C.D.O.", 0.4, 2012),
    (OTHER_LAWS, OTHER_LAWS, "LEY DE MIGRACION", 1.5, 2012),
    (OTHER_LAWS, OTHER_LAWS, "LEY FEDERAL DE ARMAS DE FUEGO Y EXPLOSIVOS (L.F.A.F.E.)", 8.0, 2012),
    (OTHER_LAWS, OTHER_LAWS, "LEY FEDERAL PARA PREVENIR Y SANCIONAR LOS DELITOS COMETIDOS EN "
     "MATERIA DE HIDROCARBUROS (L.F.P.S.D.C.M.H.)", 5.0, 2019),
    (OTHER_LAWS, OTHER_LAWS, "LEY GENERAL EN MATERIA DE DELITOS ELECTORALES (L.G.M.D.E.)", 1.0, 2019),
    (OTHER_LAWS, OTHER_LAWS, "OTRAS LEYES ESPECIALES", 3.0, 2012),
]
YEARS = (2018, 2019, 2020)
LAST_MONTH = 7  # the last year is published up to July
ABROAD_SHARE = 0.05  # the entity abroad: a small fraction of a state's files


def sample_rows(r: random.Random) -> list[list[str]]:
    """Rows in the publisher's order: year, entity (the states, then EXTRANJERO), law, type;
    the last year published up to LAST_MONTH."""
    entities = [(str(code), state) for code, state in list(enumerate(STATES, start=1))[::2]]
    rows = []
    for year in YEARS:
        for code, entity in entities + [("", ABROAD)]:
            size = ABROAD_SHARE if entity == ABROAD else 0.3 + r.random() * 1.7
            for ley, concepto, tipo, mean, since in CATALOGUE:
                if year < since:
                    continue
                months = [str(poisson_count(r, mean * size)) for _ in range(12)]
                if year == YEARS[-1]:
                    months = months[:LAST_MONTH] + [""] * (12 - LAST_MONTH)
                rows.append([str(year), code, entity, ley, concepto, tipo, *months])
    return rows


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2020-08-20 (2018-2019 complete, 2020 to July), Latin-1 with CRLF."""
    name = "SAMPLE-2020-08-20"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    text = csv_text(HEADERS["federal_2012"], sample_rows(rng(SOURCE.id)), line_end="\r\n")
    (folder / "IDEFF_jul20.csv").write_bytes(text.encode("latin-1"))
    write_sidecar(folder, SOURCE, name, kind="full", period=("2018-01-01", "2020-07-31"))
