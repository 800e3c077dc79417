"""Steps every crimes/prosecutions source ends with: lineage columns, defaults for what the
source does not record, bounds, and validation against the curated schemas.

A module builds one frame per table (`crimes`, `prosecutions`) with a column `_row`: the
position (0-based) in the raw frame each record comes from, so a wide row (one column per
month) may give several records and lineage still points at its raw row."""

from __future__ import annotations

import pandas as pd

from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot, raw_sha256
from pipelines.sources.base import Curation, CuratedPart, RawTable, chunk_schema
from pipelines.sources.curate import cut_short, records_end
from schemas.crimes import Crimes, Prosecutions

MODELS = {"crimes": Crimes, "prosecutions": Prosecutions}
# What a record says when the source has no field for a dimension.
DEFAULTS = {
    "sex": "not_recorded", "gender_identity": "not_recorded", "age_group": "not_recorded",
    "nationality": "NOT_RECORDED", "race_ethnicity": "not_recorded", "country_iso3": "UNKNOWN",
    "perpetrator": "not_recorded", "bias_motivation": "not_applicable", "flags": "",
    "source_suppressed": False, "reported_year": pd.NA,
}
# Dimensions a hate-crime table never splits: `all` on every cell (case_stats then publishes
# them once per grand total as not_recorded, rather than on every cell).
NOT_SPLIT_BY_AGGREGATES = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                           "perpetrator")
NOT_IN_STATS = "not_in_stats"  # flag of records kept in the catalog but out of the statistics


def statistics_input(records: pd.DataFrame) -> pd.DataFrame:
    """The records statistics are built from: all but those flagged `not_in_stats` (a
    subtotal over a group, a repatriation row, a value the source marks not available)."""
    return records[~records["flags"].str.contains(NOT_IN_STATS, regex=False)]


NULLABLE_TEXT = ("country_native", "nationality_native", "crime_type_native", "offence_native",
                 "bias_motivation_native", "stage_native")


def finish_case_records(frames: dict[str, pd.DataFrame], raw: RawTable, snapshot: Snapshot,
                        curation: Curation, unmapped: UnmappedLog, population: str) -> CuratedPart:
    """Accepted records of each table, validated, with the quarantine of this file.

    Records whose `_row` the curation rejected are dropped (they are in the quarantine);
    `value_min`/`value_max` default to the value where it is exact; `population` is whom the
    source counts (its `SourceSpec.population`). `records_end` is read from the accepted
    records' `_dated` column where the module gives one (a date, or the first day of the
    month a record counts), and from whether the file is cut short (`curate.cut_short`)."""
    digest = raw_sha256(raw.path)
    tables, dated, years, cut = {}, [], [], cut_short(raw)
    for name, frame in frames.items():
        model = MODELS[name]
        columns = list(model.to_schema().columns)
        rows = frame.pop("_row").to_numpy()
        keep = ~curation.rejected[rows]
        if "_dated" in frame:
            dated.append(frame.pop("_dated")[keep])
        if cut:
            years.append(pd.DataFrame({"row": rows[keep], "year": frame["year"][keep].to_numpy()}))
        out = frame.loc[keep].copy()
        out["source"], out["snapshot"], out["is_latest"] = snapshot.source, snapshot.name, False
        out["population"] = population
        out["raw_file"], out["raw_sha256"] = raw.name, digest
        out["raw_row"] = raw.raw_rows[rows[keep]]
        for column, default in DEFAULTS.items():
            if column in columns and column not in out:
                out[column] = default
        for column in NULLABLE_TEXT:
            if column in columns and column not in out:
                out[column] = None
        for bound in ("value_min", "value_max"):
            if bound not in out:
                out[bound] = out["value"]
            out[bound] = out[bound].astype("Int64").fillna(out["value"].astype("Int64"))
        tables[name] = chunk_schema(model).validate(out[columns].reset_index(drop=True), lazy=True)
    in_order = pd.concat(years, ignore_index=True).sort_values("row", kind="stable")["year"] \
        if years else None
    end = records_end(pd.concat(dated) if dated else pd.Series([], dtype="datetime64[s]"),
                      in_order, cut)
    return CuratedPart(tables=tables, quarantine=curation.quarantine(), rows_read=len(raw.frame),
                       format_version=raw.format_version, unmapped=unmapped.frame(),
                       row_ids=curation.row_ids, records_end=end)
