"""Raw schemas: each format version of each source, exactly as published. Every column is
text and the column set is strict, so a renamed, added or missing column in a new download
fails loudly with the column named."""

from __future__ import annotations

import pandera.pandas as pa


def text_schema(name: str, columns: list[str]) -> pa.DataFrameSchema:
    """A strict all-text schema for one published header."""
    return pa.DataFrameSchema({c: pa.Column(str, nullable=False) for c in columns},
                              strict=True, ordered=False, name=name)
