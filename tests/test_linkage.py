"""Record linkage (pipelines/stats/linkage.py, pairings in pipelines/stats/pairings/): the case-number key, the link rules on
hand-made pairs, and the measured quality on the real Pima County files (skipped when
absent)."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from pipelines.sources import pcome_humane_borders as pcome
from pipelines.sources import us_namus_unidentified as namus
from pipelines.stats import link_rules, linkage
from pipelines.stats.pairings import PAIRINGS, pima
from tests.conftest import real_snapshot

# Measured on the real files (docs/linkage.md): precision 0.942, recall 0.664 at 0.1. The
# floors leave room for a change of Splink's sampling, not for a worse model.
PRECISION_FLOOR, RECALL_FLOOR = 0.90, 0.60


def test_case_numbers_in_both_spellings_share_one_key():
    keys = linkage.case_key(pd.Series(["ME/C Case ML12-00345", "12-00345", "ME/C Case 25-2599",
                                       "MC20-1234", "ME/C Case ME 120-81", "09-UBC01", ""]))
    assert keys.tolist()[:3] == ["12-345", "12-345", "25-2599"] and keys[3:].isna().all()


def _pairs(rows):
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])


def test_unambiguous_links_leave_ties_out():
    pairs = _pairs([(1, 10, 0.9), (1, 11, 0.2),   # 1-10 best for both
                    (2, 12, 0.6), (3, 12, 0.6),   # 12 tied between 2 and 3: neither
                    (4, 13, 0.5), (5, 13, 0.7)])  # 13 is best with 5, not with 4
    got = set(zip(link_rules.unambiguous(pairs)["unique_id_l"], link_rules.unambiguous(pairs)["unique_id_r"]))
    assert got == {(1, 10), (5, 13)}


def test_one_to_one_takes_pairs_by_falling_probability():
    pairs = _pairs([(1, 10, 0.9), (2, 10, 0.8), (2, 11, 0.7), (1, 11, 0.6)])
    assert link_rules.one_to_one(pairs)[["unique_id_l", "unique_id_r"]].values.tolist() == [[1, 10], [2, 11]]


def test_pairs_are_oriented_left_to_right_whichever_order_splink_chose():
    pairs = pd.DataFrame({"source_dataset_l": ["mmp", "pcome"], "unique_id_l": [7, 1],
                          "source_dataset_r": ["pcome", "mmp"], "unique_id_r": [3, 9]})
    got = link_rules.oriented(pairs, "pcome")
    assert got[["unique_id_l", "unique_id_r"]].values.tolist() == [[3, 7], [1, 9]]
    assert (got["source_dataset_l"] == "pcome").all() and (got["source_dataset_r"] == "mmp").all()


def test_many_to_one_lets_an_incident_take_as_many_persons_as_it_counts():
    pairs = _pairs([(1, 0, 0.9), (2, 0, 0.8), (3, 0, 0.7),   # incident 0 counts 2: 1 and 2
                    (4, 1, 0.6), (4, 2, 0.6),                # 4 tied between two incidents
                    (5, 1, 0.5), (5, 2, 0.4)])               # 5's best is incident 1
    got = link_rules.many_to_one(pairs, pd.Series([2, 1, 1]))
    assert sorted(zip(got["unique_id_l"], got["unique_id_r"])) == [(1, 0), (2, 0), (5, 1)]


def test_evaluate_counts_true_and_false_links():
    pairs = _pairs([(1, 10, 0.9), (2, 11, 0.5), (3, 12, 0.05)])
    table = link_rules.evaluate(pairs, {(1, 10), (3, 12), (4, 13)}, (0.1,)).set_index("method")
    row = table.loc["all_pairs"]
    assert (row["links"], row["true_positives"], row["false_positives"], row["false_negatives"]) == (2, 1, 1, 2)
    assert row["precision"] == 0.5 and row["recall"] == pytest.approx(1 / 3)


# --- real files -----------------------------------------------------------------------------

@pytest.mark.real
def test_real_pima_linkage_keeps_its_measured_quality(real_dir):
    started = time.monotonic()
    ogis = real_snapshot(real_dir, pcome.SOURCE.id, "2022-03-28")
    left = pima.pcome_input(pcome.SOURCE.read_raw(ogis.data_files()[0]))
    found = real_snapshot(real_dir, namus.SOURCE.id, "2025-10-18")
    (arizona,) = [p for p in found.data_files() if p.name.startswith("arizona")]
    right = pima.namus_input(namus.SOURCE.read_raw(arizona))
    assert len(left.frame) == 1465 and len(right.frame) == 1313
    # The case numbers are never among the compared columns.
    assert not {"ML Number", "ME/C Case", "case_key"} & (set(left.frame) | set(right.frame))

    pairs = linkage.predict(left, right)
    truth = linkage.true_pairs(left, right)
    assert len(truth) == 1009
    table = link_rules.evaluate(pairs, truth, (link_rules.THRESHOLD,)).set_index("method")
    chosen = table.loc["unambiguous"]
    assert chosen["precision"] >= PRECISION_FLOOR, table
    assert chosen["recall"] >= RECALL_FLOOR, table
    # Unambiguous links are more precise than the greedy one-to-one ones, which are more
    # precise than every pair above the threshold.
    assert chosen["precision"] > table.loc["one_to_one", "precision"] > table.loc["all_pairs", "precision"]
    assert time.monotonic() - started < 60  # about 10 s on a loaded machine


def test_record_links_are_empty_without_both_lists(tmp_path):
    sources = pd.DataFrame({"source": ["pcome_humane_borders"], "snapshot": ["2022-03-28"],
                            "file": ["ogis.csv"], "is_latest": [True]})
    links = linkage.link_all(tmp_path, sources, PAIRINGS).links
    assert links.empty and list(links.columns) == linkage.LINK_COLUMNS


def test_same_day_pairs_count_every_pair_of_a_shared_day():
    def side(days):
        frame = pd.DataFrame({"found_date": pd.to_datetime(pd.Series(days)).dt.date})
        return linkage.LinkInput("x", frame, pd.Series(dtype="str"), pd.Series(dtype="str"))
    left = side(["2020-01-01", "2020-01-01", "2020-02-01", None])
    right = side(["2020-01-01", "2020-01-01", "2020-01-01", "2020-03-01"])
    assert linkage.same_day_pairs(left, right) == 6


def test_mmp_pima_input_keeps_incidents_naming_pima_with_sex_only_for_one_person():
    import numpy as np
    from pathlib import Path

    from pipelines.sources.base import RawTable
    frame = pd.DataFrame({
        "Incident ID": ["2015.MMP1", "2015.MMP2", "2015.MMP3", "2015.MMP4"],
        "Incident Date": ["2015-06-01", "2015-06-02", "2015-06-03", "2015-06-04"],
        "Information Source": ["Pima County Office of the Medical Examiner", "Pima County OME",
                               "Brooks County Sheriff", "Pima County OME"],
        "Location of Incident": ["Ajo, Arizona", "Arizona", "Texas", "Sonora"],
        "Country of Incident": ["United States of America"] * 3 + ["Mexico"],
        "Coordinates": ["31.5, -112.1", "32.0, -111.0", "27.2, -98.1", "31.0, -111.0"],
        "Number of Females": ["1", "1", "", ""], "Number of Males": ["", "2", "1", "1"],
        "Total Number of Dead and Missing": ["1", "3", "1", "1"]})
    got = pima.mmp_pima_input(RawTable(Path("mmp.xlsx"), frame, "v", np.arange(2, 6)))
    assert got.record_ids.tolist() == ["2015.MMP1", "2015.MMP2"]  # Texas and Mexico left out
    assert got.frame["sex"].tolist() == ["female", None]  # an incident of 3: no one sex
    assert got.persons.tolist() == [1, 3]
    assert got.frame[["lat", "lon"]].astype(float).values.tolist() == [[31.5, -112.1], [32.0, -111.0]]
    assert not {"Information Source", "Location of Incident"} & set(got.frame)


def test_a_format_without_what_a_pairing_reads_is_not_linked():
    import numpy as np
    from pathlib import Path

    from pipelines.sources.base import RawTable
    old = RawTable(Path("mmp.csv"), pd.DataFrame({"id": ["1"], "date": ["2015-01-01"]}), "kaggle",
                   np.arange(2, 3))
    with pytest.raises(linkage.NotLinkable):
        pima.mmp_pima_input(old)
    with pytest.raises(linkage.NotLinkable):
        pima.pcome_all_input(old)
