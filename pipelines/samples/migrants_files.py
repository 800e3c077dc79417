"""Sample snapshot of The Migrants' Files' 2016 export (CartoDB CSV, CRLF): events newest first
with ISO timestamps (some with a time-zone hour, T02:00:00Z), dead, missing and a total often
above them, blank Event_id for recent events, cause labels, routes, one multi-line description,
two events without a date or year and empty rows at the end, as in the real file. Every record
is invented; titles are "SAMPLE EVENT N"."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.migrants_files import SOURCE
from schemas.raw.migrants_files import HEADERS

CAUSES = [("drowned", "drowning or exhaustion related death"),
          ("unknown", "unknown - supposedly exhaustion related death"),
          ("shot by the police", "authorities related death"),
          ("suicide - hanged", "suicide"), ("car accident", "violent accidental death (transport, "
                                                           "blown in minefield...)"),
          ("murdered", "malicious intent related death / manslaughter"),
          ("hypothermia", "drowning or exhaustion related death")]
ROUTES = ["", "Western Mediterranean route", "Central Mediterranean Route",
          "Eastern Mediterranean route", "Western African route"]
FILE = ("DISCONTINUED ON JUNE 24, 2016 - Events during which someone died trying to reach or "
        "stay in Europe - Events.csv")


def _rows(rows: int) -> list[list[str]]:
    r = rng(SOURCE.id)
    start, end = date(2000, 1, 1), date(2016, 6, 20)
    days = sorted((r.randint(0, (end - start).days) for _ in range(rows)), reverse=True)
    out = []
    for i, offset in enumerate(days):
        day = start + timedelta(days=offset)
        cause, group = r.choice(CAUSES)
        dead, missing = r.choice([(1, 0), (0, 0), (3, 10), (0, 0), (2, 0)])
        total = dead + missing + r.choice([0, 0, 5, 12])
        lat, lon = r.uniform(30, 45), r.uniform(-15, 30)
        hour = "02" if i % 11 == 4 else "00"
        description = (f"SAMPLE description of event {i}\nsecond line" if i == 6 else
                       f"SAMPLE description of event {i} in detention" if i % 13 == 2 else
                       f"SAMPLE description of event {i}")
        out.append(["" if day.year >= 2015 and i % 3 else str(80000 - i), cause, group,
                    r.choice(["United", "Del grande", ""]), f"{day.isoformat()}T{hour}:00:00Z",
                    f"{(day.month - 1) // 3 + 1}Q{day.year}", f"{day.year} -- {day.month}",
                    str(day.year), str(dead), str(missing), str(total), r.choice(["", "1", "0"]),
                    description, f"Sample place {i}", f"{lat:.6f}", f"{lon:.6f}",
                    f"{lat:.6f}, {lon:.6f}", str(total), f"SAMPLE EVENT {i}", r.choice(ROUTES),
                    "Sample News", f"http://example.org/sample/{i}"])
    for i in (rows, rows + 1):  # events without date or year
        out.append([str(90000 + i), "unknown", CAUSES[1][1], "", "", "", "", "", "1", "0", "1", "",
                    f"SAMPLE description of event {i}", "", "", "", "", "1",
                    f"SAMPLE EVENT {i}", "", "Sample News", ""])
    out += [[""] * 17 + ["0"] + [""] * 4 for _ in range(3)]  # empty rows at the end
    return out


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2016-06-24 (70 events, then the rows the real file ends with)."""
    name = "SAMPLE-2016-06-24"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS["cartodb_2016"])
    writer.writerows(_rows(70))
    (folder / FILE).write_bytes(buffer.getvalue().encode("utf-8"))
    write_sidecar(folder, SOURCE, name, kind="full", product=SOURCE.product,
                  period=("2000-01-01", "2016-06-20"))
