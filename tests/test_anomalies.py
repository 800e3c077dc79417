"""Anomaly warnings: a new snapshot compared with its own files and with the previous snapshot
of its source and product. Hand-made small MMP snapshots: a doubled file, a file with many
negative counts, a yearly total that jumps; the warning text, exit code 1, the notification,
and published tables identical to a run without the warnings."""

from __future__ import annotations

import io
import os

# Before Prefect is imported, where this module runs first: a busy 2-core machine may need
# more than the default 20 s to start the temporary server.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

from datetime import date, timedelta  # noqa: E402
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from pipelines.config import AnomalyThresholds
from pipelines.settings import Settings
from pipelines.ops.report import RunReport, render
from pipelines.ops.run import execute
from pipelines.sources import mmp
from pipelines.sources.process import process_source
from pipelines.stats.anomalies import find_anomalies
from pipelines.stats.tables import build_tables
from tests.helpers import write_snapshot
from tests.ops_helpers import Receiver, serving
from tests.test_source_mmp import WEB_ID_HEADER

THRESHOLD_VARIABLES = [f"HARMSTATS_ANOMALY_{name.upper()}" for name in AnomalyThresholds.__dataclass_fields__]


def _rows(count: int = 60, first_id: int = 1, total=lambda i, year: 2, missing=lambda i: "") -> list[str]:
    """Web ID export rows: `count` incidents spread over 2017-2019, ids from `first_id`."""
    start = date(2017, 1, 3)
    rows = []
    for i in range(count):
        day = start + timedelta(days=(i * 1093) // count)
        value = total(i, day.year)
        rows.append(f'"{first_id + i}","Mediterranean","{day:%B} {day.day}, {day.year}","{day.year}",'
                    f'"{day:%b}","{value}","{missing(i)}","{value}","","","","","Drowning","x","y",'
                    '"1, 2","","","Uncategorized","3"')
    return rows


def _snapshot(raw: Path, name: str, rows: list[str]) -> Path:
    _, path = write_snapshot(raw, mmp, name, "data.csv",
                             ("\r\n".join([WEB_ID_HEADER] + rows) + "\r\n").encode(),
                             ("2017-01-01", f"{name[:4]}-{name[5:7]}-{name[8:10]}"))
    return path


@pytest.fixture(autouse=True)
def _default_thresholds(monkeypatch):
    for name in THRESHOLD_VARIABLES + ["HARMSTATS_WEBHOOK_URL"]:
        monkeypatch.delenv(name, raising=False)


def _anomalies(raw: Path, tmp_path: Path) -> list[dict]:
    """The warnings of a first release built from `raw` (every snapshot new)."""
    summary = process_source("mmp", raw, "all", tmp_path / "work")
    tables = build_tables(raw, [summary], store_dir=tmp_path / "store")
    return find_anomalies(tables, [summary], None)


# --- the checks, on a release built in this process --------------------------------------------

def test_a_clean_revision_raises_nothing(tmp_path):
    raw = tmp_path / "raw"
    _snapshot(raw, "2020-01-13", _rows())
    # Revised: 2 of 60 incidents one person larger (+3% in their years), 2 new incidents.
    _snapshot(raw, "2020-02-20", _rows(total=lambda i, y: 3 if i in (5, 40) else 2) + _rows(2, 500))
    assert _anomalies(raw, tmp_path) == []


def test_a_file_with_many_negative_counts_is_named(tmp_path):
    raw = tmp_path / "raw"
    _snapshot(raw, "2020-01-13", _rows())
    _snapshot(raw, "2020-02-20", _rows(missing=lambda i: "-1" if i % 4 == 0 else ""))
    (warning,) = _anomalies(raw, tmp_path)
    assert (warning["source"], warning["snapshot"], warning["file"]) == ("mmp", "2020-02-20", "data.csv")
    assert (warning["measure"], warning["value"], warning["previous"]) == ("flag_share", 0.25, 0.0)
    assert warning["compared_with"] == "2020-01-13"
    assert warning["text"] == (
        "anomaly in 2020-02-20/data.csv: 15 of 60 rows carry a consistency flag (25.0%), against "
        "0.0% in snapshot 2020-01-13: up more than 5% (see the flags column of the records)")


def test_a_yearly_total_that_jumps_is_named_with_both_numbers(tmp_path):
    raw = tmp_path / "raw"
    _snapshot(raw, "2020-01-13", _rows())
    _snapshot(raw, "2020-02-20", _rows(total=lambda i, year: 6 if year == 2018 else 2))
    (warning,) = _anomalies(raw, tmp_path)
    assert (warning["measure"], warning["previous"], warning["value"]) == ("yearly_total", "40", "120")
    assert warning["years"] == [{"table": "deaths_stats", "basis": "reported, persons", "year": 2018,
                                 "previous": "40", "value": "120", "previous_snapshot": "2020-01-13"}]
    assert warning["text"] == (
        "anomaly in 2020-02-20/data.csv: yearly totals moved by more than 10% (and 10) from "
        "snapshot 2020-01-13 in 1 of 3 years both cover in full (per table, year basis, unit and "
        "subject), largest: 2018 deaths_stats (reported, persons): 40 -> 120 (+200%)")


def test_thresholds_come_from_one_place_and_the_environment():
    assert AnomalyThresholds() == Settings.from_env({}).anomaly_thresholds
    custom = Settings.from_env({"HARMSTATS_ANOMALY_YEARLY_TOTAL_SHARE": "0.5",
                                "HARMSTATS_ANOMALY_YEARLY_TOTAL_MIN": "3"}).anomaly_thresholds
    assert (custom.yearly_total_share, custom.yearly_total_min) == (0.5, 3)
    assert (custom.quarantine_share, custom.flag_share_jump) == (0.01, 0.05)
    with pytest.raises(ValueError, match="HARMSTATS_ANOMALY_QUARANTINE_SHARE='a lot'"):
        Settings.from_env({"HARMSTATS_ANOMALY_QUARANTINE_SHARE": "a lot"})


def test_report_state_exit_code_and_full_names_in_the_run_table():
    report = RunReport(raw_dir="r", out_dir="o", snapshot_mode="all")
    report.add_summary({"source": "ca_statcan_hate_crime", "snapshots_selected": ["s"],
                        "ignored_files": [], "files": [{"snapshot": "s", "file": "f.csv",
                                                        "status": "ok", "rows_read": 10,
                                                        "rows_accepted": 10, "rows_quarantined": 0,
                                                        "rows_flagged": 0}]})
    warning = {"source": "ca_statcan_hate_crime", "snapshot": "s", "file": "f.csv",
               "measure": "quarantine_share", "text": "anomaly in s/f.csv: quarantined"}
    report.published("rel", [], [warning])
    data = report.to_dict()
    assert data["exit_code"] == 1
    assert data["sources"]["ca_statcan_hate_crime"]["state"] == "anomalous"
    assert "needs attention: ca_statcan_hate_crime (anomalous)" in data["summary"]
    out = io.StringIO()
    render(data, Console(file=out, width=60))  # not a terminal, narrower than the table
    text = out.getvalue()
    assert "│ ca_statcan_hate_crime │ anomalous │" in text
    assert "anomaly in s/f.csv: quarantined" in text


# --- whole runs: exit code, notification, what is published ------------------------------------

@pytest.fixture(scope="module")
def doubled(tmp_path_factory):
    """A first release of one MMP snapshot; then a new snapshot whose every row appears twice
    (the same publisher ids), run with a webhook listening."""
    root = tmp_path_factory.mktemp("anomalies")
    raw, out = root / "raw", root / "out"
    _snapshot(raw, "2020-01-13", _rows())
    first = execute(raw, out, sources=["mmp"], snapshot_mode="all")
    assert first["exit_code"] == 0 and first["published"], first["summary"]
    rows = _rows()
    _snapshot(raw, "2020-02-20", [row for row in rows for _ in (0, 1)])
    with pytest.MonkeyPatch.context() as patch:
        for name in THRESHOLD_VARIABLES:
            patch.delenv(name, raising=False)
        with serving(Receiver()) as receiver:
            second = execute(raw, out, sources=["mmp"], snapshot_mode="all",
                             webhook_url=receiver.url)
    return raw, first, second, receiver.bodies


@pytest.mark.flow
def test_a_doubled_file_exits_1_with_named_warnings(doubled):
    _, _, second, _ = doubled
    assert second["exit_code"] == 1 and second["published"], second["summary"]
    info = second["sources"]["mmp"]
    assert info["state"] == "anomalous"
    assert [(a["measure"], a["snapshot"], a["file"], a["value"]) for a in info["anomalies"]] == [
        ("quarantine_share", "2020-02-20", "data.csv", 0.5),
        ("repeated_ids", "2020-02-20", "data.csv", 0.5)]
    assert info["warnings"] == [
        "anomaly in 2020-02-20/data.csv: 60 of 120 rows read were quarantined (50.0%), above the "
        "1% threshold (see table quarantine)",
        "anomaly in 2020-02-20/data.csv: 60 of 120 rows repeat the record id of an earlier row "
        "(50.0%; threshold 0%): a duplicated file or export?"]
    assert "needs attention: mmp (anomalous)" in second["summary"]


@pytest.mark.flow
def test_the_notification_names_the_anomalies(doubled):
    _, _, second, bodies = doubled
    assert second["notification"]["sent"] is True
    (body,) = bodies
    assert body["harmstats"]["exit_code"] == 1
    mmp_entry = body["harmstats"]["sources"]["mmp"]
    assert mmp_entry["state"] == "anomalous"
    assert [a["measure"] for a in mmp_entry["anomalies"]] == ["quarantine_share", "repeated_ids"]
    assert "- mmp: anomalous: anomaly in 2020-02-20/data.csv: 60 of 120 rows read" in body["text"]


@pytest.mark.flow
def test_the_previous_snapshot_is_untouched_and_a_known_snapshot_is_not_warned_again(doubled):
    raw, first, second, _ = doubled
    old = pd.read_parquet(Path(first["release"]) / "tables" / "deaths_stats.parquet")
    new = pd.read_parquet(Path(second["release"]) / "tables" / "deaths_stats.parquet")
    kept = new[new["snapshot"] == "2020-01-13"].drop(columns="is_latest").reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, old.drop(columns="is_latest").reset_index(drop=True))
    # The doubled snapshot's figures are those of its first copies (the repeats quarantined).
    assert new.loc[new["snapshot"] == "2020-02-20", "value"].sum() == kept["value"].sum()


@pytest.mark.flow
def test_published_tables_are_the_same_with_or_without_the_warnings(doubled, tmp_path, monkeypatch):
    raw, _, _, _ = doubled
    warned = execute(raw, tmp_path / "warned", sources=["mmp"], snapshot_mode="all")
    for name in THRESHOLD_VARIABLES:  # nothing can warn
        monkeypatch.setenv(name, "1000000")
    quiet = execute(raw, tmp_path / "quiet", sources=["mmp"], snapshot_mode="all")
    assert (warned["exit_code"], quiet["exit_code"]) == (1, 0)
    assert quiet["sources"]["mmp"]["state"] == "fresh"
    for table in sorted(p.name for p in (Path(warned["release"]) / "tables").iterdir()):
        pd.testing.assert_frame_equal(pd.read_parquet(Path(warned["release"]) / "tables" / table),
                                      pd.read_parquet(Path(quiet["release"]) / "tables" / table))
    # The release id ends with a hash of the tables' contents.
    assert warned["release_id"].split("-")[1] == quiet["release_id"].split("-")[1]
