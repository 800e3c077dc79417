"""Synthetic raw files at scale, in the real published layouts, generated deterministically.

    python -m bench.gen --layout mmp --rows 1000000 --out bench/data/raw/1m

Layouts (each written as `<out>/<source>/<snapshot>/<file>.csv` plus a `snapshot.json`
sidecar marked `"sample": true`, so nothing built from them can pass for real statistics):

- `mmp`: the IOM Missing Migrants 2025 export (`country_2024`, the exact header of
  schemas/raw/mmp.py). Incidents follow the real file's shape: a place profile (region, route,
  country of incident, UNSD grouping) picks the origins its migrants come from, causes include
  the multi-valued ones ("Drowning,Harsh environmental conditions / ..."), counts are mostly 1
  with a long tail written "1,022" above 999, the sex and age splits are mostly blank, and about
  0.05% of rows are bad (a non-numeric count, a repeated id, no year and no date).
- `ngo_incidents`: the harmstats NGO incident template (English headers), one victim a row,
  1-4 victims per incident, labels from the maps the module reads; ~0.05% bad rows.
- `ice_detention_deaths`: the compiled ICE list layout (`detailed_2026`), one death a row.
- `unodc_glotip`: the UNODC GLOTIP long layout (`titled_2023`, saved as CSV with the header on
  the first line), one published cell a row, in groups of (country, year, indicator): the
  Total breakdown by sex x age, the forms of exploitation by sex x age, dozens of citizenships,
  a few countries of repatriation. Parts are drawn from the group's total, so they mostly add
  up, with shortfalls (unpublished categories, scaled parts) and some excesses; `txtVALUE` is
  text ("<5" for about half the cells, "8,913"); a few collapsed sub-form rows repeat exactly;
  ~0.05% bad rows ("n/a", no year, a questionnaire item code). Chunks own disjoint groups
  (203 countries x 1950-2024 x 5 indicators, ~11M rows at most), so no group repeats.
- `fbi_incidents`: the FBI Crime Data Explorer incident file `hate_crime.csv` (bench/layout_fbi.py),
  one incident a row, multi-valued bias and offence cells, two-digit-year dates.

Randomness is numpy's PCG64 seeded per chunk (seed, chunk number), so a file is the same
bytes on every machine and run (for a given CHUNK: the draws are made per chunk).
Vocabularies are drawn as integer codes and turned into text with Arrow `take`; DuckDB writes
each chunk's CSV (quoting only where needed, as the publishers' exports do). No Python loop
runs per row: 10M MMP rows take about a minute, 10M GLOTIP rows about 13 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench import layout_fbi
from schemas.raw.ice_detention_deaths import HEADERS as ICE_HEADERS
from schemas.raw.mmp import HEADERS as MMP_HEADERS
from schemas.raw.ngo_incidents import HEADERS as NGO_HEADERS
from schemas.raw.unodc_glotip import HEADERS as GLOTIP_HEADERS

CHUNK = 500_000
SEED = 20250630
SNAPSHOT = "2025-06-30"  # the date in the name orders snapshots; the sidecar says sample

# First day of the years a layout's rows can fall in (the sidecar's period).
PERIOD_START = {"unodc_glotip": "1950-01-01", "fbi_incidents": "1991-01-01"}

LAYOUTS = {
    # layout -> (source id, file name)
    "mmp": ("mmp", "Missing_Migrants_Global_Figures_allData.csv"),
    "ngo_incidents": ("ngo_incidents", "incident_log_en.csv"),
    "ice_detention_deaths": ("ice_detention_deaths", "all_deaths_detailed.csv"),
    "unodc_glotip": ("unodc_glotip", "data_glotip.csv"),
    "fbi_incidents": layout_fbi.LAYOUT,
}

# --- vocabularies ------------------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

# Place profiles of the MMP 2025 export: (region, route, country of incident, UNSD grouping,
# weight, origins as (label, weight)). Weights follow the real file's top places.
_US_ORIGINS = [("Unknown", 48), ("Mexico", 30), ("Guatemala", 10), ("Honduras", 3),
               ("El Salvador", 2.5), ("Ecuador", 1.3), ("Cuba", 0.6), ("Nicaragua", 0.6),
               ("Honduras,Unknown", 0.3), ("Mexico,Guatemala", 0.2)]
_MX_ORIGINS = [("Unknown", 45), ("Honduras", 16), ("Mexico", 12), ("Guatemala", 7),
               ("El Salvador", 5), ("Cuba", 4), ("Nicaragua", 3.4),
               ("Venezuela (Bolivarian Republic of)", 3), ("Haiti", 1.5), ("Ecuador", 1.5)]
_LY_ORIGINS = [("Unknown", 90), ("Sudan", 2.5), ("Egypt", 2), ("Nigeria", 1), ("Syrian Arab Republic", 1),
               ("Niger", 0.7), ("Bangladesh", 0.7), ("Chad", 0.6), ("Eritrea,Ethiopia,Sudan,Unknown", 0.2),
               ("Mixed", 0.3)]
_WA_ORIGINS = [("Unknown", 85), ("Niger", 4), ("Nigeria", 3), ("Guinea", 2), ("Chad", 1.5),
               ("Mali", 1.5), ("Sierra Leone", 1), ("Côte d'Ivoire", 1), ("Guinea,Mali,Unknown", 0.2)]
_WM_ORIGINS = [("Unknown", 65), ("Morocco", 18), ("Algeria", 8), ("Guinea", 2.5), ("Senegal", 1.5),
               ("Côte d'Ivoire", 1.2), ("Morocco,Unknown", 1), ("Mixed/Unknown", 0.8), ("Cameroon", 0.8)]
_EM_ORIGINS = [("Unknown", 60), ("Syrian Arab Republic", 18), ("Afghanistan", 10), ("Iraq", 4),
               ("Pakistan", 2), ("Somalia", 1.5), ("Iraq,Unknown", 1.5), ("Iran (Islamic Republic of)", 1.2),
               ("State of Palestine", 1)]
_HOA_ORIGINS = [("Ethiopia", 60), ("Unknown", 30), ("Somalia", 4), ("Ethiopia,Somalia", 3),
                ("Yemen", 2), ("Eritrea", 1)]
_DARIEN_ORIGINS = [("Venezuela (Bolivarian Republic of)", 45), ("Unknown", 30), ("Haiti", 10),
                   ("Colombia", 5), ("Ecuador", 4), ("Cuba", 3),
                   ("Colombia,Venezuela (Bolivarian Republic of)", 1.5), ("Peru", 1.5)]
_CHANNEL_ORIGINS = [("Unknown", 35), ("Sudan", 20), ("Eritrea", 12), ("Afghanistan", 10),
                    ("Ethiopia", 7), ("Iran (Islamic Republic of)", 4), ("Syrian Arab Republic", 4),
                    ("Iraq", 4), ("Viet Nam", 4)]
_SEA_ORIGINS = [("Unknown", 40), ("Myanmar", 40), ("Cambodia", 15), ("Lao People's Democratic Republic", 3),
                ("Myanmar,Viet Nam", 1), ("Viet Nam", 1)]
PLACES = [
    ("North America", "US-Mexico border crossing", "United States of America", "Northern America", 4512, _US_ORIGINS),
    ("Southern Asia", "Afghanistan to Iran", "Iran (Islamic Republic of)", "Southern Asia", 3826,
     [("Afghanistan", 97), ("Unknown", 1.5), ("Pakistan", 1), ("Bangladesh", 0.5)]),
    ("Mediterranean", "Central Mediterranean", "Libya", "Uncategorized", 929, _LY_ORIGINS),
    ("Northern Africa", "Sahara Desert crossing", "Libya", "Northern Africa", 912, _LY_ORIGINS),
    ("Central America", "US-Mexico border crossing", "Mexico", "Central America", 874, _MX_ORIGINS),
    ("Central America", "", "Mexico", "Central America", 661, _MX_ORIGINS),
    ("Northern Africa", "Sahara Desert crossing", "Sudan", "Northern Africa", 461, _LY_ORIGINS),
    ("Western Africa", "Sahara Desert crossing", "Niger", "Western Africa", 457, _WA_ORIGINS),
    ("Mediterranean", "Western Mediterranean", "Spain", "Uncategorized", 335, _WM_ORIGINS),
    ("Mediterranean", "Central Mediterranean", "Tunisia", "Uncategorized", 254,
     [("Unknown", 70), ("Tunisia", 18), ("Mixed", 3), ("Mixed/Unknown", 2), ("Algeria", 2),
      ("Tunisia,Unknown", 2), ("Nigeria", 1), ("Côte d'Ivoire,Unknown", 1)]),
    ("Mediterranean", "Eastern Mediterranean", "Greece", "Uncategorized", 233, _EM_ORIGINS),
    ("Central America", "Darien", "Panama", "Central America", 228, _DARIEN_ORIGINS),
    ("Northern Africa", "", "Libya", "Northern Africa", 218, _LY_ORIGINS),
    ("Mediterranean", "Western Mediterranean", "Algeria", "Uncategorized", 213,
     [("Unknown", 60), ("Algeria", 30), ("Niger", 3), ("Morocco", 2), ("Guinea", 2), ("Nigeria", 1.5),
      ("Algeria,Syrian Arab Republic", 1.5)]),
    ("Mediterranean", "Western Mediterranean", "Morocco", "Uncategorized", 204, _WM_ORIGINS),
    ("Mediterranean", "Central Mediterranean", "Italy", "Uncategorized", 185,
     [("Unknown", 60), ("Eritrea", 6), ("Côte d'Ivoire", 6), ("Tunisia", 6), ("Mixed", 6),
      ("Somalia", 5), ("Iraq", 5), ("Afghanistan", 5), ("Bangladesh", 1)]),
    ("Western Africa", "", "Mali", "Western Africa", 182, [("Unknown", 98), ("Guinea", 1.5), ("Guinea,Mali,Unknown", 0.5)]),
    ("Eastern Africa", "Eastern Route to/from EHOA", "Djibouti", "Eastern Africa", 177, _HOA_ORIGINS),
    ("Europe", "English Channel to the UK", "France", "Western Europe", 161, _CHANNEL_ORIGINS),
    ("Mediterranean", "Eastern Mediterranean", "Türkiye", "Uncategorized", 144, _EM_ORIGINS),
    ("Northern Africa", "Sahara Desert crossing", "Egypt", "Northern Africa", 138,
     [("Unknown", 85), ("Sudan", 7), ("Egypt", 3), ("Syrian Arab Republic", 2), ("Somalia", 1.5),
      ("Egypt,Unknown", 1), ("Egypt,State of Palestine,Syrian Arab Republic", 0.5)]),
    ("South-eastern Asia", "", "Thailand", "South-eastern Asia", 135, _SEA_ORIGINS),
    ("Western Africa", "", "Burkina Faso", "Western Africa", 131, [("Unknown", 100)]),
    ("Western Asia", "Eastern Route to/from EHOA", "Yemen", "Western Asia", 129, _HOA_ORIGINS),
    ("Eastern Africa", "Eastern Route to/from EHOA", "Somalia", "Eastern Africa", 125, _HOA_ORIGINS),
    ("Western Asia", "Syria to Türkiye", "Syrian Arab Republic", "Western Asia", 120,
     [("Syrian Arab Republic", 96), ("State of Palestine", 2), ("Iraq", 1), ("Mixed", 1)]),
    ("Northern Africa", "Western Africa / Atlantic route to the Canary Islands", "Spain", "Uncategorized", 115,
     _WA_ORIGINS),
    ("Western Asia", "Türkiye-Europe land route", "Türkiye", "Western Asia", 115, _EM_ORIGINS),
    ("South America", "", "Colombia", "South America", 94, _DARIEN_ORIGINS),
]
# The long tail: ~150 countries of incident and ~400 origin cells in the real file.
TAIL_COUNTRIES = ["Afghanistan", "Angola", "Argentina", "Armenia", "Austria", "Azerbaijan",
                  "Bangladesh", "Belarus", "Belgium", "Benin", "Bolivia (Plurinational State of)",
                  "Bosnia and Herzegovina", "Botswana", "Brazil", "Bulgaria", "Cambodia", "Cameroon",
                  "Canada", "Chad", "Chile", "China", "Costa Rica", "Côte d'Ivoire", "Croatia", "Cuba",
                  "Cyprus", "Democratic Republic of the Congo", "Dominican Republic", "Ecuador",
                  "El Salvador", "Eritrea", "Ethiopia", "Gambia", "Georgia", "Germany", "Ghana",
                  "Guatemala", "Guinea", "Guinea-Bissau", "Haiti", "Honduras", "Hungary", "India",
                  "Indonesia", "Iraq", "Jordan", "Kenya", "Lebanon", "Malaysia", "Malawi",
                  "Mauritania", "Mozambique", "Myanmar", "Nicaragua", "Nigeria", "North Macedonia",
                  "Oman", "Pakistan", "Peru", "Poland", "Saudi Arabia", "Senegal", "Serbia",
                  "South Africa", "South Sudan", "Sri Lanka", "Tanzania", "Uganda", "Ukraine",
                  "United Kingdom of Great Britain and Northern Ireland", "Venezuela (Bolivarian Republic of)",
                  "Viet Nam", "Zambia", "Zimbabwe"]
TAIL_ORIGINS = TAIL_COUNTRIES + ["Unknown", "Unknown", "Unknown", "Mixed", "Mixed/Unknown",
                                 "Somalia", "Sudan", "Syrian Arab Republic", "Yemen", "Mexico",
                                 "Algeria", "Morocco", "Tunisia", "Egypt", "Libya", "Niger",
                                 "Mali", "Burkina Faso", "Sierra Leone", "Liberia", "Togo",
                                 "Iran (Islamic Republic of)", "Nepal", "Philippines",
                                 "Eritrea,Ethiopia", "Guatemala,Honduras", "Afghanistan,Pakistan",
                                 "Sudan,Unknown", "Nigeria,Unknown", "Mali,Senegal,Unknown"]
TAIL_SHARE = 0.06
REGIONS_OF_ORIGIN = ["Southern Asia", "Latin America / Caribbean (P)", "Central America",
                     "Unknown", "Sub-Saharan Africa (P)", "Eastern Africa (P)", "Northern Africa",
                     "South America", "Eastern Africa", "Western Asia", "Caribbean",
                     "Western Africa", "Western / Southern Asia (P)", "South-eastern Asia"]
REGION_OF_ORIGIN_W = [4305, 2875, 2827, 2052, 1609, 1146, 623, 549, 526, 463, 380, 332, 253, 184]
CAUSES = [
    ("Drowning", 4507), ("Mixed or unknown", 4113),
    ("Vehicle accident / death linked to hazardous transport", 3051),
    ("Sickness / lack of access to adequate healthcare", 2387),
    ("Harsh environmental conditions / lack of adequate shelter, food, water", 2380),
    ("Violence", 1910), ("Accidental death", 878),
    ("Drowning,Harsh environmental conditions / lack of adequate shelter, food, water", 10),
    ("Drowning,Mixed or unknown", 5),
    ("Harsh environmental conditions / lack of adequate shelter, food, water,"
     "Sickness / lack of access to adequate healthcare", 4),
    ("Drowning,Violence", 3),
    ("Mixed or unknown,Vehicle accident / death linked to hazardous transport,Violence", 1),
]
INCIDENT_TYPES = [("Incident", 18755), ("Split Incident", 398), ("Cumulative Incident", 93),
                  ("Incident,Split Incident", 9)]
SOURCES_INFO = ["IOM Afghanistan", "Pima County Office of the Medical Examiner (PCOME)",
                "Mixed Migration Monitoring Mechanism Initiative (4Mi)",
                "Centro Internacional Para la Identificacion de Migrantes Desaparecidos (CIPIMD)",
                "United States Customs and Border Patrol (USBP)", "IOM Libya", "IOM Niger",
                "Caminando Fronteras", "Hellenic Coast Guard", "Italian Coast Guard",
                "Alarm Phone", "Médecins Sans Frontières", "Sea-Watch", "UNHCR", "Local media"]
URLS = ["http://www.mixedmigration.org/4mi/", "https://humaneborders.info/app/mapa.asp",
        "http://www.humaneborders.info/", "https://archive.ph/FPE1j"] + \
    [f"https://perma.cc/BENCH-{i:04d}" for i in range(400)]
YEARS = list(range(2014, 2026))
YEAR_W = [1200, 1500, 1511, 1482, 1645, 1815, 1400, 1884, 2289, 2695, 2824, 1500]


def _w(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _text(labels: list[str]) -> pa.Array:
    return pa.array(labels, pa.string())


def _take(labels: list[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    labels = labels if isinstance(labels, pa.Array) else _text(labels)
    return labels.take(pa.array(idx, pa.int32()))


def _blank(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """`values` with the cells under `mask` blank (null: written as an empty field)."""
    return pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)


def _numbers(n: int, thousands: bool = True) -> pa.Array:
    """Text of 0..n-1, with thousands separators above 999 ("1,022") as IOM writes them."""
    return _text([f"{i:,}" if thousands else str(i) for i in range(n)])


# --- MMP ---------------------------------------------------------------------------------------

def _mmp_chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    header = MMP_HEADERS["country_2024"]
    cols: dict[str, pa.Array] = {}
    # Place profile, then an origin drawn from that profile's origins (or the long tail).
    place = rng.choice(len(PLACES), size=n, p=_w([p[4] for p in PLACES]))
    tail = rng.random(n) < TAIL_SHARE
    origin_labels, origin_idx = [], np.zeros(n, dtype=np.int64)
    offset = 0
    for k, profile in enumerate(PLACES):
        labels = [o for o, _ in profile[5]]
        rows = np.flatnonzero(place == k)
        origin_idx[rows] = offset + rng.choice(len(labels), size=len(rows), p=_w([w for _, w in profile[5]]))
        origin_labels += labels
        offset += len(labels)
    tail_rows = np.flatnonzero(tail)
    origin_idx[tail_rows] = offset + rng.integers(0, len(TAIL_ORIGINS), len(tail_rows))
    origin_labels += TAIL_ORIGINS
    incident_country = _take([p[2] for p in PLACES] + TAIL_COUNTRIES,
                             np.where(tail, len(PLACES) + rng.integers(0, len(TAIL_COUNTRIES), n), place))
    region = _take([p[0] for p in PLACES], place)
    route = _blank(_take([p[1] for p in PLACES], place), np.array([PLACES[i][1] == "" for i in range(len(PLACES))])[place]
                   | (rng.random(n) < 0.05))
    unsd = _take([p[3] for p in PLACES], place)

    year_idx = rng.choice(len(YEARS), size=n, p=_w(YEAR_W))
    years = np.asarray(YEARS)[year_idx]
    day = rng.integers(0, 365, n)
    dates = ((years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day).astype("datetime64[D]")
    date_text = pc.cast(pa.array(dates), pa.string())
    month = (dates.astype("datetime64[M]").astype(np.int64) % 12)
    seq = np.arange(start, start + n)
    ident = pc.binary_join_element_wise(pc.cast(pa.array(years), pa.string()),
                                        pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), 8, "0"), ".MMP")

    # Counts: dead mostly 1, a long tail; missing mostly blank; a few very large incidents.
    dead = rng.choice(np.arange(1, 13), size=n, p=_w([14216, 1653, 795, 357, 271, 203, 149, 110, 90, 70, 60, 50]))
    big = rng.random(n) < 0.0004
    dead = np.where(big, rng.integers(100, 1500, n), dead)
    dead_blank = rng.random(n) < 0.039
    missing = np.where(rng.random(n) < 0.086, rng.choice(np.arange(1, 60), size=n), 0)
    missing = np.where(big & (rng.random(n) < 0.5), rng.integers(100, 1500, n), missing)
    missing = np.where(rng.random(n) < 0.003, -1, missing)  # IOM's negative corrections
    missing_blank = missing == 0
    dead_n = np.where(dead_blank, 0, dead)
    total = dead_n + np.maximum(missing, 0)
    total = np.where(total == 0, 1, total)  # blank dead and missing: the total still says 1
    females = np.where(rng.random(n) < 0.30, rng.binomial(dead_n, 0.2), -1)
    males = np.where(rng.random(n) < 0.67, np.maximum(dead_n - np.maximum(females, 0), 0), -1)
    quirk = rng.random(n) < 0.01  # females + males above the total, as IOM's files show
    females = np.where(quirk, total, females)
    males = np.where(quirk, 1, males)
    children = np.where(rng.random(n) < 0.22, rng.binomial(dead_n, 0.15), -1)
    survivors = np.where(rng.random(n) < 0.15, rng.integers(1, 200, n), -1)

    top = int(max(total.max(), dead.max(), missing.max(), 2000)) + 1
    num = _numbers(top)
    plain = _numbers(top, thousands=False)

    def count(values: np.ndarray, blank: np.ndarray, text: pa.Array = plain) -> pa.Array:
        return _blank(_take(text, np.maximum(values, 0)), blank)

    missing_text = pc.if_else(pa.array(missing < 0), pa.scalar("-1"), count(missing, missing_blank))

    # A few bad rows: a count that is not a number, a repeated id, no year and no date.
    bad = rng.random(n)
    not_number = bad < 0.0002
    repeated = (bad >= 0.0002) & (bad < 0.0004) & (np.arange(n) > 0)
    no_year = (bad >= 0.0004) & (bad < 0.0006)
    ident = pc.if_else(pa.array(repeated), ident.take(pa.array(np.maximum(np.arange(n) - 1, 0))), ident)

    cols["Main ID"] = ident
    cols["Incident ID"] = ident
    cols["Incident Type"] = _take([t for t, _ in INCIDENT_TYPES],
                                  rng.choice(len(INCIDENT_TYPES), size=n, p=_w([w for _, w in INCIDENT_TYPES])))
    cols["Region of Incident"] = region
    cols["Incident Date"] = _blank(date_text, no_year)
    cols["Incident Year"] = _blank(pc.cast(pa.array(years), pa.string()), no_year)
    cols["Month"] = _blank(_take(MONTHS, month), no_year)
    dead_text = count(dead, dead_blank)
    cols["Number of Dead"] = pc.if_else(pa.array(not_number), pa.scalar("n/a"), dead_text)
    cols["Minimum Estimated Number of Missing"] = missing_text
    cols["Total Number of Dead and Missing"] = _take(num, total)
    cols["Number of Survivors"] = count(survivors, survivors < 0)
    cols["Number of Females"] = count(females, females < 0)
    cols["Number of Males"] = count(males, males < 0)
    cols["Number of Children"] = count(children, children < 0)
    cols["Country of Origin"] = _take(origin_labels, origin_idx)
    cols["Region of Origin"] = _take(REGIONS_OF_ORIGIN, rng.choice(len(REGIONS_OF_ORIGIN), size=n,
                                                                   p=_w(REGION_OF_ORIGIN_W)))
    cols["Cause of Death"] = _take([c for c, _ in CAUSES], rng.choice(len(CAUSES), size=n,
                                                                        p=_w([w for _, w in CAUSES])))
    cols["Country of Incident"] = incident_country
    cols["Migration Route"] = route
    cols["Location of Incident"] = pc.binary_join_element_wise(
        pa.array(["Bench location"] * 1, pa.string()).take(pa.array(np.zeros(n, dtype=np.int32))),
        pc.cast(pa.array(rng.integers(0, 10_000, n)), pa.string()), _take([p[2] for p in PLACES] + TAIL_COUNTRIES,
                                                                         np.where(tail, len(PLACES), place)), " ")
    lat = rng.uniform(-35, 50, 13_000).round(6)
    lon = rng.uniform(-120, 70, 13_000).round(6)
    coords = _text([f"{a}, {b}" for a, b in zip(lat, lon)])
    cols["Coordinates"] = _take(coords, rng.integers(0, len(coords), n))
    cols["UNSD Geographical Grouping"] = unsd
    cols["Information Source"] = _take(SOURCES_INFO, rng.integers(0, len(SOURCES_INFO), n))
    cols["URL"] = _blank(_take(URLS, rng.integers(0, len(URLS), n)), rng.random(n) < 0.44)
    cols["Source Quality"] = _take(["1", "2", "3", "4", "5", "4,5"],
                                   rng.choice(6, size=n, p=_w([1790, 3355, 2129, 6680, 5252, 13])))
    return pa.table([cols[h] for h in header], names=header)


# --- NGO incident template ---------------------------------------------------------------------

NGO_COUNTRIES = [("Mexico", 55), ("MEX", 5), ("Guatemala", 12), ("United States of America", 6),
                 ("Honduras", 5), ("Panama", 4), ("Colombia", 3), ("Costa Rica", 3), ("", 2),
                 ("El Salvador", 2), ("Nicaragua", 2), ("Ecuador", 1)]
NGO_PLACES = ["Chiapas", "Tabasco", "Oaxaca", "Veracruz", "Sonora", "Chihuahua", "Tamaulipas",
              "Coahuila", "Baja California", "Nuevo León", "Ciudad de México", "Tapachula",
              "Tenosique", "Petén", "Darién", "Tijuana", "Ciudad Juárez", "Reynosa", ""]
NGO_NATIONALITIES = [("Honduras", 25), ("Guatemala", 15), ("El Salvador", 8),
                     ("Venezuela", 12), ("Haiti", 7), ("Cuba", 5), ("Mexico", 4), ("Nicaragua", 4),
                     ("Ecuador", 4), ("Colombia", 3), ("HND", 2), ("GTM", 1), ("", 6), ("unknown", 2),
                     ("Honduras; Guatemala", 0.5), ("stateless", 0.2), ("Peru", 0.5), ("China", 0.3),
                     ("Afghanistan", 0.2), ("India", 0.3), ("Senegal", 0.2), ("Cameroon", 0.2)]
NGO_CRIMES = [("extortion", 18), ("robbery", 17), ("assault", 10), ("kidnapping", 8),
              ("threats", 8), ("abuse of authority or torture", 7), ("other sexual assault", 4),
              ("rape", 3), ("disappearance", 3), ("homicide", 2), ("femicide", 0.5),
              ("trafficking for sexual exploitation", 1.5), ("trafficking for forced labour", 1),
              ("trafficking (purpose unknown)", 0.5), ("aggravated smuggling", 3),
              ("domestic violence", 1.5), ("other gender-based violence", 1),
              ("sexual harassment", 1.5), ("hate crime", 0.5), ("discrimination", 2), ("other", 3),
              ("unknown", 2), ("", 1)]
NGO_PERPETRATORS = [("organised crime", 30), ("state agent", 20), ("common criminal", 20),
                    ("smuggler", 10), ("other migrant", 3), ("intimate partner or family member", 3),
                    ("other", 3), ("unknown", 6), ("", 5)]
NGO_SEX = [("male", 55), ("female", 38), ("intersex", 0.3), ("unknown", 2), ("", 4.7)]
NGO_GENDER = [("man", 40), ("woman", 30), ("transgender or gender diverse", 2), ("unknown", 3),
              ("not asked", 10), ("", 15)]
NGO_AGE_WORDS = [("child", 2), ("adult", 6), ("unknown", 2), ("", 8), ("12-17", 2), ("25-34", 3),
                 ("65+", 0.3)]
YES_NO = [("yes", 35), ("no", 45), ("unknown", 5), ("", 15)]
STAGES_REPORTED = [("reported", 50), ("charged", 10), ("convicted", 3), ("acquitted", 1),
                   ("dismissed or closed", 8), ("pending", 15), ("unknown", 5), ("", 8)]


def _choose(rng: np.random.Generator, pairs, n: int) -> tuple[pa.Array, np.ndarray]:
    idx = rng.choice(len(pairs), size=n, p=_w([w for _, w in pairs]))
    return _take([p for p, _ in pairs], idx), idx


def _ngo_chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    header = NGO_HEADERS["template_en_v1"]
    # Incidents of 1-4 victims: victim numbers restart at 1 within an incident.
    size = rng.choice(4, size=n, p=_w([70, 18, 8, 4])) + 1
    incident_of_row = np.repeat(np.arange(n), size)[:n]
    first = np.r_[0, np.flatnonzero(np.diff(incident_of_row)) + 1]
    victim = np.arange(n) - np.repeat(first, np.diff(np.r_[first, n]))
    incident = pc.binary_join_element_wise(
        pa.array(["INC"] * 1).take(pa.array(np.zeros(n, dtype=np.int32))),
        pc.utf8_lpad(pc.cast(pa.array(start + incident_of_row), pa.string()), 9, "0"), "-")
    years = rng.choice(np.arange(2018, 2026), size=n, p=_w([3, 4, 3, 5, 7, 9, 10, 8]))[incident_of_row]
    day = rng.integers(0, 365, n)[incident_of_row]
    dates = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day
    date_text = pc.cast(pa.array(dates), pa.string())
    month_only = rng.random(n) < 0.02
    date_text = pc.if_else(pa.array(month_only), pc.utf8_slice_codeunits(date_text, 0, 7), date_text)
    bad = rng.random(n)
    date_text = pc.if_else(pa.array(bad < 0.0002), pa.scalar("13/04/2024"), date_text)  # ambiguous
    date_text = _blank(date_text, (bad >= 0.0002) & (bad < 0.0003))
    ages = rng.integers(0, 80, n)
    age_text = _take(_numbers(120, thousands=False), ages)
    words, _ = _choose(rng, NGO_AGE_WORDS, n)
    age_text = pc.if_else(pa.array(rng.random(n) < 0.2), words, age_text)
    age_text = pc.if_else(pa.array((bad >= 0.0003) & (bad < 0.0004)), pa.scalar("about thirty"), age_text)
    reported, reported_idx = _choose(rng, YES_NO, n)
    stage, _ = _choose(rng, STAGES_REPORTED, n)
    said_no = reported_idx == 1
    stage = pc.if_else(pa.array(said_no), pc.if_else(pa.array(rng.random(n) < 0.7), pa.scalar("not reported"),
                                                     pa.scalar(None, pa.string())), stage)
    sex, _ = _choose(rng, NGO_SEX, n)
    crime, _ = _choose(rng, NGO_CRIMES, n)
    crime = pc.if_else(pa.array((bad >= 0.0004) & (bad < 0.0005)), pa.scalar("robery"), crime)
    cols = {
        "Incident ID": incident,
        "Victim number": pc.cast(pa.array(victim + 1), pa.string()),
        "Incident date": date_text,
        "Country of incident": _choose(rng, NGO_COUNTRIES, n)[0],
        "State or municipality (not published)": _take(NGO_PLACES, rng.integers(0, len(NGO_PLACES), n)),
        "Crime type": crime,
        "Perpetrator type": _choose(rng, NGO_PERPETRATORS, n)[0],
        "Victim sex": sex,
        "Gender identity": _choose(rng, NGO_GENDER, n)[0],
        "Age (years or band)": age_text,
        "Nationality": _choose(rng, NGO_NATIONALITIES, n)[0],
        "Indigenous (self-identified)": _choose(rng, YES_NO, n)[0],
        "Afro-descendant (self-identified)": _choose(rng, YES_NO, n)[0],
        "Reported to authorities": reported,
        "Case stage reached": stage,
    }
    return pa.table([cols[h] for h in header], names=header)


# --- ICE compiled list ------------------------------------------------------------------------

ICE_COUNTRIES = [("MEXICO", 30), ("GUATEMALA", 12), ("HONDURAS", 8), ("EL SALVADOR", 7),
                 ("CUBA", 6), ("Mexico", 5), ("INDIA", 3), ("CHINA", 3), ("HAITI", 3),
                 ("JAMAICA", 2), ("DOMINICAN REPUBLIC", 2), ("Venezuela", 2), ("COLOMBIA", 2),
                 ("AFGHANISTA N", 0.5), ("NICARAGUA", 2), ("ECUADOR", 2), ("BRAZIL", 1)]
ICE_CAUSES = [("Hypertensive Cardiovascular Disease", 10), ("Suicide", 8), ("Pneumonia", 6),
              ("Acute Myocardial Infarction", 6), ("COVID-19", 8), ("Sepsis", 4),
              ("Cardiac arrest", 5), ("Pending", 6), ("Unknown", 4), ("Cancer", 3),
              ("Asphyxia due to hanging", 3), ("Homicide", 0.5), ("Blunt force trauma", 1),
              ("Death during enforcement action", 0.5)]
ICE_FACILITIES = [(f"Bench Detention Center {i}", f"Bench City {i}, {st}")
                  for i, st in enumerate(["CA", "TX", "AZ", "GA", "LA", "NM", "FL", "NJ", "PA", "WA"] * 4)]


def _ice_chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    header = ICE_HEADERS["detailed_2026"]
    years = rng.integers(2004, 2026, n)
    dates = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(0, 365, n)
    fac = rng.integers(0, len(ICE_FACILITIES), n)
    ages = rng.integers(18, 85, n)
    cols = {
        "Name": pc.binary_join_element_wise(pa.array(["PERSON"]).take(pa.array(np.zeros(n, dtype=np.int32))),
                                            pc.cast(pa.array(np.arange(start, start + n)), pa.string()), " "),
        "Sex": _choose(rng, [("Male", 90), ("Female", 9), ("", 1)], n)[0],
        "Age": pc.binary_join_element_wise(pc.cast(pa.array(ages), pa.string()),
                                           pa.array(["0"]).take(pa.array(np.zeros(n, dtype=np.int32))), "."),
        "Country": _choose(rng, ICE_COUNTRIES, n)[0],
        "Date_of_Death": pc.cast(pa.array(dates), pa.string()),
        "Cause_of_Death": _choose(rng, ICE_CAUSES, n)[0],
        "Facility_Name": _take([f for f, _ in ICE_FACILITIES], fac),
        "Facility_Location": _take([loc for _, loc in ICE_FACILITIES], fac),
        "Facility_Type": _take(["SPC", "CDF", "IGSA", "BOP", "USMS IGA"], rng.integers(0, 5, n)),
        "PDF_URL": _take([f"https://www.ice.gov/doclib/bench-{i}.pdf" for i in range(50)], rng.integers(0, 50, n)),
        "Period": _take(["FY2003-2017", "FY2018-2024", "FY2025-2026"], rng.integers(0, 3, n)),
    }
    return pa.table([cols[h] for h in header], names=header)


# --- UNODC GLOTIP long layout -------------------------------------------------------------------

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


def _glotip_chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    header = GLOTIP_HEADERS["titled_2023"]
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
    value_text = pc.if_else(pa.array(item), _take([v for _, v in GLOTIP_ITEM_CODES], item_idx), value_text)
    value_text = pc.if_else(pa.array(not_number), pa.scalar("n/a"), value_text)
    place_of = country[grp]
    years = _take([str(y) for y in range(GLOTIP_FIRST_YEAR, GLOTIP_LAST_YEAR + 1)],
                  lay["year"][grp] - GLOTIP_FIRST_YEAR)
    zeros = pa.array(np.zeros(n, dtype=np.int32))
    cols = {
        "Iso3_code": _take([p[0] for p in GLOTIP_COUNTRIES], place_of),
        "Country": _take(_GL_NAMES, place_of),
        "Region": _take([p[2] for p in GLOTIP_COUNTRIES], place_of),
        "Subregion": _take([p[3] for p in GLOTIP_COUNTRIES], place_of),
        "Indicator": _take(GLOTIP_INDICATORS, ind[grp]),
        "Dimension": _take(GLOTIP_DIMENSIONS, dim),
        "Category": _take(GLOTIP_CATEGORIES, cat),
        "Sex": _take(GLOTIP_SEX, sex),
        "Age": _take(GLOTIP_AGE, age),
        "Year": _blank(years, no_year),
        "Unit of measurement": pa.array(["Counts"]).take(zeros),
        "txtVALUE": value_text,
        "Source": pa.array(["GLOTIP"]).take(zeros),
    }
    return pa.table([cols[h] for h in header], names=header)


CHUNK_WRITERS = {"mmp": _mmp_chunk, "ngo_incidents": _ngo_chunk, "ice_detention_deaths": _ice_chunk,
                 "unodc_glotip": _glotip_chunk, "fbi_incidents": layout_fbi.chunk}
HEADER_OF = {"mmp": MMP_HEADERS["country_2024"], "ngo_incidents": NGO_HEADERS["template_en_v1"],
             "ice_detention_deaths": ICE_HEADERS["detailed_2026"],
             "unodc_glotip": GLOTIP_HEADERS["titled_2023"], "fbi_incidents": layout_fbi.HEADER}


def write_csv(layout: str, rows: int, path: Path, seed: int = SEED, chunk: int = CHUNK) -> Path:
    """Write `rows` records of `layout` to `path` (header as published, UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(HEADER_OF[layout])
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    tmp = Path(tempfile.mkdtemp(prefix=".gen-", dir=path.parent))
    try:
        with path.open("wb") as out:
            out.write(buffer.getvalue().encode("utf-8"))
            for number, begin in enumerate(range(0, rows, chunk)):
                n = min(chunk, rows - begin)
                rng = np.random.Generator(np.random.PCG64([seed, number]))
                table = CHUNK_WRITERS[layout](rng, begin, n)
                part = tmp / f"{number}.csv"
                con.register("chunk", table)
                con.execute(f"COPY chunk TO '{part}' (FORMAT csv, HEADER false)")
                con.unregister("chunk")
                with part.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 22)
                part.unlink()
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def write_snapshot(layout: str, rows: int, raw_dir: Path, seed: int = SEED) -> Path:
    """A snapshot folder `raw_dir/<source>/<SNAPSHOT>/` with the CSV and its sidecar. Reused
    when a sidecar with the same layout, rows and seed is there already."""
    source, name = LAYOUTS[layout]
    folder = raw_dir / source / SNAPSHOT
    sidecar = folder / "snapshot.json"
    want = {"layout": layout, "rows": rows, "seed": seed}
    if sidecar.is_file():
        meta = json.loads(sidecar.read_text())
        if meta.get("bench") == want and (folder / name).is_file():
            return folder
    shutil.rmtree(folder, ignore_errors=True)
    write_csv(layout, rows, folder / name, seed)
    meta = {"source": source, "snapshot": SNAPSHOT, "kind": "full", "product": _product(source),
            "period": {"start": PERIOD_START.get(layout, "2014-01-01"), "end": SNAPSHOT},
            "landing_page": None,
            "licence": "synthetic benchmark data", "download_url": None, "retrieved": None,
            "sample": True, "note": "SYNTHETIC BENCHMARK DATA (bench/gen.py): not real statistics.",
            "bench": want,
            # sha256 left out on purpose: the pipeline hashes the file itself when absent.
            "files": {name: {"bytes": (folder / name).stat().st_size}}}
    sidecar.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return folder


def _product(source: str) -> str:
    """The product a source's sidecar names (as its module declares it)."""
    from pipelines.sources.registry import SOURCES
    return SOURCES[source].product


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layout", choices=sorted(LAYOUTS), required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="raw folder to write into")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    folder = write_snapshot(args.layout, args.rows, args.out, args.seed)
    print(f"{folder}: {args.rows:,} rows in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
