"""Time a first run, an unchanged run and a run with one changed source, in a scratch folder.

    python -m pipelines.ops.bench [--raw-dir DIR] [--snapshot all] [--source-changed mmp]

Prints one JSON object: seconds of each run (inside `execute`, so without Python's start-up)
and what each run reported. The raw folder is copied, never written to.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from pipelines import snapshots
from pipelines.config import DEFAULT_RAW_DIR
from pipelines.ops.run import execute
from pipelines.sources.registry import SOURCES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW_DIR)
    parser.add_argument("--snapshot", default="all")
    parser.add_argument("--source-changed", default="mmp",
                        help="source that gets a new snapshot (a copy of its newest) for run 3")
    args = parser.parse_args()


    scratch = Path(tempfile.mkdtemp(prefix="harmstats-bench-"))
    raw, out = scratch / "raw", scratch / "out"
    shutil.copytree(args.raw_dir, raw)
    results = {}
    try:
        def timed(label: str, **kwargs) -> None:
            started = time.monotonic()
            report = execute(raw, out, snapshot_mode=args.snapshot, keep=-1, **kwargs)
            results[label] = {"seconds": round(time.monotonic() - started, 3),
                              "exit_code": report["exit_code"], "summary": report["summary"]}

        timed("first (everything processed)")
        timed("unchanged (nothing new)")
        newest = snapshots.discover(raw, SOURCES[args.source_changed])[-1]
        copy = raw / args.source_changed / "2099-01-01"
        shutil.copytree(newest.folder, copy)
        (copy / snapshots.SIDECAR).unlink()
        timed(f"one source changed ({args.source_changed})")
        timed("full (--full, everything reprocessed)", incremental=False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
