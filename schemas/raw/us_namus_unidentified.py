"""NamUs unidentified persons (public search export, split by state): the header seen so far."""

from schemas.raw import text_schema

HEADERS = {
    # The pandas re-write of the NamUs case-list export (2025-10 copy): ages as floats ("27.0"),
    # the examiner's case number prefixed "ME/C Case ", dates MM/DD/YYYY.
    "namus_export_2025": ["Case", "ME/C Case", "DBF", "Age From", "Age To", "City", "County",
                          "State", "Biological Sex", "Race / Ethnicity", "Date Modified"],
}

SCHEMAS = {version: text_schema(f"us_namus_unidentified_raw_{version}", cols)
           for version, cols in HEADERS.items()}
