"""Toronto Police Service, Hate Crimes Open Data (one row per hate-crime occurrence): its header."""

from schemas.raw import text_schema

HEADERS = {
    # The City of Toronto open-data portal's datastore resource `hate-crimes-open-data`
    # (`_id` is the datastore's row number). Absent biases are written `None`; a copy written
    # by R's readr writes missing cells as `NA`.
    "tps_open_data": ["_id", "EVENT_UNIQUE_ID", "OCCURRENCE_YEAR", "OCCURRENCE_DATE",
                      "OCCURRENCE_TIME", "REPORTED_YEAR", "REPORTED_DATE", "REPORTED_TIME",
                      "DIVISION", "LOCATION_TYPE", "AGE_BIAS", "MENTAL_OR_PHYSICAL_DISABILITY",
                      "RACE_BIAS", "ETHNICITY_BIAS", "LANGUAGE_BIAS", "RELIGION_BIAS",
                      "SEXUAL_ORIENTATION_BIAS", "GENDER_BIAS", "MULTIPLE_BIAS",
                      "PRIMARY_OFFENCE", "HOOD_158", "NEIGHBOURHOOD_158", "HOOD_140",
                      "NEIGHBOURHOOD_140", "ARREST_MADE"],
}

SCHEMAS = {version: text_schema(f"ca_toronto_hate_crime_raw_{version}", cols)
           for version, cols in HEADERS.items()}
