"""The steps of one run, without Prefect: process each source (concurrently), then publish one
release. `run_steps` drives them through a `Runner`, which says how a step is run:

- `LocalRunner` (here): a thread per source and the publish step in this thread, in-process.
  `harmstats run` uses it when nothing would record the run (no Prefect server, no flow run
  around it): it pays neither for Prefect's import nor for its temporary API server.
- `ops.flow.PrefectRunner`: the same steps as Prefect tasks of the `harmstats-run` flow (the
  nightly deployment, a run with PREFECT_API_URL, a Dask scheduler).

Either way the steps are the same functions with the same arguments, and a step's exception
is handed back to `run_steps` (never raised past it), which records a failed source or a
blocked publish the same way. Tasks pass paths, small summaries and the run's settings
(`pipelines.settings`, made active inside each step, so a Dask worker in another process
follows them too), never frames. Fetching retries inside `pipelines.sources.fetching`.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from pandera.errors import SchemaErrors

from pipelines import snapshots
from pipelines.ops.incremental import linkage_reusable, load_manifest, mark_reused, previous_accounting
from pipelines.ops.report import RunReport
from pipelines.publish.release import current_release, write_release
from pipelines.settings import Settings, activated
from pipelines.sources.fetching import fetch_sources
from pipelines.sources.process import process_source
from pipelines.sources.registry import SOURCES
from pipelines.stats.anomalies import find_anomalies
from pipelines.stats.checks import BlockingCheckError
from pipelines.stats.tables import build_tables

log = logging.getLogger("harmstats.run")


def process_one(source_id: str, raw_dir: str, snapshot_mode: str, work_dir: str,
                settings: Settings) -> dict:
    """Read and harmonise the selected snapshots of one source into the work folder."""
    started = time.monotonic()
    with activated(settings):
        summary = process_source(source_id, Path(raw_dir), snapshot_mode, Path(work_dir))
    return {**summary, "seconds": round(time.monotonic() - started, 3)}


def publish(raw_dir: str, summaries: list[dict], failed_sources: list[str], out_dir: str,
            run_info: dict, sample: bool, settings: Settings, reuse: list[str] | None = None,
            work_dir: str | None = None) -> dict:
    """Assemble, validate and publish the release. Failed sources are carried forward from
    the current release, and so are unchanged (`reuse`) sources, which stay `ok`. Returns the
    release folder, what was carried forward and the anomaly warnings of the new snapshots."""
    with activated(settings):
        previous = current_release(Path(out_dir))
        reused = set(reuse or ()) if previous else set()
        reusable = previous is not None and linkage_reusable(load_manifest(previous),
                                                             run_info.get("incremental"))
        tables = build_tables(Path(raw_dir), summaries, previous, set(failed_sources) | reused,
                              store_dir=Path(work_dir) / "tables" if work_dir else None,
                              links_from=previous if reusable else None)
        tables["sources"] = mark_reused(tables["sources"], reused)
        sources = tables["sources"]
        carried = sorted(set(sources.loc[sources["status"] == "carried_forward", "source"]))
        # reported only: tables unchanged
        anomalies = find_anomalies(tables, summaries, previous, settings.anomaly_thresholds)
        release = write_release(tables, Path(out_dir), {**run_info, "carried_forward": carried},
                                sample)
    return {"release": str(release), "carried_forward": carried, "anomalies": anomalies}


class Runner(Protocol):
    """How `run_steps` runs its steps. `submit` starts `process_one` for a source and returns a
    handle; `outcome` waits for it and returns its summary, or the exception it raised;
    `publish` runs `publish` and returns its result, or the exception it raised."""

    def submit(self, source_id: str, raw_dir: str, snapshot_mode: str, work_dir: str,
               settings: Settings): ...

    def outcome(self, handle) -> dict | BaseException: ...

    def publish(self, *args) -> dict | BaseException: ...


class LocalRunner:
    """The steps in this process: one thread per source (as Prefect's default task runner
    does), the publish step in the calling thread. Use it as a context manager."""

    def __init__(self, workers: int):
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers),
                                        thread_name_prefix="harmstats-source")

    def __enter__(self) -> "LocalRunner":
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True)

    def submit(self, source_id: str, raw_dir: str, snapshot_mode: str, work_dir: str,
               settings: Settings) -> Future:
        return self._pool.submit(process_one, source_id, raw_dir, snapshot_mode, work_dir, settings)

    def outcome(self, handle: Future) -> dict | BaseException:
        try:
            return handle.result()
        except Exception as exc:  # the step's own exception: a failed source, recorded
            log.error("processing failed: %s: %s", exc.__class__.__name__, exc, exc_info=exc)
            return exc

    def publish(self, *args) -> dict | BaseException:
        try:
            return publish(*args)
        except Exception as exc:  # a blocking check or a crash: run_steps decides which
            if not isinstance(exc, (BlockingCheckError, SchemaErrors)):
                log.error("publishing failed: %s: %s", exc.__class__.__name__, exc, exc_info=exc)
            return exc


def run_locally(raw_dir: str, out_dir: str, sources: list[str] | None = None,
                snapshot_mode: str = "latest", fetch: bool = False,
                reuse: list[str] | None = None, fetched: dict | None = None,
                run_info: dict | None = None, reasons: dict | None = None,
                settings: Settings | None = None) -> dict:
    """What the `harmstats-run` flow does (same arguments, same report), without Prefect."""
    settings = settings or Settings.from_env()
    workers = len(sources if sources is not None else SOURCES)
    with activated(settings), LocalRunner(workers) as runner:
        return run_steps(raw_dir, out_dir, sources, snapshot_mode, fetch, reuse, fetched,
                         run_info, reasons, settings, runner)


def run_steps(raw_dir: str, out_dir: str, sources: list[str] | None, snapshot_mode: str,
              fetch: bool, reuse: list[str] | None, fetched: dict | None, run_info: dict | None,
              reasons: dict | None, settings: Settings, runner: Runner) -> dict:
    """Process every (or the named) source and publish one release; returns the run report.

    `reuse`: sources taken unchanged from the current release (not processed). `fetched`:
    fetch results of a fetch done before (`fetch=True` fetches here instead). `run_info`:
    extra manifest entries (the incremental fingerprint). `reasons`: why each source runs."""
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
        handles = {}
        for source_id in chosen:
            if not snapshots.select(snapshots.discover(Path(raw_dir), SOURCES[source_id]), snapshot_mode):
                report.no_snapshot(source_id)
                continue
            handles[source_id] = runner.submit(source_id, raw_dir, snapshot_mode, work_dir, settings)
        summaries, failed = [], []
        for source_id, handle in handles.items():
            outcome = runner.outcome(handle)
            if isinstance(outcome, BaseException):
                report.source_failed(source_id, f"{outcome.__class__.__name__}: {outcome}")
                failed.append(source_id)
                continue
            report.add_summary(outcome)
            summaries.append(outcome)
        if summaries or failed or reuse:
            sample = report.any_sample(Path(raw_dir), summaries, reuse, snapshot_mode)
            outcome = runner.publish(raw_dir, summaries, failed, out_dir,
                                     {**report.manifest_info(), **(run_info or {})}, sample,
                                     settings, reuse, work_dir)
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


def _ensure(path: str) -> str:
    Path(path).mkdir(parents=True, exist_ok=True)
    return path
