"""Statistical disclosure control of statistics built from confidential person-level data.

`protect(stats, stream, confidential_sources, previous)` returns the public version of a
statistics table and a catalog-only `suppression_report`. Rows of other sources pass through
unchanged. For confidential sources (e.g. the NGO incident log):

1. only the declared groupings are published: the grand total, each dimension alone, and sex
   crossed with one other dimension; rows of any other grouping are dropped;
2. primary suppression: cells with a count in `threshold` (default 1-4);
3. complementary suppression, until, for every suppressed cell with true count v, the interval
   an attacker derives by linear programming from everything published (margin equations, the
   public crime type -> SGBV map, published cells fixed, counts >= 0) contains
   [max(0, v - protection), v + protection]; for a cell in the primary range the upper end also
   holds when the attacker uses that a row is present only for a non-zero count;
4. cross-release: the attack links each cell to its version in the previous release by the
   sign of its true change (equal if unchanged); cells suppressed before and unchanged stay
   suppressed, so that no cell of either release can be narrowed by subtraction.

Suppressed cells publish `suppressed = true` and null `value`, `value_min` and `value_max`.
The attack and the search for complementary cells, per block: `suppression.py`. Method,
guarantees and limits: docs/disclosure_control.md.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from pipelines.publish.suppression import (Version, as_floats, block_version, nearest_version,
                                           nestings, previous_version, protect_version)
from pipelines.sources.registry import SOURCES
from pipelines.stats.cases import STREAMS
from pipelines.stats.deaths import DIMENSIONS as DEATH_DIMENSIONS
from pipelines.stats.deaths import FIXED as DEATH_FIXED

LOG = logging.getLogger(__name__)
REASONS = ("primary", "complementary", "previous_release", "not_published_grouping")
REPORT_COLUMNS = {
    "table": "str", "source": "str", "snapshot": "str", "year": "Int32", "year_basis": "str",
    "unit": "str", "subject": "str", "stage": "str", "grouping": "str", "cell": "str",
    "reason": "str", "value": "Int64", "interval_min": "Float64", "interval_max": "Float64",
    "protected": "boolean",
}
SUMMARY_COLUMNS = ["table", "source", "snapshot", "cells_published", "cells_suppressed", "primary",
                   "complementary", "previous_release", "not_published_grouping", "count_hidden",
                   "unprotected", "complementary_narrow"]


# --- what is published -------------------------------------------------------------------------

def stream_spec(stream: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fixed columns, dimensions) of a statistics stream."""
    if stream in STREAMS:
        return tuple(STREAMS[stream]["fixed"]), tuple(STREAMS[stream]["dims"])
    if stream == "deaths":
        return tuple(DEATH_FIXED), tuple(DEATH_DIMENSIONS)
    raise ValueError(f"unknown stream {stream!r}: expected deaths, crimes or prosecutions")


def published_groupings(stream: str) -> frozenset[frozenset[str]]:
    """Groupings a protected table publishes: the grand total, each dimension alone, and sex
    crossed with one other dimension."""
    _, dims = stream_spec(stream)
    sets = {frozenset()} | {frozenset([d]) for d in dims}
    if "sex" in dims:
        sets |= {frozenset(("sex", d)) for d in dims if d != "sex"}
    return frozenset(sets)


def in_published_grouping(frame: pd.DataFrame, stream: str) -> np.ndarray:
    """Whether each row of a statistics frame belongs to a published grouping."""
    _, dims = stream_spec(stream)
    allowed = [_grouping_code(g, dims) for g in published_groupings(stream)]
    return np.isin(_grouping_codes(frame, dims), allowed)


def confidential_sources() -> set[str]:
    """Registered sources declared confidential (`SourceSpec.confidential`)."""
    return {sid for sid, source in SOURCES.items() if source.spec.confidential}


# --- the table-level function ------------------------------------------------------------------

def _grouping_codes(frame: pd.DataFrame, dims: tuple[str, ...]) -> np.ndarray:
    bits = 1 << np.arange(len(dims), dtype=np.int64)
    return (frame[list(dims)].astype(str).to_numpy() != "all").astype(np.int64) @ bits


def _grouping_code(grouping: frozenset, dims: tuple[str, ...]) -> int:
    return sum(1 << i for i, d in enumerate(dims) if d in grouping)


def protect(stats: pd.DataFrame, stream: str, confidential_sources: set[str],
            previous: pd.DataFrame | None = None, threshold: tuple[int, int] = (1, 4),
            protection: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(public statistics, suppression report) of a statistics table.

    `previous` is the previous release's protected table of the same stream; if it carries a
    `hidden_value` column (see `with_hidden_values`), cells it suppressed are linked by their
    true change and released again when they changed; without it they stay suppressed."""
    fixed, dims = stream_spec(stream)
    table = f"{stream}_stats"
    out = stats.reset_index(drop=True)
    if "suppressed" not in out:
        out["suppressed"] = False
    conf = out["source"].isin(set(confidential_sources)).to_numpy()
    if not conf.any():
        return out.reset_index(drop=True), empty_report()
    allowed = {_grouping_code(g, dims) for g in published_groupings(stream)}
    codes = _grouping_codes(out, dims)
    drop = conf & ~np.isin(codes, list(allowed))
    report = [_report_rows(out[drop], table, fixed, dims, "not_published_grouping")]
    work = out[conf & ~drop]
    prev = previous[previous["source"].isin(set(confidential_sources))] if previous is not None \
        else out.iloc[0:0]
    group_cols = [c for c in fixed if c != "snapshot"]
    suppressed_rows, reasons, intervals, unprotected_rows = [], [], [], []
    prev_groups = {k: g for k, g in prev.groupby(group_cols, dropna=False, sort=False)} if len(prev) else {}
    for key, rows in work.groupby(group_cols, dropna=False, sort=True):
        before = {s: previous_version(g, dims, nestings(stream, key[0]))
                  for s, g in prev_groups.get(key, prev.iloc[0:0]).groupby("snapshot", sort=True)}
        done: dict[str, Version] = {}
        for snap, block in rows.groupby("snapshot", sort=True):
            pred = before[snap] if snap in before else nearest_version(before, done, snap)
            truth = as_floats(block["value"])
            cur = block_version(block, dims, nestings(stream, key[0]), np.zeros(len(block), dtype=bool), truth)
            reason, interval, unprotected = protect_version(cur, pred, threshold, protection)
            hidden = np.array([r is not None for r in reason], dtype=bool)
            cur.ours, cur.published = hidden, ~hidden & ~np.isnan(truth)
            done[snap] = cur
            suppressed_rows.append(block.index[hidden])
            reasons.extend(reason[hidden])
            intervals.extend(interval[i] for i in np.flatnonzero(hidden))
            unprotected_rows.extend(block.index[i] for i in unprotected)
    hidden_idx = pd.Index(np.concatenate([np.asarray(r) for r in suppressed_rows])) if suppressed_rows \
        else out.index[0:0]
    hidden_frame = out.loc[hidden_idx]
    rep = _report_rows(hidden_frame, table, fixed, dims, None)
    if len(rep):
        rep["reason"] = reasons
        rep["interval_min"] = pd.array([i[0] for i in intervals], dtype="Float64")
        rep["interval_max"] = pd.array([i[1] for i in intervals], dtype="Float64")
        rep["protected"] = pd.array(~hidden_idx.isin(unprotected_rows), dtype="boolean")
    report.append(rep)
    if unprotected_rows:
        LOG.warning("disclosure: %d suppressed cells of %s have a narrower interval than the protection "
                    "(see suppression_report.protected)", len(unprotected_rows), table)
    for col in ("value", "value_min", "value_max"):
        if col in out:
            out[col] = out[col].astype(out[col].dtype).mask(out.index.isin(hidden_idx))
    out.loc[hidden_idx, "suppressed"] = True
    out = out[~drop].reset_index(drop=True)
    return out, _finish_report(report)


def with_hidden_values(previous_protected: pd.DataFrame, previous_exact: pd.DataFrame,
                       stream: str) -> pd.DataFrame:
    """The previous release's protected table with `hidden_value`: the true count of each cell it
    suppressed, read from that release's exact (catalog) statistics table."""
    fixed, dims = stream_spec(stream)
    keys = list(fixed) + list(dims)
    exact = previous_exact[keys + ["value"]].rename(columns={"value": "hidden_value"})
    merged = previous_protected.merge(exact, on=keys, how="left", validate="one_to_one")
    merged["hidden_value"] = merged["hidden_value"].where(merged["suppressed"].astype(bool))
    return merged


# --- the report --------------------------------------------------------------------------------

def empty_report() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REPORT_COLUMNS.items()})


def _report_rows(frame: pd.DataFrame, table: str, fixed, dims, reason: str | None) -> pd.DataFrame:
    if frame.empty:
        return empty_report()
    values = frame[list(dims)].astype(str).to_numpy()
    cells = ["; ".join(f"{d}={v}" for d, v in zip(dims, row) if v != "all") or "total" for row in values]
    groups = [",".join(d for d, v in zip(dims, row) if v != "all") or "total" for row in values]
    rep = pd.DataFrame({
        "table": table, "source": frame["source"].to_numpy(), "snapshot": frame["snapshot"].to_numpy(),
        "year": frame["year"].to_numpy(),
        "year_basis": frame["year_basis"].to_numpy() if "year_basis" in frame else None,
        "unit": frame["unit"].to_numpy() if "unit" in frame else None,
        "subject": frame["subject"].to_numpy() if "subject" in frame else None,
        "stage": frame["stage"].to_numpy() if "stage" in frame else None,
        "grouping": groups, "cell": cells, "reason": reason, "value": frame["value"].to_numpy(),
        "interval_min": np.nan, "interval_max": np.nan, "protected": pd.NA,
    })
    return rep.astype(REPORT_COLUMNS)


def _finish_report(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_report()
    rep = pd.concat(parts, ignore_index=True).astype(REPORT_COLUMNS)
    order = pd.Categorical(rep["reason"], categories=list(REASONS), ordered=True)
    return rep.assign(_o=order).sort_values(["table", "source", "snapshot", "year", "unit", "subject",
                                             "stage", "_o", "grouping", "cell"],
                                            ignore_index=True).drop(columns="_o")


def suppression_summary(protected: pd.DataFrame, report: pd.DataFrame, stream: str) -> pd.DataFrame:
    """Per table, source and snapshot: cells published and withheld, by reason, the count hidden
    (sum of suppressed values: catalog only, never public), suppressed cells in the primary
    range or kept from the previous release whose interval is too narrow (`unprotected`: a
    release should not go out with any), and complementary cells too narrow themselves
    (`complementary_narrow`: they hide nothing sensitive; see the doc)."""
    table = f"{stream}_stats"
    rep = report[report["table"] == table]
    rows = []
    for (source, snapshot), cells in rep.groupby(["source", "snapshot"], sort=True):
        pub = protected[(protected["source"] == source) & (protected["snapshot"] == snapshot)]
        hidden = cells[cells["reason"] != "not_published_grouping"]
        not_protected = ~hidden["protected"].fillna(True).astype(bool)
        counts = cells["reason"].value_counts()
        rows.append({"table": table, "source": source, "snapshot": snapshot,
                     "cells_published": int((~pub["suppressed"].astype(bool)).sum()),
                     "cells_suppressed": len(hidden),
                     **{r: int(counts.get(r, 0)) for r in REASONS},
                     "count_hidden": int(hidden["value"].sum()),
                     "unprotected": int((not_protected & (hidden["reason"] != "complementary")).sum()),
                     "complementary_narrow": int((not_protected & (hidden["reason"] == "complementary")).sum())})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
