"""Synthetic raw files at scale, in the real published layouts, generated deterministically.

    python -m bench.gen --layout mmp --rows 1000000 --out bench/data/raw/1m

Layouts (each written as `<out>/<source>/<snapshot>/<file>.csv` plus a `snapshot.json`
sidecar marked `"sample": true`, so nothing built from them can pass for real statistics):

- `mmp`: the IOM Missing Migrants 2025 export (`country_2024`, the exact header of
  schemas/raw/mmp.py). Incidents follow the real file's shape: a place profile (region, route,
  country of incident, UNSD grouping) picks the origins its migrants come from, causes include
  the multi-valued ones ("Drowning,Harsh environmental conditions / ..."), counts are mostly 1
  with a long tail written "1,022" above 999, the sex and age splits are mostly blank, and about
  0.05% of rows are bad (a non-numeric count, a repeated id, no year and no date).
- `ngo_incidents`: the harmstats NGO incident template (English headers), one victim a row,
  1-4 victims per incident, labels from the maps the module reads; ~0.05% bad rows.
- `ice_detention_deaths`: the compiled ICE list layout (`detailed_2026`), one death a row.
- `unodc_glotip`: the UNODC GLOTIP long layout (`titled_2023`, saved as CSV with the header on
  the first line), one published cell a row, in groups of (country, year, indicator): the
  Total breakdown by sex x age, the forms of exploitation by sex x age, dozens of citizenships,
  a few countries of repatriation. Parts are drawn from the group's total, so they mostly add
  up, with shortfalls (unpublished categories, scaled parts) and some excesses; `txtVALUE` is
  text ("<5" for about half the cells, "8,913"); a few collapsed sub-form rows repeat exactly;
  ~0.05% bad rows ("n/a", no year, a questionnaire item code). Chunks own disjoint groups
  (203 countries x 1950-2024 x 5 indicators, ~11M rows at most), so no group repeats.
- `fbi_incidents`: the FBI Crime Data Explorer incident file `hate_crime.csv` (bench/layout_fbi.py),
  one incident a row, multi-valued bias and offence cells, two-digit-year dates.

Each layout is a module (`bench/layout_<name>.py`: its HEADER, its LAYOUT (source id, file
name) and `chunk(rng, start, n)`, drawing with bench/draw.py); this module writes them.

Randomness is numpy's PCG64 seeded per chunk (seed, chunk number), so a file is the same
bytes on every machine and run (for a given CHUNK: the draws are made per chunk).
Vocabularies are drawn as integer codes and turned into text with Arrow `take`; DuckDB writes
each chunk's CSV (quoting only where needed, as the publishers' exports do). No Python loop
runs per row: 10M MMP rows take about a minute, 10M GLOTIP rows about 13 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

from bench import layout_fbi, layout_glotip, layout_ice, layout_mmp, layout_ngo

CHUNK = 500_000
SEED = 20250630
SNAPSHOT = "2025-06-30"  # the date in the name orders snapshots; the sidecar says sample

# First day of the years a layout's rows can fall in (the sidecar's period).
PERIOD_START = {"unodc_glotip": "1950-01-01", "fbi_incidents": "1991-01-01"}

# layout -> its module (HEADER, LAYOUT = (source id, file name), chunk)
MODULES = {"mmp": layout_mmp, "ngo_incidents": layout_ngo, "ice_detention_deaths": layout_ice,
           "unodc_glotip": layout_glotip, "fbi_incidents": layout_fbi}
LAYOUTS = {layout: module.LAYOUT for layout, module in MODULES.items()}


def write_csv(layout: str, rows: int, path: Path, seed: int = SEED, chunk: int = CHUNK) -> Path:
    """Write `rows` records of `layout` to `path` (header as published, UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(MODULES[layout].HEADER)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    tmp = Path(tempfile.mkdtemp(prefix=".gen-", dir=path.parent))
    try:
        with path.open("wb") as out:
            out.write(buffer.getvalue().encode("utf-8"))
            for number, begin in enumerate(range(0, rows, chunk)):
                n = min(chunk, rows - begin)
                rng = np.random.Generator(np.random.PCG64([seed, number]))
                table = MODULES[layout].chunk(rng, begin, n)
                part = tmp / f"{number}.csv"
                con.register("chunk", table)
                con.execute(f"COPY chunk TO '{part}' (FORMAT csv, HEADER false)")
                con.unregister("chunk")
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 22)
                part.unlink()
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def write_snapshot(layout: str, rows: int, raw_dir: Path, seed: int = SEED) -> Path:
    """A snapshot folder `raw_dir/<source>/<SNAPSHOT>/` with the CSV and its sidecar. Reused
    when a sidecar with the same layout, rows and seed is there already."""
    source, name = LAYOUTS[layout]
    folder = raw_dir / source / SNAPSHOT
    sidecar = folder / "snapshot.json"
    want = {"layout": layout, "rows": rows, "seed": seed}
    if sidecar.is_file():
        meta = json.loads(sidecar.read_text())
        if meta.get("bench") == want and (folder / name).is_file():
            return folder
    shutil.rmtree(folder, ignore_errors=True)
    write_csv(layout, rows, folder / name, seed)
    meta = {"source": source, "snapshot": SNAPSHOT, "kind": "full", "product": _product(source),
            "period": {"start": PERIOD_START.get(layout, "2014-01-01"), "end": SNAPSHOT},
            "landing_page": None,
            "licence": "synthetic benchmark data", "download_url": None, "retrieved": None,
            "sample": True, "note": "SYNTHETIC BENCHMARK DATA (bench/gen.py): not real statistics.",
            "bench": want,
            # sha256 left out on purpose: the pipeline hashes the file itself when absent.
            "files": {name: {"bytes": (folder / name).stat().st_size}}}
    sidecar.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return folder


def _product(source: str) -> str:
    """The product a source's sidecar names (as its module declares it)."""
    from pipelines.sources.registry import SOURCES
    return SOURCES[source].product


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layout", choices=sorted(LAYOUTS), required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="raw folder to write into")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    folder = write_snapshot(args.layout, args.rows, args.out, args.seed)
    print(f"{folder}: {args.rows:,} rows in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
