"""`record_links`: pairs of death records that record linkage judged to be the same person
(catalog only; pipelines/stats/linkage.py, docs/linkage.md)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class RecordLinks(pa.DataFrameModel):
    """Pairs of `deaths` records of two sources that Splink judged to be the same person, found
    without any shared id (docs/linkage.md: method and measured precision and recall). A link
    is a statistical guess: catalog only, never published row by row."""

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
