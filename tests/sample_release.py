"""One sample release per test session, shared by the tests of the public tier (extracts,
page, notebooks, README queries): built straight from the pipeline functions (no Prefect)
from every registered source's sample snapshots in data/raw/, once, then reused."""

from __future__ import annotations

from pathlib import Path

from pipelines.config import CATALOG_NAME, DEFAULT_RAW_DIR


def sample_release(tmp_path_factory) -> Path:
    """The release folder; its OUT folder (with `harmstats.duckdb`) is two levels up."""
    base = tmp_path_factory.getbasetemp() / "public-tier-sample-release"
    marker = base / "release-path.txt"
    if marker.is_file():
        return Path(marker.read_text(encoding="utf-8"))
    from pipelines.sources.process import process_source
    from pipelines.publish.release import write_release
    from pipelines.stats.tables import build_tables
    from pipelines.sources.registry import SOURCES

    work, out = base / "work", base / "out"
    work.mkdir(parents=True, exist_ok=True)
    summaries = [process_source(s, DEFAULT_RAW_DIR, "all", work) for s in SOURCES]
    release = write_release(build_tables(DEFAULT_RAW_DIR, summaries), out, {}, sample=True)
    marker.write_text(str(release), encoding="utf-8")
    return release


def out_dir(release: Path) -> Path:
    """The OUT folder of a release (`OUT/releases/<id>`)."""
    return release.parent.parent


def catalog_of(release: Path) -> Path:
    return out_dir(release) / CATALOG_NAME
