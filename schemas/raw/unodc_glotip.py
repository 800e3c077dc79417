"""UNODC Global Report on Trafficking in Persons data (GLOTIP, `data_glotip.xlsx`): the header
of every release seen so far, and of the same sheet saved as CSV.

Both releases held (30/05/2023 and 14/04/2025) have the same layout: sheet `data_glotip_1`, two
title rows (row 1 "UNODC" and, in 2023, a contact address; row 2 the release date as
dd/mm/yyyy), the header in row 3, one published cell a row below it. `txtVALUE` is text
("<5", "8,913"), so every column is read as text."""

from schemas.raw import text_schema

HEADERS = {
    # 2023-05-30 and 2025-04-14 releases: two title rows, then these 13 columns.
    "titled_2023": ["Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension",
                    "Category", "Sex", "Age", "Year", "Unit of measurement", "txtVALUE", "Source"],
}

# Rows above the header (0-based index of the header row in the sheet).
HEADER_INDEX = {"titled_2023": 2}

# The sheet saved as CSV (UTF-8, header on the first line, the two title rows left out): the
# same 13 columns. A CSV that keeps the title rows fails on its first line, naming it.
CSV_HEADERS = {"sheet_csv_2023": HEADERS["titled_2023"]}

SCHEMAS = {version: text_schema(f"unodc_glotip_raw_{version}", cols)
           for version, cols in (HEADERS | CSV_HEADERS).items()}
