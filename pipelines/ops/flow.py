"""The Prefect flow of one run, `run_pipeline` (flow `harmstats-run`): process each source as
its own task, then publish one release. `ops.run.execute` starts it when a run has work;
`pipelines.flows` offers it, and the nightly flow, as Prefect entry points.

Thin on purpose: every step is a plain function tested on its own. Tasks pass paths, small
summaries and the run's settings (`pipelines.settings`, made active inside each task, so a Dask
worker in another process follows them too), never frames. Fetching retries inside `pipelines.sources.fetching` (with backoff),
not as Prefect task retries.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from pandera.errors import SchemaErrors
from prefect import flow, task

from pipelines import snapshots
from pipelines.ops.incremental import load_manifest, mark_reused, previous_accounting
from pipelines.ops.report import RunReport
from pipelines.publish.release import current_release, write_release
from pipelines.settings import Settings, activated
from pipelines.sources.fetching import fetch_sources
from pipelines.sources.process import process_source
from pipelines.sources.registry import SOURCES
from pipelines.stats.anomalies import find_anomalies
from pipelines.stats.checks import BlockingCheckError
from pipelines.stats.tables import build_tables


@task
def process_source_task(source_id: str, raw_dir: str, snapshot_mode: str, work_dir: str,
                        settings: Settings) -> dict:
    """Read and harmonise the selected snapshots of one source into the work folder."""
    started = time.monotonic()
    with activated(settings):
        summary = process_source(source_id, Path(raw_dir), snapshot_mode, Path(work_dir))
    return {**summary, "seconds": round(time.monotonic() - started, 3)}


@task
def publish_task(raw_dir: str, summaries: list[dict], failed_sources: list[str], out_dir: str,
                 run_info: dict, sample: bool, settings: Settings, reuse: list[str] | None = None,
                 work_dir: str | None = None) -> dict:
    """Assemble, validate and publish the release. Failed sources are carried forward from
    the current release, and so are unchanged (`reuse`) sources, which stay `ok`. Returns the
    release folder, what was carried forward and the anomaly warnings of the new snapshots."""
    with activated(settings):
        return _publish(raw_dir, summaries, failed_sources, out_dir, run_info, sample, settings,
                        reuse, work_dir)


def _publish(raw_dir: str, summaries: list[dict], failed_sources: list[str], out_dir: str,
             run_info: dict, sample: bool, settings: Settings, reuse: list[str] | None,
             work_dir: str | None) -> dict:
    """`publish_task`'s work, under the run's settings."""
    previous = current_release(Path(out_dir))
    reused = set(reuse or ()) if previous else set()
    tables = build_tables(Path(raw_dir), summaries, previous, set(failed_sources) | reused,
                          store_dir=Path(work_dir) / "tables" if work_dir else None)
    tables["sources"] = mark_reused(tables["sources"], reused)
    sources = tables["sources"]
    carried = sorted(set(sources.loc[sources["status"] == "carried_forward", "source"]))
    # reported only: tables unchanged
    anomalies = find_anomalies(tables, summaries, previous, settings.anomaly_thresholds)
    release = write_release(tables, Path(out_dir), {**run_info, "carried_forward": carried}, sample)
    return {"release": str(release), "carried_forward": carried, "anomalies": anomalies}


@flow(name="harmstats-run", log_prints=False)
def run_pipeline(raw_dir: str, out_dir: str, sources: list[str] | None = None,
                 snapshot_mode: str = "latest", fetch: bool = False,
                 reuse: list[str] | None = None, fetched: dict | None = None,
                 run_info: dict | None = None, reasons: dict | None = None,
                 settings: Settings | None = None) -> dict:
    """Process every (or the named) source and publish one release. Returns the run report.

    `reuse`: sources taken unchanged from the current release (not processed). `fetched`:
    fetch results of a fetch done before the flow (`fetch=True` fetches here instead).
    `run_info`: extra manifest entries (the incremental fingerprint). `settings`: the run's
    (default: read from the environment now)."""
    settings = settings or Settings.from_env()
    with activated(settings):
        return _run(raw_dir, out_dir, sources, snapshot_mode, fetch, reuse, fetched, run_info,
                    reasons, settings)


def _run(raw_dir: str, out_dir: str, sources: list[str] | None, snapshot_mode: str, fetch: bool,
         reuse: list[str] | None, fetched: dict | None, run_info: dict | None,
         reasons: dict | None, settings: Settings) -> dict:
    """`run_pipeline`'s work, under the run's settings."""
    snapshots.check_mode(snapshot_mode)
    report = RunReport(raw_dir=raw_dir, out_dir=out_dir, snapshot_mode=snapshot_mode)
    previous = current_release(Path(out_dir))
    report.previous_release = previous.name if previous else None
    reuse = [s for s in reuse or () if previous]
    chosen = sources if sources is not None else sorted(set(SOURCES) - set(reuse))
    report.note_raw_folders(Path(raw_dir), sorted(set(chosen) | set(reuse)))
    if fetch:
        fetched = fetch_sources(Path(raw_dir), [SOURCES[s] for s in chosen])
    if fetched:
        report.record_fetches(Path(raw_dir), fetched)
    for source_id, why in (reasons or {}).items():
        report.reason(source_id, why)
    if reuse:
        manifest = load_manifest(previous)
        for source_id in reuse:
            report.unchanged(source_id, previous_accounting(manifest, source_id), previous.name)
    work_dir = tempfile.mkdtemp(prefix=".work-", dir=_ensure(out_dir))
    try:
        futures = {}
        for source_id in chosen:
            if not snapshots.select(snapshots.discover(Path(raw_dir), SOURCES[source_id]), snapshot_mode):
                report.no_snapshot(source_id)
                continue
            futures[source_id] = process_source_task.submit(source_id, raw_dir, snapshot_mode,
                                                            work_dir, settings)
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
        if summaries or failed or reuse:
            sample = report.any_sample(Path(raw_dir), summaries, reuse, snapshot_mode)
            state = publish_task(raw_dir, summaries, failed, out_dir,
                                 {**report.manifest_info(), **(run_info or {})}, sample, settings,
                                 reuse, work_dir, return_state=True)
            outcome = state.result(raise_on_failure=False)
            if isinstance(outcome, (BlockingCheckError, SchemaErrors)):
                report.blocked(outcome)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                report.published(outcome["release"], outcome["carried_forward"],
                                 outcome.get("anomalies"))
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return report.to_dict()


def pipeline_flow(dask_address: str | None = None):
    """`run_pipeline`, or the same flow with its per-source tasks sent to the Dask scheduler
    at `dask_address` (prefect-dask's DaskTaskRunner). Tasks hand on paths, never frames, so
    the workers need this project installed and the raw and output folders on a shared
    filesystem."""
    if not dask_address:
        return run_pipeline
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:  # an optional extra
        raise RuntimeError("a Dask scheduler was given but prefect-dask is not installed: "
                           "pip install -e '.[dask]'") from exc
    return run_pipeline.with_options(task_runner=DaskTaskRunner(address=dask_address))


def _ensure(path: str) -> str:
    Path(path).mkdir(parents=True, exist_ok=True)
    return path


def _message(state) -> str:
    try:
        state.result()
    except Exception as exc:  # the task's own exception, re-raised by result()
        return f"{exc.__class__.__name__}: {exc}"
    return state.message or "failed"
