"""The FBI Crime Data Explorer incident layout (`hate_crime.csv`, 28 quoted columns) at scale.

One incident a row, as the 1991-2020 bulk file: two-digit-year dates (`31-AUG-91`), blank
victim and offender splits, about 0.5% of incidents with several biases listed in BIAS_DESC
(`;`) and flagged M in MULTIPLE_BIAS, about 4% with several offences in OFFENSE_NAME, and
offender race written as the CDE writes it. The label weights follow the shares of the real
1991-2020 file (rounded); the labels are the CDE's published codes, the agencies are invented.
About 0.05% of rows are bad: a repeated INCIDENT_ID, a DATA_YEAR that is not a year.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.raw.fbi_hate_crime import HEADERS

HEADER = HEADERS["incidents"]
LAYOUT = ("fbi_hate_crime", "hate_crime.csv")

BIASES = [("Anti-Black or African American", 34), ("Anti-Jewish", 12.8), ("Anti-White", 11.5),
          ("Anti-Gay (Male)", 10), ("Anti-Hispanic or Latino", 6.4),
          ("Anti-Other Race/Ethnicity/Ancestry", 4.9),
          ("Anti-Lesbian, Gay, Bisexual, or Transgender (Mixed Group)", 3), ("Anti-Asian", 2.9),
          ("Anti-Multiple Races, Group", 2.4), ("Anti-Lesbian (Female)", 2),
          ("Anti-Islamic (Muslim)", 1.8), ("Anti-Other Religion", 1.6),
          ("Anti-American Indian or Alaska Native", 1.1), ("Anti-Catholic", 0.7), ("Anti-Arab", 0.6),
          ("Anti-Protestant", 0.6), ("Anti-Multiple Religions, Group", 0.5),
          ("Anti-Mental Disability", 0.5), ("Anti-Transgender", 0.4),
          ("Anti-Physical Disability", 0.3), ("Anti-Heterosexual", 0.3), ("Anti-Bisexual", 0.3),
          ("Anti-Sikh", 0.15), ("Anti-Female", 0.13), ("Anti-Gender Non-Conforming", 0.12)]
OFFENDER_RACES = [("Unknown", 44.3), ("White", 39.4), ("Black or African American", 13),
                  ("Multiple", 2), ("Asian", 0.7), ("American Indian or Alaska Native", 0.55),
                  ("Native Hawaiian or Other Pacific Islander", 0.04), ("", 0.01)]
OFFENDER_ETHNICITIES = [("", 84), ("Unknown", 11.6), ("Not Hispanic or Latino", 3.4),
                        ("Hispanic or Latino", 0.9), ("Multiple", 0.1)]
OFFENCES = [("Destruction/Damage/Vandalism of Property", 31), ("Intimidation", 29.5),
            ("Simple Assault", 19), ("Aggravated Assault", 10.4), ("Robbery", 1.7),
            ("Burglary/Breaking & Entering", 1.3), ("All Other Larceny", 0.9), ("Arson", 0.55),
            ("Drug/Narcotic Violations", 0.46), ("Not Specified", 0.33),
            ("Theft From Motor Vehicle", 0.31), ("Shoplifting", 0.28)]
VICTIM_TYPES = [("Individual", 79), ("Other", 6.2), ("Business", 4.4),
                ("Religious Organization", 2.8), ("Government", 2.7), ("Society/Public", 2.3),
                ("Individual;Business", 0.5)]
AGENCY_TYPES = [("City", 80), ("County", 14.4), ("University or College", 3.4),
                ("State Police", 1.2), ("Other", 0.6), ("Federal", 0.2)]
LOCATIONS = [("Residence/Home", 29.6), ("Highway/Road/Alley/Street/Sidewalk", 18.9),
             ("Other/Unknown", 13.4), ("School/College", 8), ("Parking/Drop Lot/Garage", 5.7),
             ("Church/Synagogue/Temple/Mosque", 3.8), ("Commercial/Office Building", 2.3)]
STATES = [("CA", 17), ("NY", 9), ("NJ", 8), ("MA", 6), ("MI", 5), ("TX", 5), ("WA", 4),
          ("OH", 4), ("PA", 3), ("FL", 3), ("AZ", 3), ("OR", 2), ("IL", 2), ("MD", 2),
          ("MN", 2), ("CO", 2), ("VA", 2), ("NC", 2), ("DC", 1), ("GA", 1), ("NB", 0.5),
          ("PR", 0.1), ("GM", 0.05)]
REGIONS = ["West", "Northeast", "South", "Midwest"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def _weights(pairs) -> np.ndarray:
    w = np.array([x for _, x in pairs], dtype=float)
    return w / w.sum()


def _pick(rng: np.random.Generator, pairs, n: int) -> pa.Array:
    """n labels drawn with the pairs' weights (an empty label is written as an empty field)."""
    idx = rng.choice(len(pairs), size=n, p=_weights(pairs))
    return pa.array([label for label, _ in pairs]).take(pa.array(idx))


def _joined(rng: np.random.Generator, pairs, n: int, share: float) -> tuple[pa.Array, np.ndarray]:
    """Labels where a `share` of rows list two distinct labels joined by `;`."""
    first, second = _pick(rng, pairs, n), _pick(rng, pairs, n)
    two = (rng.random(n) < share) & ~pc.equal(first, second).to_numpy(zero_copy_only=False)
    both = pc.binary_join_element_wise(first, second, ";")
    return pc.if_else(pa.array(two), both, first), two


def _counts(rng: np.random.Generator, n: int, blank_share: float) -> pa.Array:
    """Small whole numbers as text, blank in a `blank_share` of rows."""
    text = pc.cast(pa.array(rng.choice(4, size=n, p=[0.05, 0.75, 0.15, 0.05])), pa.string())
    return pc.if_else(pa.array(rng.random(n) < blank_share), pa.scalar(None, pa.string()), text)


def chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    """Rows start..start+n of the layout (deterministic for the generator's seed)."""
    years = rng.integers(1991, 2021, n)
    days = rng.integers(0, 365, n)
    dates = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + days
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    day = pc.utf8_lpad(pc.cast(pa.array(day_of_month), pa.string()), 2, "0")
    month = pa.array(MONTHS).take(pa.array(dates.astype("datetime64[M]").astype(int) % 12))
    yy = pc.utf8_lpad(pc.cast(pa.array(years % 100), pa.string()), 2, "0")
    date_text = pc.binary_join_element_wise(day, month, yy, "-")
    ids = np.arange(start, start + n) + 1
    bad = rng.random(n)
    ids = np.where(bad < 0.0003, np.maximum(ids - 1, 1), ids)  # a repeated INCIDENT_ID
    year_text = pc.cast(pa.array(years), pa.string())
    year_text = pc.if_else(pa.array((bad >= 0.0003) & (bad < 0.0005)), pa.scalar("n/a"), year_text)
    bias, two_biases = _joined(rng, BIASES, n, 0.005)
    offence, two_offences = _joined(rng, OFFENCES, n, 0.04)
    state = _pick(rng, STATES, n)
    agency = rng.integers(0, 5000, n)
    zeros = pa.array(np.zeros(n, dtype=np.int32))
    cols = {
        "INCIDENT_ID": pc.cast(pa.array(ids), pa.string()),
        "DATA_YEAR": year_text,
        "ORI": pc.binary_join_element_wise(state, pc.utf8_lpad(pc.cast(pa.array(agency), pa.string()), 7, "0"), ""),
        "PUB_AGENCY_NAME": pc.binary_join_element_wise(pa.array(["Bench Agency"]).take(zeros),
                                                       pc.cast(pa.array(agency), pa.string()), " "),
        "PUB_AGENCY_UNIT": pa.array([None], pa.string()).take(zeros),
        "AGENCY_TYPE_NAME": _pick(rng, AGENCY_TYPES, n),
        "STATE_ABBR": state,
        "STATE_NAME": pc.binary_join_element_wise(pa.array(["State"]).take(zeros), state, " "),
        "DIVISION_NAME": pa.array(["Bench Division"]).take(zeros),
        "REGION_NAME": pa.array(REGIONS).take(pa.array(rng.integers(0, 4, n))),
        "POPULATION_GROUP_CODE": pc.cast(pa.array(rng.integers(1, 10, n)), pa.string()),
        "POPULATION_GROUP_DESC": pa.array(["Cities from 10,000 thru 24,999"]).take(zeros),
        "INCIDENT_DATE": date_text,
        "ADULT_VICTIM_COUNT": _counts(rng, n, 0.8),
        "JUVENILE_VICTIM_COUNT": _counts(rng, n, 0.8),
        "TOTAL_OFFENDER_COUNT": _counts(rng, n, 0.0),
        "ADULT_OFFENDER_COUNT": _counts(rng, n, 0.8),
        "JUVENILE_OFFENDER_COUNT": _counts(rng, n, 0.8),
        "OFFENDER_RACE": _pick(rng, OFFENDER_RACES, n),
        "OFFENDER_ETHNICITY": _pick(rng, OFFENDER_ETHNICITIES, n),
        "VICTIM_COUNT": pc.cast(pa.array(rng.integers(1, 4, n)), pa.string()),
        "OFFENSE_NAME": offence,
        "TOTAL_INDIVIDUAL_VICTIMS": _counts(rng, n, 0.1),
        "LOCATION_NAME": _pick(rng, LOCATIONS, n),
        "BIAS_DESC": bias,
        "VICTIM_TYPES": _pick(rng, VICTIM_TYPES, n),
        "MULTIPLE_OFFENSE": pa.array(np.where(two_offences, "M", "S")),
        "MULTIPLE_BIAS": pa.array(np.where(two_biases, "M", "S")),
    }
    return pa.table([cols[h] for h in HEADER], names=HEADER)
