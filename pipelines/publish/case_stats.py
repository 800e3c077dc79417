"""`crimes_stats` and `prosecutions_stats`: tidy statistics with `all` margins.

Aggregate sources (GLOTIP, FBI, StatCan, SESNSP) publish cells, not people. Only the cells the
source published are authoritative; every other cell is computed. Following invariant 1 of the
data model:

- Published cells are summed by key within a breakdown (sub-forms collapsed under one label are
  added, never de-duplicated; FBI state cells fall into one country cell). Breakdowns count the
  same people again and are never added together: where two breakdowns publish the same key, one
  cell is kept (a range when they disagree, which no source does today).
- Every margin (`all` in some dimensions) of a published cell is in the table. A margin the
  source did not publish is *computed*: it meets the sum of its parts along every dimension
  that has parts. Where those sums agree (the usual case, and always within one breakdown
  split the same way), the margin is exact. Where they disagree (two breakdowns, or a source
  total and its parts, imply different sums: GLOTIP's forms of exploitation against its sex x
  age table, or the countries' published totals against the sums of their sex splits), no
  single value is supported by the source: the computed margin is published with `value` null
  and `value_min`/`value_max` the tightest range that meets every sum (the smallest largest
  sum to the largest smallest sum). A computed margin is never compared with its parts as if
  the source had published it: it gets no unknown fill and is never listed as an inconsistency.
- Published margins are reconciled with their parts (published or computed), dimension by
  dimension: parts short of the total -> the shortfall is published under the dimension's
  unknown category (a new cell, or the range of an existing computed unknown cell widened to
  take it); parts above the total -> the total stays and the excess is listed in
  `source_inconsistencies`; withheld parts (GLOTIP "<5", bounds [0, 4]) -> the bounds of the
  parts must contain the total. A shortfall whose unknown cell the source itself published
  cannot be filled and is listed too (negative excess).
- Cells are processed from the finest up (by the number of `all` dimensions), so a margin is
  computed or reconciled only once its parts are final.

A dimension a source does not record is published once per grand total as `not_recorded`,
so coverage can be read off the table. A dimension that holds one constant "not recorded" or
"not applicable" value on every record of a source (GLOTIP's race, gender identity,
perpetrator, bias motivation) is reconciled as `all` and published once per grand total with
that value. Person-level sources (NGO logs) are grouped like the person-level deaths sources,
over declared crossings.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

import numpy as np
import pandas as pd

UNKNOWN_OF = {"sex": "unknown", "gender_identity": "unknown", "age_group": "unknown",
              "nationality": "UNKNOWN", "race_ethnicity": "unknown", "country_iso3": "UNKNOWN",
              "crime_type": "unknown", "offence": "unknown", "sgbv": "unknown",
              "bias_motivation": "unknown", "perpetrator": "unknown"}
NOT_RECORDED_OF = {"sex": "not_recorded", "gender_identity": "not_recorded",
                   "age_group": "not_recorded", "nationality": "NOT_RECORDED",
                   "race_ethnicity": "not_recorded", "perpetrator": "not_recorded"}
# A dimension holding one of these on every record of a source says nothing per cell.
CONSTANT_CODES = {"not_recorded", "NOT_RECORDED", "not_applicable"}
NO_BREAKDOWN = "_"

STREAMS = {
    "crimes": {
        "fixed": ("source", "snapshot", "year", "year_basis", "unit", "subject"),
        "dims": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                 "country_iso3", "crime_type", "sgbv", "bias_motivation", "perpetrator"),
        "crossings": (("crime_type", "sex", "nationality"), ("sgbv", "sex", "nationality"),
                      ("sgbv", "age_group"), ("crime_type", "race_ethnicity"),
                      ("sex", "gender_identity"), ("perpetrator", "crime_type"),
                      ("country_iso3", "crime_type"), ("bias_motivation", "country_iso3")),
    },
    "prosecutions": {
        "fixed": ("source", "snapshot", "year", "year_basis", "unit", "subject", "stage"),
        "dims": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                 "country_iso3", "offence", "sgbv"),
        "crossings": (("offence", "sex", "nationality"), ("sgbv", "sex", "nationality"),
                      ("sgbv", "age_group"), ("country_iso3", "offence")),
    },
}
COLUMNS = ("value", "value_min", "value_max", "source_suppressed")


def _bounds(cells: pd.DataFrame) -> pd.DataFrame:
    """value_min / value_max filled from value where the value is exact."""
    cells = cells.copy()
    cells["value_min"] = cells["value_min"].fillna(cells["value"]).astype("Int64")
    cells["value_max"] = cells["value_max"].fillna(cells["value"]).astype("Int64")
    return cells


def _published(records: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The source's published cells: records summed by key within a breakdown (a withheld
    part makes the sum withheld, bounds add up), then one cell per key across breakdowns."""
    frame = _bounds(records)
    if "breakdown" not in frame:
        frame = frame.assign(breakdown=NO_BREAKDOWN)
    frame = frame.assign(withheld=frame["value"].isna(), value=frame["value"].fillna(0),
                         breakdown=frame["breakdown"].fillna(NO_BREAKDOWN))
    cells = frame.groupby(keys + ["breakdown"], dropna=False, sort=False).agg(
        value=("value", "sum"), value_min=("value_min", "sum"), value_max=("value_max", "sum"),
        withheld=("withheld", "any"), source_suppressed=("source_suppressed", "any")).reset_index()
    cells["value"] = cells["value"].astype("Int64").mask(cells["withheld"])
    if not cells.duplicated(keys).any():
        return cells.drop(columns=["breakdown", "withheld"])
    # Two breakdowns publishing one key count the same people twice: never added. Where they
    # agree, that value; where they differ, a range over both with no value.
    grouped = cells.groupby(keys, dropna=False, sort=False)
    out = grouped.agg(value_min=("value_min", "min"), value_max=("value_max", "max"),
                      low_max=("value_min", "max"), high_min=("value_max", "min"),
                      n_values=("value", "nunique"), withheld=("withheld", "any"),
                      value=("value", "first"),
                      source_suppressed=("source_suppressed", "any")).reset_index()
    agree = (out["n_values"] == 1) & ~out["withheld"] & (out["value_min"] == out["value_max"])
    out["value"] = out["value"].astype("Int64").where(agree)
    return out.drop(columns=["low_max", "high_min", "n_values", "withheld"])


class _Cube:
    """Cells of one source keyed by one integer: a mixed-radix number over the fixed keys'
    group and each dimension's category code, code 0 being `all`. The parent of a cell along a
    dimension is its key minus that dimension's code times its radix."""

    def __init__(self, cells: pd.DataFrame, fixed: list[str], dims: list[str]):
        fixed_id = np.zeros(len(cells), dtype=np.int64)  # numbered in order of appearance
        for column in fixed:
            column_codes, uniques = pd.factorize(cells[column], use_na_sentinel=False)
            fixed_id = pd.factorize(fixed_id * len(uniques) + column_codes)[0]
        first_rows = np.unique(fixed_id, return_index=True)[1]
        self.fixed_table = cells[fixed].iloc[first_rows].reset_index(drop=True)
        self.dims = [d for d in dims if (cells[d] != "all").any()]
        self.categories, self.radix = {}, {}
        radix = 1
        codes = {}
        for dim in reversed(self.dims):
            row_codes, uniques = pd.factorize(cells[dim])
            values = sorted(set(uniques) - {"all"} | {UNKNOWN_OF[dim]})
            self.categories[dim] = pd.array(["all"] + values, dtype="str")
            codes[dim] = pd.Index(self.categories[dim]).get_indexer(uniques)[row_codes]
            self.radix[dim] = radix
            radix *= len(self.categories[dim])
        self.span = radix
        if len(self.fixed_table) * radix >= 2 ** 62:
            raise OverflowError("too many categories to key the cells of one source")
        key = fixed_id.astype(np.int64) * radix
        for dim in self.dims:
            key = key + codes[dim].astype(np.int64) * self.radix[dim]
        self.published_keys = key

    def code(self, keys: np.ndarray, dim: str) -> np.ndarray:
        return (keys // self.radix[dim]) % len(self.categories[dim])

    def level(self, keys: np.ndarray) -> np.ndarray:
        """How many dimensions are `all`."""
        return sum((self.code(keys, d) == 0).astype(np.int8) for d in self.dims)

    def closure(self, keys: np.ndarray) -> np.ndarray:
        """The keys and every margin of them."""
        keys = pd.unique(np.asarray(keys, dtype=np.int64))  # hashing, not sorting, per dimension
        for dim in self.dims:
            code = self.code(keys, dim)
            part = code != 0
            keys = pd.unique(np.concatenate([keys, keys[part] - code[part] * self.radix[dim]]))
        return np.sort(keys)

    def decode(self, keys: np.ndarray) -> pd.DataFrame:
        out = self.fixed_table.iloc[keys // self.span].reset_index(drop=True)
        for dim in self.dims:
            out[dim] = self.categories[dim].take(self.code(keys, dim))
        return out


def _part_sums(cube: _Cube, children: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per dimension: the sums (lo, hi) of the children, indexed by their margin's key."""
    keys = children.index.to_numpy()
    sums = {}
    for dim in cube.dims:
        code = cube.code(keys, dim)
        part = code != 0
        if not part.any():
            continue
        parent = keys[part] - code[part] * cube.radix[dim]
        sums[dim] = children.loc[part, ["lo", "hi"]].groupby(parent, sort=False).sum()
    return sums


def _published_mismatches(cube: _Cube, cells: pd.DataFrame) -> list[pd.DataFrame]:
    """Published margins whose parts, final, neither meet them nor were filled: an excess, or
    a shortfall the source's own unknown cell cannot take. These are listed."""
    problems = []
    for level in range(1, len(cube.dims) + 1):
        margins = cells[(cells["level"] == level) & cells["pub"]]
        if margins.empty:
            continue
        for dim, s in _part_sums(cube, cells[cells["level"] == level - 1]).items():
            s = s.reindex(margins.index).dropna().astype(np.int64)
            total = margins.loc[s.index]
            bad = (s["lo"] > total["hi"]) | (s["hi"] < total["lo"])
            if bad.any():
                problems.append(pd.DataFrame({"key": s.index[bad], "dimension": dim,
                                              "parts_min": s.loc[bad, "lo"].astype(np.int64),
                                              "parts_max": s.loc[bad, "hi"].astype(np.int64)}))
    return problems


def _reconcile_source(records: pd.DataFrame, fixed: list[str], dims: list[str]
                      ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Statistics cells and listed inconsistencies of one aggregate source."""
    published = _published(records, fixed + dims)
    cube = _Cube(published, fixed, dims)
    keys = cube.closure(cube.published_keys)
    cells = pd.DataFrame({"lo": 0, "hi": 0, "a": np.iinfo(np.int64).min,
                          "b": np.iinfo(np.int64).max, "pub": False}, index=pd.Index(keys))
    pub_index = pd.Index(cube.published_keys)
    cells.loc[pub_index, "lo"] = published["value_min"].to_numpy(dtype=np.int64)
    cells.loc[pub_index, "hi"] = published["value_max"].to_numpy(dtype=np.int64)
    cells.loc[pub_index, "pub"] = True
    cells["level"] = cube.level(keys)
    for level in range(1, len(cube.dims) + 1):
        sums = _part_sums(cube, cells[cells["level"] == level - 1])
        margins = cells[(cells["level"] == level) & cells["pub"]]
        parents_below = np.concatenate([s.index.to_numpy() for s in _part_sums(
            cube, cells[cells["level"] == level - 2]).values()] + [np.empty(0, np.int64)])
        for dim, s in sums.items():
            s = s.reindex(margins.index).dropna().astype(np.int64)
            if s.empty:
                continue
            total = margins.loc[s.index]
            short = s["hi"] < total["lo"]
            if not short.any():
                continue
            s, total = s[short], total[short]
            fill = s.index.to_numpy() + (cube.categories[dim].tolist().index(UNKNOWN_OF[dim])
                                         * cube.radix[dim])
            exists = cells.index.get_indexer(fill) >= 0  # the index's hash table, built once per index
            # A new unknown cell takes the shortfall (bounds: the total's less the parts').
            new = ~exists
            if new.any():
                lo = np.maximum(total["lo"].to_numpy()[new] - s["hi"].to_numpy()[new], 0)
                hi = total["hi"].to_numpy()[new] - s["lo"].to_numpy()[new]
                added = pd.DataFrame({"lo": lo, "hi": hi, "a": lo, "b": hi, "pub": False,
                                      "level": level - 1}, index=pd.Index(fill[new]))
                above = cube.closure(fill[new])
                above = above[(cells.index.get_indexer(above) < 0) & ~np.isin(above, fill[new])]
                margins_above = pd.DataFrame({"lo": 0, "hi": 0, "a": np.iinfo(np.int64).min,
                                              "b": np.iinfo(np.int64).max, "pub": False,
                                              "level": cube.level(above)}, index=pd.Index(above))
                cells = pd.concat([cells, added, margins_above])
            existing = pd.Index(fill[exists])
            if len(existing):
                unknown = cells.loc[existing]
                # A published unknown cell with no parts of its own (GLOTIP's "Unknown"
                # citizenship) takes the shortfall added to it; one with parts stays as
                # published and the shortfall is listed.
                is_pub = unknown["pub"].to_numpy() & np.isin(existing, parents_below)
                widen = existing[~is_pub]
                if len(widen):  # a computed unknown cell: its range takes the shortfall too
                    others_lo = s["lo"].to_numpy()[exists][~is_pub] - cells.loc[widen, "lo"].to_numpy()
                    others_hi = s["hi"].to_numpy()[exists][~is_pub] - cells.loc[widen, "hi"].to_numpy()
                    need_lo = np.maximum(total["lo"].to_numpy()[exists][~is_pub] - others_hi, 0)
                    need_hi = total["hi"].to_numpy()[exists][~is_pub] - others_lo
                    absorbs = cells.loc[widen, "pub"].to_numpy()  # published: add, not widen
                    a = np.where(absorbs, need_lo, np.maximum(cells.loc[widen, "a"].to_numpy(), need_lo))
                    b = np.where(absorbs, need_hi, np.minimum(cells.loc[widen, "b"].to_numpy(), need_hi))
                    cells.loc[widen, "a"], cells.loc[widen, "b"] = a, b
                    cells.loc[widen, "pub"] = False
                    cells.loc[widen, "lo"], cells.loc[widen, "hi"] = np.minimum(a, b), np.maximum(a, b)
        # Computed margins of this level: the tightest range meeting every sum of parts.
        computed = cells.index[(cells["level"] == level) & ~cells["pub"]]
        if len(computed):
            sums = _part_sums(cube, cells[cells["level"] == level - 1])
            a = pd.Series(np.iinfo(np.int64).min, index=computed)
            b = pd.Series(np.iinfo(np.int64).max, index=computed)
            for s in sums.values():
                a = np.maximum(a, s["lo"].reindex(computed, fill_value=np.iinfo(np.int64).min))
                b = np.minimum(b, s["hi"].reindex(computed, fill_value=np.iinfo(np.int64).max))
            cells.loc[computed, "a"], cells.loc[computed, "b"] = a, b
            cells.loc[computed, "lo"] = np.minimum(a, b)
            cells.loc[computed, "hi"] = np.maximum(a, b)
    keys = cells.index.to_numpy()
    out = cube.decode(keys)
    for dim in dims:
        if dim not in out:
            out[dim] = "all"
    lo, hi = cells["lo"].to_numpy(), cells["hi"].to_numpy()
    out["value"] = pd.array(np.where(lo == hi, lo, 0), dtype="Int64")
    out.loc[lo != hi, "value"] = pd.NA
    out["value_min"] = pd.array(lo, dtype="Int64")
    out["value_max"] = pd.array(hi, dtype="Int64")
    out["source_suppressed"] = False
    problems = _published_mismatches(cube, cells)
    at = np.flatnonzero(cells["pub"].to_numpy())  # positions in `out`, as in `cells`
    published = published[list(COLUMNS)].iloc[pd.Index(cube.published_keys).get_indexer(keys[at])]
    for column in COLUMNS:
        out.loc[at, column] = published[column].to_numpy()
    out = out[fixed + dims + list(COLUMNS)]
    listed = []
    for found in problems:
        where = cells.index.get_indexer(found["key"].to_numpy())
        margin = out.iloc[where].reset_index(drop=True)
        listed.append(margin.assign(dimension=found["dimension"].to_numpy(),
                                    parts_min=found["parts_min"].to_numpy(),
                                    parts_max=found["parts_max"].to_numpy()))
    return out, listed


def aggregate_stats(records: pd.DataFrame, stream: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Statistics of aggregate-source records: published cells, their margins (published
    ones reconciled, the others computed), and the `not_recorded` rows of dimensions a source
    never splits; and the source_inconsistencies rows (published margins their parts cannot
    meet)."""
    dims = STREAMS[stream]["dims"]
    return aggregate_stats_of(((part, source_facts({d: part[d].unique() for d in dims}, dims))
                               for _, part in records.groupby("source", sort=False)), stream)


def source_facts(distinct: dict, dims) -> tuple[dict[str, str], set[str]]:
    """(dimensions holding one constant "not recorded"-like code on every record, and that
    code; dimensions `all` on every record) of one source, from the distinct values of each
    dimension over its statistics input."""
    constant, unsplit = {}, set()
    for dim in dims:
        values = list(distinct[dim])
        if len(values) == 1 and values[0] in CONSTANT_CODES:
            constant[dim] = values[0]
        if len(values) == 1 and values[0] == "all":
            unsplit.add(dim)
    return constant, unsplit


def aggregate_stats_of(batches: Iterable[tuple[pd.DataFrame, tuple]], stream: str
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`aggregate_stats` over batches of records, each with its source's `source_facts`. A
    batch is one source's records of whole fixed-key groups (its snapshots and years), as
    cells of different groups never meet: a source too large for memory is reconciled in
    batches."""
    spec = STREAMS[stream]
    fixed, dims = list(spec["fixed"]), list(spec["dims"])
    frames, listed = [], []
    for part, (constant, unsplit) in batches:
        cells, found = _reconcile_source(part.assign(**{d: "all" for d in constant}), fixed, dims)
        grand = cells[(cells[dims] == "all").all(axis=1)]
        extra = [grand.assign(**{dim: code}) for dim, code in constant.items()]
        extra += [grand.assign(**{dim: code}) for dim, code in NOT_RECORDED_OF.items()
                  if dim in dims and dim not in constant and dim in unsplit]
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
    """`source_inconsistencies` rows of the margins `_reconcile_source` found unmet: the cell
    named by its keys other than source, snapshot, year and the dimension compared (`all`
    left out), and the excess (negative: a shortfall no unknown cell could take)."""
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
    sql = (f"SELECT {', '.join(fixed)}, {labels}, coalesce(sum(value), 0)::BIGINT AS value "
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
    return stats[order].sort_values(order[:-5], ignore_index=True)


def stats_columns(stream: str) -> list[str]:
    """The columns of a stream's statistics table, in order: its keys, then the five value
    columns."""
    return (["source", "snapshot", "is_latest", "year", "year_basis", "partial_year", "unit",
             "subject"] + (["stage"] if stream == "prosecutions" else []) + list(STREAMS[stream]["dims"])
            + ["value", "value_min", "value_max", "suppressed", "source_suppressed"])
