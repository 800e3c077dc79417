"""The Prefect flow: fetch (optional), process each source as its own task, publish.

Thin on purpose: every step is a plain function tested on its own. Tasks pass paths and
small summaries, never frames; retries only on fetching, where I/O can fail.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from pandera.errors import SchemaErrors
from prefect import flow, task

from pipelines import snapshots
from pipelines.fetching import FetchError
from pipelines.process import process_source
from pipelines.publish.checks import BlockingCheckError
from pipelines.publish.release import current_release, write_release
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
def publish_task(raw_dir: str, summaries: list[dict], failed_sources: list[str], out_dir: str,
                 run_info: dict, sample: bool) -> dict:
    """Assemble, validate and publish the release. Failed sources are carried forward from
    the current release. Returns the release folder and what was carried forward."""
    previous = current_release(Path(out_dir))
    tables = build_tables(Path(raw_dir), summaries, previous, set(failed_sources))
    sources = tables["sources"]
    carried = sorted(set(sources.loc[sources["status"] == "carried_forward", "source"]))
    release = write_release(tables, Path(out_dir), {**run_info, "carried_forward": carried}, sample)
    return {"release": str(release), "carried_forward": carried}


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
        summaries, failed = [], []
        for source_id, future in futures.items():
            future.wait()
            state = future.state
            if state.is_failed():
                report.source_failed(source_id, _message(state))
                failed.append(source_id)
                continue
            summary = future.result()
            report.add_summary(summary)
            summaries.append(summary)
        if summaries or failed:
            sample = report.any_sample(Path(raw_dir), summaries)
            state = publish_task(raw_dir, summaries, failed, out_dir, report.manifest_info(),
                                 sample, return_state=True)
            outcome = state.result(raise_on_failure=False)
            if isinstance(outcome, (BlockingCheckError, SchemaErrors)):
                report.blocked(outcome)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                report.published(outcome["release"], outcome["carried_forward"])
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
