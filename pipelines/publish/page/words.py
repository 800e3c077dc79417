"""Codes as the page names them, and the colours of each set of categories.

A chart's categories are named in words (`non_criminal` -> `non-criminal`) and coloured by
`palette(codes, labels, colours)`: label -> colour, in the order the chart stacks them.
"""

from __future__ import annotations

import pandas as pd
import pycountry

NEUTRAL = "#4c78a8"
CRIMINAL = {"criminal": "#b2182b", "non_criminal": "#2166ac", "undetermined": "#9e9e9e"}
CRIMINAL_LABELS = {"non_criminal": "non-criminal"}
SEX = {"female": "#d95f02", "male": "#1b9e77", "other": "#7570b3", "unknown": "#bdbdbd",
       "not_recorded": "#eeeeee"}
SGBV = {"yes": "#7b3294", "no": "#a6dba0", "unknown": "#bdbdbd"}
SGBV_LABELS = {"yes": "SGBV", "no": "not SGBV"}
CITIZENSHIP = {"foreign": "#d95f02", "nationals": "#4c78a8", "unknown": "#bdbdbd"}
CITIZENSHIP_LABELS = {"foreign": "foreign nationals", "unknown": "unknown or not recorded"}
NATIONALITY = {"known": NEUTRAL, "unknown": "#bdbdbd", "not_recorded": "#dddddd"}
NATIONALITY_LABELS = {"known": "nationality known", "unknown": "nationality unknown",
                      "not_recorded": "nationality not recorded"}
RECORDED = {"yes": "#1a9850", "partly": "#fdae61", "no": "#d73027", "n/a": "#f0f0f0"}
RECORDED_LABELS = {"yes": "recorded", "partly": "partly recorded", "no": "not recorded"}
LIGHT = ("#bdbdbd", "#eeeeee", "#a6dba0", "#fdae61", "#dddddd", "#f0f0f0")  # dark text on these

LETTER_DIMENSIONS = {"sex": "Sex", "gender_identity": "Gender identity", "age_group": "Age",
                     "nationality": "Nationality", "race_ethnicity": "Race / ethnicity"}
FUNNEL_STAGES = ("reported", "recorded", "suspect_identified", "prosecuted", "convicted")
STAGE_LABELS = {"suspect_identified": "suspect identified"}
SPECIAL_NATIONALITY = {"MULTIPLE": "Several nationalities", "STATELESS": "Stateless",
                       "FOREIGN_UNSPECIFIED": "Foreign, unspecified", "UNKNOWN": "Unknown",
                       "NOT_RECORDED": "Not recorded", "XKX": "Kosovo",
                       "OTHER": "Other (a recoded group of rare nationalities)"}
NOT_KNOWN = ("unknown", "not_recorded", "UNKNOWN", "NOT_RECORDED")


def label_of(code: str, labels: dict[str, str] | None = None) -> str:
    """A code as words: `non_criminal` -> `non criminal`, unless `labels` names it."""
    return (labels or {}).get(code, str(code).replace("_", " "))


def palette(colours: dict[str, str], labels: dict[str, str] | None = None,
            codes=None) -> dict[str, str]:
    """label -> colour of the categories `codes` (default: all of `colours`), in order."""
    return {label_of(c, labels): colours[c] for c in (codes if codes is not None else colours)}


def dark_text(colours_by_label: dict[str, str]) -> tuple[str, ...]:
    """The labels whose colour is light: text on them is dark."""
    return tuple(label for label, colour in colours_by_label.items() if colour in LIGHT)


def stage_label(stage: str) -> str:
    return label_of(stage, STAGE_LABELS)


def given(value) -> str:
    """A metadata cell as text; empty when it is missing (None, NaN, NA), never "nan"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def country_name(code: str) -> str:
    """A country or nationality code as a name: `MEX` -> `Mexico`."""
    if code in SPECIAL_NATIONALITY:
        return SPECIAL_NATIONALITY[code]
    if str(code).startswith("M49_"):
        return f"Region (UN M49 {code[4:]})"
    found = pycountry.countries.get(alpha_3=str(code))
    if found is not None:
        return getattr(found, "common_name", None) or found.name
    return str(code)


def short_title(title: str) -> str:
    """A source's title up to its first comma or parenthesis: for chart labels."""
    for mark in (", ", " ("):
        title = title.split(mark)[0]
    return title


def slug(*parts) -> str:
    """A figure id from its parts: `deaths-year-mmp-2025-05-05`."""
    return "-".join(str(p) for p in parts).lower().replace(" ", "-")
