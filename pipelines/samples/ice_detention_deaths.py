"""Sample snapshots of the ICE detention deaths files, in both published layouts: the table
extracted from the FOIA PDF (m/d/yyyy dates, U+2010 hyphens, doubled and non-breaking spaces,
blank sex, "Pending" causes, country names the PDF broke before their last letter) and the
compiled list (ISO dates, float ages "40.0", one blank age, upper- and mixed-case countries).
Every record is invented; names are "SAMPLE-PERSON N"."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from pipelines.samples.common import csv_text, rng, write_sidecar
from pipelines.sources.ice_detention_deaths import SOURCE
from schemas.raw.ice_detention_deaths import HEADERS

NBSP, HYPHEN = "\u00a0", "\u2010"
COUNTRIES = ["MEXICO", "CUBA", "GUATEMALA", "HONDURAS", f"EL{NBSP}SALVADOR", "JAMAICA", "INDIA",
             f"DOMINICAN{NBSP} REPUBLIC", "HAITI", "ECUADOR", "CHINA", "NIGERIA", "AFGHANISTA N",
             f"SRI{NBSP}LANKA", f"UNITED{NBSP} KINGDOM"]
COUNTRY_WEIGHTS = [20, 18, 10, 8, 7, 4, 2, 2, 2, 2, 1, 1, 1, 1, 1]
# (FOIA spelling, compiled-list spelling) of the same cause.
CAUSES = [("Cardiac\u00a0Arrest", "Cardiac Arrest"), ("Pending", "Pending"),
          ("Asphyxia", "Asphyxia"), (f"Hypertensive{NBSP} Cardiovascular{NBSP}Disease",
                                     "Hypertensive Cardiovascular Disease"),
          (f"Natural{NBSP}Causes", "Natural Causes"), (f"Suicide{NBSP}by{NBSP}Hanging",
                                                       "Suicide by hanging"),
          ("Cancer", "Cancer"), ("Sepsis", "Sepsis"), (f"Myocardial{NBSP}Infarction",
                                                      "Myocardial Infarction"),
          (f"Hepatorenal{NBSP}Syndrome{NBSP} from{NBSP}End{NBSP}Stage{NBSP}Renal{NBSP} Disease,"
           f"{NBSP}Developed{NBSP} Shock", "End Stage Renal Disease"),
          ("Electrocution", "Electrocution"), ("Undetermined", "Not stated")]
CAUSE_WEIGHTS = [12, 6, 6, 5, 4, 4, 4, 3, 3, 2, 1, 2]
LATER_CAUSES = ["Complications due to COVID-19", "Cardiac arrest (preliminary)",
                "Suicide by hanging (asphyxia)", "Septic shock from pneumonia (per ICE)",
                "Not stated (under investigation)", "Apparent suicide (per ICE)",
                "Sudden cardiac death associated with biventricular cardiac dilation, and the "
                "manner of death was natural."]
STATES = ["TX", "CA", "AZ", "LA", "GA", "FL", "NJ", "PA"]
FACILITY_TYPES = ["IGSA", "DIGSA", "BOP", f"USMS{NBSP}IGA", "SPC", "CDF", "HOSPITAL",
                  f"USMS{NBSP}CDF", "HOLD", "STAGING"]
TYPE_WEIGHTS = [25, 20, 13, 10, 9, 8, 6, 4, 2, 1]
FOIA_PDF = "https://www.ice.gov/doclib/foia/reports/detaineedeaths-2003-2017.pdf"


def _pdf(text: str) -> str:
    """Text as the PDF extraction writes it: spaces non-breaking, some doubled."""
    return text.replace(" ", NBSP).replace(f",{NBSP}", f",{NBSP} ")


def _foia_rows(r: random.Random, rows: int) -> list[list[str]]:
    start, end = date(2003, 10, 1), date(2017, 5, 31)
    days = sorted((r.randint(0, (end - start).days) for _ in range(rows)), reverse=True)
    out = []
    for index, offset in enumerate(days, start=1):
        died = start + timedelta(days=offset)
        age = r.randint(19, 81)
        born = died - timedelta(days=age * 365 + r.randint(1, 300))
        state = r.choice(STATES)
        facility = f"Sample {r.choice(['County', 'Regional', 'Contract'])} Detention Center"
        name = (f"SAMPLE{HYPHEN} PERSON,  {index}" if index % 5 == 0 else
                f"SAMPLE-PERSON,  Number {index}")
        out.append([
            str(index), name, "" if index % 20 == 7 else r.choices(["M", "F"], [9, 1])[0],
            f"{born.month}/{born.day}/{born.year}",
            r.choices(COUNTRIES, COUNTRY_WEIGHTS)[0], f"{died.month}/{died.day}/{died.year}",
            _pdf(f"Sample General Hospital, Sampletown, {state}"),
            _pdf(f"{facility}, {state}"), r.choice(["Yes", "No"]),
            r.choices(FACILITY_TYPES, TYPE_WEIGHTS)[0],
            r.choices([c[0] for c in CAUSES], CAUSE_WEIGHTS)[0], str(age)])
    return out


def _country_as_listed(r: random.Random) -> str:
    """The compiled list: upper case in the FOIA era, mixed case later, PDF spaces removed."""
    name = " ".join(r.choices(COUNTRIES[:12], COUNTRY_WEIGHTS[:12])[0].replace(NBSP, " ").split())
    return name if r.random() < 0.5 else name.title()


def _detailed_rows(r: random.Random, rows: int) -> list[list[str]]:
    start, end = date(2003, 10, 7), date(2026, 1, 24)
    days = sorted(r.randint(0, (end - start).days) for _ in range(rows))
    out = []
    for i, offset in enumerate(days, start=1):
        died = start + timedelta(days=offset)
        state = r.choice(STATES)
        place = f"Sample {r.choice(['County', 'Regional', 'Contract'])} Detention Center"
        location = f"{place}, {state}"
        if died < date(2017, 6, 1):
            period, url = "FY2003-2017", FOIA_PDF
            cause = r.choices([c[1] for c in CAUSES], CAUSE_WEIGHTS)[0]
            ftype = r.choices(["IGSA", "DIGSA", "BOP", "USMS IGA", "SPC", "CDF", "HOSPITAL"],
                              [25, 20, 13, 10, 9, 8, 6])[0]
            if i % 7 == 0:
                location = location.replace(" ", NBSP).replace(f",{NBSP}", f",{NBSP} ")
            elif i % 7 == 3:
                location = location.replace(" Detention", "  Detention")
        else:
            period = "Public reporting (CY2026)" if died.year == 2026 else "FY2018-2025"
            url = f"https://example.org/sample/ddr-sample-person-{i}.pdf"
            cause = r.choice(LATER_CAUSES)
            ftype = r.choice(["Contract", "IGSA", "ICE-operated", "Not stated"])
            location = f"Sampletown, {r.choice([state, 'Texas', 'Florida'])}"
        age = "" if i == 11 else f"{float(r.randint(19, 81))}"
        out.append([f"SAMPLE-PERSON {i}", r.choices(["Male", "Female"], [10, 1])[0], age,
                    _country_as_listed(r), died.isoformat(), cause, f"{place} {state}",
                    location, ftype, url, period])
    # A death during an enforcement action, not in custody (scope unknown).
    out.append([f"SAMPLE-PERSON {rows + 1}", "Male", "37.0", "Mexico", "2026-01-20",
                "Shot by a federal agent during a traffic stop (ICE-related death; "
                "not in custody).",
                "ICE enforcement action (Sampletown)", "Sampletown, MN", "Not stated",
                "https://example.org/sample/press-report", "Public reporting (CY2026)"])
    # Two people alike in everything but their names: two records, two ids.
    twin = out[5][:]
    twin[0] = f"SAMPLE-PERSON {rows + 2}"
    out.insert(6, twin)
    return out


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.write_bytes(csv_text(header, rows).encode("utf-8"))


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2025-11-17 (FOIA table, partial) and SAMPLE-2026-01-29 (compiled list)."""
    r = rng(SOURCE.id)
    for name, file_name, version, rows, kind, period in (
            ("SAMPLE-2025-11-17", "_extracted_foia_2003_2017.csv", "foia_2017",
             _foia_rows(r, 60), "partial", ("2003-10-01", "2017-05-31")),
            ("SAMPLE-2026-01-29", "all_deaths_detailed.csv", "detailed_2026",
             _detailed_rows(r, 80), "full", ("2003-10-07", "2026-01-24"))):
        folder = raw_dir / SOURCE.id / name
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder / file_name, HEADERS[version], rows)
        write_sidecar(folder, SOURCE, name, kind=kind, product=SOURCE.product, period=period)
