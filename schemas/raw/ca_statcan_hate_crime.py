"""Statistics Canada table 35-10-0066-01, "Police-reported hate crime, by type of motivation,
Canada (selected police services)", in the two CSV layouts StatCan publishes it in:

- `statcan_report_csv`: what the table viewer's "Download as displayed" writes: a title block
  (title with footnote numbers, frequency, table number, geography), a header row
  `Type of motivation,<year>,...`, a unit row `,Number,...`, one row per motivation (the first
  is the total), a blank row, then the symbol legend, footnotes and citation.
- `statcan_db_csv`: the full table "for database loading" (`<pid>.csv`, the header below):
  one row per reference year and motivation, every field quoted, UTF-8 with a byte-order mark,
  `VALUE` empty where `STATUS` gives a symbol (`..` not available). The motivation column holds
  the whole hierarchy flat: the total, each motivation type, then the detailed motivations of
  that type (children, which add up to their type), in the order of the member ids
  (`COORDINATE` 1.1, 1.2, ...).
"""

from __future__ import annotations

import re

import pandera.pandas as pa

from schemas.raw import text_schema

VERSION = "statcan_report_csv"
DB_VERSION = "statcan_db_csv"
TITLE = re.compile(r"^\s*Police-reported hate crime, by type of motivation", re.IGNORECASE)
LABEL_COLUMN = "Type of motivation"
YEAR_HEADER = re.compile(r"^\d{4}$")
# The published header row of the table viewer's CSV: the motivation column, then one column
# per year. The years are those the copies held have (the table viewer may show some of them);
# a year not listed is a new column, refused until a person has checked the table and added it
# here (`formats.detect_wide_format`).
HEADERS = {VERSION: [LABEL_COLUMN, *(str(year) for year in range(2012, 2020))]}
DB_HEADER = ["REF_DATE", "GEO", "DGUID", LABEL_COLUMN, "UOM", "UOM_ID", "SCALAR_FACTOR",
             "SCALAR_ID", "VECTOR", "COORDINATE", "VALUE", "STATUS", "SYMBOL", "TERMINATED",
             "DECIMALS"]
HEADERS[DB_VERSION] = DB_HEADER
DB_SCHEMA = text_schema(f"ca_statcan_hate_crime_raw_{DB_VERSION}", DB_HEADER)
SCALAR = "units"  # the database table's SCALAR_FACTOR for counts
UNIT = "Number"  # the only unit this module reads (a rate table would be a different product)
TOTAL_LABEL = "Total police-reported hate crime"
# StatCan's symbols for a cell without a number. `..` not available for a specific reference
# period, `...` not applicable: neither is a count, and neither is a withheld small number.
NOT_AVAILABLE = ("..", "...")
# `x`: suppressed to meet the confidentiality requirements of the Statistics Act; `F`: too
# unreliable to be published. Neither is a count; `x` is withheld by the source.
SUPPRESSED = ("x",)
UNRELIABLE = ("F",)


def body_schema(years: list[str]) -> pa.DataFrameSchema:
    """The table body as text: the motivation column and one column per year."""
    return text_schema(f"ca_statcan_hate_crime_raw_{VERSION}", [LABEL_COLUMN, *years])
