"""Steps every deaths source ends with: lineage columns, defaults for what the source does not
record, the consistency flags of the data model, and validation against the curated schema."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.snapshots import Snapshot, sha256_file
from pipelines.sources.base import Curation, CuratedPart, RawTable
from pipelines.harmonize.unmapped import UnmappedLog
from schemas.deaths import Deaths

DEATHS_COLUMNS = list(Deaths.to_schema().columns)

# What a deaths row says when the source has no field for a dimension.
NOT_RECORDED_DEFAULTS = {
    "race_ethnicity": "not_recorded",
    "gender_identity": "not_recorded",
    "nationality": "NOT_RECORDED",
    "country_iso3": "UNKNOWN",
}
NULLABLE_TEXT = ("region", "route", "country_native", "nationality_native", "cause_native",
                 "source_quality")
NULLABLE_COUNTS = ("dead", "missing", "female", "male", "sex_unknown", "children", "adults",
                   "age_unknown", "age_years")


def add_flag(flags: pd.Series, mask, flag: str) -> pd.Series:
    """Append `flag` to the semicolon-separated flags of the rows under `mask`."""
    mask = pd.Series(np.asarray(mask, dtype=bool), index=flags.index)
    joined = flags.where(flags == "", flags + ";") + flag
    return flags.mask(mask, joined)


def split_flags(records: pd.DataFrame) -> pd.Series:
    """Flags for a published split the data model will not publish as such: females + males
    above the total, children above it, negative or excessive dead/missing."""
    flags = records["flags"] if "flags" in records else pd.Series("", index=records.index)
    total = records["dead_and_missing"]
    female, male = records["female"].fillna(0), records["male"].fillna(0)
    dead, missing = records["dead"].fillna(0), records["missing"].fillna(0)
    flags = add_flag(flags, (female + male > total).fillna(False), "sex_split_exceeds_total")
    flags = add_flag(flags, (records["children"].fillna(0) > total).fillna(False),
                     "children_exceed_total")
    flags = add_flag(flags, ((dead < 0) | (missing < 0)).fillna(False), "negative_count")
    flags = add_flag(flags, ((dead.clip(lower=0) + missing.clip(lower=0)) > total).fillna(False),
                     "dead_missing_exceed_total")
    return flags


def sex_unknown_counts(records: pd.DataFrame) -> pd.Series:
    """People whose sex the row does not give: total less females and males, or the whole
    total where females + males exceed it (the split then goes to unknown, never spread)."""
    total = records["dead_and_missing"]
    known = records["female"].fillna(0) + records["male"].fillna(0)
    return total.where(known > total, total - known).astype("Int64")


def finish_records(records: pd.DataFrame, raw: RawTable, snapshot: Snapshot,
                   curation: Curation, unmapped: UnmappedLog) -> CuratedPart:
    """Accepted rows in the `deaths` layout, validated, with the quarantine of this file."""
    keep = ~curation.rejected
    out = records.loc[keep].copy()
    out["source"] = snapshot.source
    out["snapshot"] = snapshot.name
    out["is_latest"] = False
    out["raw_file"] = raw.name
    out["raw_sha256"] = sha256_file(raw.path)
    out["raw_row"] = raw.raw_rows[keep]
    if "flags" not in out:
        out["flags"] = ""
    for column, default in NOT_RECORDED_DEFAULTS.items():
        if column not in out:
            out[column] = default
    for column in NULLABLE_TEXT:
        if column not in out:
            out[column] = None
    for column in NULLABLE_COUNTS:
        if column not in out:
            out[column] = pd.array([pd.NA] * len(out), dtype="Int64")
    if "event_date" not in out:
        out["event_date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[s]")
    out = Deaths.validate(out[DEATHS_COLUMNS].reset_index(drop=True), lazy=True)
    return CuratedPart(records=out, quarantine=curation.quarantine(), rows_read=len(raw.frame),
                       format_version=raw.format_version, unmapped=unmapped.frame())
