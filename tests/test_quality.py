"""Great Expectations checkpoint on hand-built tables: what passes, exactly what fails, and
Data Docs that load nothing from the network."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from pipelines.publish.quality import CDN_ASSETS, GX_ASSETS, run_expectations
from schemas.deaths import Deaths, DeathsStats
from schemas.metadata import Coverage, Sources
from tests.browser import browse

SHA = "0" * 64


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
    ], snapshot="2025-05-05", is_latest=True, stream="deaths", unit="persons", subject=None, stage=None,
       total=10)
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
def test_data_docs_render_offline_in_chromium(clean_run):
    """Data Docs' pages in Chromium (tests/browser.py), offline: no failed load, no request
    beyond the folder, no script error."""
    _, docs = clean_run
    deepest = max(docs.rglob("*.html"), key=lambda p: len(p.parts))
    for page in (docs / "index.html", docs / "expectations" / "deaths_stats.html", deepest):
        _, errors = browse(page)
        assert not errors, (page, errors)
