"""The public extracts of a release.

`write_extracts(tables, release_dir, release_id, ...)` writes `extracts/` into a release folder
(the data model's layout, paths relative to `extracts/`):

    extracts/<table>.parquet, <table>.csv     each public statistics table, latest snapshots only
    extracts/<table>.README.md                 the caveats that matter for that table
    extracts/README.md                         what is here, how to cite, how to check the files
    extracts/data_dictionary.md, .csv          table, column, type, meaning, allowed codes
    extracts/SHA256SUMS                        `sha256sum -c SHA256SUMS` run inside extracts/
    harmstats-extracts-<release-id>.zip        all of the above in one folder (release root)

When any input is sample data, every README opens with a SAMPLE DATA banner and the READMEs'
and the zip's names carry `-SAMPLE` (`README-SAMPLE.md`, `<table>.README-SAMPLE.md`).

A table may be a frame or stored on disk (`StoredTable`, or a `BatchView` of one): a stored
table is read and written frame by frame (`table_frames`), never held whole, and gives the same
bytes as the frame would (Parquet row groups of a fixed size whatever the frames' sizes; the CSV
is DuckDB's COPY of the Parquet file).

The tables are taken as given: disclosure control has already run. A cell withheld by it
(`suppressed` true) is written with `value`, `value_min` and `value_max` null, whatever the
input holds.

The pieces: which rows and columns of the public tables are extracted (`extract_tables.py`),
the files of one table (`table_files.py`: Parquet, CSV, XLSX), the READMEs and the data
dictionary (`readmes.py`); `harmstats export` writes a slice of one table (`export.py`).
"""

from __future__ import annotations

import os
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pipelines.publish.extract_tables import EXTRACT_TABLES, is_sample, public_tables
from pipelines.publish.layout import EXTRACT_DIR
from pipelines.publish.readmes import (Context, TableFacts, dictionary_markdown, dictionary_rows,
                                       index_readme, readme_name, table_readme)
from pipelines.publish.table_files import csv_connection, parquet_to_csv, write_csv
from pipelines.snapshots import sha256_file
from pipelines.stored import table_frames, write_parquet
from schemas.tables import table_description

ZIP_LEVEL = 1  # deflate level of the extracts bundle


def write_table_files(name: str, data, folder: Path, metadata: dict[str, str],
                      con: duckdb.DuckDBPyConnection) -> TableFacts:
    """`<name>.parquet` of a public table (a frame, or a stored table read frame by frame,
    never whole), then `<name>.csv` from it through `con` (a `csv_connection`); returns what
    its README says of the table."""
    facts = TableFacts()

    def frames():
        for frame in table_frames(data):
            facts.add(frame)
            yield frame

    parquet = folder / f"{name}.parquet"
    write_parquet(frames(), parquet, metadata)
    parquet_to_csv(parquet, folder / f"{name}.csv", con)
    return facts


def write_zip(folder: Path, zip_path: Path, created: str) -> None:
    """Every file of `folder` into `zip_path` under a folder named like the zip, each member
    dated `created` with permissions rw-r--r--: the same bytes for the same files and date, in
    any time zone. (A `created` inside the hour a local daylight-saving change skips has no
    local file time: there the members are dated an hour later.)"""
    stamp = _zip_time(created)
    when = time.mktime(stamp + (0, 0, -1))  # the file time that ZipFile.write reads back as `stamp`
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for p in sorted(folder.iterdir()):
            # ZipFile.write streams the file (an extract can be gigabytes) and takes the
            # member's date and permissions from it: set those first.
            os.utime(p, (when, when))
            p.chmod(0o644)
            # Level 1: the CSVs shrink about 30-fold either way; the default level takes three
            # times as long for a bundle a fifth smaller.
            bundle.write(p, f"{zip_path.stem}/{p.name}", compresslevel=ZIP_LEVEL)


def write_extracts(tables: dict, release_dir: Path, release_id: str, *,
                   created: str | None = None, sample: bool = False,
                   code_version: str = "") -> dict:
    """Write `extracts/` and the zip into `release_dir` from the public tables as given
    (frames, or tables stored on disk: see the module's docstring).

    Returns what the manifest and the release page need: per table its rows and files, every
    file with its size and sha256 (paths relative to the release folder), the zip, and
    whether the extracts are sample data."""
    created = created or datetime.now(timezone.utc).isoformat(timespec="seconds")
    sample = is_sample(tables, sample)
    public = public_tables(tables)
    folder = release_dir / EXTRACT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ctx = Context(release_id, created, code_version, sample, public,
                  names={"dictionary": "data_dictionary.md"})
    listing: list[tuple[str, str]] = []
    table_info = {}
    with csv_connection() as con:
        for name in EXTRACT_TABLES:
            parquet, csv = f"{name}.parquet", f"{name}.csv"
            facts = write_table_files(name, public[name], folder, {
                "release_id": release_id, "sample": sample, "table": name,
                "description": table_description(name)}, con)
            readme = readme_name(f"{name}.README", sample)
            (folder / readme).write_text(table_readme(name, facts, ctx, [parquet, csv]), encoding="utf-8")
            table_info[name] = {"rows": facts.rows, "parquet": f"{EXTRACT_DIR}/{parquet}",
                                "csv": f"{EXTRACT_DIR}/{csv}", "readme": f"{EXTRACT_DIR}/{readme}",
                                "description": table_description(name)}
            listing += [(parquet, f"{name}, Parquet (typed)"), (csv, f"{name}, CSV"),
                        (readme, f"{name}: caveats, snapshots, citations")]
        rows = dictionary_rows()
        (folder / "data_dictionary.md").write_text(dictionary_markdown(rows, ctx), encoding="utf-8")
        write_csv(rows, folder / "data_dictionary.csv", con)
    listing += [("data_dictionary.md", "data dictionary (Markdown)"),
                ("data_dictionary.csv", "data dictionary (CSV: table, column, type, meaning, allowed codes)"),
                ("SHA256SUMS", "sha256 of every file here (`sha256sum -c SHA256SUMS`)")]
    index = readme_name("README", sample)
    listing.insert(0, (index, "this file"))
    (folder / index).write_text(index_readme(ctx, listing), encoding="utf-8")

    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "SHA256SUMS")
    sums = {p.name: sha256_file(p) for p in files}
    (folder / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sums.items()),
                                       encoding="utf-8")
    zip_name = f"harmstats-extracts-{release_id}" + (
        "-SAMPLE" if sample and not release_id.endswith("-SAMPLE") else "") + ".zip"
    zip_path = release_dir / zip_name
    write_zip(folder, zip_path, created)
    described = [{"path": f"{EXTRACT_DIR}/{p.name}", "bytes": p.stat().st_size,
                  "sha256": sums.get(p.name) or sha256_file(p)}
                 for p in sorted(folder.iterdir())]
    return {"dir": EXTRACT_DIR, "sample": sample, "tables": table_info, "files": described,
            "readme": f"{EXTRACT_DIR}/{index}", "dictionary": f"{EXTRACT_DIR}/data_dictionary.md",
            "zip": {"path": zip_name, "bytes": zip_path.stat().st_size,
                    "sha256": sha256_file(zip_path)}}


def _zip_time(created: str) -> tuple[int, int, int, int, int, int]:
    try:
        t = datetime.fromisoformat(created)
    except ValueError:
        t = datetime.now(timezone.utc)
    return (max(t.year, 1980), t.month, t.day, t.hour, t.minute, t.second)
