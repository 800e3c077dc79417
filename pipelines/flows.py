"""The Prefect flow: fetch (optional), process each source as its own task, publish.

Thin on purpose: every step is a plain function tested on its own. Tasks pass paths and
small summaries, never frames; retries only on fetching, where I/O can fail.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from prefect import flow, task

from pipelines import snapshots
from pipelines.fetching import FetchError
from pipelines.process import process_source
from pipelines.publish.release import write_release
from pipelines.publish.tables import build_tables
from pipelines.report import RunReport
from pipelines.registry import SOURCES


@task(retries=2, retry_delay_seconds=[5, 30])
def fetch_source(source_id: str, raw_dir: str) -> str | None:
    """Download a new snapshot of one source where it has a download location."""
    new = SOURCES[source_id].fetch(Path(raw_dir))
    return str(new) if new else None


@task
def process_source_task(source_id: str, raw_dir: str, snapshot_mode: str, work_dir: str) -> dict:
    """Read and harmonise the selected snapshots of one source into the work folder."""
    return process_source(source_id, Path(raw_dir), snapshot_mode, Path(work_dir))


@task
def publish_task(raw_dir: str, summaries: list[dict], out_dir: str, run_info: dict,
                 sample: bool) -> str:
    """Assemble, validate and publish the release; returns its folder."""
    tables = build_tables(Path(raw_dir), summaries)
    return str(write_release(tables, Path(out_dir), run_info, sample))


@flow(name="harmstats-run", log_prints=False)
def run_pipeline(raw_dir: str, out_dir: str, sources: list[str] | None = None,
                 snapshot_mode: str = "latest", fetch: bool = False) -> dict:
    """Run every (or the named) source and publish one release. Returns the run report."""
    report = RunReport(raw_dir=raw_dir, out_dir=out_dir, snapshot_mode=snapshot_mode)
    chosen = sources or sorted(SOURCES)
    report.note_raw_folders(Path(raw_dir), chosen)
    if fetch:
        for source_id in chosen:
            state = fetch_source(source_id, raw_dir, return_state=True)
            if state.is_failed():
                report.fetch_failed(source_id, _message(state))
            elif state.result():
                report.fetched(source_id, state.result())
    work_dir = tempfile.mkdtemp(prefix=".work-", dir=_ensure(out_dir))
    try:
        futures = {}
        for source_id in chosen:
            if not snapshots.discover(Path(raw_dir), source_id):
                report.no_snapshot(source_id)
                continue
            futures[source_id] = process_source_task.submit(source_id, raw_dir, snapshot_mode, work_dir)
        summaries = []
        for source_id, future in futures.items():
            future.wait()
            state = future.state
            if state.is_failed():
                report.source_failed(source_id, _message(state))
                continue
            summary = future.result()
            report.add_summary(summary)
            summaries.append(summary)
        if summaries:
            sample = report.any_sample(Path(raw_dir), summaries)
            release = publish_task(raw_dir, summaries, out_dir, report.manifest_info(), sample)
            report.published(release)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return report.to_dict()


def _ensure(path: str) -> str:
    Path(path).mkdir(parents=True, exist_ok=True)
    return path


def _message(state) -> str:
    try:
        state.result()
    except (FetchError, Exception) as exc:  # the task's own exception, re-raised by result()
        return f"{exc.__class__.__name__}: {exc}"
    return state.message or "failed"
