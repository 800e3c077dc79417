"""Free-text columns of the lists of deaths on the way to Europe (UNITED's list, The Migrants'
Files): read for a cause and for custody, never copied.

Their free-text columns (UNITED's `cause of death`, The Migrants' Files' `description`) are
personal: they may name the dead. They are declared `free_text_columns` of their source (the
name check fingerprints their whole values) and never copied into a curated row: not as
`cause_native`, not into `unmapped_values` (a text no rule reads is counted there under one
placeholder value), not into the quarantine (no row is rejected on them).
"""

from __future__ import annotations

import re

import pandas as pd

from pipelines.harmonize.categories import map_causes
from pipelines.harmonize.unmapped import UnmappedLog

# The value `unmapped_values` shows for free text no rule read: the text itself is personal.
FREE_TEXT_PLACEHOLDER = "(free text, not copied)"
# A death in custody, as the lists write it: in detention, prison, a police cell, a
# deportation or removal centre, or during a deportation.
CUSTODY = re.compile(r"detention|detainee|\bprison|\bjail|\bcustody|police (?:cell|station)|"
                     r"\bcell\b|deportation (?:centre|center|camp|prison)|removal centre|"
                     r"holding centre|during (?:his |her |their )?deportation|"
                     r"while being deported", re.IGNORECASE)


def free_text_causes(text: pd.Series, schemes: tuple[str, ...], log: UnmappedLog,
                     column: str) -> pd.DataFrame:
    """cause, criminal, criminal_rule of free-text cells (`map_causes`), counting the cells no
    rule reads in `log` under a placeholder instead of their text."""
    private = UnmappedLog()
    mapped = map_causes(text, schemes, private, column)
    unread = sum(n for (_, _, _), n in private.counts.items())
    if unread:
        log.counts[("causes", column, FREE_TEXT_PLACEHOLDER)] += unread
    return mapped


def custody_scope(text: pd.Series) -> pd.Series:
    """`in_custody` where a free-text cell says the death was in custody; `unknown` otherwise
    (the lists hold deaths in transit, in custody and at destination, and say which only in
    words)."""
    in_custody = text.astype("str").str.contains(CUSTODY, regex=True)
    return in_custody.map({True: "in_custody", False: "unknown"}).astype("str")
