"""Assemble the release tables from the processed parts: the record tables, their statistics,
`sources`, `coverage`, `quarantine`, `unmapped_values`. Each is validated against its schema.

When a source could not be read this run, its last good rows are carried forward from the
previous release and marked so in `sources` (status `carried_forward`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import snapshots
from pipelines.concurrency import in_threads
from pipelines.settings import active
from pipelines.sources.cases import NOT_IN_STATS
from pipelines.sources.process import part_list, part_paths, read_parts
from pipelines.sources.registry import SOURCES
from pipelines.sql import sql_text
from pipelines.stats.cases import (STREAMS, aggregate_stats_of, finish_stats, person_stats_sql,
                                          source_facts)
from pipelines.stats.checks import (BlockingCheckError, NothingToPublish, check_cases, check_deaths,
                                      check_no_names)
from pipelines.stats.deaths import DIMENSIONS as DEATH_DIMENSIONS
from pipelines.stats.deaths import PUBLISHED_ROWS, deaths_stats
from pipelines.stats.linkage import link_all, previous_linkage
from pipelines.stats.pairings import PAIRINGS
from pipelines.stats.overlap import overlap_tables
from pipelines.stats.reconcile.cube import NO_BREAKDOWN, Layout
from pipelines.stats.reconcile.repeats import REPEAT_ID_FULL
from pipelines.stored import (StoredTable, assemble, connect, filtered_batches,
                                      parquet_list, part_batches, repeated_keys, write_frames)
from schemas.crimes import Crimes, CrimesStats, Prosecutions, ProsecutionsStats, SourceInconsistencies
from schemas.deaths import Deaths, DeathsStats
from schemas.linkage import LinkageQuality, RecordLinks
from schemas.overlap import DeathsEstimates, DeathsLinkedRace, DeathsOverlap
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
    path = snap.folder / f["file"]
    on_disk = bool(f["file"]) and path.is_file()
    # The file as read where it is on disk, never the sidecar's word for it (a file that
    # differs from its sidecar is a warning of the run: `snapshots.sidecar_mismatch`).
    described = {} if on_disk else snap.files.get(f["file"], {})
    title, citation = spec.title_of(snap.product)
    return {
        "source": spec.id, "title": title, "publisher": spec.publisher,
        "landing_page": spec.landing_page, "licence": spec.licence, "citation": citation,
        "snapshot": snap.name, "kind": snap.kind, "product": snap.product,
        "retrieved": snap.meta.get("retrieved"), "period_start": snap.period_start,
        "period_end": (snap.period_end_date().isoformat() if snap.period_end_date() else None),
        "records_end": f.get("records_end"),
        "is_latest": False, "is_sample": snap.is_sample, "file": f["file"],
        "sha256": described.get("sha256") or (snapshots.raw_sha256(path) if on_disk else ""),
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
        spec = SOURCES[summary["source"]].spec
        found = {s.name: s for s in snapshots.discover(raw_dir, SOURCES[summary["source"]])}
        rows += [_file_row(spec, found[f["snapshot"]], f) for f in summary["files"]]
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def _read_previous(previous: Path, table: str) -> pd.DataFrame:
    path = previous / "tables" / f"{table}.parquet"
    return pd.read_parquet(path) if path.is_file() else pd.DataFrame()


def carry_forward(previous: Path | None, this_run: pd.DataFrame,
                  failed_sources: set[str]) -> dict[str, pd.DataFrame]:
    """What the previous release holds for sources that failed this run, except files this
    run did read: their `sources` rows, quarantine and unmapped frames, and `keys` (source,
    snapshot, file) whose records `store_records` copies (possibly all empty)."""
    empty = {"sources": pd.DataFrame(columns=SOURCE_COLUMNS), "keys": pd.DataFrame(columns=FILE_KEY),
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
    keys = keep[FILE_KEY].reset_index(drop=True)

    def rows_of(table: str, file_column: str) -> pd.DataFrame:
        frame = _read_previous(previous, table)
        if frame.empty:
            return frame
        matched = frame.merge(keys.rename(columns={"file": file_column}),
                              on=["source", "snapshot", file_column])
        return matched[frame.columns]

    return {"sources": keep.reindex(columns=SOURCE_COLUMNS), "keys": keys,
            "quarantine": rows_of("quarantine", "file"), "unmapped": rows_of("unmapped_values", "file")}


def without_carried(this_run: pd.DataFrame, carried: pd.DataFrame) -> pd.DataFrame:
    """This run's `sources` rows less the failed files whose last good rows are carried
    forward under the same key (a broken file replacing a good one in its snapshot): one row
    per file, the carried one, which takes this run's error."""
    if carried.empty or this_run.empty:
        return this_run
    failed = this_run[this_run["status"] == "failed"].set_index(FILE_KEY)["error"]
    keys = pd.MultiIndex.from_frame(carried[FILE_KEY])
    replaced = failed.index.intersection(keys)
    if replaced.empty:
        return this_run
    errors = failed.loc[replaced]
    on_key = keys.isin(replaced)
    carried.loc[on_key, "error"] = [f"{errors.loc[k]} (this run; the rows of its last good "
                                    f"version are carried forward)" for k in keys[on_key]]
    rows = pd.MultiIndex.from_frame(this_run[FILE_KEY])
    return this_run[~(rows.isin(replaced) & (this_run["status"] == "failed").to_numpy())]


def check_something_to_publish(sources: pd.DataFrame, raw_dir: Path) -> None:
    """A release needs a file read this run or rows carried forward: when every file failed
    and no earlier release holds rows of them, nothing is published (NothingToPublish)."""
    if sources["status"].isin(["ok", "carried_forward"]).any():
        return
    if sources.empty:
        raise NothingToPublish("no file of any chosen source was read")
    def short(error) -> str:  # the error's first line, paths relative to the raw folder
        line = str(error or "failed").splitlines()[0]
        for root in {f"{Path(raw_dir)}/", f"{Path(raw_dir).resolve()}/"}:
            line = line.replace(root, "")
        return line

    failures = "; ".join(f"{r.source} {r.snapshot}/{r.file}: {short(r.error)}" for r in sources.itertuples())
    raise NothingToPublish(f"every source failed, and no earlier release holds rows of them: {failures}")


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


def coverage_table(stats: pd.DataFrame, stream: str, dims: tuple[str, ...]) -> pd.DataFrame:
    """Per source, snapshot, unit and subject (and stage, for prosecutions: stages count the
    same people again and are never added), for each letter dimension: is it recorded, and
    what share of the count has a known value. Read off the one-dimension margins."""
    columns = list(Coverage.to_schema().columns)
    if stats.empty:
        return pd.DataFrame(columns=columns)
    groups = ["source", "snapshot", "is_latest", "unit"] + [c for c in ("subject", "stage") if c in stats]
    rows = []
    for dim in LETTER_DIMENSIONS:
        others = [d for d in dims if d != dim]
        single = stats[(stats[dim] != "all") & (stats[others] == "all").all(axis=1)]
        for key, cells in single.groupby(groups):
            # Upper bounds where a value is withheld or a range (a margin the source's tables
            # disagree on), the same measure for the total and its not-recorded part.
            measure = cells["value"].fillna(cells["value_max"])
            total = int(measure.sum())
            unrecorded = int(measure[cells[dim].isin(NOT_RECORDED)].sum())
            known = int(cells.loc[~cells[dim].isin(NOT_KNOWN), "value_min"].sum())
            row = dict(zip(groups, key))
            rows.append({**row, "subject": row.get("subject"), "stage": row.get("stage"),
                         "stream": stream, "dimension": dim,
                         "recorded": "no" if unrecorded == total else "yes" if unrecorded == 0 else "partly",
                         "known_share": known / total if total else None, "total": total})
    return pd.DataFrame(rows, columns=columns)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def store_records(table: str, summaries: list[dict], previous: Path | None,
                  carried_keys: pd.DataFrame, latest: set, store_dir: Path) -> StoredTable | None:
    """One record table: this run's parts plus the carried-forward rows of the previous
    release, `is_latest` set, in key order (source, snapshot, raw_file, raw_row, record_id),
    streamed into `store_dir/<table>.parquet`. None when there are no rows at all."""
    groups, schema = [], None
    for summary in summaries:
        for f in summary["files"]:
            paths = part_list((f.get("parts") or {}).get(table))
            if paths:
                groups.append(((summary["source"], f["snapshot"], f["file"]), part_batches(paths)))
                schema = schema or pq.read_schema(paths[0])
    old = previous / "tables" / f"{table}.parquet" if previous is not None else None
    if old is not None and old.is_file() and len(carried_keys):
        for key in carried_keys[FILE_KEY].itertuples(index=False):
            groups.append((tuple(key), filtered_batches(old, dict(zip(
                ["source", "snapshot", "raw_file"], key)))))
        schema = schema or pq.read_schema(old)
    if not groups:
        return None
    stored = assemble(groups, schema, latest, store_dir / f"{table}.parquet")
    if stored.empty:  # carried-forward files without rows of this table (a crimes source's deaths)
        stored.path.unlink()
        return None
    return stored


def check_unique_records(con: duckdb.DuckDBPyConnection, table: str, stored: StoredTable) -> None:
    """The data model's key (source, snapshot, record_id) is unique across files too
    (each file was validated alone)."""
    repeated = repeated_keys(con, [stored.path], ["source", "snapshot", "record_id"])
    if repeated:
        raise BlockingCheckError(f"{table}: (source, snapshot, record_id) repeats across files, "
                                 f"e.g. {repeated}")


def _snapshot_info(sources: pd.DataFrame) -> pd.DataFrame:
    """Per snapshot: `is_latest`, and `period_end`, where the snapshot stops for its partial
    years: the earlier of its sidecar's period end and where its records stop (the earliest
    `records_end` of its files: a year is partial where any file of it stops inside it)."""
    frame = sources.assign(
        period_end=pd.to_datetime(sources["period_end"], errors="coerce"),
        records_end=pd.to_datetime(sources["records_end"], errors="coerce"))
    info = frame.groupby(["source", "snapshot"], sort=False, as_index=False).agg(
        is_latest=("is_latest", "first"), period_end=("period_end", "min"),
        records_end=("records_end", "min"))
    info["period_end"] = info[["period_end", "records_end"]].min(axis=1)
    return info.drop(columns="records_end")


def _sources_in(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [r[0] for r in con.execute(f"SELECT DISTINCT source FROM {relation} ORDER BY 1").fetchall()]


def deaths_stats_of(con: duckdb.DuckDBPyConnection, stored: StoredTable | None,
                    sources: pd.DataFrame) -> pd.DataFrame:
    """`deaths_stats` over the accepted records, in DuckDB, validated and checked (blocking)."""
    if stored is None or stored.empty:
        return empty_table(DeathsStats)
    con.execute(f"CREATE OR REPLACE TEMP VIEW deaths AS SELECT * FROM read_parquet({parquet_list([stored.path])})")
    info = _snapshot_info(sources)
    person = {sid: SOURCES[sid].spec.person_level for sid in _sources_in(con, "deaths")}
    stats = DeathsStats.validate(deaths_stats(con, person, info), lazy=True)
    totals = con.sql("SELECT source, snapshot, year, sum(dead_and_missing)::BIGINT AS dead_and_missing "
                         f"FROM deaths WHERE {PUBLISHED_ROWS} GROUP BY ALL").to_arrow_table().to_pandas()
    check_deaths(stats, totals)
    return stats


def case_stats_of(con: duckdb.DuckDBPyConnection, stored: StoredTable | None, stream: str,
                  sources: pd.DataFrame, model, store_dir: Path
                  ) -> tuple[StoredTable | None, pd.DataFrame, pd.DataFrame]:
    """Statistics of a crimes/prosecutions table, written into `store_dir/<stream>_stats.parquet`
    (None when there are none), its source inconsistencies, and its `coverage` rows.

    Built a piece at a time, source after source in name order (the table's), and so never
    held whole: person-level sources are grouped in DuckDB; aggregate sources (published
    cells) are reconciled in batches of whole (snapshot, year) groups. Each piece is
    validated against `model` and passes the blocking checks before it is written: its
    margins lie within it. Coverage is read off the pieces' one-dimension margins on the way."""
    if stored is None:
        return None, pd.DataFrame(), pd.DataFrame()
    dims = STREAMS[stream]["dims"]
    info = _snapshot_info(sources)
    problems, margins = [], []

    def piece(task) -> tuple[pd.DataFrame, pd.DataFrame]:
        cells, found = task()
        stats = model.validate(finish_stats(cells, stream, info), lazy=True)
        check_cases(stats, stream, found)
        return stats, found

    def pieces() -> Iterator[pd.DataFrame]:
        for stats, found in in_threads(piece, _stats_tasks(con, stored, stream),
                                       active().stats_workers):
            problems.append(found)
            margins.append(stats[(stats[list(dims)] != "all").sum(axis=1) == 1])
            yield stats

    stats = write_frames(pieces(), store_dir / f"{stream}_stats.parquet", ["source", "snapshot", "year"])
    return stats, _concat(problems), coverage_table(_concat(margins), stream, dims)


def _stats_tasks(con: duckdb.DuckDBPyConnection, stored: StoredTable, stream: str
                 ) -> Iterator[Callable[[], tuple[pd.DataFrame, pd.DataFrame]]]:
    """Tasks giving (cells, source inconsistencies) of the statistics input of `stored`, source
    by source in name order: a person-level source's grouping sets whole (grouped in DuckDB
    here), an aggregate source's cells batch by batch (the batch read here, reconciled by the
    task)."""
    relation = f"read_parquet({parquet_list([stored.path])})"
    for source in _sources_in(con, relation):
        if SOURCES[source].spec.person_level:
            cells = person_stats_sql(con, f"SELECT * FROM {relation} WHERE source = {sql_text(source)} "
                                          f"AND {IN_STATS}", stream)
            yield lambda cells=cells: (cells, pd.DataFrame())
        else:
            for batch in _aggregate_batches(con, stored, relation, source, stream):
                yield lambda batch=batch: aggregate_stats_of([batch], stream)
                del batch  # held by the task alone while the next batch is read


# SQL: the records statistics are built from (`cases.statistics_input`).
IN_STATS = f"NOT contains(flags, '{NOT_IN_STATS}')"


def _aggregate_batches(con: duckdb.DuckDBPyConnection, stored: StoredTable, table: str,
                       source: str, stream: str) -> Iterator[tuple[pd.DataFrame, tuple]]:
    """The statistics input of an aggregate source (`table`: `stored` as SQL), one batch of whole
    (snapshot, year) groups at a time in (snapshot, year) order, each with the source's
    `source_facts`. A batch comes summed in DuckDB (`_summed_batch`): one row per cell a
    record counts in, in the order the cells first appear in the table."""
    dims = STREAMS[stream]["dims"]
    where = f"source = {sql_text(source)} AND {IN_STATS}"
    keys = _cell_keys(stream)
    # One scan: the groups, with the distinct values of each dimension in each, and about how
    # many summed rows each gives (HyperLogLog over the keys: it sizes the batches only).
    found = con.sql("SELECT snapshot, year, approx_count_distinct(hash(" + ", ".join(keys) + ")) AS n, "
                    + ", ".join(f"list(DISTINCT {d}) AS {d}" for d in dims) + f" FROM {table} WHERE {where} "
                    "GROUP BY snapshot, year ORDER BY snapshot, year").to_arrow_table().to_pylist()
    if not found:
        return
    groups = [(g["snapshot"], g["year"], g["n"]) for g in found]
    facts = source_facts({d: set().union(*(g[d] for g in found)) for d in dims}, dims,
                         layouts=_snapshot_layouts(con, table, where, dims))
    # Records of an aggregate source reconciled at once (HARMSTATS_RECONCILE_ROWS): whole years
    # of one snapshot are batched up to this many summed rows, so a source larger than memory
    # is reconciled in pieces; the real sources fit in one (GLOTIP, the largest: about 105,000
    # records over two snapshots). Reconciling takes about 1 GiB per million rows at its peak,
    # and HARMSTATS_STATS_WORKERS batches are reconciled at once: 250k-row batches, two at a
    # time, hold what one 500k batch did (10M synthetic GLOTIP rows: 2.4 GiB with one 1M
    # batch, 1.8 with 500k). A source of one record per incident (the FBI incident file) sums
    # to a few thousand rows, and is one batch.
    schema = pq.read_schema(stored.path)
    for batch in _packed(groups, active().reconcile_rows):
        chosen = " OR ".join(f"(snapshot = {sql_text(snapshot)} AND {_years_in(years)})"
                             for snapshot, years in batch.items())
        yield _summed_batch(con, stored, schema, f"{where} AND ({chosen})", stream), facts


def _years_in(years: list) -> str:
    """SQL: the year is one of `years` (None: a missing year)."""
    known = [str(int(y)) for y in years if y is not None]
    parts = ([f"year IN ({', '.join(known)})"] if known else []) + (
        ["year IS NULL"] if None in years else [])
    return "(" + " OR ".join(parts) + ")"


def _cell_keys(stream: str) -> list[str]:
    """What the records of an aggregate source are summed by before reconciliation (besides
    whether they repeat an identical row): every key of a cell, and its breakdown."""
    spec = STREAMS[stream]
    return list(dict.fromkeys(spec["fixed"] + spec["dims"] + ("breakdown",)))


# SQL: whether a record repeats an identical row (`reconcile.repeats.REPEAT_ID`).
IS_REPEAT = f"coalesce(regexp_full_match(record_id, {sql_text(REPEAT_ID_FULL)}), false)"


def _summed_batch(con: duckdb.DuckDBPyConnection, stored: StoredTable, schema, where: str,
                  stream: str) -> pd.DataFrame:
    """The records under `where` summed by cell (`_cell_keys`, and `IS_REPEAT`), as reconciliation's
    `breakdown_cells` would sum them: value_min and value_max (the value where they are
    null), the value null where any record's is (withheld), source_suppressed where any is;
    the record id the smallest of the cell's (a repeat's when the row sums repeats). The rows
    come in the order their cells first appear in the table and with the columns and types a
    read of the stored Parquet gives, so reconciliation sees the cells it would have summed."""
    relation = f"read_parquet({parquet_list([stored.path])}, file_row_number = true)"
    summed = con.sql(
        "SELECT " + ", ".join(_cell_keys(stream)) + f", {IS_REPEAT} AS repeat, min(record_id) AS record_id, "
        "CASE WHEN bool_or(value IS NULL) THEN NULL ELSE sum(value) END::BIGINT AS value, "
        "sum(coalesce(value_min, value))::BIGINT AS value_min, "
        "sum(coalesce(value_max, value))::BIGINT AS value_max, "
        "bool_or(source_suppressed) AS source_suppressed, '' AS flags "
        f"FROM {relation} WHERE {where} GROUP BY ALL ORDER BY min(file_row_number)"  # `repeat`, `flags` too
    ).to_arrow_table()
    columns = _aggregate_columns(stream)
    typed = pa.schema([schema.field(c) for c in columns], metadata=schema.metadata)
    return summed.select(columns).cast(typed).to_pandas()


def _snapshot_layouts(con: duckdb.DuckDBPyConnection, table: str, where: str, dims
                      ) -> dict[str, Layout]:
    """`reconcile.cube.snapshot_layouts` of a source's statistics input, in one scan: per snapshot
    and breakdown, the dimensions some record splits and those every record splits."""
    rows = con.sql(f"SELECT snapshot, coalesce(breakdown, '{NO_BREAKDOWN}') AS breakdown, " + ", ".join(
        f"bool_or({d} <> 'all') AS {d}, bool_and({d} <> 'all') AS every_{d}" for d in dims)
        + f" FROM {table} WHERE {where} GROUP BY ALL ORDER BY 1, 2").to_arrow_table().to_pylist()
    layouts = {}
    for r in rows:
        splits, required, strata = layouts.get(r["snapshot"], ({}, {}, None))
        splits[r["breakdown"]] = frozenset(d for d in dims if r[d])
        required[r["breakdown"]] = frozenset(d for d in dims if r[f"every_{d}"])
        strata = required[r["breakdown"]] if strata is None else strata & required[r["breakdown"]]
        layouts[r["snapshot"]] = (splits, required, strata)
    return {snap: Layout(*found) for snap, found in layouts.items()}


def _packed(groups: list[tuple[str, int, int]], limit: int) -> Iterator[dict[str, list[int]]]:
    """(snapshot, year, rows) groups packed in order into batches of up to `limit` rows (a
    larger group alone), each as snapshot -> years."""
    batch, rows = {}, 0
    for snapshot, year, n in groups:
        if batch and rows + n > limit:
            yield batch
            batch, rows = {}, 0
        batch.setdefault(snapshot, []).append(year)
        rows += n
    if batch:
        yield batch


def _aggregate_columns(stream: str) -> list[str]:
    """The record columns the reconciliation of aggregate sources reads (not the native text,
    provenance or lineage columns)."""
    spec = STREAMS[stream]
    return list(dict.fromkeys(spec["fixed"] + spec["dims"] + (
        "breakdown", "record_id", "value", "value_min", "value_max", "source_suppressed", "flags")))


def build_tables(raw_dir: Path, summaries: list[dict], previous: Path | None = None,
                 failed_sources: set[str] | None = None, store_dir: Path | None = None,
                 links_from: Path | None = None) -> dict:
    """Every table of a release, validated; failed sources carried forward from `previous`.
    `links_from`: a release built with the same code and libraries, whose links are taken
    for every pairing whose inputs did not change (pipelines/ops/incremental.py decides).

    Record tables (`deaths`, `crimes`, `prosecutions`) and the statistics of crimes and
    prosecutions (as many rows as the records of aggregate sources) come back as
    `StoredTable`s written into `store_dir` (a new temporary folder when None), or as empty
    frames when they have no rows; every other table is a frame."""
    this_run = run_sources(raw_dir, summaries)
    failed = set(failed_sources or ()) | set(this_run.loc[this_run["status"] == "failed", "source"])
    carried = carry_forward(previous, this_run, failed)
    sources = _concat([without_carried(this_run, carried["sources"]), carried["sources"]])
    if sources.empty:
        sources = empty_table(Sources)
    check_something_to_publish(sources, raw_dir)
    latest = latest_keys(sources)
    sources = _with_latest(sources, latest)
    store_dir = Path(store_dir) if store_dir else scratch_dir()
    store_dir.mkdir(parents=True, exist_ok=True)
    con = connect(store_dir)
    try:
        records = {}
        for table in RECORD_TABLES:
            stored = store_records(table, summaries, previous, carried["keys"], latest, store_dir)
            if stored is not None:
                check_unique_records(con, table, stored)
            records[table] = stored
        deaths_stats = deaths_stats_of(con, records["deaths"], sources)
        # Catalog-only links between death lists, and the public tables built from them.
        linkage = link_all(raw_dir, sources, PAIRINGS, previous_linkage(links_from))
        overlap = (overlap_tables(con, linkage, sources) if records["deaths"] is not None
                   and not records["deaths"].empty else {})
        crimes_stats, crime_problems, crime_coverage = case_stats_of(
            con, records["crimes"], "crimes", sources, CrimesStats, store_dir)
        prosecutions_stats, prosecution_problems, prosecution_coverage = case_stats_of(
            con, records["prosecutions"], "prosecutions", sources, ProsecutionsStats, store_dir)
    finally:
        con.close()
    inconsistencies = _concat([crime_problems, prosecution_problems])
    coverage = _concat([coverage_table(deaths_stats.assign(unit="persons"), "deaths", DEATH_DIMENSIONS),
                        crime_coverage, prosecution_coverage])
    quarantine = _concat([read_parts(summaries, "quarantine"), carried["quarantine"]])
    unmapped = _concat([read_parts(summaries, "unmapped"), carried["unmapped"]])
    tables = {
        "deaths": records["deaths"] or empty_table(Deaths),
        "deaths_stats": deaths_stats,
        "crimes": records["crimes"] or empty_table(Crimes),
        "crimes_stats": crimes_stats or empty_table(CrimesStats),
        "prosecutions": records["prosecutions"] or empty_table(Prosecutions),
        "prosecutions_stats": prosecutions_stats or empty_table(ProsecutionsStats),
        # By table, source, snapshot and year (within a year, as reconciliation lists them):
        # the same order however many years are reconciled at once.
        "source_inconsistencies": (SourceInconsistencies.validate(inconsistencies.sort_values(
            ["table", "source", "snapshot", "year"], kind="stable", ignore_index=True))
            if len(inconsistencies) else empty_table(SourceInconsistencies)),
        "sources": Sources.validate(sources.sort_values(FILE_KEY, ignore_index=True)),
        "coverage": (Coverage.validate(coverage.sort_values(
            ["stream", "source", "snapshot", "unit", "subject", "stage", "dimension"], ignore_index=True))
            if len(coverage) else empty_table(Coverage)),
        "quarantine": (Quarantine.validate(quarantine.sort_values(
            ["source", "snapshot", "file", "raw_row", "column"], ignore_index=True))
            if len(quarantine) else empty_table(Quarantine)),
        # Catalog only: the records of two death lists linked, per pairing (docs/linkage.md).
        "record_links": RecordLinks.validate(linkage.links),
        # Catalog only: what was measured of each pairing's links, and from what inputs.
        "linkage_quality": LinkageQuality.validate(linkage.quality),
        **{name: _validated(model, overlap.get(name)) for name, model in OVERLAP_TABLES.items()},
        "unmapped_values": (UnmappedValues.validate(unmapped[list(UnmappedValues.to_schema().columns)].sort_values(
            ["source", "snapshot", "file", "mapping", "column", "value"], ignore_index=True))
            if len(unmapped) else empty_table(UnmappedValues)),
    }
    check_no_names(tables, part_paths(summaries, "names"))
    return tables


RECORD_TABLES = ("deaths", "crimes", "prosecutions")
OVERLAP_TABLES = {"deaths_overlap": DeathsOverlap, "deaths_linked_race": DeathsLinkedRace,
                  "deaths_estimates": DeathsEstimates}


def _validated(model, frame: pd.DataFrame | None) -> pd.DataFrame:
    """A table built from the links, validated, in its key order (empty with its columns)."""
    if frame is None or frame.empty:
        return empty_table(model)
    key = model.to_schema().unique
    return model.validate(frame[list(model.to_schema().columns)].sort_values(
        key, kind="stable", ignore_index=True))


def scratch_dir() -> Path:
    """A temporary folder for record tables, removed when the process exits (callers that
    run nightly pass their own work folder instead)."""
    import atexit
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="harmstats-records-"))
    atexit.register(shutil.rmtree, path, True)
    return path
