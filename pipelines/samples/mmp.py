"""Sample MMP snapshots in three real export formats, with IOM's quirks: the 2020 "Web ID" CSV
(every field quoted, CRLF, a total written "1,022"), the 2025 XLSX (counts stored as floats,
negative missing corrections, rows without a date, multi-valued origins, females + males above
the total) and the 2026 partial CSV (weekday dates, no total column)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.mmp import SOURCE
from schemas.raw.mmp import HEADERS

CAUSES = ["Drowning", "Vehicle accident / death linked to hazardous transport",
          "Harsh environmental conditions / lack of adequate shelter, food, water",
          "Sickness / lack of access to adequate healthcare", "Violence", "Accidental death",
          "Mixed or unknown",
          "Drowning,Harsh environmental conditions / lack of adequate shelter, food, water"]
OLD_CAUSES = ["Drowning", "Presumed drowning", "Sickness and lack of access to medicines",
              "Unknown (skeletal remains)", "Vehicle Accident", "Shot", "Hypothermia",
              "Starvation, Dehydration", "Fall from train"]
PLACES = [  # region, route, country of incident, UNSD grouping
    ("Mediterranean", "Central Mediterranean", "Italy", "Uncategorized"),
    ("Mediterranean", "Eastern Mediterranean", "Greece", "Uncategorized"),
    ("North America", "US-Mexico border crossing", "United States of America", "Northern America"),
    ("Central America", "Central America to US", "Mexico", "Central America"),
    ("Northern Africa", "Sahara Desert crossing", "Libya", "Northern Africa"),
    ("Western Asia", "Türkiye-Europe land route", "Türkiye", "Western Asia"),
    ("South America", "Darien", "Panama", "Central America"),
]
ORIGINS = ["Unknown", "Unknown", "Guatemala", "Honduras", "Mexico", "Eritrea",
           "Syrian Arab Republic", "Afghanistan", "Iran (Islamic Republic of)",
           "Venezuela (Bolivarian Republic of)", "Côte d'Ivoire", "Eritrea,Ethiopia,Sudan,Unknown",
           "Honduras,Unknown"]
OLD_REGIONS = ["US-Mexico Border", "Mediterranean", "North Africa", "Horn of Africa",
               "Central America", "Caribbean"]


def _incidents(seed: str, count: int, start: date, days: int) -> list[dict]:
    """Invented incidents with the arithmetic quirks IOM's files show."""
    r = rng(seed)
    out = []
    for i in range(count):
        dead = r.choice([1, 1, 1, 2, 3, 5, 0])
        missing = r.choice([0, 0, 0, 0, 2, 12]) if dead else r.choice([1, 4, 30])
        females = r.choice([None, None, 0, 1])
        males = r.choice([None, max(dead - (females or 0), 0), 1 if dead > 1 else None])
        children = r.choice([None, None, 1])
        if i % 37 == 5:  # IOM's females + males above the total
            females, males = dead + missing, 1
        if i % 53 == 7:  # a negative "missing" correction
            missing = -1
        place = r.choice(PLACES)
        out.append({"n": i + 1, "date": start + timedelta(days=r.randrange(days)), "dead": dead,
                    "missing": missing, "females": females, "males": males, "children": children,
                    "cause": r.choice(CAUSES), "old_cause": r.choice(OLD_CAUSES), "place": place,
                    "origin": r.choice(ORIGINS), "quality": r.randint(1, 5),
                    "survivors": r.choice([None, None, 3, 40])})
    return sorted(out, key=lambda x: x["date"])


def _fmt(value) -> str:
    return "" if value is None else str(value)


def write_web_id_2019(folder: Path) -> None:
    """The 2020 "Web ID" CSV: every field quoted, CRLF, long-month dates, one "1,022"."""
    rows = _incidents("mmp-2020", 220, date(2014, 1, 6), 6 * 365)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADERS["web_id_2019"])
    r = rng("mmp-2020-extra")
    for i, x in enumerate(rows):
        total = x["dead"] + max(x["missing"], 0)
        total_text = "1,022" if i == 100 else str(total)
        dead, missing = (750, 272) if i == 100 else (x["dead"], max(x["missing"], 0) or None)
        writer.writerow([
            str(40000 + i), r.choice(OLD_REGIONS), x["date"].strftime("%B %d, %Y").replace(" 0", " "),
            x["date"].year, x["date"].strftime("%b"), dead, _fmt(missing), total_text,
            _fmt(x["survivors"]), _fmt(x["females"]), _fmt(x["males"]), _fmt(x["children"]),
            x["old_cause"], f"Sample location {i}", "Sample news agency",
            f"{r.uniform(-30, 45):.12f}, {r.uniform(-120, 40):.12f}", x["place"][1], "",
            x["place"][3], x["quality"]])
    (folder / "data.csv").write_bytes(buffer.getvalue().encode("utf-8"))


def write_country_2024(folder: Path) -> None:
    """The 2025 XLSX: floats for every number, blank dates in a few rows, one date `0.0`."""
    import openpyxl

    rows = _incidents("mmp-2025", 320, date(2014, 1, 2), 11 * 365 + 100)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Worksheet"
    sheet.append(HEADERS["country_2024"])
    per_year: dict[int, int] = {}
    for i, x in enumerate(rows):
        year = x["date"].year
        per_year[year] = per_year.get(year, 0) + 1
        ident = f"{year}.MMP{per_year[year]:05d}"
        blank_date = i in (17, 18)
        f = lambda v: None if v is None else float(v)  # noqa: E731 - IOM stores counts as floats
        sheet.append([
            ident, ident, "Split Incident" if i % 41 == 3 else "Incident", x["place"][0],
            None if blank_date else (0.0 if i == 19 else x["date"].isoformat()),
            None if blank_date else float(year), None if blank_date else x["date"].strftime("%B"),
            f(x["dead"]), f(x["missing"]) if x["missing"] else None,
            f(x["dead"] + x["missing"]), f(x["survivors"]), f(x["females"]), f(x["males"]),
            f(x["children"]), x["origin"], "Latin America / Caribbean (P)", x["cause"],
            x["place"][2], x["place"][1], f"Sample location {i}",
            "31.650259, -110.366453", x["place"][3], "Sample source", None, f(x["quality"])])
    book.save(folder / "Missing_Migrants_Global_Figures_allData.xlsx")


def write_export_2026(folder: Path) -> None:
    """The 2026 per-year CSV: weekday dates, no total, 4-digit id suffixes, no final newline."""
    rows = _incidents("mmp-2026", 60, date(2026, 1, 1), 120)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS["export_2026"])
    for i, x in enumerate(rows):
        ident = f"2026.MMP{i + 1:04d}"
        writer.writerow([
            ident, ident, x["place"][0], x["date"].strftime("%a, %m/%d/%Y - 12:00"), 2026,
            x["date"].strftime("%B"), _fmt(x["dead"] or None), max(x["missing"], 0),
            _fmt(x["survivors"]), _fmt(x["females"]), _fmt(x["males"]), _fmt(x["children"]),
            "Western Asia", x["cause"], x["origin"], f"Sample location {i}", "Sample source",
            "37.34265178, 42.99259985", x["place"][1], "https://perma.cc/SAMPLE-0001",
            x["place"][3], x["quality"]])
    (folder / "MissingMigrants-Global-2026-05-06--19_42_11.csv").write_text(
        buffer.getvalue().rstrip("\n"), encoding="utf-8")


def write_samples(raw_dir: Path) -> None:
    """Write the MMP sample snapshots under `raw_dir/mmp/`."""
    plan = [("SAMPLE-2020-01-13", write_web_id_2019, "full", ("2014-01-06", "2020-01-13")),
            ("SAMPLE-2025-05-05", write_country_2024, "full", ("2014-01-02", "2025-05-05")),
            ("SAMPLE-2026-05-06", write_export_2026, "partial", ("2026-01-01", "2026-05-06"))]
    for name, writer, kind, period in plan:
        folder = raw_dir / SOURCE.id / name
        folder.mkdir(parents=True, exist_ok=True)
        writer(folder)
        write_sidecar(folder, SOURCE, name, kind=kind, period=period)
