"""The deaths stream: record-grain `deaths` and the tidy statistics table `deaths_stats`."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import codes
from schemas.fields import ISO3_PATTERN, code_field, count_field


class Deaths(pa.DataFrameModel):
    """One row per source record of people who died or went missing during or because of
    migration, including in custody. Catalog only: it carries lineage to raw rows."""

    source: Series[str] = pa.Field(description="Source id (see table `sources`).")
    snapshot: Series[str] = pa.Field(description="Snapshot of the source this row was read from "
                                     "(names starting SAMPLE are generated sample data).")
    is_latest: Series[bool] = pa.Field(description="True for the newest full snapshot of the "
                                       "source and product.")
    record_id: Series[str] = pa.Field(description="The publisher's own id; where it has none, a "
                                      "content hash plus occurrence number.")
    event_date: Series[pd.Timestamp] = pa.Field(nullable=True, description="Date of the event "
                                                "as the source gives it (see year_basis).")
    year: Series[pd.Int32Dtype] = pa.Field(ge=1900, le=2100, description="Year counted, on the "
                                           "basis in year_basis.")
    year_basis: Series[str] = code_field(codes.YEAR_BASIS, "What the year is the year of: the "
                                         "incident, its report, the finding of remains, a fiscal "
                                         "year, or the publisher's record id (`record_id`: the row "
                                         "has no date or year of its own).")
    region: Series[str] = pa.Field(nullable=True, description="Region as the source publishes it "
                                   "(e.g. MMP 'Region of Incident'); not harmonised.")
    route: Series[str] = pa.Field(nullable=True, description="Migration route as the source "
                                  "publishes it; not harmonised.")
    country_iso3: Series[str] = pa.Field(str_matches=ISO3_PATTERN, description="Where it "
                                         "happened: ISO 3166-1 alpha-3, or UNKNOWN.")
    country_native: Series[str] = pa.Field(nullable=True, description="Country of incident as "
                                           "the source writes it.")
    dead: Series[pd.Int64Dtype] = count_field("Number of dead (bodies recovered), as published.")
    missing: Series[pd.Int64Dtype] = count_field("Number missing, presumed dead, as published "
                                                 "(IOM: a minimum estimate; may be a negative correction).")
    dead_and_missing: Series[pd.Int64Dtype] = pa.Field(ge=0, description="The source's own total "
                                                       "for the row: its total column where it has one, "
                                                       "else dead + missing; 1 for person-level files.")
    female: Series[pd.Int64Dtype] = count_field("Number of females, as published (observer-attributed in MMP).")
    male: Series[pd.Int64Dtype] = count_field("Number of males, as published.")
    sex_unknown: Series[pd.Int64Dtype] = count_field("People in the row whose sex the source does "
                                                     "not give: the total less females and males, or the "
                                                     "whole total where the published split is inconsistent.")
    children: Series[pd.Int64Dtype] = count_field("Number of children (under 18), as published.")
    adults: Series[pd.Int64Dtype] = count_field("Number of adults (18 and over); null where the "
                                                "source has no adult count (MMP).")
    age_unknown: Series[pd.Int64Dtype] = count_field("People in the row whose age group the source "
                                                     "does not give; null where the source records no age.")
    age_years: Series[pd.Int64Dtype] = count_field("Age in years of the person (person-level "
                                                   "sources only); null when unknown.")
    nationality: Series[str] = pa.Field(str_matches=ISO3_PATTERN, description="Nationality or "
                                        "country of origin: ISO 3166-1 alpha-3, MULTIPLE, UNKNOWN, "
                                        "NOT_RECORDED (the source has no such field) and other codes "
                                        "of the data model.")
    nationality_native: Series[str] = pa.Field(nullable=True, description="Nationality as the "
                                               "source writes it.")
    race_ethnicity: Series[str] = code_field(codes.RACE_ETHNICITY, "Race or ethnicity of the "
                                             "person; not_recorded where the source has no such field "
                                             "(never inferred from nationality).")
    gender_identity: Series[str] = code_field(codes.GENDER_IDENTITY, "Gender identity; "
                                              "not_recorded where the source has no such field.")
    cause: Series[str] = code_field(codes.CAUSE, "Cause of death, canonical.")
    cause_native: Series[str] = pa.Field(nullable=True, description="Cause of death as the source writes it.")
    criminal: Series[str] = code_field(codes.CRIMINAL, "criminal only where the source states "
                                       "violence, homicide or an offence; non_criminal only where it "
                                       "states a natural or accidental manner; else undetermined.")
    criminal_rule: Series[str] = pa.Field(description="The rule that decided `criminal`.")
    scope: Series[str] = code_field(codes.SCOPE, "in_transit, in_custody, at_destination or unknown.")
    source_quality: Series[str] = pa.Field(nullable=True, description="The source's own quality "
                                           "grade (MMP Source Quality 1-5, or reliability).")
    flags: Series[str] = pa.Field(description="Semicolon-separated consistency warnings on this "
                                  "row (see the data dictionary); empty when none.")
    raw_file: Series[str] = pa.Field(description="Name of the raw file the row was read from.")
    raw_sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$",
                                       description="sha256 of the raw file.")
    raw_row: Series[pd.Int64Dtype] = pa.Field(ge=2, description="Row of the raw file as a "
                                              "spreadsheet shows it (header = 1).")

    class Config:
        name = "deaths"
        strict = True
        coerce = True
        unique = ["source", "snapshot", "record_id"]


class DeathsStats(pa.DataFrameModel):
    """Tidy statistics of the deaths stream: one row per source, snapshot, year and combination
    of dimension values; `all` marks a margin. Sources are never additive."""

    source: Series[str] = pa.Field(description="Source id. Never sum across sources.")
    snapshot: Series[str] = pa.Field(description="Snapshot the figure comes from.")
    is_latest: Series[bool] = pa.Field(description="True for the newest full snapshot.")
    year: Series[pd.Int32Dtype] = pa.Field(description="Year, on the basis in year_basis.")
    year_basis: Series[str] = code_field(codes.YEAR_BASIS, "What the year is the year of.")
    partial_year: Series[bool] = pa.Field(description="True where the snapshot ends before the "
                                          "year does: the year is incomplete.")
    unit: Series[str] = code_field(("persons",), "What a value counts: persons dead or missing.")
    sex: Series[str] = code_field(codes.SEX, "Sex; all = every value.", with_all=True)
    gender_identity: Series[str] = code_field(codes.GENDER_IDENTITY, "Gender identity.", with_all=True)
    age_group: Series[str] = code_field(codes.AGE_GROUP, "child (0-17), adult (18+).", with_all=True)
    nationality: Series[str] = pa.Field(description="Nationality code, or all.")
    race_ethnicity: Series[str] = code_field(codes.RACE_ETHNICITY, "Race or ethnicity.", with_all=True)
    country_iso3: Series[str] = pa.Field(description="Where it happened, or all.")
    cause: Series[str] = code_field(codes.CAUSE, "Cause of death.", with_all=True)
    criminal: Series[str] = code_field(codes.CRIMINAL, "Criminal, non-criminal or undetermined cause.",
                                       with_all=True)
    scope: Series[str] = code_field(codes.SCOPE, "In transit, in custody, at destination.", with_all=True)
    status: Series[str] = code_field(codes.STATUS, "dead, missing, or unknown where the source's "
                                     "split is inconsistent.", with_all=True)
    value: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Number of people; "
                                            "null when withheld.")
    value_min: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Lower bound "
                                                "when the value is withheld or a range.")
    value_max: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Upper bound "
                                                "when the value is withheld or a range.")
    suppressed: Series[bool] = pa.Field(description="Withheld by harmstats's disclosure control.")
    source_suppressed: Series[bool] = pa.Field(description="Withheld by the source.")

    class Config:
        name = "deaths_stats"
        strict = True
        coerce = True
