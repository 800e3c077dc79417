"""UNITED for Intercultural Action, "List of refugee deaths" (onData's CSV of The List): its header."""

from schemas.raw import text_schema

HEADERS = {
    # One entry per death or group of deaths. `found dead` is dd/mm/yy, a month ("Mar 99"),
    # a year, or an odd form ("3010/16"); "name, gender, age" is one free-text cell
    # ("N.N. (1 baby; 5 men)"); `cause of death` is a free-text description; `source` holds
    # abbreviations explained in the snapshot's sources.csv (not read as records).
    "ondata_2018": ["found dead", "number", "name, gender, age", "region of origin",
                     "cause of death", "source", "country of incident"],
}

SCHEMAS = {version: text_schema(f"united_list_raw_{version}", cols)
           for version, cols in HEADERS.items()}
