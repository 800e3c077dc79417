"""The compiled ICE detention deaths list layout (`detailed_2026`) at scale: one death a row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench.draw import take, choose
from schemas.raw.ice_detention_deaths import HEADERS

HEADER = HEADERS["detailed_2026"]
LAYOUT = ("ice_detention_deaths", "all_deaths_detailed.csv")

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


def chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    header = HEADER
    years = rng.integers(2004, 2026, n)
    dates = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(0, 365, n)
    fac = rng.integers(0, len(ICE_FACILITIES), n)
    ages = rng.integers(18, 85, n)
    cols = {
        "Name": pc.binary_join_element_wise(pa.array(["PERSON"]).take(pa.array(np.zeros(n, dtype=np.int32))),
                                            pc.cast(pa.array(np.arange(start, start + n)), pa.string()), " "),
        "Sex": choose(rng, [("Male", 90), ("Female", 9), ("", 1)], n)[0],
        "Age": pc.binary_join_element_wise(pc.cast(pa.array(ages), pa.string()),
                                           pa.array(["0"]).take(pa.array(np.zeros(n, dtype=np.int32))), "."),
        "Country": choose(rng, ICE_COUNTRIES, n)[0],
        "Date_of_Death": pc.cast(pa.array(dates), pa.string()),
        "Cause_of_Death": choose(rng, ICE_CAUSES, n)[0],
        "Facility_Name": take([f for f, _ in ICE_FACILITIES], fac),
        "Facility_Location": take([loc for _, loc in ICE_FACILITIES], fac),
        "Facility_Type": take(["SPC", "CDF", "IGSA", "BOP", "USMS IGA"], rng.integers(0, 5, n)),
        "PDF_URL": take([f"https://www.ice.gov/doclib/bench-{i}.pdf" for i in range(50)], rng.integers(0, 50, n)),
        "Period": take(["FY2003-2017", "FY2018-2024", "FY2025-2026"], rng.integers(0, 3, n)),
    }
    return pa.table([cols[h] for h in header], names=header)
