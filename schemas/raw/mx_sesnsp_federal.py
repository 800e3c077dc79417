"""SESNSP incidencia delictiva del fuero federal, state level (2012 onwards): the header of the
open-data CSV (`IDEFF_<mes><aa>.csv`; Latin-1 / Windows-1252 encoded, CRLF, upper-case names
without accents, one column per month)."""

from schemas.raw import text_schema

MONTHS = ["ENERO", "FEBRERO", "MARZO", "ABRIL", "MAYO", "JUNIO", "JULIO", "AGOSTO",
          "SEPTIEMBRE", "OCTUBRE", "NOVIEMBRE", "DICIEMBRE"]

HEADERS = {
    # One row per entity (32 states and EXTRANJERO, abroad) x year x law x concept x type.
    "federal_2012": ["AÑO", "INEGI", "ENTIDAD", "LEY", "CONCEPTO", "TIPO", *MONTHS],
}

SCHEMAS = {version: text_schema(f"mx_sesnsp_federal_raw_{version}", cols)
           for version, cols in HEADERS.items()}
