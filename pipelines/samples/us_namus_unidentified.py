"""Sample snapshot of the NamUs unidentified persons export, split by state as the real copy is:
pandas float ages ("27.0"), blank age ranges, "ME/C Case " prefixes (some blank), several race
values in one cell, "Unsure" and blank sex, counties on and off the border. Every record is
invented; case numbers are "UP9xxxxx"."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from pipelines.samples.common import csv_text, rng, write_sidecar
from pipelines.sources.us_namus_unidentified import SOURCE
from schemas.raw.us_namus_unidentified import HEADERS

# file stem -> (state, [(county, city, weight)])
STATES = {
    "arizona": ("Arizona", [("Pima", "Tucson", 12), ("Maricopa", "Phoenix", 3),
                            ("Santa Cruz", "Nogales", 2), ("Cochise", "Douglas", 1),
                            ("Yuma", "Yuma", 1), ("Pinal", "Casa Grande", 1)]),
    "texas": ("Texas", [("Brooks", "Falfurrias", 5), ("Harris", "Houston", 3),
                        ("Hidalgo", "McAllen", 2), ("Webb", "Laredo", 2), ("Kenedy", "Sarita", 1)]),
    "new_mexico": ("New Mexico", [("Doña Ana", "Las Cruces", 3), ("Bernalillo", "Albuquerque", 2),
                                  ("Hidalgo", "Lordsburg", 1), ("", "", 1)]),
    "california": ("California", [("Imperial", "El Centro", 3), ("San Diego", "San Diego", 3),
                                  ("Los Angeles", "Los Angeles", 5)]),
}
RACES = ["Hispanic / Latino", "Uncertain", "White / Caucasian", "Other",
         "American Indian / Alaska Native", "Black / African American", "Asian",
         "Hawaiian / Pacific Islander", "Black / African American, Hispanic / Latino",
         "Hispanic / Latino, White / Caucasian", ""]
RACE_WEIGHTS = [40, 25, 15, 5, 3, 3, 2, 0.5, 2, 2, 0.5]
SEXES, SEX_WEIGHTS = ["Male", "Female", "Unsure", ""], [80, 12, 7, 1]


def _rows(r: random.Random, stem: str, rows: int, first_case: int) -> list[list[str]]:
    state, places = STATES[stem]
    start, end = date(1975, 1, 1), date(2025, 9, 30)
    out = []
    for i in range(rows):
        found = start + timedelta(days=int((end - start).days * r.random() ** 0.3))
        county, city, _ = r.choices(places, [p[2] for p in places])[0]
        if r.random() < 0.2:
            ages = ("", "")
        else:
            low = r.randint(0, 60) if r.random() < 0.1 else r.randint(18, 60)
            high = low if r.random() < 0.1 else low + r.randint(1, 15)
            ages = (f"{float(low)}", f"{float(high)}")
        mec = "ME/C Case " if r.random() < 0.03 else f"ME/C Case {found:%y}-{r.randint(1, 4000):04d}"
        modified = found + timedelta(days=r.randint(30, 3000))
        out.append([f"UP9{first_case + i:05d}", mec, f"{found:%m/%d/%Y}", *ages, city, county, state,
                    r.choices(SEXES, SEX_WEIGHTS)[0], r.choices(RACES, RACE_WEIGHTS)[0],
                    f"{min(modified, end):%m/%d/%Y}"])
    return sorted(out, key=lambda row: row[2][6:] + row[2][:5], reverse=True)


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2025-10-18: one file per state, as the real copy is split."""
    r = rng(SOURCE.id)
    name = "SAMPLE-2025-10-18"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    for number, (stem, rows) in enumerate((("arizona", 60), ("texas", 40), ("new_mexico", 15),
                                           ("california", 40))):
        text = csv_text(HEADERS["namus_export_2025"], _rows(r, stem, rows, number * 1000))
        (folder / f"{stem}_unidentified_bodies.csv").write_bytes(text.encode("utf-8"))
    write_sidecar(folder, SOURCE, name, kind="derived", product=SOURCE.product,
                  period=("1975-01-01", "2025-09-30"))
