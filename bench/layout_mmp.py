"""The IOM Missing Migrants 2025 export layout (`country_2024`, the exact header of
schemas/raw/mmp.py) at scale: incidents in the real file's shape (bench/gen.py says how).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench.draw import weights, as_text, take, blank, numbers
from schemas.raw.mmp import HEADERS

HEADER = HEADERS["country_2024"]
LAYOUT = ("mmp", "Missing_Migrants_Global_Figures_allData.csv")

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


def chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    header = HEADER
    cols: dict[str, pa.Array] = {}
    # Place profile, then an origin drawn from that profile's origins (or the long tail).
    place = rng.choice(len(PLACES), size=n, p=weights([p[4] for p in PLACES]))
    tail = rng.random(n) < TAIL_SHARE
    origin_labels, origin_idx = [], np.zeros(n, dtype=np.int64)
    offset = 0
    for k, profile in enumerate(PLACES):
        labels = [o for o, _ in profile[5]]
        rows = np.flatnonzero(place == k)
        origin_idx[rows] = offset + rng.choice(len(labels), size=len(rows), p=weights([w for _, w in profile[5]]))
        origin_labels += labels
        offset += len(labels)
    tail_rows = np.flatnonzero(tail)
    origin_idx[tail_rows] = offset + rng.integers(0, len(TAIL_ORIGINS), len(tail_rows))
    origin_labels += TAIL_ORIGINS
    incident_country = take([p[2] for p in PLACES] + TAIL_COUNTRIES,
                             np.where(tail, len(PLACES) + rng.integers(0, len(TAIL_COUNTRIES), n), place))
    region = take([p[0] for p in PLACES], place)
    route = blank(take([p[1] for p in PLACES], place), np.array([PLACES[i][1] == "" for i in range(len(PLACES))])[place]
                   | (rng.random(n) < 0.05))
    unsd = take([p[3] for p in PLACES], place)

    year_idx = rng.choice(len(YEARS), size=n, p=weights(YEAR_W))
    years = np.asarray(YEARS)[year_idx]
    day = rng.integers(0, 365, n)
    dates = ((years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day).astype("datetime64[D]")
    date_text = pc.cast(pa.array(dates), pa.string())
    month = (dates.astype("datetime64[M]").astype(np.int64) % 12)
    seq = np.arange(start, start + n)
    ident = pc.binary_join_element_wise(pc.cast(pa.array(years), pa.string()),
                                        pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), 8, "0"), ".MMP")

    # Counts: dead mostly 1, a long tail; missing mostly blank; a few very large incidents.
    dead = rng.choice(np.arange(1, 13), size=n, p=weights([14216, 1653, 795, 357, 271, 203, 149, 110, 90, 70, 60, 50]))
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
    num = numbers(top)
    plain = numbers(top, thousands=False)

    def count(values: np.ndarray, empty: np.ndarray, text: pa.Array = plain) -> pa.Array:
        return blank(take(text, np.maximum(values, 0)), empty)

    missing_text = pc.if_else(pa.array(missing < 0), pa.scalar("-1"), count(missing, missing_blank))

    # A few bad rows: a count that is not a number, a repeated id, no year and no date.
    bad = rng.random(n)
    not_number = bad < 0.0002
    repeated = (bad >= 0.0002) & (bad < 0.0004) & (np.arange(n) > 0)
    no_year = (bad >= 0.0004) & (bad < 0.0006)
    ident = pc.if_else(pa.array(repeated), ident.take(pa.array(np.maximum(np.arange(n) - 1, 0))), ident)

    cols["Main ID"] = ident
    cols["Incident ID"] = ident
    cols["Incident Type"] = take([t for t, _ in INCIDENT_TYPES],
                                  rng.choice(len(INCIDENT_TYPES), size=n, p=weights([w for _, w in INCIDENT_TYPES])))
    cols["Region of Incident"] = region
    cols["Incident Date"] = blank(date_text, no_year)
    cols["Incident Year"] = blank(pc.cast(pa.array(years), pa.string()), no_year)
    cols["Month"] = blank(take(MONTHS, month), no_year)
    dead_text = count(dead, dead_blank)
    cols["Number of Dead"] = pc.if_else(pa.array(not_number), pa.scalar("n/a"), dead_text)
    cols["Minimum Estimated Number of Missing"] = missing_text
    cols["Total Number of Dead and Missing"] = take(num, total)
    cols["Number of Survivors"] = count(survivors, survivors < 0)
    cols["Number of Females"] = count(females, females < 0)
    cols["Number of Males"] = count(males, males < 0)
    cols["Number of Children"] = count(children, children < 0)
    cols["Country of Origin"] = take(origin_labels, origin_idx)
    cols["Region of Origin"] = take(REGIONS_OF_ORIGIN, rng.choice(len(REGIONS_OF_ORIGIN), size=n,
                                                                   p=weights(REGION_OF_ORIGIN_W)))
    cols["Cause of Death"] = take([c for c, _ in CAUSES], rng.choice(len(CAUSES), size=n,
                                                                        p=weights([w for _, w in CAUSES])))
    cols["Country of Incident"] = incident_country
    cols["Migration Route"] = route
    cols["Location of Incident"] = pc.binary_join_element_wise(
        pa.array(["Bench location"] * 1, pa.string()).take(pa.array(np.zeros(n, dtype=np.int32))),
        pc.cast(pa.array(rng.integers(0, 10_000, n)), pa.string()), take([p[2] for p in PLACES] + TAIL_COUNTRIES,
                                                                         np.where(tail, len(PLACES), place)), " ")
    lat = rng.uniform(-35, 50, 13_000).round(6)
    lon = rng.uniform(-120, 70, 13_000).round(6)
    coords = as_text([f"{a}, {b}" for a, b in zip(lat, lon)])
    cols["Coordinates"] = take(coords, rng.integers(0, len(coords), n))
    cols["UNSD Geographical Grouping"] = unsd
    cols["Information Source"] = take(SOURCES_INFO, rng.integers(0, len(SOURCES_INFO), n))
    cols["URL"] = blank(take(URLS, rng.integers(0, len(URLS), n)), rng.random(n) < 0.44)
    cols["Source Quality"] = take(["1", "2", "3", "4", "5", "4,5"],
                                   rng.choice(6, size=n, p=weights([1790, 3355, 2129, 6680, 5252, 13])))
    return pa.table([cols[h] for h in header], names=header)
