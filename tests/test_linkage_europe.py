"""The routes to Europe (pipelines/stats/pairings/europe.py): how UNITED's List, The Migrants'
Files and MMP become the linker's input (hand-written excerpts), the incident-to-incident links
on made-up lists, the overlap of incident lists, and the links measured on the real files
(skipped when absent)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines.sources.base import RawTable
from pipelines.sources.curate import content_ids
from pipelines.stats import link_rules, linkage
from pipelines.stats import estimates
from pipelines.stats.overlap import capture_patterns, overlap_tables
from pipelines.stats.pairings import PAIRINGS, europe
from schemas.overlap import DeathsEstimates, DeathsOverlap
from tests.conftest import real_snapshot


def _raw(name: str, rows: dict) -> RawTable:
    frame = pd.DataFrame(rows)
    return RawTable(Path(name), frame, "v", np.arange(2, 2 + len(frame)))


# --- the inputs ---------------------------------------------------------------------------------

UNITED = {"found dead": ["03/05/15", "Mar 15", "12/06/15"], "number": ["4", "1", "30"],
          "name, gender, age": ["N.N. (1 man)", "N.N.", "N.N."],
          "region of origin": ["unknown", "Africa", "unknown"],
          "cause of death": ["drowned off a coast", "hit by a train", "boat sank"],
          "source": ["X", "Y", "Z"], "country of incident": ["Greece", "France", "unknown"]}


def test_united_input_reads_the_date_count_and_country_and_no_name_or_text():
    got = europe.united_input(_raw("refugeesAndMigrants.csv", UNITED))
    frame = got.frame
    assert [str(d) for d in frame["found_date"]] == ["2015-05-03", "NaT", "2015-06-12"]  # dd/mm/yy
    assert frame["found_year"].isna().tolist() == [False, True, False]  # a month alone: never paired
    assert frame["dead_and_missing"].tolist() == [4, 1, 30]
    assert frame["country"].tolist() == ["GRC", "FRA", None]  # "unknown": null, no evidence
    # The record ids are the content hashes `deaths` gives The List's rows.
    assert got.record_ids.tolist() == content_ids(pd.DataFrame(UNITED)).tolist()
    assert not {"name, gender, age", "cause of death", "source"} & set(frame)


def test_migrants_files_input_falls_back_to_dead_plus_missing_and_hashes_blank_ids():
    rows = {"Event_id": ["17", ""], "date": ["2015-05-02T22:00:00Z", "2015-06-12T00:00:00Z"],
            "latitude": ["37.1", "35.0"], "longitude": ["26.5", "14,1"],
            "dead": ["3", "20"], "missing": ["1", "10"], "dead_and_missing": ["4", ""],
            "name": ["Event at a place", "Death of a person"], "description": ["a", "b"]}
    got = europe.migrants_files_input(_raw("events.csv", rows))
    assert got.frame["dead_and_missing"].tolist() == [4, 30]
    assert [str(d) for d in got.frame["found_date"]] == ["2015-05-02", "2015-06-12"]  # the day kept
    assert got.frame["lat"].tolist() == [37.1, 35.0]
    assert got.frame["lon"].isna().tolist() == [False, True]  # "14,1" is no longitude
    frame = pd.DataFrame(rows)
    assert got.record_ids.tolist() == ["17", content_ids(frame[frame["Event_id"] == ""]).iloc[0]]
    assert not {"name", "description"} & set(got.frame)


def test_mmp_europe_input_keeps_the_routes_to_europe_only():
    rows = {"Incident ID": ["a", "b", "c", "d"],
            "Incident Date": ["2015-05-03", "2015-05-04", "2015-05-05", "2015-05-06"],
            "Region of Incident": ["Mediterranean", "North America", "Northern Africa", "Europe"],
            "Migration Route": ["Eastern Mediterranean", "US-Mexico border crossing",
                                "Western Africa / Atlantic route to the Canary Islands", ""],
            "Country of Incident": ["Greece", "United States of America", "Morocco", "France"],
            "Coordinates": ["37.1, 26.5", "31.5, -111.0", "28.0, -13.0", ""],
            "Total Number of Dead and Missing": ["4", "1", "12", "1"]}
    got = europe.mmp_europe_input(_raw("mmp.xlsx", rows))
    assert got.record_ids.tolist() == ["a", "c", "d"]  # the US incident is not on a route to Europe
    assert got.frame["country"].tolist() == ["GRC", "MAR", "FRA"]
    assert got.persons.tolist() == [4, 12, 1]
    assert got.frame["lat"].isna().tolist() == [False, False, True]


def test_an_older_mmp_format_is_not_linked():
    old = _raw("mmp.csv", {"id": ["1"], "date": ["2015-01-01"]})
    with pytest.raises(linkage.NotLinkable):
        europe.mmp_europe_input(old)
    with pytest.raises(linkage.NotLinkable):
        europe.united_input(old)


def test_the_europe_pairings_are_declared_and_no_estimate_is_claimed():
    names = {p.name for p in PAIRINGS if p.area == europe.EUROPE_AREA}
    assert names == {"europe_united_mmp", "europe_migrants_files_mmp", "europe_united_migrants_files"}
    for pairing in europe.EUROPE_PAIRINGS:
        assert pairing.incidents_both and pairing.not_estimated_because
        assert pairing.review is not None and "equal_catchability" in pairing.assumptions_failing


# --- links between made-up incident lists -------------------------------------------------------

def _incidents(name, dates, counts, countries):
    frame = linkage.with_dates(pd.DataFrame({"unique_id": range(len(dates))}),
                               pd.Series(pd.to_datetime(dates)))
    frame["dead_and_missing"] = pd.array(counts, dtype="Float64")
    frame["country"] = countries
    return linkage.LinkInput(name, frame, pd.Series([f"{name}{i}" for i in range(len(dates))]),
                             pd.Series([None] * len(dates), dtype="object"))


def test_incidents_link_one_to_one_on_date_count_and_country():
    # 40 incidents of a year on each side; the first 15 are the same incidents (the same day
    # or a day apart, the same count and country), the rest drawn apart.
    rng = np.random.default_rng(17)
    days = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.choice(365, 80, replace=False), "D")
    counts = rng.integers(1, 60, 80)
    countries = rng.choice(["GRC", "ITA", "ESP", "LBY", "TUR"], 80)
    left = _incidents("united_list", days[:40], counts[:40], list(countries[:40]))
    shift = pd.to_timedelta(np.r_[np.zeros(10), np.ones(5)], "D")
    right_days = np.r_[days[:15] + shift, days[40:65]]
    right = _incidents("mmp", right_days, np.r_[counts[:15], counts[40:65]],
                       list(countries[:15]) + list(countries[40:65]))
    pairing = next(p for p in europe.EUROPE_PAIRINGS if p.name == "europe_united_mmp")
    chosen = link_rules.links(linkage.scored(left, right, pairing), threshold=pairing.threshold)
    got = set(zip(chosen["unique_id_l"].astype(int), chosen["unique_id_r"].astype(int)))
    assert got == {(i, i) for i in range(15)}


# --- overlap of incident lists ------------------------------------------------------------------

def _incident_tables():
    deaths = pd.DataFrame([("a", "A1", 2015, 10), ("a", "A2", 2015, 3), ("a", "A3", 2015, 1),
                           ("b", "B1", 2015, 12), ("b", "B2", 2015, 2), ("b", "B3", 2015, 5)],
                          columns=["source", "record_id", "year", "dead_and_missing"])
    deaths = deaths.assign(snapshot=deaths["source"].map({"a": "s1", "b": "s2"}),
                           year_basis=deaths["source"].map({"a": "found", "b": "incident"}),
                           race_ethnicity="not_recorded", flags="")
    con = duckdb.connect()
    con.register("deaths_frame", deaths)
    con.execute("CREATE TEMP VIEW deaths AS SELECT * FROM deaths_frame")
    pairing = linkage.Pairing(name="t", area="europe_routes", left=linkage.Side("a", "", None, "TRUE"),
                              right=linkage.Side("b", "", None, "TRUE"), incidents_both=True,
                              review=(35, 40), assumptions_failing=("equal_catchability",),
                              not_estimated_because="persons_caught_by_incident")
    links = pd.DataFrame({"source_l": "a", "snapshot_l": "s1", "source_r": "b", "snapshot_r": "s2",
                          "record_id_l": ["A1", "A2"], "record_id_r": ["B1", "B2"]})
    quality = pd.DataFrame([{"pairing": "t", "area": "europe_routes", "source_l": "a", "snapshot_l": "s1",
                             "source_r": "b", "snapshot_r": "s2", "links": 2, "precision": 35 / 40,
                             "precision_low": 0.5, "recall": None, "basis": "clerical_review"}])
    sources = pd.DataFrame({"source": ["a", "b"], "snapshot": ["s1", "s2"],
                            "period_start": ["2014-01-01", "2015-01-01"],
                            "period_end": ["2016-12-31", "2015-12-31"], "records_end": [None, None]})
    return overlap_tables(con, linkage.Linkage(links, quality), sources, (pairing,))


def test_the_persons_of_an_incident_link_are_the_smaller_count():
    tables = _incident_tables()
    row = DeathsOverlap.validate(tables["deaths_overlap"]).iloc[0]
    # A1 (10) - B1 (12): 10 in both; A2 (3) - B2 (2): 2 in both.
    assert (row["persons_l"], row["persons_r"], row["linked"]) == (14, 19, 12)
    # 12 linked at a precision of at least 0.5: 6 surely true; union in [19, 14 + 19 - 6].
    assert (row["linked_true_min"], row["union_min"], row["union_max"]) == (6, 19, 27)
    estimate = DeathsEstimates.validate(tables["deaths_estimates"]).iloc[0]
    assert estimate["status"] == "not_estimated" and estimate["reason"] == "persons_caught_by_incident"
    assert estimate["assumptions_failing"] == "equal_catchability;perfect_linkage"


def test_page_names_the_area_and_why_incident_lists_get_no_estimate(tmp_path):
    from tests.test_page import sources_rows

    tables = {**_incident_tables(), "sources": sources_rows("a", "b").assign(snapshot=["s1", "s2"])}
    text = _overlap_section(tables, tmp_path)
    assert "Routes to Europe (deaths on the way to Europe or in it)" in text
    assert "clerical review of a sample: 88% (recall not measured)" in text
    assert "in either list (counted range) 19-27" in text
    assert "no estimate: the lists count incidents of one to hundreds of persons" in text


def test_capture_patterns_group_records_through_links_across_lists():
    members = {"u": ["u1", "u2", "u3"], "f": ["f1", "f2"], "m": ["m1", "m2", "m3"]}
    links = [("u", "m", pd.DataFrame({"record_id_l": ["u1", "u2"], "record_id_r": ["m1", "m2"]})),
             ("f", "m", pd.DataFrame({"record_id_l": ["f1", "f2", "f9"],
                                      "record_id_r": ["m1", "m2", "m3"]})),
             ("u", "f", pd.DataFrame({"record_id_l": ["u3"], "record_id_r": ["f1"]}))]
    patterns, doubled = capture_patterns(members, links)
    # u1-m1-f1-u3 (two records of u), u2-m2-f2 (f9 is not a member), m3 alone.
    assert patterns == {(1, 1, 1): 2, (0, 0, 1): 1} and doubled == 1


def _trio_tables(patterns: dict, counts: dict | None = None, trio_reason: str | None = None):
    """deaths, links and quality of three lists a, b, c over 2019 built from `patterns`
    ({(in a, in b, in c): clusters}); `counts`: the persons each list's record of a cluster
    of that pattern counts (default 1)."""
    rows, links = [], {("a", "b"): [], ("a", "c"): [], ("b", "c"): []}
    k = 0
    for pattern, clusters in patterns.items():
        for _ in range(clusters):
            held = [x for x, inside in zip("abc", pattern) if inside]
            for x in held:
                n = (counts or {}).get(pattern, {}).get(x, 1)
                rows.append((x, f"{x}{k}", 2019, n))
            for pair in links:
                if set(pair) <= set(held):
                    links[pair].append((f"{pair[0]}{k}", f"{pair[1]}{k}"))
            k += 1
    deaths = pd.DataFrame(rows, columns=["source", "record_id", "year", "dead_and_missing"])
    deaths = deaths.assign(snapshot="s", year_basis="incident", race_ethnicity="not_recorded", flags="")
    con = duckdb.connect()
    con.register("deaths_frame", deaths)
    con.execute("CREATE TEMP VIEW deaths AS SELECT * FROM deaths_frame")
    pairings, frames, quality = [], [], []
    for (x, y), pairs in links.items():
        name = f"{x}{y}"
        pairings.append(linkage.Pairing(name=name, area="europe_routes",
                                        left=linkage.Side(x, "", None, "TRUE"),
                                        right=linkage.Side(y, "", None, "TRUE"), incidents_both=True,
                                        not_estimated_because="persons_caught_by_incident"))
        frames.append(pd.DataFrame({"source_l": x, "snapshot_l": "s", "source_r": y, "snapshot_r": "s",
                                    "record_id_l": [a for a, _ in pairs],
                                    "record_id_r": [b for _, b in pairs]}))
        quality.append({"pairing": name, "area": "europe_routes", "source_l": x, "snapshot_l": "s",
                        "source_r": y, "snapshot_r": "s", "links": len(pairs), "precision": 1.0,
                        "precision_low": 1.0, "recall": 1.0, "basis": "answer_key"})
    sources = pd.DataFrame({"source": list("abc"), "snapshot": "s", "period_start": "2019-01-01",
                            "period_end": "2019-12-31", "records_end": None})
    trio = linkage.Trio(name="t", area="europe_routes", sources=("a", "b", "c"),
                        pairings=("ab", "ac", "bc"), not_estimated_because=trio_reason)
    tables = overlap_tables(con, linkage.Linkage(pd.concat(frames, ignore_index=True), pd.DataFrame(quality)),
                            sources, tuple(pairings), (trio,))
    estimates_frame = DeathsEstimates.validate(tables["deaths_estimates"])
    return estimates_frame[estimates_frame["lists"] == 3].iloc[0]


def test_three_independent_lists_get_the_loglinear_estimate():
    # test_overlap.INDEPENDENT: N = 1,000 persons, 790 seen; the model gives back 1,000.
    from tests.test_overlap import INDEPENDENT
    row = _trio_tables(INDEPENDENT)
    assert (row["method"], row["status"], row["assumptions_failing"]) == ("loglinear", "estimated", "")
    assert (row["persons_l"], row["persons_r"], row["persons_3"]) == (500, 400, 300)
    # In at least two lists: 140 + 90 + 60 + 60 = 350; in any: 790 exactly (precision 1).
    assert row["linked"] == 350 and (row["union_min"], row["union_max"]) == (500, 850)
    assert row["estimate"] == pytest.approx(1000, rel=1e-6) and row["ci_low"] > 790


def test_page_shows_three_lists_together(tmp_path):
    from tests.test_page import sources_rows

    row = _trio_tables({(1, 1, 1): 1, (1, 0, 1): 1, (0, 1, 0): 1}, trio_reason="persons_caught_by_incident")
    tables = {"deaths_estimates": pd.DataFrame([row]), "deaths_overlap": pd.DataFrame(),
              "sources": sources_rows("a", "b")}
    text = _overlap_section(tables, tmp_path)
    assert "Routes to Europe (deaths on the way to Europe or in it): three lists together" in text
    assert "over 2019 (full years) persons in a 2 in b 2 in c 2 in at least two lists 2" in text
    assert "(log-linear model) no estimate: the lists count incidents" in text


def test_three_incident_lists_count_the_second_largest_and_give_no_estimate():
    # One boat in all three lists (10, 12 and 7 persons), one in a and c (3 and 4), one in b.
    row = _trio_tables({(1, 1, 1): 1, (1, 0, 1): 1, (0, 1, 0): 1},
                       {(1, 1, 1): {"a": 10, "b": 12, "c": 7}, (1, 0, 1): {"a": 3, "c": 4},
                        (0, 1, 0): {"b": 2}}, trio_reason="persons_caught_by_incident")
    assert (row["persons_l"], row["persons_r"], row["persons_3"]) == (13, 14, 11)
    assert row["linked"] == 10 + 3  # the second largest count of each boat in two lists or more
    assert (row["union_min"], row["union_max"]) == (14, 13 + 14 + 11 - 13)
    assert row["status"] == "not_estimated" and row["reason"] == "persons_caught_by_incident"
    assert pd.isna(row["estimate"])


# --- real files ---------------------------------------------------------------------------------

def _real_inputs(real_dir):
    from pipelines.sources.registry import SOURCES

    def read(source, snapshot, starts=""):
        found = real_snapshot(real_dir, source, snapshot)
        (path,) = [p for p in found.data_files() if p.name.lower().startswith(starts)]
        return SOURCES[source].read_raw(path)
    return {"united_list": europe.united_input(read("united_list", "2018-07-19", "refugees")),
            "migrants_files": europe.migrants_files_input(read("migrants_files", "2016-06-24")),
            "mmp": europe.mmp_europe_input(read("mmp", "2025-05-05"))}


def _links(inputs, pairing):
    left, right = inputs[pairing.left.source], inputs[pairing.right.source]
    return link_rules.links(linkage.scored(left, right, pairing), threshold=pairing.threshold)


# Measured on the real files (docs/linkage.md, "Routes to Europe").
REAL_LINKS = {"europe_united_mmp": 260, "europe_migrants_files_mmp": 211,
              "europe_united_migrants_files": 1002}


@pytest.mark.real
def test_real_europe_links_keep_their_measured_counts_and_are_deterministic(real_dir):
    started = time.monotonic()
    inputs = _real_inputs(real_dir)
    assert {k: len(v.frame) for k, v in inputs.items()} == {"united_list": 3932, "migrants_files": 3206,
                                                            "mmp": 3708}
    got = {p.name: _links(inputs, p) for p in europe.EUROPE_PAIRINGS}
    assert {name: len(chosen) for name, chosen in got.items()} == REAL_LINKS
    # The same links on a second run (one DuckDB thread, seeded sampling).
    again = _links(inputs, europe.EUROPE_PAIRINGS[0])
    pd.testing.assert_frame_equal(again.reset_index(drop=True),
                                  got["europe_united_mmp"].reset_index(drop=True))
    # Each incident in one link at most, on both sides.
    for chosen in got.values():
        assert not chosen["unique_id_l"].duplicated().any() and not chosen["unique_id_r"].duplicated().any()
    # The Files' events that their `dataset` column takes from UNITED: 688 of 1,898 link to
    # UNITED's entries; of the Files' own events of 2014-2016, 120 of 431.
    from pipelines.sources.registry import SOURCES
    found = real_snapshot(real_dir, "migrants_files", "2016-06-24")
    raw = SOURCES["migrants_files"].read_raw(found.data_files()[0])
    dataset = raw.frame["dataset"].reset_index(drop=True)
    linked = dataset.index.isin(got["europe_united_migrants_files"]["unique_id_r"].astype(int))
    assert (int(linked[dataset == "United"].sum()), int((dataset == "United").sum())) == (688, 1898)
    # The incidents of 2015 by the lists holding them (UNITED, Files, MMP), and the log-linear
    # model's answer with no interaction and with all three (docs/linkage.md: no estimate).
    def of_2015(name):
        years = pd.to_datetime(inputs[name].frame["found_date"]).dt.year
        return [i for i, year in enumerate(years) if year == 2015]
    members = {name: of_2015(name) for name in ("united_list", "migrants_files", "mmp")}
    links = [(p.left.source, p.right.source,
              got[p.name].rename(columns={"unique_id_l": "record_id_l", "unique_id_r": "record_id_r"}))
             for p in europe.EUROPE_PAIRINGS]
    patterns, doubled = capture_patterns(members, links)
    assert patterns == {(1, 1, 1): 56, (1, 1, 0): 17, (1, 0, 1): 8, (0, 1, 1): 54, (1, 0, 0): 78,
                        (0, 1, 0): 64, (0, 0, 1): 148} and doubled == 8
    assert round(estimates.loglinear(patterns).estimate) == 573
    assert round(estimates.loglinear(patterns, ((0, 1), (0, 2), (1, 2))).estimate) == 6059
    assert time.monotonic() - started < 120  # about 20 s on a loaded machine


def _overlap_section(tables: dict, folder) -> str:
    """The page's "Overlap" section as plain text."""
    import re

    from pipelines.publish.page.write import render_page

    page = render_page(tables, folder, "R1", created="2026-01-01T00:00:00+00:00", sample=False)
    start = page.index('<section id="overlap">')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start:page.index("</section>", start)]))
