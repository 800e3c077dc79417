"""Files a publisher ships inside a zip archive (the FBI's Crime Data Explorer bulk files).

The archive is the raw file as published: it is what the snapshot folder holds, what the
sidecar's `files` and the `sources` table hash, and what lineage (`raw_file`, `raw_sha256`)
names. The file inside it is read as a stream, straight from the archive, never unpacked to
disk. The sidecar records that file under `archive_member`: `{archive, member, sha256,
bytes}` (one such object, or a list of them for a folder holding several archives). Before a
member is read its sha256 and size are checked against that record; a mismatch is an error
naming the archive, the member and both hashes. Where no sidecar records the member (an
archive dropped in by hand before its sidecar was written), the one member matching the
source's declared pattern is read, and the zip's own CRC-32 (checked by `zipfile` at the end of
every read) is the integrity check.

A source declares that its publisher ships a zip with `Source.archive_member` (a glob
pattern of the file inside, e.g. `*.csv`) and lists the archive in its `file_patterns`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

ARCHIVE_SUFFIXES = (".zip",)
SIDECAR_KEY = "archive_member"


class ArchiveError(ValueError):
    """An archive that does not hold the file expected, or whose file is not the one the
    sidecar records. The message does not name the archive: the caller says which file."""


@dataclass(frozen=True)
class ArchiveMember:
    """One file inside a zip archive, with what the sidecar records of it (None where no
    sidecar does)."""

    archive: Path
    name: str
    sha256: str | None = None
    bytes: int | None = None

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The member as a binary stream, decompressed while read (zipfile checks its CRC-32
        when the stream reaches the end)."""
        with zipfile.ZipFile(self.archive) as archive, archive.open(self.name) as stream:
            yield stream

    def read_head(self, limit: int) -> bytes:
        """The first `limit` bytes of the member."""
        with self.open() as stream:
            return stream.read(limit)

    def read_bytes(self) -> bytes:
        with self.open() as stream:
            return stream.read()


def is_archive(path: Path) -> bool:
    """A file of a format this module reads members from (by its name)."""
    return Path(path).suffix.lower() in ARCHIVE_SUFFIXES


def data_members(archive: Path) -> list[str]:
    """Names of the files in a zip, without folders and the metadata that macOS and others
    add (`__MACOSX/`, `._name` resource forks, dot files)."""
    with zipfile.ZipFile(archive) as handle:
        names = [i.filename for i in handle.infolist() if not i.is_dir()]
    return [n for n in names if not n.startswith("__MACOSX/")
            and not PurePosixPath(n).name.startswith(".")]


def matching_member(archive: Path, pattern: str) -> str:
    """The one data member whose file name matches `pattern` (case-insensitive)."""
    try:
        names = data_members(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"not a readable zip archive ({exc})") from exc
    found = [n for n in names if fnmatch.fnmatch(PurePosixPath(n).name.lower(), pattern.lower())]
    if len(found) != 1:
        what = "no file" if not found else f"{len(found)} files"
        raise ArchiveError(f"{what} matching {pattern!r} in the archive (it holds "
                           f"{', '.join(names) or 'nothing'}); the source reads exactly one")
    return found[0]


def recorded_members(meta: dict) -> list[dict]:
    """The `archive_member` records of a sidecar (one object, or a list of them)."""
    value = meta.get(SIDECAR_KEY)
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def member_of(archive: Path, pattern: str, meta: dict | None = None) -> ArchiveMember:
    """The member of `archive` a source reads: the one its sidecar (`meta`) records for this
    archive, else the one data member matching `pattern`."""
    archive = Path(archive)
    for record in recorded_members(meta or {}):
        if record.get("archive") == archive.name:
            name = record.get("member")
            try:
                present = name in data_members(archive)
            except (zipfile.BadZipFile, OSError) as exc:
                raise ArchiveError(f"not a readable zip archive ({exc})") from exc
            if not present:
                raise ArchiveError(f"snapshot.json records member {name!r}, which "
                                   "the archive does not hold")
            return ArchiveMember(archive, name, record.get("sha256"), record.get("bytes"))
    return ArchiveMember(archive, matching_member(archive, pattern))


def digest_member(archive: Path, name: str) -> tuple[str, int]:
    """(sha256, size) of a member, read as a stream."""
    digest, size = hashlib.sha256(), 0
    with ArchiveMember(Path(archive), name).open() as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def describe_member(archive: Path, name: str) -> dict:
    """The sidecar's `archive_member` record of one member."""
    try:
        sha, size = digest_member(archive, name)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a bad CRC raises BadZipFile
        raise ArchiveError(f"member {name} cannot be read ({exc})") from exc
    return {"archive": Path(archive).name, "member": name, "sha256": sha, "bytes": size}


_VERIFIED: set[tuple] = set()  # (archive path, size, mtime_ns, member, sha256) checked this process
_VERIFYING = threading.Lock()


def verify(member: ArchiveMember) -> None:
    """Check the member against the sidecar's sha256 and size (once per process while the
    archive is unchanged). A member the sidecar does not record is not checked here."""
    if member.sha256 is None:
        return
    stat = member.archive.stat()
    key = (str(member.archive.resolve()), stat.st_size, stat.st_mtime_ns, member.name, member.sha256)
    with _VERIFYING:  # chunk threads asking at once wait for one reading
        if key in _VERIFIED:
            return
        try:
            sha, size = digest_member(member.archive, member.name)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a bad CRC raises BadZipFile
            raise ArchiveError(f"member {member.name} cannot be read ({exc})") from exc
        if sha != member.sha256.lower():
            raise ArchiveError(f"member {member.name} has sha256 {sha}, but snapshot.json "
                               f"records {member.sha256}: it is not the file the sidecar describes")
        if member.bytes is not None and size != int(member.bytes):
            raise ArchiveError(f"member {member.name} has {size:,} bytes, but snapshot.json "
                               f"records {int(member.bytes):,}")
        _VERIFIED.add(key)


def verified_member(archive: Path, pattern: str, meta: dict | None = None) -> ArchiveMember:
    """`member_of`, checked with `verify`: what a source module reads from an archive."""
    member = member_of(archive, pattern, meta)
    verify(member)
    return member
