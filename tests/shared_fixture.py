"""A folder built once per test run and read by every test that needs it, also when pytest-xdist
runs the suite on several processes (`make test`): the first process to ask builds it under a
file lock, the others wait for it and read the same folder (the pattern of pytest-xdist's docs,
"Making session-scoped fixtures execute only once").

Tests treat such a folder as read-only; a test that changes files copies the folder first, or
builds its own small input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock


def shared_root(tmp_path_factory) -> Path:
    """The temporary folder every process of this test run shares."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(tmp_path_factory, name: str, build: Callable[[Path], Path]) -> Path:
    """`build(folder)` run once per test run in a new folder named after `name`; returns the
    path it returned (the same path to every process). A build that raises is tried again, in a
    new folder, by the next process that asks, so each one reports the error."""
    root = shared_root(tmp_path_factory)
    marker = root / f"{name}.built"
    with FileLock(str(root / f"{name}.lock")):
        if marker.is_file():
            return Path(marker.read_text(encoding="utf-8"))
        result = build(Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root)))
        marker.write_text(str(result), encoding="utf-8")
        return result
