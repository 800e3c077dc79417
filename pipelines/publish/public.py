"""The public tier of a release: disclosure control on statistics built from confidential
person-level data (the NGO incident log), before extracts, the page and exports see them.

The catalog keeps the exact tables; the public versions are protected with
`disclosure.protect`, linked to the previous release's public tables so a cell cannot be
uncovered by subtracting two releases. Row counts and coverage shares of confidential sources
would give an attacker extra equations, so their public versions are withheld (null)."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import pandas as pd

from pipelines.publish.checks import BlockingCheckError
from pipelines.publish.disclosure import (confidential_sources, protect, suppression_summary,
                                          with_hidden_values)
from pipelines.publish.stored import BatchView, StoredTable, table_frames

PROTECTED_STREAMS = ("crimes", "prosecutions")
# A column `protect` carries along (it keeps the columns it does not know): the row position of
# each protected row in its table, to put it back in place there.
POSITION = "_row_position"


def settings() -> tuple[tuple[int, int], int]:
    """(primary threshold range, protection interval) from the environment: HARMSTATS_SDC_MIN
    and HARMSTATS_SDC_MAX (cells in that range are suppressed; default 1-4) and
    HARMSTATS_SDC_PROTECTION (an attacker's interval must reach the value +- this; default 2)."""
    low = int(os.environ.get("HARMSTATS_SDC_MIN", "1"))
    high = int(os.environ.get("HARMSTATS_SDC_MAX", "4"))
    protection = int(os.environ.get("HARMSTATS_SDC_PROTECTION", "2"))
    if not 1 <= low <= high or protection < 1:
        raise ValueError(f"disclosure settings out of range: threshold {low}-{high}, protection {protection}")
    return (low, high), protection
COUNT_COLUMNS = ("bytes", "rows_read", "rows_accepted", "rows_quarantined", "rows_flagged")


def _previous(previous_release: Path | None, stream: str, confidential: set[str]) -> pd.DataFrame | None:
    """The previous release's public table of the stream, with the true values it hid: the
    rows of confidential sources only (`protect` reads no other)."""
    if previous_release is None:
        return None
    public = previous_release / "extracts" / f"{stream}_stats.parquet"
    exact = previous_release / "tables" / f"{stream}_stats.parquet"
    if not (public.is_file() and exact.is_file()):
        return None
    mine = [("source", "in", sorted(confidential))]
    return with_hidden_values(pd.read_parquet(public, filters=mine), pd.read_parquet(exact, filters=mine),
                              stream)


def sources_in(stats: pd.DataFrame | StoredTable) -> set[str]:
    """The sources a statistics table holds, read a column at a time from a stored table."""
    return {s for frame in table_frames(stats, columns=["source"]) for s in frame["source"].dropna().unique()}


def confidential_latest(stats: pd.DataFrame | StoredTable, confidential: set[str]) -> pd.DataFrame:
    """The latest rows of confidential sources, indexed by their row position in `stats`: all
    that disclosure control reads (other sources pass through it unchanged)."""
    parts = [frame[frame["is_latest"] & frame["source"].isin(confidential)] for frame in table_frames(stats)]
    return pd.concat(parts) if len(parts) > 1 else parts[0]


def published_rows(frame: pd.DataFrame, confidential: frozenset[str], protected: pd.DataFrame) -> pd.DataFrame:
    """The latest rows of a frame of a statistics table (indexed by row position) as published:
    rows of confidential sources replaced by their version in `protected` (indexed the same
    way; a row it lacks is not published), as `protect` would return them given every row."""
    latest = frame[frame["is_latest"]]
    if "suppressed" not in latest:
        latest = latest.assign(suppressed=False)
    others = latest[~latest["source"].isin(confidential)]
    mine = protected[protected.index.isin(latest.index)]
    if mine.empty:
        return others
    return mine if others.empty else pd.concat([others, mine]).sort_index()


def public_tables(tables: dict, previous_release: Path | None) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """(public versions of the tables that need protection, suppression report, summary).

    A protected statistics table comes back as a `BatchView` of its latest rows, read frame by
    frame: a stored table is never held whole, only its confidential latest rows are.
    Raises BlockingCheckError when a suppressed cell could still be narrowed below its
    protection interval (nothing is published then)."""
    confidential = confidential_sources()
    overrides, reports, summaries = {}, [], []
    for stream in PROTECTED_STREAMS:
        name = f"{stream}_stats"
        stats = tables.get(name)
        if stats is None or stats.empty or not (confidential and confidential & sources_in(stats)):
            continue
        mine = confidential_latest(stats, confidential)
        threshold, protection = settings()
        public, report = protect(mine.assign(**{POSITION: mine.index}), stream, confidential,
                                 previous=_previous(previous_release, stream, confidential),
                                 threshold=threshold, protection=protection)
        public = public.set_index(POSITION).rename_axis(None)
        overrides[name] = BatchView(stats, partial(published_rows, confidential=frozenset(confidential),
                                                   protected=public))
        reports.append(report)
        summaries.append(suppression_summary(public, report, stream))
    summary = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame()
    if len(summary) and int(summary["unprotected"].sum()) > 0:
        raise BlockingCheckError(
            f"disclosure control: {int(summary['unprotected'].sum())} suppressed cell(s) could be "
            "narrowed below their protection interval; nothing published")
    if confidential:
        for name, columns in (("coverage", ("known_share", "total")), ("sources", COUNT_COLUMNS)):
            frame = tables.get(name)
            if frame is not None and len(frame):
                mine = frame["source"].isin(confidential)
                frame = frame.astype({c: "object" for c in columns if c in frame})
                frame.loc[mine, [c for c in columns if c in frame]] = None
                overrides[name] = frame
    report = pd.concat(reports, ignore_index=True) if reports else pd.DataFrame()
    return overrides, report, summary
