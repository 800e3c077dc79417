"""Sample GLOTIP snapshots in the real export layout, with invented counts: sheet
`data_glotip_1`, two title rows above the header (row 3), counts as text ("<5", "1,204"), the
five indicators and four breakdowns, sub-form rows that repeat every key ("Other forms of
exploitation" twice), sex, age and form splits that fall short of their Total or exceed it,
citizenship labels as UNODC prints them ("Nationals", country names, demonyms, regions, Unknown)
and repatriation rows. The 2025 snapshot revises some 2020-2021 values, declares a wrong sheet
size (as the real 2025 file does) and carries rows that are not counts, which the source
module quarantines on purpose: a questionnaire item-code row, an ordinary row in its block,
and a cell above its own Total (data model invariant 6)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.unodc_glotip import SOURCE
from schemas.raw.unodc_glotip import HEADERS

SHEET = "data_glotip_1"
# Iso3_code, Country, Region, Subregion, and the citizenship labels its victims carry.
COUNTRIES = [
    ("MEX", "Mexico", "Americas", "Latin America and the Caribbean",
     ["Nationals", "Guatemala", "Honduran", "Central America", "Unknown"]),
    ("USA", "United States of America", "Americas", "Northern America",
     ["Nationals", "Mexico", "Philippines", "Foreign nationals", "Unknown"]),
    ("ROU", "Romania", "Europe", "Eastern Europe", ["Nationals", "Republic of Moldova"]),
    ("DEU", "Germany", "Europe", "Western Europe",
     ["Nationals", "Romanian", "Bulgarian", "Nigerians", "EU-28 others", "Other Africans"]),
    ("THA", "Thailand", "Asia", "South-eastern Asia",
     ["Nationals", "Myanmar", "Lao People's Democratic Republic", "Cambodian"]),
]
REPATRIATION = {"MEX": ["Guatemala", "Abroad"], "ROU": ["Abroad"], "THA": ["Myanmar", "Cambodia"]}
FORMS = ["Sexual exploitation", "Forced labour", "Other forms of exploitation"]
SEX_AGE = [("Female", "0 to 17 years"), ("Female", "18 years or over"),
           ("Male", "0 to 17 years"), ("Male", "18 years or over")]
PROSECUTION_INDICATORS = ["Persons brought into formal contact", "Persons prosecuted",
                          "Persons convicted"]
SCALE = {"MEX": 1.0, "USA": 9.0, "ROU": 0.8, "DEU": 1.2, "THA": 0.6}


def _text(value: int) -> str:
    """A count as UNODC prints it: "<5" under five, thousands separated by commas."""
    return "<5" if value < 5 else f"{value:,}"


def _split(r, total: int, parts: int, fit: str) -> list[int]:
    """`parts` invented counts whose sum is the total ('exact'), falls short of it or
    exceeds it, as GLOTIP's do."""
    weights = [r.random() + 0.2 for _ in range(parts)]
    shares = [int(total * w / sum(weights)) for w in weights]
    shares[-1] += total - sum(shares)
    if fit == "short":
        shares = [max(s - r.randint(1, max(2, s // 3 + 1)), 0) for s in shares]
    elif fit == "excess":  # the parts' sum exceeds the total; no single part does
        shares[0] = min(shares[0] + r.randint(3, 12), total)
        shares[-1] += r.randint(1, 3) if shares[-1] + 3 <= total else 0
    return shares


def _rows(seed: str, years: list[int]) -> list[list]:
    r = rng(seed)
    rows = []
    for iso3, country, region, subregion, citizenships in COUNTRIES:
        place = [iso3, country, region, subregion]

        def row(indicator, dimension, category, sex, age, year, value):
            rows.append([*place, indicator, dimension, category, sex, age, year, "Counts",
                         _text(value), "GLOTIP"])

        for year in years:
            fit = r.choice(["exact", "exact", "short", "excess"])
            victims = int(r.randint(40, 400) * SCALE[iso3])
            ind = "Detected trafficking victims"
            row(ind, "Total", "Total", "Total", "Total", year, victims)
            female, male, other = _split(r, victims, 3, fit)
            row(ind, "Total", "Total", "Female", "Total", year, female)
            row(ind, "Total", "Total", "Male", "Total", year, male)
            if other >= 5 and fit != "short":
                row(ind, "Total", "Total", "Other", "Total", year, other)
            elif fit == "short":  # GLOTIP's Unknown row: sex and age both unknown
                row(ind, "Total", "Total", "Unknown", "Unknown", year, r.randint(1, 30))
            children, adults = _split(r, victims, 2, r.choice(["exact", "short"]))
            row(ind, "Total", "Total", "Total", "0 to 17 years", year, children)
            row(ind, "Total", "Total", "Total", "18 years or over", year, adults)
            for (sex, age), value in zip(SEX_AGE, _split(r, victims, 4, fit)):
                row(ind, "Total", "Total", sex, age, year, value)
            for form, value in zip(FORMS, _split(r, victims, 3, r.choice(["exact", "short",
                                                                          "excess"]))):
                row(ind, "by form of exploitation", form, "Total", "Total", year, value)
                for (sex, age), part in zip(SEX_AGE, _split(r, value, 4, "exact")):
                    row(ind, "by form of exploitation", form, sex, age, year, part)
                if form == FORMS[-1]:  # more sub-forms collapsed under the same label:
                    sub_form = r.randint(1, 9)  # some identical to the row, key and value
                    for _ in range(2 if iso3 == "DEU" else 1):
                        row(ind, "by form of exploitation", form, "Total", "Total", year, sub_form)
            for label, value in zip(citizenships, _split(r, victims, len(citizenships),
                                                          r.choice(["exact", "short", "excess"]))):
                row(ind, "by citizenship", label, "Total", "Total", year, value)
            for label in REPATRIATION.get(iso3, []):
                row(ind, "by country of repatriation", label, "Total", "Total", year,
                    r.randint(0, 25))
            row("Offences of trafficking in persons", "Total", "Total", "Total", "Total", year,
                int(r.randint(10, 200) * SCALE[iso3]))
            suspects = int(r.randint(20, 150) * SCALE[iso3])
            for indicator in PROSECUTION_INDICATORS:
                row(indicator, "Total", "Total", "Total", "Total", year, suspects)
                female, male = _split(r, suspects, 2, r.choice(["exact", "short", "excess"]))
                row(indicator, "Total", "Total", "Female", "Total", year, female)
                row(indicator, "Total", "Total", "Male", "Total", year, male)
                row(indicator, "Total", "Total", "Total", "18 years or over", year,
                    suspects - r.randint(0, 3))
                if indicator == "Persons convicted":
                    for label, value in zip(citizenships[:2], _split(r, suspects, 2, "exact")):
                        row(indicator, "by citizenship", label, "Total", "Total", year, value)
                    for form, value in zip(FORMS[:2], _split(r, suspects, 2, "short")):
                        row(indicator, "by form of exploitation", form, "Total", "Total", year,
                            value)
                suspects = max(int(suspects * r.uniform(0.4, 0.9)), 1)
    return rows


def _write(path: Path, titles: list[list], rows: list[list], wrong_dimension: bool) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for title in titles:
        sheet.append(title)
    sheet.append(HEADERS["titled_2023"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if wrong_dimension:  # the real 2025 file declares its sheet as "A1"
        data = _declare_dimension(data, "A1")
    path.write_bytes(data)


def _declare_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with the first sheet's declared size replaced by `ref`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                declared = f'<dimension ref="{ref}"/>'.encode()
                content = re.sub(rb'<dimension ref="[^"]*"\s*/>', declared, content, count=1)
            target.writestr(item, content)
    return out.getvalue()


def write_samples(raw_dir: Path) -> None:
    """Write the GLOTIP sample snapshots under `raw_dir/unodc_glotip/`."""
    plan = [
        ("SAMPLE-2023-05-30", [["UNODC", "unodc_ddds@un.org"], ["30/05/2023"]], [2020, 2021],
         "glotip-2023", False, ("2020-01-01", "2021-12-31")),
        ("SAMPLE-2025-04-14", [["UNODC"], ["14/04/2025"]], [2020, 2021, 2022],
         "glotip-2025", True, ("2020-01-01", "2022-12-31")),
    ]
    for name, titles, years, seed, is_2025, period in plan:
        folder = raw_dir / SOURCE.id / name
        folder.mkdir(parents=True, exist_ok=True)
        rows = _rows(seed, years)
        if is_2025:  # rows that are not counts (invariant 6), quarantined on purpose:
            sle = ["SLE", "Sierra Leone", "Africa", "Sub-Saharan Africa", "Persons convicted"]
            rows += [
                [*sle, "Total", "Total", "Total", "Total", 2021, "Counts", "<5", "GLOTIP"],
                # a questionnaire item code in the category, its value the code's digits, and
                # an ordinary label in the same block
                [*sle, "by citizenship", "Q6.1_10s_2021", "Total", "Total", 2021, "Counts",
                 "61,102,021", "GLOTIP"],
                [*sle, "by citizenship", "Nationals", "Total", "Total", 2021, "Counts",
                 "6,112,021", "GLOTIP"],
                # a cell above its own country-year-indicator Total
                [*sle, "by form of exploitation", "Sexual exploitation", "Total", "Total", 2021,
                 "Counts", "120", "GLOTIP"]]
        _write(folder / "data_glotip.xlsx", titles, rows, wrong_dimension=is_2025)
        write_sidecar(folder, SOURCE, name, kind="full", product=SOURCE.product, period=period)
