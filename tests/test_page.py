"""The release page: self-contained, a chart per source that really draws, every link
resolving, SAMPLE banner; checked in headless Chromium through the DevTools protocol (skipped
with a reason where Chromium is missing), plus unit tests of the charts on small tables."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest

from pipelines.publish.extract_tables import STATS_DIMENSIONS
from pipelines.publish.page import NO_DATA, funnel_of, render_page, write_page
from schemas.tables import TABLES
from tests.sample_release import sample_release

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--mute-audio", "--remote-debugging-port=0"]


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Path:
    return sample_release(tmp_path_factory)


# --- small tables -----------------------------------------------------------------------------

def stats_rows(table: str, rows: list[dict], **fixed) -> pd.DataFrame:
    """Rows of a statistics table: every dimension `all` unless given."""
    columns = list(TABLES[table].to_schema().columns)
    base = {d: "all" for d in STATS_DIMENSIONS[table]}
    base.update({"source": "src", "snapshot": "S1", "is_latest": True, "year": 2024,
                 "year_basis": "reported", "partial_year": False, "unit": "persons",
                 "subject": "victim", "value_min": None, "value_max": None, "suppressed": False,
                 "source_suppressed": False})
    base.update(fixed)
    frame = pd.DataFrame([{**base, **r} for r in rows])
    return frame[[c for c in columns if c in frame.columns]]


def sources_rows(*ids: str) -> pd.DataFrame:
    return pd.DataFrame([{
        "source": s, "title": f"Title of {s}", "publisher": "Publisher", "landing_page":
        "https://example.org/" + s, "licence": "CC BY 4.0", "citation": "Cite.", "snapshot": "S1",
        "kind": "full", "product": "default", "retrieved": None, "period_start": "2020-01-01",
        "period_end": "2024-12-31", "is_latest": True, "is_sample": False, "file": "f.csv",
        "sha256": "0" * 64, "bytes": 1, "format_version": "v1", "status": "ok", "error": None,
        "carried_forward_from": None, "rows_read": 1, "rows_accepted": 1, "rows_quarantined": 0,
        "rows_flagged": 0} for s in ids])


def _deaths() -> pd.DataFrame:
    return stats_rows("deaths_stats", [
        {"value": 10}, {"criminal": "criminal", "value": 4}, {"criminal": "undetermined", "value": 6},
        {"cause": "violence", "criminal": "criminal", "value": 4},
        {"cause": "drowning", "criminal": "undetermined", "value": 6},
        {"nationality": "MEX", "value": 5}, {"nationality": "XKX", "value": 2},
        {"nationality": "UNKNOWN", "value": None, "suppressed": True},
        {"sex": "female", "value": 3}, {"sex": "unknown", "value": 7},
    ], source="dsrc", subject=None, year_basis="incident")


def _figures(page: str) -> dict[str, str]:
    return dict(re.findall(r'<figure class="chart" id="([^"]+)"[^>]*>(.*?)</figure>', page, re.S))


def test_empty_streams_say_no_data(tmp_path):
    page = render_page({"deaths_stats": _deaths(), "sources": sources_rows("dsrc")}, tmp_path, "R1",
                       created="2026-01-01T00:00:00+00:00", sample=False)
    figures = _figures(page)
    for chart in ("crimes-empty", "prosecutions-empty"):
        assert NO_DATA in figures[chart]
        assert f'id="{chart}" data-empty="true"' in page
    assert "deaths-year-dsrc-s1" in figures and "coverage-matrix" in figures
    assert 'class="sample-banner"' not in page and "SAMPLE DATA" not in page


def test_charts_draw_values_and_never_a_withheld_cell(tmp_path):
    page = render_page({"deaths_stats": _deaths(), "sources": sources_rows("dsrc")}, tmp_path, "R1",
                       created="2026-01-01T00:00:00+00:00", sample=True)
    figures = _figures(page)
    assert 'class="sample-banner"' in page and "SAMPLE DATA" in page
    year = figures["deaths-year-dsrc-s1"]
    assert "2024: criminal 4 of 10" in year and "2024: undetermined 6 of 10" in year
    nationality = figures["deaths-nationality-dsrc-s1"]
    assert "Mexico" in nationality and "Kosovo" in nationality
    assert "1 withheld cell(s)" in nationality and "Unknown:" not in nationality
    sex = figures["deaths-sex"]
    assert "female 3 (30%)" in sex and "unknown 7 (70%)" in sex


def test_crimes_sgbv_share_and_funnel_over_complete_country_years(tmp_path):
    crimes = stats_rows("crimes_stats", [
        {"value": 100}, {"crime_type": "rape", "value": 30}, {"crime_type": "robbery", "value": 70},
        {"crime_type": "rape", "sgbv": "yes", "value": 30},
        {"crime_type": "robbery", "sgbv": "no", "value": 70},
        {"sgbv": "yes", "value": 30}, {"sgbv": "no", "value": 70},
    ], source="csrc")
    stages = []
    for country, year, values in (("MEX", 2023, (50, 20, 5)), ("MEX", 2024, (40, 10, 2)),
                                  ("USA", 2024, (30, 9, None)), ("GTM", 2024, (8, 3, None))):
        for stage, value in zip(("reported", "prosecuted", "convicted"), values):
            if value is not None or country == "USA":
                stages.append({"stage": stage, "country_iso3": country, "year": year, "value": value,
                               "suppressed": value is None})
    stages.append({"stage": "acquitted", "country_iso3": "MEX", "year": 2024, "value": 1})
    prosecutions = stats_rows("prosecutions_stats", stages, source="psrc")
    funnel = funnel_of(prosecutions)
    assert funnel["stages"] == ["reported", "prosecuted", "convicted"]
    assert (funnel["used"], funnel["pairs"]) == (2, 4)  # USA's conviction is withheld, GTM has none
    assert funnel["funnel"] == [("reported", 90.0), ("prosecuted", 30.0), ("convicted", 7.0)]
    assert funnel["outcomes"] == [("acquitted", 1.0)]
    tables = {"crimes_stats": crimes, "prosecutions_stats": prosecutions,
              "sources": sources_rows("csrc", "psrc")}
    page = render_page(tables, tmp_path, "R1", created="2026-01-01T00:00:00+00:00", sample=False)
    figures = _figures(page)
    crime_chart = next(v for k, v in figures.items() if k.startswith("crimes-type-csrc"))
    assert "SGBV share: <b>30%</b> (30 of 100)" in crime_chart and "rape: SGBV 30" in crime_chart
    funnel_chart = next(v for k, v in figures.items() if k.startswith("prosecutions-funnel-psrc"))
    assert "Funnel over the 2 of 4 country-years that report every stage" in funnel_chart
    assert "convicted: 7" in funnel_chart and "acquitted 1" in funnel_chart


def test_page_is_self_contained(release):
    page = (release / "public" / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    loads = re.findall(r'<(?:img|link|iframe|source|video|audio|embed)\b[^>]*(?:src|href)="([^"]+)"', page)
    assert all(u.startswith("data:") for u in loads), loads
    assert not re.search(r"url\(\s*['\"]?https?:", page) and "@import" not in page
    assert page.count("<svg") >= 5


# --- headless Chromium ------------------------------------------------------------------------

def _chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it): "
                "the browser checks of the release page are skipped")


class DevTools:
    """A minimal Chrome DevTools Protocol client over the browser's websocket."""

    def __init__(self, url: str):
        from websockets.sync.client import connect

        self.ws = connect(url, max_size=64 * 1024 * 1024, open_timeout=20)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self):
        self.ws.close()


CHECK_PAGE = """(() => {
  const charts = [...document.querySelectorAll('figure.chart')].map(f => {
    const svg = f.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    const marks = svg ? [...svg.querySelectorAll('rect, path, circle, polygon')]
      .filter(e => e.querySelector('title')).filter(e => {
        const b = e.getBBox(); return b.width > 0 && b.height > 0; }).length : 0;
    return {id: f.id, empty: f.dataset.empty === 'true', marks, width: box.width,
            height: box.height, text: f.textContent};
  });
  return {
    charts,
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    banner: document.querySelector('.sample-banner') ? document.querySelector('.sample-banner').innerText : '',
    title: document.title,
    height: document.documentElement.scrollHeight,
  };
})()"""


def _browse(page: Path, profile: Path, screenshot: Path) -> tuple[dict, list[str]]:
    """Open the page in headless Chromium; returns what the page reports and every console
    error, exception or failed load; saves a full-page screenshot."""
    process = subprocess.Popen([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                "--window-size=1280,2400", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        tools = DevTools(f"ws://127.0.0.1:{port}{path}")
        try:
            target = tools.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = tools.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                tools.call(f"{domain}.enable", session=session)
            tools.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 2400,
                                                              "deviceScaleFactor": 1, "mobile": False},
                       session=session)
            tools.events.clear()
            tools.call("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
            tools.wait_for("Page.loadEventFired")
            result = tools.call("Runtime.evaluate", {"expression": CHECK_PAGE, "returnByValue": True},
                                session=session)
            report = result["result"]["value"]
            height = min(int(report["height"]), 16000)
            shot = tools.call("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}},
                session=session, timeout=60)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            errors = []
            for event in tools.events:
                method, params = event.get("method"), event.get("params", {})
                if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                    errors.append("console: " + " ".join(str(a.get("value", a.get("description")))
                                                         for a in params.get("args", [])))
                elif method == "Runtime.exceptionThrown":
                    details = params.get("exceptionDetails", {})
                    errors.append("exception: " + str(details.get("exception", {}).get(
                        "description") or details.get("text")))
                elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                    entry = params["entry"]
                    errors.append(f"log: {entry.get('text')} {entry.get('url', '')}")
            try:
                tools.call("Browser.close", timeout=5)
            except Exception:  # noqa: BLE001 - the browser may close before it answers
                pass
        finally:
            tools.close()
    finally:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return report, errors


@pytest.mark.browser
def test_release_page_in_headless_chromium(release, tmp_path):
    _chromium()
    pytest.importorskip("websockets", reason="websockets (a Prefect dependency) drives Chromium")
    screenshot = tmp_path / "release-page.png"
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path))
    report, errors = _browse(release / "public" / "index.html", profile, screenshot)
    print(f"\nscreenshot of the release page: {screenshot}")
    assert not errors, errors
    assert "SAMPLE DATA" in report["title"] and "SAMPLE DATA, NOT REAL STATISTICS" in report["banner"]
    charts = report["charts"]
    ids = {c["id"] for c in charts}
    assert "coverage-matrix" in ids and "deaths-sex" in ids
    assert any(i.startswith("deaths-year-mmp") for i in ids)
    assert any(i.startswith(("crimes-", "crimes-empty")) for i in ids)
    assert any(i.startswith(("prosecutions-",)) for i in ids)
    for chart in charts:
        assert chart["width"] > 100 and chart["height"] > 20, chart["id"]
        if chart["empty"]:
            assert "no data in this release" in chart["text"].lower() or \
                "no country-year reports every stage" in chart["text"].lower(), chart["id"]
        else:
            assert chart["marks"] > 0, f"{chart['id']} draws nothing"
    anchors = set(report["ids"])
    external = []
    for href in report["links"]:
        parsed = urlparse(href)
        if href.startswith("#"):
            assert href[1:] in anchors, href
        elif parsed.scheme in ("http", "https"):
            external.append(href)  # citations of the sources: not fetched (no network)
        else:
            assert not parsed.scheme, href
            target = release / "public" / unquote(parsed.path)
            assert target.is_file(), f"broken link {href}"
    linked = {h for h in report["links"] if not urlparse(h).scheme and not h.startswith("#")}
    for required in ("data_docs/index.html", "manifest.json", "extracts/data_dictionary.md",
                     "extracts/SHA256SUMS"):
        assert required in linked, required
    extracts = {f"extracts/{p.name}" for p in (release / "public" / "extracts").iterdir()}
    assert extracts <= linked, extracts - linked
    zips = [p.name for p in (release / "public").glob("harmstats-extracts-*.zip")]
    assert zips and set(zips) <= linked
    assert screenshot.stat().st_size > 10_000


def test_page_lists_every_download_with_size_and_checksum(release):
    page = (release / "public" / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((release / "public" / "manifest.json").read_text())
    for f in [manifest["extracts"]["zip"], *manifest["extracts"]["files"]]:
        row = re.search(r'<tr><td><a href="' + re.escape(f["path"]) + r'">.*?</tr>', page)
        assert row, f["path"]
        assert f["sha256"] in row.group(0)


def test_write_page_returns_its_path(tmp_path):
    path = write_page({"sources": sources_rows("x")}, tmp_path, "R2", sample=False)
    assert path == tmp_path / "index.html" and path.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.browser
def test_the_browser_check_sees_console_errors_and_failed_loads(tmp_path):
    """The harness itself: a page with a script error, a console.error and a missing image
    must be reported (else a silent harness would pass any page)."""
    _chromium()
    pytest.importorskip("websockets", reason="websockets (a Prefect dependency) drives Chromium")
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><head><link rel=\"icon\" href=\"data:,\"></head><body>"
                    "<img src=\"missing.png\"><script>console.error('boom'); undefinedCall();</script>"
                    "</body></html>", encoding="utf-8")
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path))
    _, errors = _browse(page, profile, tmp_path / "broken.png")
    text = "\n".join(errors)
    assert "boom" in text and "undefinedCall" in text and "missing.png" in text, errors


def test_a_product_with_its_own_title_is_cited_as_itself():
    """The FBI's CDE incident file and its Hate Crime Statistics Table 1 are two products of
    one source with their own titles and citations: each is cited, neither under the other."""
    from html import escape

    from pipelines.publish.page import citation_section
    from pipelines.sources import fbi_hate_crime

    rows = sources_rows("fbi_hate_crime", "fbi_hate_crime", "fbi_hate_crime", "other")
    spec = fbi_hate_crime.SOURCE.spec
    for i, product in enumerate(("incidents", "table1_incidents_by_bias", "incidents")):
        rows.loc[i, ["product", "title", "citation"]] = [product, *spec.title_of(product)]
    html = citation_section(rows, "R1", "2026-12-07", "v1")
    for product in ("incidents", "table1_incidents_by_bias"):
        title, citation = spec.title_of(product)
        assert html.count(f"<b>{escape(title)}</b>") == 1 and escape(citation) in html
    assert html.count("<b>Title of other</b>") == 1


def test_a_missing_period_never_prints_nan(tmp_path):
    """Issue 14: a snapshot without a period (NaN in the sources table) printed "covering
    nan to nan". Now the period is left out, or a missing end is "?"."""
    sources = sources_rows("dsrc").astype({"period_start": object, "period_end": object})
    sources.loc[0, ["period_start", "period_end"]] = float("nan")
    page = render_page({"sources": sources, "deaths_stats": _deaths()}, tmp_path, "R1",
                       created="2026-01-01T00:00:00+00:00", sample=False)
    assert "nan" not in re.sub(r"<[^>]+>", " ", page).lower().split()
    assert "covering" not in page
    sources.loc[0, "period_start"] = "2020-01-01"
    page = render_page({"sources": sources, "deaths_stats": _deaths()}, tmp_path, "R1",
                       created="2026-01-01T00:00:00+00:00", sample=False)
    assert "covering 2020-01-01 to ?" in page and "nan" not in page.split("covering", 1)[1][:40]
