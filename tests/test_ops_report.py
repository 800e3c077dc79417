"""The run report: per-source state, warnings, exit codes, the one-line summary, the table."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from pipelines.ops.report import RunReport, render, source_state

OK = {"status": "ok", "processed": True}
FAILED_FETCH = {"outcome": "failed", "error": "http://x/y.csv: failed after 4 attempt(s): HTTP 500"}


@pytest.mark.parametrize("info, state", [
    (OK, "fresh"),
    ({"status": "ok", "processed": False}, "unchanged"),
    ({**OK, "fetch": FAILED_FETCH}, "stale"),
    ({**OK, "fetch": FAILED_FETCH, "overdue": True}, "overdue"),
    ({"status": "failed", "carried_forward": True}, "carried_forward"),
    ({"status": "partly_failed"}, "failed"),
    ({"status": "no_snapshot"}, "no_snapshot"),
    ({"status": "no_snapshot", "fetch": FAILED_FETCH}, "failed"),
])
def test_state_of_a_source(info, state):
    assert source_state(info) == state


def _report(**sources) -> RunReport:
    report = RunReport(raw_dir="raw", out_dir="out", snapshot_mode="latest")
    report.sources = sources
    return report


def test_exit_codes():
    assert _report(mmp=dict(OK)).exit_code == 0
    assert _report(mmp={"status": "ok", "processed": False}).exit_code == 0
    assert _report(mmp={**OK, "fetch": FAILED_FETCH}).exit_code == 1
    assert _report(mmp={**OK, "overdue": True}).exit_code == 1
    assert _report(mmp={"status": "partly_failed"}).exit_code == 1
    blocked = _report(mmp=dict(OK))
    blocked.blocked(RuntimeError("margins do not add up"))
    assert blocked.exit_code == 2
    locked = _report()
    locked.outcome = "locked"
    assert locked.exit_code == 3


def test_stale_and_overdue_warnings_say_how_old_in_plain_words():
    report = _report(mmp={**OK, "fetch": FAILED_FETCH, "overdue": True, "age_days": 20,
                          "max_age_days": 14, "newest_snapshot": "2026-11-08"})
    report.published("/out/releases/R2", [])
    data = report.to_dict()
    warnings = data["sources"]["mmp"]["warnings"]
    assert "using the last good snapshot 2026-11-08, 20 days old" in warnings[0]
    assert warnings[1].startswith("overdue: newest snapshot 2026-11-08 is 20 days old, more than the 14 days")
    assert "continuous" in warnings[1]  # MMP's cadence, in words
    assert data["summary"] == "published R2 (1 overdue); needs attention: mmp (overdue)"


def test_nothing_new_summary_and_table():
    report = _report(mmp={"status": "ok", "processed": False, "rows_read": 1234,
                          "snapshots": ["2026-11-08"]})
    report.nothing_new(Path("/out/releases/R1"))
    data = {**report.to_dict(), "seconds": 0.4}
    assert data["summary"] == "unchanged: nothing new since release R1 (1 unchanged)"
    assert data["exit_code"] == 0 and not data["published"]
    buffer = io.StringIO()
    render(data, Console(file=buffer, width=200, color_system=None))
    text = buffer.getvalue()
    assert "unchanged" in text and "1,234" in text
    assert "Unchanged: nothing new since release R1 (1 unchanged) in 0.40 s (exit 0)" in text
