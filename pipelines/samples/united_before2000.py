"""Sample snapshot of the curated UNITED 1993-1999 file: ids, coordinates, counts, the year and
the French cause categories with their numeric `types` (commas inside quoted values). Every
record is invented."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.united_before2000 import SOURCE, TYPE_CODES
from schemas.raw.united_before2000 import HEADERS


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2025-11-07 (60 entries, 1993-1999)."""
    r = rng(SOURCE.id)
    name = "SAMPLE-2025-11-07"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS["neocarto_2025"])
    causes = list(TYPE_CODES)
    for i in range(2, 62):
        cause = r.choices(causes, [2, 3, 1, 6, 3, 1])[0]
        writer.writerow([i, f"{r.uniform(30, 50):.2f}", f"{r.uniform(-10, 30):.2f}",
                         r.choice([1, 1, 1, 2, 4, 14, 39]), r.randint(1993, 1999), cause,
                         TYPE_CODES[cause]])
    (folder / "United_before2000.csv").write_bytes(buffer.getvalue().encode("utf-8"))
    write_sidecar(folder, SOURCE, name, kind="derived", product=SOURCE.product,
                  period=("1993-01-01", "1999-12-31"))
