"""The Migrants' Files, events during which someone died trying to reach or stay in Europe: its header."""

from schemas.raw import text_schema

HEADERS = {
    # The discontinued 2016 export (CartoDB): one event a row, several dead or missing.
    # Header cells with commas, parentheses and a colon; the place twice (latitude, longitude
    # and a quoted "latitude, longitude"); `name` (a title, sometimes a person's name) and
    # `description` are free text; ISO timestamps with a time-zone artefact (T02:00:00Z).
    "cartodb_2016": ["Event_id", "cause_of_death", "CartoDB_Cause_of_death", "dataset", "date",
                     "quarter", "Date-month", "Year", "dead", "missing", "dead_and_missing",
                     "Intent of going to Eur: 1(yes) 0(not confirmed)", "description", "location",
                     "latitude", "longitude", "latitude, longitude", "Somme Dedoublement", "name",
                     "route (Frontex)", "source", "source_url"],
}

SCHEMAS = {version: text_schema(f"migrants_files_raw_{version}", cols)
           for version, cols in HEADERS.items()}
