"""Sample snapshot of UNITED's List of refugee deaths in onData's CSV layout: dd/mm/yy dates
newest first, month-only ("Mar 99") and year-only dates, one odd date ("3010/16"), the combined
"name, gender, age" cell ("N.N. (1 baby; 5 men)", "SAMPLE-PERSON 3 (woman, 19)"), regions of
origin mixing countries, regions and lists, free-text causes, and one empty row at the end as in
the real file. A sources.csv key to the abbreviations sits beside it. Every record is invented."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.united_list import SOURCE, person_counts
from schemas.raw.united_list import HEADERS

PEOPLE = ["N.N.", "N.N. (man)", "N.N. (woman)", "N.N. (1 baby; 5 men)", "N.N. (boy, 16)",
          "N.N. (2 men)", "N.N. (man, ±30)", "N.N. (1 woman, 18; 1 man, 25)", "N.N. (3 children)",
          "N.N. (girl, 6 months)"]
ORIGINS = ["unknown", "Sub-Saharan Africa", "Africa", "Morocco", "Afghanistan", "Syria",
           "Eritrea", "Somalia, Eritrea", "Kurdistan-Iraq", "Maghreb"]
CAUSES = ["drowned when boat capsized near Sampletown", "bodies recovered on Sample beach",
          "suffocated in lorry on the way to Sampleland", "suicide, found hanged in detention centre",
          "shot by border guards while crossing", "died of hypothermia in the mountains",
          "died in arson attack on refugee home", "hit by train near border crossing"]
COUNTRIES = ["Spain", "Italy", "Greece", "Libya", "Germany", "unknown", "France", "Turkey"]
SOURCES = [("AFP", "Agence France-Presse"), ("IOM", "International Organization for Migration"),
           ("SmpN", "Sample News (XX)")]


def _rows(rows: int) -> list[list[str]]:
    r = rng(SOURCE.id)
    start, end = date(1993, 1, 1), date(2018, 5, 5)
    days = sorted((r.randint(0, (end - start).days) for _ in range(rows)), reverse=True)
    out = []
    for i, offset in enumerate(days):
        found = start + timedelta(days=offset)
        if i % 17 == 5:
            written = found.strftime("%b %y")
        elif i % 23 == 7:
            written = str(found.year)
        else:
            written = found.strftime("%d/%m/%y")
        person = f"SAMPLE-PERSON {i} (woman, 19)" if i % 29 == 3 else r.choice(PEOPLE)
        female, male, children, adults, _ = person_counts(person)
        number = max(r.choice([1, 1, 1, 2, 3, 6, 12]), female + male, children + adults)
        out.append([written, str(number), person, r.choice(ORIGINS),
                    r.choice(CAUSES), "/".join(s for s, _ in r.sample(SOURCES, 2)),
                    r.choice(COUNTRIES)])
    out[3][0] = f"{out[3][0][:2]}{out[3][0][3:]}"  # "3010/16": the slash lost, as in the real file
    out[8][1], out[8][2] = "1", "N.N. (2 men)"  # a split above the entry's number (flagged)
    out.append(["", "", "", "", "", "", "unknown"])  # the nearly empty last row
    return out


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2018-07-19: the list (refugeesAndMigrants.csv) and its sources key."""
    name = "SAMPLE-2018-07-19"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refugeesAndMigrants.csv").write_bytes(_csv(HEADERS["ondata_2018"], _rows(90)))
    (folder / "sources.csv").write_bytes(_csv(["ABBREVIATION", "SOURCES"], [list(s) for s in SOURCES]))
    write_sidecar(folder, SOURCE, name, kind="full", product=SOURCE.product,
                  period=("1993-01-01", "2018-05-05"))
