"""`letter_scorecard`: the 2023 letter answered per government (USA, MEX, CAN), stream and
dimension, from the public statistics and `coverage` (pipelines/publish/scorecard.py builds it;
its rules for the best figure: docs/letter_scorecard.md)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.fields import code_field

COUNTRIES = ("USA", "MEX", "CAN")
LINES = ("criminal", "non_criminal", "sgbv", "all")
DIMENSIONS = ("sex", "race_ethnicity", "nationality")
STATUS = ("recorded", "general_population_only", "also_recorded", "not_recorded", "no_statistics")
MEASURED_BY = ("sex", "race_ethnicity", "nationality", "bias_motivation")


class LetterScorecard(pa.DataFrameModel):
    """Per country the letter was sent to, stream (deaths by criminal / non-criminal cause;
    crimes and prosecutions, SGBV first) and dimension the letter names (gender as sex, race,
    nationality): each source's best figure for its latest year, ranked (`rank` 1: the best of
    all), or one row saying why there is none. A figure comes from one source: sources are
    never added. Built from the public tables only (latest snapshots, disclosure control
    applied)."""

    country_iso3: Series[str] = code_field(COUNTRIES, "Government the letter was sent to; the "
                                           "figures are those recorded in this country.")
    stream: Series[str] = code_field(("deaths", "crimes", "prosecutions"), "Stream.")
    line: Series[str] = code_field(LINES, "Which part of the stream: deaths by criminal or "
                                   "non_criminal cause (`criminal` in deaths_stats); crimes and "
                                   "prosecutions of sexual and gender-based violence (sgbv) or "
                                   "all of them (all).")
    dimension: Series[str] = code_field(DIMENSIONS, "The letter's dimension: sex (the letter's "
                                        "'gender'), race_ethnicity or nationality.")
    rank: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=1, description="1: the best figure "
                                           "by the rules; 2, 3...: other sources' figures, in the "
                                           "same order; null on a row without a figure.")
    status: Series[str] = code_field(STATUS, "On rank 1: recorded (a figure for migrants) or "
                                     "general_population_only (figures exist only for everyone "
                                     "in the country, population = general); also_recorded: "
                                     "another source's figure (rank 2 and more); "
                                     "not_recorded: sources publish this line for the country but "
                                     "none records the dimension; no_statistics: no source "
                                     "publishes this line for the country.")
    source: Series[str] = pa.Field(nullable=True, description="Source of the figure (null "
                                   "without one).")
    snapshot: Series[str] = pa.Field(nullable=True, description="Its snapshot (the latest).")
    year: Series[pd.Int32Dtype] = pa.Field(nullable=True, description="Year of the figure.")
    year_basis: Series[str] = pa.Field(nullable=True, description="What the year is the year of.")
    partial_year: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="The year is "
                                                     "partial (only when no full year records "
                                                     "the dimension).")
    unit: Series[str] = pa.Field(nullable=True, description="What the figure counts.")
    subject: Series[str] = pa.Field(nullable=True, description="Whose attributes: victim, "
                                    "offender or incident; null for deaths (the person who died "
                                    "or went missing).")
    population: Series[str] = pa.Field(nullable=True, description="migrants, or general (everyone "
                                       "in the country: its nationality dimension is how it "
                                       "speaks about migrants). Deaths count migrants only.")
    stage: Series[str] = pa.Field(nullable=True, description="Stage of the prosecutions funnel "
                                  "(prosecutions only).")
    breakdown: Series[str] = pa.Field(nullable=True, description="The source's breakdown the "
                                      "figure comes from (the one publishing the dimension).")
    measured_by: Series[str] = code_field(MEASURED_BY, "The "
                                        "statistics column the figure splits: the dimension "
                                        "itself, or bias_motivation (hate crime: the group the "
                                        "offender targeted, never the victim's own race).",
                                        nullable=True)
    describes: Series[str] = pa.Field(nullable=True, description="What the split describes, in "
                                      "words (e.g. victim's sex; offender's bias motivation).")
    value: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="The count of the "
                                            "line in that breakdown (sum of its categories, "
                                            "unknown included); null when a part is withheld or "
                                            "a range.")
    value_min: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="Lower bound "
                                                "of the count.")
    value_max: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="Upper bound "
                                                "(null when a part is withheld without bounds).")
    known_share: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="Share of the "
                                          "count with a known value of `measured_by` (a lower "
                                          "bound where parts are withheld or ranges), in whole "
                                          "percents (two decimals).")
    categories: Series[str] = pa.Field(nullable=True, description="The known categories and "
                                       "their counts, largest first (for bias_motivation: the "
                                       "motivations that speak to the dimension).")
    sources_checked: Series[str] = pa.Field(nullable=True, description="Sources publishing this "
                                            "line for the country in this release.")
    note: Series[str] = pa.Field(description="What to keep in mind when quoting the row.")

    class Config:
        name = "letter_scorecard"
        strict = True
        coerce = True
