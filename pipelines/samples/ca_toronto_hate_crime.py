"""Sample snapshot of the Toronto Police hate-crime occurrences, as the readr-written copy has
them: `None` for an absent bias, literal `NA` in LOCATION_TYPE, location labels with a typo
and a trailing space, `NSA` neighbourhoods, zero-padded neighbourhood codes, several biases
in one cell (", ") and across columns with MULTIPLE_BIAS = YES (once with only one listed),
AGE_BIAS always NO, an occurrence reported in the next year, ARREST_MADE YES/NO; LF line
ends, no BOM. Every record is invented."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from pipelines.samples.common import csv_text, rng, write_sidecar
from pipelines.sources.ca_toronto_hate_crime import SOURCE
from schemas.raw.ca_toronto_hate_crime import HEADERS

YEARS = range(2018, 2024)
PER_YEAR = (14, 15, 20, 24, 22, 30)
LOCATIONS = ["Streets/Roadways/Highway", "Educational Institution (Universities, Colleges, Schools, etc.)",
             "Apartment Building (Condo, Retirement Buidling, etc.)", "Public Transportation",
             "Other Commercial / Corporate Places ", "Open Area, Park or Parking Lot", "NA",
             "Religious Place of Worship/Cultural Centre", "Business/Retail"]
HOODS = [("095", "Annex (95)", "095", "Annex (95)"),
         ("170", "Yonge-Bay Corridor (170)", "076", "Bay Street Corridor (76)"),
         ("027", "York University Heights (27)", "027", "York University Heights (27)"),
         ("009", "Edenbridge-Humber Valley (9)", "009", "Edenbridge-Humber Valley (9)"),
         ("NSA", "NSA", "NSA", "NSA")]
DIVISIONS = ["D11", "D14", "D22", "D32", "D51", "D52", "D55", "NSA"]
OFFENCES = [("Mischief Under $5000", 9), ("Assault", 4), ("Uttering Threats - Bodily Harm", 2),
            ("Criminal Harassment", 1), ("Assault With a Weapon", 1),
            ("Mischief To Religious Property, Educational Institutions, Etc.", 1),
            ("Wilful Promotion of Hatred", 1), ("Sexual Assault", 1)]
# (column, value, weight) of a single bias
SINGLE = [("RELIGION_BIAS", "Jewish", 10), ("RACE_BIAS", "Black", 7), ("RELIGION_BIAS", "Muslim", 3),
          ("SEXUAL_ORIENTATION_BIAS", "Gay", 2), ("SEXUAL_ORIENTATION_BIAS", "2SLGBTQ+", 2),
          ("RACE_BIAS", "East/Southeast Asian", 2), ("ETHNICITY_BIAS", "Chinese", 1),
          ("ETHNICITY_BIAS", "Indian", 1), ("ETHNICITY_BIAS", "Mexican", 1),
          ("RACE_BIAS", "Latino", 1), ("GENDER_BIAS", "Woman", 1),
          ("GENDER_BIAS", "Transgender Woman (Identifies As Woman)", 1),
          ("LANGUAGE_BIAS", "Spanish", 1)]
BIAS_COLUMNS = ["RACE_BIAS", "ETHNICITY_BIAS", "LANGUAGE_BIAS", "RELIGION_BIAS",
                "SEXUAL_ORIENTATION_BIAS", "GENDER_BIAS"]
# Occurrences with several biases: (cells, disability YES), every 7th record from the 3rd.
SEVERAL = [({"RACE_BIAS": "Black", "RELIGION_BIAS": "Jewish"}, False),
           ({"RACE_BIAS": "Black, East/Southeast Asian"}, False),
           ({"ETHNICITY_BIAS": "Chinese, Arab", "RACE_BIAS": "Black"}, False),
           ({"RELIGION_BIAS": "Muslim", "GENDER_BIAS": "Woman"}, False),
           ({"RACE_BIAS": "Black"}, True)]


def _hhmm(r: random.Random) -> str:
    """A time as the file writes it: HHMM without leading zeros (`0`, `45`, `930`, `2145`)."""
    return str(r.randint(0, 23) * 100 + r.randint(0, 59))


def _row(r: random.Random, n: int, year: int) -> list[str]:
    occurred = date(year, 1, 1) + timedelta(days=r.randint(0, 364))
    late = n % 23 == 11  # reported days later, sometimes in the next year
    reported = occurred + timedelta(days=r.randint(20, 60) if late else r.randint(0, 2))
    if year == 2023 and reported.year > 2023:
        reported = date(2023, 12, 31)
    cells = dict.fromkeys(BIAS_COLUMNS, "None")
    disability, multiple = "NO", "NO"
    if n % 7 == 3:
        several, disabled = SEVERAL[(n // 7) % len(SEVERAL)]
        cells.update(several)
        disability, multiple = ("YES" if disabled else "NO"), "YES"
    else:
        column, value, _ = r.choices(SINGLE, [s[2] for s in SINGLE])[0]
        cells[column] = value
        if n % 37 == 5:  # the flag says several, one is listed
            multiple = "YES"
    offence = r.choices(OFFENCES, [o[1] for o in OFFENCES])[0][0]
    hood = r.choice(HOODS)
    event = f"GO-{year}{r.randint(1000, 29999)}{n:03d}"  # unique: ends with n
    return [str(n), event, str(year), occurred.isoformat(), _hhmm(r), str(reported.year),
            reported.isoformat(), _hhmm(r), r.choice(DIVISIONS), r.choice(LOCATIONS), "NO",
            disability, *(cells[c] for c in BIAS_COLUMNS), multiple, offence, *hood,
            "YES" if r.random() < 0.2 else "NO"]


def sample_text(seed_source: str) -> str:
    """The CSV: a header and the occurrences of 2018-2023 in date order, `_id` numbering them."""
    r = rng(seed_source)
    rows = []
    for year, count in zip(YEARS, PER_YEAR):
        rows += [_row(r, len(rows) + 1 + i, year) for i in range(count)]
    rows.sort(key=lambda row: (row[3], row[0]))
    for number, row in enumerate(rows, start=1):
        row[0] = str(number)
    return csv_text(HEADERS["tps_open_data"], rows)


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2024-09-22: 125 invented occurrences, 2018-2023."""
    folder = raw_dir / SOURCE.id / "SAMPLE-2024-09-22"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "raw_data.csv").write_bytes(sample_text(SOURCE.id).encode("utf-8"))
    write_sidecar(folder, SOURCE, folder.name, kind="full", product=SOURCE.product,
                  period=("2018-01-01", "2023-12-31"))
