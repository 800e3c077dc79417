"""UNITED list of deaths 1993-1999 as curated by a third party (neocarto/missing-migrants): its header."""

from schemas.raw import text_schema

HEADERS = {
    # One entry per death or group; year only; French cause categories (commas inside quoted
    # values) and `types`, a numeric code repeating the cause; coordinates of the place.
    "neocarto_2025": ["id", "latitude", "longitude", "dead_and_missing", "year", "cause", "types"],
}

SCHEMAS = {version: text_schema(f"united_before2000_raw_{version}", cols)
           for version, cols in HEADERS.items()}
