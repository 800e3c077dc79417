"""Country names, demonyms and M49 names to ISO 3166-1 alpha-3 (plus the data model's special
codes). The reviewed alias table `maps/countries.csv` is read first, then pycountry's names."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pandas as pd
import pycountry

from pipelines.harmonize.distinct import distinct, rows_per_distinct, spread
from pipelines.harmonize.labels import normalise_label, split_known
from pipelines.harmonize.unmapped import UnmappedLog

ALIASES_CSV = Path(__file__).parent / "maps" / "countries.csv"
SPECIAL_CODES = {"UNKNOWN", "NOT_RECORDED", "MULTIPLE", "STATELESS", "FOREIGN_UNSPECIFIED", "XKX"}

# The alias table's code for "Nationals" (citizens of the reporting country).
NATIONALS = "NATIONALS"


@cache
def aliases() -> dict[str, str]:
    """Normalised label -> code, from the reviewed alias table."""
    with ALIASES_CSV.open(encoding="utf-8") as handle:
        return {normalise_label(row["label"]): row["code"].strip() for row in csv.DictReader(handle)
                if not row["label"].startswith("#")}


@cache
def country_code(label: str) -> str | None:
    """Code for one label, or None when neither the alias table nor pycountry knows it."""
    key = normalise_label(label)
    if not key:
        return None
    if key in aliases():
        return aliases()[key]
    try:
        return pycountry.countries.lookup(key).alpha_3
    except LookupError:
        return None


@cache
def _code_of_cell(text: str) -> str | None:
    """Code for a whole cell: one label, or MULTIPLE for a list of known labels."""
    code = country_code(text)
    if code is not None:
        return code
    parts = split_known(text, lambda piece: country_code(piece) is not None)
    if parts is None:
        return None
    codes = {country_code(p) for p in parts}
    known = codes - {"UNKNOWN"}
    if not known:
        return "UNKNOWN"
    return "MULTIPLE" if len(parts) > 1 and (len(known) > 1 or "UNKNOWN" in codes) else known.pop()


def map_countries(values: pd.Series, log: UnmappedLog, column: str,
                  blank: str = "UNKNOWN", reporting_country: str | None = None) -> pd.Series:
    """Codes for a column of country names or demonyms.

    Blank cells get `blank`; "Nationals" (code NATIONALS in the alias table) becomes the
    reporting country; anything unmapped becomes UNKNOWN and is counted in `log`."""
    row_codes, raw_text = distinct(values.astype("str"))
    text = raw_text.str.strip()
    lookup = {}
    for value in pd.unique(text):
        lookup[value] = blank if value == "" else _code_of_cell(value)
        if lookup[value] == NATIONALS:
            lookup[value] = reporting_country or None
    codes = text.map(lookup)
    missing = codes.isna()
    if missing.any():
        log.add_distinct("countries", column, text[missing],
                         rows_per_distinct(row_codes, len(text))[missing.to_numpy()])
    return spread(codes.fillna("UNKNOWN").astype("str"), row_codes, values.index)
