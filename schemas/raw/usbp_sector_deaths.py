"""US Border Patrol Southwest Border deaths by sector and fiscal year (a third party's long
re-keying of the USBP table): its headers."""

from schemas.raw import text_schema

HEADERS = {
    # One row per fiscal year and sector, plus a "Southwest Border Total" row per year; two
    # sector names carry a line break ("Big Bend\n(formerly Marfa)").
    "long_sector_2022": ["Year", "Sector", "Deaths"],
    # The same table a week earlier in the same repository, the sector column titled
    # "Border Patrol" (identical numbers, another sort order).
    "long_border_patrol_2022": ["Year", "Border Patrol", "Deaths"],
}

SCHEMAS = {version: text_schema(f"usbp_sector_deaths_raw_{version}", cols)
           for version, cols in HEADERS.items()}
