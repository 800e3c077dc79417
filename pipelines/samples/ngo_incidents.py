"""Sample submissions of the NGO incident log template, invented from start to finish:

- SAMPLE-2025-12-31: a shelter network's English CSV, about 900 victims of incidents from 2021
  to 2025, values written as the template lists them, with the variation people type (ISO
  codes beside country names, "organized crime", ages in years, bands and words, blank cells).
- SAMPLE-2025-06-30: a Spanish XLSX (first sheet; dates as spreadsheet dates or DD/MM/AAAA,
  ages as numbers), about 450 victims from 2023 to mid-2025, and a few deliberately bad rows
  (five: unknown crime type with a stage inconsistent with "not reported", impossible date,
  misspelt nationality with a band spanning 18, a repeated victim number, a blank incident ID
  with an unknown sex): the check report lists them row by row, in Spanish.

Every breakdown is exercised: sex (incl. intersex and unknown), gender identity (incl. trans
and "not asked"), child / adult / unknown ages, many nationalities plus several, stateless and
unknown, every perpetrator type, every crime type, Indigenous and Afro-descendant answers
(both, one, neither, unknown), every case stage, and small cells.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from pipelines.ngo.template import write_csv, write_xlsx
from pipelines.samples.common import rng, write_sidecar
from pipelines.sources.ngo_incidents import SOURCE

# (code, English as typed, Spanish as typed, weight)
CRIMES = [
    ("robbery", "robbery", "robo", 22), ("extortion", "extortion", "extorsión", 12),
    ("assault", "assault", "agresión física", 9), ("kidnapping", "kidnapping", "secuestro", 7),
    ("threats", "threats", "amenazas", 5), ("rape", "rape", "violación", 5),
    ("sexual_assault_other", "other sexual assault", "otra agresión sexual", 4),
    ("sexual_harassment", "sexual harassment", "acoso sexual", 3),
    ("trafficking_sexual_exploitation", "trafficking for sexual exploitation",
     "trata con fines de explotación sexual", 3),
    ("trafficking_forced_labour", "trafficking for forced labour",
     "trata con fines de trabajo forzado", 2),
    ("trafficking_other", "trafficking for other purposes", "trata con otros fines", 1),
    ("trafficking_unspecified", "trafficking (purpose unknown)", "trata (fin desconocido)", 1),
    ("abuse_of_authority", "abuse of authority or torture", "abuso de autoridad o tortura", 6),
    ("smuggling_aggravated", "aggravated smuggling", "tráfico de personas agravado", 3),
    ("domestic_violence", "domestic violence", "violencia familiar", 2),
    ("gender_violence_other", "other gender-based violence", "otra violencia de género", 1),
    ("disappearance", "disappearance", "desaparición", 1), ("homicide", "homicide", "homicidio", 1),
    ("femicide", "femicide", "feminicidio", 0.5), ("hate_crime", "hate crime", "crimen de odio", 1),
    ("discrimination", "discrimination", "discriminación", 2), ("other", "other", "otro", 1),
    ("unknown", "", "desconocido", 1),
]
SGBV = {"rape", "sexual_assault_other", "sexual_harassment", "trafficking_sexual_exploitation",
        "domestic_violence", "gender_violence_other", "femicide"}
PERPETRATORS = {  # code: (English forms, Spanish forms)
    "state_agent": (["state agent", "police", "migration officer"],
                    ["agente del Estado", "policía", "agente de migración"]),
    "organised_crime": (["organised crime", "organized crime"], ["crimen organizado"]),
    "smuggler": (["smuggler"], ["traficante de personas", "pollero"]),
    "common_criminal": (["common criminal"], ["delincuencia común"]),
    "intimate_partner_or_family": (["intimate partner or family member"], ["pareja o familiar"]),
    "other_migrant": (["other migrant"], ["otra persona migrante"]),
    "other": (["other"], ["otro"]),
    "unknown": (["unknown", ""], ["desconocido", ""]),
}
PERPETRATOR_BY_CRIME = {
    "abuse_of_authority": {"state_agent": 9, "unknown": 1},
    "domestic_violence": {"intimate_partner_or_family": 1},
    "smuggling_aggravated": {"smuggler": 9, "unknown": 1},
    "kidnapping": {"organised_crime": 6, "smuggler": 2, "state_agent": 1, "unknown": 1},
    "extortion": {"organised_crime": 5, "state_agent": 3, "common_criminal": 1, "unknown": 1},
}
PERPETRATOR_DEFAULT = {"organised_crime": 3, "common_criminal": 4, "state_agent": 2, "smuggler": 1,
                       "other_migrant": 1, "intimate_partner_or_family": 0.5, "other": 0.5,
                       "unknown": 2}
# (ISO3, English forms, Spanish forms, weight, Indigenous share, Afro-descendant share)
NATIONALITIES = [
    ("HND", ["Honduras", "HND"], ["Honduras", "hondureña"], 26, 0.06, 0.12),
    ("GTM", ["Guatemala", "GTM"], ["Guatemala"], 18, 0.4, 0.01),
    ("SLV", ["El Salvador"], ["El Salvador"], 10, 0.03, 0.0),
    ("VEN", ["Venezuela", "VEN"], ["Venezuela", "venezolana"], 12, 0.01, 0.08),
    ("HTI", ["Haiti"], ["Haití"], 8, 0.0, 0.9),
    ("CUB", ["Cuba"], ["Cuba"], 5, 0.0, 0.3),
    ("NIC", ["Nicaragua"], ["Nicaragua"], 4, 0.05, 0.05),
    ("ECU", ["Ecuador"], ["Ecuador"], 3, 0.1, 0.05),
    ("COL", ["Colombia"], ["Colombia"], 2, 0.03, 0.1),
    ("MEX", ["Mexico"], ["México"], 3, 0.3, 0.02),
    ("CMR", ["Cameroon"], ["Camerún"], 1, 0.0, 0.95),
    ("IND", ["India"], ["India"], 0.5, 0.0, 0.0),
    ("CHN", ["China"], ["China"], 0.3, 0.0, 0.0),
    ("STATELESS", ["stateless"], ["apátrida"], 0.3, 0.0, 0.0),
    ("MULTIPLE", ["Honduras; Guatemala"], ["Venezuela; Colombia"], 0.4, 0.0, 0.0),
    ("UNKNOWN", ["", "unknown"], ["", "desconocida"], 2, 0.0, 0.0),
]
# (English forms, Spanish forms, weight)
COUNTRIES = [(["Mexico", "MEX"], ["México", "MEX"], 70), (["Guatemala"], ["Guatemala"], 10),
             (["United States", "USA"], ["Estados Unidos"], 14), (["Honduras"], ["Honduras"], 2),
             ([""], [""], 2)]
PLACES = ["Tapachula, Chiapas", "Tenosique, Tabasco", "Coatzacoalcos, Veracruz",
          "Ciudad Juárez, Chihuahua", "Reynosa, Tamaulipas", "Tijuana, Baja California",
          "Saltillo, Coahuila", "Ixtepec, Oaxaca", "Sample County, Texas", "Sample town near Tecún Umán"]
STAGES = {  # code: (English, Spanish), weights among victims who reported
    "reported": ("reported", "denunciado", 30), "prosecuted": ("charged", "con cargos", 12),
    "convicted": ("convicted", "condena", 6), "acquitted": ("acquitted", "absolución", 2),
    "dismissed": ("dismissed or closed", "archivado o sobreseído", 14),
    "pending": ("pending", "en trámite", 16), "unknown": ("unknown", "desconocido", 8),
}
YES_NO = {"yes": ("yes", "sí"), "no": ("no", "no"), "unknown": ("unknown", "no se sabe")}


def _pick(r: random.Random, weights: dict):
    return r.choices(list(weights), list(weights.values()))[0]


def _victim(r: random.Random, lang: str, crime: str) -> dict:
    """One victim's attributes as typed in a template of `lang`."""
    i = 0 if lang == "en" else 1
    female_share = 0.85 if crime in SGBV else 0.3
    sex = ("female" if r.random() < female_share else "male") if r.random() > 0.04 else \
        r.choice(["unknown", "", "intersex"])
    sex_text = {"female": ("female", "mujer"), "male": ("male", "hombre"),
                "intersex": ("intersex", "intersexual"), "unknown": ("unknown", "desconocido"),
                "": ("", "")}[sex][i]
    roll = r.random()
    if roll < 0.04:
        gender = ("transgender or gender diverse", "trans o de género diverso")[i]
    elif roll < 0.10:
        gender = ("not asked", "no se preguntó")[i]
    elif roll < 0.14:
        gender = ("unknown", "desconocida")[i]
    else:
        gender = {"female": ("woman", "mujer"), "male": ("man", "hombre")}.get(sex, ("", ""))[i]
    nat = r.choices(NATIONALITIES, [n[3] for n in NATIONALITIES])[0]
    child = r.random() < 0.13
    roll = r.random()
    if roll < 0.08:
        age = ""
    elif roll < 0.12:
        age = ("child", "niña o niño")[i] if child else ("adult", "persona adulta")[i]
    elif roll < 0.16:
        age = "12-17" if child else r.choice(["18-24", "25-34", "35-44", "65+"])
    else:
        age = r.randint(1, 17) if child else r.randint(18, 66)
    answers = []
    for share in (nat[4], nat[5]):
        asked = r.random() < 0.8
        answers.append(("yes" if r.random() < share else "no") if asked else
                       r.choice(["unknown", "", "unknown"]))
    reported = _pick(r, {"yes": 35, "no": 55, "unknown": 7, "": 3})
    if reported == "yes":
        stage = STAGES[_pick(r, {k: v[2] for k, v in STAGES.items()})][i]
        stage = "" if r.random() < 0.05 else stage
    elif reported == "no":
        stage = r.choice([("not reported", "no denunciado")[i], ""])
    else:
        stage = r.choice(["", ("unknown", "desconocido")[i]])
    perpetrator = _pick(r, PERPETRATOR_BY_CRIME.get(crime, PERPETRATOR_DEFAULT))
    yes_no = lambda a: YES_NO[a][i] if a else ""  # noqa: E731
    return {"sex": sex_text, "gender": gender, "age": age,
            "nationality": r.choice(nat[1 + i]), "indigenous": yes_no(answers[0]),
            "afro": yes_no(answers[1]), "reported": yes_no(reported), "stage": stage,
            "perpetrator": r.choice(PERPETRATORS[perpetrator][i])}


def sample_rows(r: random.Random, lang: str, victims: int, start: date, end: date,
                xlsx: bool = False) -> list[list]:
    """Rows of a filled template: incidents of one to four victims, dates in order."""
    rows, number = [], 0
    i = 0 if lang == "en" else 1
    span = (end - start).days
    while len(rows) < victims:
        number += 1
        when = start + timedelta(days=int(span * (len(rows) / victims)) + r.randint(0, 6))
        when = min(when, end)
        crime = r.choices(CRIMES, [c[3] for c in CRIMES])[0]
        size = r.choices([1, 2, 3, 4], [80, 12, 5, 3])[0]
        country = r.choices(COUNTRIES, [c[2] for c in COUNTRIES])[0]
        country = r.choice(country[i])
        place = r.choice(PLACES) if r.random() < 0.85 else ""
        if xlsx and r.random() < 0.7:
            written = when  # a spreadsheet date
        elif lang == "es" and r.random() < 0.5:
            written = when.strftime("%d/%m/%Y")
        elif r.random() < 0.03:
            written = when.strftime("%Y-%m")  # only the month known
        else:
            written = when.isoformat()
        prefix = "INC" if lang == "en" else "INC-ES"
        for victim in range(1, size + 1):
            v = _victim(r, lang, crime[0])
            rows.append([f"{prefix}-{number:05d}", victim if xlsx else
                         ("" if size == 1 and r.random() < 0.3 else str(victim)),
                         written, country, place, crime[1 + i], v["perpetrator"], v["sex"],
                         v["gender"], v["age"], v["nationality"], v["indigenous"], v["afro"],
                         v["reported"], v["stage"]])
    return rows[:victims]


BAD_ROWS_ES = [
    # unknown crime type, and a stage inconsistent with "not reported"
    ["INC-ES-90001", 1, "2025-02-10", "México", "Tapachula, Chiapas", "tráfico de armas",
     "crimen organizado", "hombre", "hombre", 30, "Honduras", "no", "no", "no", "condena"],
    # impossible date
    ["INC-ES-90002", 1, "31/02/2025", "México", "", "robo", "delincuencia común", "mujer",
     "mujer", 25, "Guatemala", "sí", "no", "sí", "denunciado"],
    # misspelt nationality and a band spanning 18
    ["INC-ES-90003", 1, "2025-03-02", "México", "", "extorsión", "agente del Estado", "hombre",
     "hombre", "15-24", "Guatemla", "no", "no", "no se sabe", ""],
    # a good row, then the same incident ID and victim number again
    ["INC-ES-90004", 1, "2025-04-20", "MEX", "", "violación", "crimen organizado", "mujer",
     "mujer", 19, "El Salvador", "no", "no", "sí", "en trámite"],
    ["INC-ES-90004", 1, "2025-04-20", "MEX", "", "violación", "crimen organizado", "mujer",
     "mujer", 22, "El Salvador", "no", "no", "sí", "en trámite"],
    # blank incident ID and an unknown sex
    ["", 1, "2025-05-05", "México", "", "amenazas", "desconocido", "X", "", "", "Cuba", "",
     "", "", ""],
]


def write_samples(raw_dir: Path) -> None:
    """Write SAMPLE-2025-12-31 (English CSV) and SAMPLE-2025-06-30 (Spanish XLSX, with bad rows)."""
    r = rng(SOURCE.id)
    name = "SAMPLE-2025-12-31"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    rows = sample_rows(r, "en", 900, date(2021, 1, 4), date(2025, 12, 20))
    write_csv(folder / "incident_log_2021_2025.csv", "en", rows)
    write_sidecar(folder, SOURCE, name, kind="full", period=("2021-01-01", "2025-12-31"))

    name = "SAMPLE-2025-06-30"
    folder = raw_dir / SOURCE.id / name
    folder.mkdir(parents=True, exist_ok=True)
    rows = sample_rows(r, "es", 450, date(2023, 1, 9), date(2025, 6, 25), xlsx=True)
    for offset, bad in zip((40, 120, 200, 300, 301, 410), BAD_ROWS_ES):
        rows.insert(offset, bad)
    write_xlsx(folder / "registro_incidentes_2023_2025.xlsx", "es", rows)
    write_sidecar(folder, SOURCE, name, kind="full", period=("2023-01-01", "2025-06-30"))
