"""From the links between death lists (`record_links`, pipelines/stats/linkage.py) and the
`deaths` records: how the lists of each declared pairing overlap in its area, year by year
(`deaths_overlap`), the race the second list's examiner estimated for the linked persons
(`deaths_linked_race`), and capture-recapture estimates (`deaths_estimates`). Rules and
their reasons: docs/linkage.md.

The union of two lists is a range. Links can be wrong (precision < 1) and true pairs can be
missed (recall < 1), so neither end is the count of links:
- at most, the sum of both lists less the links that are true at the lower end of the 95 %
  Wilson interval of the measured precision (nothing subtracted where it is not measured);
- at least, the larger list: missed pairs can make the overlap as large as the smaller list.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from pipelines.sql import sql_text
from pipelines.stats.deaths import PUBLISHED_ROWS
from pipelines.stats.estimates import chapman, loglinear
from pipelines.stats.linkage import Linkage, Pairing, Trio
from pipelines.stats.pairings import PAIRINGS, TRIOS
from schemas import codes

RECORD_COLUMNS = ["record_id", "year", "year_basis", "dead_and_missing", "race_ethnicity"]


def _records(con: duckdb.DuckDBPyConnection, source: str, snapshot: str, area_sql: str | None,
             members: list[str] | None = None) -> pd.DataFrame:
    """The records of one list in a pairing's area that the statistics count: those
    `area_sql` selects, or (without it) those whose record_id is in `members`."""
    if area_sql is None:
        con.register("area_members", pd.DataFrame({"record_id": pd.Series(members or [], dtype="str")}))
        area_sql = "record_id IN (SELECT record_id FROM area_members)"
    frame = con.sql(
        f"SELECT {', '.join(RECORD_COLUMNS)} FROM deaths WHERE source = {sql_text(source)} "
        f"AND snapshot = {sql_text(snapshot)} AND {PUBLISHED_ROWS} AND ({area_sql})"
    ).to_arrow_table().to_pandas()
    if "area_members" in area_sql:
        con.unregister("area_members")
    return frame


def _period(sources: pd.DataFrame, keys: list[tuple[str, str]]) -> tuple[int, int, set[int]] | None:
    """(first year, last year, partial years) the lists all cover: from the latest start to
    the earliest end (the earlier of a snapshot's period end and where its records stop);
    None when they share no year. A year is partial where a list starts or ends inside it."""
    starts, ends = [], []
    for source, snapshot in keys:
        rows = sources[(sources["source"] == source) & (sources["snapshot"] == snapshot)]
        start = pd.to_datetime(rows["period_start"], errors="coerce").min()
        end = pd.concat([pd.to_datetime(rows["period_end"], errors="coerce"),
                         pd.to_datetime(rows["records_end"], errors="coerce")]).min()
        if pd.isna(start) or pd.isna(end):
            return None
        starts.append(start)
        ends.append(end)
    first, last = max(starts).year, min(ends).year
    if first > last:
        return None
    partial = {e.year for e in ends if (e.month, e.day) != (12, 31) and first <= e.year <= last}
    partial |= {b.year for b in starts if (b.month, b.day) != (1, 1) and first <= b.year <= last}
    return first, last, partial


class PairingData:
    """One linked pairing: both lists' records in its area and the links between them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, pairing: Pairing, quality: dict,
                 links: pd.DataFrame, sources: pd.DataFrame, members: dict | None = None):
        self.pairing, self.quality = pairing, quality
        members = members or {}
        self.left = _records(con, pairing.left.source, quality["snapshot_l"], pairing.left.area_sql,
                             members.get((pairing.name, "l")))
        self.right = _records(con, pairing.right.source, quality["snapshot_r"], pairing.right.area_sql,
                              members.get((pairing.name, "r")))
        mine = links[(links["source_l"] == pairing.left.source)
                     & (links["snapshot_l"] == quality["snapshot_l"])
                     & (links["source_r"] == pairing.right.source)
                     & (links["snapshot_r"] == quality["snapshot_r"])]
        # Links with both records in the area (one of them may lie outside it).
        self.links = (mine[["record_id_l", "record_id_r"]]
                      .merge(self.left.add_suffix("_l"), on="record_id_l")
                      .merge(self.right.add_suffix("_r"), on="record_id_r"))
        # The persons a link puts in both lists: the first list's record (one person a record),
        # or, where both lists count incidents, the smaller of the two counts.
        persons = self.links["dead_and_missing_l"]
        if pairing.incidents_both:
            persons = persons.where(persons <= self.links["dead_and_missing_r"],
                                    self.links["dead_and_missing_r"])
        self.links["persons_linked"] = persons
        self.period = _period(sources, [(pairing.left.source, quality["snapshot_l"]),
                                        (pairing.right.source, quality["snapshot_r"])])

    @property
    def precision_low(self) -> float:
        low = self.quality.get("precision_low")
        return 0.0 if low is None or pd.isna(low) else float(low)

    @property
    def full_years(self) -> tuple[int, int] | None:
        """(first, last) of the common period less a partial first or last year: what the
        totals over the period (`deaths_linked_race`, `deaths_estimates`) add up, so that no
        list is counted over a year the other covers only in part; None when no full year."""
        first, last, partial = self.period
        first, last = first + (first in partial), last - (last in partial)
        return (first, last) if first <= last else None

    def in_period(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The records of `frame` in the full years of the common period."""
        first, last = self.full_years
        return frame[frame["year"].between(first, last)]

    def links_in_period(self) -> pd.DataFrame:
        """The links whose two records are both in the full years of the common period."""
        first, last = self.full_years
        return self.links[self.links["year_l"].between(first, last)
                          & self.links["year_r"].between(first, last)]


def _basis(frame: pd.DataFrame) -> str | None:
    bases = frame["year_basis"].dropna().unique()
    return bases[0] if len(bases) == 1 else None


def overlap_rows(data: PairingData) -> list[dict]:
    """The `deaths_overlap` rows of one pairing: one per year of the common period."""
    if data.period is None:
        return []
    first, last, partial = data.period
    p, q = data.pairing, data.quality
    by_year = {}
    for side, frame in (("l", data.left), ("r", data.right)):
        by_year[side] = frame.groupby("year").agg(records=("record_id", "size"),
                                                  persons=("dead_and_missing", "sum"))
    same_year = data.links[data.links["year_l"] == data.links["year_r"]]
    linked = same_year.groupby("year_l")["persons_linked"].sum()
    basis_l, basis_r = _basis(data.left), _basis(data.right)
    rows = []
    for year in range(first, last + 1):
        counts = {}
        for side in ("l", "r"):
            got = by_year[side].reindex([year]).fillna(0).iloc[0]
            counts[f"records_{side}"], counts[f"persons_{side}"] = int(got["records"]), int(got["persons"])
        n_linked = int(linked.get(year, 0))
        true_min = math.floor(n_linked * data.precision_low)
        rows.append({
            "area": p.area, "sources": p.sources, "year": year, "partial_year": year in partial,
            "source_l": p.left.source, "snapshot_l": q["snapshot_l"], "year_basis_l": basis_l,
            "records_l": counts["records_l"], "persons_l": counts["persons_l"],
            "source_r": p.right.source, "snapshot_r": q["snapshot_r"], "year_basis_r": basis_r,
            "records_r": counts["records_r"], "persons_r": counts["persons_r"],
            "linked": n_linked, "linked_true_min": true_min,
            "union_min": max(counts["persons_l"], counts["persons_r"]),
            "union_max": counts["persons_l"] + counts["persons_r"] - true_min,
            "link_precision": q.get("precision"), "link_precision_low": q.get("precision_low"),
            "link_recall": q.get("recall"), "link_quality_basis": q["basis"]})
    return rows


def linked_race_rows(data: PairingData) -> list[dict]:
    """The `deaths_linked_race` rows of one pairing: the first list's persons in the area and
    common period linked to the second, by the race the second list records (its margin
    `all`: every linked person), with the first list's persons in the area and period."""
    if data.period is None or data.full_years is None:
        return []
    first, last = data.full_years
    p, q = data.pairing, data.quality
    linked = data.links_in_period()
    by_race = linked.groupby("race_ethnicity_r")["dead_and_missing_l"].sum()
    persons_in_area = int(data.in_period(data.left)["dead_and_missing"].sum())
    counted = {code: int(by_race.get(code, 0)) for code in codes.RACE_ETHNICITY}
    counted[codes.ALL] = int(linked["dead_and_missing_l"].sum())
    return [{"area": p.area, "sources": p.sources, "first_year": first, "last_year": last,
             "source": p.left.source, "snapshot": q["snapshot_l"], "race_source": p.right.source,
             "race_snapshot": q["snapshot_r"], "race_ethnicity": code, "persons": n,
             "persons_in_area": persons_in_area, "link_precision": q.get("precision")}
            for code, n in counted.items()]


def estimate_rows(data: PairingData) -> list[dict]:
    """The `deaths_estimates` row of one pairing over its common period: Chapman's estimate,
    unless the pairing declares why none may be published (or no person was linked)."""
    if data.period is None or data.full_years is None:
        return []
    first, last = data.full_years
    p = data.pairing
    n_l = int(data.in_period(data.left)["dead_and_missing"].sum())
    n_r = int(data.in_period(data.right)["dead_and_missing"].sum())
    links = data.links_in_period()
    m = int(links["persons_linked"].sum())
    true_min = math.floor(m * data.precision_low)
    failing = list(p.assumptions_failing)
    quality = data.quality
    measured = [quality.get("precision"), quality.get("recall")]
    if any(v is None or pd.isna(v) or v < 1 for v in measured):
        failing.append("perfect_linkage")  # missed links bias the estimate up, false ones down
    row = {"area": p.area, "sources": p.sources, "first_year": first, "last_year": last,
           "method": "chapman", "lists": 2, "persons_l": n_l, "persons_r": n_r, "persons_3": None,
           "linked": m,
           "union_min": max(n_l, n_r), "union_max": n_l + n_r - true_min,
           "assumptions_failing": ";".join(a for a in codes.ESTIMATE_ASSUMPTIONS if a in failing),
           "status": "not_estimated", "reason": None, "estimate": None, "ci_low": None,
           "ci_high": None}
    if p.not_estimated_because:
        return [{**row, "reason": p.not_estimated_because}]
    if m == 0:
        return [{**row, "reason": "no_person_in_both_lists"}]
    found = chapman(n_l, n_r, m)
    return [{**row, "status": "estimated", "estimate": found.estimate, "ci_low": found.ci_low,
             "ci_high": found.ci_high}]


def _held(members: dict[str, pd.Series], links: list[tuple[str, str, pd.DataFrame]]):
    """(records, persons) each cluster holds of each list, as arrays clusters x lists: the
    records of `members` (each list's persons by record id) grouped through the links between
    them (scipy's connected components); links to records outside `members` are left out."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    index, owner, persons = {}, [], []
    for k, (name, counts) in enumerate(members.items()):
        for record, n in counts.items():
            index[(name, record)] = len(owner)
            owner.append(k)
            persons.append(n)
    rows, cols = [], []
    for left, right, frame in links:
        for a, b in zip(frame["record_id_l"], frame["record_id_r"]):
            if (left, a) in index and (right, b) in index:
                rows.append(index[(left, a)])
                cols.append(index[(right, b)])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(owner), len(owner)))
    label = connected_components(graph, directed=False)[1] if owner else np.zeros(0, dtype=int)
    shape = (label.max() + 1 if len(label) else 0, len(members))
    records, held = np.zeros(shape, dtype=int), np.zeros(shape, dtype=float)
    np.add.at(records, (label, np.array(owner, dtype=int)), 1)
    np.add.at(held, (label, np.array(owner, dtype=int)), np.array(persons, dtype=float))
    return records, held


def capture_patterns(members: dict[str, list], links: list[tuple[str, str, pd.DataFrame]]
                     ) -> tuple[dict[tuple[int, ...], int], int]:
    """Records of several lists grouped by the links between them: ({which lists hold a
    cluster, as 0/1 in the order of `members`: clusters}, clusters holding two records of one
    list). `members`: each list's record ids; `links`: (list, list, frame of record_id_l,
    record_id_r), links to records outside `members` left out. For a log-linear model of
    three lists (`estimates.loglinear`); docs/linkage.md counts the European incidents so."""
    records, _ = _held({name: pd.Series(1, index=list(ids)) for name, ids in members.items()}, links)
    patterns: dict[tuple[int, ...], int] = {}
    for row in records:
        key = tuple(int(v > 0) for v in row)
        patterns[key] = patterns.get(key, 0) + 1
    return patterns, int((records > 1).any(axis=1).sum())


def trio_rows(trio: Trio, datas: dict[str, PairingData]) -> list[dict]:
    """The `deaths_estimates` row of three lists over the full years all three pairings cover:
    the persons of each, those in at least two (a cluster of linked records counts its second
    largest list), the range of those in any, and the log-linear estimate (clusters counted by
    their largest list) unless the trio declares why none may be published."""
    import numpy as np

    if any(name not in datas or datas[name].period is None or datas[name].full_years is None
           for name in trio.pairings):
        return []
    spans = [datas[name].full_years for name in trio.pairings]
    first, last = max(a for a, _ in spans), min(b for _, b in spans)
    if first > last:
        return []
    members, links, quality = {}, [], []
    for name in trio.pairings:
        data = datas[name]
        sides = ((data.pairing.left.source, data.left), (data.pairing.right.source, data.right))
        for source, frame in sides:
            if source not in members:
                kept = frame[frame["year"].between(first, last)]
                members[source] = kept.set_index("record_id")["dead_and_missing"].astype(float)
        years = data.links[["year_l", "year_r"]]
        both = data.links[years["year_l"].between(first, last) & years["year_r"].between(first, last)]
        links.append((data.pairing.left.source, data.pairing.right.source, both))
        quality.append(data)
    members = {source: members[source] for source in trio.sources}
    records, held = _held(members, links)
    n = [int(members[source].sum()) for source in trio.sources]
    again = np.sort(held, axis=1)[:, -2]  # the second largest list of each cluster
    linked = int(again[(records > 0).sum(axis=1) >= 2].sum())
    true_min = math.floor(linked * min(d.precision_low for d in quality))
    failing = list(trio.assumptions_failing)
    if any(v is None or pd.isna(v) or v < 1 for d in quality
           for v in (d.quality.get("precision"), d.quality.get("recall"))):
        failing.append("perfect_linkage")
    row = {"area": trio.area, "sources": "+".join(trio.sources), "first_year": first,
           "last_year": last, "method": "loglinear", "lists": 3, "persons_l": n[0],
           "persons_r": n[1], "persons_3": n[2], "linked": linked, "union_min": max(n),
           "union_max": sum(n) - true_min,
           "assumptions_failing": ";".join(a for a in codes.ESTIMATE_ASSUMPTIONS if a in failing),
           "status": "not_estimated", "reason": None, "estimate": None, "ci_low": None, "ci_high": None}
    if trio.not_estimated_because:
        return [{**row, "reason": trio.not_estimated_because}]
    if linked == 0:
        return [{**row, "reason": "no_person_in_both_lists"}]
    patterns: dict[tuple[int, ...], float] = {}
    for held_row in held:
        key = tuple(int(v > 0) for v in held_row)
        patterns[key] = patterns.get(key, 0) + float(held_row.max())
    found = loglinear(patterns, trio.interactions)
    return [{**row, "status": "estimated", "estimate": found.estimate, "ci_low": found.ci_low,
             "ci_high": found.ci_high}]


def overlap_tables(con: duckdb.DuckDBPyConnection, linkage: Linkage, sources: pd.DataFrame,
                   pairings: tuple[Pairing, ...] = PAIRINGS,
                   trios: tuple[Trio, ...] = TRIOS) -> dict[str, pd.DataFrame]:
    """`deaths_overlap`, `deaths_linked_race` and `deaths_estimates` of every pairing linked
    (`linkage.quality` has a row for each), and of every trio whose three pairings were, over
    a DuckDB connection with a `deaths` view."""
    overlap, race, estimates = [], [], []
    by_name, datas = {p.name: p for p in pairings}, {}
    for quality in linkage.quality.to_dict("records"):
        if not by_name[quality["pairing"]].overlap:
            continue
        data = PairingData(con, by_name[quality["pairing"]], quality, linkage.links, sources,
                           linkage.members)
        datas[data.pairing.name] = data
        overlap += overlap_rows(data)
        race += linked_race_rows(data) if data.pairing.cross_race else []
        estimates += estimate_rows(data)
    for trio in trios:
        estimates += trio_rows(trio, datas)
    return {"deaths_overlap": pd.DataFrame(overlap), "deaths_linked_race": pd.DataFrame(race),
            "deaths_estimates": pd.DataFrame(estimates)}
