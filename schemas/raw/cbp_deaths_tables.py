"""CBP deaths tables compiled from CBP OPR and BJS reports (etchin/ice-detention-mortality):
the header of each of the three tables."""

from schemas.raw import text_schema

HEADERS = {
    # CBP OPR's CBP-related deaths per fiscal year by component; `adp` empty, a trailing empty
    # field on every row.
    "summary_2025": ["fiscal_year", "total_deaths", "in_custody", "cbp_involved_non_custody",
                     "additional_requested", "adp"],
    # Per fiscal year and publisher (BJS FDCRP, CBP OPR), with the definition, notes and URL.
    "by_source_2026": ["fiscal_year", "source", "definition", "total_deaths", "in_custody_deaths",
                       "notes", "url"],
    # Counts per year of the compiler's full ACLU list (junk years 0 and 23).
    "by_year_2026": ["Year", "Total_Deaths", "In_Custody_Deaths", "Firearm_Deaths",
                     "Vehicle_Pursuit_Deaths"],
}

SCHEMAS = {version: text_schema(f"cbp_deaths_tables_raw_{version}", cols)
           for version, cols in HEADERS.items()}
