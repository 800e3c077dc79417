"""The notification hook: POST a JSON summary of a run that needs a person's attention.

Set `HARMSTATS_WEBHOOK_URL` (any endpoint that accepts a JSON POST; the payload's `text`
field is what Slack- or Mattermost-style incoming webhooks display). It fires when the exit
code is not 0: failed, carried-forward, stale, overdue or anomalous sources (1: an anomaly
warning names the source, snapshot, file, measure and both numbers), a blocked release (2),
another run holding the lock (3). A failure to notify is logged and recorded in the run
report, never fatal; the request has a short timeout. Only the webhook's host is recorded,
never its full address (it often holds a secret token).
"""

from __future__ import annotations

import logging
import socket
from urllib.parse import urlsplit

import httpx

from pipelines.settings import active

log = logging.getLogger("harmstats.notify")
TIMEOUT = 5.0
ENV = "HARMSTATS_WEBHOOK_URL"
ATTENTION = {"failed", "carried_forward", "stale", "overdue", "anomalous"}


def should_notify(report: dict) -> bool:
    return int(report.get("exit_code", 0)) != 0


def payload(report: dict) -> dict:
    """A short, self-contained summary: what happened and which sources need attention."""
    attention = {sid: {k: info.get(k) for k in ("state", "age_days", "max_age_days", "warnings",
                                                 "anomalies") if k != "anomalies" or info.get(k)}
                 for sid, info in sorted((report.get("sources") or {}).items())
                 if info.get("state") in ATTENTION or info.get("anomalies")}
    lines = [f"harmstats on {socket.gethostname()}: {report.get('summary', '')} "
             f"(exit {report.get('exit_code')})"]
    for sid, info in attention.items():
        warnings = "; ".join(info.get("warnings") or []) or info.get("state")
        lines.append(f"- {sid}: {info['state']}: {warnings}")
    return {
        "text": "\n".join(lines)[:4000],
        "harmstats": {
            "host": socket.gethostname(), "outcome": report.get("outcome"),
            "exit_code": report.get("exit_code"), "summary": report.get("summary"),
            "release": report.get("release_id"), "previous_release": report.get("previous_release"),
            "blocked_by": report.get("blocked_by"), "out_dir": report.get("out_dir"),
            "report_file": report.get("report_file"), "started": report.get("started"),
            "sources": attention,
        },
    }


def notify(report: dict, url: str | None = None, timeout: float = TIMEOUT) -> dict:
    """POST the summary when the run needs attention and a webhook is configured. Returns
    what happened ({"sent": bool, ...}); never raises."""
    url = url if url is not None else active().webhook_url or ""
    if not url:
        return {"sent": False, "reason": f"no webhook configured ({ENV})"}
    if not should_notify(report):
        return {"sent": False, "reason": "nothing to report (exit code 0)"}
    host = urlsplit(url).netloc.rsplit("@", 1)[-1] or "?"
    try:
        response = httpx.post(url, json=payload(report), timeout=timeout)
        if response.status_code >= 300:
            log.warning("webhook %s answered HTTP %s", host, response.status_code)
            return {"sent": False, "host": host, "error": f"HTTP {response.status_code}"}
        return {"sent": True, "host": host, "status": response.status_code}
    except Exception as exc:  # noqa: BLE001 - a notification must never break the run
        log.warning("could not notify %s: %s", host, exc)
        return {"sent": False, "host": host, "error": f"{exc.__class__.__name__}: {exc}"}
