"""The letter scorecard section: the 2023 letter answered per government (table
`letter_scorecard`), as plain values for `templates/page/scorecard.html`.

One table per country, a row per stream and line, a column per dimension the letter names;
each cell is the best figure with its source and year, the other sources' figures, or why
there is none.
"""

from __future__ import annotations

import pandas as pd

from pipelines.publish.page.figures import Figure, captions
from pipelines.publish.page.words import country_name, label_of
from pipelines.publish.templating import share, thousands

SCORECARD_LINES = {("deaths", "criminal"): "Deaths, criminal cause",
                   ("deaths", "non_criminal"): "Deaths, non-criminal cause",
                   ("crimes", "sgbv"): "Crimes: sexual and gender-based violence",
                   ("crimes", "all"): "Crimes, all", ("prosecutions", "sgbv"): "Prosecutions: SGBV",
                   ("prosecutions", "all"): "Prosecutions, all"}
SCORECARD_DIMENSIONS = {"sex": "Gender (sex)", "race_ethnicity": "Race / ethnicity",
                        "nationality": "Nationality"}
# The cell's class by status of its first row (colour in page.css).
CELL_CLASS = {"recorded": "sc-yes", "general_population_only": "sc-general",
              "not_recorded": "sc-no", "no_statistics": "sc-none"}


def _count(r) -> str:
    """A figure's count: exact, a range, or a lower bound."""
    if pd.notna(r.value):
        return thousands(round(r.value))
    if pd.notna(r.value_max):
        return f"{thousands(round(r.value_min))}-{thousands(round(r.value_max))}"
    return f"at least {thousands(round(r.value_min))}"


def _figure_text(r) -> str:
    """A figure in words: count, unit, source, year and known share."""
    known = f", {share(float(r.known_share))} known" if pd.notna(r.known_share) else ""
    return f"{_count(r)} {label_of(r.unit)} ({r.source}, {r.year}{known})"


def scorecard_cell(rows: list) -> dict:
    """One cell: its status, class and caveat (`note`); for a figure, its text, what it
    describes, its categories, and the other sources' figures in one line each."""
    r, others = rows[0], rows[1:]
    cell = {"status": r.status, "class": CELL_CLASS.get(r.status, "sc-none"),
            "note": r.note if isinstance(r.note, str) else ""}
    if r.status in ("no_statistics", "not_recorded"):
        return cell
    cell.update(text=_figure_text(r), describes=r.describes, categories=r.categories,
                general_only=r.status == "general_population_only",
                bias=r.measured_by == "bias_motivation",
                others=[{"text": _figure_text(o), "bias": o.measured_by == "bias_motivation",
                         "categories": o.categories} for o in others])
    return cell


def scorecard_section(scorecard: pd.DataFrame) -> dict:
    """The section's data: per country, its name and rows (line, cells in dimension order);
    or, when the table is empty, the figure saying there is no data."""
    countries = []
    for country, rows in scorecard.groupby("country_iso3", sort=False):
        lines = []
        for (stream, line), cells in rows.groupby(["stream", "line"], sort=False):
            by_dim = {d: list(group.sort_values("rank").itertuples())
                      for d, group in cells.groupby("dimension", sort=False)}
            lines.append({"line": SCORECARD_LINES.get((stream, line), f"{stream} {line}"),
                          "cells": [scorecard_cell(by_dim[d]) for d in SCORECARD_DIMENSIONS if d in by_dim]})
        countries.append({"name": country_name(country), "code": country, "lines": lines})
    return {"countries": countries, "dimensions": list(SCORECARD_DIMENSIONS.values()),
            "empty": Figure("scorecard-empty", captions().scorecard_empty(), None)}
