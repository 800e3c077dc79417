"""A whole run as `harmstats run` and the schedule do it (`pipelines.ops.run.execute`):
incremental (nothing new: no flow, no release), stale and overdue sources on --fetch runs,
a changed source among unchanged ones, a blocked run; reports and notifications."""

from __future__ import annotations

import os

# Before Prefect is imported, where this module runs first: a busy 2-core machine may need
# more than the default 20 s to start the temporary server.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

import json  # noqa: E402
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from pipelines.config import DEFAULT_RAW_DIR
from pipelines.ops.run import execute, use_prefect
from pipelines.publish.release import current_release
from pipelines.settings import Settings
from pipelines.sources import mmp
from pipelines.sources.registry import SOURCES
from pipelines.stats.checks import BlockingCheckError
from tests.ops_helpers import FaultServer, Receiver, serving

pytestmark = pytest.mark.flow
MMP_SAMPLE = DEFAULT_RAW_DIR / "mmp" / "SAMPLE-2020-01-13"


def _table(release: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(release / "tables" / f"{name}.parquet")


def _releases(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "releases").iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="module")
def frozen_code():
    """Code, mapping tables and schemas as they are now: other people editing the checkout
    while these tests run must not count as a change (test_ops_incremental covers that)."""
    from pipelines.ops import incremental
    from pipelines.publish import release

    files, definitions, version = incremental.code_files(), release.definition_hashes(), release.code_version()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(incremental, "code_files", lambda: files)
        for module in (incremental, release):
            patch.setattr(module, "definition_hashes", lambda: definitions)
            patch.setattr(module, "code_version", lambda: version)
        yield


@pytest.fixture(scope="module")
def first(tmp_path_factory, frozen_code):
    """MMP (one CSV) and CBP samples, published once through the flow."""
    root = tmp_path_factory.mktemp("ops-run")
    raw, out = root / "raw", root / "out"
    shutil.copytree(MMP_SAMPLE, raw / "mmp" / MMP_SAMPLE.name)
    shutil.copytree(DEFAULT_RAW_DIR / "cbp_deaths", raw / "cbp_deaths")
    report = execute(raw, out, sources=["cbp_deaths", "mmp"], keep=5)
    assert report["exit_code"] == 0 and report["published"], report["summary"]
    return raw, out, report


@pytest.fixture(autouse=True)
def _no_webhook(monkeypatch):
    monkeypatch.delenv("HARMSTATS_WEBHOOK_URL", raising=False)
    monkeypatch.setenv("HARMSTATS_FETCH_RETRIES", "0")


def test_first_run_reports_every_source_fresh(first):
    raw, out, report = first
    assert {s: i["state"] for s, i in report["sources"].items()} == {"cbp_deaths": "fresh", "mmp": "fresh"}
    assert report["sources"]["mmp"]["rows_read"] > 0 and report["sources"]["mmp"]["seconds"] > 0
    saved = json.loads((out / "reports" / f"{report['release_id']}.json").read_text())
    assert saved["summary"] == report["summary"] and saved["exit_code"] == 0
    assert json.loads((out / "last_run.json").read_text())["release_id"] == report["release_id"]
    manifest = json.loads((Path(report["release"]) / "manifest.json").read_text())
    assert set(manifest["incremental"]["sources"]) == {"cbp_deaths", "mmp"}


def test_a_one_off_run_without_prefect_publishes_what_the_flow_publishes(first, tmp_path):
    """With no Prefect server to record it, a run takes the steps in-process (no temporary
    API server); through the Prefect flow (HARMSTATS_PREFECT=always) the same inputs give the
    same tables, byte for byte, and the same accounting."""
    raw, out, report = first
    assert report["runner"] == "in-process"
    flow = execute(raw, tmp_path / "flow", sources=["cbp_deaths", "mmp"],
                   settings=Settings(prefect="always"))
    assert flow["runner"] == "prefect" and flow["exit_code"] == 0, flow["summary"]
    tables = [json.loads((Path(r["release"]) / "manifest.json").read_text())["tables"]
              for r in (report, flow)]
    assert tables[0] == tables[1] and len(tables[0]) > 10
    assert Path(flow["release"]).name.split("-")[1] == Path(report["release"]).name.split("-")[1]
    assert {s: i["rows_read"] for s, i in flow["sources"].items()} == \
        {s: i["rows_read"] for s, i in report["sources"].items()}


def test_prefect_runs_the_steps_only_where_it_records_or_distributes_them():
    assert not use_prefect(Settings())
    assert use_prefect(Settings(prefect="always"))
    assert use_prefect(Settings(prefect_api_url="http://127.0.0.1:4200/api"))
    assert use_prefect(Settings(dask_address="tcp://127.0.0.1:8786"))


def test_nothing_new_publishes_nothing_and_says_so_quickly(first):
    raw, out, report = first
    before = _releases(out)
    again = execute(raw, out, sources=["cbp_deaths", "mmp"])
    assert again["exit_code"] == 0 and again["outcome"] == "unchanged" and not again["published"]
    assert again["summary"].startswith(f"unchanged: nothing new since release {report['release_id']}")
    assert {i["state"] for i in again["sources"].values()} == {"unchanged"}
    assert again["sources"]["mmp"]["rows_read"] == report["sources"]["mmp"]["rows_read"]
    assert again["seconds"] < 3, again["seconds"]  # no Prefect, no processing
    assert _releases(out) == before
    assert Path(again["report_file"]).name.endswith("-unchanged.json")


def test_failed_fetch_is_stale_with_its_age_and_notifies(first, monkeypatch):
    raw, out, _ = first
    with serving(FaultServer()) as server, serving(Receiver()) as receiver:
        server.plan = [500]
        monkeypatch.setitem(SOURCES, "mmp", mmp.SOURCE.with_spec(
            download_url=server.url("/mmp.csv"), download_name="data.csv"))
        report = execute(raw, out, sources=["cbp_deaths", "mmp"], fetch=True,
                         today=date(2020, 1, 20), webhook_url=receiver.url)
    info = report["sources"]["mmp"]
    assert info["state"] == "stale" and info["age_days"] == 7 and info["max_age_days"] == 14
    assert info["fetch"]["outcome"] == "failed" and "HTTP 500" in info["fetch"]["error"]
    assert "using the last good snapshot SAMPLE-2020-01-13, 7 days old" in info["warnings"][0]
    assert report["sources"]["cbp_deaths"]["fetch"]["outcome"] == "no_download_url"
    assert report["exit_code"] == 1 and report["outcome"] == "unchanged"
    assert report["notification"]["sent"] is True
    (body,) = receiver.bodies
    assert list(body["harmstats"]["sources"]) == ["mmp"] and "mmp: stale" in body["text"]


def test_overdue_sources_exit_1_only_on_fetch_runs(first):
    raw, out, _ = first
    late = date(2027, 6, 1)
    report = execute(raw, out, sources=["cbp_deaths", "mmp"], fetch=True, today=late)
    states = {s: (i["state"], i["age_days"], i["max_age_days"]) for s, i in report["sources"].items()}
    assert states == {"cbp_deaths": ("overdue", (late - date(2026, 1, 28)).days, 400),
                      "mmp": ("overdue", (late - date(2020, 1, 13)).days, 14)}
    assert report["exit_code"] == 1 and "needs attention" in report["summary"]
    without_fetch = execute(raw, out, sources=["cbp_deaths", "mmp"])
    assert without_fetch["exit_code"] == 0 and "age_days" not in without_fetch["sources"]["mmp"]


def test_a_changed_source_is_reprocessed_the_others_reused(first):
    raw, out, report = first
    previous = Path(report["release"])
    shutil.copytree(MMP_SAMPLE, raw / "mmp" / "2026-07-01")
    (raw / "mmp" / "2026-07-01" / "snapshot.json").unlink()
    changed = execute(raw, out, sources=["cbp_deaths", "mmp"])
    assert changed["exit_code"] == 0 and changed["published"], changed["summary"]
    assert {s: i["state"] for s, i in changed["sources"].items()} == {"cbp_deaths": "unchanged", "mmp": "fresh"}
    assert "new: 2026-07-01/data.csv" in changed["sources"]["mmp"]["reason"]
    release = Path(changed["release"])
    sources = _table(release, "sources").set_index("source")
    assert sources.loc["cbp_deaths", "status"] == "ok" and pd.isna(sources.loc["cbp_deaths", "carried_forward_from"])
    assert sources.loc["mmp", "snapshot"] == "2026-07-01"
    old, new = _table(previous, "deaths"), _table(release, "deaths")
    assert (new["source"] == "cbp_deaths").sum() == (old["source"] == "cbp_deaths").sum()
    assert changed["changes"]["from"] == previous.name
    assert changed["changes"]["tables"]["deaths"]["added"] > 0  # mmp records of the new snapshot
    assert execute(raw, out, sources=["cbp_deaths", "mmp"])["outcome"] == "unchanged"


def test_blocked_run_exits_2_keeps_the_release_and_notifies(first, monkeypatch):
    raw, out, _ = first
    kept = current_release(out)

    def broken_check(stats, records):
        raise BlockingCheckError("deaths_stats failed blocking checks: 1 margin(s) do not add up")

    monkeypatch.setattr("pipelines.stats.tables.check_deaths", broken_check)
    with serving(Receiver()) as receiver:
        report = execute(raw, out, sources=["cbp_deaths", "mmp"], incremental=False,
                         webhook_url=receiver.url)
    assert report["exit_code"] == 2 and report["outcome"] == "blocked" and not report["published"]
    assert report["summary"].startswith("nothing published: a blocking check failed")
    assert current_release(out) == kept
    assert receiver.bodies[0]["harmstats"]["exit_code"] == 2
