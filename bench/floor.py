"""The floor: DuckDB alone doing the minimum work equivalent to the pipeline on one CSV.

1. read the CSV (all text, as the pipeline reads it) and type what the statistics need: counts
   without thousands separators, the year, the dimensions as the stats table groups them
   (raw labels: no harmonisation, which is the pipeline's added value, not the floor's);
2. write those records to Parquet (the pipeline publishes its record table too);
3. compute the same grouping sets as the pipeline's stats table, built by the pipeline's own
   SQL generators (pipelines/stats/deaths.py for deaths, case_stats.grouping_sets for the
   crimes and prosecutions of person-level sources), and COPY them to Parquet.

The FBI incident file (`fbi_hate_crime`) is typed as the pipeline records it: each incident
once with its bias (several biases: `multiple`) and once by its offenders' race, raw labels as
the dimensions, and grouped over the crimes stream's declared grouping sets.

GLOTIP (`unodc_glotip`, an aggregate source: one published cell a row) is typed the same way
("<5" -> value null, bounds [0, 4]; raw Sex, Age, Category, Iso3_code as the dimensions, the
source's "Total" as `all`; rows of the repatriation breakdown and rows without a year or a
readable value left out), split by indicator into `crimes` (victims, offences) and
`prosecutions` (persons brought into formal contact, prosecuted, convicted), and its statistics are the published cells plus every margin:
a CUBE over sex, age_group, nationality, country_iso3 and the form of exploitation within the
fixed keys, summing value_min and value_max. That is a floor: the pipeline also reconciles the
margins it computes with the ones GLOTIP published. (A published margin and the CUBE's margin
of the same cell both come out, as two rows with one key: the floor does not merge them.)
"""

from __future__ import annotations

import time
from itertools import combinations
from pathlib import Path

import duckdb

from pipelines.stats.cases import STREAMS
from pipelines.stats.cases import grouping_sets as case_grouping_sets
from pipelines.stats.deaths import (SPLIT_DIMENSIONS, _grouping_query, create_counted_view,
                                     grouping_sets, rows_view_sql)

SNAPSHOT = "2025-06-30"
N = "CREATE OR REPLACE MACRO n(x) AS try_cast(replace(trim(x), ',', '') AS BIGINT)"

MMP_RECORDS = """
CREATE TABLE deaths AS
WITH r AS (SELECT * FROM read_csv('{csv}', all_varchar = true, header = true)),
t AS (
  SELECT *, n("Number of Dead") AS dead, n("Minimum Estimated Number of Missing") AS missing,
         coalesce(n("Total Number of Dead and Missing"),
                  n("Number of Dead") + n("Minimum Estimated Number of Missing")) AS dead_and_missing,
         n("Number of Females") AS female, n("Number of Males") AS male,
         n("Number of Children") AS children,
         coalesce(n("Incident Year"), year(try_cast("Incident Date" AS DATE))) AS year
  FROM r)
SELECT 'mmp' AS source, '{snapshot}' AS snapshot, "Incident ID" AS record_id, year::INTEGER AS year,
       'incident' AS year_basis, try_cast("Incident Date" AS DATE) AS event_date,
       dead, missing, dead_and_missing, female, male,
       CASE WHEN coalesce(female, 0) + coalesce(male, 0) > dead_and_missing THEN dead_and_missing
            ELSE dead_and_missing - coalesce(female, 0) - coalesce(male, 0) END AS sex_unknown,
       children, NULL::BIGINT AS adults,
       CASE WHEN coalesce(children, 0) > dead_and_missing THEN dead_and_missing
            ELSE dead_and_missing - coalesce(children, 0) END AS age_unknown,
       "Country of Incident" AS country_iso3, "Country of Origin" AS nationality,
       "Cause of Death" AS cause,
       CASE WHEN "Cause of Death" LIKE '%Violence%' THEN 'criminal' ELSE 'undetermined' END AS criminal,
       'in_transit' AS scope, 'not_recorded' AS race_ethnicity, 'not_recorded' AS gender_identity,
       "Region of Incident" AS region, "Migration Route" AS route, "Source Quality" AS source_quality
FROM t WHERE year IS NOT NULL AND dead_and_missing >= 0
"""

ICE_RECORDS = """
CREATE TABLE deaths AS
WITH r AS (SELECT * FROM read_csv('{csv}', all_varchar = true, header = true))
SELECT 'ice_detention_deaths' AS source, '{snapshot}' AS snapshot,
       md5(concat_ws(chr(31), "Sex", "Age", "Country", "Date_of_Death", "Cause_of_Death",
                     "Facility_Name", "Facility_Location", "Facility_Type", "Period")) AS record_id,
       year(try_cast("Date_of_Death" AS DATE))::INTEGER AS year, 'incident' AS year_basis,
       try_cast("Date_of_Death" AS DATE) AS event_date,
       1::BIGINT AS dead, 0::BIGINT AS missing, 1::BIGINT AS dead_and_missing,
       (lower("Sex") = 'female')::BIGINT AS female, (lower("Sex") = 'male')::BIGINT AS male,
       (lower("Sex") NOT IN ('female', 'male'))::BIGINT AS sex_unknown,
       (try_cast("Age" AS DOUBLE) < 18)::BIGINT AS children,
       (try_cast("Age" AS DOUBLE) >= 18)::BIGINT AS adults,
       (try_cast("Age" AS DOUBLE) IS NULL)::BIGINT AS age_unknown,
       'USA' AS country_iso3, upper(trim("Country")) AS nationality, "Cause_of_Death" AS cause,
       CASE WHEN "Cause_of_Death" ILIKE '%homicide%' THEN 'criminal' ELSE 'undetermined' END AS criminal,
       'in_custody' AS scope, 'not_recorded' AS race_ethnicity, 'not_recorded' AS gender_identity,
       regexp_extract("Facility_Location", ',\\s*([^,]+)$', 1) AS region
FROM r
"""

NGO_RECORDS = """
CREATE TABLE crimes AS
WITH r AS (SELECT * FROM read_csv('{csv}', all_varchar = true, header = true)),
t AS (
  SELECT *, try_strptime("Incident date", ['%Y-%m-%d', '%Y-%m', '%Y']) AS d,
         try_cast("Age (years or band)" AS INTEGER) AS age FROM r)
SELECT 'ngo_incidents' AS source, '{snapshot}' AS snapshot,
       "Incident ID" || '#' || "Victim number" AS record_id,
       year(d)::INTEGER AS year, 'incident' AS year_basis, 'persons' AS unit, 'victim' AS subject,
       coalesce(nullif(lower(trim("Victim sex")), ''), 'unknown') AS sex,
       coalesce(nullif(lower(trim("Gender identity")), ''), 'unknown') AS gender_identity,
       CASE WHEN age < 18 THEN 'child' WHEN age >= 18 THEN 'adult'
            ELSE coalesce(nullif(lower(trim("Age (years or band)")), ''), 'unknown') END AS age_group,
       coalesce(nullif(trim("Nationality"), ''), 'UNKNOWN') AS nationality,
       CASE WHEN "Indigenous (self-identified)" = 'yes' AND "Afro-descendant (self-identified)" = 'yes' THEN 'multiple'
            WHEN "Indigenous (self-identified)" = 'yes' THEN 'indigenous'
            WHEN "Afro-descendant (self-identified)" = 'yes' THEN 'black_afrodescendant'
            ELSE 'unknown' END AS race_ethnicity,
       coalesce(nullif(trim("Country of incident"), ''), 'UNKNOWN') AS country_iso3,
       coalesce(nullif(trim("Crime type"), ''), 'unknown') AS crime_type,
       CASE WHEN "Crime type" IN ('rape', 'femicide', 'other sexual assault', 'domestic violence',
                                  'other gender-based violence', 'sexual harassment',
                                  'trafficking for sexual exploitation') THEN 'yes' ELSE 'no' END AS sgbv,
       'not_applicable' AS bias_motivation,
       coalesce(nullif(trim("Perpetrator type"), ''), 'unknown') AS perpetrator,
       nullif(trim("Reported to authorities"), '') AS reported,
       nullif(trim("Case stage reached"), '') AS stage_text,
       1::BIGINT AS value
FROM t WHERE d IS NOT NULL
"""


GLOTIP_RECORDS = """
CREATE TABLE glotip AS
WITH r AS (SELECT * FROM read_csv('{csv}', all_varchar = true, header = true)),
t AS (SELECT *, n("txtVALUE") AS value, try_cast("Year" AS INTEGER) AS year_n FROM r)
SELECT 'unodc_glotip' AS source, '{snapshot}' AS snapshot, year_n AS year, "Unit of measurement" AS unit,
       "Indicator" AS indicator,
       CASE WHEN "Sex" = 'Total' THEN 'all' ELSE "Sex" END AS sex,
       CASE WHEN "Age" = 'Total' THEN 'all' ELSE "Age" END AS age_group,
       CASE WHEN "Dimension" = 'by citizenship' THEN "Category" ELSE 'all' END AS nationality,
       "Iso3_code" AS country_iso3,
       CASE WHEN "Dimension" = 'by form of exploitation' THEN "Category" ELSE 'all' END AS crime_type,
       value, coalesce(value, 0) AS value_min, coalesce(value, 4) AS value_max
FROM t
WHERE "Dimension" <> 'by country of repatriation' AND year_n IS NOT NULL
  AND (value IS NOT NULL OR trim("txtVALUE") = '<5')
"""
GLOTIP_CRIMES = ("Detected trafficking victims", "Offences of trafficking in persons")
GLOTIP_FIXED = {"crimes": ("source", "snapshot", "year", "unit", "indicator"),
                "prosecutions": ("source", "snapshot", "year", "unit", "stage")}
GLOTIP_DIMS = {"crimes": ("sex", "age_group", "nationality", "country_iso3", "crime_type"),
               "prosecutions": ("sex", "age_group", "nationality", "country_iso3", "offence")}

# The FBI CDE incident file: each incident twice, as the pipeline records it (the incident with
# its bias, and the incident counted by its offenders' race), raw labels as the dimensions; a
# BIAS_DESC listing several biases (`;`) or flagged M is `multiple`.
FBI_RECORDS = """
CREATE TABLE crimes AS
WITH r AS (SELECT * FROM read_csv('{csv}', all_varchar = true, header = true)),
t AS (SELECT *, try_cast("DATA_YEAR" AS INTEGER) AS year_n,
             CASE WHEN "BIAS_DESC" LIKE '%;%' OR "MULTIPLE_BIAS" = 'M' THEN 'multiple'
                  ELSE coalesce("BIAS_DESC", 'unknown') END AS bias
      FROM r),
base AS (
  SELECT 'fbi_hate_crime' AS source, '{snapshot}' AS snapshot, year_n AS year,
         'incident' AS year_basis, 'incidents' AS unit, 'general' AS population,
         'not_recorded' AS sex, 'not_recorded' AS gender_identity, 'not_recorded' AS age_group,
         'not_recorded' AS nationality, "STATE_ABBR" AS country_iso3, 'hate_crime' AS crime_type,
         'not_recorded' AS perpetrator, "INCIDENT_ID" AS record_id, bias, "OFFENDER_RACE" AS race
  FROM t WHERE year_n IS NOT NULL)
SELECT * EXCLUDE (bias, race), 'incident' AS subject, 'not_recorded' AS race_ethnicity,
       bias AS bias_motivation, 'unknown' AS sgbv, 1::BIGINT AS value FROM base
UNION ALL
SELECT * EXCLUDE (bias, race), 'offender' AS subject, coalesce(race, 'unknown') AS race_ethnicity,
       'all' AS bias_motivation, 'all' AS sgbv, 1::BIGINT AS value FROM base
"""


def cube_query(table: str, fixed: tuple[str, ...], dims: tuple[str, ...]) -> str:
    """The published cells and every margin: GROUPING SETS of the fixed keys plus each subset
    of the dimensions, dims not grouped shown as 'all', value bounds summed."""
    sets = [list(fixed) + list(s) for k in range(len(dims) + 1) for s in combinations(dims, k)]
    gsets = ", ".join("(" + ", ".join(s) + ")" for s in sets)
    cols = ", ".join(f"CASE WHEN GROUPING({d}) = 1 THEN 'all' ELSE {d} END AS {d}" for d in dims)
    return (f"SELECT {', '.join(fixed)}, {cols}, sum(value_min)::BIGINT AS value_min, "
            f"sum(value_max)::BIGINT AS value_max FROM {table} GROUP BY GROUPING SETS ({gsets})")


def deaths_queries(source: str, person_level: bool) -> list[str]:
    """The grouping queries `deaths_stats` runs for one source (same generator, same sets)."""
    sets = grouping_sets(person_level)
    where = f"source = '{source}'"
    if person_level:
        return [_grouping_query(f"SELECT * FROM ({rows_view_sql(True, None)}) WHERE {where}", sets)]
    by_split: dict[str | None, list] = {}
    for s in sets:
        split = next((d for d in s if d in SPLIT_DIMENSIONS), None)
        by_split.setdefault(split, []).append(s)
    return [_grouping_query(f"SELECT * FROM ({rows_view_sql(False, split)}) WHERE {where}", split_sets)
            for split, split_sets in by_split.items()]


def case_query(table: str, stream: str) -> str:
    """GROUPING SETS over the stream's declared groupings, dims not grouped shown as 'all'."""
    fixed, dims = STREAMS[stream]["fixed"], STREAMS[stream]["dims"]
    sets = case_grouping_sets(stream)
    gsets = ", ".join("(" + ", ".join(fixed + s) + ")" for s in sets)
    cols = ", ".join(f"CASE WHEN GROUPING({d}) = 1 THEN 'all' ELSE {d} END AS {d}" for d in dims)
    return (f"SELECT {', '.join(fixed)}, {cols}, sum(value)::BIGINT AS value FROM {table} "
            f"GROUP BY GROUPING SETS ({gsets})")


def _timed(stages: dict, name: str, con: duckdb.DuckDBPyConnection, sql: str) -> None:
    started = time.perf_counter()
    con.execute(sql)
    stages[name] = round(stages.get(name, 0) + time.perf_counter() - started, 4)


def run(con: duckdb.DuckDBPyConnection, source: str, csv_path: Path, out: Path) -> dict:
    """Do the floor's work for `source` on `csv_path`, writing Parquet into `out`."""
    stages: dict[str, float] = {}
    con.execute(N)
    pq = "(FORMAT parquet, COMPRESSION zstd)"
    if source in ("mmp", "ice_detention_deaths"):
        template = MMP_RECORDS if source == "mmp" else ICE_RECORDS
        _timed(stages, "read_csv_and_type", con, template.format(csv=csv_path, snapshot=SNAPSHOT))
        _timed(stages, "records_parquet", con, f"COPY deaths TO '{out / 'deaths.parquet'}' {pq}")
        create_counted_view(con, "deaths")
        union = " UNION ALL ".join(deaths_queries(source, source != "mmp"))
        _timed(stages, "stats_parquet", con, f"COPY ({union}) TO '{out / 'deaths_stats.parquet'}' {pq}")
    elif source == "ngo_incidents":
        _timed(stages, "read_csv_and_type", con, NGO_RECORDS.format(csv=csv_path, snapshot=SNAPSHOT))
        _timed(stages, "read_csv_and_type", con, """
            CREATE TABLE prosecutions AS
            SELECT * EXCLUDE (crime_type, bias_motivation, perpetrator, subject, unit),
                   crime_type AS offence, 'persons' AS unit, 'victim' AS subject,
                   CASE WHEN stage_text IS NULL OR stage_text = 'unknown' THEN 'unknown'
                        WHEN stage_text = 'charged' THEN 'prosecuted' ELSE stage_text END AS stage
            FROM crimes WHERE coalesce(stage_text, '') <> 'not reported'
              AND (reported = 'yes' OR stage_text IS NOT NULL)""")
        for table in ("crimes", "prosecutions"):
            _timed(stages, "records_parquet", con, f"COPY {table} TO '{out / (table + '.parquet')}' {pq}")
            _timed(stages, "stats_parquet", con,
                   f"COPY ({case_query(table, table)}) TO '{out / (table + '_stats.parquet')}' {pq}")
    elif source == "unodc_glotip":
        _timed(stages, "read_csv_and_type", con, GLOTIP_RECORDS.format(csv=csv_path, snapshot=SNAPSHOT))
        crimes = ", ".join(f"'{i}'" for i in GLOTIP_CRIMES)
        _timed(stages, "read_csv_and_type", con, f"""
            CREATE TABLE crimes AS SELECT * FROM glotip WHERE indicator IN ({crimes})""")
        _timed(stages, "read_csv_and_type", con, f"""
            CREATE TABLE prosecutions AS
            SELECT * EXCLUDE (indicator, crime_type), indicator AS stage, crime_type AS offence
            FROM glotip WHERE indicator NOT IN ({crimes})""")
        for table in ("crimes", "prosecutions"):
            _timed(stages, "records_parquet", con, f"COPY {table} TO '{out / (table + '.parquet')}' {pq}")
            query = cube_query(table, GLOTIP_FIXED[table], GLOTIP_DIMS[table])
            _timed(stages, "stats_parquet", con,
                   f"COPY ({query}) TO '{out / (table + '_stats.parquet')}' {pq}")
    elif source == "fbi_hate_crime":
        _timed(stages, "read_csv_and_type", con, FBI_RECORDS.format(csv=csv_path, snapshot=SNAPSHOT))
        _timed(stages, "records_parquet", con, f"COPY crimes TO '{out / 'crimes.parquet'}' {pq}")
        _timed(stages, "stats_parquet", con,
               f"COPY ({case_query('crimes', 'crimes')}) TO '{out / 'crimes_stats.parquet'}' {pq}")
    else:
        raise SystemExit(f"no floor for {source}")
    return stages
