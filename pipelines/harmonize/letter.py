"""Which of the 2023 letter's dimensions a hate-crime bias motivation speaks to
(maps/bias_letter_dimensions.csv), for the letter scorecard."""

from __future__ import annotations

import csv
from functools import cache

from pipelines.harmonize.categories import MAPS


@cache
def bias_letter_dimensions() -> dict[str, str]:
    """bias code -> race_ethnicity, sex, nationality, none or unknown."""
    with (MAPS / "bias_letter_dimensions.csv").open(encoding="utf-8") as handle:
        return {r["code"]: r["letter_dimension"] for r in csv.DictReader(handle)
                if not r["code"].startswith("#")}
