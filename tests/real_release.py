"""The release built from every real snapshot, once per test session, by the command line in
a separate process (as an operator runs it): the tests that read it never import the pipeline
to build it, so tests/reference stays independent of the code it checks.

This module imports nothing from `pipelines` or `schemas` (tests/reference/test_independence.py
checks it). The command inherits the test run's environment, in which tests/conftest.py turns
off Data Docs (HARMSTATS_DATA_DOCS=0: the tests read its catalog, tables and extracts, never
its HTML; its tables are validated all the same). The page is drawn (HARMSTATS_PAGE=1): the
sections built from links (overlap, three lists) have rows only on the real files, so this is
the one build that draws them, and a page that fails to build fails the run.
Environment:

- `HARMSTATS_REFERENCE_OUT`: an OUT folder already built (`harmstats run --raw-dir ... --snapshot
  all --out OUT`); used as it is, nothing is run. For iterating on tests without a 35 s rebuild.
- `HARMSTATS_REFERENCE_RAW`: the raw folder the tests read the publishers' files from (default
  `<project>/../shared/data/real`). Point it at the folder the OUT above was built from when
  that is not the whole real folder (e.g. /tmp/realold), so that snapshots left out of that
  build are skipped instead of failing as missing from the release.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REAL_DIR = PROJECT_ROOT.parent / "shared" / "data" / "real"
OUT_ENV = "HARMSTATS_REFERENCE_OUT"
RAW_ENV = "HARMSTATS_REFERENCE_RAW"
PUBLISHED_EXIT_CODES = (0, 1)  # 1: published with warnings (RUN_EPILOG of `harmstats run`)


@dataclass(frozen=True)
class RealRelease:
    """An OUT folder holding a release of the real files, and the run report that made it."""

    out: Path
    report: dict

    @property
    def catalog(self) -> Path:
        return self.out / "harmstats.duckdb"


def real_dir() -> Path:
    """Where the publishers' files are read from (see the module docstring)."""
    return Path(os.environ.get(RAW_ENV) or DEFAULT_REAL_DIR)


def harmstats_command() -> list[str]:
    """The `harmstats` script installed beside the running interpreter (the project's venv)."""
    script = Path(sys.executable).parent / "harmstats"
    if script.is_file():
        return [str(script)]
    found = shutil.which("harmstats")
    if found is None:
        raise RuntimeError("the `harmstats` command is not installed beside "
                           f"{sys.executable} nor on PATH (make .venv/.installed)")
    return [found]


def build(raw: Path, out: Path) -> RealRelease:
    """Run `harmstats run --raw-dir RAW --snapshot all --out OUT` in a subprocess; raise with the
    command's output when it publishes nothing."""
    command = [*harmstats_command(), "run", "--raw-dir", str(raw), "--snapshot", "all",
               "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**os.environ, "COLUMNS": "200", "HARMSTATS_PAGE": "1"})
    if done.returncode not in PUBLISHED_EXIT_CODES:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode} (nothing published):\n"
                           f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return open_release(out)


def open_release(out: Path) -> RealRelease:
    """An OUT folder already built, with its last run report."""
    if not (out / "harmstats.duckdb").is_file():
        raise RuntimeError(f"{out} holds no harmstats.duckdb: not an OUT folder of `harmstats run`")
    report_path = out / "last_run.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
    return RealRelease(out, report)


def locate_or_build(tmp: Path) -> RealRelease:
    """The release named by HARMSTATS_REFERENCE_OUT, else one built now under `tmp`."""
    given = os.environ.get(OUT_ENV)
    if given:
        return open_release(Path(given))
    return build(real_dir(), tmp)
