"""Overlap of linked death lists and capture-recapture estimates (pipelines/stats/overlap.py,
estimates.py): the estimators against values worked by hand, and the overlap, race crossing and
estimate rows on a hand-made pair of lists."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines.stats import estimates, linkage
from pipelines.stats.pairings import PAIRINGS, pima
from pipelines.stats.overlap import overlap_tables
from schemas.overlap import DeathsEstimates, DeathsLinkedRace, DeathsOverlap


# --- estimators: hand-worked values --------------------------------------------------------------

def test_chapman_matches_the_hand_worked_example():
    # n1 = 100, n2 = 80, m = 40: N = 101 * 81 / 41 - 1 = 198.5366; Seber's variance
    # 101 * 81 * 60 * 40 / (41^2 * 42) = 278.098; unseen f0 = N - 140 = 58.5366,
    # C = exp(1.96 * sqrt(ln(1 + 278.098 / 58.5366^2))) = 1.72893: [140 + f0 / C, 140 + f0 * C].
    found = estimates.chapman(100, 80, 40)
    assert found.estimate == pytest.approx(198.5366, abs=1e-3)
    assert found.observed == 140
    assert found.ci_low == pytest.approx(173.857, abs=1e-2)
    assert found.ci_high == pytest.approx(241.205, abs=1e-2)


def test_chapman_when_every_person_is_in_both_lists_is_the_list():
    found = estimates.chapman(50, 50, 50)
    assert found.estimate == pytest.approx(50) and (found.ci_low, found.ci_high) == (50, 50)


def test_chapman_refuses_more_links_than_a_list_holds():
    with pytest.raises(ValueError, match="in both lists"):
        estimates.chapman(10, 5, 6)


# N = 1000 persons, each in list 1, 2, 3 independently with probability 0.5, 0.4, 0.3: the
# expected persons of each capture pattern, e.g. (1, 0, 0): 1000 * 0.5 * 0.6 * 0.7 = 210, and
# nobody-caught (0, 0, 0): 1000 * 0.5 * 0.6 * 0.7 = 210, so 790 are seen.
INDEPENDENT = {(1, 0, 0): 210, (0, 1, 0): 140, (0, 0, 1): 90, (1, 1, 0): 140, (1, 0, 1): 90,
               (0, 1, 1): 60, (1, 1, 1): 60}


def test_loglinear_recovers_an_exactly_independent_population():
    found = estimates.loglinear(INDEPENDENT)
    assert found.observed == 790
    assert found.estimate == pytest.approx(1000, rel=1e-6)
    assert found.observed < found.ci_low < 1000 < found.ci_high


def test_loglinear_with_a_dependence_the_data_lacks_still_finds_it_and_is_wider():
    # Lists 1 and 2 independent here: the interaction is fitted as zero, the estimate is the
    # same, and the interval wider (one parameter more, the same seven cells).
    plain, dependent = estimates.loglinear(INDEPENDENT), estimates.loglinear(INDEPENDENT, ((0, 1),))
    assert dependent.estimate == pytest.approx(1000, rel=1e-6)
    assert dependent.ci_high - dependent.ci_low > plain.ci_high - plain.ci_low


def test_loglinear_sees_positive_dependence_that_independence_misses():
    # Lists 1 and 2 positively dependent: people in list 1 are twice as likely (odds ratio 2)
    # in list 2. Build the cells of N = 1000 from the model log mu = a + b1 x1 + b2 x2 + b3 x3
    # + g x1 x2 and check the model with the interaction recovers N where independence
    # underestimates it (positive dependence: too many in both, so too few unseen).
    import math
    b = (0.0, math.log(0.4 / 0.6), math.log(0.3 / 0.7))
    g = math.log(2)
    weights = {}
    for p in [(x, y, z) for x in (0, 1) for y in (0, 1) for z in (0, 1)]:
        weights[p] = math.exp(sum(bi * pi for bi, pi in zip(b, p)) + g * p[0] * p[1])
    total = sum(weights.values())
    cells = {p: 1000 * w / total for p, w in weights.items() if any(p)}
    assert estimates.loglinear(cells, ((0, 1),)).estimate == pytest.approx(1000, rel=1e-6)
    assert estimates.loglinear(cells).estimate < 990


# --- overlap, race crossing and estimate rows on hand-made lists ---------------------------------

def _deaths(con):
    rows = [  # source, record_id, year, region, race
        ("a", "A1", 2019, "Pima", "not_recorded"), ("a", "A2", 2019, "PIMA", "not_recorded"),
        ("a", "A3", 2019, "Pima", "not_recorded"), ("a", "A4", 2020, "Pima", "not_recorded"),
        ("a", "A5", 2020, "Yuma", "not_recorded"), ("a", "A6", 2021, "Pima", "not_recorded"),
        ("b", "B1", 2019, "Pima", "hispanic_latino"), ("b", "B2", 2019, "Pima", "unknown"),
        ("b", "B3", 2020, "Pima", "white"), ("b", "B4", 2020, "Pima", "hispanic_latino"),
        ("b", "B5", 2021, "Pima", "multiple"), ("b", "B6", 2018, "Pima", "white"),
    ]
    frame = pd.DataFrame(rows, columns=["source", "record_id", "year", "region", "race_ethnicity"])
    frame = frame.assign(snapshot=frame["source"].map({"a": "s1", "b": "s2"}),
                         year_basis=frame["source"].map({"a": "reported", "b": "found"}),
                         dead_and_missing=1, flags="")
    con.register("deaths_frame", frame)
    con.execute("CREATE TEMP VIEW deaths AS SELECT * FROM deaths_frame")


PAIRING = linkage.Pairing(name="test", area="us_az_pima_county",
                          left=linkage.Side("a", "", None, pima.PIMA_AREA),
                          right=linkage.Side("b", "", None, pima.PIMA_AREA), answer_key=True,
                          cross_race=True)
SOURCES = pd.DataFrame({"source": ["a", "b"], "snapshot": ["s1", "s2"],
                        "period_start": ["2019-01-01", "2010-05-01"],
                        "period_end": ["2021-06-30", "2025-01-01"], "records_end": [None, None]})


def _tables(pairing=PAIRING, precision_low=0.5):
    links = pd.DataFrame({"source_l": "a", "snapshot_l": "s1", "source_r": "b", "snapshot_r": "s2",
                          # A1-B1 and A2-B2 in 2019, A4-B3 in 2020, A5 is outside the area,
                          # A6 (2021) links B4 (2020): across years.
                          "record_id_l": ["A1", "A2", "A4", "A5", "A6"],
                          "record_id_r": ["B1", "B2", "B3", "B5", "B4"]})
    quality = pd.DataFrame([{"pairing": pairing.name, "area": pairing.area, "source_l": "a",
                             "snapshot_l": "s1", "source_r": "b", "snapshot_r": "s2", "links": 5,
                             "true_pairs": 6, "true_positives": 4, "precision": 0.8,
                             "precision_low": precision_low, "recall": 4 / 6, "basis": "answer_key"}])
    con = duckdb.connect()
    _deaths(con)
    return overlap_tables(con, linkage.Linkage(links, quality), SOURCES, (pairing,))


def test_overlap_counts_each_year_and_narrows_the_union_by_the_true_links():
    table = DeathsOverlap.validate(_tables()["deaths_overlap"]).set_index("year")
    # Common period 2019 (a starts) to 2021 (a ends, inside the year: partial).
    assert table.index.tolist() == [2019, 2020, 2021]
    assert table["partial_year"].tolist() == [False, False, True]
    assert table["persons_l"].tolist() == [3, 1, 1]  # A5 is in Yuma
    assert table["persons_r"].tolist() == [2, 2, 1]  # B6 (2018) is before the common period
    assert table["linked"].tolist() == [2, 1, 0]  # A6-B4 crosses years: in neither
    # 2019: 2 links at precision >= 0.5 leave 1 surely true: union in [3, 3 + 2 - 1].
    assert table.loc[2019, ["linked_true_min", "union_min", "union_max"]].tolist() == [1, 3, 4]
    assert table.loc[2020, ["linked_true_min", "union_min", "union_max"]].tolist() == [0, 2, 3]
    assert table.loc[2021, ["union_min", "union_max"]].tolist() == [1, 2]


def test_without_a_measured_precision_links_do_not_narrow_the_union():
    table = _tables(precision_low=None)["deaths_overlap"].set_index("year")
    assert (table["union_max"] == table["persons_l"] + table["persons_r"]).all()
    assert (table["linked_true_min"] == 0).all()


def test_race_is_counted_for_linked_records_only():
    race = DeathsLinkedRace.validate(_tables()["deaths_linked_race"]).set_index("race_ethnicity")
    # Over the full years 2019-2020 (2021 is partial): A1-B1 hispanic_latino, A2-B2 unknown,
    # A4-B3 white; A6-B4 has A6 in 2021; A3 is not linked: no race.
    assert (race["first_year"] == 2019).all() and (race["last_year"] == 2020).all()
    assert race.loc["all", "persons"] == 3
    assert race.loc["hispanic_latino", "persons"] == 1
    assert race.loc["white", "persons"] == 1 and race.loc["unknown", "persons"] == 1
    assert race.loc["multiple", "persons"] == 0  # B5 links A5, outside the area
    assert (race["persons_in_area"] == 4).all()
    assert race.drop(index="all")["persons"].sum() == race.loc["all", "persons"]


def test_an_estimate_is_withheld_where_one_list_is_entered_from_the_other():
    pima = next(p for p in PAIRINGS if p.name == "pima_ome_namus")
    declared = linkage.Pairing(**{**PAIRING.__dict__, "assumptions_failing": pima.assumptions_failing,
                                  "not_estimated_because": pima.not_estimated_because})
    row = DeathsEstimates.validate(_tables(declared)["deaths_estimates"]).iloc[0]
    assert row["status"] == "not_estimated" and row["reason"] == "one_list_entered_from_the_other"
    assert pd.isna(row["estimate"]) and pd.isna(row["ci_low"])
    assert row["assumptions_failing"] == "independence;equal_catchability;perfect_linkage"
    assert (row["first_year"], row["last_year"]) == (2019, 2020)  # 2021 is partial
    assert (row["persons_l"], row["persons_r"], row["linked"]) == (4, 4, 3)
    # Over the period: 3 links at precision >= 0.5 leave 1 surely true: [4, 4 + 4 - 1].
    assert (row["union_min"], row["union_max"]) == (4, 7)


def test_an_estimate_of_independent_lists_is_chapmans():
    row = _tables()["deaths_estimates"].iloc[0]
    assert row["status"] == "estimated" and row["assumptions_failing"] == "perfect_linkage"
    # (4 + 1)(4 + 1) / (3 + 1) - 1 = 5.25
    assert row["estimate"] == pytest.approx(5.25)
    assert row["ci_low"] >= 5  # never below the 5 persons counted


def test_a_confidential_list_is_never_linked(monkeypatch):
    from pipelines.sources.registry import SOURCES as REGISTRY
    confidential = next(sid for sid, s in REGISTRY.items() if s.spec.confidential)
    pairing = linkage.Pairing(name="x", area="us_az_pima_county",
                              left=linkage.Side(confidential, "", None, "TRUE"),
                              right=linkage.Side("us_namus_unidentified", "", None, "TRUE"))
    with pytest.raises(ValueError, match="confidential"):
        linkage.link_all(None, pd.DataFrame(), (pairing,))


# --- the page section ---------------------------------------------------------------------------

def _section(page: str) -> str:
    import re
    start = page.index('<section id="overlap">')
    text = re.sub(r"<[^>]+>", " ", page[start:page.index("</section>", start)])
    return re.sub(r"\s+", " ", text)


def test_page_shows_the_counted_lists_overlap_range_and_why_no_estimate(tmp_path):
    from pipelines.publish.page.write import render_page
    from tests.test_page import sources_rows

    pima = next(p for p in PAIRINGS if p.name == "pima_ome_namus")
    declared = linkage.Pairing(**{**PAIRING.__dict__, "assumptions_failing": pima.assumptions_failing,
                                  "not_estimated_because": pima.not_estimated_because})
    # The public tables keep the latest snapshot of each source (`sources`).
    tables = {**_tables(declared), "sources": sources_rows("a", "b").assign(snapshot=["s1", "s2"])}
    text = _section(render_page(tables, tmp_path, "R1", created="2026-01-01T00:00:00+00:00", sample=False))
    assert "years 2019-2021" in text and "partial: 2021" in text
    assert "precision 80%" in text
    # Over the full years 2019-2020: 4 and 4 persons, 3 linked, in either list 4-7.
    assert "over 2019-2020 (full years) persons in a 4 in b 4 linked in both 3 in either list (counted range) 4-7" in text
    assert "no estimate: one list is entered from the other" in text
    assert "independent lists, equal catchability, perfect linkage" in text
    # Race of the linked records only: 4 linked, 3 with an estimate, 1 without.
    assert "4 persons of a in the area over 2019-2020, 3 were linked to b , whose" in text
    assert "for 2 of them (hispanic latino 1, white 1), and for 1 estimated none" in text
    assert "2019 3 2 2 3-4" in text and "2021 (partial) 1 1 0 1-2" in text


def test_page_says_when_no_list_was_linked(tmp_path):
    from pipelines.publish.page.write import render_page
    from tests.test_page import sources_rows

    page = render_page({"sources": sources_rows("a")}, tmp_path, "R1",
                       created="2026-01-01T00:00:00+00:00", sample=False)
    assert 'id="overlap-empty" data-empty="true"' in page


def test_a_list_without_area_sql_counts_the_records_its_input_held():
    members_pairing = linkage.Pairing(**{**PAIRING.__dict__, "right": linkage.Side("b", "", None, None)})
    links = pd.DataFrame({"source_l": "a", "snapshot_l": "s1", "source_r": "b", "snapshot_r": "s2",
                          "record_id_l": ["A1"], "record_id_r": ["B1"]})
    quality = pd.DataFrame([{"pairing": "test", "area": "us_az_pima_county", "source_l": "a",
                             "snapshot_l": "s1", "source_r": "b", "snapshot_r": "s2", "links": 1,
                             "precision": None, "precision_low": None, "recall": None, "basis": "none"}])
    con = duckdb.connect()
    _deaths(con)
    members = {("test", "r"): ["B1", "B3", "B6"]}  # B6 (2018) is outside the period
    table = overlap_tables(con, linkage.Linkage(links, quality, members), SOURCES,
                           (members_pairing,))["deaths_overlap"].set_index("year")
    assert table["persons_r"].tolist() == [1, 1, 0]
    assert table["linked"].tolist() == [1, 0, 0] and (table["union_max"] == table["persons_l"] + table["persons_r"]).all()


def test_page_of_a_reviewed_pairing_says_so_and_shows_no_race(tmp_path):
    from pipelines.publish.page.write import render_page
    from tests.test_page import sources_rows

    links = pd.DataFrame({"source_l": "a", "snapshot_l": "s1", "source_r": "b", "snapshot_r": "s2",
                          "record_id_l": ["A1"], "record_id_r": ["B1"]})
    quality = pd.DataFrame([{"pairing": "test", "area": "us_az_pima_ome_jurisdiction",
                             "source_l": "a", "snapshot_l": "s1", "source_r": "b", "snapshot_r": "s2",
                             "links": 1, "precision": 1.0, "precision_low": 0.912, "recall": float("nan"),
                             "basis": "clerical_review"}])
    reviewed = linkage.Pairing(**{**PAIRING.__dict__, "area": "us_az_pima_ome_jurisdiction",
                                  "cross_race": False, "answer_key": False, "review": (40, 40)})
    con = duckdb.connect()
    _deaths(con)
    tables = overlap_tables(con, linkage.Linkage(links, quality), SOURCES, (reviewed,))
    assert tables["deaths_linked_race"].empty
    # Recall not measured (null, read back as NaN): perfect linkage is not assumed.
    assert tables["deaths_estimates"]["assumptions_failing"].tolist() == ["perfect_linkage"]
    overlap = DeathsOverlap.validate(tables["deaths_overlap"])
    assert (overlap["link_quality_basis"] == "clerical_review").all()
    page = render_page({**tables, "sources": sources_rows("a", "b").assign(snapshot=["s1", "s2"])},
                       tmp_path, "R1", created="2026-01-01T00:00:00+00:00", sample=False)
    text = _section(page)
    assert "Deaths examined by the Pima County medical examiner" in text
    assert "clerical review of a sample: 100% (recall not measured)" in text
    assert "Race:" not in text


def test_the_readmes_of_pair_tables_cite_both_lists():
    from pipelines.publish.readmes import TableFacts
    tables = _tables()
    assert TableFacts.of(tables["deaths_overlap"]).sources == {"a", "b"}
    assert TableFacts.of(tables["deaths_estimates"]).sources == {"a", "b"}  # from `sources`
