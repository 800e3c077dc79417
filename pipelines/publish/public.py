"""The public tier of a release: disclosure control on statistics built from confidential
person-level data (the NGO incident log), before extracts, the page and exports see them.

The catalog keeps the exact tables; the public versions are protected with
`disclosure.protect`, linked to the previous release's public tables so a cell cannot be
uncovered by subtracting two releases. Row counts and coverage shares of confidential sources
would give an attacker extra equations, so their public versions are withheld (null)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pipelines.publish.checks import BlockingCheckError
from pipelines.publish.disclosure import (confidential_sources, protect, suppression_summary,
                                          with_hidden_values)

PROTECTED_STREAMS = ("crimes", "prosecutions")


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


def _previous(previous_release: Path | None, stream: str) -> pd.DataFrame | None:
    """The previous release's public table of the stream, with the true values it hid."""
    if previous_release is None:
        return None
    public = previous_release / "extracts" / f"{stream}_stats.parquet"
    exact = previous_release / "tables" / f"{stream}_stats.parquet"
    if not (public.is_file() and exact.is_file()):
        return None
    return with_hidden_values(pd.read_parquet(public), pd.read_parquet(exact), stream)


def public_tables(tables: dict[str, pd.DataFrame], previous_release: Path | None
                  ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """(public versions of the tables that need protection, suppression report, summary).

    Raises BlockingCheckError when a suppressed cell could still be narrowed below its
    protection interval (nothing is published then)."""
    confidential = confidential_sources()
    overrides, reports, summaries = {}, [], []
    for stream in PROTECTED_STREAMS:
        name = f"{stream}_stats"
        stats = tables.get(name)
        if stats is None or stats.empty or not confidential & set(stats["source"].unique()):
            continue
        latest = stats[stats["is_latest"]]
        threshold, protection = settings()
        public, report = protect(latest, stream, confidential, previous=_previous(previous_release, stream),
                                 threshold=threshold, protection=protection)
        overrides[name] = public
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
