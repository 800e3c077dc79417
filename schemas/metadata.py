"""Metadata tables: what was read (`sources`), what each source records (`coverage`), what was
set aside (`quarantine`) and what no mapping table knew (`unmapped_values`)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class Sources(pa.DataFrameModel):
    """One row per raw file read in this release, with its row accounting."""

    source: Series[str] = pa.Field(description="Source id.")
    title: Series[str] = pa.Field(description="Title of the source.")
    publisher: Series[str] = pa.Field(description="Who publishes it.")
    landing_page: Series[str] = pa.Field(nullable=True, description="Where the publisher offers it.")
    licence: Series[str] = pa.Field(nullable=True, description="Licence or terms, as stated.")
    citation: Series[str] = pa.Field(nullable=True, description="How to cite the source.")
    snapshot: Series[str] = pa.Field(description="Snapshot name (SAMPLE... = generated sample data).")
    kind: Series[str] = pa.Field(isin=["full", "partial", "derived"], description="full, partial "
                                 "(a period only) or derived (a third party's re-publication).")
    product: Series[str] = pa.Field(description="Which of the source's products the file is.")
    retrieved: Series[str] = pa.Field(nullable=True, description="When it was downloaded, if known.")
    period_start: Series[str] = pa.Field(nullable=True, description="First date the snapshot covers.")
    period_end: Series[str] = pa.Field(nullable=True, description="Last date the snapshot covers, "
                                       "as its sidecar says (a year ending after it is a partial year).")
    records_end: Series[str] = pa.Field(nullable=True, description="Where the file's records stop, "
                                        "as the records themselves show: the last day of the latest "
                                        "month a record is dated in (or, where records carry only a "
                                        "year and month, the latest month); for a file cut short, "
                                        "the last day before the year its last record is in. Null "
                                        "where the records carry years only. A year ending after it "
                                        "is a partial year too.")
    is_latest: Series[bool] = pa.Field(description="The newest full snapshot of its source and product.")
    is_sample: Series[bool] = pa.Field(description="Generated sample data, not real statistics.")
    file: Series[str] = pa.Field(description="Raw file name (blank, with sha256, when a "
                                 "snapshot failed without a file to read: see error).")
    sha256: Series[str] = pa.Field(description="sha256 of the raw file, as read.")
    bytes: Series[pd.Int64Dtype] = pa.Field(ge=0, description="Size of the raw file.")
    format_version: Series[str] = pa.Field(nullable=True, description="Published format detected "
                                           "from the header.")
    status: Series[str] = pa.Field(isin=["ok", "failed", "carried_forward"], description="ok; "
                                   "failed (see error; its rows are not in this release); or "
                                   "carried_forward: this run could not read the source, so its "
                                   "last good rows were copied from an earlier release.")
    error: Series[str] = pa.Field(nullable=True, description="Why the file could not be read.")
    carried_forward_from: Series[str] = pa.Field(nullable=True, description="Release the rows "
                                                 "were carried forward from, when status is "
                                                 "carried_forward.")
    rows_read: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Data rows in the file.")
    rows_accepted: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Rows that "
                                                    "became records.")
    rows_quarantined: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Rows set "
                                                       "aside in `quarantine`.")
    rows_flagged: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Accepted rows "
                                                   "carrying a consistency warning.")

    class Config:
        name = "sources"
        strict = True
        coerce = True


class Coverage(pa.DataFrameModel):
    """What each source records of the dimensions the 2023 letter asks for, and how much of its
    count has a known value: where governments do not collect what was asked."""

    source: Series[str] = pa.Field(description="Source id.")
    snapshot: Series[str] = pa.Field(description="Snapshot measured.")
    is_latest: Series[bool] = pa.Field(description="The newest full snapshot.")
    stream: Series[str] = pa.Field(isin=["deaths", "crimes", "prosecutions"], description="Stream.")
    unit: Series[str] = pa.Field(description="What the count counts (persons, incidents, ...).")
    subject: Series[str] = pa.Field(nullable=True, description="Whose attributes (victim, "
                                    "offender, incident); null for deaths.")
    stage: Series[str] = pa.Field(nullable=True, description="Prosecutions: the stage of the "
                                  "funnel the count is of (a person is counted at every stage "
                                  "reached, so stages are never added); null for deaths and crimes.")
    dimension: Series[str] = pa.Field(description="sex, gender_identity, age_group, nationality "
                                      "or race_ethnicity.")
    recorded: Series[str] = pa.Field(isin=["yes", "partly", "no"], description="yes: the source "
                                     "has the field for every record; partly: for some; no: never.")
    known_share: Series[float] = pa.Field(ge=0, le=1, nullable=True, description="Share of the "
                                          "count with a known value (not unknown, not not_recorded).")
    total: Series[pd.Int64Dtype] = pa.Field(ge=0, description="The count the share is of.")

    class Config:
        name = "coverage"
        strict = True
        coerce = True


class Quarantine(pa.DataFrameModel):
    """Raw rows not accepted, with the column, check and value that failed. A row failing
    several checks appears once per failure."""

    source: Series[str] = pa.Field(description="Source id.")
    snapshot: Series[str] = pa.Field(description="Snapshot.")
    file: Series[str] = pa.Field(description="Raw file name.")
    raw_row: Series[pd.Int64Dtype] = pa.Field(ge=1, description="Row as a spreadsheet shows it "
                                              "(header = 1).")
    column: Series[str] = pa.Field(description="Column that failed.")
    check: Series[str] = pa.Field(description="Check that failed.")
    value: Series[str] = pa.Field(nullable=True, description="The value, as published (cut at 200 "
                                  "characters).")
    reason: Series[str] = pa.Field(description="Why the row was set aside, in words.")

    class Config:
        name = "quarantine"
        strict = True
        coerce = True


class UnmappedValues(pa.DataFrameModel):
    """Values no mapping table knew; they were published as unknown and are listed here so a
    reviewer can extend the mapping."""

    source: Series[str] = pa.Field(description="Source id.")
    snapshot: Series[str] = pa.Field(description="Snapshot.")
    file: Series[str] = pa.Field(description="Raw file name.")
    mapping: Series[str] = pa.Field(description="Mapping table that had no entry.")
    column: Series[str] = pa.Field(description="Raw column.")
    value: Series[str] = pa.Field(description="The unmapped value.")
    rows: Series[pd.Int64Dtype] = pa.Field(ge=1, description="Rows carrying it.")

    class Config:
        name = "unmapped_values"
        strict = True
        coerce = True
