"""Fetching real published files from a loopback server with faults: 500s, a hang, a body cut
short, an HTML error page with status 200, a changed header row; conditional requests."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile

import pytest

from pipelines.sources import cbp_deaths, fbi_hate_crime, fetching, mmp, unodc_glotip
from tests.ops_helpers import FaultServer, closed_port_url, serving

MMP_CSV = ("mmp", "2020-01-13", "data.csv")
GLOTIP_XLSX = ("unodc_glotip", "2025-04-14", "data_glotip.xlsx")
FAST = {"timeout": 0.5, "retries": 2, "backoff": 0.0}


def _real(real_dir, source, snapshot, name) -> bytes:
    path = real_dir / source / snapshot / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path.read_bytes()


@pytest.fixture
def server():
    with serving(FaultServer()) as running:
        yield running


@pytest.fixture
def mmp_csv(real_dir, server):
    """The real 2020 MMP export served at /mmp.csv; MMP's Source pointing at it."""
    server.files["/mmp.csv"] = _real(real_dir, *MMP_CSV)
    return mmp.SOURCE.with_spec(download_url=server.url("/mmp.csv"), download_name="data.csv")


def _fetch(spec, raw, **kwargs):
    return fetching.fetch_source(spec, raw, today="2026-11-28", **{**FAST, **kwargs})


def test_500s_then_success_makes_a_snapshot_with_validators_in_the_sidecar(server, mmp_csv, tmp_path):
    server.plan = [500, 503, "ok"]
    outcome = _fetch(mmp_csv, tmp_path)
    assert outcome.outcome == "new" and outcome.attempts == 3
    assert outcome.retried_after == ("HTTP 500", "HTTP 503")
    folder = tmp_path / "mmp" / "2026-11-28"
    assert (folder / "data.csv").read_bytes() == server.files["/mmp.csv"]
    sidecar = json.loads((folder / "snapshot.json").read_text())
    assert sidecar["etag"] == '"v1"' and sidecar["last_modified"].startswith("Wed, 01 Jul 2026")
    assert sidecar["files"]["data.csv"]["bytes"] == len(server.files["/mmp.csv"])
    assert not list((tmp_path / "mmp").glob(".*"))  # no staging left


def test_conditional_request_304_means_unchanged(server, mmp_csv, tmp_path):
    assert _fetch(mmp_csv, tmp_path).outcome == "new"
    again = fetching.fetch_source(mmp_csv, tmp_path, today="2026-11-29", **FAST)
    assert again.outcome == "not_modified"
    sent = server.requests[-1]["headers"]
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"].startswith("Wed, 01 Jul")
    assert sorted(p.name for p in (tmp_path / "mmp").iterdir()) == ["2026-11-28"]


def test_same_bytes_without_validators_is_identical_not_a_new_snapshot(server, mmp_csv, tmp_path):
    assert _fetch(mmp_csv, tmp_path).outcome == "new"
    server.etag, server.last_modified = '"v2"', "Thu, 02 Jul 2026 00:00:00 GMT"
    again = fetching.fetch_source(mmp_csv, tmp_path, today="2026-11-29", **FAST)
    assert again.outcome == "identical" and again.snapshot == "2026-11-28"


def test_a_hang_times_out_and_fails_after_its_retries(server, mmp_csv, tmp_path):
    server.plan = [("hang", 3)]
    started = time.monotonic()
    with pytest.raises(fetching.FetchError, match="timed out"):
        _fetch(mmp_csv, tmp_path, timeout=0.3, retries=1)
    assert time.monotonic() - started < 2.5
    assert not (tmp_path / "mmp" / "2026-11-28").exists()


def test_a_hang_then_success_is_retried(server, mmp_csv, tmp_path):
    server.plan = [("hang", 1.5), "ok"]
    outcome = _fetch(mmp_csv, tmp_path, timeout=0.3, retries=1)
    assert outcome.outcome == "new" and outcome.attempts == 2
    assert "timed out" in outcome.retried_after[0]


def test_a_truncated_body_is_retried_and_never_kept(server, mmp_csv, tmp_path):
    server.plan = ["truncate"]
    with pytest.raises(fetching.FetchError) as failed:
        _fetch(mmp_csv, tmp_path, retries=1)
    assert "2 attempt(s)" in str(failed.value)
    assert not (tmp_path / "mmp" / "2026-11-28").exists()
    server.plan = ["truncate", "ok"]
    assert _fetch(mmp_csv, tmp_path, retries=1).outcome == "new"
    assert (tmp_path / "mmp" / "2026-11-28" / "data.csv").stat().st_size == len(server.files["/mmp.csv"])


def test_an_html_error_page_with_status_200_is_refused(server, mmp_csv, tmp_path):
    server.plan = ["html"]
    with pytest.raises(fetching.FetchError, match="HTML page"):
        _fetch(mmp_csv, tmp_path)
    assert not (tmp_path / "mmp").exists() or not any((tmp_path / "mmp").iterdir())


def test_a_changed_header_row_is_refused_and_named(server, mmp_csv, tmp_path):
    good = server.files["/mmp.csv"]
    server.plan = [("body", good.replace(b"Web ID", b"Incident Identifier", 1))]
    with pytest.raises(fetching.FetchError) as refused:
        _fetch(mmp_csv, tmp_path)
    message = str(refused.value)
    assert "header row matches none" in message and "web_id_2019" in message
    assert "incident identifier" in message and "schemas/raw/mmp.py" in message


def test_size_limit(server, mmp_csv, tmp_path):
    with pytest.raises(fetching.FetchError, match="more than the limit of 1,000"):
        _fetch(mmp_csv, tmp_path, max_bytes=1000)


def test_xlsx_must_be_a_valid_zip(real_dir, server, tmp_path):
    data = _real(real_dir, *GLOTIP_XLSX)
    server.files["/glotip.xlsx"] = data
    spec = unodc_glotip.SOURCE.with_spec(download_url=server.url("/glotip.xlsx"))
    assert _fetch(spec, tmp_path).outcome == "new"
    assert (tmp_path / "unodc_glotip" / "2026-11-28" / "data_glotip.xlsx").read_bytes() == data
    server.plan = [("body", data[: len(data) // 2])]  # half a file, sent whole: no retry helps
    with pytest.raises(fetching.FetchError, match="XLSX|zip"):
        fetching.fetch_source(spec, tmp_path, today="2026-11-29", **FAST)


def test_a_zip_holding_the_sources_csv_is_fetched_with_its_member_recorded(real_dir, server, tmp_path):
    snapshot = ("fbi_hate_crime", "cde_incidents_1991_2020", "hate_crime.csv.zip")
    server.files["/hate_crime.zip"] = _real(real_dir, *snapshot)
    spec = fbi_hate_crime.SOURCE.with_spec(download_url=server.url("/hate_crime.zip"))
    assert _fetch(spec, tmp_path).outcome == "new"
    sidecar = json.loads((tmp_path / "fbi_hate_crime" / "2026-11-28" / "snapshot.json").read_text())
    real = json.loads((real_dir / snapshot[0] / snapshot[1] / "snapshot.json").read_text())
    assert sidecar["archive_member"] == {**real["archive_member"], "archive": "hate_crime.zip"}
    assert sidecar["files"]["hate_crime.zip"] == real["files"]["hate_crime.csv.zip"]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("members, message", [
    ({"readme.txt": b"see the website"}, "no file matching '*.csv'"),
    ({"hate_crime.csv": b"INCIDENT_ID,YEAR,BIAS\n1,2021,Anti-White\n"}, "header row matches none"),
])
def test_a_zip_without_the_sources_csv_is_refused(server, tmp_path, members, message):
    server.files["/hate_crime.zip"] = _zip(members)
    spec = fbi_hate_crime.SOURCE.with_spec(download_url=server.url("/hate_crime.zip"))
    with pytest.raises(fetching.FetchError, match=re.escape(message)):
        _fetch(spec, tmp_path)
    assert not (tmp_path / "fbi_hate_crime").exists() or not any((tmp_path / "fbi_hate_crime").iterdir())


def test_content_check_accepts_every_real_file_of_every_source(real_dir):
    """No false refusal: title rows (FBI table 1) and multi-row headers (StatCan) included."""
    from pipelines.sources.process import files_to_read
    from pipelines.sources.registry import SOURCES
    from tests.conftest import real_snapshot

    checked = 0
    for source_id, source in SOURCES.items():
        for folder in sorted(p for p in (real_dir / source_id).glob("*") if p.is_dir()):
            wanted, _ = files_to_read(real_snapshot(real_dir, source_id, folder.name), source.file_patterns)
            for path in wanted:
                assert fetching.content_problem(path, source) is None, path
                checked += 1
    assert checked >= 10


def test_fetch_sources_records_a_failure_instead_of_raising(monkeypatch, tmp_path):
    monkeypatch.setenv("HARMSTATS_FETCH_RETRIES", "0")
    unreachable = mmp.SOURCE.with_spec(download_url=closed_port_url("/mmp.csv"), download_name="data.csv")
    results = fetching.fetch_sources(tmp_path, [unreachable, cbp_deaths.SOURCE])
    assert results["mmp"]["outcome"] == "failed" and "ConnectError" in results["mmp"]["error"]
    assert results["cbp_deaths"]["outcome"] == "no_download_url"
