"""Download a source's published file into a new snapshot folder, with its sidecar.

Retries with backoff, a timeout, a size limit and a content check (an HTML error page served
with status 200 is not data). A download identical to the newest snapshot makes no new folder.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx

from pipelines import snapshots
from pipelines.sources.base import SourceSpec
from pipelines.sources.readers import sniff_problem

MAX_BYTES = 512 * 1024 * 1024


class FetchError(RuntimeError):
    """A download that failed after its retries, or returned something that is not data."""


def download(url: str, dest: Path, timeout: float = 60.0, retries: int = 3,
             backoff: float = 2.0, max_bytes: int = MAX_BYTES) -> None:
    """Stream `url` into `dest`, retrying transient failures (network errors, 5xx, 429)."""
    last_error: Exception | None = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
                if response.status_code >= 500 or response.status_code == 429:
                    last_error = FetchError(f"{url}: HTTP {response.status_code}")
                    continue
                if response.status_code >= 400:
                    raise FetchError(f"{url}: HTTP {response.status_code}")
                size = 0
                with dest.open("wb") as handle:
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise FetchError(f"{url}: larger than {max_bytes} bytes")
                        handle.write(chunk)
                expected = response.headers.get("content-length")
                if expected and int(expected) != size and not response.headers.get("content-encoding"):
                    last_error = FetchError(f"{url}: truncated ({size} of {expected} bytes)")
                    continue
                return
        except httpx.HTTPError as exc:
            last_error = FetchError(f"{url}: {exc.__class__.__name__}: {exc}")
    raise last_error or FetchError(f"{url}: failed")


def fetch_snapshot(spec: SourceSpec, raw_dir: Path, today: str | None = None) -> Path | None:
    """Fetch `spec.download_url` as snapshot `today`; None when the source has no download
    location or the file is unchanged since the newest snapshot."""
    if not spec.download_url:
        return None
    today = today or datetime.now(timezone.utc).date().isoformat()
    final = raw_dir / spec.id / today
    staging = raw_dir / spec.id / f".{today}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    name = spec.download_name or spec.download_url.rstrip("/").rsplit("/", 1)[-1]
    target = staging / name
    try:
        download(spec.download_url, target)
        problem = sniff_problem(target)
        if problem:
            raise FetchError(f"{spec.download_url}: {problem}")
        digest = snapshots.sha256_file(target)
        previous = snapshots.discover(raw_dir, spec.id)
        if previous and any(f.get("sha256") == digest for f in previous[-1].files.values()):
            return None
        sidecar = {
            "source": spec.id, "snapshot": today, "kind": "full", "product": spec.product,
            "period": {"start": None, "end": today}, "landing_page": spec.landing_page,
            "licence": spec.licence, "download_url": spec.download_url,
            "retrieved": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "files": snapshots.describe_files(staging),
        }
        (staging / snapshots.SIDECAR).write_text(json.dumps(sidecar, indent=2) + "\n",
                                                 encoding="utf-8")
        if final.exists():
            raise FetchError(f"{final} exists already; raw snapshots are never overwritten")
        staging.rename(final)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
