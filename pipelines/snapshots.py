"""Raw snapshots on disk: `<raw>/<source>/<snapshot>/<files>` plus a `snapshot.json` sidecar.

A snapshot dropped in by hand without a sidecar gets one inferred (kind `full`) and written,
as the data model says; what the source declares for it (its product, the file read inside a
zip) comes with the source passed in (`SnapshotRules`). Raw files themselves are never touched.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from pipelines import archives
from pipelines.settings import active

SIDECAR = "snapshot.json"
LINK_HINT = " (HARMSTATS_RAW_LINK_ROOTS lists folders that links may lead into)"
KINDS = ("full", "partial", "derived")
_DATE_IN_NAME = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


class SnapshotRules(Protocol):
    """What this module needs to know of a source (a `pipelines.sources.source.Source` has
    it): its id, the product a snapshot dropped in without a sidecar belongs to, and the file
    it reads inside a zip its publisher ships (None where it reads none)."""

    @property
    def id(self) -> str: ...

    @property
    def product(self) -> str: ...

    @property
    def archive_member(self) -> str | None: ...


@dataclass(frozen=True)
class Snapshot:
    """One snapshot folder and what its sidecar says about it."""

    source: str
    name: str
    folder: Path
    kind: str
    product: str
    period_start: str | None
    period_end: str | None
    files: dict[str, dict] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    @property
    def is_sample(self) -> bool:
        return bool(self.meta.get("sample")) or self.name.upper().startswith("SAMPLE")

    @property
    def sort_key(self) -> tuple:
        """Newest last: by the date in the snapshot name, then period end, then name; a real
        snapshot outranks a generated sample of the same date."""
        return (_date_from_name(self.name) or date.min, not self.is_sample,
                self.period_end or "", self.name)

    @property
    def refused(self) -> str | None:
        """Why this snapshot is not read at all (its folder leads out of the raw folder)."""
        return self.meta.get("refused")

    def data_files(self) -> list[Path]:
        """The published files of this snapshot, sidecar excluded, in name order; none of a
        refused snapshot, and no link leading out of the raw folder (`links_out`)."""
        return [] if self.refused else _files_in(self.folder)

    def links_out(self) -> list[Path]:
        """Files of this snapshot that are links leading out of the raw folder: never read."""
        return [] if self.refused else _files_in(self.folder, inside=False)

    def period_end_date(self) -> date | None:
        """End of the period covered, falling back to the date in the snapshot name."""
        if self.period_end:
            try:
                return date.fromisoformat(self.period_end[:10])
            except ValueError:
                pass
        return _date_from_name(self.name)


def raw_root(folder: Path) -> Path:
    """The raw folder a snapshot folder (`<raw>/<source>/<snapshot>`) lies in, resolved."""
    return Path(folder).parent.parent.resolve()


def leads_out(path: Path, root: Path) -> bool:
    """Whether `path` resolves outside `root` (links out of the raw folder), and outside every
    folder links may lead into (the setting HARMSTATS_RAW_LINK_ROOTS)."""
    resolved = Path(path).resolve()
    return not any(resolved == r or r in resolved.parents
                   for r in [root, *active().raw_link_roots])


def _files_in(folder: Path, inside: bool = True) -> list[Path]:
    """Data files of a snapshot folder in name order (sidecar and hidden files excluded):
    those inside the raw folder, or (`inside=False`) the links leading out of it."""
    root = raw_root(folder)
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and p.name != SIDECAR
                  and not p.name.startswith(".") and leads_out(p, root) != inside)


def _date_from_name(name: str) -> date | None:
    match = _DATE_IN_NAME.search(name)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "12", match.group(3) or "28"
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def raw_sha256(path: Path) -> str:
    """`sha256_file` of a raw file, worked out once per process while the file is unchanged
    (size and modification time): every chunk of a file and the run's planning ask for it,
    and a digest the planner remembers from an earlier run is not worked out again
    (`remember_sha256`)."""
    key = file_key(path)
    if key not in _SHA256:
        with _HASHING:  # chunks harmonised at once wait for one reading of the file
            if key not in _SHA256:
                _SHA256[key] = sha256_file(Path(path))
    return _SHA256[key]


def remember_sha256(path: Path, digest: str) -> None:
    """Take the sha256 of an unchanged raw file as known (the planner's cache across runs)."""
    _SHA256[file_key(path)] = digest


def forget_sha256() -> None:
    """Forget every digest worked out or remembered in this process (as a new process)."""
    _SHA256.clear()


def file_key(path: Path) -> tuple[str, int, int]:
    """(resolved path, size, modification time in ns): what says a raw file is unchanged."""
    stat = Path(path).stat()
    return str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns


_SHA256: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256, this process
_HASHING = threading.Lock()


def sidecar_mismatch(snapshot: Snapshot, path: Path) -> str | None:
    """What to warn about when a raw file is not the one its sidecar describes (its sha256
    differs: edited or replaced after the sidecar was written), else None. The file's own
    sha256 is what a release records."""
    declared = (snapshot.files.get(path.name) or {}).get("sha256")
    if not declared:
        return None
    actual = raw_sha256(path)
    if actual == declared:
        return None
    return (f"{snapshot.name}/{path.name}: its sha256 is {actual}, but {SIDECAR} declares "
            f"{declared} (changed since the sidecar was written?); the file as read is "
            f"recorded. Put the sidecar right, or restore the file")


def describe_files(folder: Path) -> dict[str, dict]:
    """`files` entry of a sidecar: sha256 and size of each published file (a link leading
    out of the raw folder is not one)."""
    return {p.name: {"sha256": raw_sha256(p), "bytes": p.stat().st_size} for p in _files_in(folder)}


def describe_archives(folder: Path, pattern: str | None) -> dict | list | None:
    """`archive_member` entry of a sidecar: the member read from each zip of the folder (one
    record, or a list where there are several zips); None where the source reads no zip.
    An archive without the member expected is left out: reading it fails with the reason."""
    if pattern is None:
        return None
    found = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and archives.is_archive(path) and not path.name.startswith("."):
            try:
                found.append(archives.describe_member(path, archives.matching_member(path, pattern)))
            except archives.ArchiveError:
                continue
    return (found[0] if len(found) == 1 else found) if found else None


def sidecar_meta(folder: Path) -> dict:
    """What the sidecar of a snapshot folder says, or {} where it has none (a reader that
    needs the sidecar, e.g. for an archive's member, reads it with this)."""
    path = Path(folder) / SIDECAR
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc


def infer_sidecar(folder: Path, source: SnapshotRules) -> dict:
    """Sidecar for a snapshot dropped in by hand: kind `full`, the source's declared product,
    period unknown; and the member read from a zip the source's publisher ships."""
    meta = {
        "source": source.id,
        "snapshot": folder.name,
        "kind": "full",
        "product": source.product,
        "period": {"start": None, "end": None},
        "landing_page": None,
        "licence": None,
        "download_url": None,
        "retrieved": None,
        "inferred": True,
        "files": describe_files(folder),
    }
    member = describe_archives(folder, source.archive_member)
    if member is not None:
        meta[archives.SIDECAR_KEY] = member
    return meta


def load_snapshot(folder: Path, source: SnapshotRules, write_missing_sidecar: bool = True) -> Snapshot:
    """Read a snapshot folder of `source`; infer and write the sidecar when there is none. A
    folder that leads out of the raw folder is not read: its snapshot is `refused`, with the
    reason."""
    if leads_out(folder, raw_root(folder)):
        return Snapshot(source=source.id, name=folder.name, folder=folder, kind="full",
                        product=source.product, period_start=None, period_end=None,
                        meta={"refused": f"{folder} leads to {Path(folder).resolve()}, outside the "
                              f"raw folder {raw_root(folder)}: refused unread{LINK_HINT}"})
    sidecar_path = folder / SIDECAR
    if sidecar_path.exists():
        try:
            meta = json.loads(sidecar_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{sidecar_path}: not valid JSON ({exc})") from exc
    else:
        meta = infer_sidecar(folder, source)
        if write_missing_sidecar:
            sidecar_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    kind = meta.get("kind", "full")
    if kind not in KINDS:
        raise ValueError(f"{sidecar_path}: kind {kind!r} is not one of {KINDS}")
    period = meta.get("period") or {}
    return Snapshot(
        source=source.id,
        name=folder.name,
        folder=folder,
        kind=kind,
        product=meta.get("product") or "default",
        period_start=period.get("start"),
        period_end=period.get("end"),
        files=meta.get("files") or {},
        meta=meta,
    )


def discover(raw_dir: Path, source: SnapshotRules, write_missing_sidecar: bool = True) -> list[Snapshot]:
    """Every snapshot folder of one source, oldest first. A run writes the sidecar it infers
    for a folder without one (`load_snapshot`); a listing passes False and writes nothing."""
    source_dir = raw_dir / source.id
    if not source_dir.is_dir():
        return []
    snaps = [load_snapshot(p, source, write_missing_sidecar) for p in sorted(source_dir.iterdir())
             if p.is_dir() and not p.name.startswith(".")]
    return sorted(snaps, key=lambda s: s.sort_key)


def latest_per_product(snaps: list[Snapshot]) -> list[Snapshot]:
    """Newest `full` snapshot per product, or the newest of any kind where none is full."""
    chosen: dict[str, Snapshot] = {}
    for product in sorted({s.product for s in snaps}):
        of_product = [s for s in snaps if s.product == product]
        full = [s for s in of_product if s.kind == "full"]
        chosen[product] = max(full or of_product, key=lambda s: s.sort_key)
    return sorted(chosen.values(), key=lambda s: s.sort_key)


def check_mode(mode: str) -> None:
    """Refuse (ValueError, in the words of the command line) a `--snapshot` that is neither
    latest, all nor a plain folder name: a path (`../../etc`) or a hidden name never names
    a snapshot."""
    if mode in ("latest", "all"):
        return
    if not mode or mode in (".", "..") or mode.startswith(".") or any(c in mode for c in "/\\\0"):
        raise ValueError(f"--snapshot {mode!r}: give latest, all, or the name of a snapshot "
                         "folder (a plain folder name such as 2026-01-13, not a path)")


def select(snaps: list[Snapshot], mode: str) -> list[Snapshot]:
    """Apply `--snapshot latest|all|NAME` to one source's snapshots."""
    if mode == "latest":
        return latest_per_product(snaps)
    if mode == "all":
        return list(snaps)
    return [s for s in snaps if s.name == mode]
