"""The linkage benchmark (bench/layout_linkage.py, `bench.worker linkage`): the generated lists
hold the truth they claim, and at 10k records a list the engine finds it."""

from __future__ import annotations

import numpy as np

from bench import layout_linkage as synthetic
from bench.measure import measured
from bench.report import linkage_section


def test_lists_hold_the_known_share_of_the_same_persons_with_bounded_noise():
    left, right, truth = synthetic.lists(5_000)
    assert len(left.frame) == len(right.frame) == 5_000 and len(truth) == 1_500
    pairs = np.array(sorted(truth))
    assert len(set(pairs[:, 1])) == len(pairs)  # one copy per person
    assert pairs[:, 1].tolist() != pairs[:, 0].tolist()  # the second list is shuffled
    day = lambda frame, ids: frame["found_date"].to_numpy()[ids]  # noqa: E731
    gap = np.array([(a - b).days for a, b in zip(day(left.frame, pairs[:, 0]),
                                                 day(right.frame, pairs[:, 1]))])
    assert 0.6 < np.mean(gap == 0) < 0.8 and np.abs(gap).max() < 200
    # Seeded: the same lists on every run.
    again = synthetic.lists(5_000)
    assert again[2] == truth and again[1].frame.equals(right.frame)


def test_block_sizes_count_the_pairs_each_rule_generates():
    left, right, _ = synthetic.lists(2_000)
    sizes = synthetic.block_sizes(left, right, ("found_year",))
    by_year_l = left.frame["found_year"].value_counts()
    by_year_r = right.frame["found_year"].value_counts()
    assert sizes["found_year"] == int((by_year_l * by_year_r).sum())


def test_ten_thousand_records_a_list_are_linked_and_measured():
    result = measured(["bench.worker", "linkage", "--n", "10000"], timeout=600)
    assert "error" not in result, result
    quality = result["quality"]
    assert quality["true_pairs"] == 3_000
    assert quality["precision"] >= 0.95 and quality["recall"] >= 0.85, quality
    assert result["peak_rss_mb"] > 0 and result["link_s"] > 0
    assert set(result["comparisons_by_blocking_rule"]) == set(synthetic.BENCH_PAIRING.blocking)
    row = [line for line in linkage_section({"10k": result}) if line.startswith("| 10,000 |")]
    assert len(row) == 1 and f"| {quality['precision']} |" in row[0]
