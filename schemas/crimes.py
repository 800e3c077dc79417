"""The crimes and prosecutions streams: record-grain `crimes` and `prosecutions`, their tidy
statistics `crimes_stats` and `prosecutions_stats`, and `source_inconsistencies`.

A record is either one published cell of an aggregate source (GLOTIP, FBI, StatCan, SESNSP:
its dimensions not split by that cell are `all`) or one victim, incident or case of a
person-level source (NGO incident logs: counts of 1)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import codes
from schemas.fields import ISO3_PATTERN, code_field

NATIONALITY_OR_ALL = ISO3_PATTERN.replace("M49_\\d{3})$", "M49_\\d{3}|all)$")
# Statistics may also hold the recoded group OTHER (disclosure control of a confidential source).
STATS_NATIONALITY = NATIONALITY_OR_ALL.replace("|all)$", f"|{codes.RECODED_GROUP}|all)$")
RECODED_NOTE = (f" {codes.RECODED_GROUP}: a recoded group, the categories a confidential source "
                "(the NGO log) holds for fewer than k records over its whole log, published "
                "together (docs/disclosure_control.md); never a category of its own.")


class _CaseRecord(pa.DataFrameModel):
    """Columns shared by `crimes` and `prosecutions`."""

    source: Series[str] = pa.Field(description="Source id (see table `sources`).")
    snapshot: Series[str] = pa.Field(description="Snapshot the row was read from (SAMPLE... = "
                                     "generated sample data).")
    is_latest: Series[bool] = pa.Field(description="True for the newest full snapshot of the "
                                       "source and product.")
    record_id: Series[str] = pa.Field(description="The publisher's id, or a content hash plus "
                                      "occurrence number; unique within source and snapshot.")
    year: Series[pd.Int32Dtype] = pa.Field(ge=1900, le=2100, description="Year, on year_basis.")
    year_basis: Series[str] = code_field(codes.YEAR_BASIS, "What the year is the year of (`filed`: "
                                         "the year the court case was filed).")
    reported_year: Series[pd.Int32Dtype] = pa.Field(
        ge=1900, le=2100, nullable=True,
        description="Year the record was reported to the police, where the source gives it "
                    "beside a `year` of another basis (Toronto Police: REPORTED_YEAR beside the "
                    "occurrence year). Kept on the record, not published as statistics of its "
                    "own: a second set of records by reported year would count each record "
                    "twice. Null where the source gives none.")
    country_iso3: Series[str] = pa.Field(str_matches=r"^(?:[A-Z]{3}|UNKNOWN|all)$",
                                         description="Country where it was recorded: ISO 3166-1 "
                                         "alpha-3, UNKNOWN, or all (a source margin).")
    country_native: Series[str] = pa.Field(nullable=True, description="Country or state as the "
                                           "source writes it.")
    breakdown: Series[str] = pa.Field(description="Which split of the source the row belongs to "
                                      "(e.g. GLOTIP total / by_citizenship / by_form_of_exploitation "
                                      "/ by_country_of_repatriation). Rows of different breakdowns "
                                      "count the same people again: never sum them together.")
    subject: Series[str] = code_field(codes.SUBJECT, "Whose attributes the row describes: the "
                                      "victim, the offender (GLOTIP prosecutions: the offenders' sex "
                                      "and citizenship, not the victims') or the incident.")
    population: Series[str] = code_field(codes.POPULATION, "Whom the source counts: migrants "
                                         "only (e.g. an NGO or shelter log), or the general "
                                         "population of the country (GLOTIP, hate crime, SESNSP), "
                                         "where the nationality dimension is how it speaks about "
                                         "migrants.")
    sex: Series[str] = code_field(codes.SEX, "Sex of the subject; all where the row is a margin "
                                  "over sex.", with_all=True)
    gender_identity: Series[str] = code_field(codes.GENDER_IDENTITY, "Gender identity of the "
                                              "subject.", with_all=True)
    age_group: Series[str] = code_field(codes.AGE_GROUP, "child (0-17) or adult (18+).", with_all=True)
    nationality: Series[str] = pa.Field(str_matches=NATIONALITY_OR_ALL, description="Nationality "
                                        "or citizenship of the subject (codes as in deaths), or all.")
    nationality_native: Series[str] = pa.Field(nullable=True, description="Nationality as the "
                                               "source writes it.")
    race_ethnicity: Series[str] = code_field(codes.RACE_ETHNICITY, "Race or ethnicity of the "
                                             "subject as the source records it; not_recorded where it "
                                             "has no such field. A hate-crime bias motivation is the "
                                             "offender's bias, never the victim's race.", with_all=True)
    unit: Series[str] = code_field(codes.UNIT, "What value counts: persons, incidents, offences, "
                                   "cases (investigation files), charges (persons charged with an "
                                   "offence, once per person and offence: a person charged with "
                                   "several offences counts under each), or unspecified where the "
                                   "source does not say.")
    value: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="The count; null "
                                            "when the source withheld it.")
    value_min: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Lower bound "
                                                "(equals value when exact).")
    value_max: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Upper bound "
                                                "(GLOTIP '<5' is 4).")
    source_suppressed: Series[bool] = pa.Field(description="The source withheld the value "
                                               "(e.g. GLOTIP '<5').")
    flags: Series[str] = pa.Field(description="Semicolon-separated warnings on the row; empty "
                                  "when none.")
    raw_file: Series[str] = pa.Field(description="Raw file name.")
    raw_sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$", description="sha256 of the raw file.")
    raw_row: Series[pd.Int64Dtype] = pa.Field(ge=1, description="Row of the raw file as a "
                                              "spreadsheet shows it (header = 1), or the line of a "
                                              "wide table the value came from.")


class Crimes(_CaseRecord):
    """Crimes against migrants (victims, incidents or offences, as `unit` and `subject` say),
    including trafficking and xenophobic or racial hate crime. Catalog only."""

    crime_type: Series[str] = code_field(codes.CRIME_TYPE, "Crime type, canonical.", with_all=True)
    crime_type_native: Series[str] = pa.Field(nullable=True, description="Crime type as the source writes it.")
    sgbv: Series[str] = code_field(codes.SGBV, "Sexual or gender-based violence.", with_all=True)
    bias_motivation: Series[str] = pa.Field(description="Hate crime: the offender's bias "
                                            "(e.g. anti_hispanic_latino, or a national or ethnic "
                                            "origin such as anti_mexican; every code and the labels "
                                            "it comes from: maps/bias_motivations.csv); "
                                            "not_applicable outside hate crime; all for a margin.")
    bias_motivation_native: Series[str] = pa.Field(nullable=True, description="Bias motivation as "
                                                   "the source writes it.")
    perpetrator: Series[str] = code_field(codes.PERPETRATOR, "Who committed it, where the source "
                                          "says (NGO logs); not_recorded elsewhere.", with_all=True)

    class Config:
        name = "crimes"
        strict = True
        coerce = True
        unique = ["source", "snapshot", "record_id"]


class Prosecutions(_CaseRecord):
    """Persons at a stage of the criminal-justice funnel for crimes against migrants. Stages
    overlap (a convicted person was also prosecuted): never sum stages. Catalog only."""

    offence: Series[str] = code_field(codes.CRIME_TYPE, "Offence, canonical.", with_all=True)
    offence_native: Series[str] = pa.Field(nullable=True, description="Offence as the source writes it.")
    stage: Series[str] = code_field(codes.STAGE, "Stage of the funnel reached.")
    stage_native: Series[str] = pa.Field(nullable=True, description="Stage as the source writes it.")
    sgbv: Series[str] = code_field(codes.SGBV, "Sexual or gender-based violence.", with_all=True)

    class Config:
        name = "prosecutions"
        strict = True
        coerce = True
        unique = ["source", "snapshot", "record_id"]


class SourceInconsistencies(pa.DataFrameModel):
    """Where a source's own margins do not add up: its parts exceed its published total. The
    total is published as the `all` row; the excess is listed here instead of being hidden."""

    table: Series[str] = pa.Field(description="Statistics table concerned.")
    source: Series[str] = pa.Field(description="Source id.")
    snapshot: Series[str] = pa.Field(description="Snapshot.")
    year: Series[pd.Int32Dtype] = pa.Field(description="Year.")
    cell: Series[str] = pa.Field(description="The margin cell: its non-`all` keys as key=value; ...")
    dimension: Series[str] = pa.Field(description="Dimension whose parts do not add up.")
    published_total: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="The source's total.")
    parts_min: Series[pd.Int64Dtype] = pa.Field(description="Sum of the parts (lower bounds).")
    parts_max: Series[pd.Int64Dtype] = pa.Field(description="Sum of the parts (upper bounds).")
    excess: Series[pd.Int64Dtype] = pa.Field(description="How far the parts exceed the total (lower bounds).")

    class Config:
        name = "source_inconsistencies"
        strict = True
        coerce = True


class _CaseStats(pa.DataFrameModel):
    """Columns shared by `crimes_stats` and `prosecutions_stats`."""

    source: Series[str] = pa.Field(description="Source id. Never sum across sources.")
    snapshot: Series[str] = pa.Field(description="Snapshot the figure comes from.")
    is_latest: Series[bool] = pa.Field(description="True for the newest full snapshot.")
    year: Series[pd.Int32Dtype] = pa.Field(description="Year, on the basis in year_basis.")
    year_basis: Series[str] = code_field(codes.YEAR_BASIS, "What the year is the year of.")
    partial_year: Series[bool] = pa.Field(description="True where the snapshot ends before the year does.")
    unit: Series[str] = code_field(codes.UNIT, "What a value counts (never all).")
    subject: Series[str] = code_field(codes.SUBJECT, "Whose attributes the dimensions describe: "
                                      "victim, offender (e.g. GLOTIP persons prosecuted: the offenders' "
                                      "sex and citizenship) or incident (never all).")
    population: Series[str] = code_field(codes.POPULATION, "Whom the source counts: migrants "
                                         "only (e.g. an NGO or shelter log), or the general "
                                         "population of the country (GLOTIP, hate crime, SESNSP), "
                                         "where the nationality dimension is how it speaks about "
                                         "migrants.")
    breakdown: Series[str] = pa.Field(description="The split of the source this row belongs to "
                                      "(e.g. GLOTIP total, by_citizenship, by_form_of_exploitation), "
                                      "or all for the totals every split shares. Margins add up "
                                      "within a breakdown; rows of different breakdowns count the "
                                      "same people again.")
    sex: Series[str] = code_field(codes.SEX, "Sex of the subject.", with_all=True)
    gender_identity: Series[str] = code_field(codes.GENDER_IDENTITY, "Gender identity.", with_all=True)
    age_group: Series[str] = code_field(codes.AGE_GROUP, "child (0-17), adult (18+).", with_all=True)
    nationality: Series[str] = pa.Field(str_matches=STATS_NATIONALITY, description="Nationality "
                                        "or citizenship of the subject, or all." + RECODED_NOTE)
    race_ethnicity: Series[str] = code_field(codes.RACE_ETHNICITY, "Race or ethnicity of the "
                                             "subject as recorded by the source (a hate-crime bias is "
                                             "not the victim's race).", with_all=True)
    country_iso3: Series[str] = pa.Field(str_matches=rf"^(?:[A-Z]{{3}}|UNKNOWN|{codes.RECODED_GROUP}|all)$",
                                         description="Country where it was recorded, or all." + RECODED_NOTE)
    value: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="The count; null "
                                            "when withheld (see the bounds).")
    value_min: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Lower bound.")
    value_max: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="Upper bound.")
    suppressed: Series[bool] = pa.Field(description="Withheld by harmstats's disclosure control.")
    source_suppressed: Series[bool] = pa.Field(description="Withheld (at least in part) by the source.")


class CrimesStats(_CaseStats):
    """Tidy statistics of the crimes stream; `all` marks a margin. Rows of different units or
    subjects count different things; sources are never additive."""

    crime_type: Series[str] = code_field(codes.CRIME_TYPE, "Crime type.", with_all=True)
    sgbv: Series[str] = code_field(codes.SGBV, "Sexual or gender-based violence.", with_all=True)
    bias_motivation: Series[str] = pa.Field(description="Offender's bias (hate crime), "
                                            "not_applicable elsewhere, or all.")
    perpetrator: Series[str] = code_field(codes.PERPETRATOR, "Who committed it.", with_all=True)

    class Config:
        name = "crimes_stats"
        strict = True
        coerce = True


class ProsecutionsStats(_CaseStats):
    """Tidy statistics of the prosecutions stream. Stages overlap (a convicted person was also
    prosecuted): compare stages, never sum them."""

    stage: Series[str] = code_field(codes.STAGE, "Stage of the criminal-justice funnel (never all).")
    offence: Series[str] = code_field(codes.CRIME_TYPE, "Offence.", with_all=True)
    sgbv: Series[str] = code_field(codes.SGBV, "Sexual or gender-based violence.", with_all=True)

    class Config:
        name = "prosecutions_stats"
        strict = True
        coerce = True
