"""Sample snapshot of StatCan table 35-10-0066-01 as the viewer's report-style CSV: BOM, CRLF,
the title block (title with footnote numbers, frequency, table number, geography), the header
and `Number` unit rows, `..` (not available) for the first two years, thousands inside quotes
(`"1,295"`), `Other similar factor 6` with its footnote number, then the symbol legend,
footnotes and citation. Every number is invented; the motivations add up to the total."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.ca_statcan_hate_crime import SOURCE

YEARS = list(range(2012, 2020))
NOT_AVAILABLE_YEARS = (2012, 2013)
MOTIVATIONS = [("Race or ethnicity", 500, 900), ("Religion", 300, 800),
               ("Sexual orientation", 120, 260), ("Language", 8, 30), ("Disability", 4, 12),
               ("Sex", 10, 60), ("Age", 3, 10), ("Other similar factor 6", 20, 80),
               ("Unknown motivation", 15, 50)]
WIDTH = 1 + len(YEARS)


def _number(value: int) -> str:
    return f"{value:,}"


def _row(*cells) -> list[str]:
    return [*map(str, cells)] + [""] * (WIDTH - len(cells))


def table_text(seed_source: str) -> str:
    r = rng(seed_source)
    counts = {label: [r.randint(low, high) for _ in YEARS] for label, low, high in MOTIVATIONS}
    totals = [sum(c[i] for c in counts.values()) for i in range(len(YEARS))]

    def cells(values):
        return [".." if y in NOT_AVAILABLE_YEARS else _number(v) for y, v in zip(YEARS, values)]

    lines = [
        _row("Police-reported hate crime, by type of motivation, Canada (selected police services) 1 2 3"),
        _row("Annual"),
        _row("Table: 35-10-0066-01 (formerly CANSIM 252-0092)"),
        _row("Geography: Canada"),
        _row(),
        _row("", "Canada, selected police services 4 5 (map)"),
        ["Type of motivation", *map(str, YEARS)],
        _row("", "Number"),
        ["Total police-reported hate crime", *cells(totals)],
        *[[label, *cells(values)] for label, values in counts.items()],
        _row(),
        _row("Symbol legend:"),
        _row("..", "not available for a specific reference period"),
        _row(),
        _row("Footnotes:"),
        _row("1", "SAMPLE footnote: hate crimes are criminal offences motivated by bias, prejudice "
                  "or hate (invented sample text)."),
        _row("6", '"Other similar factor" includes motivations not otherwise stated above.'),
        _row(),
        _row("How to cite: SAMPLE DATA, not a Statistics Canada table"),
        _row("https://www150.statcan.gc.ca/t1/tbl1/en/tv.action?pid=3510006601"),
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return "\ufeff" + buffer.getvalue()


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2021-03-19: the 2012-2019 table (2012-2013 not available)."""
    folder = raw_dir / SOURCE.id / "SAMPLE-2021-03-19"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "raw data.csv").write_bytes(table_text(SOURCE.id).encode("utf-8"))
    write_sidecar(folder, SOURCE, folder.name, kind="full", product=SOURCE.product,
                  period=("2012-01-01", "2019-12-31"))
