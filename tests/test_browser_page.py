"""The release page in a real browser (tests/browser.py: Playwright driving the system
Chromium, headless; skipped with a reason where Chromium is absent). The page must load
offline with no console error, no exception, no failed load and no request beyond the
release folder; every chart must draw marks with their hover text; every link must resolve."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tests.browser import browse
from tests.sample_release import sample_release

pytestmark = pytest.mark.browser

CHECK_PAGE = """() => {
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
  };
}"""

# A chart's SVG file opened alone: its marks with hover text, drawn, and its heading.
CHECK_SVG = """() => {
  const svg = document.documentElement;
  const marks = [...svg.querySelectorAll('rect, path')].filter(e => e.querySelector('title'))
    .filter(e => { const b = e.getBBox(); return b.width > 0 && b.height > 0; }).length;
  return {marks, width: svg.getBoundingClientRect().width, text: svg.textContent};
}"""


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Path:
    return sample_release(tmp_path_factory)


def test_release_page_in_headless_chromium(release, tmp_path):
    screenshot = tmp_path / "release-page.png"
    report, errors = browse(release / "public" / "index.html", screenshot, CHECK_PAGE)
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
                     "extracts/SHA256SUMS", "charts/SHA256SUMS"):
        assert required in linked, required
    extracts = {f"extracts/{p.name}" for p in (release / "public" / "extracts").iterdir()}
    assert extracts <= linked, extracts - linked
    charts_files = {f"charts/{p.name}" for p in (release / "public" / "charts").iterdir()}
    assert len(charts_files) > 20 and charts_files <= linked, charts_files - linked
    zips = [p.name for p in (release / "public").glob("harmstats-extracts-*.zip")]
    assert zips and set(zips) <= linked
    assert screenshot.stat().st_size > 10_000


def test_a_downloaded_chart_opens_alone_offline(release, tmp_path):
    """A chart's SVG download, opened on its own, draws its marks and loads nothing."""
    svg = sorted((release / "public" / "charts").glob("deaths-year-mmp-*.svg"))[0]
    report, errors = browse(svg, script=CHECK_SVG)
    assert not errors, errors
    assert report["marks"] > 5 and report["width"] > 300, report
    assert "Dead and missing by year" in report["text"] and "SAMPLE DATA" in report["text"]


def test_the_browser_check_sees_console_errors_failed_loads_and_remote_requests(tmp_path):
    """The harness itself: a page with a script error, a console.error, a missing image and a
    remote stylesheet must be reported (else a silent harness would pass any page)."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><head><link rel=\"icon\" href=\"data:,\">"
                    "<link rel=\"stylesheet\" href=\"https://example.org/remote.css\"></head><body>"
                    "<img src=\"missing.png\"><script>console.error('boom'); undefinedCall();</script>"
                    "</body></html>", encoding="utf-8")
    _, errors = browse(page, tmp_path / "broken.png")
    text = "\n".join(errors)
    assert "boom" in text and "undefinedCall" in text and "missing.png" in text, errors
    assert "remote request: https://example.org/remote.css" in text, errors
