"""FBI hate crime: the published layouts of its three products.

- `state_year_bias_counts`: the Crime Data Explorer state x year x bias counts (1991-2014).
- `incidents`: the CDE incident file `hate_crime.csv` (one incident a row, 28 quoted columns).
- `table1_report`: "Table 1 / Incidents / by Bias Motivation, <years>" of the yearly Hate Crime
  Statistics report saved as CSV: title rows, a header row whose first cell is blank and whose
  other cells are years, label rows (category subtotals end in a colon, footnote digits are
  glued to labels), footnote rows at the bottom.
"""

from __future__ import annotations

import re

import pandera.pandas as pa

from schemas.raw import text_schema

HEADERS = {
    "state_year_bias_counts": ["state_postal_abbr", "year", "bias_motivation", "count"],
    "incidents": ["INCIDENT_ID", "DATA_YEAR", "ORI", "PUB_AGENCY_NAME", "PUB_AGENCY_UNIT",
                  "AGENCY_TYPE_NAME", "STATE_ABBR", "STATE_NAME", "DIVISION_NAME", "REGION_NAME",
                  "POPULATION_GROUP_CODE", "POPULATION_GROUP_DESC", "INCIDENT_DATE",
                  "ADULT_VICTIM_COUNT", "JUVENILE_VICTIM_COUNT", "TOTAL_OFFENDER_COUNT",
                  "ADULT_OFFENDER_COUNT", "JUVENILE_OFFENDER_COUNT", "OFFENDER_RACE",
                  "OFFENDER_ETHNICITY", "VICTIM_COUNT", "OFFENSE_NAME", "TOTAL_INDIVIDUAL_VICTIMS",
                  "LOCATION_NAME", "BIAS_DESC", "VICTIM_TYPES", "MULTIPLE_OFFENSE", "MULTIPLE_BIAS"],
}
SCHEMAS = {version: text_schema(f"fbi_hate_crime_raw_{version}", cols)
           for version, cols in HEADERS.items()}

# Table 1 report: the first cell of the file, the header row, and the label column's name in
# the text table the reader builds from it (the published header cell above labels is blank).
TABLE1_VERSION = "table1_report"
TABLE1_TITLE = re.compile(r"^\s*Table\s+1\b", re.IGNORECASE)
LABEL_COLUMN = "label"
YEAR_HEADER = re.compile(r"^\d{4}$")
# Table 1's columns: the label column, then the years the reports held have (a report shows
# some of them). A year not listed is a new column, refused until a person has checked the
# report and added it here (`formats.detect_wide_format`).
TABLE1_HEADERS = {TABLE1_VERSION: [LABEL_COLUMN, "2015", "2016", "2017", "2018", "2019"]}


def table1_schema(years: list[str]) -> pa.DataFrameSchema:
    """The Table 1 body as text: a label column and one column per year of the header."""
    return text_schema(f"fbi_hate_crime_raw_{TABLE1_VERSION}", [LABEL_COLUMN, *years])
