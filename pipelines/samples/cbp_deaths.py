"""Sample snapshot of the CBP-involved deaths list: numbered Incident_Type lists inside one cell
("1. In Custody\\n2. Minor"), line breaks inside Name and Location cells, ages as numbers or
words (`unknown`, `Unknown`, `Adult`, `Infant`, `Minor`, `N/A (adult)`, blank), demonyms,
`U.S.` / `U.S. Citizen` / `United States`, `Unknown`; LF line ends. Every record is invented;
names are "Unknown", "[Name not released]" or "SAMPLE-PERSON N"."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.cbp_deaths import SOURCE
from schemas.raw.cbp_deaths import HEADERS

NATIONALITIES = ["Mexican", "Guatemalan", "Honduran", "Unknown", "Salvadoran", "Nicaraguan",
                 "Cuban", "Venezuelan", "Chinese", "Bangladeshi", "Angolan", "Panamanian"]
NATIONALITY_WEIGHTS = [24, 7, 6, 6, 3, 2, 1, 1, 1, 1, 1, 1]
US_FORMS = ["U.S.", "U.S. Citizen", "United States"]
PLACES = [("Eagle Pass", "TX"), ("McAllen", "TX"), ("Laredo", "TX"), ("El Paso", "TX"),
          ("Tucson", "AZ"), ("Yuma", "AZ"), ("Nogales, AZ", "AZ"), ("San Diego", "CA"),
          ("Santa Teresa", "NM"), ("Champlain", "NY"),
          ("Holding cell BP\ncheckpoint near\nSampletown", "TX"),
          ("Sample Border Patrol\nStation near San\nDiego", "CA")]
PLACE_WEIGHTS = [4, 4, 3, 3, 4, 1, 1, 2, 1, 1, 1, 1]
AGE_WORDS = ["Adult", "Unknown", "unknown", "", "N/A\n(adult)", "N/A (adult)"]
# (Incident_Type items besides In Custody, indicator columns set to 1, weight)
KINDS = [((), (), 30), (("Medical",), (), 2), (("Medical (COVID)",), (), 1),
         (("Firearm",), ("Firearm",), 2), (("Other Use of Force",), (), 1),
         (("Wall Related",), ("Wall_Related",), 2)]
INDICATORS = ["Minor", "US_Citizen_LPR", "In_Custody", "Off_Duty", "Firearm", "Wall_Related",
              "Vehicle_Pursuit", "Cross_Border_Shooting", "Death_Immigration_Enforcement"]


def _numbered(items: list[str]) -> str:
    """An Incident_Type cell: a numbered list, one item a line."""
    return "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))


def _row(r: random.Random, case: int, died: date, i: int) -> list[str]:
    flags = dict.fromkeys(INDICATORS, "0")
    flags["In_Custody"] = "1"
    extra, set_flags, _ = r.choices(KINDS, [k[2] for k in KINDS])[0]
    nationality = r.choices(NATIONALITIES, NATIONALITY_WEIGHTS)[0]
    age = str(r.randint(19, 63)) if r.random() < 0.55 else r.choice(AGE_WORDS)
    if i % 13 == 0:  # a death during an encounter: its item replaces In Custody
        extra, set_flags, age = ("Death in Presence of\nImmigration Enforcement",), (
            "Death_Immigration_Enforcement",), "Adult"
        items = [*extra]
    else:
        items = ["In Custody" if r.random() < 0.9 else "In custody", *extra]
        if extra == ("Wall Related",) and r.random() < 0.5:
            items.reverse()  # the cause listed first
    for name in set_flags:
        flags[name] = "1"
    if i % 6 == 1:  # a child
        age = r.choice(["Infant", "Minor", str(r.randint(1, 17))])
        flags["Minor"] = "1"
        items.insert(r.randint(0, 1), "Minor")
    elif i % 11 == 0:  # a U.S. citizen
        nationality = US_FORMS[(i // 11) % 3]
        flags["US_Citizen_LPR"] = "1"
        items.append("U.S. Citizen")
    place, state = r.choices(PLACES, PLACE_WEIGHTS)[0]
    name = ("[Name not released]" if i % 9 == 4 else
            f"SAMPLE-PERSON\n{i}" if i % 17 == 5 else
            f"SAMPLE-PERSON {i}" if i % 4 == 1 else "Unknown")
    incident = items[0] if len(items) == 1 and r.random() < 0.1 else _numbered(items)
    return [str(case), name, age, died.isoformat(), place, state, nationality, incident,
            *flags.values(), "ACLU", died.isoformat(), str(died.year), "", "", "0"]


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2026-01-28: 52 invented deaths, newest first, case numbers descending."""
    r = rng(SOURCE.id)
    start, end = date(2011, 1, 1), date(2025, 3, 26)
    days = sorted((r.randint(0, (end - start).days) for _ in range(52)), reverse=True)
    cases = sorted(r.sample(range(5, 360), len(days)), reverse=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS["aclu_2026"])
    for i, (offset, case) in enumerate(zip(days, cases)):
        writer.writerow(_row(r, case, start + timedelta(days=offset), i))
    folder = raw_dir / SOURCE.id / "SAMPLE-2026-01-28"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cbp_deaths_in_custody.csv").write_bytes(buffer.getvalue().encode("utf-8"))
    write_sidecar(folder, SOURCE, folder.name, kind="full", product=SOURCE.product,
                  period=(start.isoformat(), end.isoformat()))
