"""The release page: self-contained, a chart per source with its downloads, SAMPLE banner,
unit tests of the charts and notes on small tables. The page in a real browser:
tests/test_browser_page.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from pipelines.publish.extract_tables import STATS_DIMENSIONS
from pipelines.publish.page.figures import NO_DATA
from pipelines.publish.page.prosecutions import funnel_of
from pipelines.publish.page.write import citation_section, render_page, write_page
from schemas.tables import TABLES
from tests.sample_release import sample_release

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


def test_every_chart_spec_is_valid_vega_lite(release):
    """The specs are built without Altair's validation (it costs more than drawing them):
    here every chart kind of the sample release is checked against the Vega-Lite schema."""
    specs = sorted((release / "public" / "charts").glob("*.vl.json"))
    kinds = {re.match(r"[a-z]+-[a-z]+", p.name)[0] for p in specs}
    assert {"coverage-matrix", "deaths-year", "deaths-cause", "deaths-sex", "crimes-type",
            "prosecutions-funnel"} <= kinds, kinds
    for path in specs:
        alt.LayerChart.from_dict(json.loads(path.read_text(encoding="utf-8")), validate=True)


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


def test_a_product_with_its_own_title_is_cited_as_itself():
    """The FBI's CDE incident file and its Hate Crime Statistics Table 1 are two products of
    one source with their own titles and citations: each is cited, neither under the other."""
    from markupsafe import escape  # the escaping of the page's templates

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


def test_each_chart_downloads_as_svg_png_spec_and_data(tmp_path):
    """Every drawn chart links its SVG, PNG, Vega-Lite spec and CSV data in charts/; the data
    is what the chart draws, the spec carries it inline (no URL to fetch) with the caption as
    title, and charts/SHA256SUMS checks every file."""
    page = render_page({"deaths_stats": _deaths(), "sources": sources_rows("dsrc")}, tmp_path, "R1",
                       created="2026-01-01T00:00:00+00:00", sample=False)
    figures = _figures(page)
    drawn = [k for k, v in figures.items() if "<svg" in v and 'class="no-data"' not in v]
    assert len(drawn) == 4  # year, cause, nationality, sex (no coverage table given)
    for figure in drawn:
        for kind in ("svg", "png", "vl.json", "csv"):
            assert f'href="charts/{figure}.{kind}"' in figures[figure], (figure, kind)
            assert (tmp_path / "charts" / f"{figure}.{kind}").stat().st_size > 50, (figure, kind)
    year = pd.read_csv(tmp_path / "charts" / "deaths-year-dsrc-s1.csv", encoding="utf-8-sig", dtype=str)
    assert year[["year", "criminal", "value"]].values.tolist() == [["2024", "criminal", "4"],
                                                                   ["2024", "undetermined", "6"]]
    spec = json.loads((tmp_path / "charts" / "deaths-year-dsrc-s1.vl.json").read_text(encoding="utf-8"))
    assert spec["title"]["text"].startswith("Dead and missing by year")
    assert any("Title of dsrc (dsrc), snapshot S1" in line for line in spec["title"]["subtitle"])
    assert [(r["category"], r["value"]) for r in spec["data"]["values"]] == [("criminal", 4), ("undetermined", 6)]
    assert '"url"' not in json.dumps(spec["data"])
    svg = (tmp_path / "charts" / "deaths-year-dsrc-s1.svg").read_text(encoding="utf-8")
    assert "<title>2024: criminal 4 of 10</title>" in svg and "Dead and missing by year" in svg
    assert svg in figures["deaths-year-dsrc-s1"]  # one drawing: the page's chart is the download
    assert (tmp_path / "charts" / "deaths-year-dsrc-s1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sums = (tmp_path / "charts" / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == 4 * len(drawn)
    import hashlib
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((tmp_path / "charts" / name).read_bytes()).hexdigest() == digest, name
    assert 'href="charts/SHA256SUMS"' in page


def test_text_from_the_data_is_escaped_everywhere(tmp_path):
    """A title, publisher or snapshot holding markup is printed as text: in the page (the
    templates autoescape) and in the charts' inline and downloaded SVG."""
    hostile = '<script>alert(1)</script> & "q"'
    sources = sources_rows("dsrc")
    sources.loc[0, ["title", "publisher", "licence", "citation"]] = [hostile] * 4
    page = render_page({"deaths_stats": _deaths(), "sources": sources}, tmp_path, "R<b>1",
                       created="2026-01-01T00:00:00+00:00", sample=False)
    assert "<script" not in page and "<b>1" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;q&#34;" in page
    for svg in (tmp_path / "charts").glob("*.svg"):
        assert "<script" not in svg.read_text(encoding="utf-8"), svg.name
