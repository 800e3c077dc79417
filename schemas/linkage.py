"""`record_links`: pairs of death records that record linkage judged to be the same person, and
`linkage_quality`: what was measured of each pairing's links (both catalog only;
pipelines/stats/linkage.py, docs/linkage.md)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class RecordLinks(pa.DataFrameModel):
    """Pairs of `deaths` records of two sources that Splink judged to be the same person, found
    without any shared id (docs/linkage.md: method and measured precision and recall). A link
    is a statistical guess: catalog only, never published row by row."""

    pairing: Series[str] = pa.Field(description="The declared pairing that linked them "
                                    "(docs/linkage.md).")
    source_l: Series[str] = pa.Field(description="Source of the first record.")
    snapshot_l: Series[str] = pa.Field(description="Its snapshot.")
    record_id_l: Series[str] = pa.Field(description="Its record_id in `deaths`.")
    source_r: Series[str] = pa.Field(description="Source of the second record.")
    snapshot_r: Series[str] = pa.Field(description="Its snapshot.")
    record_id_r: Series[str] = pa.Field(description="Its record_id in `deaths`.")
    match_probability: Series[float] = pa.Field(ge=0, le=1, description="Splink's probability "
                                                "that the two records are the same person.")
    match_weight: Series[float] = pa.Field(description="The log2 Bayes factor behind it.")
    level_found_date: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="Comparison level of the date found/reported: 3 same day, 2 within 3 days, "
                    "1 within 30 days, 0 further, -1 unknown on a side; null where the pairing does not compare it.")
    level_sex: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="1 same sex, 0 different, -1 unknown.")
    level_age: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="2 same age or range, 1 overlapping, 0 not overlapping, -1 unknown.")
    level_county: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="1 same county, 0 different, -1 unknown.")
    level_location: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="Distance between the coordinates: 3 within 0.01 km (the same "
                                   "point as written), 2 within 0.1 km, 1 within "
                                   "5 km, 0 further, -1 unknown on a side.")
    level_event_date: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="Days between two incidents' dates (incident lists): 4 same "
                                   "day, 3 within 1 day, 2 within 3 days, 1 within 30 days, 0 "
                                   "further, -1 unknown on a side.")
    level_dead_and_missing: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="Persons dead and missing the two incidents count: 2 the "
                                   "same, 1 within 1 person or a fifth of the larger count, 0 "
                                   "further apart, -1 unknown on a side.")
    level_country: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="Country of the incident: 1 the same, 0 different, -1 "
                                   "unknown on a side (at sea, not stated).")
    level_place: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, description="Distance between the coordinates at sea scale: 3 within "
                                   "25 km, 2 within 100 km, 1 within 500 km, 0 further, -1 "
                                   "unknown on a side.")
    threshold: Series[float] = pa.Field(description="The match probability a link needs (per "
                                        "pairing: docs/linkage.md).")
    rule: Series[str] = pa.Field(description="How links were chosen among the pairs above the "
                                 "threshold (unambiguous: the one best pair for both records; "
                                 "many_to_one: each person record's one best incident, an incident "
                                 "taking at most as many persons as it counts).")

    class Config:
        name = "record_links"
        strict = True
        coerce = True


class LinkageQuality(pa.DataFrameModel):
    """One row per pairing linked in this release: the snapshots linked, how many links were
    kept, and their measured precision and recall with the basis of the measurement (the
    `link_*` columns of `deaths_overlap` come from here). `inputs_sha256` says what the links
    were made from: a later run with the same code and libraries whose pairing has the same
    digest takes the pairing's links and this row from the release instead of linking again."""

    pairing: Series[str] = pa.Field(unique=True, description="The declared pairing "
                                    "(docs/linkage.md).")
    area: Series[str] = pa.Field(description="The area both lists are linked within.")
    source_l: Series[str] = pa.Field(description="Source of the first list.")
    snapshot_l: Series[str] = pa.Field(description="Its snapshot linked (the latest).")
    source_r: Series[str] = pa.Field(description="Source of the second list.")
    snapshot_r: Series[str] = pa.Field(description="Its snapshot linked (the latest).")
    links: Series[int] = pa.Field(ge=0, description="Links kept (rows of `record_links`).")
    true_pairs: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Pairs sharing the answer key (the examiner's case "
                                         "number, never compared); null without an answer key.")
    true_positives: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, description="Links that are true pairs; null without an answer key.")
    precision: Series[float] = pa.Field(nullable=True, ge=0, le=1, description=(
        "Share of the links that are right: against the answer key, or by the clerical review "
        "of a sample (docs/linkage.md); null when not measured."))
    precision_low: Series[float] = pa.Field(nullable=True, ge=0, le=1, description=(
        "Lower end of the 95 % Wilson interval of the precision; null when not measured."))
    recall: Series[float] = pa.Field(nullable=True, ge=0, le=1, description=(
        "Share of the true pairs linked (answer key only); null when not measured."))
    basis: Series[str] = pa.Field(isin=["answer_key", "clerical_review", "none"], description=(
        "How the quality was measured: answer_key (a shared case number), clerical_review (a "
        "sample of links read record against record), none."))
    inputs_sha256: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64}, description=(
        "sha256 over the pairing's declaration, the engine's constants and the snapshot and "
        "sha256 of both files linked."))

    class Config:
        name = "linkage_quality"
        strict = True
        coerce = True
