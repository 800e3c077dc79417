"""No More Deaths border-death records as merged by a third party (border_deaths_master.csv):
its header."""

from schemas.raw import text_schema

HEADERS = {
    # One person a row from 13 sheets of examiners, sheriffs and the El Paso sector: Year as
    # float text ("2002.0"), dates as "2002-06-12 00:00:00", "2/8/2002" or "3/7/2020 0950",
    # Source labels cut at 30 characters, State mixing the US state of recovery with the
    # decedent's home state or department.
    "master_2026": ["Source", "Year", "Date", "Age", "Age_Range", "Gender", "Nationality",
                    "Cause_of_Death", "Latitude", "Longitude", "County", "State"],
}

SCHEMAS = {version: text_schema(f"nmd_border_deaths_raw_{version}", cols)
           for version, cols in HEADERS.items()}
