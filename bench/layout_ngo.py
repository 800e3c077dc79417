"""The harmstats NGO incident template (English headers) at scale: one victim a row, 1-4
victims per incident, labels from the maps the source module reads; ~0.05% bad rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench.draw import weights, take, blank, numbers, choose
from schemas.raw.ngo_incidents import HEADERS

HEADER = HEADERS["template_en_v1"]
LAYOUT = ("ngo_incidents", "incident_log_en.csv")

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


def chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    header = HEADER
    # Incidents of 1-4 victims: victim numbers restart at 1 within an incident.
    size = rng.choice(4, size=n, p=weights([70, 18, 8, 4])) + 1
    incident_of_row = np.repeat(np.arange(n), size)[:n]
    first = np.r_[0, np.flatnonzero(np.diff(incident_of_row)) + 1]
    victim = np.arange(n) - np.repeat(first, np.diff(np.r_[first, n]))
    incident = pc.binary_join_element_wise(
        pa.array(["INC"] * 1).take(pa.array(np.zeros(n, dtype=np.int32))),
        pc.utf8_lpad(pc.cast(pa.array(start + incident_of_row), pa.string()), 9, "0"), "-")
    years = rng.choice(np.arange(2018, 2026), size=n, p=weights([3, 4, 3, 5, 7, 9, 10, 8]))[incident_of_row]
    day = rng.integers(0, 365, n)[incident_of_row]
    dates = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day
    date_text = pc.cast(pa.array(dates), pa.string())
    month_only = rng.random(n) < 0.02
    date_text = pc.if_else(pa.array(month_only), pc.utf8_slice_codeunits(date_text, 0, 7), date_text)
    bad = rng.random(n)
    date_text = pc.if_else(pa.array(bad < 0.0002), pa.scalar("13/04/2024"), date_text)  # ambiguous
    date_text = blank(date_text, (bad >= 0.0002) & (bad < 0.0003))
    ages = rng.integers(0, 80, n)
    age_text = take(numbers(120, thousands=False), ages)
    words, _ = choose(rng, NGO_AGE_WORDS, n)
    age_text = pc.if_else(pa.array(rng.random(n) < 0.2), words, age_text)
    age_text = pc.if_else(pa.array((bad >= 0.0003) & (bad < 0.0004)), pa.scalar("about thirty"), age_text)
    reported, reported_idx = choose(rng, YES_NO, n)
    stage, _ = choose(rng, STAGES_REPORTED, n)
    said_no = reported_idx == 1
    stage = pc.if_else(pa.array(said_no), pc.if_else(pa.array(rng.random(n) < 0.7), pa.scalar("not reported"),
                                                     pa.scalar(None, pa.string())), stage)
    sex, _ = choose(rng, NGO_SEX, n)
    crime, _ = choose(rng, NGO_CRIMES, n)
    crime = pc.if_else(pa.array((bad >= 0.0004) & (bad < 0.0005)), pa.scalar("robery"), crime)
    cols = {
        "Incident ID": incident,
        "Victim number": pc.cast(pa.array(victim + 1), pa.string()),
        "Incident date": date_text,
        "Country of incident": choose(rng, NGO_COUNTRIES, n)[0],
        "State or municipality (not published)": take(NGO_PLACES, rng.integers(0, len(NGO_PLACES), n)),
        "Crime type": crime,
        "Perpetrator type": choose(rng, NGO_PERPETRATORS, n)[0],
        "Victim sex": sex,
        "Gender identity": choose(rng, NGO_GENDER, n)[0],
        "Age (years or band)": age_text,
        "Nationality": choose(rng, NGO_NATIONALITIES, n)[0],
        "Indigenous (self-identified)": choose(rng, YES_NO, n)[0],
        "Afro-descendant (self-identified)": choose(rng, YES_NO, n)[0],
        "Reported to authorities": reported,
        "Case stage reached": stage,
    }
    return pa.table([cols[h] for h in header], names=header)
