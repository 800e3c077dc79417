"""One benchmark measurement, run by bench/run.py in a fresh subprocess (so the peak RSS of the
process tree belongs to that measurement alone). Prints one JSON object on the last line.

    python -m bench.worker pipeline --source mmp --raw bench/data/raw/1m --out bench/data/out/mmp-1m
    python -m bench.worker floor    --source mmp --raw bench/data/raw/1m --out bench/data/floor/mmp-1m
    python -m bench.worker xlsx | query | prefect | ooc | imports  (see each function)
"""

from __future__ import annotations

import argparse
import json
import os
import time

STARTED = time.perf_counter()

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DISABLE_PANDERA_IMPORT_WARNING", "True")

def _emit(result: dict) -> None:
    from bench.rss import high_water_mb

    result["worker_peak_rss_mb"] = round(high_water_mb(), 1)
    result["worker_wall_s"] = round(time.perf_counter() - STARTED, 3)
    print(json.dumps(result, default=str))


# --- the pipeline ------------------------------------------------------------------------------

def pipeline(args) -> None:
    """process_source -> build_tables -> write_release, the plain functions the flow calls,
    with every stage timed. Imports (GX included) are timed apart, before anything runs."""
    from pathlib import Path

    t0 = time.perf_counter()
    import duckdb  # noqa: F401
    import great_expectations  # noqa: F401  (imported lazily by the pipeline: timed here)
    import pandas as pd  # noqa: F401

    import schemas.expectations  # noqa: F401
    from pipelines.publish import release
    from pipelines.sources import registry  # noqa: F401  (every source module: timed here)
    from pipelines.stats import tables
    imports_s = time.perf_counter() - t0

    from bench.stages import instrument
    companions = [c for c in (args.companion or "").split(",") if c]
    timer = instrument([args.source] + companions)
    from pipelines.sources import process  # the patched names are looked up at call time

    raw_dir, out_dir = Path(args.raw), Path(args.out)
    work_dir = out_dir / ".work"
    work_dir.mkdir(parents=True, exist_ok=True)
    profiler = None
    if args.profile:
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.005)
        profiler.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = process.process_source(args.source, raw_dir, "latest", work_dir)
    files = summary["files"]
    if any(f["status"] != "ok" for f in files):
        raise SystemExit(f"source failed: {[f.get('error') for f in files]}")
    # A fixed small deaths source published alongside (see bench/run.py: COMPANIONS).
    summaries = [summary] + [process.process_source(c, raw_dir, "latest", work_dir) for c in companions]
    processed = time.perf_counter()
    previous = release.current_release(out_dir)
    built = tables.build_tables(raw_dir, summaries, previous, set())
    assembled = time.perf_counter()
    final = release.write_release(built, out_dir, {"snapshot_mode": "latest", "bench": True}, True)
    finished, cpu_s = time.perf_counter(), time.process_time() - cpu_started
    if profiler:
        profiler.stop()
        Path(args.profile).parent.mkdir(parents=True, exist_ok=True)
        Path(args.profile).write_text(profiler.output_text(unicode=False, color=False, show_all=False))
        Path(args.profile).with_suffix(".html").write_text(profiler.output_html())
    import shutil
    shutil.rmtree(work_dir, ignore_errors=True)
    f = files[0]
    _emit({
        "kind": "pipeline", "source": args.source, "companions": companions, "rows": f["rows_read"],
        "rows_accepted": f["rows_accepted"], "rows_quarantined": f["rows_quarantined"],
        "imports_s": round(imports_s, 3), "pipeline_s": round(finished - started, 3),
        "pipeline_cpu_s": round(cpu_s, 3),
        "process_source_s": round(processed - started, 3),
        "build_tables_s": round(assembled - processed, 3),
        "write_release_s": round(finished - assembled, 3),
        "stages": timer.ordered(), "peak_stage": timer.peak_stage,
        "table_rows": {k: len(v) for k, v in built.items() if len(v)},
        "release": str(final), "profiled": bool(args.profile),
    })


# --- the floor ---------------------------------------------------------------------------------

def floor(args) -> None:
    """DuckDB alone, the minimum equivalent work: read the same CSV, type the counts, write the
    records to Parquet, compute the same grouping sets as the stats table and COPY them to
    Parquet."""
    from pathlib import Path

    t0 = time.perf_counter()
    import duckdb

    from bench import floor as floor_sql
    imports_s = time.perf_counter() - t0
    raw = Path(args.raw)
    csv_path = next(p for p in sorted((raw / args.source).glob("*/*")) if p.suffix == ".csv")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    con = duckdb.connect()
    stages = floor_sql.run(con, args.source, csv_path, out)
    con.close()
    finished = time.perf_counter()
    _emit({"kind": "floor", "source": args.source, "floor_s": round(finished - started, 3),
           "floor_cpu_s": round(time.process_time() - cpu_started, 3),
           "imports_s": round(imports_s, 3), "stages": stages})


# --- XLSX parsing at the real files' size --------------------------------------------------------

def xlsx(args) -> None:
    """`read_raw` of the MMP 2025 XLSX (~19k rows) and the GLOTIP 2025 XLSX (~59k rows): the
    real files when ../shared/data/real has them, else synthetic workbooks of the same size."""
    from pathlib import Path

    from pipelines.sources.registry import SOURCES
    from bench.stages import instrument
    results = {}
    for source, path in json.loads(args.files).items():
        if source not in SOURCES:
            results[source] = {"error": "no such source"}
            continue
        timer = instrument([source])
        started = time.perf_counter()
        raw = SOURCES[source].read_raw(Path(path))
        results[source] = {"file": path, "rows": len(raw.frame), "bytes": Path(path).stat().st_size,
                           "read_raw_s": round(time.perf_counter() - started, 3),
                           "stages": timer.ordered()}
    _emit({"kind": "xlsx", "reader": "python-calamine", "files": results})


# --- the journalist's query --------------------------------------------------------------------

QUERY_STATS = """
SELECT sex, nationality, value FROM deaths_stats
WHERE is_latest AND source = ? AND country_iso3 = ? AND year = ?
  AND sex <> 'all' AND nationality <> 'all' AND gender_identity = 'all' AND age_group = 'all'
  AND race_ethnicity = 'all' AND cause = 'all' AND criminal = 'all' AND scope = 'all'
  AND status = 'all'
ORDER BY value DESC
"""
QUERY_RECORDS = """
SELECT CASE WHEN female = 1 THEN 'female' WHEN male = 1 THEN 'male' ELSE 'unknown' END AS sex,
       nationality, sum(dead_and_missing)::BIGINT AS value
FROM deaths WHERE is_latest AND source = ? AND country_iso3 = ? AND year = ?
GROUP BY ALL ORDER BY value DESC
"""


def query(args) -> None:
    """Connect + query inside a running process, repeated: deaths by sex and nationality for one
    country and year, from the published stats table (and, for comparison, from the records)."""
    import statistics

    import duckdb
    params = [args.source, args.country, args.year]
    timings = {"stats_table": [], "records_group_by": []}
    rows = {}
    for _ in range(args.repeat):
        for name, sql in (("stats_table", QUERY_STATS), ("records_group_by", QUERY_RECORDS)):
            started = time.perf_counter()
            con = duckdb.connect(args.catalog, read_only=True)
            result = con.execute(sql, params).fetchall()
            con.close()
            timings[name].append(time.perf_counter() - started)
            rows[name] = len(result)
    summary = {name: {"first_ms": round(t[0] * 1000, 2), "median_ms": round(statistics.median(t) * 1000, 2),
                      "max_ms": round(max(t) * 1000, 2), "rows": rows[name]} for name, t in timings.items()}
    _emit({"kind": "query", "catalog": args.catalog, "params": params, "repeat": args.repeat,
           "results": summary})


# --- Prefect's fixed costs ----------------------------------------------------------------------

def prefect_cost(args) -> None:
    """Import prefect, then an empty flow called twice (the first call starts the temporary API
    server on the already-migrated PREFECT_HOME), then the real flow on one source."""
    from pathlib import Path

    t0 = time.perf_counter()
    from prefect import flow
    import_prefect_s = time.perf_counter() - t0

    @flow(name="bench-empty")
    def empty() -> int:
        return 1

    t1 = time.perf_counter()
    empty()
    first_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    empty()
    second_s = time.perf_counter() - t2
    result = {"kind": "prefect", "prefect_home": os.environ.get("PREFECT_HOME"),
              "import_prefect_s": round(import_prefect_s, 3),
              "empty_flow_first_call_s": round(first_s, 3),
              "empty_flow_next_call_s": round(second_s, 3)}
    if args.raw:
        t3 = time.perf_counter()
        import great_expectations  # noqa: F401
        from pipelines import flows
        result["import_pipeline_s"] = round(time.perf_counter() - t3, 3)
        t4 = time.perf_counter()
        report = flows.run_pipeline(raw_dir=args.raw, out_dir=args.out, sources=[args.source])
        result["real_flow_s"] = round(time.perf_counter() - t4, 3)
        result["real_flow_published"] = bool(report.get("release") or report.get("published"))
        result["real_flow_report_keys"] = sorted(report)[:12]
    _emit(result)


# --- DuckDB out of core -------------------------------------------------------------------------

def ooc(args) -> None:
    """The pipeline's own `deaths_stats` over a view on the curated deaths Parquet, under a
    DuckDB memory limit well below the data size (spilling to a temp directory)."""
    from pathlib import Path

    import duckdb
    import pandas as pd
    import pyarrow.parquet as pq

    from pipelines.stats.deaths import deaths_stats
    from pipelines.sources.registry import SOURCES
    deaths = Path(args.parquet)
    meta = pq.ParquetFile(deaths).metadata
    con = duckdb.connect()
    spill = Path(args.out)
    spill.mkdir(parents=True, exist_ok=True)
    if args.memory_limit:
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
        con.execute(f"SET temp_directory = '{spill}'")
        con.execute("SET preserve_insertion_order = false")
    con.execute(f"CREATE VIEW deaths AS SELECT * FROM read_parquet('{deaths}')")
    in_memory = con.sql("SELECT count(*) FROM deaths").fetchall()[0][0]
    info = con.sql("SELECT DISTINCT source, snapshot, true AS is_latest FROM deaths").to_arrow_table().to_pandas()
    info["period_end"] = pd.to_datetime(pd.Series([None] * len(info)), errors="coerce")  # as _stats_of does
    sources = {s: SOURCES[s].spec.person_level for s in info["source"]}
    started = time.perf_counter()
    error = None
    try:
        stats = deaths_stats(con, sources, info)
        out_rows = len(stats)
    except Exception as exc:  # an out-of-memory error is a result here
        error, out_rows = f"{exc.__class__.__name__}: {str(exc)[:300]}", None
    elapsed = time.perf_counter() - started
    spilled = sum(p.stat().st_size for p in spill.rglob("*") if p.is_file())
    con.close()
    _emit({"kind": "ooc", "parquet": str(deaths), "records": in_memory,
           "parquet_mb": round(deaths.stat().st_size / (1 << 20), 1),
           "uncompressed_mb": round(sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)) / (1 << 20), 1),
           "memory_limit": args.memory_limit, "stats_s": round(elapsed, 3), "stats_rows": out_rows,
           "error": error, "spill_left_mb": round(spilled / (1 << 20), 1)})


# --- the unchanged nightly run ------------------------------------------------------------------

def nightly(args) -> None:
    """`pipelines.ops.run.execute` (what `harmstats run` and the nightly schedule call), incremental.
    With --prime the first (full) run is made here (its steps in-process: no PREFECT_API_URL);
    without it the run is timed on unchanged raw files, after imports (a fixed overhead)."""
    from pathlib import Path

    t0 = time.perf_counter()
    import great_expectations  # noqa: F401
    from pipelines.ops import incremental as inc
    from pipelines.ops.run import execute
    imports_s = time.perf_counter() - t0
    raw, out = Path(args.raw).resolve(), Path(args.out).resolve()
    started = time.perf_counter()
    plan = inc.plan(raw, out, [args.source], "latest")
    plan_s = time.perf_counter() - started
    from pipelines import snapshots
    snapshots.forget_sha256()  # execute plans again: nothing hashed in this process counts
    started = time.perf_counter()
    report = execute(raw, out, sources=[args.source], incremental=True, keep=3)
    run_s = time.perf_counter() - started
    _emit({"kind": "nightly", "prime": bool(args.prime), "imports_s": round(imports_s, 3),
           "plan_s": round(plan_s, 3), "run_s": round(run_s, 3),
           "nothing_new": plan.nothing_new, "processed": plan.process, "reused": plan.reuse,
           "reasons": plan.reasons,
           "outcome": report.get("outcome"), "exit_code": report.get("exit_code"),
           "published": bool(report.get("published"))})


# --- record linkage of two synthetic lists -----------------------------------------------------

def linkage(args) -> None:
    """Two synthetic death lists of `n` records each (bench/layout_linkage.py) linked by the
    engine with the bench pairing's comparisons and blocking; precision and recall against
    the generated truth. Stages timed; imports apart."""
    started = time.perf_counter()
    from bench.layout_linkage import BENCH_PAIRING, block_sizes, lists, quality
    from pipelines.stats.link_rules import links
    from pipelines.stats.linkage import scored
    import splink  # noqa: F401  (imported here so that its import is not in `predict_s`)
    imports_s = time.perf_counter() - started
    stages = {}
    t = time.perf_counter()
    left, right, truth = lists(args.n)
    stages["generate"] = round(time.perf_counter() - t, 3)
    blocks = block_sizes(left, right, BENCH_PAIRING.blocking)
    t = time.perf_counter()
    pairs = scored(left, right, BENCH_PAIRING)
    stages["train_and_predict"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    chosen = links(pairs)
    stages["links"] = round(time.perf_counter() - t, 3)
    linked_s = stages["train_and_predict"] + stages["links"]
    _emit({"kind": "linkage", "records_per_list": args.n, "imports_s": round(imports_s, 3),
           "stages": stages, "link_s": round(linked_s, 3), "pairs_scored_above_floor": len(pairs),
           "comparisons_by_blocking_rule": blocks, "quality": quality(chosen, truth)})


# --- imports alone ------------------------------------------------------------------------------

def imports(args) -> None:
    """What importing the pipeline costs before any work: each library, cumulatively."""
    steps = {}
    for name in ("pandas", "pyarrow", "duckdb", "pandera.pandas", "prefect", "great_expectations",
                 "pipelines.sources.process", "pipelines.publish.release", "schemas.expectations", "pipelines.flows"):
        t = time.perf_counter()
        __import__(name)
        steps[name] = round(time.perf_counter() - t, 3)
    _emit({"kind": "imports", "steps_s": steps, "total_s": round(sum(steps.values()), 3)})


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pipeline")
    p.add_argument("--source", required=True)
    p.add_argument("--raw", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--profile", default=None, help="write a pyinstrument profile here")
    p.add_argument("--companion", default="", help="other source ids in --raw published alongside")
    p.set_defaults(func=pipeline)
    p = sub.add_parser("floor")
    p.add_argument("--source", required=True)
    p.add_argument("--raw", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=floor)
    p = sub.add_parser("xlsx")
    p.add_argument("--files", required=True, help='JSON {"source": "path"}')
    p.set_defaults(func=xlsx)
    p = sub.add_parser("query")
    p.add_argument("--catalog", required=True)
    p.add_argument("--source", default="mmp")
    p.add_argument("--country", default="USA")
    p.add_argument("--year", type=int, default=2023)
    p.add_argument("--repeat", type=int, default=20)
    p.set_defaults(func=query)
    p = sub.add_parser("prefect")
    p.add_argument("--raw", default=None)
    p.add_argument("--out", default=None)
    p.add_argument("--source", default="mmp")
    p.set_defaults(func=prefect_cost)
    p = sub.add_parser("ooc")
    p.add_argument("--parquet", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--memory-limit", default=None)
    p.set_defaults(func=ooc)
    p = sub.add_parser("nightly")
    p.add_argument("--raw", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--source", default="mmp")
    p.add_argument("--prime", action="store_true")
    p.set_defaults(func=nightly)
    p = sub.add_parser("linkage")
    p.add_argument("--n", type=int, required=True, help="records in each list")
    p.set_defaults(func=linkage)
    p = sub.add_parser("imports")
    p.set_defaults(func=imports)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
