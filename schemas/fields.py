"""Field factories shared by the curated models, so a column means the same in every table."""

from __future__ import annotations

from functools import partial

import pandera.pandas as pa

from schemas import codes


def code_field(allowed, description: str, with_all: bool = False, **kwargs):
    """A text column restricted to a code list (plus `all` in statistics tables)."""
    values = list(allowed) + ([codes.ALL] if with_all else [])
    return pa.Field(isin=values, description=description, metadata={"codes": values}, **kwargs)


def count_field(description: str, nullable: bool = True):
    """A whole-number count (BIGINT); null where the source leaves it blank."""
    return pa.Field(nullable=nullable, description=description, metadata={"unit": "persons"})


text_field = partial(pa.Field, nullable=True)

ISO3_PATTERN = r"^(?:[A-Z]{3}|UNKNOWN|NOT_RECORDED|MULTIPLE|STATELESS|FOREIGN_UNSPECIFIED|M49_\d{3})$"
