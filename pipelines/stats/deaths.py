"""`deaths_stats`: tidy statistics with `all` margins, computed in DuckDB.

Three dimensions are *splits* of a row's count rather than attributes of the row: status
(dead / missing), sex (females / males) and age group (children). In an incident-level source
(MMP) each split covers the same people again, so a published grouping may cross at most one
split with the row attributes (nationality, cause, ...). In a person-level source every
dimension is an attribute of the person and any declared crossing is published.

Splits follow invariant 2 of the data model: a row's unknown remainder goes to `unknown`,
an inconsistent split (parts above the total, negative corrections) puts the whole row
under `unknown`, and a source with no field for a dimension gives `not_recorded`.
"""

from __future__ import annotations

from itertools import combinations

import duckdb
import pandas as pd

from pipelines.sql import sql_text

DIMENSIONS = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
              "country_iso3", "cause", "criminal", "scope", "status")
SPLIT_DIMENSIONS = ("status", "sex", "age_group")

# The crossings published, beyond every dimension alone. Each is closed under its subsets,
# so every published cell has its margins published too.
DECLARED_CROSSINGS = (
    ("criminal", "sex", "nationality"),
    ("criminal", "race_ethnicity"),
    ("criminal", "age_group"),
    ("criminal", "gender_identity"),
    ("cause", "criminal"),
    ("sex", "age_group"),
    ("sex", "race_ethnicity"),
    ("country_iso3", "sex", "nationality"),
    # The letter's question per country: criminal / non-criminal deaths by sex, by nationality.
    ("criminal", "country_iso3", "sex"),
    ("criminal", "country_iso3", "nationality"),
    ("status", "cause"),
    ("status", "criminal"),
    ("status", "nationality"),
)

# Records kept in the catalog but left out of the statistics (flags a source module sets):
# outside the area a source is published for (us_namus_unidentified: remains found outside the
# listed border counties; nmd_border_deaths: the Pima County examiner's records, published as
# pcome_humane_borders), or `not_in_stats` (as in crimes: a publisher's total row beside its
# parts, a table kept only as a cross-check of another source).
NOT_PUBLISHED_FLAG = "outside_published_area"
NOT_IN_STATS_FLAG = "not_in_stats"
PUBLISHED_ROWS = (f"NOT (list_contains(string_split(flags, ';'), '{NOT_PUBLISHED_FLAG}') "
                  f"OR contains(flags, '{NOT_IN_STATS_FLAG}'))")

# Per-row category counts of each split, from the `deaths` columns (SQL over a view `d`).
_SPLIT_SQL = """
CREATE OR REPLACE TEMP VIEW split AS
SELECT *,
  (coalesce(dead, 0) >= 0 AND coalesce(missing, 0) >= 0
   AND coalesce(dead, 0) + coalesce(missing, 0) <= dead_and_missing) AS status_ok,
  (female IS NULL AND male IS NULL AND sex_unknown IS NULL) AS sex_absent,
  (coalesce(female, 0) + coalesce(male, 0) > dead_and_missing) AS sex_bad,
  (children IS NULL AND adults IS NULL AND age_unknown IS NULL) AS age_absent,
  (coalesce(children, 0) + coalesce(adults, 0) > dead_and_missing) AS age_bad
FROM d WHERE {published};
CREATE OR REPLACE TEMP VIEW parts AS
SELECT *,
  CASE WHEN status_ok THEN coalesce(dead, 0) ELSE 0 END AS n_status_dead,
  CASE WHEN status_ok THEN coalesce(missing, 0) ELSE 0 END AS n_status_missing,
  CASE WHEN sex_absent OR sex_bad THEN 0 ELSE coalesce(female, 0) END AS n_sex_female,
  CASE WHEN sex_absent OR sex_bad THEN 0 ELSE coalesce(male, 0) END AS n_sex_male,
  CASE WHEN sex_absent THEN dead_and_missing ELSE 0 END AS n_sex_not_recorded,
  CASE WHEN age_absent OR age_bad THEN 0 ELSE coalesce(children, 0) END AS n_age_group_child,
  CASE WHEN age_absent OR age_bad THEN 0 ELSE coalesce(adults, 0) END AS n_age_group_adult,
  CASE WHEN age_absent THEN dead_and_missing ELSE 0 END AS n_age_group_not_recorded
FROM split;
CREATE OR REPLACE TEMP VIEW counted AS
SELECT *,
  dead_and_missing - n_status_dead - n_status_missing AS n_status_unknown,
  dead_and_missing - n_sex_female - n_sex_male - n_sex_not_recorded AS n_sex_unknown,
  dead_and_missing - n_age_group_child - n_age_group_adult - n_age_group_not_recorded
    AS n_age_group_unknown
FROM parts;
"""
SPLIT_CATEGORIES = {
    "status": ("dead", "missing", "unknown"),
    "sex": ("female", "male", "unknown", "not_recorded"),
    "age_group": ("child", "adult", "unknown", "not_recorded"),
}
FIXED = ("source", "snapshot", "year", "year_basis")
# The last day of a statistics row's year: a US federal fiscal year N ends on 30 September N
# (year_basis `fiscal`), every other basis is a calendar year. A year is partial when the
# snapshot's period (or its records) stop before that day.
YEAR_END = ("CASE WHEN s.year_basis = 'fiscal' THEN make_date(s.year::INTEGER, 9, 30) "
            "ELSE make_date(s.year::INTEGER, 12, 31) END")


def create_counted_view(con: duckdb.DuckDBPyConnection, table: str = "deaths") -> None:
    """Create the temp views `split`, `parts` and `counted` over `table` (record grain) on
    `con`: per row, its count in every category of every split (n_status_dead, n_sex_female,
    ...), leaving out the rows flagged `outside_published_area` or `not_in_stats`. Shared by the statistics and by
    lineage (pipelines/inspection/lineage.py)."""
    columns = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
    published = PUBLISHED_ROWS if "flags" in columns else "TRUE"  # a bare frame without flags
    con.execute(_SPLIT_SQL.replace("FROM d WHERE {published};",
                                   f"FROM {table} WHERE {published};", 1))


def rows_view_sql(person_level: bool, split: str | None) -> str:
    """SQL over the view `counted`: the rows a published grouping sums, with their count `n`.
    Person-level rows carry each split as an attribute; incident-level rows are unpivoted on
    the one split of the grouping (rows with a zero count in a category are left out)."""
    return _person_view() if person_level else _unpivot_view(split)


def grouping_sets(person_level: bool) -> list[tuple[str, ...]]:
    """Every published grouping: (), each dimension alone, the declared crossings and all
    their subsets; crossings of two splits only for person-level sources."""
    sets = {()} | {(d,) for d in DIMENSIONS}
    for crossing in DECLARED_CROSSINGS:
        for size in range(1, len(crossing) + 1):
            sets |= {tuple(sorted(c)) for c in combinations(crossing, size)}
    if not person_level:
        sets = {s for s in sets if sum(d in SPLIT_DIMENSIONS for d in s) <= 1}
    return sorted(sets, key=lambda s: (len(s), s))


def _person_view() -> str:
    """Person-level rows: each split is an attribute of the person (counts are 0/1)."""
    def pick(split: str) -> str:
        cases = " ".join(f"WHEN n_{split}_{c} > 0 THEN '{c}'" for c in SPLIT_CATEGORIES[split])
        return f"CASE {cases} END AS {split}"
    return ("SELECT *, dead_and_missing AS n, "
            + ", ".join(pick(s) for s in SPLIT_DIMENSIONS) + " FROM counted")


def _unpivot_view(split: str | None) -> str:
    """Incident-level rows, one per category of `split` (or the row total when None)."""
    if split is None:
        return "SELECT *, dead_and_missing AS n FROM counted"
    arms = [f"SELECT *, '{c}' AS {split}, n_{split}_{c} AS n FROM counted WHERE n_{split}_{c} > 0"
            for c in SPLIT_CATEGORIES[split]]
    return " UNION ALL ".join(arms)


def _grouping_query(view: str, sets: list[tuple[str, ...]]) -> str:
    fixed = ", ".join(FIXED)
    gsets = ", ".join("(" + ", ".join(FIXED + s) + ")" for s in sets)
    dims = ", ".join(f"CASE WHEN GROUPING({d}) = 1 THEN 'all' ELSE {d} END AS {d}"
                     if any(d in s for s in sets) else f"'all' AS {d}" for d in DIMENSIONS)
    used = [d for d in DIMENSIONS if any(d in s for s in sets)]
    return (f"SELECT {fixed}, {dims}, sum(n)::BIGINT AS value FROM ({view}) "
            f"GROUP BY GROUPING SETS ({gsets})" if used else
            f"SELECT {fixed}, {dims}, sum(n)::BIGINT AS value FROM ({view}) GROUP BY {fixed}")


def deaths_stats(con: duckdb.DuckDBPyConnection, person_level: dict[str, bool],
                 snapshot_info: pd.DataFrame) -> pd.DataFrame:
    """Build `deaths_stats` from the table `deaths` on `con`.

    `person_level` says, per source, whether its rows are people; `snapshot_info` has one row
    per (source, snapshot) with `is_latest` and `period_end` (a date or null: where the
    snapshot stops, its sidecar's period or its records; a year ending after it is partial)."""
    create_counted_view(con, "deaths")
    queries = []
    for source, is_person in sorted(person_level.items()):
        sets = grouping_sets(is_person)
        where = f"source = {sql_text(source)}"
        if is_person:
            queries.append(_grouping_query(
                f"SELECT * FROM ({rows_view_sql(True, None)}) WHERE {where}", sets))
            continue
        by_split: dict[str | None, list] = {}
        for s in sets:
            split = next((d for d in s if d in SPLIT_DIMENSIONS), None)
            by_split.setdefault(split, []).append(s)
        for split, split_sets in by_split.items():
            queries.append(_grouping_query(
                f"SELECT * FROM ({rows_view_sql(False, split)}) WHERE {where}", split_sets))
    if not queries:
        return pd.DataFrame()
    con.register("snapshot_info", snapshot_info)
    sql = f"""
        SELECT s.source, s.snapshot, i.is_latest, s.year::INTEGER AS year, s.year_basis,
               coalesce(i.period_end IS NOT NULL AND i.period_end < {YEAR_END}, false) AS partial_year,
               'persons' AS unit, {", ".join(f"s.{d}" for d in DIMENSIONS)},
               s.value, s.value AS value_min, s.value AS value_max,
               false AS suppressed, false AS source_suppressed
        FROM ({" UNION ALL ".join(queries)}) s
        JOIN snapshot_info i USING (source, snapshot)
        ORDER BY s.source, s.snapshot, s.year, s.year_basis, {", ".join(f"s.{d}" for d in DIMENSIONS)}
    """
    frame = con.sql(sql).to_arrow_table().to_pandas()
    con.unregister("snapshot_info")
    return frame
