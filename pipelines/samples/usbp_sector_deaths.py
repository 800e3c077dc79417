"""Sample snapshot of USBP's Southwest Border deaths by sector and fiscal year, in the long
re-keying's layout: an XLSX with Year (a number), Sector (two names with a line break) and
Deaths, and a "Southwest Border Total" row after each year's sectors. Every count is
invented."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.usbp_sector_deaths import SOURCE, TOTAL_LABEL
from schemas.raw.usbp_sector_deaths import HEADERS

SECTORS = ["Big Bend\n(formerly Marfa)", "Del Rio", "El Centro", "El Paso", "Laredo",
           "Rio Grande Valley\n(formerly McAllen)", "San Diego", "Tucson", "Yuma"]


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-fy2010_fy2019: ten fiscal years, nine sectors and the Total each year."""
    r = rng(SOURCE.id)
    name = "SAMPLE-fy2010_fy2019"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(HEADERS["long_sector_2022"])
    for year in range(2010, 2020):
        counts = [r.randint(0, 120) for _ in SECTORS]
        for sector, count in zip(SECTORS, counts):
            sheet.append([float(year), sector, float(count)])
        sheet.append([float(year), TOTAL_LABEL, float(sum(counts))])
    book.save(folder / "Southwest Border Deaths.xlsx")
    write_sidecar(folder, SOURCE, name, kind="derived", product=SOURCE.product,
                  period=("2009-10-01", "2019-09-30"))
