"""The Prefect entry points: `run_pipeline` (flow `harmstats-run`, defined in
`pipelines.ops.flow`: process each source as its own task, publish one release) and `nightly`
(flow `harmstats-nightly`, what the schedule runs: `harmstats run --fetch`, one run at a time,
incremental, report, housekeeping; `harmstats serve` deploys it as `pipelines.flows.nightly`).
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from pipelines.config import DEFAULT_OUT_DIR, DEFAULT_RAW_DIR
from pipelines.ops.flow import run_pipeline
from pipelines.ops.run import execute

__all__ = ["nightly", "run_pipeline"]


@flow(name="harmstats-nightly", log_prints=False)
def nightly(raw_dir: str = str(DEFAULT_RAW_DIR), out_dir: str = str(DEFAULT_OUT_DIR),
            fetch: bool = True, sources: list[str] | None = None, snapshot_mode: str = "latest",
            full: bool = False, keep: int | None = None, wait: float = 1800.0) -> dict:
    """The scheduled run: `harmstats run --fetch` (one run at a time, incremental, report,
    retention, notification; `keep` None: HARMSTATS_KEEP_RELEASES). A blocked run (exit 2) or
    a run refused by the lock (exit 3) ends as a failed flow run, so a Prefect automation can
    act on it too."""
    report = execute(Path(raw_dir), Path(out_dir), sources=sources, snapshot_mode=snapshot_mode,
                     fetch=fetch, incremental=not full, wait=wait, keep=keep)
    if report["exit_code"] >= 2:
        raise RuntimeError(f"harmstats run exit {report['exit_code']}: {report['summary']}")
    return report
