"""What of each public table goes into the extracts: its public columns, the latest snapshot of
each source only, cells withheld by disclosure control written as null; and whether a release
is sample data. Used by the extracts, their READMEs, `harmstats export` and the page."""

from __future__ import annotations

from functools import partial

import pandas as pd

from pipelines.publish.layout import PRIVATE_COLUMNS
from pipelines.stored import BatchView
from schemas.tables import TABLES

# The order extracts are listed in (the statistics first, then the metadata tables).
EXTRACT_TABLES = ("deaths_stats", "crimes_stats", "prosecutions_stats", "letter_scorecard",
                  "deaths_overlap", "deaths_linked_race", "deaths_estimates", "coverage",
                  "sources", "source_inconsistencies")
# Tables built from the public tables' latest rows (pipelines/publish/scorecard.py): published
# as they are, rows without a source included.
DERIVED_TABLES = ("letter_scorecard",)
STATS_DIMENSIONS = {
    "deaths_stats": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                     "country_iso3", "cause", "criminal", "scope", "status"),
    "crimes_stats": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                     "country_iso3", "crime_type", "sgbv", "bias_motivation", "perpetrator"),
    "prosecutions_stats": ("sex", "gender_identity", "age_group", "nationality",
                           "race_ethnicity", "country_iso3", "offence", "sgbv"),
}
STREAM_OF = {"deaths_stats": "deaths", "crimes_stats": "crimes", "prosecutions_stats": "prosecutions"}


def public_columns(name: str) -> list[str]:
    """The columns of a public table that may leave the catalog, in schema order."""
    hidden = PRIVATE_COLUMNS.get(name, ())
    return [c for c in TABLES[name].to_schema().columns if c not in hidden]


def _empty(name: str) -> pd.DataFrame:
    columns = TABLES[name].to_schema().columns
    return pd.DataFrame({c: pd.Series(dtype=col.dtype.type) for c, col in columns.items()})


def withhold_suppressed(frame: pd.DataFrame) -> pd.DataFrame:
    """Suppressed cells as suppressed: `value`, `value_min` and `value_max` null (as
    disclosure control publishes them), whatever the input holds."""
    if "suppressed" not in frame or frame.empty:
        return frame
    frame = frame.copy()
    hidden = frame["suppressed"].fillna(False).astype(bool)
    for column in ("value", "value_min", "value_max"):
        if column in frame:
            frame[column] = frame[column].astype("Int64").mask(hidden)
    return frame


def latest_keys(sources: pd.DataFrame) -> set[tuple[str, str]]:
    """(source, snapshot) of every latest snapshot."""
    if sources is None or sources.empty:
        return set()
    latest = sources[sources["is_latest"].fillna(False).astype(bool)]
    return set(zip(latest["source"], latest["snapshot"]))


def public_tables(tables: dict) -> dict:
    """Each public table as it is published: latest snapshots only, public columns only,
    suppressed cells withheld. Tables absent from `tables` come out empty. A frame comes out
    as a frame; a stored table as a `BatchView` giving its public rows frame by frame."""
    latest = latest_keys(tables.get("sources"))
    out = {}
    for name in EXTRACT_TABLES:
        data = tables.get(name)
        data = _empty(name) if data is None else data
        published = partial(public_rows, name, latest=latest)
        out[name] = published(data) if isinstance(data, pd.DataFrame) else BatchView(data, published)
    return out


def public_rows(name: str, frame: pd.DataFrame, latest: set[tuple[str, str]]) -> pd.DataFrame:
    """The rows of (a frame of) table `name` as published: latest snapshots only (`is_latest`,
    or (source, snapshot) in `latest`), public columns only, suppressed cells withheld."""
    if "is_latest" in frame:
        frame = frame[frame["is_latest"].fillna(False).astype(bool)]
    elif name not in DERIVED_TABLES and {"source", "snapshot"} <= set(frame.columns) and len(frame):
        keys = pd.Series(list(zip(frame["source"], frame["snapshot"])), index=frame.index)
        frame = frame[keys.isin(latest)]
    columns = public_columns(name)
    frame = frame.reindex(columns=columns) if set(columns) - set(frame.columns) else frame[columns]
    return withhold_suppressed(frame.reset_index(drop=True))


def is_sample(tables: dict[str, pd.DataFrame], sample: bool = False) -> bool:
    """Sample when the release says so or any input snapshot is sample data."""
    sources = tables.get("sources")
    if sample:
        return True
    if sources is None or sources.empty:
        return False
    flagged = sources["is_sample"].fillna(False).astype(bool).any() if "is_sample" in sources else False
    return bool(flagged or sources["snapshot"].astype(str).str.upper().str.startswith("SAMPLE").any())
