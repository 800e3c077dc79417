"""One complete run, as `harmstats run` and the nightly schedule do it.

1. Take the run lock (wait up to `wait` seconds, else exit 3), finish what a killed run left.
2. With `fetch`, download new snapshots; note each source's age against its cadence.
3. Plan: which sources changed since the current release (`incremental.plan`). When none
   did, publish nothing and say so ("unchanged: nothing new since release X"); this path
   never starts Prefect, so it takes about a second.
4. Otherwise run the steps (`ops.steps`) on the changed sources, taking the unchanged ones
   from the current release: as the Prefect flow `harmstats-run` when Prefect has something
   to record it with (`use_prefect`), else in-process without Prefect.
5. Report (JSON beside the release and `last_run.json`), summarise what changed since the
   previous release, delete old releases (retention), notify when something needs a person.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

from pipelines import snapshots
from pipelines.inspection.diff import diff_releases
from pipelines.ops import freshness
from pipelines.ops import incremental as inc
from pipelines.ops.lock import LockHeld, RunLock
from pipelines.ops.notify import notify
from pipelines.ops.report import RunReport
from pipelines.ops.retention import prune
from pipelines.ops.steps import run_locally
from pipelines.publish.release import current_release, recover_interrupted
from pipelines.settings import Settings, activated, prepare_third_parties
from pipelines.sources.fetching import fetch_sources
from pipelines.sources.registry import SOURCES

log = logging.getLogger("harmstats.run")


def change_summary(old: Path, new: Path) -> dict:
    """Rows added, removed and changed per table between two releases (short)."""
    result = diff_releases(old, new, top=1)
    tables = {}
    for name, part in result["tables"].items():
        counts = {k: int(part.get(k) or 0) for k in ("old_rows", "new_rows", "added", "removed",
                                                      "changed")}
        if part.get("duplicate_keys"):  # no unique key known: by-key counts mean nothing
            counts = {"old_rows": counts["old_rows"], "new_rows": counts["new_rows"],
                      "note": "no unique key: row counts only"}
            if counts["old_rows"] != counts["new_rows"]:
                tables[name] = counts
        elif counts["added"] or counts["removed"] or counts["changed"]:
            tables[name] = counts
    return {"from": old.name, "to": new.name, "tables": tables,
            "definitions_changed": result.get("definitions_changed", [])}


def _clean_leftovers(out_dir: Path, raw_dir: Path, chosen: list[str]) -> list[str]:
    """Work folders of killed runs (we hold the lock: no run uses them), report temporaries,
    and download staging folders older than a day."""
    removed = []
    for path in list(out_dir.glob(".work-*")) + list((out_dir / "reports").glob(".*.json.*")) \
            + list(out_dir.glob(".last_run.json.*")):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path.name)
    for source_id in chosen:
        for path in (raw_dir / source_id).glob(".*.partial"):
            try:
                old = time.time() - path.stat().st_mtime > 86400
            except OSError:
                continue
            if old:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(f"{source_id}/{path.name}")
    return removed


def _with_ages(raw_dir: Path, results: dict[str, dict], today: date) -> dict[str, dict]:
    return {sid: {**result, "age": freshness.assess(raw_dir, SOURCES[sid], today)}
        for sid, result in results.items()}


def _save(out_dir: Path, data: dict, stamp: str, last_run: bool = True) -> Path:
    reports = out_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    name = f"{data['release_id']}.json" if data.get("published") else f"run-{stamp}-{data['outcome']}.json"
    path = reports / name
    data["report_file"] = str(path)
    text = json.dumps(data, indent=2, default=str) + "\n"
    for target in [path] + ([out_dir / "last_run.json"] if last_run else []):
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    return path


def _finish(data: dict, out_dir: Path, stamp: str, started: float, webhook_url: str | None,
            last_run: bool = True) -> dict:
    data["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    data["seconds"] = round(time.monotonic() - started, 3)
    data["host"] = socket.gethostname()
    _save(out_dir, data, stamp, last_run)  # sets report_file, which the notification names
    data["notification"] = notify(data, webhook_url)
    _save(out_dir, data, stamp, last_run)
    return data


def execute(raw_dir: Path, out_dir: Path, sources: list[str] | None = None,
            snapshot_mode: str = "latest", fetch: bool = False, incremental: bool = True,
            wait: float = 0.0, keep: int | None = None, today: date | None = None,
            webhook_url: str | None = None, dask_address: str | None = None,
            settings: Settings | None = None) -> dict:
    """Run once (see the module docstring). Returns the run report as a dict; its
    `exit_code` is what a scheduler acts on (0 ok / 1 warnings / 2 blocked / 3 locked).

    `settings` (default: read from the environment now) hold for the whole run; `keep`,
    `webhook_url` and `dask_address` (a Dask cluster to process the sources on), when given,
    override theirs."""
    snapshots.check_mode(snapshot_mode)  # bad usage: refused before anything is done
    settings = (settings or Settings.from_env()).with_flags(
        keep_releases=keep, webhook_url=webhook_url, dask_address=dask_address)
    with activated(settings):
        return _execute(Path(raw_dir).resolve(), Path(out_dir).resolve(), sources, snapshot_mode,
                        fetch, incremental, wait, today, settings)


def _execute(raw_dir: Path, out_dir: Path, sources: list[str] | None, snapshot_mode: str,
             fetch: bool, incremental: bool, wait: float, today: date | None,
             settings: Settings) -> dict:
    """`execute` with its paths resolved, under the run's settings."""
    keep, webhook_url = settings.keep_releases, settings.webhook_url or ""
    started = time.monotonic()
    started_at = datetime.now(timezone.utc)
    stamp = f"{started_at:%Y%m%dT%H%M%S}-{os.getpid()}"
    chosen = list(sources) if sources else sorted(SOURCES)
    base = {"started": started_at.isoformat(timespec="seconds")}
    lock = RunLock(out_dir, wait)
    try:
        lock.acquire()
    except LockHeld as exc:
        report = RunReport(raw_dir=str(raw_dir), out_dir=str(out_dir), snapshot_mode=snapshot_mode)
        report.outcome = "locked"
        report.extra = {"lock": {"message": str(exc), "holder": exc.holder,
                                 "waited_seconds": round(exc.waited, 1), "path": str(exc.path)}}
        return _finish({**base, **report.to_dict()}, out_dir, stamp, started, webhook_url,
                       last_run=False)
    try:
        recovered = recover_interrupted(out_dir) + _clean_leftovers(out_dir, raw_dir, chosen)
        lock_info = {"path": str(lock.path), "waited_seconds": round(lock.waited, 1),
                     "recovered_from": lock.recovered, "leftovers_removed": recovered}
        today = today or freshness.today_utc()
        plan, runner = None, None
        try:
            fetched = _with_ages(raw_dir, fetch_sources(raw_dir, [SOURCES[s] for s in chosen], today.isoformat()), today) \
                if fetch else None
            plan = inc.plan(raw_dir, out_dir, chosen, snapshot_mode, enabled=incremental)
            if plan.nothing_new or not (plan.process or plan.reuse):
                data = _report_without_flow(raw_dir, out_dir, snapshot_mode, plan, fetched, chosen)
            else:
                runner = "prefect" if use_prefect(settings) else "in-process"
                data = _run_flow(settings)(
                    raw_dir=str(raw_dir), out_dir=str(out_dir),
                    sources=plan.process + plan.no_snapshot, snapshot_mode=snapshot_mode,
                    reuse=plan.reuse, fetched=fetched,
                    run_info={"incremental": plan.manifest_block()}, reasons=plan.reasons,
                    settings=settings)
        except Exception as exc:  # a crash: nothing published, the current release stays
            log.exception("harmstats run failed")
            report = RunReport(raw_dir=str(raw_dir), out_dir=str(out_dir), snapshot_mode=snapshot_mode)
            previous = current_release(out_dir)
            report.previous_release = previous.name if previous else None
            report.blocked(RuntimeError(f"{exc.__class__.__name__}: {exc}"))
            report.outcome = "error"
            data = report.to_dict()
        data = {**base, **data, "runner": runner, "lock": lock_info,
                "incremental": {"enabled": incremental, "processed": plan.process if plan else [],
                                "unchanged": plan.reuse if plan else [],
                                "reasons": plan.reasons if plan else {}}}
        if data.get("published") and data.get("previous_release"):
            try:
                data["changes"] = change_summary(out_dir / "releases" / data["previous_release"],
                                                 Path(data["release"]))
            except Exception as exc:  # noqa: BLE001 - a summary must not fail the run
                data["changes"] = {"error": f"{exc.__class__.__name__}: {exc}"}
        data["retention"] = prune(out_dir, keep, lock_held=True)
        return _finish(data, out_dir, stamp, started, webhook_url)
    finally:
        lock.release()


def use_prefect(settings: Settings) -> bool:
    """Whether a run goes through the Prefect flow: when Prefect has something to record it
    with or run it on (a server at PREFECT_API_URL, a Prefect flow run around this one such as
    the nightly deployment's, a Dask scheduler), or when HARMSTATS_PREFECT=always. Otherwise
    the same steps run in-process without Prefect: a one-off local run does not pay for
    importing Prefect and starting its temporary API server (about 7 s of CPU)."""
    return (settings.prefect == "always" or bool(settings.prefect_api_url)
            or bool(settings.dask_address) or _inside_flow_run())


def _inside_flow_run() -> bool:
    """True inside a Prefect flow run (Prefect is imported by then: no import here)."""
    context = sys.modules.get("prefect.context")
    return bool(context and context.FlowRunContext.get())


def _run_flow(settings: Settings):
    """What runs the steps: the `harmstats-run` flow (on Dask when one is set) or
    `ops.steps.run_locally`; both take the same arguments and return the run report."""
    if not use_prefect(settings):
        return run_locally
    prepare_third_parties()  # before Prefect is imported
    # lazy: Prefect is imported only when a flow runs (a run with nothing new never does)
    from pipelines.ops.flow import pipeline_flow

    return pipeline_flow(settings.dask_address)


def _report_without_flow(raw_dir: Path, out_dir: Path, snapshot_mode: str, plan, fetched,
                         chosen) -> dict:
    """The report of a run with nothing to process (no source changed, or no snapshot on
    disk at all): nothing is published, Prefect is not started."""
    report = RunReport(raw_dir=str(raw_dir), out_dir=str(out_dir), snapshot_mode=snapshot_mode)
    report.previous_release = plan.previous.name if plan.previous else None
    report.note_raw_folders(raw_dir, chosen)
    if fetched:
        report.record_fetches(raw_dir, fetched)
    manifest = inc.load_manifest(plan.previous)
    for source_id in plan.reuse:
        report.unchanged(source_id, inc.previous_accounting(manifest, source_id),
                         plan.previous.name)
    for source_id in plan.no_snapshot:
        report.no_snapshot(source_id)
    if plan.nothing_new:
        report.nothing_new(plan.previous)
    return report.to_dict()
