"""Great Expectations checkpoint on hand-built tables: what passes, exactly what fails, and
Data Docs that load nothing from the network."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from pipelines.publish.quality import CDN_ASSETS, GX_ASSETS, run_expectations
from schemas.deaths import Deaths, DeathsStats
from schemas.metadata import Coverage, Sources

SHA = "0" * 64
CHROMIUM = Path("/usr/bin/chromium")


def _table(model, rows: list[dict], **common) -> pd.DataFrame:
    """Rows completed with `common`, in the model's columns and dtypes (validated)."""
    frame = pd.DataFrame([{**common, **r} for r in rows])
    return model.validate(frame[list(model.to_schema().columns)])


def _tables() -> dict[str, pd.DataFrame]:
    all_dims = dict(sex="all", gender_identity="all", age_group="all", nationality="all",
                    race_ethnicity="all", country_iso3="all", cause="all", criminal="all",
                    scope="all", status="all")
    cells = [{"value": 3}, {"sex": "female", "value": 1}, {"sex": "unknown", "value": 2},
             {"nationality": "GTM", "value": 2}, {"nationality": "M49_013", "value": 1}]
    stats = _table(DeathsStats, [{**c, "value_min": c["value"], "value_max": c["value"]}
                                 for c in cells],
                   source="mmp", snapshot="2025-05-05", is_latest=True, year=2024,
                   year_basis="incident", partial_year=False, unit="persons", **all_dims,
                   suppressed=False, source_suppressed=False)
    record = dict(source="mmp", snapshot="2025-05-05", is_latest=True, event_date=None,
                  year=2024, year_basis="incident", region="Americas", route=None,
                  country_iso3="USA", country_native="United States", dead=1, missing=0,
                  dead_and_missing=1, female=None, male=None, sex_unknown=1, children=None,
                  adults=None, age_unknown=1, age_years=None, nationality="GTM",
                  nationality_native="Guatemala", race_ethnicity="not_recorded",
                  gender_identity="not_recorded", cause="drowning", cause_native="Drowning",
                  criminal="undetermined", criminal_rule="cause_alone", scope="in_transit",
                  source_quality="3", flags="", raw_file="mmp.csv", raw_sha256=SHA)
    deaths = _table(Deaths, [{"record_id": "1", "raw_row": 2},
                             {"record_id": "2", "raw_row": 3, "nationality": "M49_013"}], **record)
    coverage = _table(Coverage, [
        {"source": "mmp", "dimension": "sex", "recorded": "partly", "known_share": 0.37},
        {"source": "mmp", "dimension": "nationality", "recorded": "yes", "known_share": 0.53},
        # CBP records no sex at all: reported, never a failure.
        {"source": "cbp_deaths", "dimension": "sex", "recorded": "no", "known_share": 0.0},
        {"source": "cbp_deaths", "dimension": "nationality", "recorded": "yes",
         "known_share": 0.9},
        # An older snapshot is not held to the floor.
        {"source": "mmp", "snapshot": "2019-12-31", "is_latest": False,
         "dimension": "nationality", "recorded": "no", "known_share": 0.0},
    ], snapshot="2025-05-05", is_latest=True, stream="deaths", unit="persons", subject=None, total=10)
    sources = _table(Sources, [
        {"source": "mmp", "file": "mmp.csv", "rows_read": 2, "rows_accepted": 2,
         "rows_quarantined": 0},
        {"source": "cbp_deaths", "file": "cbp.csv", "rows_read": 5, "rows_accepted": 4,
         "rows_quarantined": 1},
        {"source": "cbp_deaths", "file": "broken.csv", "status": "failed",
         "error": "unreadable", "rows_read": None, "rows_accepted": None,
         "rows_quarantined": None},
    ], title="t", publisher="p", landing_page=None, licence=None, citation=None,
        snapshot="2025-05-05", kind="full", product="main", retrieved=None, period_start=None,
        period_end=None, records_end=None, is_latest=True, is_sample=False, sha256=SHA, bytes=10,
        format_version=None, status="ok", error=None, carried_forward_from=None,
        rows_flagged=0)
    return {"deaths": deaths, "deaths_stats": stats, "coverage": coverage, "sources": sources,
            "quarantine": pd.DataFrame()}          # a table without a suite is skipped


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory) -> tuple[dict, Path]:
    docs = tmp_path_factory.mktemp("release") / "data_docs"
    return run_expectations(_tables(), docs), docs


def test_clean_tables_pass_and_the_summary_is_json(clean_run):
    summary, _ = clean_run
    assert summary["success"], summary["failed"]
    assert summary["failed"] == []
    # Record tables are validated by pandera per file, not in the checkpoint (memory).
    assert set(summary["suites"]) == {"deaths_stats", "coverage", "sources"}
    assert all(s["evaluated"] > 0 and s["failed"] == 0 for s in summary["suites"].values())
    shares = {(c["source"], c["dimension"]): c["known_share"] for c in summary["completeness"]}
    assert shares == {("mmp", "sex"): 0.37, ("mmp", "nationality"): 0.53,
                      ("cbp_deaths", "sex"): 0.0, ("cbp_deaths", "nationality"): 0.9}
    json.dumps(summary)


def test_broken_tables_list_exactly_the_failures(tmp_path):
    tables = _tables()
    stats = tables["deaths_stats"]
    stats.loc[1, ["value", "value_min", "value_max"]] = [-1, pd.NA, pd.NA]   # a value -1
    stats.loc[2, "sex"] = "intersex"                                          # an unknown code
    coverage = tables["coverage"]
    coverage.loc[0, "known_share"] = 0.02                # below its floor: reported, not a failure
    tables["sources"].loc[1, "rows_read"] = 6            # 6 read, 4 + 1 accounted for

    summary = run_expectations(tables, tmp_path / "data_docs")

    assert not summary["success"]
    got = {(f["table"], f["expectation"], json.dumps(f["column"])): f["observed"]
           for f in summary["failed"]}
    assert set(got) == {
        ("deaths_stats", "expect_column_values_to_be_between", '"value"'),
        ("deaths_stats", "expect_column_values_to_be_in_set", '"sex"'),
        ("sources", "expect_column_pair_values_to_be_equal",
         '["rows_read", "rows_accepted_plus_quarantined"]'),
    }
    negative = got[("deaths_stats", "expect_column_values_to_be_between", '"value"')]
    assert negative["unexpected_count"] == 1 and negative["examples"] == [-1]
    assert got[("deaths_stats", "expect_column_values_to_be_in_set", '"sex"')] == {
        "unexpected_count": 1, "unexpected_percent": 20.0, "examples": ["intersex"]}
    low = [c for c in summary["completeness"] if not c["success"]]
    assert [(c["source"], c["dimension"], c["known_share"]) for c in low] == [("mmp", "sex", 0.02)]
    assert summary["suites"]["deaths_stats"]["failed"] == 2
    json.dumps(summary)


class _Loads(HTMLParser):
    """URLs a page loads: src/href of script, link and img tags."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img"):
            self.urls += [v for k, v in attrs if k in ("src", "href") and v]


def test_data_docs_load_nothing_from_the_network(clean_run):
    summary, docs = clean_run
    assert summary["data_docs"]["offline"], summary["data_docs"]["external_refs"]
    pages = sorted(docs.rglob("*.html"))
    assert (docs / "index.html") in pages and len(pages) >= 7   # index, 3 suites, 3 results
    missing, remote = [], []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "url('http" not in text and 'url("http' not in text, page
        parser = _Loads()
        parser.feed(text)
        assert parser.urls, page
        for url in parser.urls:
            if url.startswith(("http://", "https://", "//")):
                remote.append(f"{page.relative_to(docs)}: {url}")
            elif not (page.parent / url.split("?")[0]).resolve().is_file():
                missing.append(f"{page.relative_to(docs)}: {url}")
    assert not remote, remote
    assert not missing, missing
    # Font Awesome's CSS loads its fonts relatively, as ../webfonts/*.woff2.
    fonts = docs / "static/vendor/fontawesome-free-6.6.0/webfonts"
    assert len(list(fonts.glob("*.woff2"))) == 4
    assert not (docs / "static/fonts").exists()                 # GX's unused fonts pruned


def test_every_cdn_url_has_a_vendored_file_with_its_licence():
    for url, path in CDN_ASSETS.items():
        assert (GX_ASSETS / path).is_file(), url
        package = GX_ASSETS / path.split("/")[0]
        assert list(package.glob("LICENSE*")), package
    listed = (GX_ASSETS / "ASSETS.md").read_text(encoding="utf-8")
    assert all(url in listed for url in CDN_ASSETS)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="/usr/bin/chromium not installed (apt-get install chromium): "
                           "offline load in a real browser not checked")
def test_data_docs_render_offline_in_chromium(clean_run, tmp_path):
    websockets = pytest.importorskip("websockets.sync.client")
    _, docs = clean_run
    deepest = max(docs.rglob("*.html"), key=lambda p: len(p.parts))
    with _chromium(tmp_path) as browser:
        for page in (docs / "index.html", docs / "expectations" / "deaths_stats.html", deepest):
            failed, remote, errors = _load_offline(websockets, browser, page)
            assert not remote, (page, remote)
            assert not failed, (page, failed)
            assert not errors, (page, errors)


class _chromium:
    """Headless chromium with every proxy pointed at a closed port (no network)."""

    def __init__(self, tmp_path: Path):
        self.profile = tmp_path / "profile"

    def __enter__(self) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [str(CHROMIUM), "--headless=new", "--no-sandbox", "--disable-gpu",
             f"--remote-debugging-port={port}", f"--user-data-dir={self.profile}",
             "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
             "--allow-file-access-from-files", "--no-first-run", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    targets = [t for t in json.load(r) if t.get("type") == "page"]
                if targets:
                    return targets[0]["webSocketDebuggerUrl"]
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("chromium did not open its debugging port")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def _load_offline(websockets, ws_url: str, page: Path) -> tuple[list, list, list]:
    """Load a page over the DevTools protocol, offline; return failed loads, non-file
    requests and uncaught script errors."""
    failed, remote, errors, urls = [], [], [], {}
    with websockets.connect(ws_url, max_size=None, open_timeout=10) as ws:
        ids = iter(range(1, 10_000))

        def send(method, **params):
            ws.send(json.dumps({"id": next(ids), "method": method, "params": params}))

        for method in ("Network.enable", "Page.enable", "Runtime.enable"):
            send(method)
        send("Network.emulateNetworkConditions", offline=True, latency=0,
             downloadThroughput=-1, uploadThroughput=-1)
        send("Page.navigate", url=page.as_uri())
        deadline = time.time() + 20
        while time.time() < deadline:
            message = json.loads(ws.recv(timeout=20))
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent":
                url = urls[params["requestId"]] = params["request"]["url"]
                if not url.startswith(("file:", "data:", "about:")):
                    remote.append(url)
            elif method == "Network.loadingFailed":
                failed.append(f"{urls.get(params['requestId'])}: {params.get('errorText')}")
            elif method == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"].get("exception", {}).get("description"))
            elif method == "Page.loadEventFired":
                break
        else:
            raise AssertionError(f"{page} did not finish loading")
    return failed, remote, errors
