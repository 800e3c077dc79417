"""Anomaly warnings: each new snapshot of a run compared with its own files and with the
previous snapshot of the same source and product.

- a file whose quarantine is above `quarantine_share` of the rows read;
- a file whose rows repeat the publisher's record ids (check `record_id_unique`) above
  `repeated_id_share`;
- a snapshot whose share of flagged rows rises by more than `flag_share_jump` over the previous
  snapshot's;
- yearly grand totals (every dimension `all`, per year basis, unit, subject and stage) that
  move by more than `yearly_total_share` and at least `yearly_total_min` from the newest
  earlier snapshot of the same source and product, for years neither marks partial. A range
  (a withheld or disputed total) moves by the gap between the two ranges.

A snapshot is new when the previous release did not hold it; with no previous release every
snapshot read is new. The previous snapshot's figures come from this release, or else from the
previous one. Warnings are reported (the run exits 1 and notifies); nothing published changes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipelines import snapshots
from pipelines.config import AnomalyThresholds
from pipelines.settings import active
from pipelines.stats.cases import STREAMS
from pipelines.stats.deaths import DIMENSIONS as DEATH_DIMENSIONS
from pipelines.stats.deaths import FIXED as DEATH_FIXED
from pipelines.stored import StoredTable

STATS_TABLES = ("deaths_stats", "crimes_stats", "prosecutions_stats")
REPEATED_ID_CHECK = "record_id_unique"
EXAMPLES = 3  # years named in a yearly-total warning


def find_anomalies(tables: dict, summaries: list[dict], previous: Path | None,
                   thresholds: AnomalyThresholds | None = None) -> list[dict]:
    """The anomaly warnings of the new snapshots of this run (see the module docstring), each
    a dict with source, snapshot, file, measure, value, previous, compared_with, threshold and
    `text` (one line naming all of them)."""
    limits = thresholds or active().anomaly_thresholds
    sources = tables["sources"]
    old_sources = _read(previous, "sources")
    new = _new_snapshots(summaries, sources, old_sources)
    if not new:
        return []
    found = _file_checks(sources, tables.get("quarantine"), new, limits)
    every = _concat([sources, old_sources[~_keys(old_sources).isin(set(_keys(sources)))]
                     if len(old_sources) else old_sources])
    every = every[~every["is_sample"].astype(bool)]  # never compared with invented records
    order = _snapshot_order(every)
    found += _flag_checks(every, new, order, limits)
    found += _yearly_checks(tables, previous, every, new, order, limits)
    return found


# --- which snapshots ------------------------------------------------------------------------

def _read(release: Path | None, table: str) -> pd.DataFrame:
    path = release / "tables" / f"{table}.parquet" if release is not None else None
    return pd.read_parquet(path) if path is not None and path.is_file() else pd.DataFrame()


def _keys(frame: pd.DataFrame) -> pd.Series:
    if frame.empty:
        return pd.Series([], dtype=object)
    return pd.Series(list(zip(frame["source"], frame["snapshot"])), index=frame.index)


def _new_snapshots(summaries: list[dict], sources: pd.DataFrame,
                   old_sources: pd.DataFrame) -> set[tuple[str, str]]:
    """(source, snapshot) read this run that the previous release did not hold. Generated
    sample snapshots are never checked: their records are invented, with defects on purpose."""
    read = {(s["source"], f["snapshot"]) for s in summaries for f in s["files"]
            if f.get("status") == "ok"}
    read -= set(_keys(sources[sources["is_sample"].astype(bool)]))
    if old_sources.empty:
        return read
    held = old_sources[old_sources["status"].isin(["ok", "carried_forward"])]
    return read - set(_keys(held))


def _snapshot_order(sources: pd.DataFrame) -> pd.DataFrame:
    """One row per (source, snapshot) with its product and its rank among the snapshots of
    its source and product (oldest 0), by `Snapshot.sort_key`."""
    rows = sources.drop_duplicates(["source", "snapshot"])
    snaps = sorted((snapshots.Snapshot(source=r.source, name=r.snapshot, folder=Path("."),
                                       kind=r.kind, product=r.product, period_start=r.period_start,
                                       period_end=r.period_end, meta={"sample": bool(r.is_sample)})
                    for r in rows.itertuples()),
                   key=lambda s: (s.source, s.product, s.sort_key))
    ranks, seen = [], {}
    for snap in snaps:
        ranks.append(seen.get((snap.source, snap.product), 0))
        seen[(snap.source, snap.product)] = ranks[-1] + 1
    return pd.DataFrame({"source": [s.source for s in snaps], "snapshot": [s.name for s in snaps],
                         "product": [s.product for s in snaps], "rank": pd.array(ranks, dtype="int64")})


def _previous_of(order: pd.DataFrame, source: str, snapshot: str) -> pd.DataFrame:
    """The snapshots of the same source and product ranked before `snapshot`, newest first."""
    me = order[(order["source"] == source) & (order["snapshot"] == snapshot)]
    if me.empty:
        return order.iloc[0:0]
    product, rank = me["product"].iloc[0], me["rank"].iloc[0]
    before = order[(order["source"] == source) & (order["product"] == product) & (order["rank"] < rank)]
    return before.sort_values("rank", ascending=False)


# --- the file itself --------------------------------------------------------------------------

def _file_checks(sources: pd.DataFrame, quarantine: pd.DataFrame | None,
                 new: set[tuple[str, str]], limits: AnomalyThresholds) -> list[dict]:
    """Quarantine share and repeated publisher ids, per file of a new snapshot."""
    found = []
    repeated = {}
    if quarantine is not None and len(quarantine):
        rows = quarantine[quarantine["check"] == REPEATED_ID_CHECK]
        repeated = rows.groupby(["source", "snapshot", "file"])["raw_row"].nunique().to_dict()
    files = sources[(sources["status"] == "ok") & _keys(sources).isin(new)]
    for r in files.sort_values(["source", "snapshot", "file"]).itertuples():
        read = int(r.rows_read or 0)
        if not read:
            continue
        quarantined = int(r.rows_quarantined or 0)
        if quarantined / read > limits.quarantine_share:
            found.append(_warning(
                r.source, r.snapshot, r.file, "quarantine_share", quarantined / read, None, None,
                limits.quarantine_share,
                f"{quarantined:,} of {read:,} rows read were quarantined ({quarantined / read:.1%}), "
                f"above the {limits.quarantine_share:.0%} threshold (see table quarantine)"))
        twice = int(repeated.get((r.source, r.snapshot, r.file), 0))
        if twice and twice / read > limits.repeated_id_share:
            found.append(_warning(
                r.source, r.snapshot, r.file, "repeated_ids", twice / read, None, None,
                limits.repeated_id_share,
                f"{twice:,} of {read:,} rows repeat the record id of an earlier row "
                f"({twice / read:.1%}; threshold {limits.repeated_id_share:.0%}): a duplicated "
                "file or export?"))
    return found


# --- against the previous snapshot ------------------------------------------------------------

def _flag_checks(sources: pd.DataFrame, new: set[tuple[str, str]], order: pd.DataFrame,
                 limits: AnomalyThresholds) -> list[dict]:
    """Share of flagged rows of a new snapshot against its previous snapshot's."""
    usable = sources[sources["status"].isin(["ok", "carried_forward"])]
    per = usable.groupby(["source", "snapshot"]).agg(
        read=("rows_read", "sum"), flagged=("rows_flagged", "sum"),
        files=("file", lambda f: ", ".join(sorted(f))))
    found = []
    for source, snapshot in sorted(new):
        if (source, snapshot) not in per.index:
            continue
        mine = per.loc[(source, snapshot)]
        earlier = [p for p in _previous_of(order, source, snapshot)["snapshot"]
                   if (source, p) in per.index and per.loc[(source, p), "read"]]
        if not earlier or not mine["read"]:
            continue
        old = per.loc[(source, earlier[0])]
        share, old_share = float(mine["flagged"] / mine["read"]), float(old["flagged"] / old["read"])
        if share - old_share > limits.flag_share_jump:
            found.append(_warning(
                source, snapshot, mine["files"], "flag_share", share, old_share, earlier[0],
                limits.flag_share_jump,
                f"{int(mine['flagged']):,} of {int(mine['read']):,} rows carry a consistency flag "
                f"({share:.1%}), against {old_share:.1%} in snapshot {earlier[0]}: up more than "
                f"{limits.flag_share_jump:.0%} (see the flags column of the records)"))
    return found


def _grand_totals(con: duckdb.DuckDBPyConnection, relation: str, table: str) -> pd.DataFrame:
    """Grand-total rows of a statistics table (every dimension `all`): source, snapshot, year,
    partial_year, `basis` (the values of the other fixed keys: year basis, unit, subject,
    stage), value, value_min, value_max."""
    if table == "deaths_stats":
        fixed, dims = list(DEATH_FIXED) + ["unit"], list(DEATH_DIMENSIONS)
    else:
        spec = STREAMS[table.removesuffix("_stats")]
        fixed, dims = list(spec["fixed"]), list(spec["dims"])
    columns = set(con.sql(f"SELECT * FROM {relation} LIMIT 0").columns)
    basis = [c for c in fixed if c not in ("source", "snapshot", "year") and c in columns]
    label = " || ', ' || ".join(f"coalesce({c}::VARCHAR, '')" for c in basis) or "''"
    where = " AND ".join(f"{d} = 'all'" for d in dims if d in columns) or "TRUE"
    return con.sql(f"""
        SELECT '{table}' AS tab, source, snapshot, year::INTEGER AS year, partial_year,
               {label} AS basis, value, value_min, value_max
        FROM {relation} WHERE {where}""").to_arrow_table().to_pandas()


def _relation(con: duckdb.DuckDBPyConnection, data, name: str) -> str | None:
    """SQL naming a statistics table: a frame registered on `con`, or a Parquet file."""
    if isinstance(data, StoredTable):
        return f"read_parquet('{data.path}')"
    if isinstance(data, Path):
        return f"read_parquet('{data}')" if data.is_file() else None
    if data is None or len(data) == 0:
        return None
    con.register(name, data)
    return name


def _yearly_checks(tables: dict, previous: Path | None, sources: pd.DataFrame,
                   new: set[tuple[str, str]], order: pd.DataFrame,
                   limits: AnomalyThresholds) -> list[dict]:
    """Yearly grand totals of each new snapshot against the newest earlier snapshot of its
    source and product with a full-year figure on the same basis."""
    held = set(_keys(tables["sources"][tables["sources"]["status"].isin(["ok", "carried_forward"])]))
    con = duckdb.connect()
    try:
        frames = []
        for table in STATS_TABLES:
            here = _relation(con, tables.get(table), f"this_{table}")
            if here is not None:
                frames.append(_grand_totals(con, here, table))
            there = _relation(con, previous / "tables" / f"{table}.parquet", "") \
                if previous is not None else None
            if there is not None:  # snapshots this release no longer holds
                old = _grand_totals(con, there, table)
                frames.append(old[~_keys(old).isin(held)])
    finally:
        con.close()
    totals = _concat(frames)
    if totals.empty:
        return []
    totals = totals[~totals["partial_year"].astype(bool)].merge(
        order[["source", "snapshot", "product", "rank"]], on=["source", "snapshot"])
    files = sources.groupby(["source", "snapshot"])["file"].agg(lambda f: ", ".join(sorted(f)))
    found = []
    for (source, snapshot), mine in totals[_keys(totals).isin(new)].groupby(["source", "snapshot"]):
        earlier = totals[(totals["source"] == source) & (totals["product"] == mine["product"].iloc[0])
                         & (totals["rank"] < mine["rank"].iloc[0])]
        if earlier.empty:
            continue
        newest = earlier.sort_values("rank").drop_duplicates(["tab", "basis", "year"], keep="last")
        pairs = mine.merge(newest, on=["tab", "basis", "year"], suffixes=("", "_old"))
        moved = [m for m in (_move(r) for r in pairs.itertuples()) if _is_large(m, limits)]
        if moved:
            found.append(_yearly_warning(source, snapshot, files.get((source, snapshot), ""),
                                         moved, len(pairs), limits))
    return found


def _move(r) -> dict:
    """How far a yearly total moved: exact values, or the gap between two ranges."""
    if pd.notna(r.value) and pd.notna(r.value_old):
        lo = hi = int(r.value)
        lo_old = hi_old = int(r.value_old)
    else:
        lo, hi = int(r.value_min), int(r.value_max)
        lo_old, hi_old = int(r.value_min_old), int(r.value_max_old)
    gap = max(0, lo - hi_old, lo_old - hi)
    return {"table": r.tab, "basis": r.basis, "year": int(r.year),
            "previous": f"{lo_old:,}" if lo_old == hi_old else f"[{lo_old:,}, {hi_old:,}]",
            "value": f"{lo:,}" if lo == hi else f"[{lo:,}, {hi:,}]", "gap": gap,
            "share": gap / hi_old if hi_old else float("inf"), "previous_snapshot": r.snapshot_old,
            "up": lo + hi > lo_old + hi_old}


def _is_large(move: dict, limits: AnomalyThresholds) -> bool:
    return move["gap"] >= limits.yearly_total_min and move["share"] > limits.yearly_total_share


def _yearly_warning(source: str, snapshot: str, files: str, moved: list[dict], compared: int,
                    limits: AnomalyThresholds) -> dict:
    """One warning per snapshot, naming its largest moves (all of them under `years`)."""
    moved = sorted(moved, key=lambda m: (-m["share"], m["table"], m["basis"], m["year"]))
    against = sorted({m["previous_snapshot"] for m in moved})
    examples = "; ".join(f"{m['year']} {m['table']} ({m['basis']}): {m['previous']} -> {m['value']} "
                         f"({'+' if m['up'] else '-'}{m['share']:.0%})" for m in moved[:EXAMPLES])
    top = moved[0]
    return _warning(
        source, snapshot, files, "yearly_total", top["value"], top["previous"], ", ".join(against),
        limits.yearly_total_share,
        f"yearly totals moved by more than {limits.yearly_total_share:.0%} (and "
        f"{limits.yearly_total_min:,}) from snapshot {', '.join(against)} in {len(moved)} of "
        f"{compared} years both cover in full (per table, year basis, unit and subject), "
        f"largest: {examples}",
        years=[{k: m[k] for k in ("table", "basis", "year", "previous", "value", "previous_snapshot")}
               for m in moved])


def _warning(source: str, snapshot: str, file: str, measure: str, value, previous,
             compared_with: str | None, threshold: float, what: str, **extra) -> dict:
    return {"source": source, "snapshot": snapshot, "file": file, "measure": measure,
            "value": value, "previous": previous, "compared_with": compared_with,
            "threshold": threshold, "text": f"anomaly in {snapshot}/{file}: {what}", **extra}


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
