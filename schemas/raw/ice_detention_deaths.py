"""ICE detention deaths: the headers of the two published layouts seen so far."""

from schemas.raw import text_schema

HEADERS = {
    # Table extracted from ICE's FOIA list of detainee deaths FY2004-2017 (PDF): lower-case
    # names, m/d/yyyy dates, PDF artefacts (U+2010 hyphens, doubled and non-breaking spaces).
    "foia_2017": ["index", "name", "sex", "dob", "country", "date_of_death", "location_of_death",
                  "location_last_detention", "ihsc", "facility_type", "cause", "age"],
    # Compiled list of every death since FY2004 (FOIA list, detainee death reports, press
    # reports for 2025-2026): ISO dates, ages as floats ("40.0"), mixed-case countries.
    "detailed_2026": ["Name", "Sex", "Age", "Country", "Date_of_Death", "Cause_of_Death",
                      "Facility_Name", "Facility_Location", "Facility_Type", "PDF_URL", "Period"],
}

SCHEMAS = {version: text_schema(f"ice_detention_deaths_raw_{version}", cols)
           for version, cols in HEADERS.items()}
