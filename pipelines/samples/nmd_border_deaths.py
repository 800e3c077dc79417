"""Sample snapshot of the No More Deaths merge (border_deaths_master.csv), in its exact format:
Year as float text, three date layouts, Source labels cut at 30 characters, M/F/U beside
Male/Female, blank and tentative nationalities, County in two cases, State mixing the state of
recovery with a home department, latitudes with a trailing comma, a row with no year and no
date. Every record is invented."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.nmd_border_deaths import SOURCE
from schemas.raw.nmd_border_deaths import HEADERS

# Source label (cut at 30 characters) -> (counties, state, date layout, causes)
SUB_SOURCES = {
    "Pima County Office of the Medic": (["Pima", "PIMA", "Santa Cruz", "PINAL"], "Arizona", "iso",
                                        ["Exposure", "Skeletal Remains", "Undetermined", "Drowning",
                                         "Gunshot Wound", "Other Disease", ""]),
    "Brooks County": (["Brooks"], "", "iso", [""]),
    "San Diego County Office of the": ([""], "", "us", ["Drowning", "Stab wounds of torso",
                                                        "Environmental hyperthermia", "Undetermined"]),
    "El Paso Sector Database": (["El Paso", "Doña Ana"], "", "iso",
                                ["Blunt force trauma", "Undetermined-specify", "Heat stroke", ""]),
    "Other Texas Counties": (["Webb", "Hidalgo", ""], "Texas", "iso", ["", "DROWNING", "Natural"]),
}
NATIONALITIES = ["", "", "", "Mexico", "Guatemala", "Honduras", "El Salvador", "Unknown",
                 "UNKNOWN", "Tent Mexico", "Mexican", "USA / Guatemala"]
GENDERS = ["M", "M", "M", "F", "U", "Male", "Female", ""]
RANGES = [(0, 17, "0-17"), (18, 25, "18-25"), (26, 35, "26-35"), (36, 45, "36-45"),
          (46, 55, "46-55"), (56, 80, "56 and older")]


def _row(r, label: str) -> list[str]:
    counties, state, layout, causes = SUB_SOURCES[label]
    day = date(2000, 1, 1) + timedelta(days=r.randint(0, 9000))
    when = f"{day:%Y-%m-%d} 00:00:00" if layout == "iso" else f"{day.month}/{day.day}/{day.year}"
    low, high, band = r.choice(RANGES)
    age = r.randint(low, high)
    age_cell, range_cell = ((f"{float(age)}", band) if r.random() < 0.6 else
                            ("", band if r.random() < 0.5 else "Unknown"))
    home = r.choice(["Michoacan", "San Salvador", ""]) if not state else state
    lat = f"{r.uniform(31.3, 32.9):.6f}" + ("," if r.random() < 0.05 else "")
    return [label, f"{float(day.year)}", when, age_cell, range_cell, r.choice(GENDERS),
            r.choice(NATIONALITIES), r.choice(causes), lat, f"{r.uniform(-117.2, -97.5):.6f}",
            r.choice(counties), home]


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2026-04-29: 150 invented records over five sub-sources."""
    r = rng(SOURCE.id)
    name = "SAMPLE-2026-04-29"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    rows = [_row(r, r.choice(list(SUB_SOURCES))) for _ in range(150)]
    rows.append(["Imperial County Coroners Office", "", "", "", "", "", "", "", "32.655170",
                 "-115.633600", "", ""])  # a row with no year and no date, as in the real copy
    rows.append(["El Paso Sector Database", "", "3/7/2020 0950", "", "0-17", "U", "", "",
                 "31.399321", "-106.038203", "El Paso", ""])  # no Year: the Date's year
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS["master_2026"])
    writer.writerows(rows)
    (folder / "border_deaths_master.csv").write_bytes(buffer.getvalue().encode("utf-8"))
    write_sidecar(folder, SOURCE, name, kind="derived", product=SOURCE.product,
                  period=("1981-01-01", "2025-12-31"))
