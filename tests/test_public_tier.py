"""The public tier of a release protects the confidential NGO log; the catalog keeps exact figures."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipelines.publish.disclosure import published_groupings
from pipelines.stats.cases import STREAMS
from tests.sample_release import sample_release


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return sample_release(tmp_path_factory)


def _extract(release, name):
    return pd.read_parquet(release / "public" / "extracts" / f"{name}.parquet")


def test_confidential_statistics_are_protected_in_extracts_only(release):
    public = _extract(release, "crimes_stats")
    ngo = public[public["source"] == "ngo_incidents"]
    assert len(ngo) and ngo["suppressed"].any()
    assert ngo.loc[ngo["suppressed"], ["value", "value_min", "value_max"]].isna().all().all()
    published = ngo.loc[~ngo["suppressed"], "value"]
    assert len(published) and not published.between(0, 4).any()  # no small count, no zero
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
    assert not list((release / "public").rglob("suppression_report*"))
    manifest = json.loads((release / "manifest.json").read_text())
    control = manifest["disclosure_control"]
    assert control["tables"] and all(r["unprotected"] == 0 for r in control["tables"])
    assert control["sources"] == [{"source": "ngo_incidents", "updated": True, "reason": "first public version",
                                   "changed": None, "snapshot": "SAMPLE-2025-12-31"}]
    public = json.loads((release / "public" / "manifest.json").read_text())
    assert public["disclosure_control"]["parameters"] == {"threshold": [0, 4], "protection": 2, "k": 10,
                                                          "recoded_dimensions": ["nationality", "country_iso3"]}
    assert "cells_published" not in json.dumps(public) and "count_hidden" not in json.dumps(public)


def test_diff_on_public_tables_compares_the_protected_extracts(release):
    from pipelines.inspection.diff import diff_releases

    result = diff_releases(release, release, public=True)
    assert "deaths" not in result["tables"] and "crimes" not in result["tables"]
    crimes = result["tables"]["crimes_stats"]
    assert crimes["changed"] == 0 and crimes["added"] == 0 and crimes["new_rows"] > 0
    public = _extract(release, "crimes_stats")
    assert crimes["new_rows"] == len(public)  # suppressed cells are rows too, shown as withheld


def test_disclosure_settings_come_from_the_environment(monkeypatch):
    from pipelines.publish.public import DisclosureSettings as Settings
    from pipelines.publish.public import settings

    assert settings() == Settings((0, 4), 2, 10)
    monkeypatch.setenv("HARMSTATS_SDC_MAX", "9")
    monkeypatch.setenv("HARMSTATS_SDC_PROTECTION", "3")
    monkeypatch.setenv("HARMSTATS_SDC_K", "20")
    assert settings() == Settings((0, 9), 3, 20)
    monkeypatch.setenv("HARMSTATS_SDC_K", "0")
    with pytest.raises(ValueError, match="HARMSTATS_SDC_K=0: must be at least 1"):
        settings()
    monkeypatch.setenv("HARMSTATS_SDC_K", "10")
    monkeypatch.setenv("HARMSTATS_SDC_MIN", "1")  # zeros are always withheld
    with pytest.raises(ValueError, match="zeros"):
        settings()


def test_rare_nationalities_are_recoded_and_zeros_listed(release):
    """The sample log's nationalities with fewer than k victims (IND 7, MULTIPLE 4, STATELESS 3,
    CHN 2) are published as OTHER only; the catalog keeps them."""
    public = _extract(release, "crimes_stats")
    ngo = public[public["source"] == "ngo_incidents"]
    assert {"IND", "MULTIPLE", "STATELESS", "CHN"}.isdisjoint(set(ngo["nationality"]))
    assert {"OTHER", "HND", "CMR", "UNKNOWN"} <= set(ngo["nationality"])
    exact = pd.read_parquet(release / "tables" / "crimes_stats.parquet")
    assert {"IND", "CHN"} <= set(exact.loc[exact["source"] == "ngo_incidents", "nationality"])
    basis = pd.read_parquet(release / "tables" / "public_basis_crimes_stats.parquet")
    total = basis[(basis["nationality"] == "OTHER") & (basis.filter(items=STREAMS["crimes"]["dims"])
                                                     .drop(columns="nationality") == "all").all(axis=1)]
    assert int(total["hidden_value"].fillna(total["value"]).sum()) == 7 + 4 + 3 + 2
    assert (basis["hidden_value"] == 0).any()  # zero cells are rows, withheld like small ones
