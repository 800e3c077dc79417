"""Assemble the release tables from the processed parts: `deaths`, `deaths_stats`, `sources`,
`coverage`, `quarantine`, `unmapped_values`. Each is validated against its schema.

When a source could not be read this run, its last good rows are carried forward from the
previous release and marked so in `sources` (status `carried_forward`)."""

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
SOURCE_COLUMNS = list(Sources.to_schema().columns)
FILE_KEY = ["source", "snapshot", "file"]


def empty_table(model) -> pd.DataFrame:
    """A table with no rows but the model's columns and types."""
    columns = model.to_schema().columns
    return pd.DataFrame({c: pd.Series(dtype=col.dtype.type) for c, col in columns.items()})


def _file_row(spec, snap: snapshots.Snapshot, f: dict) -> dict:
    """One `sources` row for a file processed in this run."""
    described = snap.files.get(f["file"], {})
    path = snap.folder / f["file"]
    on_disk = bool(f["file"]) and path.is_file()
    return {
        "source": spec.id, "title": spec.title, "publisher": spec.publisher,
        "landing_page": spec.landing_page, "licence": spec.licence, "citation": spec.citation,
        "snapshot": snap.name, "kind": snap.kind, "product": snap.product,
        "retrieved": snap.meta.get("retrieved"), "period_start": snap.period_start,
        "period_end": (snap.period_end_date().isoformat() if snap.period_end_date() else None),
        "is_latest": False, "is_sample": snap.is_sample, "file": f["file"],
        "sha256": described.get("sha256") or (snapshots.sha256_file(path) if on_disk else ""),
        "bytes": described.get("bytes") or (path.stat().st_size if on_disk else 0),
        "format_version": f["format_version"], "status": f["status"], "error": f["error"],
        "carried_forward_from": None, "rows_read": f["rows_read"],
        "rows_accepted": f["rows_accepted"], "rows_quarantined": f["rows_quarantined"],
        "rows_flagged": f["rows_flagged"],
    }


def run_sources(raw_dir: Path, summaries: list[dict]) -> pd.DataFrame:
    """`sources` rows for every file this run tried to read."""
    rows = []
    for summary in summaries:
        spec = SOURCES[summary["source"]].SOURCE
        found = {s.name: s for s in snapshots.discover(raw_dir, summary["source"])}
        rows += [_file_row(spec, found[f["snapshot"]], f) for f in summary["files"]]
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def _read_previous(previous: Path, table: str) -> pd.DataFrame:
    path = previous / "tables" / f"{table}.parquet"
    return pd.read_parquet(path) if path.is_file() else pd.DataFrame()


def carry_forward(previous: Path | None, this_run: pd.DataFrame,
                  failed_sources: set[str]) -> dict[str, pd.DataFrame]:
    """Rows of the previous release for sources that failed this run, except files this run
    did read. Returns sources, records, quarantine and unmapped frames (possibly empty)."""
    empty = {"sources": pd.DataFrame(columns=SOURCE_COLUMNS), "deaths": pd.DataFrame(),
             "crimes": pd.DataFrame(), "prosecutions": pd.DataFrame(),
             "quarantine": pd.DataFrame(), "unmapped": pd.DataFrame()}
    if previous is None or not failed_sources:
        return empty
    old = _read_previous(previous, "sources")
    if old.empty:
        return empty
    read_ok = this_run.loc[this_run["status"] == "ok", FILE_KEY]
    keep = old[old["source"].isin(failed_sources) & old["status"].isin(["ok", "carried_forward"])]
    keep = keep.merge(read_ok, on=FILE_KEY, how="left", indicator=True)
    keep = keep[keep["_merge"] == "left_only"].drop(columns="_merge")
    if keep.empty:
        return empty
    keep = keep.assign(status="carried_forward",
                       carried_forward_from=keep["carried_forward_from"].fillna(previous.name))
    keys = keep[FILE_KEY]

    def rows_of(table: str, file_column: str) -> pd.DataFrame:
        frame = _read_previous(previous, table)
        if frame.empty:
            return frame
        matched = frame.merge(keys.rename(columns={"file": file_column}),
                              on=["source", "snapshot", file_column])
        return matched[frame.columns]

    return {"sources": keep[SOURCE_COLUMNS], "deaths": rows_of("deaths", "raw_file"),
            "crimes": rows_of("crimes", "raw_file"), "prosecutions": rows_of("prosecutions", "raw_file"),
            "quarantine": rows_of("quarantine", "file"), "unmapped": rows_of("unmapped_values", "file")}


def latest_keys(sources: pd.DataFrame) -> set[tuple[str, str]]:
    """Newest full snapshot per source and product among snapshots that have data."""
    usable = sources[sources["status"].isin(["ok", "carried_forward"])]
    snaps = [snapshots.Snapshot(source=r.source, name=r.snapshot, folder=Path("."), kind=r.kind,
                                product=r.product, period_start=r.period_start,
                                period_end=r.period_end, meta={"sample": bool(r.is_sample)})
             for r in usable.drop_duplicates(["source", "snapshot"]).itertuples()]
    latest = set()
    for source in {s.source for s in snaps}:
        latest |= {(source, s.name) for s in snapshots.latest_per_product(
            [s for s in snaps if s.source == source])}
    return latest


def _with_latest(frame: pd.DataFrame, latest: set) -> pd.DataFrame:
    if frame.empty:
        return frame
    keys = pd.Series(list(zip(frame["source"], frame["snapshot"])), index=frame.index)
    return frame.assign(is_latest=keys.isin(latest))


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
        for (source, snapshot, is_latest), cells in single.groupby(["source", "snapshot", "is_latest"]):
            total = int(cells["value"].sum())
            unrecorded = int(cells.loc[cells[dim].isin(NOT_RECORDED), "value"].sum())
            known = int(cells.loc[~cells[dim].isin(NOT_KNOWN), "value"].sum())
            rows.append({"source": source, "snapshot": snapshot, "is_latest": is_latest,
                         "stream": stream, "dimension": dim,
                         "recorded": "no" if unrecorded == total else "yes" if unrecorded == 0 else "partly",
                         "known_share": known / total if total else None, "total": total})
    frame = pd.DataFrame(rows, columns=list(Coverage.to_schema().columns))
    return Coverage.validate(frame.sort_values(["source", "snapshot", "dimension"], ignore_index=True))


def _stats_of(records: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """`deaths_stats` over the accepted records, validated and checked (blocking)."""
    if records.empty:
        return empty_table(DeathsStats)
    info = sources[["source", "snapshot", "is_latest", "period_end"]].drop_duplicates(["source", "snapshot"])
    info = info.assign(period_end=pd.to_datetime(info["period_end"], errors="coerce"))
    con = duckdb.connect()
    try:
        con.register("deaths_frame", records)
        con.execute("CREATE TABLE deaths AS SELECT * FROM deaths_frame")
        person = {sid: SOURCES[sid].SOURCE.person_level for sid in records["source"].unique()}
        stats = deaths_stats(con, person, info)
    finally:
        con.close()
    stats = DeathsStats.validate(stats, lazy=True)
    check_deaths(stats, records)
    return stats


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def build_tables(raw_dir: Path, summaries: list[dict], previous: Path | None = None,
                 failed_sources: set[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every table of a release, validated; failed sources carried forward from `previous`."""
    this_run = run_sources(raw_dir, summaries)
    failed = set(failed_sources or ()) | set(this_run.loc[this_run["status"] == "failed", "source"])
    carried = carry_forward(previous, this_run, failed)
    sources = _concat([this_run, carried["sources"]])
    if sources.empty:
        sources = empty_table(Sources)
    latest = latest_keys(sources)
    sources = _with_latest(sources, latest)
    records = _with_latest(_concat([read_parts(summaries, "deaths"), carried["deaths"]]), latest)
    if len(records):
        records = Deaths.validate(records.sort_values(["source", "snapshot", "raw_file", "raw_row"],
                                                      ignore_index=True), lazy=True)
    else:
        records = empty_table(Deaths)
    stats = _stats_of(records, sources)
    quarantine = _concat([read_parts(summaries, "quarantine"), carried["quarantine"]])
    unmapped = _concat([read_parts(summaries, "unmapped"), carried["unmapped"]])
    return {
        "deaths": records,
        "deaths_stats": stats,
        "sources": Sources.validate(sources.sort_values(FILE_KEY, ignore_index=True)),
        "coverage": coverage_table(stats, "deaths"),
        "quarantine": (Quarantine.validate(quarantine.sort_values(
            ["source", "snapshot", "file", "raw_row", "column"], ignore_index=True))
            if len(quarantine) else empty_table(Quarantine)),
        "unmapped_values": (UnmappedValues.validate(unmapped[list(UnmappedValues.to_schema().columns)].sort_values(
            ["source", "snapshot", "file", "mapping", "column", "value"], ignore_index=True))
            if len(unmapped) else empty_table(UnmappedValues)),
    }
