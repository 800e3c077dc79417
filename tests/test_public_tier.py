"""The public tier of a release protects the confidential NGO log; the catalog keeps exact figures."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipelines.publish.disclosure import published_groupings
from pipelines.publish.case_stats import STREAMS
from tests.sample_release import sample_release


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return sample_release(tmp_path_factory)


def _extract(release, name):
    return pd.read_parquet(release / "extracts" / f"{name}.parquet")


def test_confidential_statistics_are_protected_in_extracts_only(release):
    public = _extract(release, "crimes_stats")
    ngo = public[public["source"] == "ngo_incidents"]
    assert len(ngo) and ngo["suppressed"].any()
    assert ngo.loc[ngo["suppressed"], ["value", "value_min", "value_max"]].isna().all().all()
    published = ngo.loc[~ngo["suppressed"], "value"]
    assert not published.between(1, 4).any()  # no small count is published
    dims = STREAMS["crimes"]["dims"]
    allowed = published_groupings("crimes")
    groupings = {frozenset(d for d in dims if row[d] != "all") for _, row in ngo.iterrows()}
    assert groupings <= allowed
    exact = pd.read_parquet(release / "tables" / "crimes_stats.parquet")
    assert not exact.loc[exact["source"] == "ngo_incidents", "suppressed"].any()
    others = public[public["source"] != "ngo_incidents"]
    assert not others["suppressed"].any()


def test_confidential_row_counts_and_shares_are_withheld(release):
    sources = _extract(release, "sources")
    ngo = sources[sources["source"] == "ngo_incidents"]
    assert len(ngo) and ngo["rows_read"].isna().all()
    coverage = _extract(release, "coverage")
    assert coverage.loc[coverage["source"] == "ngo_incidents", "known_share"].isna().all()


def test_suppression_report_stays_in_the_release_not_the_extracts(release):
    report = pd.read_parquet(release / "tables" / "suppression_report.parquet")
    assert set(report["reason"]) >= {"primary"}
    assert not (release / "extracts" / "suppression_report.parquet").exists()
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["disclosure_control"] and all(r["unprotected"] == 0 for r in manifest["disclosure_control"])


def test_diff_on_public_tables_compares_the_protected_extracts(release):
    from pipelines.publish.diff import diff_releases

    result = diff_releases(release, release, public=True)
    assert "deaths" not in result["tables"] and "crimes" not in result["tables"]
    crimes = result["tables"]["crimes_stats"]
    assert crimes["changed"] == 0 and crimes["added"] == 0 and crimes["new_rows"] > 0
    public = _extract(release, "crimes_stats")
    assert crimes["new_rows"] == len(public)  # suppressed cells are rows too, shown as withheld


def test_disclosure_settings_come_from_the_environment(monkeypatch):
    from pipelines.publish.public import settings

    assert settings() == ((1, 4), 2)
    monkeypatch.setenv("HARMSTATS_SDC_MAX", "9")
    monkeypatch.setenv("HARMSTATS_SDC_PROTECTION", "3")
    assert settings() == ((1, 9), 3)
    monkeypatch.setenv("HARMSTATS_SDC_MIN", "0")
    with pytest.raises(ValueError):
        settings()
