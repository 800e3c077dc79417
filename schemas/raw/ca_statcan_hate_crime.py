"""Statistics Canada table 35-10-0066-01, "Police-reported hate crime, by type of motivation,
Canada (selected police services)", as the CSV that the table viewer's "Download as displayed"
writes: a title block (title with footnote numbers, frequency, table number, geography), a
header row `Type of motivation,<year>,...`, a unit row `,Number,...`, one row per motivation
(the first is the total), a blank row, then the symbol legend, footnotes and citation.
"""

from __future__ import annotations

import re

import pandera.pandas as pa

from schemas.raw import text_schema

VERSION = "statcan_report_csv"
TITLE = re.compile(r"^\s*Police-reported hate crime, by type of motivation", re.IGNORECASE)
LABEL_COLUMN = "Type of motivation"
YEAR_HEADER = re.compile(r"^\d{4}$")
# The published header row: the motivation column, then one column per year. The years are
# those the copies held have (the table viewer may show some of them); a year not listed is a
# new column, refused until a person has checked the table and added it here
# (`formats.detect_wide_format`).
HEADERS = {VERSION: [LABEL_COLUMN, *(str(year) for year in range(2012, 2020))]}
UNIT = "Number"  # the only unit this module reads (a rate table would be a different product)
TOTAL_LABEL = "Total police-reported hate crime"
# StatCan's symbols for a cell without a number. `..` not available for a specific reference
# period, `...` not applicable: neither is a count, and neither is a withheld small number.
NOT_AVAILABLE = ("..", "...")


def body_schema(years: list[str]) -> pa.DataFrameSchema:
    """The table body as text: the motivation column and one column per year."""
    return text_schema(f"ca_statcan_hate_crime_raw_{VERSION}", [LABEL_COLUMN, *years])
