"""Download a source's published file into a new snapshot folder, with its sidecar.

Each download has a timeout (per read, and an overall limit per attempt, so a server that
trickles bytes cannot hold a run forever), retries with exponential backoff on transient
failures (network errors, timeouts, HTTP 5xx and 429, a body cut short), and a size limit.
Requests are conditional where the server supports it: the ETag and Last-Modified of the
download are kept in the snapshot sidecar and sent back as If-None-Match / If-Modified-Since
next time; a 304 means unchanged. What arrives is checked before it becomes a snapshot: not
empty, not an HTML error page served with status 200, a valid zip for XLSX, and for CSV a
header row that is one of the source's known headers (`Source.headers`, from
`schemas/raw/<id>.py`), or else a file the source's own reader accepts (title rows, headers over
several rows). A zip of a source whose publisher ships one (`Source.archive_member`) must hold
that file, checked the same way; the sidecar records it under `archive_member`
(pipelines/archives.py). A download identical to the newest snapshot makes no new folder.

Everything about a source comes with the `Source` passed in (its download address, headers,
reader): this module never looks a source up.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx

from pipelines import __version__, archives, snapshots
from pipelines.settings import Settings, active
from pipelines.sources.base import RawFormatError
from pipelines.sources.readers import archive_problem, sniff_problem
from pipelines.sources.source import Source

MAX_BYTES = 512 * 1024 * 1024
TIMEOUT = Settings.fetch_timeout  # seconds without progress (connect, or between two reads)
ATTEMPT_LIMIT = 30 * 60.0  # seconds one attempt may take in all
RETRIES = Settings.fetch_retries
BACKOFF = 2.0  # first wait; doubles each retry
MAX_RETRY_AFTER = 300.0
USER_AGENT = f"harmstats/{__version__} (+https://github.com/; nightly statistics pipeline)"
HEADER_SEARCH_ROWS = 30  # some publishers put a title above the header row


class FetchError(RuntimeError):
    """A download that failed after its retries, or returned something that is not data."""


class _Retry(Exception):
    """A transient failure: worth another attempt."""

    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.wait = wait


@dataclass
class Download:
    """What one download did."""

    status: int  # 200, or 304 (not modified: nothing written)
    bytes: int
    attempts: int
    seconds: float
    etag: str | None = None
    last_modified: str | None = None
    errors: tuple[str, ...] = ()  # transient failures before the final answer

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class FetchOutcome:
    """What fetching one source did: `new` (a new snapshot folder), `not_modified` (304),
    `identical` (same bytes as the newest snapshot) or `no_download_url` (nothing to fetch:
    files are dropped in by hand)."""

    source: str
    outcome: str
    snapshot: str | None = None
    url: str | None = None
    bytes: int | None = None
    attempts: int = 0
    seconds: float = 0.0
    retried_after: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        data = asdict(self)
        data["retried_after"] = list(self.retried_after)
        return data


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return min(float(value), MAX_RETRY_AFTER) if value.strip().isdigit() else None


def _attempt(url: str, dest: Path, headers: dict, timeout: float, max_bytes: int,
             attempt_limit: float) -> Download:
    """One GET. Raises _Retry on a transient failure, FetchError on a permanent one."""
    started = time.monotonic()
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout,
                          follow_redirects=True) as response:
            status = response.status_code
            if status == 304:
                return Download(304, 0, 1, time.monotonic() - started,
                                response.headers.get("etag"), response.headers.get("last-modified"))
            if status >= 500 or status in (408, 429):
                raise _Retry(f"HTTP {status}", _retry_after(response))
            if status >= 400:
                raise FetchError(f"{url}: HTTP {status}")
            expected = response.headers.get("content-length")
            if expected and expected.isdigit() and int(expected) > max_bytes:
                raise FetchError(f"{url}: {int(expected):,} bytes announced, more than the "
                                 f"limit of {max_bytes:,}")
            size = 0
            with dest.open("wb") as handle:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError(f"{url}: larger than the limit of {max_bytes:,} bytes")
                    if time.monotonic() - started > attempt_limit:
                        raise _Retry(f"still downloading after {attempt_limit:.0f} s")
                    handle.write(chunk)
            if expected and expected.isdigit() and int(expected) != size \
                    and not response.headers.get("content-encoding"):
                raise _Retry(f"truncated ({size:,} of {int(expected):,} bytes)")
            return Download(status, size, 1, time.monotonic() - started,
                            response.headers.get("etag"), response.headers.get("last-modified"))
    except httpx.TimeoutException as exc:
        raise _Retry(f"timed out after {timeout:g} s without progress "
                     f"({exc.__class__.__name__})") from exc
    except httpx.HTTPError as exc:  # connection refused or reset, body cut short, ...
        raise _Retry(f"{exc.__class__.__name__}: {exc}") from exc


def download(url: str, dest: Path, timeout: float = TIMEOUT, retries: int = RETRIES,
             backoff: float = BACKOFF, max_bytes: int = MAX_BYTES, etag: str | None = None,
             last_modified: str | None = None, attempt_limit: float = ATTEMPT_LIMIT) -> Download:
    """Stream `url` into `dest`, retrying transient failures with exponential backoff.

    With `etag` / `last_modified` (from the previous download) the request is conditional;
    a 304 answer returns `Download(status=304)` and writes nothing."""
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    errors: list[str] = []
    for attempt in range(retries + 1):
        try:
            result = _attempt(url, dest, headers, timeout, max_bytes, attempt_limit)
        except _Retry as exc:
            errors.append(str(exc))
            if attempt == retries:
                break
            wait = backoff * 2 ** attempt
            time.sleep(max(wait, exc.wait or 0.0))
            continue
        except OSError as exc:  # the disk, not the network
            raise FetchError(f"{url}: cannot write {dest}: {exc}") from exc
        result.attempts = attempt + 1
        result.seconds = time.monotonic() - started
        result.errors = tuple(errors)
        return result
    dest.unlink(missing_ok=True)
    raise FetchError(f"{url}: failed after {retries + 1} attempt(s): " + "; ".join(errors))


# --------------------------------------------------------------------------- content checks

def known_headers(source: Source) -> dict[str, list[str]]:
    """The header row of each known format version of a source, as text."""
    return {str(version): [str(c) for c in cols] for version, cols in source.headers.items()}


def _norm(cells) -> tuple[str, ...]:
    cells = [" ".join(str(c).replace("\ufeff", "").split()).casefold() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


def _head_text(path: Path | archives.ArchiveMember, limit: int = 256 * 1024) -> str:
    if isinstance(path, archives.ArchiveMember):
        head = path.read_head(limit)
    else:
        with path.open("rb") as handle:
            head = handle.read(limit)
    if len(head) == limit and b"\n" in head:
        head = head[: head.rindex(b"\n")]
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError:
            continue
    return head.decode("latin-1")


def header_problem(path: Path | archives.ArchiveMember, source: Source) -> str | None:
    """None when one of the first rows of a CSV is a known header row of the source (or the
    source declares no headers); otherwise what differs from the closest known header."""
    source_id = source.id
    headers = known_headers(source)
    if not headers:
        return None
    known = {version: _norm(cols) for version, cols in headers.items()}
    text = _head_text(path)
    rows = []
    for delimiter in (",", ";", "\t", "|"):
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            for _, row in zip(range(HEADER_SEARCH_ROWS), reader):
                row = _norm(row)
                if row in known.values():
                    return None
                if delimiter == "," and row:
                    rows.append(row)
        except csv.Error:
            continue
    first = rows[0] if rows else ()
    closest = max(known, key=lambda v: len(set(first) & set(known[v])))
    missing = [c for c in known[closest] if c not in first]
    new = [c for c in first if c not in known[closest]]
    return (f"the header row matches none of the {len(known)} known formats of {source_id} "
            f"(closest: {closest}; missing {missing[:5]}, new {new[:5]}). A new format? "
            f"Add its header to schemas/raw/{source_id}.py and its column map to the source module")


def content_problem(path: Path, source: Source) -> str | None:
    """A reason the downloaded file is not the data expected, or None."""
    problem = sniff_problem(path)
    if problem:
        return problem
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".zip"):
        if not zipfile.is_zipfile(path):
            return f"not a valid {suffix[1:].upper()} file (not a zip archive)"
        problem = archive_problem(path)  # before testzip() unpacks every member
        if problem:
            return problem
        try:
            with zipfile.ZipFile(path) as archive:
                if suffix != ".zip" and "[Content_Types].xml" not in archive.namelist():
                    return "not a valid XLSX file (no [Content_Types].xml in the archive)"
                bad = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            return f"a damaged zip archive ({exc})"
        if bad:
            return f"a damaged zip archive (bad CRC in {bad})"
        if suffix == ".zip":
            return _member_problem(path, source)
    elif suffix in (".csv", ".txt", ".tsv"):
        problem = header_problem(path, source)
        if problem:  # not a plain header row: the source's own reader has the last word
            return _reader_problem(path, source, problem)
    return None


def _member_problem(path: Path, source: Source) -> str | None:
    """For a zip of a source that reads a file inside one: that file is there and has a known
    header (or the source's reader accepts the archive)."""
    if source.archive_member is None:
        return None
    try:
        member = archives.member_of(path, source.archive_member)
    except archives.ArchiveError as exc:
        return str(exc)
    problem = header_problem(member, source)
    if problem:
        return _reader_problem(path, source, f"{member.name}: {problem}")
    return None


def _reader_problem(path: Path, source: Source, problem: str) -> str | None:
    """None when the source module reads the file (formats with title rows or multi-row
    headers), else `problem` with the reader's own message."""
    try:
        source.read_raw(path)
    except RawFormatError as exc:
        return f"{problem} (reader: {str(exc).replace(str(path), path.name)[:300]})"
    except Exception as exc:  # noqa: BLE001 - any failure to read is a reason to refuse
        return f"{problem} (reader: {exc.__class__.__name__}: {str(exc)[:300]})"
    return None


# ---------------------------------------------------------------------------------- fetching

def _validators(raw_dir: Path, source: Source) -> tuple[str | None, str | None]:
    """ETag and Last-Modified of the newest snapshot downloaded from the same address."""
    spec = source.spec
    for snap in reversed(snapshots.discover(raw_dir, source)):
        if snap.meta.get("download_url") == spec.download_url:
            return snap.meta.get("etag"), snap.meta.get("last_modified")
    return None, None


def _snapshot_name(source_dir: Path, today: str) -> str:
    """`today`, or `todayTHHMMSSZ` when a snapshot of that day exists already (sorts after it)."""
    if not (source_dir / today).exists():
        return today
    return f"{today}T{datetime.now(timezone.utc):%H%M%S}Z"


def fetch_source(source: Source, raw_dir: Path, today: str | None = None, *,
                 timeout: float | None = None, retries: int | None = None,
                 backoff: float | None = None, max_bytes: int | None = None) -> FetchOutcome:
    """Fetch the source's `download_url` as a new snapshot of it. Raises FetchError when the
    download fails after its retries or is not the data expected (nothing is written then)."""
    spec = source.spec
    if not spec.download_url:
        return FetchOutcome(spec.id, "no_download_url")
    limits = {
        "timeout": timeout or getattr(spec, "fetch_timeout", None) or active().fetch_timeout,
        "retries": retries if retries is not None else active().fetch_retries,
        "backoff": backoff if backoff is not None else BACKOFF,
        "max_bytes": max_bytes or getattr(spec, "max_bytes", None) or MAX_BYTES,
    }
    today = today or datetime.now(timezone.utc).date().isoformat()
    source_dir = raw_dir / spec.id
    name = _snapshot_name(source_dir, today)
    staging = source_dir / f".{name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    file_name = spec.download_name or spec.download_url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    target = staging / file_name
    etag, last_modified = _validators(raw_dir, source)
    try:
        got = download(spec.download_url, target, etag=etag, last_modified=last_modified, **limits)
        outcome = FetchOutcome(spec.id, "not_modified", url=spec.download_url, bytes=got.bytes,
                               attempts=got.attempts, seconds=round(got.seconds, 3),
                               retried_after=got.errors)
        if got.not_modified:
            return outcome
        problem = content_problem(target, source)
        if problem:
            raise FetchError(f"{spec.download_url}: {problem}")
        digest = snapshots.sha256_file(target)
        previous = snapshots.discover(raw_dir, source)
        if previous and any(f.get("sha256") == digest for f in previous[-1].files.values()):
            outcome.outcome, outcome.snapshot = "identical", previous[-1].name
            return outcome
        sidecar = {
            "source": spec.id, "snapshot": name, "kind": "full", "product": spec.product,
            "period": {"start": None, "end": today}, "landing_page": spec.landing_page,
            "licence": spec.licence, "download_url": spec.download_url,
            "retrieved": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "etag": got.etag, "last_modified": got.last_modified,
            "files": snapshots.describe_files(staging),
        }
        member = snapshots.describe_archives(staging, source.archive_member)
        if member is not None:
            sidecar[archives.SIDECAR_KEY] = member
        (staging / snapshots.SIDECAR).write_text(json.dumps(sidecar, indent=2) + "\n",
                                                 encoding="utf-8")
        final = source_dir / name
        if final.exists():
            raise FetchError(f"{final} exists already; raw snapshots are never overwritten")
        staging.rename(final)
        outcome.outcome, outcome.snapshot = "new", name
        return outcome
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch_snapshot(source: Source, raw_dir: Path, today: str | None = None) -> Path | None:
    """Fetch the source's `download_url` as snapshot `today`; None when the source has no
    download location or the file is unchanged since the newest snapshot. Raises FetchError."""
    outcome = fetch_source(source, raw_dir, today)
    return raw_dir / source.id / outcome.snapshot if outcome.outcome == "new" else None


def fetch_sources(raw_dir: Path, sources: list[Source], today: str | None = None) -> dict[str, dict]:
    """Fetch every source given; a failure is recorded (`outcome: failed`, `error`), never
    raised, so the run goes on with the last good snapshot."""
    results = {}
    for source in sources:
        started = time.monotonic()
        try:
            results[source.id] = fetch_source(source, raw_dir, today).to_dict()
        except (FetchError, OSError) as exc:
            results[source.id] = {"source": source.id, "outcome": "failed",
                                  "url": source.spec.download_url, "error": str(exc),
                                  "seconds": round(time.monotonic() - started, 3)}
    return results
