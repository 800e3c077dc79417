"""The UNODC GLOTIP long layout (`titled_2023`, saved as CSV with the header on the first
line) at scale: one published cell a row, in groups of (country, year, indicator); bench/gen.py
says how the parts are drawn.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench.draw import take, blank
from schemas.raw.unodc_glotip import HEADERS

HEADER = HEADERS["titled_2023"]
LAYOUT = ("unodc_glotip", "data_glotip.csv")

# Reporting countries as GLOTIP names them, by (Region, Subregion): "ISO3 Name; ...". The coded
# countries of the 2025 release plus five UN members it lacks (PRK, SOM, ERI, STP, PSE). Their
# names are also the citizenships and countries of repatriation GLOTIP writes in `Category`.
GLOTIP_PLACES = {
    ("Africa", "Northern Africa"): (
        "DZA Algeria; EGY Egypt; LBY Libya; MAR Morocco; SDN Sudan; TUN Tunisia"
    ),
    ("Africa", "Sub-Saharan Africa"): (
        "AGO Angola; BDI Burundi; BEN Benin; BFA Burkina Faso; BWA Botswana; "
        "CAF Central African Republic; CIV Côte d’Ivoire; CMR Cameroon; "
        "COD Democratic Republic of the Congo; COG Congo; COM Comoros; CPV Cabo Verde; "
        "DJI Djibouti; ERI Eritrea; ETH Ethiopia; GAB Gabon; GHA Ghana; GIN Guinea; "
        "GMB Gambia; GNB Guinea-Bissau; GNQ Equatorial Guinea; KEN Kenya; LBR Liberia; "
        "LSO Lesotho; MDG Madagascar; MLI Mali; MOZ Mozambique; MRT Mauritania; "
        "MUS Mauritius; MWI Malawi; NAM Namibia; NER Niger; NGA Nigeria; RWA Rwanda; "
        "SEN Senegal; SLE Sierra Leone; SOM Somalia; SSD South Sudan; "
        "STP Sao Tome and Principe; SWZ Eswatini; SYC Seychelles; TCD Chad; TGO Togo; "
        "TZA United Republic of Tanzania; UGA Uganda; ZAF South Africa; ZMB Zambia; "
        "ZWE Zimbabwe"
    ),
    ("Americas", "Latin America and the Caribbean"): (
        "ABW Aruba; ARG Argentina; ATG Antigua and Barbuda; BHS Bahamas; BLZ Belize; "
        "BOL Bolivia (Plurinational State of); BRA Brazil; BRB Barbados; CHL Chile; "
        "COL Colombia; CRI Costa Rica; CUB Cuba; CUW Curaçao; DMA Dominica; "
        "DOM Dominican Republic; ECU Ecuador; GRD Grenada; GTM Guatemala; GUY Guyana; "
        "HND Honduras; HTI Haiti; JAM Jamaica; KNA Saint Kitts and Nevis; LCA Saint Lucia; "
        "MEX Mexico; NIC Nicaragua; PAN Panama; PER Peru; PRI Puerto Rico; PRY Paraguay; "
        "SLV El Salvador; SUR Suriname; TTO Trinidad and Tobago; URY Uruguay; "
        "VCT Saint Vincent and the Grenadines; VEN Venezuela (Bolivarian Republic of)"
    ),
    ("Americas", "Northern America"): (
        "CAN Canada; USA United States of America"
    ),
    ("Asia", "Central Asia"): (
        "KAZ Kazakhstan; KGZ Kyrgyzstan; TJK Tajikistan; TKM Turkmenistan; UZB Uzbekistan"
    ),
    ("Asia", "Eastern Asia"): (
        "CHN China; HKG China, Hong Kong Special Administrative Region; JPN Japan; "
        "KOR Republic of Korea; MAC China, Macao Special Administrative Region; "
        "MNG Mongolia; PRK Democratic People's Republic of Korea"
    ),
    ("Asia", "South-eastern Asia"): (
        "BRN Brunei Darussalam; IDN Indonesia; KHM Cambodia; "
        "LAO Lao People's Democratic Republic; MMR Myanmar; MYS Malaysia; PHL Philippines; "
        "SGP Singapore; THA Thailand; TLS Timor-Leste; VNM Viet Nam"
    ),
    ("Asia", "Southern Asia"): (
        "AFG Afghanistan; BGD Bangladesh; BTN Bhutan; IND India; "
        "IRN Iran (Islamic Republic of); LKA Sri Lanka; MDV Maldives; NPL Nepal; "
        "PAK Pakistan"
    ),
    ("Asia", "Western Asia"): (
        "ARE United Arab Emirates; ARM Armenia; AZE Azerbaijan; BHR Bahrain; CYP Cyprus; "
        "GEO Georgia; IRQ Iraq; ISR Israel; JOR Jordan; KWT Kuwait; LBN Lebanon; OMN Oman; "
        "PSE State of Palestine; QAT Qatar; SAU Saudi Arabia; SYR Syrian Arab Republic; "
        "TUR Türkiye; YEM Yemen"
    ),
    ("Europe", "Eastern Europe"): (
        "BGR Bulgaria; BLR Belarus; CZE Czechia; HUN Hungary; MDA Republic of Moldova; "
        "POL Poland; ROU Romania; RUS Russian Federation; SVK Slovakia; UKR Ukraine"
    ),
    ("Europe", "Northern Europe"): (
        "DNK Denmark; EST Estonia; FIN Finland; "
        "GBR United Kingdom of Great Britain and Northern Ireland; IRL Ireland; ISL Iceland; "
        "LTU Lithuania; LVA Latvia; NOR Norway; SWE Sweden"
    ),
    ("Europe", "Southern Europe"): (
        "ALB Albania; AND Andorra; BIH Bosnia and Herzegovina; ESP Spain; GRC Greece; "
        "HRV Croatia; ITA Italy; MKD North Macedonia; MLT Malta; MNE Montenegro; "
        "PRT Portugal; SMR San Marino; SRB Serbia; SVN Slovenia; VAT Holy See"
    ),
    ("Europe", "Western Europe"): (
        "AUT Austria; BEL Belgium; CHE Switzerland; DEU Germany; FRA France; "
        "LIE Liechtenstein; LUX Luxembourg; MCO Monaco; NLD Netherlands (Kingdom of the)"
    ),
    ("Oceania", "Australia and New Zealand"): (
        "AUS Australia; NZL New Zealand"
    ),
    ("Oceania", "Melanesia"): (
        "FJI Fiji; PNG Papua New Guinea; SLB Solomon Islands; VUT Vanuatu"
    ),
    ("Oceania", "Micronesia"): (
        "FSM Micronesia (Federated States of); KIR Kiribati; MHL Marshall Islands; "
        "NRU Nauru; PLW Palau"
    ),
    ("Oceania", "Polynesia"): (
        "COK Cook Islands; NIU Niue; PYF French Polynesia; TON Tonga; TUV Tuvalu; WSM Samoa"
    ),
}
GLOTIP_COUNTRIES = sorted((item[:3], item[4:], region, subregion)
                          for (region, subregion), items in GLOTIP_PLACES.items()
                          for item in items.split("; "))
GLOTIP_INDICATORS = ["Detected trafficking victims", "Offences of trafficking in persons",
                     "Persons brought into formal contact", "Persons prosecuted", "Persons convicted"]
OFFENCES = 1  # index of the indicator published as a single Total/Total cell
# Each (country, year) owns a slot of rows per indicator; a chunk owns the groups whose slot
# starts within its rows (see _glotip_group_at). The slots add up to 740 rows per country and
# year, so 203 countries x 75 years hold ~11M rows: 10M rows are reachable without any
# (country, year, indicator) appearing twice. Groups are filled to their chunk's rows mostly
# with citizenships, weighted per indicator (victims most, offences none).
GLOTIP_SLOTS = np.array([240, 10, 150, 160, 180])
GLOTIP_CITIZENSHIP_WEIGHT = np.array([1.6, 0.0, 0.8, 0.9, 1.0])
GLOTIP_LAST_YEAR, GLOTIP_FIRST_YEAR = 2024, 1950  # years run backwards from 2024
# Median of the group's Total/Total count per indicator (log-normal, sigma GLOTIP_SIGMA): large,
# as the groups hold ~150 cells, so that about half of all cells are "<5".
GLOTIP_MEDIAN_TOTAL = np.array([4000.0, 150.0, 1500.0, 1200.0, 1200.0])
GLOTIP_SIGMA = 1.6
# Per breakdown (Total's parts, forms, citizenships): how often the parts are scaled below or
# above what they add up to, on top of unpublished categories (GLOTIP 2025 shows ~16/26/34%
# of shortfalls and ~6/32/8% of excesses).
GLOTIP_SHORT_P = np.array([0.06, 0.12, 0.33])
GLOTIP_EXCESS_P = np.array([0.05, 0.27, 0.08])
GLOTIP_DIMENSIONS = ["Total", "by form of exploitation", "by citizenship", "by country of repatriation"]
# The published labels of maps/crime_types_unodc_glotip.csv (rows of Dimension 'by form of
# exploitation'), with their usual shares.
GLOTIP_FORMS = ["Sexual exploitation", "Forced labour", "Other forms of exploitation"]
GLOTIP_FORM_SHARE = np.array([0.5, 0.3, 0.2])
GLOTIP_SEX = ["Total", "Female", "Male", "Other", "Unknown"]
GLOTIP_AGE = ["Total", "0 to 17 years", "18 years or over", "Unknown"]
# Fine cells, from which every published cell is added up: female child, female adult, male
# child, male adult, other child, other adult, unknown sex and age.
GLOTIP_SEX_SHARE = np.array([0.55, 0.40, 0.03, 0.04])  # female, male, other, unknown
# The 13 published (sex, age) cells of one breakdown, in the order written: (sex, age, the
# detail level from which the cell is published, its fine cells). Other and Unknown are
# published only by some countries.
GLOTIP_CELLS = [
    (0, 0, 0, (0, 1, 2, 3, 4, 5, 6)),
    (0, 1, 2, (0, 2, 4)), (0, 2, 2, (1, 3, 5)),
    (1, 0, 1, (0, 1)), (1, 1, 3, (0,)), (1, 2, 3, (1,)),
    (2, 0, 1, (2, 3)), (2, 1, 3, (2,)), (2, 2, 3, (3,)),
    (3, 0, 1, (4, 5)), (3, 1, 3, (4,)), (3, 2, 3, (5,)),
    (4, 3, 1, (6,)),
]
GLOTIP_LEVEL_P = {"total": [0.12, 0.13, 0.15, 0.60], "form": [0.30, 0.10, 0.10, 0.50]}
# Citizenships seen most often in GLOTIP (weight of the share; every other country 1).
GLOTIP_COMMON_CITIZENSHIPS = {
    "Romania": 14, "Nigeria": 12, "Bulgaria": 11, "China": 11, "Ukraine": 10, "Bangladesh": 9,
    "Philippines": 9, "Russian Federation": 8, "Thailand": 8, "Colombia": 7, "India": 7,
    "Morocco": 7, "Brazil": 6, "Slovakia": 6, "Dominican Republic": 6, "Hungary": 6,
    "Republic of Moldova": 5, "Poland": 5, "Serbia": 5, "Ghana": 5, "Albania": 5, "Iraq": 5,
    "Cameroon": 4, "Pakistan": 4, "Viet Nam": 4, "Honduras": 4, "Guatemala": 4,
    "Venezuela (Bolivarian Republic of)": 4, "Uzbekistan": 4, "Indonesia": 4,
}
GLOTIP_NATIONALS_WEIGHT, GLOTIP_UNKNOWN_WEIGHT = 60.0, 3.0
# Rare citizenship cells that are no citizenship (kept, mapped to UNKNOWN and logged).
GLOTIP_ODD_CITIZENSHIPS = ["Nationality", "0", "145"]
# Questionnaire item codes in `Category`, with the value that repeats their digits (quarantined).
GLOTIP_ITEM_CODES = [("Q6.1_10s_2019", "61,102,019"), ("Q6.1_10s_2020", "61,102,020"),
                     ("Q6.1_10s_2021", "61,102,021")]

# Category vocabulary: Total, the forms, the countries, then the special labels.
_GL_NAMES = [c[1] for c in GLOTIP_COUNTRIES]
_GL_C = len(GLOTIP_COUNTRIES)
_GL_CAT_FORM = 1
_GL_CAT_COUNTRY = _GL_CAT_FORM + len(GLOTIP_FORMS)
_GL_CAT_NATIONALS = _GL_CAT_COUNTRY + _GL_C
_GL_CAT_UNKNOWN = _GL_CAT_NATIONALS + 1
_GL_CAT_ABROAD = _GL_CAT_UNKNOWN + 1
_GL_CAT_ODD = _GL_CAT_ABROAD + 1
_GL_CAT_ITEM = _GL_CAT_ODD + len(GLOTIP_ODD_CITIZENSHIPS)
GLOTIP_CATEGORIES = (["Total"] + GLOTIP_FORMS + _GL_NAMES + ["Nationals", "Unknown", "Abroad"]
                     + GLOTIP_ODD_CITIZENSHIPS + [code for code, _ in GLOTIP_ITEM_CODES])
# Citizenship columns: the countries, Nationals, Unknown; written in alphabetical order.
_GL_V = _GL_C + 2
_GL_CIT_WEIGHT = np.array([GLOTIP_COMMON_CITIZENSHIPS.get(name, 1.0) for name in _GL_NAMES]
                          + [GLOTIP_NATIONALS_WEIGHT, GLOTIP_UNKNOWN_WEIGHT])
_GL_CIT_ORDER = np.argsort(np.argsort(_GL_NAMES + ["Nationals", "Unknown"], kind="stable"))
_GL_CELL_OF_FINE = np.array([[1 if f in cell[3] else 0 for f in range(7)] for cell in GLOTIP_CELLS])
_GL_CELL_LEVEL = np.array([cell[2] for cell in GLOTIP_CELLS])
_GL_CELL_SEX = np.array([cell[0] for cell in GLOTIP_CELLS])
_GL_CELL_AGE = np.array([cell[1] for cell in GLOTIP_CELLS])
_GL_PRE = np.r_[0, np.cumsum(GLOTIP_SLOTS)]
_GL_SLOT_ROWS = int(_GL_PRE[-1])


def _glotip_group_at(row: int) -> int:
    """Number of the first group whose slot starts at or after `row`. Group g is indicator
    g % 5 of country-year g // 5; country-years cycle the countries fastest, years backwards."""
    country_year, rest = divmod(row, _GL_SLOT_ROWS)
    return 5 * country_year + int(np.searchsorted(_GL_PRE[:5], rest, side="left"))


def _thousands(values: np.ndarray) -> pa.Array:
    """Whole numbers as text with thousands separators above 999 ("8,913", "61,102,019")."""
    low, mid, high = values % 1000, (values // 1000) % 1000, values // 1_000_000
    text = lambda v: pc.cast(pa.array(v), pa.string())  # noqa: E731
    pad = lambda v: pc.utf8_lpad(text(v), 3, "0")  # noqa: E731
    thousands = pc.binary_join_element_wise(text(values // 1000), pad(low), ",")
    millions = pc.binary_join_element_wise(text(high), pad(mid), pad(low), ",")
    return pc.if_else(pa.array(values >= 1_000_000), millions,
                      pc.if_else(pa.array(values >= 1000), thousands, text(low)))


def _glotip_layout(rng: np.random.Generator, groups: np.ndarray) -> dict[str, np.ndarray]:
    """What each group publishes (without citizenships): indicator, place, total, the cells of
    the Total and by-form breakdowns, repatriation rows, collapsed sub-form duplicates."""
    b = len(groups)
    ind = groups % 5
    country_year = groups // 5
    year = GLOTIP_LAST_YEAR - country_year // _GL_C
    if (year < GLOTIP_FIRST_YEAR).any():
        raise ValueError(f"more rows than the GLOTIP layout holds (~{_GL_SLOT_ROWS * _GL_C * 75:,})")
    detailed = ind != OFFENCES
    total = np.minimum(np.rint(rng.lognormal(np.log(GLOTIP_MEDIAN_TOTAL[ind]), GLOTIP_SIGMA)), 400_000)
    total = np.maximum(total, 1).astype(np.int64)
    # Other and Unknown sex published by some countries; unpublished, they are mostly empty,
    # otherwise their people are missing from the parts (a shortfall).
    pub_other, pub_unknown = rng.random(b) < 0.2, rng.random(b) < 0.15
    sex_w = GLOTIP_SEX_SHARE * rng.lognormal(0, 0.4, (b, 4))
    sex_w[:, 2] *= pub_other | (rng.random(b) < 0.08)
    sex_w[:, 3] *= pub_unknown | (rng.random(b) < 0.08)
    has_forms = detailed & (rng.random(b) < 0.85)
    form_pub = has_forms[:, None] & (rng.random((b, 3)) < np.array([0.9, 0.8, 0.7]))
    form_w = GLOTIP_FORM_SHARE * rng.lognormal(0, 0.5, (b, 3))
    form_w *= form_pub | ~has_forms[:, None] | (rng.random((b, 3)) < 0.3)
    form_w[form_w.sum(1) == 0, 0] = 1.0
    child = rng.beta(2, 5, (b, 3))
    fine = np.stack([sex_w[:, None, 0] * child, sex_w[:, None, 0] * (1 - child),
                     sex_w[:, None, 1] * child, sex_w[:, None, 1] * (1 - child),
                     sex_w[:, None, 2] * child, sex_w[:, None, 2] * (1 - child),
                     np.broadcast_to(sex_w[:, None, 3], (b, 3))], axis=2) * form_w[:, :, None]
    fine = fine.reshape(b, 21)
    fine /= fine.sum(1, keepdims=True)
    counts = rng.multinomial(total, fine).reshape(b, 3, 7)
    form_cells = counts @ _GL_CELL_OF_FINE.T  # (b, 3 forms, 13 cells)
    total_cells = form_cells.sum(1)  # the forms add up to the Total breakdown

    def cell_mask(level: np.ndarray) -> np.ndarray:
        mask = _GL_CELL_LEVEL <= level[..., None]
        mask &= (_GL_CELL_SEX != 3) | pub_other.reshape((b,) + (1,) * (level.ndim))
        mask &= (_GL_CELL_SEX != 4) | pub_unknown.reshape((b,) + (1,) * (level.ndim))
        return mask

    total_level = np.where(detailed, rng.choice(4, size=b, p=GLOTIP_LEVEL_P["total"]), 0)
    total_mask = cell_mask(total_level)
    form_mask = cell_mask(rng.choice(4, size=(b, 3), p=GLOTIP_LEVEL_P["form"])) & form_pub[:, :, None]
    # Sub-forms collapsed under "Other forms of exploitation": the same row twice.
    dup_other = form_pub[:, 2] & (rng.random(b) < 0.04)
    repat = np.where(ind == 0, (rng.random(b) < 0.12) * (1 + rng.poisson(0.8, b)), 0).clip(0, 4)
    base = total_mask.sum(1) + form_mask.sum((1, 2)) + dup_other + repat
    # Shortfalls and excesses on top of the unpublished categories: per group and breakdown
    # (Total's parts, forms, citizenships), parts scaled below or above what they add up to.
    u = rng.random((b, 3))
    scale = np.where(u < GLOTIP_SHORT_P, rng.uniform(0.5, 0.95, (b, 3)),
                     np.where(u > 1 - GLOTIP_EXCESS_P, rng.uniform(1.05, 1.5, (b, 3)), 1.0))
    return {"groups": groups, "ind": ind, "country": country_year % _GL_C, "year": year,
            "total": total, "total_cells": total_cells, "form_cells": form_cells,
            "total_mask": total_mask, "form_mask": form_mask, "dup_other": dup_other,
            "repat": repat, "base": base, "scale": scale,
            "cit_cap": np.where(detailed, _GL_V - 1, 0)}  # own country: Nationals instead


def chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    header = HEADER
    # The chunk owns the groups whose slot starts within its rows, so chunks never repeat a
    # (country, year, indicator). Tiny chunks too small for their groups borrow the next groups
    # (only a file of a few hundred rows, a single chunk, ever does).
    first, end = _glotip_group_at(start), _glotip_group_at(start + n)
    lay = _glotip_layout(rng, np.arange(first, max(end, first + 1)))
    while lay["base"].sum() + lay["cit_cap"].sum() < n:
        more = _glotip_layout(rng, np.arange(lay["groups"][-1] + 1, lay["groups"][-1] + 9))
        lay = {k: np.concatenate([lay[k], more[k]]) for k in lay}
    b = len(lay["groups"])
    ind, country, total, scale = lay["ind"], lay["country"], lay["total"], lay["scale"]

    # Citizenships per group: what the chunk's rows still need, shared out by indicator weight
    # and a random size, up to every country (plus Nationals and Unknown).
    need = n - int(lay["base"].sum())
    cap = lay["cit_cap"]
    weight = GLOTIP_CITIZENSHIP_WEIGHT[ind] * rng.lognormal(0, 0.5, b)
    k = np.zeros(b, dtype=np.int64)
    while need - k.sum() > 0:
        rest = need - k.sum()
        free = np.where(k < cap, weight, 0.0)
        add = np.floor(free / free.sum() * rest).astype(np.int64)
        if add.sum() == 0:
            add[np.flatnonzero(k < cap)[:rest]] = 1
        k = np.minimum(k + add, cap)
    # The k citizenships: weighted draw without replacement (Gumbel top-k), never the reporting
    # country itself (its citizens are "Nationals").
    key = np.log(_GL_CIT_WEIGHT) + rng.gumbel(size=(b, _GL_V))
    key[np.arange(b), country] = -np.inf
    rank = np.empty((b, _GL_V), dtype=np.int64)
    np.put_along_axis(rank, np.argsort(-key, axis=1), np.broadcast_to(np.arange(_GL_V), (b, _GL_V)), axis=1)
    chosen = rank < k[:, None]
    share = chosen * _GL_CIT_WEIGHT * rng.lognormal(0, 1.0, (b, _GL_V))
    hidden = np.where(scale[:, 2] < 1, 1 - scale[:, 2], 0.0)  # not published: a shortfall
    hidden = np.where(share.sum(1) == 0, 1.0, hidden)
    share = share / np.maximum(share.sum(1, keepdims=True), 1e-300) * (1 - hidden[:, None])
    cit_values = rng.multinomial(total, np.concatenate([share, hidden[:, None]], axis=1))[:, :-1]
    cit_values = np.rint(cit_values * np.maximum(scale[:, 2:3], 1)).astype(np.int64)

    # Rows of every breakdown: (group, place in the group, dimension, category, sex, age, value).
    parts = []
    g, c = np.nonzero(lay["total_mask"])
    tv = lay["total_cells"][g, c]
    tv = np.where(c == 0, tv, np.rint(tv * scale[g, 0]).astype(np.int64))  # Total/Total as is
    parts.append((g, c, np.zeros_like(g), np.zeros_like(g), _GL_CELL_SEX[c], _GL_CELL_AGE[c], tv))
    form_mask = lay["form_mask"].copy()
    g, f, c = np.nonzero(form_mask)
    fv = np.rint(lay["form_cells"][g, f, c] * scale[g, 1]).astype(np.int64)
    parts.append((g, 100 + 13 * f + c, np.ones_like(g), _GL_CAT_FORM + f, _GL_CELL_SEX[c],
                  _GL_CELL_AGE[c], fv))
    g = np.flatnonzero(lay["dup_other"])  # the Other forms Total/Total row once more
    dv = np.rint(lay["form_cells"][g, 2, 0] * scale[g, 1]).astype(np.int64)
    parts.append((g, np.full_like(g, 100 + 26), np.ones_like(g), np.full_like(g, _GL_CAT_FORM + 2),
                  np.zeros_like(g), np.zeros_like(g), dv))
    g, v = np.nonzero(chosen)
    cat = np.where(v < _GL_C, _GL_CAT_COUNTRY + v, _GL_CAT_NATIONALS + v - _GL_C)
    parts.append((g, 1000 + _GL_CIT_ORDER[v], np.full_like(g, 2), cat, np.zeros_like(g), np.zeros_like(g),
                  cit_values[g, v]))
    g = np.repeat(np.arange(b), lay["repat"])
    j = np.arange(len(g)) - np.repeat(np.cumsum(lay["repat"]) - lay["repat"], lay["repat"])
    other = (country[g] + 1 + rng.integers(0, _GL_C - 1, len(g))) % _GL_C
    cat = np.where(rng.random(len(g)) < 0.3, _GL_CAT_ABROAD, _GL_CAT_COUNTRY + other)
    rv = np.rint(rng.lognormal(1.8, 1.2, len(g))).astype(np.int64)
    parts.append((g, 5000 + j, np.full_like(g, 3), cat, np.zeros_like(g), np.zeros_like(g), rv))
    grp, place, dim, cat, sex, age, value = (np.concatenate(col) for col in zip(*parts))
    order = np.argsort(grp * 10_000 + place, kind="stable")[:n]  # the last group is cut at n rows
    grp, dim, cat, sex, age, value = grp[order], dim[order], cat[order], sex[order], age[order], value[order]
    assert len(grp) == n, (len(grp), n)

    # Bad rows (~0.05%): a value that is no count, a blank year, a questionnaire item code.
    bad = rng.random(n)
    not_number = bad < 0.0002
    no_year = (bad >= 0.0002) & (bad < 0.00035)
    item = bad >= 0.99985
    item_idx = rng.integers(0, len(GLOTIP_ITEM_CODES), n)
    odd = (dim == 2) & (rng.random(n) < 0.0003)
    cat = np.where(odd, _GL_CAT_ODD + rng.integers(0, len(GLOTIP_ODD_CITIZENSHIPS), n), cat)
    cat = np.where(item, _GL_CAT_ITEM + item_idx, cat)
    dim = np.where(item, 2, dim)
    sex, age = np.where(item, 0, sex), np.where(item, 0, age)

    value_text = pc.if_else(pa.array(value < 5), pa.scalar("<5"), _thousands(value))
    value_text = pc.if_else(pa.array(item), take([v for _, v in GLOTIP_ITEM_CODES], item_idx), value_text)
    value_text = pc.if_else(pa.array(not_number), pa.scalar("n/a"), value_text)
    place_of = country[grp]
    years = take([str(y) for y in range(GLOTIP_FIRST_YEAR, GLOTIP_LAST_YEAR + 1)],
                  lay["year"][grp] - GLOTIP_FIRST_YEAR)
    zeros = pa.array(np.zeros(n, dtype=np.int32))
    cols = {
        "Iso3_code": take([p[0] for p in GLOTIP_COUNTRIES], place_of),
        "Country": take(_GL_NAMES, place_of),
        "Region": take([p[2] for p in GLOTIP_COUNTRIES], place_of),
        "Subregion": take([p[3] for p in GLOTIP_COUNTRIES], place_of),
        "Indicator": take(GLOTIP_INDICATORS, ind[grp]),
        "Dimension": take(GLOTIP_DIMENSIONS, dim),
        "Category": take(GLOTIP_CATEGORIES, cat),
        "Sex": take(GLOTIP_SEX, sex),
        "Age": take(GLOTIP_AGE, age),
        "Year": blank(years, no_year),
        "Unit of measurement": pa.array(["Counts"]).take(zeros),
        "txtVALUE": value_text,
        "Source": pa.array(["GLOTIP"]).take(zeros),
    }
    return pa.table([cols[h] for h in header], names=header)
