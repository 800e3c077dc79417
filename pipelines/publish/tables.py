"""Assemble the release tables from the processed parts: `deaths`, `deaths_stats`, `sources`,
`coverage`, `quarantine`, `unmapped_values`. Each is validated against its schema."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipelines import snapshots
from pipelines.process import read_parts
from pipelines.publish.checks import check_deaths
from pipelines.publish.stats import deaths_stats
from pipelines.registry import SOURCES
from schemas.deaths import Deaths, DeathsStats
from schemas.metadata import Coverage, Quarantine, Sources, UnmappedValues

LETTER_DIMENSIONS = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity")
NOT_KNOWN = ("unknown", "not_recorded", "UNKNOWN", "NOT_RECORDED")
NOT_RECORDED = ("not_recorded", "NOT_RECORDED")


def empty_table(model) -> pd.DataFrame:
    """A table with no rows but the model's columns and types."""
    columns = model.to_schema().columns
    return pd.DataFrame({c: pd.Series(dtype=col.dtype.type) for c, col in columns.items()})


def latest_snapshots(raw_dir: Path, source_ids: list[str]) -> set[tuple[str, str]]:
    """(source, snapshot) pairs that are the newest full snapshot of their product."""
    return {(sid, s.name) for sid in source_ids
            for s in snapshots.latest_per_product(snapshots.discover(raw_dir, sid))}


def snapshot_table(raw_dir: Path, summaries: list[dict], latest: set) -> pd.DataFrame:
    """One row per processed (source, snapshot): is_latest, period end, the sidecar."""
    rows = []
    for summary in summaries:
        for snap in snapshots.discover(raw_dir, summary["source"]):
            if snap.name in summary["snapshots_selected"]:
                end = snap.period_end_date()
                rows.append({"source": snap.source, "snapshot": snap.name,
                             "is_latest": (snap.source, snap.name) in latest,
                             "period_end": pd.Timestamp(end) if end else pd.NaT,
                             "kind": snap.kind, "product": snap.product,
                             "retrieved": snap.meta.get("retrieved"), "is_sample": snap.is_sample,
                             "files": snap.files, "folder": snap.folder})
    return pd.DataFrame(rows)


def sources_table(summaries: list[dict], snaps: pd.DataFrame) -> pd.DataFrame:
    """The `sources` table: one row per raw file read, with row accounting."""
    rows = []
    by_key = {(r.source, r.snapshot): r for r in snaps.itertuples()}
    for summary in summaries:
        spec = SOURCES[summary["source"]].SOURCE
        for f in summary["files"]:
            snap = by_key[(f["source"], f["snapshot"])]
            described = snap.files.get(f["file"], {})
            path = Path(snap.folder) / f["file"]
            rows.append({
                "source": spec.id, "title": spec.title, "publisher": spec.publisher,
                "landing_page": spec.landing_page, "licence": spec.licence,
                "citation": spec.citation, "snapshot": f["snapshot"], "kind": snap.kind,
                "product": snap.product, "retrieved": snap.retrieved, "is_latest": snap.is_latest,
                "is_sample": snap.is_sample, "file": f["file"],
                "sha256": described.get("sha256") or (snapshots.sha256_file(path) if path.is_file() else ""),
                "bytes": described.get("bytes") or (path.stat().st_size if path.is_file() else 0),
                "format_version": f["format_version"], "status": f["status"], "error": f["error"],
                "rows_read": f["rows_read"], "rows_accepted": f["rows_accepted"],
                "rows_quarantined": f["rows_quarantined"], "rows_flagged": f["rows_flagged"],
            })
    frame = pd.DataFrame(rows, columns=list(Sources.to_schema().columns))
    return Sources.validate(frame.sort_values(["source", "snapshot", "file"], ignore_index=True))


def coverage_table(stats: pd.DataFrame, stream: str) -> pd.DataFrame:
    """Per source and snapshot, for each letter dimension: is it recorded, and what share of
    the count has a known value. Read off the one-dimension margins of the stats table."""
    if stats.empty:
        return empty_table(Coverage)
    dims = [c for c in ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                        "country_iso3", "cause", "criminal", "scope", "status") if c in stats]
    rows = []
    for dim in LETTER_DIMENSIONS:
        others = [d for d in dims if d != dim]
        single = stats[(stats[dim] != "all") & (stats[others] == "all").all(axis=1)]
        grouped = single.groupby(["source", "snapshot", "is_latest"])
        for (source, snapshot, is_latest), cells in grouped:
            total = int(cells["value"].sum())
            unrecorded = int(cells.loc[cells[dim].isin(NOT_RECORDED), "value"].sum())
            known = int(cells.loc[~cells[dim].isin(NOT_KNOWN), "value"].sum())
            rows.append({"source": source, "snapshot": snapshot, "is_latest": is_latest,
                         "stream": stream, "dimension": dim,
                         "recorded": "no" if unrecorded == total else "yes" if unrecorded == 0 else "partly",
                         "known_share": known / total if total else None, "total": total})
    frame = pd.DataFrame(rows, columns=list(Coverage.to_schema().columns))
    return Coverage.validate(frame.sort_values(["source", "snapshot", "dimension"], ignore_index=True))


def deaths_table(summaries: list[dict], latest: set) -> pd.DataFrame:
    """All accepted death records, `is_latest` set, in a stable order."""
    records = read_parts(summaries, "records")
    if records.empty:
        return empty_table(Deaths)
    keys = pd.Series(list(zip(records["source"], records["snapshot"])), index=records.index)
    records["is_latest"] = keys.isin(latest)
    records = records.sort_values(["source", "snapshot", "raw_file", "raw_row"], ignore_index=True)
    return Deaths.validate(records, lazy=True)


def build_tables(raw_dir: Path, summaries: list[dict]) -> dict[str, pd.DataFrame]:
    """Every table of a release, validated."""
    source_ids = [s["source"] for s in summaries]
    latest = latest_snapshots(raw_dir, source_ids)
    snaps = snapshot_table(raw_dir, summaries, latest)
    deaths = deaths_table(summaries, latest)
    stats = empty_table(DeathsStats)
    if len(deaths):
        con = duckdb.connect()
        con.register("deaths_frame", deaths)
        con.execute("CREATE TABLE deaths AS SELECT * FROM deaths_frame")
        person = {sid: SOURCES[sid].SOURCE.person_level for sid in deaths["source"].unique()}
        stats = deaths_stats(con, person, snaps[["source", "snapshot", "is_latest", "period_end"]])
        con.close()
    stats = DeathsStats.validate(stats, lazy=True)
    if len(deaths):
        check_deaths(stats, deaths)
    quarantine = read_parts(summaries, "quarantine")
    unmapped = read_parts(summaries, "unmapped")
    return {
        "deaths": deaths,
        "deaths_stats": stats,
        "sources": sources_table(summaries, snaps) if len(snaps) else empty_table(Sources),
        "coverage": coverage_table(stats, "deaths"),
        "quarantine": Quarantine.validate(quarantine) if len(quarantine) else empty_table(Quarantine),
        "unmapped_values": (UnmappedValues.validate(unmapped[list(UnmappedValues.to_schema().columns)])
                            if len(unmapped) else empty_table(UnmappedValues)),
    }
