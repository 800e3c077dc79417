"""The rules that turn a linkage's scored pairs into links (pipelines/stats/linkage.py scores
them): each pair oriented (left, right), the links kept at a threshold (unambiguous pairs,
one-to-one, or persons to incidents), and their precision and recall against a known answer.
Plain pandas over `unique_id_l`, `unique_id_r` and `match_probability`; docs/linkage.md says
which rule each pairing uses and why."""

from __future__ import annotations

import pandas as pd

THRESHOLD = 0.1  # the match probability a link needs (docs/linkage.md: the curve)


def oriented(pairs: pd.DataFrame, left_name: str) -> pd.DataFrame:
    """Every pair as (left, right), whichever order Splink chose (it orders the two lists by
    name: `mmp` comes before `pcome_humane_borders`)."""
    pairs = pairs.copy()
    swap = (pairs["source_dataset_l"] != left_name).to_numpy()
    for a, b in (("unique_id_l", "unique_id_r"), ("source_dataset_l", "source_dataset_r")):
        # Copies first: both columns may share one block, so a view would see `a` rewritten.
        new_a, new_b = pairs.loc[swap, b].to_numpy(copy=True), pairs.loc[swap, a].to_numpy(copy=True)
        pairs.loc[swap, a], pairs.loc[swap, b] = new_a, new_b
    return pairs


def one_to_one(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each record in at most one link: pairs taken by falling probability, skipping any whose
    left or right record is already linked (one death, one examiner case)."""
    taken_l, taken_r, keep = set(), set(), []
    for index, l, r in zip(pairs.index, pairs["unique_id_l"], pairs["unique_id_r"]):
        if l not in taken_l and r not in taken_r:
            taken_l.add(l)
            taken_r.add(r)
            keep.append(index)
    return pairs.loc[keep]


def unambiguous(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs that are the one best for both their records: no other pair of the left
    record, nor of the right record, scores as high (two bodies found the same day, of the
    same sex, cannot be told apart: neither is linked)."""
    best_l = pairs.groupby("unique_id_l")["match_probability"].transform("max")
    best_r = pairs.groupby("unique_id_r")["match_probability"].transform("max")
    top = pairs[(pairs["match_probability"] == best_l) & (pairs["match_probability"] == best_r)]
    alone = ~top["unique_id_l"].duplicated(keep=False) & ~top["unique_id_r"].duplicated(keep=False)
    return top[alone]


def many_to_one(pairs: pd.DataFrame, capacity: pd.Series) -> pd.DataFrame:
    """Links of person records (left) to incidents (right) that may count several persons:
    each left record's single best pair (none on a tie), then each incident keeps at most
    `capacity[unique_id_r]` of them, by falling probability."""
    best = pairs.groupby("unique_id_l")["match_probability"].transform("max")
    top = pairs[pairs["match_probability"] == best]
    top = top[~top["unique_id_l"].duplicated(keep=False)]
    top = top.sort_values("match_probability", ascending=False, kind="stable")
    rank = top.groupby("unique_id_r").cumcount()
    return top[rank.to_numpy() < capacity.to_numpy()[top["unique_id_r"].astype(int)]]


def links(pairs: pd.DataFrame, threshold: float = THRESHOLD, capacity: pd.Series | None = None
          ) -> pd.DataFrame:
    """The links kept: pairs at or above `threshold` that are unambiguous, or, where the
    right list's records are incidents (`capacity`: persons each counts), `many_to_one`."""
    above = pairs[pairs["match_probability"] >= threshold]
    return unambiguous(above) if capacity is None else many_to_one(above, capacity)


def evaluate(pairs: pd.DataFrame, truth: set[tuple[int, int]],
             thresholds: tuple[float, ...]) -> pd.DataFrame:
    """Precision and recall against the case number at each threshold, for all pairs above it
    and for the one-to-one links: true and false positives, false negatives."""
    rows = []
    for threshold in thresholds:
        above = pairs[pairs["match_probability"] >= threshold]
        for method, chosen in (("all_pairs", above), ("one_to_one", one_to_one(above)),
                               ("unambiguous", unambiguous(above))):
            found = set(zip(chosen["unique_id_l"].astype(int), chosen["unique_id_r"].astype(int)))
            tp = len(found & truth)
            fp, fn = len(found) - tp, len(truth) - tp
            rows.append({"threshold": threshold, "method": method, "links": len(found),
                         "true_positives": tp, "false_positives": fp, "false_negatives": fn,
                         "precision": tp / len(found) if found else float("nan"),
                         "recall": tp / len(truth) if truth else float("nan")})
    return pd.DataFrame(rows)
