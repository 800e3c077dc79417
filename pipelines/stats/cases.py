"""`crimes_stats` and `prosecutions_stats`: tidy statistics with `all` margins.

Aggregate sources (GLOTIP, FBI, StatCan, SESNSP) publish cells, not people: their published
cells are reconciled breakdown by breakdown and every margin is computed or checked
(`reconcile`, data model invariants 1 and 5; each row's `breakdown` names the split it
belongs to, `all` for the totals every split shares). A dimension a source does not record is
published once per grand total as `not_recorded`, so coverage can be read off the table. A
dimension that holds one constant "not recorded" or "not applicable" value on every record of
a source (GLOTIP's race, gender identity, perpetrator, bias motivation) is reconciled as `all`
and published once per grand total with that value. Person-level sources (NGO logs) are
grouped like the person-level deaths sources, over declared crossings (one breakdown, `all`).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

import numpy as np
import pandas as pd

from pipelines.stats.reconcile.breakdowns import reconcile_source
from pipelines.stats.reconcile.cube import BASE, Layout, SourceFacts, snapshot_layouts
from pipelines.stats.reconcile.repeats import REPEATED_ROWS

NOT_RECORDED_OF = {"sex": "not_recorded", "gender_identity": "not_recorded",
                   "age_group": "not_recorded", "nationality": "NOT_RECORDED",
                   "race_ethnicity": "not_recorded", "perpetrator": "not_recorded"}
# A dimension holding one of these on every record of a source says nothing per cell.
CONSTANT_CODES = {"not_recorded", "NOT_RECORDED", "not_applicable"}

STREAMS = {
    "crimes": {
        "fixed": ("source", "snapshot", "year", "year_basis", "unit", "subject", "population"),
        "dims": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                 "country_iso3", "crime_type", "sgbv", "bias_motivation", "perpetrator"),
        "crossings": (("crime_type", "sex", "nationality"), ("sgbv", "sex", "nationality"),
                      ("sgbv", "age_group"), ("crime_type", "race_ethnicity"),
                      ("sex", "gender_identity"), ("perpetrator", "crime_type"),
                      ("country_iso3", "crime_type"), ("bias_motivation", "country_iso3")),
    },
    "prosecutions": {
        "fixed": ("source", "snapshot", "year", "year_basis", "unit", "subject", "population",
                  "stage"),
        "dims": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                 "country_iso3", "offence", "sgbv"),
        "crossings": (("offence", "sex", "nationality"), ("sgbv", "sex", "nationality"),
                      ("sgbv", "age_group"), ("country_iso3", "offence")),
    },
}


def aggregate_stats(records: pd.DataFrame, stream: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Statistics of aggregate-source records: published cells, their margins (published
    ones reconciled, the others computed), and the `not_recorded` rows of dimensions a source
    never splits; and the source_inconsistencies rows (published margins their parts cannot
    meet)."""
    dims = STREAMS[stream]["dims"]
    return aggregate_stats_of(((part, source_facts({d: part[d].unique() for d in dims}, dims, part))
                               for _, part in records.groupby("source", sort=False)), stream)


def source_facts(distinct: dict, dims, records: pd.DataFrame | None = None,
                 layouts: dict[str, Layout] | None = None) -> SourceFacts:
    """What reconciliation must know of a whole source, from the distinct values of each
    dimension over its statistics input: dimensions holding one constant "not recorded"-like
    code on every record (and that code), dimensions `all` on every record, and the layout
    of each snapshot (`reconcile.cube.snapshot_layouts`, given or read off `records`), without
    the constant dimensions."""
    constant, unsplit = {}, set()
    for dim in dims:
        values = list(distinct[dim])
        if len(values) == 1 and values[0] in CONSTANT_CODES:
            constant[dim] = values[0]
        if len(values) == 1 and values[0] == "all":
            unsplit.add(dim)
    if layouts is None:
        layouts = snapshot_layouts(records, dims, constant) if records is not None else {}
    drop = set(constant)
    layouts = {snap: Layout({n: s - drop for n, s in found.splits.items()},
                            {n: s - drop for n, s in found.required.items()}, found.strata - drop)
               for snap, found in layouts.items()}
    return SourceFacts(constant=constant, unsplit=frozenset(unsplit), layouts=layouts)


def aggregate_stats_of(batches: Iterable[tuple[pd.DataFrame, SourceFacts]], stream: str
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`aggregate_stats` over batches of records, each with its source's `source_facts`. A
    batch is one source's records of whole fixed-key groups (its snapshots and years), as
    cells of different groups never meet: a source too large for memory is reconciled in
    batches."""
    spec = STREAMS[stream]
    fixed, dims = list(spec["fixed"]), list(spec["dims"])
    frames, listed = [], []
    for batch, facts in batches:
        batch = batch.assign(**{d: "all" for d in facts.constant})
        for snapshot, part in batch.groupby("snapshot", sort=False):
            cells, found = reconcile_source(part, fixed, dims, facts.layouts.get(
                snapshot, Layout({}, {}, frozenset())))
            grand = cells[(cells[dims] == "all").all(axis=1)]
            extra = [grand.assign(**{dim: code}) for dim, code in facts.constant.items()]
            extra += [grand.assign(**{dim: code}) for dim, code in NOT_RECORDED_OF.items()
                      if dim in dims and dim not in facts.constant and dim in facts.unsplit]
            frames += [cells] + extra
            listed += found
    cells = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return cells, _inconsistency_rows(listed, stream)


def cell_names(rows: pd.DataFrame, keys, dimension) -> list[str]:
    """How `source_inconsistencies` names the cell of each row: `key=value` for its keys other
    than source, snapshot, year and the `dimension` compared (one, or one per row), `all`
    left out, joined by "; "."""
    pieces = []
    for key in keys:
        if key in ("source", "snapshot", "year"):
            continue
        text = rows[key].astype("str").to_numpy(dtype=object)
        pieces.append(np.where((dimension != key) & (text != "all"), key + "=" + text, ""))
    return ["; ".join(p for p in row if p) for row in zip(*pieces)] if pieces else [""] * len(rows)


def _inconsistency_rows(found: list[pd.DataFrame], stream: str) -> pd.DataFrame:
    """`source_inconsistencies` rows of the margins `reconcile_source` found unmet: the cell
    named by its keys other than source, snapshot, year and the dimension compared (`all`
    left out), and the excess (negative: a shortfall no unknown cell could take). A cell of
    identical repeated rows that neither or both counts agree with (dimension
    `repeated_rows`) gives its counts once and twice as the parts, and their difference as
    the excess."""
    columns = ["table", "source", "snapshot", "year", "cell", "dimension", "published_total",
               "parts_min", "parts_max", "excess"]
    found = [f for f in found if len(f)]
    if not found:
        return pd.DataFrame(columns=columns)
    rows = pd.concat(found, ignore_index=True)
    spec = STREAMS[stream]
    cell = cell_names(rows, spec["fixed"] + spec["dims"], rows["dimension"].to_numpy())
    shortfall = rows["parts_max"] < rows["value_min"]  # no unknown cell could take it
    excess = np.where(shortfall, rows["parts_max"] - rows["value_min"],
                      rows["parts_min"] - rows["value_max"])
    repeated = (rows["dimension"] == REPEATED_ROWS).to_numpy()
    excess = np.where(repeated, rows["parts_max"] - rows["parts_min"], excess)
    frame = pd.DataFrame({"table": f"{stream}_stats", "source": rows["source"],
                          "snapshot": rows["snapshot"], "year": rows["year"], "cell": cell,
                          "dimension": rows["dimension"], "published_total": rows["value"],
                          "parts_min": rows["parts_min"], "parts_max": rows["parts_max"],
                          "excess": excess})
    return frame.astype({"year": "Int32", "published_total": "Int64", "parts_min": "Int64",
                         "parts_max": "Int64", "excess": "Int64"})


def grouping_sets(stream: str) -> list[tuple[str, ...]]:
    """(), each dimension alone, the declared crossings and their subsets."""
    dims = STREAMS[stream]["dims"]
    sets = {()} | {(d,) for d in dims}
    for crossing in STREAMS[stream]["crossings"]:
        for size in range(1, len(crossing) + 1):
            sets |= {tuple(sorted(c)) for c in combinations(crossing, size)}
    return sorted(sets, key=lambda s: (len(s), s))


def person_stats(records: pd.DataFrame, stream: str) -> pd.DataFrame:
    """Statistics of person-level records in memory (each a count of 1) over the declared
    groupings: `person_stats_sql` on an in-memory DuckDB."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("person_records", records)
        return person_stats_sql(con, "SELECT * FROM person_records", stream)
    finally:
        con.close()


def person_stats_sql(con, relation_sql: str, stream: str) -> pd.DataFrame:
    """Statistics of the person-level records `relation_sql` selects (each a count of 1) over
    the declared groupings, grouped in DuckDB (out of core when larger than memory)."""
    spec = STREAMS[stream]
    fixed, dims = list(spec["fixed"]), list(spec["dims"])
    sets = grouping_sets(stream)
    gsets = ", ".join("(" + ", ".join(fixed + list(s)) + ")" for s in sets)
    labels = ", ".join(f"CASE WHEN GROUPING({d}) = 1 THEN 'all' ELSE {d} END AS {d}" for d in dims)
    sql = (f"SELECT {', '.join(fixed)}, '{BASE}' AS breakdown, {labels}, "
           "coalesce(sum(value), 0)::BIGINT AS value "
           f"FROM ({relation_sql}) GROUP BY GROUPING SETS ({gsets})")
    cells = con.sql(sql).to_arrow_table().to_pandas()
    cells["value"] = cells["value"].astype("Int64")
    cells["year"] = cells["year"].astype("Int32")
    return cells.assign(value_min=cells["value"], value_max=cells["value"], source_suppressed=False)


def case_stats(records: pd.DataFrame, stream: str, person_level: dict[str, bool],
               snapshot_info: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(statistics table, source inconsistencies) of one stream over records in memory, all
    sources at once: what the source tests check. A release builds the same cells with the
    same steps (`person_stats_sql`, `aggregate_stats_of`, `finish_stats`) piece by piece, and
    validates, checks and sorts them (`tables.case_stats_of`, `build_tables`)."""
    if records.empty:
        return pd.DataFrame(), pd.DataFrame()
    parts, problems = [], _inconsistency_rows([], stream)
    is_person = records["source"].map(person_level).fillna(False).astype(bool)
    if is_person.any():
        parts.append(person_stats(records[is_person], stream))
    if not is_person.all():
        cells, problems = aggregate_stats(records[~is_person], stream)
        parts.append(cells)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(), pd.DataFrame()
    return finish_stats(pd.concat(parts, ignore_index=True), stream, snapshot_info), problems


def finish_stats(cells: pd.DataFrame, stream: str, snapshot_info: pd.DataFrame) -> pd.DataFrame:
    """Cells of one or more sources as statistics rows: `is_latest` and `partial_year` from
    their snapshots (`snapshot_info`: source, snapshot, is_latest, period_end: where the
    snapshot stops, its sidecar's period or its records; a year ending after it is partial),
    `suppressed` false, the table's column order, sorted by its keys."""
    info = snapshot_info[["source", "snapshot", "is_latest", "period_end"]]
    stats = cells.merge(info, on=["source", "snapshot"], how="left")
    end = pd.to_datetime(stats.pop("period_end"), errors="coerce")
    year = stats["year"].astype("int64")
    inside = (year == end.dt.year) & ((end.dt.month < 12) | (end.dt.day < 31))
    stats["partial_year"] = (end.notna() & ((year > end.dt.year) | inside)).fillna(False).astype(bool)
    stats["is_latest"] = stats["is_latest"].fillna(False).astype(bool)
    stats["suppressed"] = False
    stats["source_suppressed"] = stats["source_suppressed"].astype(bool)
    order = stats_columns(stream)
    return stats[order].sort_values([c for c in order[:-5] if c != "breakdown"], ignore_index=True)


def stats_columns(stream: str) -> list[str]:
    """The columns of a stream's statistics table, in order: its keys (with `breakdown`, the
    split a row belongs to, before the dimensions), then the five value columns."""
    return (["source", "snapshot", "is_latest", "year", "year_basis", "partial_year", "unit",
             "subject", "population"] + (["stage"] if stream == "prosecutions" else [])
            + ["breakdown"] + list(STREAMS[stream]["dims"])
            + ["value", "value_min", "value_max", "suppressed", "source_suppressed"])
