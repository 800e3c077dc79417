"""Incremental runs: a source is not reprocessed when nothing it is built from changed.

A source's release rows depend on its raw files (sha256 of every file read, plus what its
sidecars say: kind, product, period), on the code (package version and git commit, plus a
hash of every Python file under pipelines/ and schemas/, so uncommitted edits count), on the
mapping tables and schemas (`definition_hashes`, as in the manifest), on the library versions
and on the snapshot mode. All of it is recorded in the manifest (`incremental`, beside
`definitions`, `inputs` and `code_version`) and compared with the current release's.

An unchanged source is taken from the current release as it is (its rows, quarantine and
unmapped values; `sources.status` stays `ok`). Only sources whose previous rows were all `ok`
qualify: one with a failed or carried-forward file is reprocessed, so its failure is reported
again. When no source changed and the set of sources is the same, nothing is published.

Linkage follows the same rule per pairing: when the current release was built with the same
fingerprint (code, definitions, libraries, settings) and the run is not `--full`, a pairing
whose own inputs (its declaration and both files it links, `linkage.inputs_digest`) did not
change takes its links and quality row from that release (`linkage_reusable`).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipelines import snapshots
from pipelines.config import PROJECT_ROOT
from pipelines.publish.public import settings as disclosure_settings
from pipelines.publish.release import LIBRARIES, _version, code_version, current_release, definition_hashes
from pipelines.sources.process import files_to_read
from pipelines.sources.registry import SOURCES

SCHEME = 1  # bump when the fingerprint's recipe changes: every source is reprocessed once


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def code_files() -> dict[str, str]:
    """sha256 of every Python file of the pipeline and its schemas, by path."""
    found = {}
    for root in ("pipelines", "schemas"):
        for path in sorted((PROJECT_ROOT / root).rglob("*.py")):
            if "__pycache__" not in path.parts:
                found[str(path.relative_to(PROJECT_ROOT))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def code_hash(files: dict[str, str] | None = None) -> str:
    """One sha256 over every Python file (path and content): uncommitted edits count."""
    return _digest(files if files is not None else code_files())


def processing_parts(snapshot_mode: str) -> dict:
    """Everything besides the raw files that the published rows depend on."""
    files = code_files()
    return {
        "scheme": SCHEME,
        "code_version": code_version(),
        "code_hash": code_hash(files),
        "code_files": files,
        "definitions": definition_hashes(),
        "libraries": {lib: _version(lib) for lib in LIBRARIES},
        "python": platform.python_version(),
        "snapshot_mode": snapshot_mode,
        # the disclosure control parameters (HARMSTATS_SDC_*) shape the public tier
        "disclosure": disclosure_settings().as_dict(),
    }


HASH_CACHE = ".raw-hashes.json"


class HashCache:
    """sha256 of raw files remembered between runs (OUT/.raw-hashes.json), by path, size and
    modification time to the nanosecond: an unchanged nightly run does not read gigabytes of
    raw files again. A file rewritten in place with the same size and time stamp would go
    unnoticed (as with make or rsync); `harmstats run --full` (`trusted=False`) hashes every
    file again and reprocesses everything."""

    def __init__(self, out_dir: Path, trusted: bool = True):
        self.path = Path(out_dir) / HASH_CACHE
        self.trusted = trusted
        try:
            self.known = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self.changed = False

    def sha256(self, path: Path) -> str:
        key, size, mtime_ns = snapshots.file_key(path)
        entry = self.known.get(key)
        if self.trusted and entry and entry[:2] == [size, mtime_ns]:
            snapshots.remember_sha256(path, entry[2])  # processing this run asks again
            return entry[2]
        if self.trusted:
            digest = snapshots.raw_sha256(path)
        else:  # read the file, whatever this process or the cache remembers of it
            digest = snapshots.sha256_file(Path(path))
            snapshots.remember_sha256(path, digest)
        self.known[key], self.changed = [size, mtime_ns, digest], True
        return digest

    def save(self) -> None:
        """Write the cache (atomically) when it learnt something and OUT exists."""
        if not self.changed or not self.path.parent.is_dir():
            return
        tmp = self.path.with_name(f"{HASH_CACHE}.{os.getpid()}")
        tmp.write_text(json.dumps(self.known, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)


def source_inputs(raw_dir: Path, source_id: str, snapshot_mode: str,
                  sha256=snapshots.raw_sha256) -> list[dict]:
    """The selected snapshots of a source and the sha256 of each file its module reads."""
    source = SOURCES[source_id]
    chosen = snapshots.select(snapshots.discover(raw_dir, source), snapshot_mode)
    described = []
    for snap in chosen:
        wanted, _ = files_to_read(snap, source.file_patterns)
        meta = {k: v for k, v in snap.meta.items() if k != "files"}
        files = {p.name: sha256(p) for p in wanted}
        described.append({"snapshot": snap.name, "meta": _digest(meta), "files": files,
                          "differs_from_sidecar": sorted(
                              name for name, sha in files.items()
                              if (snap.files.get(name) or {}).get("sha256") not in (None, sha))})
    return described


@dataclass
class Plan:
    """Which sources to process, which to take unchanged from the current release, and why."""

    process: list[str]
    reuse: list[str]
    no_snapshot: list[str]
    reasons: dict[str, str]
    previous: Path | None
    parts: dict
    inputs: dict[str, str] = field(default_factory=dict)  # source -> digest of its inputs
    previous_sources: list[str] = field(default_factory=list)
    full: bool = False  # --full: everything reprocessed and linked again

    @property
    def nothing_new(self) -> bool:
        """True when no source changed and the release would hold the same sources."""
        return (self.previous is not None and not self.process and bool(self.reuse)
                and sorted(self.reuse) == sorted(self.previous_sources))

    def manifest_block(self) -> dict:
        """What the next release's manifest records under `incremental`."""
        return {"scheme": SCHEME, "fingerprint": _digest(self.parts), "full": self.full,
                "code_hash": self.parts["code_hash"], "code_files": self.parts["code_files"],
                "libraries": self.parts["libraries"], "python": self.parts["python"],
                "sources": {s: self.inputs[s] for s in sorted(self.inputs)
                            if s in self.process or s in self.reuse}}


def load_manifest(release: Path | None) -> dict:
    if release is None:
        return {}
    try:
        return json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _names(changed: list[str], shown: int = 5) -> str:
    return ", ".join(changed[:shown]) + (f" and {len(changed) - shown} more" if len(changed) > shown else "")


def _global_reason(manifest: dict, parts: dict) -> str | None:
    """Why every source must be reprocessed, or None."""
    block = manifest.get("incremental") or {}
    if not manifest:
        return "no current release"
    if block.get("scheme") != SCHEME:
        return "the current release records no incremental fingerprint"
    if manifest.get("snapshot_mode") != parts["snapshot_mode"]:
        return f"snapshot mode changed ({manifest.get('snapshot_mode')} -> {parts['snapshot_mode']})"
    if manifest.get("code_version") != parts["code_version"]:
        return f"code changed ({manifest.get('code_version')} -> {parts['code_version']})"
    if block.get("code_hash") != parts["code_hash"]:
        old_files = block.get("code_files") or {}
        changed = sorted(k for k in set(old_files) | set(parts["code_files"])
                         if old_files.get(k) != parts["code_files"].get(k))
        return "code changed (uncommitted edits): " + _names(changed)
    old_defs = manifest.get("definitions") or {}
    changed = sorted(k for k in set(old_defs) | set(parts["definitions"])
                     if old_defs.get(k) != parts["definitions"].get(k))
    if changed:
        return "mapping tables or schemas changed: " + _names(changed)
    libs = {k: (block.get("libraries", {}).get(k), v) for k, v in parts["libraries"].items()
            if block.get("libraries", {}).get(k) != v}
    if libs or block.get("python") != parts["python"]:
        text = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in libs.items()) or \
            f"python {block.get('python')} -> {parts['python']}"
        return f"library versions changed: {text}"
    if block.get("fingerprint") != _digest(parts):
        return "processing settings changed"
    return None


def _inputs_match(manifest: dict, source_id: str, described: list[dict]) -> str | None:
    """Compare a source's files with the manifest's `inputs`: None when the same, all ok."""
    rows = [r for r in manifest.get("inputs") or [] if r.get("source") == source_id]
    if not rows:
        return "new in this release"
    bad = sorted({r.get("status") for r in rows} - {"ok"})
    if bad:
        return f"the current release has files of it with status {', '.join(bad)}"
    old = {(r["snapshot"], r["file"]): r.get("sha256") for r in rows}
    new = {(d["snapshot"], name): sha for d in described for name, sha in d["files"].items()}
    if old == new:
        return None
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
    words = []
    for label, keys in (("new", added), ("gone", removed), ("changed", changed)):
        if keys:
            words.append(f"{label}: " + ", ".join(f"{s}/{f}" for s, f in keys[:3]))
    return "raw files " + "; ".join(words)


def _sidecar_reason(described: list[dict]) -> str | None:
    """Files whose sha256 is not the one their sidecar declares: processed again every run,
    so the warning is repeated until the sidecar (or the file) is put right."""
    files = [f"{d['snapshot']}/{name}" for d in described for name in d["differs_from_sidecar"]]
    return f"raw files differ from their sidecar's sha256: {_names(files)}" if files else None


def plan(raw_dir: Path, out_dir: Path, chosen: list[str], snapshot_mode: str,
         enabled: bool = True) -> Plan:
    """Decide, per chosen source, whether to process it or reuse the current release's rows."""
    previous = current_release(out_dir)
    manifest = load_manifest(previous)
    parts = processing_parts(snapshot_mode)
    reason_all = "a full run was asked for (--full)" if not enabled else _global_reason(manifest, parts)
    block = manifest.get("incremental") or {}
    process, reuse, none, reasons, inputs = [], [], [], {}, {}
    hashes = HashCache(out_dir, trusted=enabled)
    for source_id in chosen:
        if not snapshots.select(snapshots.discover(raw_dir, SOURCES[source_id]), snapshot_mode):
            none.append(source_id)
            continue
        described = source_inputs(raw_dir, source_id, snapshot_mode, hashes.sha256)
        inputs[source_id] = _digest(described)
        why = reason_all or _inputs_match(manifest, source_id, described) or _sidecar_reason(described)
        if why is None and (block.get("sources") or {}).get(source_id) != inputs[source_id]:
            why = "snapshot metadata (sidecar) changed"
        if why is None:
            reuse.append(source_id)
        else:
            process.append(source_id)
            reasons[source_id] = why
    hashes.save()
    previous_sources = sorted({r.get("source") for r in manifest.get("inputs") or []})
    return Plan(process, reuse, none, reasons, previous, parts, inputs, previous_sources,
                full=not enabled)


def linkage_reusable(manifest: dict, block: dict | None) -> bool:
    """Whether the release of `manifest` may lend its links to a run whose incremental block
    is `block`: both carry the same fingerprint (code, definitions, libraries, settings) and
    the run is not `--full`. Which pairings are reused is decided per pairing by its inputs."""
    old = (manifest or {}).get("incremental") or {}
    return bool(block and not block.get("full") and old.get("scheme") == SCHEME
                and old.get("fingerprint") and old.get("fingerprint") == block.get("fingerprint"))


def previous_accounting(manifest: dict, source_id: str) -> dict:
    """Row accounting of one source in a release's manifest, as the run report shows it."""
    rows = [r for r in manifest.get("inputs") or [] if r.get("source") == source_id]
    total = lambda key: sum(int(r.get(key) or 0) for r in rows)  # noqa: E731
    return {
        "snapshots": sorted({r["snapshot"] for r in rows}),
        "files": [{k: r.get(k) for k in ("snapshot", "file", "status", "rows_read", "rows_accepted",
                                         "rows_quarantined", "rows_flagged")} for r in rows],
        "rows_read": total("rows_read"), "rows_accepted": total("rows_accepted"),
        "rows_quarantined": total("rows_quarantined"), "rows_flagged": total("rows_flagged"),
    }


def mark_reused(sources: pd.DataFrame, reused: set[str]) -> pd.DataFrame:
    """`sources` rows of reused sources come back from `carry_forward` marked carried forward;
    they were `ok` in the current release and nothing changed: mark them `ok` again."""
    if not reused or sources.empty:
        return sources
    mask = sources["source"].isin(reused) & (sources["status"] == "carried_forward")
    sources = sources.copy()
    sources.loc[mask, "status"] = "ok"
    sources.loc[mask, "carried_forward_from"] = None
    return sources
