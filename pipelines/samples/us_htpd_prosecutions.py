"""Sample snapshot of the HTPD scrape: `case_data.csv` and `defendant_data.csv` as the scraper's
json_to_csv.py writes them, and `case_data.json` (the raw scrape the module never reads) beside
them. Quirks of the real files: carriage returns inside quoted summaries, docket numbers with
U+2212 minus signs, a blank case year, blank victim counts, female + male short of and above
the case's total, statute cells that are one value, a Python list ("['1324', '1589']") or a
list of None, n_sentences 999 (pending or missing) with and without a year terminated, blank
and "Unknown" gender, blank race. Every record is invented; names are "SAMPLE-PERSON N",
cases "USA v. SAMPLE-PERSON N", judges "SAMPLE-JUDGE N"."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.us_htpd_prosecutions import SOURCE
from schemas.raw.us_htpd_prosecutions import HEADERS

MINUS = "\u2212"
STATES = ["TX", "CA", "FL", "NY", "GA", "PA", "WA", "OH"]
# (year, docket number, victims: total, minors, foreigners, females, males; "" = blank)
CASES = [
    ("2003", "1:03-cr-00101", ("4", "0", "4", "4", "0")),
    ("2005", "2:05-cr-00217-AB", ("12", "3", "12", "9", "3")),
    ("2006", "", ("", "", "", "", "")),
    ("", f"2:06{MINUS}cr{MINUS}00198", ("3", "0", "3", "1", "")),  # blank year: the docket's
    ("2008", "4:08-cr-00055", ("30", "0", "30", "2", "6")),  # female + male short of 30
    ("2009", f"3:09{MINUS}cr{MINUS}00242", ("2", "2", "0", "2", "0")),
    ("2010", "2:10-cr-00159-PD", ("5", "1", "", "4", "3")),  # female + male above 5
    ("2011", "11-cr-00339", ("1", "1", "0", "1", "0")),
    ("2012", "1:12-cr-00460", ("18", "0", "15", "8", "")),
    ("2013", "3:13-cr-00012-JGC", ("7", "7", "0", "7", "0")),
    ("2013", "2:13-cr-00744", ("9", "", "9", "2", "7")),
    ("2015", "1:15-cr-00007", ("", "", "2", "2", "")),  # no total, other counts published
    ("2016", "5:16-cr-00088", ("1", "0", "1", "0", "1")),
]
RACES = ["Black", "Hispanic", "White", "Asian", "Other", "Indian", ""]
RACE_WEIGHTS = [8, 5, 3, 2, 1, 1, 1]
# Statute tables: (statutes, per statute: (plea guilty, trial guilty, trial not guilty, plea
# dismissed, counts not prosecuted), None where the site left the statute's cells empty).
TABLES = [
    (["1591"], [(1, 0, 0, 0, 0)]),
    (["1591", "2421_to_2424"], [(0, 0, 0, 0, 0), (1, 0, 0, 0, 0)]),
    (["1324", "1589"], [(1, 0, 0, 0, 0), (0, 0, 0, 1, 0)]),
    (["1324"], [(0, 2, 0, 0, 0)]),
    (["1591", "1594"], [(0, 0, 1, 0, 0), (0, 0, 1, 0, 0)]),
    (["1589", "1590", "1594"], [(0, 0, 0, 1, 0), (0, 0, 0, 0, 1), (0, 0, 0, 1, 0)]),
    (["1324", "1328", "2421_to_2424"], [None, None, None]),
    (["1961_to_1968"], [(0, 1, 0, 0, 0)]),
    (["1591", "1594"], [None, None]),
    ([], []),
]


def _cell(items: list) -> str:
    """A statute cell as json_to_csv.py writes it: blank, one value, or a Python list."""
    if not items:
        return ""
    if len(items) == 1:
        return "" if items[0] is None else str(items[0])
    return str([None if v is None else str(v) for v in items])


def _defendant(r: random.Random, number: int, case_id: str, year: int, table: int) -> dict:
    """One defendant's fields, by the CSV's column names."""
    statutes, rows = TABLES[table]
    columns = list(zip(*[row if row is not None else (None,) * 5 for row in rows])) or [()] * 5
    guilty = any(row is not None and (row[0] or row[1]) for row in rows)
    pending = table in (6, 8) or (table == 9 and number % 2 == 0)
    terminated = "" if pending and number % 3 else str(min(year + r.randint(1, 3), 2018))
    sentences = "999" if pending else str(r.randint(1, 4)) if guilty else "0"
    months = str(r.choice([24, 60, 120, 180, 360])) if guilty else "0"
    gender = "Female" if number % 3 == 0 else "Male"
    if number % 11 == 4:
        gender = ""
    elif number % 13 == 6:
        gender = "Unknown"
    charged = f"{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
    return {
        "id": str(number), "case_id": case_id, "name": f"SAMPLE-PERSON {number}", "gender": gender,
        "arrest_age": "" if number % 10 == 7 else str(r.choice([17, *range(19, 66)])),
        "race": r.choices(RACES, RACE_WEIGHTS)[0], "arrest_date": charged, "charge_date": charged,
        "bail_type": r.choice(["", "", "Surety", "Personal Recognizance", "Non-Surety"]),
        "bail_amount": "",
        "statute_sentence": _cell(statutes), "statute_counts": _cell(["1"] * len(statutes)),
        "statute_counts_np": _cell(list(columns[4])),
        "statute_plea_dismissed": _cell(list(columns[3])),
        "statute_plea_guilty": _cell(list(columns[0])),
        "statute_trial_guilty": _cell(list(columns[1])),
        "statute_trial_ng": _cell(list(columns[2])),
        "statute_fines": _cell(["0" if row is not None else None for row in rows]),
        "statute_months_sentenced": _cell([months if row is not None else None for row in rows]),
        "statute_months_probation": _cell(["0" if row is not None else None for row in rows]),
        "n_charges": str(max(len(statutes), 1) + r.randint(0, 3)), "n_sentences": sentences,
        "year_terminated": terminated, "total_months_sentenced": "" if pending else months,
        "total_months_probation": "" if pending else "0",
        "restitution": "" if pending else str(r.choice([0, 1500, 288272])),
        "forfeiture_charge": r.choice(["false", "true", ""]), "forfeiture_sentence": "",
    }


def _csv(header: list[str], rows: list[dict]) -> bytes:
    """A CSV as pandas' to_csv writes it: LF line ends, minimal quoting."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _json_case(case: dict, defendants: list[dict], judge: str) -> dict:
    """One case of case_data.json, in the scrape's nesting (money with "$" and ",")."""
    def text(value: str) -> str | None:
        return value or None

    def person(d: dict) -> dict:
        return {
            "Summary": {"Name": d["name"], "Gender": text(d["gender"]),
                        "Arrest Age": text(d["arrest_age"]), "Race": text(d["race"])},
            "Arrest Details": {"Arrest Date": d["arrest_date"], "Charge Date": d["charge_date"],
                               "Bail Type": text(d["bail_type"]), "Bail Amount": None},
            "Judge Info": {"Name": judge, "Race": "White", "Gender": "Female", "Tenure": "2001",
                           "Appointed By": "Democrat"},
            "Statute Sentencing": {"Statute": d["statute_sentence"] or None,
                                   "Plea Guilty": d["statute_plea_guilty"] or None},
            "Total Sentencing": {"Total Charges": d["n_charges"], "Total Sentences": d["n_sentences"],
                                 "Year Terminated": text(d["year_terminated"]),
                                 "Restitution": f"${int(d['restitution']):,}" if d["restitution"] else None},
        }
    return {"Case Summary": case["summary"],
            "Summary": {"Case Name": case["name"], "Case Number": case["number"],
                        "Case Files": None, "# Defendants": case["n_defendants"],
                        "State": case["state"], "Federal District": case["federal_district"],
                        "Year": text(case["year"])},
            "Victim Details": {"Total Victims": text(case["n_victims"]),
                               "Total Minors": text(case["n_minors"]),
                               "Total Foreigners": text(case["n_foreigners"]),
                               "Total Females": text(case["n_females"]),
                               "Total Males": text(case["n_males"])},
            "Judges": {"Name": judge, "Race": "White", "Gender": "Female", "Tenure": "2001",
                       "Appointed By": "Democrat"},
            "Defendant Details": {d["id"]: person(d) for d in defendants}}


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2018-08-21: 13 invented cases and their defendants, as CSV and JSON."""
    r = rng(SOURCE.id)
    cases, defendants, scrape = [], [], {}
    number = 1000
    for i, (year, docket, victims) in enumerate(CASES):
        case_id = str(400 + 7 * i)
        first = number
        people = []
        for _ in range(1 + i % 4):
            people.append(_defendant(r, number, case_id, int(year or 2006), (number - 1000) % len(TABLES)))
            number += 1
        summary = (f"SAMPLE case {case_id}: invented for harmstats tests.\rThe defendants recruited "
                   "victims with false promises of work, then held their papers." if i % 5 == 1 else
                   f"SAMPLE case {case_id}: invented, \"quoted\" words, commas, and no facts.")
        case = {"id": case_id, "summary": summary, "name": f"USA v. SAMPLE-PERSON {first} ",
                "number": docket, "n_defendants": str(len(people)), "state": STATES[i % len(STATES)],
                "federal_district": str(1 + i % 4), "year": year,
                **dict(zip(HEADERS["cases"][-5:], victims))}
        cases.append(case)
        defendants += people
        scrape[case_id] = _json_case(case, people, f"SAMPLE-JUDGE {i % 3 + 1}")
    folder = raw_dir / SOURCE.id / "SAMPLE-2018-08-21"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case_data.csv").write_bytes(_csv(HEADERS["cases"], cases))
    (folder / "defendant_data.csv").write_bytes(_csv(HEADERS["defendants"], defendants))
    (folder / "case_data.json").write_text(json.dumps(scrape), encoding="utf-8")
    write_sidecar(folder, SOURCE, folder.name, kind="derived", product=SOURCE.product,
                  period=("2000-01-01", "2016-12-31"))
