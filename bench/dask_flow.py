"""Scale-out demonstration: the harmstats flow with its per-source tasks on a Dask cluster.

A copy of pipelines/ops/flow.py's `run_pipeline` reduced to what the measurement needs (no
fetching, no run report; each task records its seconds and worker pid): one `process_source`
task per source, submitted to a `DaskTaskRunner`, then one publish task. The pipeline's own
flow takes the same runner: `harmstats run --dask ADDRESS` (`pipelines.ops.flow.pipeline_flow`).

    python -m bench.dask_flow --raw bench/data/raw/1m --out bench/data/out/dask-1m \
        --sources mmp,ngo_incidents,ice_detention_deaths [--address tcp://scheduler:8786]

Without `--address` a local cluster is started (processes, one thread each: the pipeline's
pandas steps hold the GIL, so threads would not run them in parallel). With `--address` (or
BENCH_DASK_ADDRESS) the tasks go to an existing scheduler; its workers need this project
installed (same code and versions) and the raw and output folders on a shared filesystem,
since tasks hand on paths, never frames.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pipelines.settings import prepare_third_parties

prepare_third_parties()  # before Prefect is imported: no telemetry, quiet state

from prefect import flow, task  # noqa: E402
from prefect_dask import DaskTaskRunner  # noqa: E402


@task
def process_source_task(source_id: str, raw_dir: str, work_dir: str) -> dict:
    """pipelines.ops.flow.process_source_task, timed, with the worker process named."""
    from pipelines.sources.process import process_source

    started = time.perf_counter()
    summary = process_source(source_id, Path(raw_dir), "latest", Path(work_dir))
    summary["_bench"] = {"seconds": round(time.perf_counter() - started, 3), "pid": os.getpid()}
    return summary


@task
def publish_task(raw_dir: str, summaries: list[dict], out_dir: str) -> dict:
    from pipelines.publish.release import current_release, write_release
    from pipelines.stats.tables import build_tables

    started = time.perf_counter()
    tables = build_tables(Path(raw_dir), summaries, current_release(Path(out_dir)), set())
    release = write_release(tables, Path(out_dir), {"snapshot_mode": "latest", "bench": "dask"}, True)
    return {"release": str(release), "seconds": round(time.perf_counter() - started, 3)}


def make_flow(address: str | None, n_workers: int, memory_limit: str):
    runner = (DaskTaskRunner(address=address) if address else
              DaskTaskRunner(cluster_kwargs={"n_workers": n_workers, "threads_per_worker": 1,
                                             "processes": True, "memory_limit": memory_limit,
                                             "dashboard_address": None}))

    @flow(name="harmstats-run-dask", task_runner=runner, log_prints=False)
    def run_pipeline_dask(raw_dir: str, out_dir: str, sources: list[str]) -> dict:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        work_dir = tempfile.mkdtemp(prefix=".work-", dir=out_dir)
        try:
            started = time.perf_counter()
            futures = [process_source_task.submit(s, raw_dir, work_dir) for s in sources]
            summaries = [f.result() for f in futures]
            processed = time.perf_counter()
            published = publish_task(raw_dir, summaries, out_dir)
            return {"process_wall_s": round(processed - started, 3),
                    "per_source": {s["source"]: s["_bench"] for s in summaries},
                    "publish_s": published["seconds"], "release": published["release"]}
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)

    return run_pipeline_dask


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--sources", required=True)
    parser.add_argument("--address", default=os.environ.get("BENCH_DASK_ADDRESS"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-memory", default="6GiB")
    args = parser.parse_args()
    started = time.perf_counter()
    run = make_flow(args.address, args.workers, args.worker_memory)
    result = run(args.raw, args.out, args.sources.split(","))
    result["flow_wall_s"] = round(time.perf_counter() - started, 3)
    result["address"] = args.address or f"local cluster: {args.workers} worker processes x 1 thread"
    per = result["per_source"]
    result["sequential_sum_s"] = round(sum(p["seconds"] for p in per.values()), 3)
    result["distinct_worker_pids"] = len({p["pid"] for p in per.values()})
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
