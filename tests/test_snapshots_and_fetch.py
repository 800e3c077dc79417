"""Snapshots on disk (sidecars, `--snapshot latest`) and fetching from a loopback server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipelines import snapshots
from pipelines.sources import fetching
from pipelines.sources.source import Source, SourceSpec


class _Declared:
    """A source as snapshots see it: its id, no declared product, no archive."""

    def __init__(self, source_id: str):
        self.id, self.product, self.archive_member = source_id, "default", None


def _snap(root, source, name, kind="full", product="global"):
    folder = root / source / name
    folder.mkdir(parents=True)
    (folder / "data.csv").write_text("a,b\n1,2\n")
    (folder / "snapshot.json").write_text(json.dumps(
        {"source": source, "snapshot": name, "kind": kind, "product": product,
         "period": {"start": None, "end": None}, "files": {}}))
    return folder


def test_latest_is_newest_full_snapshot_per_product(tmp_path):
    _snap(tmp_path, "s", "2024-11-21")
    _snap(tmp_path, "s", "2025-05-05")
    _snap(tmp_path, "s", "2026-05-06", kind="partial")
    _snap(tmp_path, "s", "kaggle_2023", kind="derived")
    _snap(tmp_path, "s", "2020-01-01", product="other", kind="partial")
    found = snapshots.discover(tmp_path, _Declared("s"))
    latest = snapshots.select(found, "latest")
    assert [(s.product, s.name) for s in latest] == [("other", "2020-01-01"), ("global", "2025-05-05")]
    assert len(snapshots.select(found, "all")) == 5
    assert [s.name for s in snapshots.select(found, "kaggle_2023")] == ["kaggle_2023"]


def test_sample_never_outranks_real_snapshot_of_same_date(tmp_path):
    _snap(tmp_path, "s", "2022-03-28")
    _snap(tmp_path, "s", "SAMPLE-2022-03-28")
    assert [s.name for s in snapshots.select(snapshots.discover(tmp_path, _Declared("s")), "latest")] == ["2022-03-28"]


def test_hand_dropped_file_gets_an_inferred_sidecar(tmp_path):
    folder = tmp_path / "s" / "2026-01-01"
    folder.mkdir(parents=True)
    (folder / "export.csv").write_text("x\n1\n")
    (snap,) = snapshots.discover(tmp_path, _Declared("s"))
    sidecar = json.loads((folder / "snapshot.json").read_text())
    assert snap.kind == "full" and sidecar["inferred"] is True
    assert sidecar["files"]["export.csv"]["bytes"] == 4
    assert len(sidecar["files"]["export.csv"]["sha256"]) == 64


class _Handler(BaseHTTPRequestHandler):
    plan: list = []  # (status, body) per request, last one repeated

    def do_GET(self):  # noqa: N802 - http.server's name
        status, body = self.plan.pop(0) if len(self.plan) > 1 else self.plan[0]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()


def _never(*args):
    raise AssertionError("a plain header row is checked without the reader")


def _spec(url):
    """A source with a download address and no known headers."""
    return Source(spec=SourceSpec(id="demo", title="t", publisher="p", landing_page="l", licence="x",
                                  stream="deaths", cadence="daily", max_age_days=1, download_url=url,
                                  download_name="data.csv"),
                  file_patterns=("*.csv",), headers={}, read_raw=_never, to_curated=_never)


def test_fetch_retries_then_writes_snapshot_and_sidecar(server, tmp_path, monkeypatch):
    monkeypatch.setattr(fetching.time, "sleep", lambda s: None)
    _Handler.plan = [(500, b"oops"), (200, b"a,b\n1,2\n")]
    url = f"http://127.0.0.1:{server.server_port}/data.csv"
    folder = fetching.fetch_snapshot(_spec(url), tmp_path, today="2026-11-28")
    sidecar = json.loads((folder / "snapshot.json").read_text())
    assert (folder / "data.csv").read_bytes() == b"a,b\n1,2\n"
    assert sidecar["download_url"] == url and sidecar["files"]["data.csv"]["bytes"] == 8
    # The same bytes again: no new snapshot.
    assert fetching.fetch_snapshot(_spec(url), tmp_path, today="2026-11-29") is None


def test_fetch_refuses_an_html_error_page(server, tmp_path):
    _Handler.plan = [(200, b"<!DOCTYPE html><html>Maintenance</html>")]
    url = f"http://127.0.0.1:{server.server_port}/data.csv"
    with pytest.raises(fetching.FetchError, match="HTML"):
        fetching.fetch_snapshot(_spec(url), tmp_path, today="2026-11-28")
    assert not (tmp_path / "demo" / "2026-11-28").exists()
