"""Sample snapshot of the three CBP deaths tables, in their exact layouts: the OPR summary by
component (empty `adp` column, trailing empty field), the table by publisher (BJS and CBP OPR
rows, quoted definitions with commas) and the yearly counts with a junk year. Every number is
invented; the OPR rows of the by-publisher table repeat the summary's totals, as in the real
copy."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.cbp_deaths_tables import SOURCE
from schemas.raw.cbp_deaths_tables import HEADERS


def _csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2026-01-28 with the three tables."""
    r = rng(SOURCE.id)
    name = "SAMPLE-2026-01-28"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    summary, totals = [HEADERS["summary_2025"]], {}
    for year in (2021, 2022, 2023):
        parts = [r.randint(40, 70) for _ in range(3)]
        totals[year] = sum(parts)
        summary.append([year, totals[year], *parts, ""])
    (folder / "cbp_deaths_summary.csv").write_bytes(_csv(summary))
    by_source = [HEADERS["by_source_2026"]]
    for year in range(2016, 2024):
        by_source.append([year, "BJS FDCRP", "Arrest-related deaths (includes in-custody)",
                          r.randint(5, 50), r.randint(0, 3), "CBP subset from DCRA reporting",
                          "https://bjs.example/sample.pdf"])
        if year in totals:
            by_source.append([year, "CBP OPR", "CBP-related deaths (broad: in-custody, "
                              "CBP-involved, additional)", totals[year], r.randint(40, 60),
                              "OPR report; CBP-related categories", "https://cbp.example/sample"])
    (folder / "cbp_deaths_by_source.csv").write_bytes(_csv(by_source))
    by_year = [HEADERS["by_year_2026"], [0, 1, 0, 0, 0]]
    for year in range(2010, 2026):
        by_year.append([year, r.randint(4, 60), r.randint(0, 15), r.randint(0, 8), r.randint(0, 20)])
    (folder / "cbp_deaths_by_year.csv").write_bytes(_csv(by_year))
    write_sidecar(folder, SOURCE, name, kind="derived", product=SOURCE.product,
                  period=("2010-01-01", "2025-12-31"))
