"""SESNSP víctimas del fuero común, state level (new methodology, 2015 onwards): the header of
the open-data CSV (`IDVFC_NM_<mes><aa>.csv`; Latin-1 / Windows-1252 encoded, CRLF, one column per
month), the state incidence file's header with the victim's sex and age group added."""

from schemas.raw import text_schema
from schemas.raw.mx_sesnsp import MONTHS

HEADERS = {
    # One row per state x year x subtype x modality x sex x age group.
    "victimas_2015": ["Año", "Clave_Ent", "Entidad", "Bien jurídico afectado", "Tipo de delito",
                      "Subtipo de delito", "Modalidad", "Sexo", "Rango de edad", *MONTHS],
}

SCHEMAS = {version: text_schema(f"mx_sesnsp_victimas_raw_{version}", cols)
           for version, cols in HEADERS.items()}
