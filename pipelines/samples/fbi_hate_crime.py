"""Sample snapshots of the three FBI hate crime products, each in its exact published layout
with its quirks, every number invented:

- `SAMPLE-2018-05-23_state_year_bias_counts` (product `state_year_bias_counts`, kind derived):
  `state_postal_abbr,year,bias_motivation,count`, LF, legacy labels (`Anti-Islamic (Muslem)`,
  `Anti-Not Hispanic or Latino`, `Anti-Male Homosexual (Gay)`, the quoted LGBT label), DC and
  GU rows, zero combinations omitted.
- `SAMPLE-2021-05-02_table1` (product `table1_incidents_by_bias`, kind full): "Table 1" report
  CSV with BOM and CRLF, title rows, the `,2015,...` header, subtotal rows ending in a colon,
  `Multiple-Bias Incidents3` with its footnote digit glued on, footnote rows, no final line end;
  the subtotals and the Total add up as in the real report.
- `SAMPLE-2021-05-02_incidents` (product `incidents`, kind partial): the CDE incident file with
  28 quoted columns, the unquoted `31-AUG-91` dates, `;`-joined multiple biases flagged M, and
  the file cut mid-record (`<id>,1992,"`) as in the real copy.
- `SAMPLE-2021-12-09_incidents_zip` (product `incidents`, kind full, so the product's latest):
  the same layout for 1991, 2019 and 2020 with CRLF line ends and two-digit years on both sides
  of 2000, shipped as `hate_crime.csv.zip` with a macOS resource fork beside the CSV (fixed
  time stamps: the bytes are the same on every run); the sidecar records the member.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import date, timedelta
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.fbi_hate_crime import SOURCE
from schemas.raw.fbi_hate_crime import HEADERS

STATES = ["NY", "NJ", "CA", "TX", "AZ", "DC", "GU", "WV", "MD", "OR"]
LEGACY_BIASES = ["Anti-Black or African American", "Anti-White", "Anti-Jewish",
                 "Anti-Male Homosexual (Gay)", "Anti-Hispanic or Latino",
                 "Anti-Not Hispanic or Latino", "Anti-Asian", "Anti-Islamic (Muslem)",
                 "Anti-Lesbian, Gay, Bisexual, or Transgender, Mixed Group (LGBT)",
                 "Anti-Female Homosexual (Lesbian)", "Anti-Multi-Racial Group", "Anti-Arab",
                 "Anti-American Indian or Alaska Native", "Anti-Atheist/Agnosticism",
                 "Anti-Mental Disability", "Anti-Female", "Anti-Transgender"]
TABLE1_GROUPS = [
    ("Race/Ethnicity/Ancestry:", ["Anti-White", "Anti-Black or African American",
                                  "Anti-American Indian or Alaska Native", "Anti-Asian",
                                  "Anti-Native Hawaiian or Other Pacific Islander",
                                  "Anti-Multiple Races, Group", "Anti-Arab",
                                  "Anti-Hispanic or Latino", "Anti-Other Race/Ethnicity/Ancestry"]),
    ("Religion:", ["Anti-Jewish", "Anti-Catholic", "Anti-Protestant", "Anti-Islamic (Muslim)",
                   "Anti-Other Religion", "Anti-Multiple Religions, Group", "Anti-Mormon",
                   "Anti-Jehovah's Witness", "Anti-Eastern Orthodox (Russian, Greek, Other)",
                   "Anti-Other Christian", "Anti-Buddhist", "Anti-Hindu", "Anti-Sikh",
                   "Anti-Atheism/Agnosticism/etc."]),
    ("Sexual Orientation:", ["Anti-Gay (Male)", "Anti-Lesbian",
                             "Anti-Lesbian, Gay, Bisexual, or Transgender (Mixed Group)",
                             "Anti-Heterosexual", "Anti-Bisexual"]),
    ("Disability:", ["Anti-Physical", "Anti-Mental"]),
    ("Gender:", ["Anti-Male", "Anti-Female"]),
    ("Gender Identity:", ["Anti-Transgender", "Anti-Gender Non-Conforming"]),
]
TABLE1_YEARS = [2015, 2016, 2017, 2018, 2019]
TABLE1_NOTES = [
    "1 The term victim may refer to a person, business, institution, or society as a whole.",
    "2 The term known offender does not imply that the identity of the suspect is known.",
    "3 A multiple-bias incident is an incident in which one or more offense types are motivated "
    "by two or more biases.",
]
INCIDENT_BIASES = ["Anti-Black or African American", "Anti-White", "Anti-Jewish", "Anti-Gay (Male)",
                   "Anti-Asian", "Anti-Hispanic or Latino", "Anti-Other Race/Ethnicity/Ancestry",
                   "Anti-Multiple Races, Group", "Anti-Arab",
                   "Anti-Lesbian, Gay, Bisexual, or Transgender (Mixed Group)",
                   "Anti-Lesbian (Female)", "Anti-Islamic (Muslim)", "Anti-Female"]
INCIDENT_WEIGHTS = [30, 15, 14, 6, 5, 5, 3, 2, 2, 2, 1, 1, 1]
AGENCIES = [("AR", "Arkansas", "West South Central", "South", "SAMPLE-AR City"),
            ("CA", "California", "Pacific", "West", "SAMPLE-CA Town"),
            ("NJ", "New Jersey", "Middle Atlantic", "Northeast", "SAMPLE-NJ Township"),
            ("NY", "New York", "Middle Atlantic", "Northeast", "SAMPLE-NY City")]
OFFENSES = ["Intimidation", "Destruction/Damage/Vandalism of Property", "Simple Assault",
            "Aggravated Assault", "Destruction/Damage/Vandalism of Property;Intimidation"]


def _folder(raw_dir: Path, name: str) -> Path:
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def state_year_text(r: random.Random) -> str:
    """The state x year x bias counts: only combinations with a count of 1 or more."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS["state_year_bias_counts"])
    for year in (2014, 2013, 1992, 1991):
        for state in STATES:
            for bias in r.sample(LEGACY_BIASES, r.randint(2, 6)):
                writer.writerow([state, year, bias, r.choice([1, 1, 2, 3, 5, 8, 13, 40])])
    return buffer.getvalue()


def table1_text(r: random.Random) -> str:
    """The Table 1 report: leaves invented, subtotals and totals their sums."""
    lines = [["Table 1 ", "", "", "", "", ""], ["Incidents", "", "", "", "", ""],
             ["by Bias Motivation, 2015-2019", "", "", "", "", ""], [""] + TABLE1_YEARS]
    body, single = [], [0] * len(TABLE1_YEARS)
    for group, leaves in TABLE1_GROUPS:
        counts = [[r.randint(1, 300) for _ in TABLE1_YEARS] for _ in leaves]
        subtotal = [sum(c[i] for c in counts) for i in range(len(TABLE1_YEARS))]
        single = [a + b for a, b in zip(single, subtotal)]
        body.append([group, *subtotal])
        body += [[leaf, *c] for leaf, c in zip(leaves, counts)]
    multiple = [r.randint(10, 90) for _ in TABLE1_YEARS]
    lines.append(["Total", *[s + m for s, m in zip(single, multiple)]])
    lines.append(["Single-Bias Incidents", *single])
    lines += body
    lines.append(["Multiple-Bias Incidents3", *multiple])
    lines += [[note, "", "", "", "", ""] for note in TABLE1_NOTES]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return "\ufeff" + buffer.getvalue().removesuffix("\r\n")


def incidents_text(r: random.Random) -> str:
    """The CDE incident file, every field quoted except INCIDENT_DATE, cut mid-record."""
    rows, incident_id = incident_rows(r, ((1991, 34), (1992, 6)), 3015)
    rows.append(f'{incident_id},1992,"')  # the copy ends mid-record
    return "\n".join(rows)


def incident_rows(r: random.Random, years: tuple, incident_id: int) -> tuple[list[str], int]:
    """The header and `n` incidents per (year, n), and the next free id."""
    header = ",".join(f'"{c}"' for c in HEADERS["incidents"])
    rows = [header]
    for year, n in years:
        start = date(year, 1, 1)
        for _ in range(n):
            state, state_name, division, region, agency = r.choice(AGENCIES)
            day = start + timedelta(days=r.randint(0, 364))
            if r.random() < 0.12:
                biases = sorted(r.sample(INCIDENT_BIASES[:6], 2))
                bias, multiple = ";".join(biases), "M"
            else:
                bias, multiple = r.choices(INCIDENT_BIASES, INCIDENT_WEIGHTS)[0], "S"
            offense = r.choice(OFFENSES)
            victims = r.randint(0, 3)
            fields = [str(incident_id), str(year), f"{state}00{r.randint(10, 99)}00", agency, "",
                      "City", state, state_name, division, region, "5",
                      "Cities from 10,000 thru 24,999"]
            quoted = [fields[0], fields[1]] + [f'"{v}"' for v in fields[2:]]
            tail = ["", "", str(r.randint(0, 2)), "", "",
                    f'"{r.choice(["White", "Unknown", "Black or African American"])}"', '""',
                    str(max(victims, 1)), f'"{offense}"', str(victims),
                    '"Highway/Road/Alley/Street/Sidewalk"', f'"{bias}"', '"Individual"',
                    '"M"' if ";" in offense else '"S"', f'"{multiple}"']
            rows.append(",".join(quoted + [day.strftime("%d-%b-%y").upper()] + tail))
            incident_id += 1
    return rows, incident_id


ZIP_TIME = (2021, 10, 29, 0, 0, 0)  # the real member's date; fixed so the zip's bytes are too


def incidents_zip(r: random.Random) -> bytes:
    """The full incident file (CRLF) zipped, with a macOS resource fork, as the CDE copy."""
    rows, _ = incident_rows(r, ((1991, 20), (2019, 25), (2020, 30)), 100)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("hate_crime.csv", ("\r\n".join(rows) + "\r\n").encode("utf-8")),
                           ("__MACOSX/._hate_crime.csv", b"\x00\x05\x16\x07SAMPLE resource fork")):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def write_samples(raw_dir: Path) -> None:
    """Write one sample snapshot per FBI product (see the module docstring)."""
    r = rng(SOURCE.id)
    folder = _folder(raw_dir, "SAMPLE-2018-05-23_state_year_bias_counts")
    (folder / "hate_crime.csv").write_bytes(state_year_text(r).encode("utf-8"))
    write_sidecar(folder, SOURCE, folder.name, kind="derived", product="state_year_bias_counts",
                  period=("1991-01-01", "2014-12-31"))
    folder = _folder(raw_dir, "SAMPLE-2021-05-02_table1")
    (folder / "Hate Crimes Incidents.csv").write_bytes(table1_text(r).encode("utf-8"))
    write_sidecar(folder, SOURCE, folder.name, kind="full", product="table1_incidents_by_bias",
                  period=("2015-01-01", "2019-12-31"))
    folder = _folder(raw_dir, "SAMPLE-2021-05-02_incidents")
    (folder / "hate_crime.csv").write_bytes(incidents_text(r).encode("utf-8"))
    write_sidecar(folder, SOURCE, folder.name, kind="partial", product="incidents",
                  period=("1991-01-01", "1992-12-31"))
    folder = _folder(raw_dir, "SAMPLE-2021-12-09_incidents_zip")
    (folder / "hate_crime.csv.zip").write_bytes(incidents_zip(r))
    write_sidecar(folder, SOURCE, folder.name, kind="full", product="incidents",
                  period=("1991-01-01", "2020-12-31"))
