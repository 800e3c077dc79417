"""Pima County OME / Humane Borders migrant deaths (Arizona OpenGIS): the headers seen so far."""

from schemas.raw import text_schema

HEADERS = {
    # 2018 copy: underscored names, no Name / OME text / body condition; m/d/yy dates;
    # age 100 means unknown.
    "underscore_2018": ["ML_Number", "Sex", "Age", "Reporting_Date", "Surface_Management",
                        "Corridor", "Cause_of_Death", "State", "County", "Latitude", "Longitude",
                        "UTM_X", "UTM_Y"],
    # 2021-2022 download: every text field quoted, ISO dates, blank age = unknown.
    "quoted_2021": ["ML Number", "Name", "Sex", "Age", "Reporting Date", "Surface Management",
                    "Location", "Location Precision", "Corridor Code", "Corridor", "Cause of Death",
                    "OME Determined COD", "Condition Code", "Body Condition",
                    "Post Mortem Interval", "State", "County", "Latitude", "Longitude", "UTM X",
                    "UTM Y"],
}

SCHEMAS = {version: text_schema(f"pcome_humane_borders_raw_{version}", cols)
           for version, cols in HEADERS.items()}
