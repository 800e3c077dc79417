"""Housekeeping: delete old releases so nightly runs do not fill the disk.

Kept: the release `current` points to, the one before it, and `keep` more (newest first).
Never deleted: the current release, a release a process has open (any file or working
directory under it, read from /proc/*/fd and /proc/*/cwd on Linux; processes of other users
are visible only to root, so run readers as the same user), and nothing at all while another
run holds the run lock. A release is first renamed to a hidden `.deleting-*` folder (it
disappears from listings at once), then removed; a removal interrupted by a kill is finished
by the next run. Raw snapshots are never touched.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipelines.inspection.diff import list_releases
from pipelines.ops.lock import LockHeld, RunLock
from pipelines.publish.release import current_release
from pipelines.settings import Settings

DEFAULT_KEEP = Settings.keep_releases  # the default of HARMSTATS_KEEP_RELEASES
RUN_REPORTS_KEPT = 200  # reports of runs that published nothing (unchanged, blocked, locked)


def open_paths(under: Path) -> dict[Path, list[int]]:
    """Paths under `under` that a process has open (files or working directory) -> pids."""
    under = Path(under).resolve()
    found: dict[Path, list[int]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        links = [entry / "cwd"]
        try:
            links += list((entry / "fd").iterdir())
        except OSError:  # gone, or another user's process
            pass
        for link in links:
            try:
                target = Path(os.readlink(link))
            except OSError:
                continue
            if target.is_relative_to(under):
                found.setdefault(target, []).append(int(entry.name))
    return found


def _open_releases(releases_dir: Path) -> dict[str, list[int]]:
    by_release: dict[str, list[int]] = {}
    root = releases_dir.resolve()
    for path, pids in open_paths(root).items():
        parts = path.relative_to(root).parts
        if parts:
            by_release.setdefault(parts[0], []).extend(p for p in pids if p != os.getpid())
    return {name: sorted(set(pids)) for name, pids in by_release.items() if pids}


def plan_retention(out_dir: Path, keep: int = DEFAULT_KEEP) -> dict:
    """Which releases to keep and which to delete (nothing is deleted here)."""
    releases = list_releases(out_dir)
    current = current_release(out_dir)
    current_name = current.name if current else None
    others = [r.name for r in reversed(releases) if r.name != current_name]  # newest first
    kept = others[: 1 + max(keep, 0)]
    return {"current": current_name, "keep": keep, "kept": ([current_name] if current_name else []) + kept,
            "delete": [name for name in others if name not in kept]}


def prune(out_dir: Path, keep: int = DEFAULT_KEEP, lock_held: bool = False) -> dict:
    """Delete releases beyond the retention policy. `lock_held`: the caller holds the run
    lock; otherwise it is taken here (and nothing is deleted when another run holds it)."""
    if keep < 0:
        return {"skipped": "retention disabled (keep < 0)", "deleted": []}
    if not lock_held:
        try:
            with RunLock(out_dir, wait=0):
                return prune(out_dir, keep, lock_held=True)
        except LockHeld as exc:
            return {"skipped": str(exc), "deleted": []}
    releases_dir = Path(out_dir) / "releases"
    for leftover in releases_dir.glob(".deleting-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    decided = plan_retention(out_dir, keep)
    in_use = _open_releases(releases_dir) if decided["delete"] else {}
    deleted, busy = [], {}
    for name in decided["delete"]:
        if name in in_use:
            busy[name] = in_use[name]
            continue
        folder = releases_dir / name
        hidden = releases_dir / f".deleting-{name}-{os.getpid()}"
        try:
            folder.rename(hidden)
        except OSError:
            continue
        shutil.rmtree(hidden, ignore_errors=True)
        deleted.append(name)
    reports = prune_run_reports(Path(out_dir))
    return {"keep": keep, "current": decided["current"], "kept": decided["kept"] + sorted(busy),
            "deleted": deleted, "in_use": busy, "reports_deleted": reports}


def prune_run_reports(out_dir: Path, kept: int = RUN_REPORTS_KEPT) -> int:
    """Keep the newest `kept` reports of runs that published nothing; release reports stay."""
    found = sorted((out_dir / "reports").glob("run-*.json"))
    for path in found[:-kept] if len(found) > kept else []:
        path.unlink(missing_ok=True)
    return max(0, len(found) - kept)
