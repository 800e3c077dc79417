"""Steps every deaths source shares: record ids and the year and date checks, lineage columns,
defaults for what the source does not record, the consistency flags of the data model, and
validation against the curated schema."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot, raw_sha256
from pipelines.sources.base import Curation, CuratedPart, RawTable, chunk_schema
from pipelines.sources.formats import mapped_column
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


def native_text(text: pd.Series) -> pd.Series:
    """Published text as kept beside its harmonised code: stripped, blank as null."""
    return text.str.strip().replace("", None)


def content_ids(frame: pd.DataFrame) -> pd.Series:
    """Ids for a copy without publisher ids: a hash of the row's content plus its occurrence
    number, because identical rows there are separate incidents.

    `h` + the first 16 hex digits of the sha256 of the row's cells joined by U+001F, `-`, and
    the occurrence number of that digest in file order; computed in DuckDB (joining and
    hashing millions of rows in pandas and hashlib is the slow part)."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype="str")
    cells = pa.table({**{f"c{i}": pa.array(frame[c].astype("str")) for i, c in enumerate(frame.columns)},
                      "n": np.arange(len(frame))})
    joined = ", ".join(f"c{i}" for i in range(len(frame.columns)))
    con = duckdb.connect()
    try:
        con.register("cells", cells)
        ids = con.sql(f"""
            SELECT 'h' || d || '-' || row_number() OVER (PARTITION BY d ORDER BY n) AS id
            FROM (SELECT n, left(sha256(concat_ws(chr(31), {joined})), 16) AS d FROM cells)
            ORDER BY n""").to_arrow_table()
    finally:
        con.close()
    return ids.column("id").to_pandas().set_axis(frame.index).astype("str").rename(None)


def content_record_ids(curation: Curation, frame: pd.DataFrame) -> pd.Series:
    """Content ids of the rows of `frame` (see `content_ids`), noted in `curation` so that a
    file read in chunks numbers identical rows over the whole file."""
    ids = content_ids(frame)
    curation.row_ids = ("content", None, ids, None)
    return ids


def unique_ids(curation: Curation, ids: pd.Series, column: str, label: str = "id",
               repeated: str = "the publisher's id") -> pd.Series:
    """The publisher's ids, quarantining blank and repeated ones (`label` and `repeated` name
    the id in the reasons)."""
    ids = ids.str.strip()
    reason = f"{repeated} repeats an earlier row of the file (a duplicate)"
    curation.reject(ids == "", column, "record_id_present", f"the row has no {label}")
    curation.reject(ids.duplicated(keep="first") & (ids != ""), column, "record_id_unique", reason)
    curation.row_ids = ("publisher", column, ids, reason)
    return ids


def record_ids(curation: Curation, raw: RawTable, column_maps: dict[str, dict[str, str]],
               label: str = "id", repeated: str = "the publisher's id",
               not_hashed: tuple[str, ...] = ()) -> pd.Series:
    """The publisher's ids where the format has a `record_id` column (see `unique_ids`), else
    content ids of the row without its `not_hashed` columns."""
    column = column_maps[raw.format_version].get("record_id")
    if column is None:
        return content_record_ids(curation, raw.frame.drop(columns=list(not_hashed), errors="ignore"))
    return unique_ids(curation, mapped_column(raw, column_maps, "record_id"), column, label,
                      repeated)


def reject_missing_years(curation: Curation, missing: np.ndarray, unreadable: np.ndarray,
                         column: str, what: str) -> None:
    """Quarantine the rows left without a year, saying whether `what` (their date) was blank or
    unreadable."""
    curation.reject(missing & ~unreadable, column, "year_present", f"no year: {what} is blank")
    curation.reject(missing & unreadable, column, "year_present",
                    f"no year: {what} is not in a known date format")


def future_date_flags(flags: pd.Series, dates: pd.Series, snapshot: Snapshot) -> pd.Series:
    """`future_date` added to rows dated after the snapshot's period (real snapshots only)."""
    if not snapshot.period_end_date() or snapshot.is_sample:
        return flags
    limit = pd.Timestamp(snapshot.period_end_date()) + pd.Timedelta(days=1)
    return add_flag(flags, (dates > limit).fillna(False), "future_date")


def add_flag(flags: pd.Series, mask, flag: str) -> pd.Series:
    """Append `flag` to the semicolon-separated flags of the rows under `mask`."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return flags
    mask = pd.Series(mask, index=flags.index)
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


def cut_short(raw: RawTable) -> bool:
    """True when the file ends inside a record (its last record has fewer fields than the
    header): the file was cut, and the year it stops in is partial."""
    short = raw.short_rows
    if short is not None and len(short):
        return bool(short[-1])
    # Files read record by record (`reports.csv_records`) keep each record's field count.
    fields, width = raw.frame.attrs.get("fields"), raw.frame.attrs.get("width")
    return fields is not None and len(fields) > 0 and bool(fields[-1] < width)


def records_end(dated: pd.Series, years: pd.Series | None = None, cut: bool = False) -> date | None:
    """Where a file's records stop, as the records themselves show (a year ending after it is
    partial; see `sources.records_end`): the last day of the latest month any record is dated
    in (`dated`: a date, or the first day of a month where a record has only a year and
    month; NaT where it has neither). For a file `cut` short, at most the day before the year
    of its last record (`years`, in file order), whose records stop inside the file; or before
    its first year when the file is not in year order (any year may then be short). None when
    the records say nothing (years only, not cut)."""
    end = None
    if dated.notna().any():
        end = (pd.Timestamp(dated.max()) + pd.offsets.MonthEnd(0)).date()
    known = years.dropna() if years is not None else pd.Series([], dtype="Int32")
    if cut and len(known):
        stops_in = int(known.iloc[-1]) if known.is_monotonic_increasing else int(known.min())
        before = date(stops_in - 1, 12, 31)
        end = before if end is None else min(end, before)
    return end


def finish_records(records: pd.DataFrame, raw: RawTable, snapshot: Snapshot,
                   curation: Curation, unmapped: UnmappedLog,
                   row_positions: np.ndarray | None = None) -> CuratedPart:
    """Accepted rows in the `deaths` layout, validated, with the quarantine of this file.

    One record per raw row, in file order; or, for a table whose row gives several records
    (a total and its components), `row_positions`: the position in the file of each record's
    row (records of rejected rows are dropped). `records_end` is read from the accepted rows'
    `_dated` column where the module gives one (a date, or a month where a row has only a year
    and month), else their `event_date`."""
    positions = np.arange(len(records)) if row_positions is None else np.asarray(row_positions)
    keep = ~curation.rejected[positions]
    out = records.loc[keep].copy()
    end = records_end(out["_dated"] if "_dated" in out else out.get(
        "event_date", pd.Series(pd.NaT, index=out.index)), out["year"], cut_short(raw))
    out["source"] = snapshot.source
    out["snapshot"] = snapshot.name
    out["is_latest"] = False
    out["raw_file"] = raw.name
    out["raw_sha256"] = raw_sha256(raw.path)
    out["raw_row"] = raw.raw_rows[positions][keep]
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
    out = chunk_schema(Deaths).validate(out[DEATHS_COLUMNS].reset_index(drop=True), lazy=True)
    return CuratedPart(tables={"deaths": out}, quarantine=curation.quarantine(), rows_read=len(raw.frame),
                       format_version=raw.format_version, unmapped=unmapped.frame(),
                       row_ids=curation.row_ids, records_end=end)
