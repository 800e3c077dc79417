"""Sample snapshots of StatCan table 35-10-0066-01, every number invented:

- SAMPLE-2021-03-19, the viewer's report-style CSV: BOM, CRLF, the title block (title with
  footnote numbers, frequency, table number, geography), the header and `Number` unit rows,
  `..` (not available) for the first two years, thousands inside quotes (`"1,295"`), `Other
  similar factor 6` with its footnote number, then the symbol legend, footnotes and citation.
  The motivations add up to the total.
- SAMPLE-2022-10-11_detailed, the database-loading CSV of 2012-2021 with the detailed
  motivations: BOM, every field quoted, LF, two empty lines at the end, `VALUE` empty with
  `STATUS` `..` for 2012-2013 and for the "Unknown ..." children from 2018 (terminated
  series, `TERMINATED` t). Children add up to their type, types to the total."""

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


DB_YEARS = list(range(2012, 2022))
TERMINATED_FROM = 2018  # the "Unknown ..." children are not available from this year
# (type, children (the last "Unknown ..." ones terminated), range per child)
HIERARCHY = [
    ("Race or ethnicity", ["Black", "South Asian", "East or Southeast Asian", "Arab or West Asian",
                           "White", "Indigenous", "Multiple races or ethnicities",
                           "Other race or ethnicity", "Unknown race or ethnicity"], (10, 300)),
    ("Religion", ["Jewish", "Catholic", "Muslim", "Other religion", "Unknown religion"], (20, 300)),
    ("Sexual orientation", ["Homosexual (lesbian or gay)", "Bisexual", "Heterosexual",
                            "Other sexual orientation", "Unknown sexual orientation"], (0, 150)),
    ("Language", ["French", "English", "Other language", "Unknown language"], (0, 12)),
    ("Disability", ["Physical disability", "Mental disability", "Other disability",
                    "Unknown disability"], (0, 5)),
    ("Sex", ["Male", "Female", "Other sex", "Unknown sex"], (0, 25)),
    ("Age", ["Children (0 to 14 years old)", "Youth (15 to 24 years old)",
             "Adults (25 to 64 years old)", "Seniors (65 years old and over)", "Unknown age"], (0, 4)),
    ("Other similar factor", [], (20, 80)),
    ("Unknown motivation", [], (15, 50)),
]
DB_HEADER = ["REF_DATE", "GEO", "DGUID", "Type of motivation", "UOM", "UOM_ID", "SCALAR_FACTOR",
             "SCALAR_ID", "VECTOR", "COORDINATE", "VALUE", "STATUS", "SYMBOL", "TERMINATED",
             "DECIMALS"]


def db_text(seed_source: str) -> str:
    """The database-loading CSV: one row per member and year, rows by member."""
    r = rng(seed_source + "-detailed")
    values: dict[str, list[int | None]] = {}
    members: list[tuple[str, bool]] = []  # (label, terminated)
    totals = [0] * len(DB_YEARS)
    for label, children, (low, high) in HIERARCHY:
        child_values = {}
        for child in children:
            terminated = child.startswith("Unknown") and child != "Unknown age"
            child_values[child] = [None if terminated and y >= TERMINATED_FROM else r.randint(low, high)
                                   for y in DB_YEARS]
            members.append((child, terminated))
        own = ([sum(v[i] or 0 for v in child_values.values()) for i in range(len(DB_YEARS))]
               if children else [r.randint(low, high) for _ in DB_YEARS])
        values[label] = own
        values.update(child_values)
        members.insert(len(members) - len(children), (label, False))
        totals = [t + v for t, v in zip(totals, own)]
    values["Total police-reported hate crime"] = totals
    members.insert(0, ("Total police-reported hate crime", False))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(DB_HEADER)
    for number, (label, terminated) in enumerate(members, start=1):
        for year, value in zip(DB_YEARS, values[label]):
            missing = value is None or year in NOT_AVAILABLE_YEARS
            writer.writerow([year, "Canada, selected police services", "2016A000011124", label,
                             "Number", "223", "units", "0", f"v{91706827 + number}", f"1.{number}",
                             "" if missing else value, ".." if missing else "", "",
                             "t" if terminated else "", "0"])
    return "\ufeff" + buffer.getvalue() + "\n\n"


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2021-03-19 (the 2012-2019 report-style table, 2012-2013 not available) and
    SAMPLE-2022-10-11_detailed (the 2012-2021 database-loading table, detailed motivations)."""
    folder = raw_dir / SOURCE.id / "SAMPLE-2021-03-19"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "raw data.csv").write_bytes(table_text(SOURCE.id).encode("utf-8"))
    write_sidecar(folder, SOURCE, folder.name, kind="full", product=SOURCE.product,
                  period=("2012-01-01", "2019-12-31"))
    folder = raw_dir / SOURCE.id / "SAMPLE-2022-10-11_detailed"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "poldata.csv").write_bytes(db_text(SOURCE.id).encode("utf-8"))
    write_sidecar(folder, SOURCE, folder.name, kind="full", product=SOURCE.product,
                  period=("2012-01-01", "2021-12-31"))
