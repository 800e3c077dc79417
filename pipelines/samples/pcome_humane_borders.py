"""Sample snapshots of the Pima County OME / Humane Borders OGIS file, in both published
formats: the 2018 copy (underscored header, m/d/yy dates, age 100 = unknown, unquoted, CRLF,
no final newline) and the 2021-2022 download (text quoted, numbers not, CRLF). Every record
is invented; names are "Unidentified" or "Sample, Person N"."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.pcome_humane_borders import SOURCE
from schemas.raw.pcome_humane_borders import HEADERS

# (category, weight, OME texts) - texts in the style the OME writes them.
CAUSES = [
    ("Exposure", 35, ["PROBABLE HYPERTHERMIA", "HYPERTHERMIA", "PROBABLE HYPOTHERMIA",
                      "HYPERTHERMIA DUE TO EXPOSURE", "ENVIRONMENTAL HEAT EXPOSURE",
                      "Probable hyperthermia"]),
    ("Skeletal Remains", 33, ["UNDETERMINED - SKELETAL REMAINS", "UNDETERMINED (SKELETAL REMAINS)",
                              "Undetermined-skeletal remains", "UNDETERMINED -- SKELETAL REMAINS",
                              "PROBABLE EXPOSURE -SKELETAL REMAINS"]),
    ("Undetermined", 15, ["UNDETERMINED", "UNKNOWN", "UNDETERMINED-DECOMPOSED REMAINS"]),
    ("Blunt Force Injury", 5, ["MULTIPLE BLUNT FORCE INJURIES", "BLUNT FORCE INJURIES OF HEAD"]),
    ("Gunshot Wound", 3, ["MULTIPLE GUNSHOT WOUNDS", "GUNSHOT WOUND OF CHEST"]),
    ("Drowning", 1, ["DROWNING", "PROBABLE DROWNING"]),
    ("Other Injury / Homicide", 1, ["HANGING", "HOMICIDE BY UNSPECIFIED MEANS",
                                    "MULTIPLE STAB WOUNDS"]),
    ("Motor Vehicle Accident", 1, ["MULTIPLE INJURIES DUE TO MOTOR VEHICLE ACCIDENT"]),
    ("Pending", 1, ["Pending", "GSW TO HEAD"]),
    ("Heart Disease", 0.5, ["CORONARY ATHEROSCLEROSIS"]),
    ("Other Disease", 0.5, ["BRONCHOPNEUMONIA", "PERITONITIS"]),
    ("Asphyxia", 0.2, ["POSITIONAL ASPHYXIA"]),
    ("Drug Overdose", 0.2, ["METHAMPHETAMINE TOXICITY"]),
    ("Other Injury", 0.2, ["MULTIPLE INJURIES", "ENVENOMATION"]),
    ("Other injury", 0.1, ["ELECTROCUTION"]),
    ("Diabetes", 0.1, ["DIABETIC KETOACIDOSIS"]),
    ("Lightning Strike", 0.1, ["PROBABLE ELECTROCUTION BY LIGHTNING"]),
    ("Exsanguination", 0.1, ["EXSANGUINATION"]),
    ("Nonviable Fetus", 0.1, ["STILLBORN NONVIABLE FETUS"]),
    ("Pregnancy Complication", 0.1, ["CHORIOAMNIONITIS"]),
]
CORRIDORS = {"0": "Undetermined", "1": "Bernadino", "2": "Douglas", "3": "Sierra Vista",
             "4": "Patagonia", "5": "Nogales", "6": "Sasabe", "7": "San Miguel", "8": "Cowlick",
             "9": "Ajo", "10": "Cabeza Prieta", "11": "Goldwater", "12": "Yuma"}
CORRIDOR_WEIGHTS = [5, 1, 1, 1, 4, 10, 14, 36, 7, 9, 10, 1, 1]
# Condition code, body condition, post mortem interval (the trailing spaces are published).
CONDITIONS = [("1", "Fully fleshed", "< 1 day"), ("2", "Decomposed", "< 1 week "),
              ("3", "Decomposed w/ focal skeletonization", "< 3 weeks "),
              ("4", "Skeletonization w/ mummification", "< 5 weeks "),
              ("5", "Skeletonization w/ articulation/ligamentous attachments", "< 3 months "),
              ("6", "Complete skeletonization w/ disarticulation", "< 6-8 months "),
              ("7", "Complete skeletonization w/ bone degradation", "> 6-8 months "),
              ("8", "Other", ""), ("", "", "")]
CONDITION_WEIGHTS = [27, 10, 7, 9, 8, 9, 21, 0.2, 8]
COUNTIES = ["Pima", "PIMA", "Pinal", "PINAL", "Santa Cruz", "SANTA CRUZ", "Maricopa", "Cochise",
            "COCHISE", "Yuma", "Unknown", "La Paz", "LA PAZ"]
COUNTY_WEIGHTS = [60, 14, 6, 1, 6, 2, 5, 2, 1, 0.5, 1, 0.2, 0.1]
SURFACES = ["Tohono Oodham Nation", "Private", "State of Arizona",
            "Organ Pipe Cactus National Monument", "Cabeza Prieta National Wildlife Refuge",
            "US Forest Service", "Bureau of Land Management", "Tohono Oodham Nation, San Xavier",
            "Pima County Office of the Medical Examiner"]
SURFACE_WEIGHTS = [40, 16, 12, 7, 6, 5, 3, 1, 1]
PRECISIONS = ["GPS Coordinate (precise to within ca. 300ft./100m)",
              "physical description with directions, distances, and landmarks "
              "(precise to within 1mi/2km)",
              "vague physical description (precise to within 10mi/15km)",
              "Street Address (precise to within ca. 1000ft/300m)", "no location description"]
PRECISION_WEIGHTS = [68, 15, 12, 3, 1]
NUMERIC = {"Latitude", "Longitude", "UTM X", "UTM Y"}  # the only unquoted columns of 2021-2022
QUIRKY_QUOTE_ROW = 31


def _reporting_date(r: random.Random, end: date, index: int) -> date:
    """Mostly the last two decades; a few old cases so two-digit years cross the century."""
    if index % 60 == 5:
        return date(r.choice([1981, 1985, 1992, 1997, 1999]), r.randint(1, 12), r.randint(1, 28))
    return date(2000, 1, 1) + timedelta(days=r.randint(0, (end - date(2000, 1, 1)).days))


def _person(r: random.Random, index: int, end: date, ages_as_100: bool) -> dict:
    cause, _, texts = CAUSES[index] if index < len(CAUSES) else r.choices(
        CAUSES, weights=[c[1] for c in CAUSES])[0]
    if index >= len(CAUSES) and r.random() < 0.03:
        cause = ""  # neither category nor OME text (2018: "Not Reported")
    when = _reporting_date(r, end, index)
    yy = when.year % 100
    kind = r.random()
    ml = (f"MC{yy:02d}-{2000 + index:04d}" if kind < 0.05 else
          f"{yy:02d}-UBC{index:02d}" if kind < 0.08 and index < 100 else f"{yy:02d}-{index:05d}")
    age = "" if r.random() < 0.4 else str(r.choice([r.randint(14, 17), *range(18, 61)]))
    code = r.choices(list(CORRIDORS), weights=CORRIDOR_WEIGHTS)[0]
    condition = r.choices(CONDITIONS, weights=CONDITION_WEIGHTS)[0]
    lat, lon = round(r.uniform(31.33, 32.9), 6), round(r.uniform(-113.9, -110.2), 6)
    return {
        "ml": ml, "name": "Unidentified" if r.random() < 0.4 else f"Sample, Person {index}",
        "sex": r.choices(["male", "female", "undetermined"], weights=[80, 14, 6])[0],
        "age": ("100" if age == "" else age) if ages_as_100 else age, "date": when,
        "surface": r.choices(SURFACES, weights=SURFACE_WEIGHTS)[0],
        "location": "" if r.random() < 0.3 else r.choice([
            f"{r.randint(1, 9)} MILES N OF SAMPLE RD", "SAMPLE WASH NEAR HWY 86",
            f"N31,{r.randint(10, 59)}.000 &amp; W111,{r.randint(10, 59)}.000 SAMPLE AREA"]),
        "precision": r.choices(PRECISIONS, weights=PRECISION_WEIGHTS)[0],
        "corridor_code": code, "corridor": CORRIDORS[code], "cause": cause,
        "cod": "" if cause == "" else r.choice(texts), "condition": condition,
        "county": r.choices(COUNTIES, weights=COUNTY_WEIGHTS)[0],
        "lat": f"{lat}", "lon": f"{lon}",
        "utm_x": str(int(500000 + (lon + 111) * 95000)), "utm_y": str(int(lat * 110900)),
    }


def _write_2018(folder: Path, r: random.Random, rows: int, end: date) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS["underscore_2018"])
    for i in range(rows):
        p = _person(r, i, end, ages_as_100=True)
        when = p["date"]
        m_d_yy = f"{when.month}/{when.day}/{when.year % 100:02d}"
        writer.writerow([p["ml"], p["sex"], p["age"], m_d_yy,
                         p["surface"], p["corridor"], p["cause"] or "Not Reported", "Arizona",
                         p["county"], p["lat"], p["lon"], p["utm_x"], p["utm_y"]])
    # The 2018 copy ends without a final line break.
    (folder / "ogis_migrant_deaths1.csv").write_bytes(
        buffer.getvalue().removesuffix("\r\n").encode("utf-8"))


def _quoted(column: str, value: str) -> str:
    return value if column in NUMERIC else '"' + value.replace('"', '""') + '"'


def _write_2022(folder: Path, r: random.Random, rows: int, end: date) -> None:
    header = HEADERS["quoted_2021"]
    lines = [",".join(f'"{c}"' for c in header)]
    for i in range(rows):
        p = _person(r, i, end, ages_as_100=False)
        if i == QUIRKY_QUOTE_ROW:
            p["cause"] = "Exposure"
        sex = "" if i == 7 else p["sex"]
        cells = dict(zip(header, [
            p["ml"], p["name"], sex, p["age"], p["date"].isoformat(), p["surface"], p["location"],
            p["precision"], p["corridor_code"], p["corridor"], p["cause"], p["cod"],
            *p["condition"], "Arizona", p["county"], p["lat"], p["lon"], p["utm_x"], p["utm_y"]]))
        quoted = {c: _quoted(c, v) for c, v in cells.items()}
        if i == QUIRKY_QUOTE_ROW:  # one published cell escapes a quote with a backslash
            quoted["OME Determined COD"] = ('"HYPERTHERMIA; AS A CONSEQUENCE OF\\" '
                                            'EXPOSURE TO THE ELEMENTS"')
        lines.append(",".join(quoted.values()))
    (folder / "ogis_data_original.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2018-10 (old format) and SAMPLE-2022-03-28 (current format)."""
    r = rng(SOURCE.id)
    for name, writer, rows, start, end in (
            ("SAMPLE-2018-10", _write_2018, 200, "1981-01-01", date(2018, 9, 30)),
            ("SAMPLE-2022-03-28", _write_2022, 240, "1981-01-01", date(2022, 3, 28))):
        folder = raw_dir / SOURCE.id / name
        folder.mkdir(parents=True, exist_ok=True)
        writer(folder, r, rows, end)
        write_sidecar(folder, SOURCE, name, kind="full", product=SOURCE.product,
                      period=(start, end.isoformat()))
