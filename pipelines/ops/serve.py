"""`harmstats serve`: the nightly flow as a Prefect deployment with a cron schedule.

Prefect's temporary server never fires schedules ("Cannot schedule flows on an ephemeral
server"), so serving needs a long-lived `prefect server start` and `PREFECT_API_URL` pointing
at it; without one `serve` refuses plainly instead of waiting forever for runs that never
come. Stopping `serve` (SIGTERM, Ctrl-C) pauses the deployment until it starts again, so
keep it alive with systemd (deploy/). The plain alternative is cron calling
`harmstats run --fetch` (deploy/harmstats.cron).
"""

from __future__ import annotations

from pathlib import Path

from pipelines import __version__
from pipelines.settings import Settings, active

DEFAULT_CRON = Settings.cron  # the defaults of HARMSTATS_CRON and HARMSTATS_TIMEZONE
DEFAULT_TIMEZONE = Settings.timezone
DEFAULT_KEEP = Settings.keep_releases  # HARMSTATS_KEEP_RELEASES
DEPLOYMENT_NAME = "nightly"


class NoPrefectAPI(RuntimeError):
    """No long-lived Prefect server to schedule on."""


def api_url() -> str | None:
    """PREFECT_API_URL from the environment (`pipelines.settings`) or the active Prefect
    profile, or None."""
    url = active().prefect_api_url
    if url:
        return url
    try:
        from prefect.settings import PREFECT_API_URL

        return (PREFECT_API_URL.value() or "").strip() or None
    except Exception:  # noqa: BLE001 - an unreadable profile is the same as none
        return None


def check_api(url: str | None, timeout: float = 5.0) -> str:
    """The API URL when a Prefect server answers there; NoPrefectAPI says what to do."""
    import httpx

    how = ("Start one (`prefect server start --host 127.0.0.1 --port 4200`, or the systemd unit "
           "deploy/prefect-server.service) and set PREFECT_API_URL=http://127.0.0.1:4200/api; "
           "or schedule `harmstats run --fetch` with cron instead (deploy/harmstats.cron).")
    if not url:
        raise NoPrefectAPI("harmstats serve needs a running Prefect server: PREFECT_API_URL is "
                           "not set, and schedules never fire on Prefect's temporary server. " + how)
    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=timeout)
        ok = response.status_code == 200
    except httpx.HTTPError as exc:
        raise NoPrefectAPI(f"no Prefect server answers at PREFECT_API_URL={url} "
                           f"({exc.__class__.__name__}). " + how) from exc
    if not ok:
        raise NoPrefectAPI(f"PREFECT_API_URL={url} answered HTTP {response.status_code} on /health, "
                           "not a Prefect API. " + how)
    return url


def nightly_parameters(raw_dir: Path, out_dir: Path, snapshot_mode: str = "latest",
                       keep: int = DEFAULT_KEEP, wait: float = 1800.0, fetch: bool = True,
                       sources: list[str] | None = None) -> dict:
    """The flow parameters of a scheduled run: `harmstats run --fetch` with these folders."""
    return {"raw_dir": str(Path(raw_dir).resolve()), "out_dir": str(Path(out_dir).resolve()),
            "fetch": fetch, "sources": sources, "snapshot_mode": snapshot_mode, "full": False,
            "keep": keep, "wait": wait}


def build_deployment(nightly, parameters: dict, cron: str = DEFAULT_CRON,
                     timezone: str = DEFAULT_TIMEZONE, name: str = DEPLOYMENT_NAME):
    """The deployment of the `nightly` flow (`pipelines.flows.nightly`, passed in by the command
    line: it sits above this layer), not registered anywhere yet: `serve` does that."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    return nightly.to_deployment(
        name=name, schedule=Cron(cron, timezone=timezone), parameters=parameters,
        description="harmstats nightly: fetch, process what changed, publish, report, "
                    "prune old releases, notify on failed/stale/overdue/anomalous/blocked runs.",
        tags=["harmstats", "nightly"], version=__version__,
        # by module path, so the served process finds the flow from any working directory
        entrypoint_type=EntrypointType.MODULE_PATH)


def serve(deployment) -> None:
    """Serve the deployment until stopped (runs scheduled flows in this process's children)."""
    from prefect import serve as prefect_serve

    prefect_serve(deployment)
