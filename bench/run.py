"""`make bench`: generate, run the pipeline and the DuckDB floor per layout and scale, measure
the fixed overheads, an unchanged rerun, the journalist's query, XLSX parsing, record linkage
of two synthetic death lists of each scale (bench/layout_linkage.py) and scale-out;
print the tables, write bench/results.json and docs/benchmarks.md.

    python -m bench.run --scale small|default|large [--layouts mmp,ngo_incidents] [--skip-extras]

Every measurement runs in a fresh subprocess (bench/worker.py); the peak RSS is that of the
whole process tree, sampled from here every 50 ms, or the child's own kernel high-water mark
(VmHWM) when that is higher. Results are merged into bench/results.json by (layout, scale), so
`BENCH_SCALE=large` adds the 10M rows to an earlier default run.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from bench.config import CAVEAT, DATA, DOC, LAYOUTS, PLANS, RAW_LINK_ROOTS, RESULTS, SCALES
from bench.measure import (dask_scale_out, generate, imports, journalist_query, linkage_bench,
                           machine, out_of_core, prefect_costs, run_floor, run_pipeline,
                           unchanged_run, xlsx_parsing)
from bench.report import print_tables, render, targets
from bench.results import compute_ratios, load_results, merge_run, run_entry

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=sorted(PLANS), default=os.environ.get("BENCH_SCALE", "default"))
    parser.add_argument("--layouts", default=os.environ.get("BENCH_LAYOUTS", ",".join(LAYOUTS)))
    parser.add_argument("--skip-extras", action="store_true", help="only the pipeline/floor table")
    parser.add_argument("--extras-only", default="", help="comma list of extras to (re)measure, "
                        "keeping the runs in bench/results.json: imports,prefect,unchanged,query,ooc,xlsx,linkage,dask")
    parser.add_argument("--profile", action="store_true", help="also profile the largest runs (pyinstrument)")
    parser.add_argument("--dask-scale", default=os.environ.get("BENCH_DASK_SCALE"),
                        help="scale of the Dask demonstration (default: 1m when measured, else the largest)")
    parser.add_argument("--results", type=Path, default=None, help="JSON to merge into (bench/results.json)")
    parser.add_argument("--doc", type=Path, default=None, help="Markdown to write (docs/benchmarks.md)")
    args = parser.parse_args()
    # The raw folders of a companion run or a Dask run are links into DATA/raw: let them lead
    # there (a link out of the raw folder is refused otherwise). Inherited by the workers.
    os.environ.setdefault("HARMSTATS_RAW_LINK_ROOTS", RAW_LINK_ROOTS)
    files = (args.results or RESULTS, args.doc or DOC)
    layouts = [l for l in args.layouts.split(",") if l]
    scales = PLANS[args.scale]
    results = load_results(files[0])
    results["machine"] = machine()
    results["generated"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    command = f"python -m bench.run --scale {args.scale} --layouts {','.join(layouts)}" + (
        f" --extras-only {args.extras_only}" if args.extras_only else "")
    results["commands"] = results.get("commands", []) + [command]
    results["command"] = "; ".join(results["commands"])
    results["caveat"] = CAVEAT
    only = set(filter(None, args.extras_only.split(",")))
    for scale in ([] if only else scales):
        for layout in layouts:
            print(f"== {layout} {scale}: generating", flush=True)
            gen_s = generate(layout, scale)
            print("   pipeline ...", flush=True)
            pipe = run_pipeline(layout, scale)
            print("   floor ...", flush=True)
            floor = run_floor(layout, scale)
            entry = run_entry(layout, scale, pipe, floor, gen_s)
            merge_run(results, entry)
            save(results, files)  # after every run: a long run stopped half-way keeps what it measured
            print(f"   pipeline {entry.get('pipeline_s')} s, floor {entry.get('floor_s')} s, "
                  f"peak {entry.get('peak_rss_mb')} MiB {entry.get('pipeline_error', '')[:300]}", flush=True)
            if args.profile and scale == scales[-1]:
                run_pipeline(layout, scale, profile=True)
    compute_ratios(results)
    largest = scales[-1]
    want = (lambda name: not only or name in only)
    if not args.skip_extras:
        fixed = results.setdefault("fixed_overheads", {})
        if want("imports"):
            print("== imports", flush=True)
            fixed["imports"] = imports(); save(results, files)
        if want("prefect"):
            print("== prefect", flush=True)
            fixed["prefect"] = prefect_costs(); save(results, files)
        base = next((r for r in results["runs"] if r["layout"] == "mmp" and r["scale"] == "10k"), {})
        fixed["plain_10k_mmp_s"] = base.get("pipeline_s")
        fixed["plain_10k_mmp_process_wall_s"] = base.get("process_wall_s")
        if "mmp" in layouts:
            if want("unchanged"):
                print("== unchanged nightly run", flush=True)
                results["unchanged_run"] = unchanged_run(["10k", largest]); save(results, files)
            if want("query"):
                print("== journalist query", flush=True)
                catalog = DATA / "out" / f"mmp-{largest}" / "harmstats.duckdb"
                results["query"] = journalist_query(catalog)
                results["query"]["rows_in_release"] = SCALES[largest]
            # The curated deaths of the largest release, or (when the pipeline could not finish at
            # that scale) the floor's records, which have the columns deaths_stats reads.
            candidates = [DATA / "out" / f"mmp-{largest}" / "current" / "tables" / "deaths.parquet",
                          DATA / "floor" / f"mmp-{largest}" / "deaths.parquet"]
            deaths = next((c for c in candidates if c.is_file()), None)
            so = results.setdefault("scale_out", {})
            if deaths and want("ooc"):
                print("== out-of-core stats", flush=True)
                so["duckdb_out_of_core"] = out_of_core(deaths, "128MB" if SCALES[largest] <= 1_000_000 else "256MB")
                save(results, files)
        if want("xlsx"):
            print("== xlsx", flush=True)
            results["xlsx"] = xlsx_parsing(); save(results, files)
        if want("linkage"):
            runs = results.setdefault("linkage", {})
            for scale in scales:
                print(f"== linkage {scale} x {scale}", flush=True)
                runs[scale] = linkage_bench(scale); save(results, files)
        if want("dask"):
            dask_scale = args.dask_scale or ("1m" if "1m" in scales else scales[-1])
            print(f"== dask {dask_scale}", flush=True)
            so = results.setdefault("scale_out", {})
            so["dask_scale"] = dask_scale
            so["dask"] = dask_scale_out(dask_scale, layouts)
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    save(results, files)
    print_tables(results)


def save(results: dict, files: tuple[Path, Path]) -> None:
    """Ratios and targets recomputed, then bench/results.json and docs/benchmarks.md written."""
    compute_ratios(results)
    results["targets"] = targets(results)
    files[0].write_text(json.dumps(results, indent=2, default=str) + "\n")
    files[1].write_text(render(results))


if __name__ == "__main__":
    main()
