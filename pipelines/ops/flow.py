"""The Prefect flow of one run, `run_pipeline` (flow `harmstats-run`): the steps of
`ops.steps` (process each source as its own task, then publish one release) as Prefect tasks.
`ops.run.execute` starts it when Prefect has something to record the run with (a server at
PREFECT_API_URL, a flow run around it, a Dask scheduler; see `ops.run.use_prefect`), else it
runs the same steps without Prefect (`ops.steps.run_locally`). `pipelines.flows` offers this
flow, and the nightly flow, as Prefect entry points.

Thin on purpose: every step is a plain function of `ops.steps`, tested on its own.
"""

from __future__ import annotations

from prefect import flow, task

from pipelines.ops.steps import process_one, publish, run_steps
from pipelines.settings import Settings, activated

process_source_task = task(process_one, name="process_source_task")
publish_task = task(publish, name="publish_task")


class PrefectRunner:
    """The steps as tasks of the flow run in progress (its task runner: threads, or Dask)."""

    def submit(self, source_id: str, raw_dir: str, snapshot_mode: str, work_dir: str,
               settings: Settings):
        return process_source_task.submit(source_id, raw_dir, snapshot_mode, work_dir, settings)

    def outcome(self, future) -> dict | BaseException:
        future.wait()
        state = future.state
        if not state.is_failed():
            return future.result()
        return _exception(state)

    def publish(self, *args) -> dict | BaseException:
        return publish_task(*args, return_state=True).result(raise_on_failure=False)


@flow(name="harmstats-run", log_prints=False)
def run_pipeline(raw_dir: str, out_dir: str, sources: list[str] | None = None,
                 snapshot_mode: str = "latest", fetch: bool = False,
                 reuse: list[str] | None = None, fetched: dict | None = None,
                 run_info: dict | None = None, reasons: dict | None = None,
                 settings: Settings | None = None) -> dict:
    """Process every (or the named) source and publish one release. Returns the run report
    (`ops.steps.run_steps` says what the arguments mean). `settings`: the run's (default:
    read from the environment now)."""
    settings = settings or Settings.from_env()
    with activated(settings):
        return run_steps(raw_dir, out_dir, sources, snapshot_mode, fetch, reuse, fetched,
                         run_info, reasons, settings, PrefectRunner())


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


def _exception(state) -> BaseException:
    """The exception a failed task raised (re-raised by `result()`), or one with its message."""
    try:
        state.result()
    except Exception as exc:  # the task's own exception
        return exc
    return RuntimeError(state.message or "failed")
