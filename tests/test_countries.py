"""Country and nationality codes: hand-written values, the reviewed alias table itself, and every
nationality / country column of the real published files (no value left unmapped there, bar a
short list of cells that are not nationalities at all)."""

from __future__ import annotations

import csv
import html
import re
import zipfile
from pathlib import Path

import pandas as pd
import pycountry
import pytest

from pipelines.harmonize.countries import ALIASES_CSV, aliases, country_code, map_countries
from pipelines.harmonize.labels import normalise_label, repair_mojibake
from pipelines.harmonize.unmapped import UnmappedLog

SPECIAL = {"UNKNOWN", "NOT_RECORDED", "MULTIPLE", "STATELESS", "FOREIGN_UNSPECIFIED", "XKX",
           "NATIONALS"}
# UN M49 regions and sub-regions (the M49_<code> values the data model allows).
M49_REGIONS = {"002", "015", "202", "011", "014", "017", "018", "019", "419", "029", "013", "005",
               "021", "142", "143", "030", "035", "034", "145", "150", "151", "154", "039", "155",
               "009", "053", "054", "057", "061"}


def code_of(value: str, **kwargs) -> str:
    """The code map_countries gives one cell."""
    return map_countries(pd.Series([value]), UnmappedLog(), "test", **kwargs).iloc[0]


# --- hand-written values ----------------------------------------------------------------------

@pytest.mark.parametrize("label, code", [
    # pycountry pitfalls: near-identical names must not swallow each other
    ("Niger", "NER"), ("Nigeria", "NGA"), ("Guinea", "GIN"), ("Guinea-Bissau", "GNB"),
    ("Equatorial Guinea", "GNQ"), ("Congo", "COG"), ("Democratic Republic of the Congo", "COD"),
    ("Sudan", "SDN"), ("South Sudan", "SSD"), ("Dominica", "DMA"), ("Dominican Republic", "DOM"),
    ("Papua New Guinea", "PNG"), ("Mexico", "MEX"),
    # UN M49 names
    ("Iran (Islamic Republic of)", "IRN"), ("Türkiye", "TUR"), ("Turkey", "TUR"),
    ("Venezuela (Bolivarian Republic of)", "VEN"), ("Bolivia (Plurinational State of)", "BOL"),
    ("State of Palestine", "PSE"), ("Palestinian Territories", "PSE"),
    ("China, Hong Kong Special Administrative Region", "HKG"),
    ("China, Macao Special Administrative Region", "MAC"), ("Republic of Korea", "KOR"),
    ("United States Virgin Islands", "VIR"), ("Netherlands (Kingdom of the)", "NLD"),
    ("Kosovo under UNSCR 1244", "XKX"), ("Kosovo", "XKX"), ("Viet Nam", "VNM"),
    # other names and spellings
    ("Ivory Coast", "CIV"), ("Cote d'Ivoire", "CIV"), ("RUSSIA", "RUS"), ("Macedonia", "MKD"),
    ("BOSNIA", "BIH"), ("ANTIGUA\u2010 BARBUDA", "ATG"), ("Swaziland", "SWZ"), ("Zaire", "COD"),
    ("UK", "GBR"), ("Wales", "GBR"), ("U.S.", "USA"), ("U.S. Citizen", "USA"),
    ("AFGHANISTA N", "AFG"), ("Guinea Conakry", "GIN"),
])
def test_country_names(label, code):
    assert code_of(label) == code


@pytest.mark.parametrize("label, code", [
    ("Syrian", "SYR"), ("Mexican", "MEX"), ("Afghan", "AFG"), ("Salvadoran", "SLV"),
    ("Comorian", "COM"), ("Comoran", "COM"), ("Honduran", "HND"), ("Guatemalan", "GTM"),
    ("Chinese", "CHN"), ("Bangladeshi", "BGD"), ("Angolan", "AGO"), ("Eritrean", "ERI"),
    ("Nigerian", "NGA"), ("Nigerien", "NER"), ("Guinean", "GIN"), ("Bissau-Guinean", "GNB"),
    ("Equatoguinean", "GNQ"), ("Sudanese", "SDN"), ("South Sudanese", "SSD"),
    ("Dominican", "DOM"), ("Haitian", "HTI"), ("Venezuelan", "VEN"), ("Cuban", "CUB"),
    ("Nicaraguan", "NIC"), ("Panamanian", "PAN"), ("Ecuadorian", "ECU"), ("Burmese", "MMR"),
    ("Somali", "SOM"), ("Ivorian", "CIV"), ("Burkinabe", "BFA"), ("Malagasy", "MDG"),
    ("Nigerians", "NGA"), ("Poles", "POL"), ("Filipino", "PHL"), ("Kosovar", "XKX"),
])
def test_english_demonyms(label, code):
    assert code_of(label) == code


@pytest.mark.parametrize("label, code", [
    ("México", "MEX"), ("Estados Unidos", "USA"), ("Guatemala", "GTM"), ("Honduras", "HND"),
    ("El Salvador", "SLV"), ("Haití", "HTI"), ("Venezuela", "VEN"), ("Cuba", "CUB"),
    ("Colombia", "COL"), ("Ecuador", "ECU"), ("Nicaragua", "NIC"), ("Brasil", "BRA"),
    ("Perú", "PER"), ("República Dominicana", "DOM"), ("Panamá", "PAN"), ("Belice", "BLZ"),
    ("España", "ESP"), ("Corea del Sur", "KOR"), ("hondureña", "HND"), ("SALVADOREÑA", "SLV"),
    ("guatemaltecos", "GTM"), ("Venezolano", "VEN"), ("nicaragüense", "NIC"),
])
def test_spanish_names_and_demonyms(label, code):
    assert code_of(label) == code


@pytest.mark.parametrize("label, code", [
    ("Unknown", "UNKNOWN"), ("Unkown", "UNKNOWN"), ("Uknown", "UNKNOWN"), ("Not stated", "UNKNOWN"),
    ("NA", "UNKNOWN"),  # not available, not Namibia's alpha-2 code
    ("Mixed", "MULTIPLE"), ("Mixed/Unknown", "UNKNOWN"), ("Stateless", "STATELESS"),
    ("Rohingya", "STATELESS"), ("Ethnic Rohingya", "STATELESS"),
    ("Unknown (Kurdish)", "UNKNOWN"), ("Kurdistan", "UNKNOWN"),  # never a country from an ethnicity
    ("Syrian Kurds", "SYR"), ("China (ethnic Uighur)", "CHN"),  # country stated beside ethnicity
    ("Likely Eritrea", "ERI"), ("likely Comoros", "COM"),  # hedged: the presumed country
    ("Survivors from Nigeria, Ghana, Niger", "UNKNOWN"),  # survivors, not the dead
    ("Abroad", "FOREIGN_UNSPECIFIED"), ("EU-28 others", "FOREIGN_UNSPECIFIED"),
    ("foreigners", "FOREIGN_UNSPECIFIED"),
    ("KOREA", "M49_030"), ("Congolese", "M49_017"),  # two countries in one M49 region
    ("Eritrea or Somalia", "M49_014"),  # one of two, not both
])
def test_special_codes(label, code):
    assert code_of(label) == code


@pytest.mark.parametrize("label, code", [
    ("Reported as unspecified nationals of West Africa", "M49_011"),
    ("Reported as unspecified nationals of Sub-Saharan Africa", "M49_202"),
    ("Reported as unspecified nationals of Africa", "M49_002"),
    ("Reported as unspecified nationals of Central America", "M49_013"),
    ("Maghreb", "M49_015"), ("Mahgreb", "M49_015"), ("North Africa", "M49_015"),
    ("other African", "M49_002"), ("'African'", "M49_002"), ("Sub-Saharan Africa", "M49_202"),
    ("Horn of Africa", "M49_014"), ("Central africa", "M49_017"), ("Other Europe", "M49_150"),
    ("Asia others", "M49_142"), ("Amercias", "M49_019"), ("Former Yugoslavia", "M49_039"),
    ("Caribbean (Trinidad and Tobago, Barbados, etc)", "M49_029"),
])
def test_regions_are_m49_codes(label, code):
    assert code_of(label) == code


def test_garbled_encodings():
    assert code_of("CÃ´te d'Ivoire") == "CIV"  # UTF-8 read as Windows-1252, repaired
    assert code_of("TÃ¼rkiye") == "TUR"
    assert code_of("Côte d\u2019Ivoire") == "CIV"  # curly apostrophe
    assert code_of("M\ufffdXICO") == "MEX"  # letter lost before publication: an alias
    assert repair_mojibake("São Tomé") == "São Tomé"  # correct text is never touched
    assert repair_mojibake("château") == "château"
    assert normalise_label("SÃO TOMÉ") == "são tomé"


@pytest.mark.parametrize("cell, code", [
    ("Guatemala,Mexico", "MULTIPLE"),
    ("Honduras,Unknown", "MULTIPLE"),  # invariant 4: a known plus an unknown is several
    ("Unknown,Unknown", "UNKNOWN"),
    ("Mixed/Unknown,Unknown", "UNKNOWN"),
    ("Mauritania,Mixed/Unknown,Senegal", "MULTIPLE"),
    ("Syria, Syria", "SYR"),  # one nationality named twice
    ("Afghanistan,Iran (Islamic Republic of),Pakistan", "MULTIPLE"),
    ("Colombia,Venezuela (Bolivarian Republic of)", "MULTIPLE"),
    ("China, Hong Kong Special Administrative Region", "HKG"),  # a comma inside one name
    ("China, Hong Kong Special Administrative Region,Unknown", "MULTIPLE"),
    ("Senegal, Ivory Coast, Gambia, Guinea, Niger, Mali and Mauritania", "MULTIPLE"),
    ("Survivors from Syria, Iraq, and Somalia", "UNKNOWN"),
    ("Egypt, Syria, and Sudan", "MULTIPLE"),  # split_known drops the leading "and "
    ("Syrian, Egyptian, other African", "MULTIPLE"),
    ("Bangladeshi, Rohingya", "MULTIPLE"),
    ("Eritrea (2), Syria (1)", "MULTIPLE"),
    ("at least 4 Syrian", "MULTIPLE"),
    ("Antigua & Barbuda", "ATG"),  # & is a separator, but the whole name is known
])
def test_multi_valued_cells(cell, code):
    assert code_of(cell) == code


def test_blank_unmapped_and_log():
    log = UnmappedLog()
    values = pd.Series(["", "  ", "Atlantis", "Mexico", "Atlantis", "Narnia,Mexico"])
    assert map_countries(values, log, "Country of Origin").tolist() == [
        "UNKNOWN", "UNKNOWN", "UNKNOWN", "MEX", "UNKNOWN", "UNKNOWN"]
    assert log.frame().to_dict("records") == [
        {"mapping": "countries", "column": "Country of Origin", "value": "Atlantis", "rows": 2},
        {"mapping": "countries", "column": "Country of Origin", "value": "Narnia,Mexico",
         "rows": 1}]
    assert map_countries(pd.Series([""]), UnmappedLog(), "c", blank="NOT_RECORDED").tolist() == [
        "NOT_RECORDED"]


def test_nationals_take_the_reporting_country():
    values = pd.Series(["Nationals", "Ciudadanos de su pa\ufffds", "own country", "Thai"])
    log = UnmappedLog()
    assert map_countries(values, log, "Category", reporting_country="THA").tolist() == ["THA"] * 4
    assert not log.counts
    # without a reporting country, Nationals cannot be placed: UNKNOWN, and reported
    log = UnmappedLog()
    assert map_countries(pd.Series(["Nationals"]), log, "Category").tolist() == ["UNKNOWN"]
    assert log.frame()["value"].tolist() == ["Nationals"]


# --- the alias table itself -------------------------------------------------------------------

def alias_rows() -> list[tuple[str, dict]]:
    """(section, row) for every alias, the section being the last comment line above it."""
    section, out = "", []
    with ALIASES_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["label"].startswith("#"):
                section = row["label"].lstrip("# ")
            else:
                out.append((section, row))
    return out


def valid_code(code: str) -> bool:
    if code in SPECIAL:
        return True
    if code.startswith("M49_"):
        return code[4:] in M49_REGIONS
    return pycountry.countries.get(alpha_3=code) is not None


def test_alias_table_is_clean():
    rows = alias_rows()
    seen: dict[str, str] = {}
    for _, row in rows:
        key = normalise_label(row["label"])
        assert row["label"] == key, f"write labels as their lookup key: {row['label']!r}"
        assert valid_code(row["code"]), row
        assert key not in seen, f"{key!r} listed twice"
        seen[key] = row["code"]
        try:
            from_pycountry = pycountry.countries.lookup(key).alpha_3
        except LookupError:
            from_pycountry = None
        # only what pycountry does not resolve, or resolves wrongly (documented in the note)
        assert from_pycountry != row["code"], f"{key!r}: pycountry already gives {from_pycountry}"
        if from_pycountry is not None:
            assert row["note"], f"{key!r} overrides pycountry ({from_pycountry}) without a note"
    assert len(aliases()) == len(rows)


def test_regions_and_judgement_calls_carry_a_note():
    for section, row in alias_rows():
        judgement = section.startswith(("Ambiguous", "MMP 2017", "UNITED"))
        if row["code"].startswith("M49_") or judgement:
            assert row["note"], f"{row['label']!r} ({section}) needs a note saying why"


def test_demonyms_cover_the_migration_countries():
    demonyms = {row["label"]: row["code"] for section, row in alias_rows()
                if section.startswith("English demonyms")}
    assert len(set(demonyms.values())) >= 120
    for country in ("MEX", "GTM", "HND", "SLV", "NIC", "CUB", "HTI", "VEN", "COL", "ECU", "BRA",
                    "SYR", "AFG", "IRQ", "IRN", "ERI", "SOM", "ETH", "SDN", "NGA", "NER", "GIN",
                    "MLI", "SEN", "CIV", "GMB", "CMR", "MAR", "DZA", "TUN", "EGY", "LBY", "PAK",
                    "BGD", "IND", "LKA", "NPL", "UZB", "TJK", "KGZ", "KAZ", "TKM", "YEM", "PSE"):
        assert country in demonyms.values(), country


def test_country_code_is_none_only_for_unknown_labels():
    assert country_code("Atlantis") is None
    assert country_code("") is None
    assert country_code("  mexico ") == "MEX"


# --- every real file --------------------------------------------------------------------------

def _first_sheet(book: zipfile.ZipFile) -> str:
    workbook = book.read("xl/workbook.xml").decode("utf-8")
    rid = re.search(r'<sheet\b[^>]*\br:id="([^"]+)"', workbook).group(1)
    rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        if f'Id="{rid}"' in rel.group(0):
            target = re.search(r'Target="([^"]+)"', rel.group(0)).group(1)
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(rid)


def _xml_text(xml: str) -> str:
    xml = re.sub(r"<rPh\b.*?</rPh>", "", xml, flags=re.S)
    return html.unescape("".join(re.findall(r"<t(?:\s[^>]*)?>([^<]*)</t>", xml)))


def xlsx_columns(path: Path, header_row: int, names: list[str]) -> pd.DataFrame:
    """A few columns of the first worksheet as text, read straight from the XML.

    openpyxl takes ~2 s per file here (every cell of every row is parsed); this reads only the
    cells of the wanted columns and gives the same values (checked against openpyxl on every
    real workbook). Header cells are looked up in row `header_row` (1-based)."""
    with zipfile.ZipFile(path) as book:
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            strings = book.read("xl/sharedStrings.xml").decode("utf-8")
            shared = [_xml_text(m.group(1)) for m in re.finditer(r"<si>(.*?)</si>", strings, re.S)]
        sheet = book.read(_first_sheet(book)).decode("utf-8")

    def cells(letters: str, row: str = r"\d+"):
        pattern = re.compile(rf'<c r="({letters})({row})"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
        for match in pattern.finditer(sheet):
            attrs, body = match.group(3), match.group(4) or ""
            kind = re.search(r'\bt="(\w+)"', attrs)
            kind = kind.group(1) if kind else "n"
            value = re.search(r"<v>([^<]*)</v>", body)
            if kind == "inlineStr":
                text = _xml_text(body)
            elif value is None:
                text = ""
            elif kind == "s":
                text = shared[int(value.group(1))]
            else:
                text = html.unescape(value.group(1))
            yield match.group(1), int(match.group(2)), text

    header = {text: col for col, _, text in cells("[A-Z]+", str(header_row))}
    columns = {name: {r: t for _, r, t in cells(header[name]) if r > header_row} for name in names}
    rows = sorted(set().union(*columns.values()))
    return pd.DataFrame({n: [columns[n].get(r, "") for r in rows] for n in names}, dtype="str")


# GLOTIP cells that are not nationalities at all; they stay unmapped (UNKNOWN, and listed in the
# unmapped log) so that the GLOTIP module sees them, instead of being hidden in the alias table.
GLOTIP_NOT_NATIONALITIES = {
    "TOTAL", "TOTAL POR AÑO",  # a total row filed as a category (BOL 2017-22: 397, 373, ...)
    "Nationality",  # a header left as a category (USA 2017-18, DEU 2019, NER 2020, GBR)
    "0", "2", "3", "6", "145",  # numbers in the category column (MLT, SWZ, ZAF, VAT, VEN ...)
    # PAK and SLE 2019-21 (persons convicted): questionnaire item codes, values like 61,102,019
    *{f"Q6.1_{item}s_{year}" for item in range(2, 22) for year in (2019, 2020, 2021)},
}
GLOTIP_DIMENSIONS = ("by citizenship", "by country of repatriation")

# (file under real/, kind, columns, values allowed to stay unmapped)
REAL_COLUMNS = [
    ("mmp/2024-11-21/Missing_Migrants_Global_Figures_allData.xlsx", "xlsx",
     ("Country of Origin", "Country of Incident"), set()),
    ("mmp/2025-05-05/Missing_Migrants_Global_Figures_allData.xlsx", "xlsx",
     ("Country of Origin", "Country of Incident"), set()),
    ("mmp/kaggle_2023/Global Missing Migrants Dataset.csv", "csv", ("Country of Origin",), set()),
    ("mmp/2026-05-06/MissingMigrants-Global-2026-05-06--19_42_11.csv", "csv",
     ("Country of Origin",), set()),
    ("mmp/2017_kaggle/MissingMigrantsProject.csv", "csv", ("affected_nationality",), set()),
    ("ice_detention_deaths/2025-11-17/_extracted_foia_2003_2017.csv", "csv", ("country",), set()),
    ("ice_detention_deaths/2026-01-29/all_274_deaths_detailed.csv", "csv", ("Country",), set()),
    ("cbp_deaths/2026-01-28/cbp_deaths_in_custody.csv", "csv", ("Nationality",), set()),
    ("united_list/2018-07-19/refugeesAndMigrants.csv", "csv",
     ("region of origin", "country of incident"), set()),
    ("unodc_glotip/2023-05-30/data_glotip.xlsx", "glotip", ("Category",), GLOTIP_NOT_NATIONALITIES),
    ("unodc_glotip/2025-04-14/data_glotip.xlsx", "glotip", ("Category",), GLOTIP_NOT_NATIONALITIES),
]


def read_columns(path: Path, kind: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if kind == "csv":
        return pd.read_csv(path, usecols=list(columns), dtype="str", keep_default_na=False,
                           encoding="utf-8-sig")
    if kind == "xlsx":
        return xlsx_columns(path, 1, list(columns))
    frame = xlsx_columns(path, 3, ["Iso3_code", "Dimension", *columns])  # two title rows first
    return frame[frame["Dimension"].isin(GLOTIP_DIMENSIONS)]


@pytest.mark.parametrize("relative, kind, columns, allowed", REAL_COLUMNS,
                         ids=[r[0].split("/")[0] + "/" + r[0].split("/")[1] for r in REAL_COLUMNS])
def test_real_files_leave_nothing_unmapped(real_dir, relative, kind, columns, allowed):
    path = real_dir / relative
    if not path.is_file():
        pytest.skip(f"{path} not found")
    frame = read_columns(path, kind, columns)
    assert len(frame) > 0
    for column in columns:
        log = UnmappedLog()
        if kind == "glotip":  # "Nationals" are citizens of the reporting country
            codes = pd.concat([map_countries(part[column], log, column, reporting_country=iso3)
                               for iso3, part in frame.groupby("Iso3_code")])
        else:
            codes = map_countries(frame[column], log, column)
        unmapped = {value: rows for (_, _, value), rows in log.counts.items()}
        assert set(unmapped) <= allowed, (
            f"{relative} [{column}]: {sum(unmapped.values())} of {len(frame)} rows unmapped: "
            f"{sorted(set(unmapped) - allowed)[:20]}")
        assert codes.map(valid_code).all()
        if "incident" in column.lower():  # country_iso3 takes ISO codes or UNKNOWN only
            iso = codes.str.fullmatch(r"[A-Z]{3}|UNKNOWN")
            assert iso.all(), codes[~iso].unique()
