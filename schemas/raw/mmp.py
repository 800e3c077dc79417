"""IOM Missing Migrants Project: the headers of every export generation seen so far."""

from schemas.raw import text_schema

HEADERS = {
    # 2017 Kaggle copy of the early export: lower-case names, reliability instead of quality.
    "kaggle_2017": ["id", "cause_of_death", "region_origin", "affected_nationality", "missing",
                    "dead", "incident_region", "date", "source", "reliability", "lat", "lon"],
    # 2019-2020 "Web ID" export.
    "web_id_2019": ["Web ID", "Region of Incident", "Reported Date", "Reported Year",
                    "Reported Month", "Number Dead", "Minimum Estimated Number of Missing",
                    "Total Dead and Missing", "Number of Survivors", "Number of Females",
                    "Number of Males", "Number of Children", "Cause of Death",
                    "Location Description", "Information Source", "Location Coordinates",
                    "Migration Route", "URL", "UNSD Geographical Grouping", "Source Quality"],
    # Early-2022 "Main ID" export (CSV); the XLSX of the same era says "Website Date".
    "main_id_2022": ["Main ID", "Incident ID", "Incident Type", "Region of Incident",
                     "Incident Date", "Incident year", "Reported Month", "Number of Dead",
                     "Minimum Estimated Number of Missing", "Total Number of Dead and Missing",
                     "Number of Survivors", "Number of Females", "Number of Males",
                     "Number of Children", "Region of Origin", "Cause of Death", "Migration route",
                     "Location of death", "Information Source", "Coordinates",
                     "UNSD Geographical Grouping", "Article title", "Source Quality", "URL"],
    "main_id_2022_website_date": ["Main ID", "Incident ID", "Incident Type", "Region of Incident",
                                  "Website Date", "Incident year", "Reported Month", "Number of Dead",
                                  "Minimum Estimated Number of Missing",
                                  "Total Number of Dead and Missing", "Number of Survivors",
                                  "Number of Females", "Number of Males", "Number of Children",
                                  "Region of Origin", "Cause of Death", "Migration route",
                                  "Location of death", "Information Source", "Coordinates",
                                  "UNSD Geographical Grouping", "Article title", "Source Quality",
                                  "URL"],
    # 2023 Kaggle re-publication: no ids, no dates, blanks written as 0.
    "kaggle_2023": ["Incident Type", "Incident year", "Reported Month", "Region of Origin",
                    "Region of Incident", "Country of Origin", "Number of Dead",
                    "Minimum Estimated Number of Missing", "Total Number of Dead and Missing",
                    "Number of Survivors", "Number of Females", "Number of Males",
                    "Number of Children", "Cause of Death", "Migration route", "Location of death",
                    "Information Source", "Coordinates", "UNSD Geographical Grouping"],
    # Late-2024 and 2025 export: Country of Origin and Country of Incident added.
    "country_2024": ["Main ID", "Incident ID", "Incident Type", "Region of Incident",
                     "Incident Date", "Incident Year", "Month", "Number of Dead",
                     "Minimum Estimated Number of Missing", "Total Number of Dead and Missing",
                     "Number of Survivors", "Number of Females", "Number of Males",
                     "Number of Children", "Country of Origin", "Region of Origin",
                     "Cause of Death", "Country of Incident", "Migration Route",
                     "Location of Incident", "Coordinates", "UNSD Geographical Grouping",
                     "Information Source", "URL", "Source Quality"],
    # 2026 per-year export: no total column, no Incident Type, weekday dates.
    "export_2026": ["Main ID", "Incident ID", "Region", "Incident Date", "Year",
                    "Reported Month", "Number Dead", "Minimum Estimated Number of Missing",
                    "Number of Survivors", "Number of Females", "Number of Males",
                    "Number of Children", "Region of Origin", "Cause of Death",
                    "Country of Origin", "Location of death", "Information Source", "Coordinates",
                    "Migration route", "URL", "UNSD Geographical Grouping", "Source Quality"],
}

SCHEMAS = {version: text_schema(f"mmp_raw_{version}", cols) for version, cols in HEADERS.items()}
