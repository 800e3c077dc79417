"""Write a release: tables as Parquet, the catalog, a manifest, and the public tier in its own
folder (`public/`, see layout.py); then make it current.

The release is built in a hidden staging folder and renamed into `releases/<id>/` only when
complete. `current` is a symlink replaced atomically (readers never see a half-switched
state), and `harmstats.duckdb` is a copy of the release's catalog swapped in with
os.replace. A failure before the swap leaves the previous release current and untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from pipelines import __version__
from pipelines.concurrency import pid_alive
from pipelines.config import CATALOG_NAME, PROJECT_ROOT
from pipelines.publish.catalog import add_table, build_catalog
from pipelines.publish.disclosure import confidential_sources
from pipelines.publish.extract_tables import public_tables as published_tables
from pipelines.publish.extracts import write_extracts
from pipelines.publish.layout import MANIFEST, PRIVATE_COLUMNS, PUBLIC_DIR
from pipelines.publish.page.write import write_page
from pipelines.publish.public import public_tables
from pipelines.publish.quality import run_expectations
from pipelines.publish.scorecard import letter_scorecard
from pipelines.settings import active
from pipelines.snapshots import sha256_file
from pipelines.stats.checks import BlockingCheckError
from pipelines.stored import StoredTable, frame_to_arrow, table_frames
from schemas.overlap import LINKED_TABLES

LIBRARIES = ("pandas", "pyarrow", "duckdb", "pandera", "prefect", "great_expectations", "pycountry")


def definition_hashes() -> dict[str, str]:
    """sha256 of every mapping table and schema module: what the numbers were built with."""
    files = sorted((PROJECT_ROOT / "pipelines" / "harmonize" / "maps").glob("*.csv")) + sorted(
        (PROJECT_ROOT / "schemas").rglob("*.py"))
    return {str(p.relative_to(PROJECT_ROOT)): sha256_file(p) for p in files}


def code_version() -> str:
    """Package version plus the git commit when the code runs from a checkout."""
    head = PROJECT_ROOT / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            commit = (PROJECT_ROOT / ".git" / ref[5:]).read_text().strip()
        else:
            commit = ref
        return f"{__version__}+{commit[:12]}"
    except OSError:
        return __version__


def current_release(out_dir: Path) -> Path | None:
    """The release `current` points at, or None before the first release."""
    link = out_dir / "current"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def recover_interrupted(out_dir: Path) -> list[str]:
    """Remove what a killed publish left behind (staging folders and temporary links or
    catalogs of processes no longer alive). The current release is never touched."""
    removed = []
    candidates = list((out_dir / "releases").glob(".staging-*")) + list(out_dir.glob(".current.*")) \
        + list(out_dir.glob(f".{CATALOG_NAME}.*"))
    for path in candidates:
        pid = path.name.rsplit("-" if path.name.startswith(".staging-") else ".", 1)[-1]
        if pid.isdigit() and pid_alive(int(pid)) and int(pid) != os.getpid():
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


def inputs_of(sources: pd.DataFrame) -> list[dict]:
    """Per raw file: source, snapshot, kind, sha256 and row accounting, for the manifest."""
    columns = ["source", "snapshot", "kind", "product", "file", "sha256", "bytes", "status",
               "carried_forward_from", "rows_read", "rows_accepted", "rows_quarantined", "rows_flagged"]
    frame = sources[[c for c in columns if c in sources]].astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def write_release(tables: dict, out_dir: Path, run_info: dict,
                  sample: bool) -> Path:
    """Write every table (frames, and the record and case-statistics tables already stored
    as Parquet, hard-linked in where they can be), the catalog and the manifest into a new
    release and make it current. The run's settings (`active()`) say whether Data Docs and
    the page are written."""
    settings = active()
    releases = out_dir / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    recover_interrupted(out_dir)
    now = datetime.now(timezone.utc)
    staging = releases / f".staging-{now:%Y%m%dT%H%M%S%f}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "tables").mkdir(parents=True)
    try:
        table_files, table_meta = {}, {}
        for name, data in tables.items():
            path = staging / "tables" / f"{name}.parquet"
            if isinstance(data, StoredTable):  # a table already written as Parquet
                place_file(data.path, path)
            else:
                pq.write_table(frame_to_arrow(data), path, compression="zstd")
            table_files[name] = path
            table_meta[name] = {"rows": len(data), "sha256": sha256_file(path)}
        content = hashlib.sha256(json.dumps(table_meta, sort_keys=True).encode()).hexdigest()
        release_id = f"{now:%Y%m%dT%H%M%SZ}-{content[:8]}" + ("-SAMPLE" if sample else "")
        final = releases / release_id
        created, version = now.isoformat(timespec="seconds"), code_version()
        # The catalog is loaded by DuckDB (off the GIL) while Great Expectations, disclosure
        # control and the public tier run; leaving the block waits for it, even on an error.
        with ThreadPoolExecutor(max_workers=1) as background:
            # Tables are copied into the catalog file, so it does not depend on these paths.
            catalog = background.submit(build_catalog, staging / CATALOG_NAME, table_files,
                                        {"release_id": release_id, "created": created,
                                         "sample": sample, "code_version": version}, sample)
            # The catalog tier's own validation (blocking); its Data Docs stay in the catalog.
            quality = run_expectations(tables, staging / "data_docs" if settings.data_docs else None,
                                       run_name=release_id)
            if not quality["success"]:
                raise BlockingCheckError("Great Expectations checkpoint failed: " + "; ".join(
                    f"{f['table']}.{f['column']} {f['expectation']} ({f.get('observed')})"
                    for f in quality["failed"][:5]))
            manifest = {
                "release_id": release_id,
                "created": created,
                "sample": sample,
                "code_version": version,
                "python": platform.python_version(),
                "libraries": {lib: _version(lib) for lib in LIBRARIES},
                "definitions": definition_hashes(),
                "tables": table_meta,
                "inputs": inputs_of(tables["sources"]) if "sources" in tables else [],
                "quality": quality,
                **run_info,
            }
            # The public tier, a folder of its own: built only from the public tables
            # (statistics after disclosure control, confidential counts withheld).
            tier = public_tables(tables, current_release(out_dir))
            for name, frame in tier.catalog.items():  # catalog-only records of the protection
                frame.to_parquet(staging / "tables" / f"{name}.parquet", index=False)
            manifest["disclosure_control"] = tier.summary_records()
            # The letter scorecard: built from the public tables only, kept in both tiers.
            published = {**tables, **tier.tables}
            scorecard = letter_scorecard(published_tables(published))
            scorecard_file = staging / "tables" / "letter_scorecard.parquet"
            pq.write_table(frame_to_arrow(scorecard), scorecard_file, compression="zstd")
            manifest["tables"]["letter_scorecard"] = {"rows": len(scorecard),
                                                      "sha256": sha256_file(scorecard_file)}
            manifest["public"] = write_public_tier(
                {**published, "letter_scorecard": scorecard}, staging / PUBLIC_DIR, release_id,
                created=created, sample=sample, code_version=version, disclosure=tier.public_note(),
                data_docs=settings.data_docs, page=settings.page)
            catalog.result()
            add_table(staging / CATALOG_NAME, "letter_scorecard", scorecard_file, sample)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n",
                                               encoding="utf-8")
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    make_current(final, out_dir)
    return final


def write_public_tier(tables: dict, folder: Path, release_id: str, *, created: str, sample: bool,
                      code_version: str, disclosure: dict, data_docs: bool = True,
                      page: bool = True) -> dict:
    """Write the public folder of a release: extracts (+ SHA256SUMS) and their zip, the page,
    offline Data Docs validating the public tables, and a public manifest. Returns what the
    catalog manifest records of it. `tables` are the tables as published (disclosure control
    done); only the public tables are read. Without `data_docs` the public tables are
    validated but no Data Docs written; without `page`, no page (HARMSTATS_DATA_DOCS,
    HARMSTATS_PAGE)."""
    folder.mkdir(parents=True, exist_ok=True)
    public = published_tables(tables)
    if tables.get("letter_scorecard") is None:
        public["letter_scorecard"] = letter_scorecard(public)
    checked = ("deaths_stats", "sources", "coverage", *LINKED_TABLES)
    quality = run_expectations(_materialised(public, checked),
                               folder / "data_docs" if data_docs else None, run_name=release_id,
                               skip_sources=confidential_sources(), without=PRIVATE_COLUMNS)
    if not quality["success"]:
        raise BlockingCheckError("Great Expectations checkpoint on the public tables failed: "
                                 + "; ".join(f"{f['table']}.{f['column']} {f['expectation']}"
                                             for f in quality["failed"][:5]))
    extracts = write_extracts(public, folder, release_id, created=created, sample=sample,
                              code_version=code_version)
    page_name = write_page(public, folder, release_id, created=created, sample=sample,
                           extracts=extracts, code_version=code_version).name if page else None
    manifest = {
        "release_id": release_id,
        "created": created,
        "sample": sample,
        "code_version": code_version,
        "python": platform.python_version(),
        "libraries": {lib: _version(lib) for lib in LIBRARIES},
        "definitions": definition_hashes(),
        "inputs": public_inputs(public["sources"]),
        "quality": {k: quality[k] for k in ("success", "suites", "failed", "completeness", "data_docs")},
        "disclosure_control": disclosure,
        "extracts": extracts,
        "page": page_name,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return {"dir": folder.name, "page": f"{folder.name}/{page_name}" if page_name else None, "manifest": f"{folder.name}/{MANIFEST}",
            "extracts": extracts, "quality": manifest["quality"]}


def public_inputs(sources: pd.DataFrame) -> list[dict]:
    """Per raw file of the public `sources` table: what the public manifest lists (the counts
    of confidential sources are already withheld there; no error text, no local path)."""
    columns = ["source", "snapshot", "kind", "product", "file", "sha256", "bytes", "status",
               "carried_forward_from", "rows_read", "rows_accepted", "rows_quarantined"]
    frame = sources[[c for c in columns if c in sources]].astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def _materialised(public: dict, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The named public tables as frames (a stored table is read whole: these are small)."""
    out = {}
    for name in names:
        data = public.get(name)
        if data is None:
            continue
        frames = list(table_frames(data))
        out[name] = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    return out


def place_file(source: Path, target: Path) -> None:
    """Put a finished file into the release: a hard link where both are on one file system
    (no second copy of a large table; nothing writes to either afterwards), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def make_current(release: Path, out_dir: Path) -> None:
    """Point `current` and `harmstats.duckdb` at `release`, each with one atomic rename."""
    link_tmp = out_dir / f".current.{os.getpid()}"
    link_tmp.unlink(missing_ok=True)
    link_tmp.symlink_to(Path("releases") / release.name)
    os.replace(link_tmp, out_dir / "current")
    catalog_tmp = out_dir / f".{CATALOG_NAME}.{os.getpid()}"
    shutil.copyfile(release / CATALOG_NAME, catalog_tmp)
    os.replace(catalog_tmp, out_dir / CATALOG_NAME)


def _version(lib: str) -> str | None:
    try:
        return metadata.version(lib.replace("_", "-"))
    except metadata.PackageNotFoundError:
        return None
