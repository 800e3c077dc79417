"""The sample release of the test run: the Prefect flow `run_pipeline` over every registered
source's sample snapshots in data/raw/ (what `make run` publishes), built once per test run,
also across pytest-xdist's processes (tests/shared_fixture.py), then read by every test that
needs a whole release (the flow's own end-to-end tests, the public tier, extracts, page,
notebooks, README queries, attacks), with its Data Docs and page (`full_settings`).

Read-only: a test that changes a release copies it (`copy_out`) or builds its own small one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pipelines.config import CATALOG_NAME, DEFAULT_RAW_DIR
from tests.shared_fixture import build_once

REPORT = "sample-run-report.json"


def full_settings():
    """The environment's settings with Data Docs and the page written, whatever the test run
    sets (tests/conftest.py turns them off for the releases no test reads them from)."""
    from pipelines.settings import Settings

    return Settings.from_env().with_flags(data_docs=True, page=True)


def _build(folder: Path) -> Path:
    from pipelines.flows import run_pipeline

    out = folder / "out"
    report = run_pipeline(raw_dir=str(DEFAULT_RAW_DIR), out_dir=str(out), snapshot_mode="all",
                          settings=full_settings())
    (folder / REPORT).write_text(json.dumps(report, default=str), encoding="utf-8")
    if not report.get("release"):
        raise RuntimeError(f"the sample run published nothing: {report.get('summary')}")
    return Path(report["release"])


def sample_release(tmp_path_factory) -> Path:
    """The release folder; its OUT folder (with `harmstats.duckdb`) is two levels up."""
    return build_once(tmp_path_factory, "sample-release", _build)


def sample_report(tmp_path_factory) -> dict:
    """The run report of the flow that built the sample release."""
    return json.loads((out_dir(sample_release(tmp_path_factory)).parent / REPORT)
                      .read_text(encoding="utf-8"))


def out_dir(release: Path) -> Path:
    """The OUT folder of a release (`OUT/releases/<id>`)."""
    return release.parent.parent


def catalog_of(release: Path) -> Path:
    return out_dir(release) / CATALOG_NAME


def copy_out(release: Path, destination: Path) -> Path:
    """A copy of the release's whole OUT folder (catalog, `current` link, releases) at
    `destination`, for a test that changes it; returns the copied release folder."""
    shutil.copytree(out_dir(release), destination, symlinks=True)
    return destination / "releases" / release.name


MMP_SAMPLE = DEFAULT_RAW_DIR / "mmp" / "SAMPLE-2020-01-13"


def _build_mmp_first_release(folder: Path) -> Path:
    from pipelines.flows import run_pipeline

    raw, out = folder / "raw", folder / "out"
    shutil.copytree(MMP_SAMPLE, raw / "mmp" / MMP_SAMPLE.name)
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    if report["exit_code"] != 0:
        raise RuntimeError(f"the first MMP release did not publish cleanly: {report['summary']}")
    return folder


def mmp_first_release(tmp_path_factory, destination: Path) -> tuple[Path, Path, Path]:
    """A raw folder holding the MMP sample snapshot SAMPLE-2020-01-13 and the OUT folder of
    the flow's first release of it, copied into `destination` (built by the flow once per test
    run; each test gets its own copy to break). Returns (raw, out, release)."""
    built = build_once(tmp_path_factory, "mmp-first-release", _build_mmp_first_release)
    raw, out = destination / "raw", destination / "out"
    shutil.copytree(built / "raw", raw)
    shutil.copytree(built / "out", out, symlinks=True)
    return raw, out, (out / "current").resolve()
