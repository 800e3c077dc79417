"""SESNSP incidencia delictiva del fuero común, state level (new methodology, 2015 onwards):
the header of the open-data CSV (Latin-1 / Windows-1252 encoded, one column per month)."""

from schemas.raw import text_schema

MONTHS = ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto",
          "Septiembre", "Octubre", "Noviembre", "Diciembre"]

HEADERS = {
    # One row per state x year x subtype x modality; months not yet published are empty.
    "estatal_2015": ["Año", "Clave_Ent", "Entidad", "Bien jurídico afectado", "Tipo de delito",
                     "Subtipo de delito", "Modalidad", *MONTHS],
}

SCHEMAS = {version: text_schema(f"mx_sesnsp_raw_{version}", cols)
           for version, cols in HEADERS.items()}
