"""UNODC GLOTIP as UNODC publishes it (`data_glotip.xlsx`, read with openpyxl), and the
statistics cell DATA_MODEL.md maps each published row to: the shared pieces of
tests/reference/test_unodc_glotip.py. Imports nothing from `pipelines` or `schemas`."""

from __future__ import annotations

import functools
import re

import openpyxl
import pandas as pd
import pycountry

SOURCE = "unodc_glotip"
FILE = "data_glotip.xlsx"
SNAPSHOTS = ["2023-05-30", "2025-04-14"]
YEAR_BASIS = "reported"
HEADER_ROW = 3  # Excel row of the header; data from row 4

INDICATORS = {
    "Detected trafficking victims":
        ("crimes_stats", {"unit": "persons", "subject": "victim"}),
    "Offences of trafficking in persons":
        ("crimes_stats", {"unit": "offences", "subject": "incident"}),
    "Persons brought into formal contact":
        ("prosecutions_stats", {"unit": "persons", "subject": "offender", "stage": "suspect_identified"}),
    "Persons prosecuted":
        ("prosecutions_stats", {"unit": "persons", "subject": "offender", "stage": "prosecuted"}),
    "Persons convicted":
        ("prosecutions_stats", {"unit": "persons", "subject": "offender", "stage": "convicted"}),
}
CATEGORY_COLUMN = {"crimes_stats": "crime_type", "prosecutions_stats": "offence"}
INDICATOR_TABLES = tuple(CATEGORY_COLUMN)
GROUP = ["Iso3_code", "Year", "Indicator"]  # one country-year-indicator: one Total
SEX = {"Total": "all", "Female": "female", "Male": "male", "Other": "other", "Unknown": "unknown"}
AGE = {"Total": "all", "0 to 17 years": "child", "18 years or over": "adult", "Unknown": "unknown"}
FORMS = {"Sexual exploitation": "trafficking_sexual_exploitation",
         "Forced labour": "trafficking_forced_labour",
         "Other forms of exploitation": "trafficking_other"}
TOTAL, FORM, CITIZENSHIP = "Total", "by form of exploitation", "by citizenship"
WITHHELD = "<5"
WITHHELD_MAX = 4
QUESTIONNAIRE_CODE = re.compile(r"^Q\d+(\.\d+)*_")
IMPLAUSIBLE = 1_000_000  # no country detects, prosecutes or convicts a million people a year

# --- citizenship labels, resolved independently of the pipeline's alias table ---------------
# "Nationals" and the labels that say the same: citizens of the reporting country.
NATIONALS = {"nationals", "own country", "ciudadanos de su pa\ufffds"}
# UN-style names and demonyms pycountry does not know; only unambiguous ones (no "Congolese",
# "Guinean", "Dominican": several countries; no Taiwan/Hong Kong: a coding choice).
ALIASES = {
    "venezuela (bolivarian republic of)": "VEN", "bolivia (plurinational state of)": "BOL",
    "iran (islamic republic of)": "IRN", "republic of korea": "KOR", "south korean": "KOR",
    "russia": "RUS", "russian": "RUS", "turkey": "TUR", "turkish": "TUR",
    "cote d'ivoire": "CIV", "ivory coast": "CIV", "state of palestine": "PSE", "palestine": "PSE",
    "netherlands (kingdom of the)": "NLD", "dutch": "NLD", "lao people's dem. republic": "LAO",
    "laotian": "LAO", "democratic republic of the congo": "COD", "kosovo": "XKX",
    "kosovo under unscr 1244": "XKX", "kosovar": "XKX",
    "the former yugoslav republic of macedonia": "MKD", "swaziland": "SWZ",
    "romanian": "ROU", "nigerians": "NGA", "nigerian": "NGA", "chinese": "CHN", "indian": "IND",
    "bulgarian": "BGR", "pakistani": "PAK", "moroccan": "MAR", "vietnamese": "VNM",
    "ukraineans": "UKR", "ukrainian": "UKR", "cameroonian": "CMR", "afghani": "AFG",
    "filippino": "PHL", "filipino": "PHL", "thai": "THA", "venezuelan": "VEN", "brazilian": "BRA",
    "moldavian": "MDA", "moldovan": "MDA", "indonesian": "IDN", "colombian": "COL",
    "ghanean": "GHA", "ghanaian": "GHA", "hungarians": "HUN", "hungarian": "HUN",
    "tanzanian": "TZA", "albanians": "ALB", "albanian": "ALB", "algerians": "DZA",
    "spanish": "ESP", "poles": "POL", "polish": "POL", "iranian": "IRN", "gambian": "GMB",
    "germans": "DEU", "german": "DEU", "serbians": "SRB", "serbian": "SRB", "slovaks": "SVK",
    "slovak": "SVK", "egyptian": "EGY", "eritrean": "ERI", "nepalese": "NPL", "italian": "ITA",
    "ugandan": "UGA", "ugandean": "UGA", "senegalese": "SEN", "sierra leonean": "SLE",
    "ethiopian": "ETH", "malaysian": "MYS", "peruvian": "PER", "portuguese": "PRT",
    "greek": "GRC", "georgian": "GEO", "cambodian": "KHM", "kenyan": "KEN", "malian": "MLI",
    "latvian": "LVA", "angolan": "AGO", "french": "FRA", "somali": "SOM", "sudanese": "SDN",
    "togolese": "TGO", "sri lankan": "LKA", "cuban": "CUB", "burkinabe": "BFA",
    "south african": "ZAF", "zimbabwean": "ZWE", "mongolian": "MNG", "mexican": "MEX",
    "lebanese": "LBN", "zambian": "ZMB", "japanese": "JPN", "croatian": "HRV",
    "lithuanian": "LTU", "australians": "AUS", "jamaican": "JAM", "haitian": "HTI",
    "mauritanian": "MRT", "belizean": "BLZ", "jordanian": "JOR", "liberian": "LBR",
    "syrian": "SYR", "british": "GBR", "bangladeshi": "BGD", "danish": "DNK",
    "uruguayan": "URY", "canadians": "CAN", "armenians": "ARM", "yemeni": "YEM",
    "chadian": "TCD", "fijian": "FJI", "slovenian": "SVN", "estonians": "EST",
    "austrians": "AUT", "saudi": "SAU", "argentinian": "ARG", "salvadorean": "SLV",
    "hondureans": "HND", "ecuadorean": "ECU", "burmese": "MMR", "bosnian": "BIH",
    "macedonian": "MKD", "finns": "FIN", "rwandean": "RWA",
    "burundean": "BDI", "kazaki": "KAZ", "tajiki": "TJK", "uzbecki": "UZB", "turkmeni": "TKM",
}
# Labels that name no country (unknown, stateless, the total, regions, "foreigners", numbers):
# they cannot be any country's cell.
NOT_A_COUNTRY = re.compile(
    r"^(unknown|n/a|sin determinar|nationality|total|stateless|no determinad[oa]s?|desconocid[oa]"
    r"|no registra|no information|\(nationality not stated\)|inconnue|without|foreigners|otros"
    r"|\d+|m49 region: .*|africa|asia|americas?|amercias|europe others|other europe|other asia"
    r"|asia others|africa others|africa and middle east|eu-28 others|european economic area"
    r"|other central america and car(ibbean)?|central africa)$")


@functools.cache
def _country_names() -> dict[str, str]:
    """pycountry names (name, official and common name) -> alpha-3; codes are not names."""
    names = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            if hasattr(country, attr):
                names[getattr(country, attr).lower()] = country.alpha_3
    return names


def citizenship_code(label: str, reporting: str) -> str | None:
    """ISO3 of a citizenship label, "" for a label that names no country, None where this test
    cannot resolve it independently (its country-year is then not checked)."""
    text = str(label).strip().lower()
    if text in NATIONALS:
        return reporting
    if NOT_A_COUNTRY.match(text):
        return ""
    return _country_names().get(text) or ALIASES.get(text)


# --- the raw file ---------------------------------------------------------------------------

@functools.cache
def raw_rows(path: str) -> pd.DataFrame:
    """Every data row of UNODC's sheet, with its Excel row number and its count parsed:
    `value` (null for "<5"), `lo`/`hi` its bounds, `withheld`."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the 2025 file declares a wrong sheet size
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    header = [str(c) for c in rows[HEADER_ROW - 1] if c is not None]
    assert header[:2] == ["Iso3_code", "Country"] and "txtVALUE" in header, header
    body = [tuple(r[:len(header)]) + (None,) * (len(header) - len(r)) for r in rows[HEADER_ROW:]]
    frame = pd.DataFrame(body, columns=header)
    frame.insert(0, "row", range(HEADER_ROW + 1, HEADER_ROW + 1 + len(frame)))
    frame = frame[frame["Indicator"].notna()].copy()
    text = frame["txtVALUE"].astype(str).str.strip()
    withheld = text == WITHHELD
    numbers = text.str.replace(",", "", regex=False)
    unreadable = ~withheld & ~numbers.str.fullmatch(r"\d+")
    assert not unreadable.any(), frame[unreadable].head()
    frame["withheld"] = withheld
    frame["value"] = pd.to_numeric(numbers.where(~withheld), errors="coerce").astype("Int64")
    frame["lo"] = frame["value"].fillna(0).astype("int64")
    frame["hi"] = frame["value"].fillna(WITHHELD_MAX).astype("int64")
    frame["Year"] = frame["Year"].astype(int)
    return annotate(frame)


def annotate(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's country-year-indicator Total, and the plausibility findings of invariant 6."""
    group = GROUP
    is_total = ((frame["Dimension"] == TOTAL) & (frame["Sex"] == "Total") & (frame["Age"] == "Total"))
    totals = frame[is_total].set_index(group)[["value", "hi", "withheld"]]
    assert not totals.index.duplicated().any(), "one Total row per country, year and indicator"
    totals.columns = ["total_value", "total_hi", "total_withheld"]
    frame = frame.join(totals, on=group)
    frame["is_total"] = is_total
    has_total = frame["total_hi"].notna()
    in_stats = frame["Dimension"].isin([TOTAL, FORM, CITIZENSHIP])  # repatriation is not
    frame["above_total"] = (in_stats & ~is_total & has_total
                            & (frame["lo"] > frame["total_hi"].fillna(0)))
    codes = frame[(frame["Dimension"] == CITIZENSHIP)
                  & frame["Category"].astype(str).str.match(QUESTIONNAIRE_CODE)]
    blocks = set(map(tuple, codes[group].drop_duplicates().to_numpy()))
    keys = list(map(tuple, frame[group].to_numpy()))
    frame["questionnaire_block"] = (frame["Dimension"] == CITIZENSHIP) & pd.Series(
        [k in blocks for k in keys], index=frame.index)
    frame["implausible"] = frame["value"].fillna(0) > IMPLAUSIBLE
    frame["excluded"] = (frame["above_total"] | frame["questionnaire_block"] | frame["implausible"]
                         | frame["Iso3_code"].isna())
    return frame


# --- turning raw rows into statistics cells ---------------------------------------------------

def cells_of(rows: pd.DataFrame, snapshot: str, table: str) -> pd.DataFrame:
    """The statistics cell of each raw row of one table's indicators: fixed columns and the
    dimensions the row names (the others are `all`)."""
    rows = rows[rows["Indicator"].map(lambda i: INDICATORS[i][0] == table)]
    out = pd.DataFrame(index=rows.index)
    out["snapshot"] = snapshot
    out["year"] = rows["Year"].astype("int32")
    out["year_basis"] = YEAR_BASIS
    for column in ("unit", "subject", "stage"):
        if table == "prosecutions_stats" or column != "stage":
            out[column] = rows["Indicator"].map(lambda i, c=column: INDICATORS[i][1][c])
    out["country_iso3"] = rows["Iso3_code"]
    out["sex"] = rows["Sex"].map(SEX)
    out["age_group"] = rows["Age"].map(AGE)
    category = CATEGORY_COLUMN[table]
    out[category] = rows["Category"].map(FORMS).where(rows["Dimension"] == FORM, "all")
    out["nationality"] = "all"
    out["sgbv"] = "all"
    for column in ("row", "Indicator", "Dimension", "Category", "Sex", "Age", "txtVALUE"):
        out[f"raw_{column}"] = rows[column]
    assert out["sex"].notna().all() and out["age_group"].notna().all()
    return out


def expected_of(rows: pd.DataFrame) -> pd.DataFrame:
    """Expected measures of single raw rows: the count, or null in [0, 4] for "<5"."""
    return pd.DataFrame({"exp_value": rows["value"],
                         "exp_min": rows["lo"].astype("Int64"),
                         "exp_max": rows["hi"].astype("Int64")}, index=rows.index)


def single_rows(rows: pd.DataFrame, cells: pd.DataFrame) -> pd.Series:
    """Raw rows that are alone in their statistics cell (no repeated label). Decided before
    quarantined rows are set aside: a row whose twin is quarantined is not checked alone."""
    keys = [c for c in cells.columns if not c.startswith("raw_")]
    return ~cells.duplicated(keys, keep=False)


def breakdown_rows(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    return frame[(frame["Dimension"] == dimension) & frame["Iso3_code"].notna()]


def drop_groups(rows: pd.DataFrame, bad: pd.Series) -> pd.DataFrame:
    """`rows` without every country-year-indicator in which one row is `bad`."""
    return without_groups(rows, rows.loc[bad, GROUP])


def without_groups(rows: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """`rows` without the country-year-indicators listed in `groups` (columns GROUP)."""
    marked = rows[GROUP].merge(groups[GROUP].drop_duplicates().assign(_bad=True), on=GROUP,
                               how="left")["_bad"]
    return rows[~marked.fillna(False).astype(bool).to_numpy()]


def groups_with_unpublished_margin(rows: pd.DataFrame, label: str, is_margin: pd.Series) -> pd.DataFrame:
    """Country-year-indicators where a `label` value (a sex, a form) has rows but none of them
    is its margin (e.g. "Other forms of exploitation" published only by sex and age): the
    breakdown's parts are then not all published numbers."""
    keys = GROUP + [label]
    margins = rows.loc[is_margin, keys].drop_duplicates().assign(_margin=True)
    found = rows[keys].drop_duplicates().merge(margins, on=keys, how="left")
    return found[found["_margin"].isna()][GROUP]


def of_table(groups: pd.DataFrame, table: str) -> pd.DataFrame:
    return groups[groups["Indicator"].map(lambda i: INDICATORS[i][0] == table)]


def group_cells(groups: pd.DataFrame, snapshot: str) -> pd.DataFrame:
    """The fixed columns of the country-year-indicator groups (columns Iso3_code, Year,
    Indicator), every dimension `all`."""
    out = pd.DataFrame(index=groups.index)
    out["snapshot"] = snapshot
    out["year"] = groups["Year"].astype("int32")
    out["year_basis"] = YEAR_BASIS
    table = {INDICATORS[i][0] for i in groups["Indicator"]}
    for column in ("unit", "subject", "stage"):
        if column != "stage" or table == {"prosecutions_stats"}:
            out[column] = groups["Indicator"].map(lambda i, c=column: INDICATORS[i][1][c])
    out["country_iso3"] = groups["Iso3_code"]
    return out
