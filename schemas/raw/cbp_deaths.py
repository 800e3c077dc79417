"""CBP-involved deaths (person-level list compiled from ACLU and SBCC records): its header."""

from schemas.raw import text_schema

HEADERS = {
    # One row per death; Incident_Type is a numbered list inside one cell ("1. In Custody\n2.
    # Minor"), the 0/1 columns repeat it as indicators, Age mixes numbers and words.
    "aclu_2026": ["Case_Number", "Name", "Age", "Date", "Location", "State", "Nationality",
                  "Incident_Type", "Minor", "US_Citizen_LPR", "In_Custody", "Off_Duty", "Firearm",
                  "Wall_Related", "Vehicle_Pursuit", "Cross_Border_Shooting",
                  "Death_Immigration_Enforcement", "Source", "Date_Standardized", "Year",
                  "SBCC_Cause_of_Death", "SBCC_Description", "In_SBCC"],
}

SCHEMAS = {version: text_schema(f"cbp_deaths_raw_{version}", cols)
           for version, cols in HEADERS.items()}
