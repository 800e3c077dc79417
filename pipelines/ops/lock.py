"""One run at a time: an exclusive `flock` on `OUT/run.lock`.

The lock belongs to the open file, not to the file's existence: when the process holding it
dies (even by SIGKILL) the kernel releases it, so a lock left by a killed run is never stale.
The file holds the holder's pid, host and start time, for the message a second run prints;
the file itself is never deleted (deleting a lock file races with a process opening it).
Keep the output folder on a local disk: `flock` over NFS is not reliable.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from pipelines.concurrency import pid_alive

LOCK_NAME = "run.lock"


class LockHeld(RuntimeError):
    """Another run holds the lock (after waiting `waited` seconds)."""

    def __init__(self, path: Path, holder: dict | None, waited: float):
        self.path, self.holder, self.waited = path, holder or {}, waited
        who = describe_holder(self.holder)
        wait = f" after waiting {waited:.0f} s" if waited else ""
        super().__init__(f"another harmstats run holds the lock {path} ({who}){wait}; "
                         "not starting")


def describe_holder(holder: dict) -> str:
    if not holder.get("pid"):
        return "holder unknown"
    text = f"pid {holder['pid']}"
    if holder.get("host") and holder["host"] != socket.gethostname():
        text += f" on {holder['host']}"
    if holder.get("started"):
        text += f", started {holder['started']}"
        try:
            since = datetime.now(timezone.utc) - datetime.fromisoformat(holder["started"])
            text += f", running for {int(since.total_seconds() // 60)} min"
        except ValueError:
            pass
    return text


def _read(handle) -> dict:
    try:
        handle.seek(0)
        text = handle.read()
        return json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {}


class RunLock:
    """`with RunLock(out_dir, wait=60):` holds the run lock or raises LockHeld.

    `recovered` names the holder recorded in the file when the previous holder ended without
    releasing it cleanly (killed): its lock was already gone, the record is overwritten."""

    def __init__(self, out_dir: Path, wait: float = 0.0, poll: float = 0.2,
                 command: str | None = None):
        self.path = Path(out_dir) / LOCK_NAME
        self.wait, self.poll = max(0.0, float(wait)), poll
        self.command = command or " ".join(os.path.basename(a) if i == 0 else a
                                           for i, a in enumerate(sys.argv))
        self.recovered: dict | None = None
        self.waited = 0.0
        self.info: dict = {}
        self._handle = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                self.waited = time.monotonic() - started
                if self.waited >= self.wait:
                    holder = _read(handle)
                    handle.close()
                    raise LockHeld(self.path, holder, self.waited if self.wait else 0.0) from None
                time.sleep(min(self.poll, max(0.01, self.wait - self.waited)))
        left = _read(handle)
        if left.get("pid"):  # a clean release empties the file: this one was killed
            self.recovered = {**left, "alive": pid_alive(int(left["pid"]))
                              if str(left["pid"]).isdigit() else False}
        self.info = {"pid": os.getpid(), "host": socket.gethostname(),
                     "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "command": self.command}
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(self.info) + "\n")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.flush()
        finally:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def holder(out_dir: Path) -> dict | None:
    """Who holds the run lock of `out_dir` now, or None when nobody does."""
    path = Path(out_dir) / LOCK_NAME
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(handle) or {"pid": None}
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return None
