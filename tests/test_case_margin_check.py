"""case_margin_violations, grouped on integer keys, gives exactly what the plain pandas
groupby/join it replaced gave (kept here as the reference), on random margin tables broken on
purpose."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from pipelines.stats.checks import case_margin_violations

FIXED = ("source", "snapshot", "year", "year_basis")
DIMS = ("sex", "age_group", "country_iso3")


def _reference(stats, fixed, dims, inconsistencies):
    """case_margin_violations as it was written first: the unmet margins by pandas groupby
    and join (the definition of the result), less those `inconsistencies` lists. The listing
    rule is written out here, row by row, from its definition (a cell is named by its keys
    other than source, snapshot, year and the dimension compared, `all` left out, joined by
    "; "), so that the check never calls the code it checks."""
    listed = set()
    for row in inconsistencies.to_dict("records") if len(inconsistencies) else ():
        listed.add((row["source"], row["snapshot"], int(row["year"]), row["dimension"], row["cell"]))
    unmet = []
    for dim in dims:
        others = list(fixed) + [d for d in dims if d != dim]
        parts = stats[stats[dim] != "all"].groupby(others, dropna=False).agg(
            parts_min=("value_min", "sum"), parts_max=("value_max", "sum"))
        margins = stats[stats[dim] == "all"].set_index(others)[["value_min", "value_max"]]
        joined = parts.join(margins, how="left").reset_index()
        bad = joined[joined["value_min"].isna() | (joined["parts_min"] > joined["value_max"])
                     | (joined["parts_max"] < joined["value_min"])]
        named = ["; ".join(f"{k}={row[k]}" for k in others
                           if k not in ("source", "snapshot", "year") and str(row[k]) != "all")
                 for row in bad.to_dict("records")]
        keep = [(row["source"], row["snapshot"], int(row["year"]), dim, name) not in listed
                for row, name in zip(bad.to_dict("records"), named)]
        if any(keep):
            unmet.append(bad[keep].assign(dimension=dim))
    return pd.concat(unmet, ignore_index=True) if unmet else pd.DataFrame()


def _cube(seed: int) -> pd.DataFrame:
    """Leaf cells with random bounds and every margin summed from them."""
    rng = np.random.default_rng(seed)
    codes = {"sex": ["female", "male", "unknown"], "age_group": ["adult", "minor"],
             "country_iso3": ["FRA", "DEU", "ITA", "ESP"]}
    leaves = pd.DataFrame(list(itertools.product(
        ["src_b", "src_a"], ["2024-01-01"], [2021, 2020], ["reported"],
        *codes.values())), columns=list(FIXED) + list(DIMS))
    low = rng.integers(0, 50, len(leaves))
    leaves["value_min"] = low
    leaves["value_max"] = low + rng.integers(0, 3, len(leaves)) * (rng.random(len(leaves)) < .3)
    frames = []
    for summed in itertools.chain.from_iterable(
            itertools.combinations(DIMS, n) for n in range(len(DIMS) + 1)):
        frame = leaves.assign(**{d: "all" for d in summed})
        frames.append(frame.groupby(list(FIXED) + list(DIMS), as_index=False, sort=False)[
            ["value_min", "value_max"]].sum())
    stats = pd.concat(frames, ignore_index=True).sample(frac=1, random_state=seed)
    stats = stats.astype({k: "str" for k in FIXED + DIMS if k != "year"})
    return stats.astype({"year": "Int32", "value_min": "Int64", "value_max": "Int64"})


def _perturb(stats: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    stats = stats.copy()
    n = len(stats)
    stats.iloc[rng.choice(n, 6, replace=False), stats.columns.get_loc("value_min")] += 1000
    stats.iloc[rng.choice(n, 6, replace=False), stats.columns.get_loc("value_max")] -= 1
    stats.iloc[rng.choice(n, 4, replace=False), stats.columns.get_loc("value_min")] = pd.NA
    stats.iloc[rng.choice(n, 4, replace=False), stats.columns.get_loc("value_max")] = pd.NA
    return stats.drop(stats.index[rng.choice(n, 5, replace=False)])


def _listed_some(stats: pd.DataFrame, seed: int) -> pd.DataFrame:
    """source_inconsistencies naming about half of the margins that do not add up."""
    found = _reference(stats, FIXED, DIMS, pd.DataFrame())
    rows = []
    for record in found.sample(frac=.5, random_state=seed).to_dict("records"):
        cell = "; ".join(f"{k}={record[k]}" for k in FIXED[3:] + DIMS
                         if k != record["dimension"] and record[k] != "all")
        rows.append({"table": "crimes_stats", "source": record["source"],
                     "snapshot": record["snapshot"], "year": record["year"],
                     "cell": cell, "dimension": record["dimension"]})
    return pd.DataFrame(rows).astype({"year": "Int32"})


def _assert_same(stats, inconsistencies):
    expected = _reference(stats, FIXED, DIMS, inconsistencies)
    got = case_margin_violations(stats, FIXED, DIMS, inconsistencies)
    if expected.empty:
        assert got.empty
    else:
        # Values exactly; the key dtypes follow the input's (object keys stay object here,
        # where the reference's groupby infers str).
        pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False)
    return got


@pytest.mark.parametrize("seed", range(6))
def test_same_violations_as_pandas(seed):
    stats = _cube(seed)
    assert _assert_same(stats, pd.DataFrame()).empty
    broken = _perturb(stats, seed)
    listed = _listed_some(broken, seed)
    assert len(listed) and len(_assert_same(broken, listed))
    assert len(_assert_same(broken, listed.iloc[0:0])) > len(_assert_same(broken, listed))


def test_object_and_integer_keys():
    stats = _perturb(_cube(7), 7)
    stats = stats.astype({"source": object, "sex": object, "year": "int64"})
    _assert_same(stats, _listed_some(stats, 7))


def test_plain_integer_bounds():
    stats = _perturb(_cube(8), 8).dropna(subset=["value_min", "value_max"]).astype(
        {"value_min": "int64", "value_max": "int64"})
    assert len(_assert_same(stats, pd.DataFrame()))


def test_null_keys_are_refused():
    stats = _cube(8)  # validated statistics have none; a NULL key has no place in a margin
    stats.iloc[:3, stats.columns.get_loc("country_iso3")] = np.nan
    with pytest.raises(ValueError, match="NULL keys"):
        case_margin_violations(stats, FIXED, DIMS, pd.DataFrame())


def test_a_dimension_without_margins_reports_every_part():
    stats = _cube(9)
    stats = stats[stats["sex"] != "all"]
    found = _assert_same(stats, pd.DataFrame())
    assert (found["dimension"] == "sex").sum() == stats.drop(columns="sex").drop(
        columns=["value_min", "value_max"]).drop_duplicates().shape[0]


def test_parts_meet_only_their_own_breakdowns_margins_and_the_shared_ones():
    """Invariant 5: a breakdown's parts are compared with a margin of the same breakdown or a
    shared one (`all`), never with another breakdown's cell; a shared part must have a margin,
    a breakdown's part need not (its margin would be another breakdown's cell)."""
    keys = {"source": "s", "snapshot": "x", "year": 2021, "year_basis": "reported"}

    def cell(breakdown, value, **dims):
        return {**keys, "sex": "all", "age_group": "all", "country_iso3": "MEX", **dims,
                "breakdown": breakdown, "value_min": value, "value_max": value}

    rows = [cell("all", 10), cell("total", 7, sex="female"), cell("total", 3, sex="male"),
            # another table's adult women, more than the Total table's women
            cell("forms", 9, sex="female", age_group="adult")]
    stats = pd.DataFrame(rows).astype({"year": "Int32", "value_min": "Int64", "value_max": "Int64"})
    fixed, dims = ("source", "snapshot", "year", "year_basis"), ("sex", "age_group", "country_iso3")
    violations = case_margin_violations(stats, fixed, dims, pd.DataFrame())
    # Shared parts without a margin (no world total) are the only violations.
    assert set(violations["dimension"]) == {"country_iso3"}
    # Above the Total table's cell (9 > 7) it is not a violation; were the women's cell the
    # forms table's own, it would be.
    stats.loc[1, "breakdown"] = "forms"
    found = case_margin_violations(stats, fixed, dims, pd.DataFrame())
    assert ((found["dimension"] == "age_group") & (found["parts_min"] == 9)).sum() == 1


def test_a_group_of_cells_without_its_grand_total_is_found():
    """Every (source, snapshot, year, unit, subject...) group with cells has one grand total
    (a reconciliation that lost it, as one did for the FBI incident file's later years while
    this check was missing, is blocked)."""
    from pipelines.stats.checks import groups_without_grand_total

    fixed, dims = ("source", "year"), ("sex", "country_iso3")
    stats = pd.DataFrame({"source": ["s"] * 4, "year": [2019, 2019, 2020, 2020],
                          "sex": ["all", "female", "female", "male"],
                          "country_iso3": ["all", "all", "all", "all"]})
    missing = groups_without_grand_total(stats, fixed, dims)
    assert missing[["source", "year"]].values.tolist() == [["s", 2020]]
