"""The linkage benchmark: two synthetic death lists of `n` records each, a known share of them
the same persons written down twice with realistic noise, linked by the real engine
(`pipelines.stats.linkage.predict` and `links`) with a declared `Pairing`'s comparisons and
blocking; precision and recall measured against the generated truth.

The lists look like the border lists the project links (docs/linkage.md): a date the body
was found (2000-2024), sex, an age (the second list sometimes records a range, as NamUs does)
and coordinates in the Arizona-Sonora desert. The second copy of a person differs as the real
copies do: the same day mostly, a few days or weeks apart sometimes; sex or age missing or
wrong now and then; coordinates moved by tens of metres (re-typed, rounded), sometimes by
kilometres (a different reference point), sometimes missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.stats.linkage import LinkInput, Pairing, Side

SEED = 20261208
SHARED = 0.3  # the share of each list that are persons the other list also holds
FIRST_DAY, DAYS = pd.Timestamp("2000-01-01"), 9_132  # 2000-01-01 .. 2024-12-31
# The desert along the Arizona-Sonora line where most bodies are found.
LAT, LON = (31.3, 32.9), (-114.0, -110.0)
CELL_DEGREES = 0.01  # blocking cell: about 1.1 km of latitude, 0.9 km of longitude
AREA_DEGREES = 0.1  # a coarser cell, about 10 km: with the day, what EM trains on


def _not_built(_raw):  # the bench builds its LinkInputs itself, never from a raw file
    raise NotImplementedError


# Compared: date, sex, age and location (the two Pima pairings' comparisons together).
# Blocking, at a million records a list (a Pima list holds a few thousand): the year alone
# would score 1M x 1M records in year blocks of 40k x 40k (4e10 pairs). So: the same ~1 km
# cell in the same year (or in the year moved by half a year: dates up to six months apart),
# or the same day in the same ~10 km area (coordinates moved by kilometres). Training on the
# same day alone (the Pima pairings' default) is 1.1e8 pairs for EM and 7e7 for the prior at
# 1M, which Splink builds: it spilled 11 GB without finishing in 20 minutes (docs/linkage.md).
# This pairing trains on the same day in the same area. A pair whose coordinates one list
# lacks (5 % of the second copies) and whose date moved is in no block: that is the price of
# these rules, measured as recall.
BENCH_PAIRING = Pairing(
    name="bench_synthetic", area="synthetic",
    left=Side("bench_left", "", _not_built, None), right=Side("bench_right", "", _not_built, None),
    compared=("found_date", "sex", "age", "location"),
    blocking=("cell_year", "cell_half_shifted_year", "day_area"),
    em_on=(("found_date", "area"),), prior_on=("found_date", "area", "sex"))


def persons(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """`n` distinct persons: day found, sex, age, coordinates."""
    sex = rng.choice(np.array(["male", "female", None], dtype=object), n, p=[0.8, 0.15, 0.05])
    age = rng.integers(15, 70, n).astype("float")
    age[rng.random(n) < 0.25] = np.nan  # skeletal remains: no age
    return pd.DataFrame({"day": rng.integers(0, DAYS, n), "sex": sex, "age": age,
                         "lat": rng.uniform(*LAT, n), "lon": rng.uniform(*LON, n)})


def noisy_copy(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    """The same persons as another list writes them down."""
    n = len(people)
    out = people.copy()
    kind = rng.choice(4, n, p=[0.7, 0.2, 0.08, 0.02])  # same day, <= 3 days, <= 30, further
    shift = np.select([kind == 1, kind == 2, kind == 3],
                      [rng.integers(1, 4, n), rng.integers(4, 31, n), rng.integers(31, 200, n)], 0)
    out["day"] = (people["day"] + shift * rng.choice([-1, 1], n)).clip(0, DAYS - 1)
    sex = out["sex"].to_numpy(copy=True)
    flip = rng.random(n) < 0.01
    sex[flip] = np.where(sex[flip] == "male", "female", "male")
    sex[rng.random(n) < 0.05] = None
    out["sex"] = sex
    age = people["age"].to_numpy(copy=True) + rng.integers(-2, 3, n) * (rng.random(n) < 0.2)
    age[rng.random(n) < 0.1] = np.nan
    out["age"] = age
    metres = np.where(rng.random(n) < 0.1, rng.exponential(2_000, n), rng.exponential(30, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    out["lat"] = people["lat"] + metres * np.sin(angle) / 111_000
    out["lon"] = people["lon"] + metres * np.cos(angle) / (111_000 * np.cos(np.radians(32)))
    gone = rng.random(n) < 0.05
    out.loc[gone, ["lat", "lon"]] = np.nan
    return out


def link_input(name: str, rows: pd.DataFrame, ranges: bool, rng: np.random.Generator) -> LinkInput:
    """A list as the linker's input; `ranges`: ages written as ranges (NamUs's Age From/To)."""
    frame = pd.DataFrame({"unique_id": np.arange(len(rows))})
    dates = FIRST_DAY + pd.to_timedelta(rows["day"].to_numpy(), unit="D")
    frame["found_date"] = dates.date
    frame["found_year"] = pd.array(dates.year, dtype="Int64")
    frame["found_half_shifted_year"] = pd.array((dates + pd.Timedelta(days=183)).year, dtype="Int64")
    frame["sex"] = rows["sex"].to_numpy()
    age = pd.array(rows["age"].to_numpy(), dtype="Float64")
    spread = (rng.integers(0, 8, len(rows)) if ranges else np.zeros(len(rows), dtype=int))
    frame["age_low"], frame["age_high"] = age - spread, age + spread
    frame["lat"] = pd.array(rows["lat"].to_numpy(), dtype="Float64")
    frame["lon"] = pd.array(rows["lon"].to_numpy(), dtype="Float64")
    cell, area = (_cell(rows, degrees) for degrees in (CELL_DEGREES, AREA_DEGREES))
    frame["area"] = area
    frame["day_area"] = (area + "@" + pd.Series(rows["day"].to_numpy()).astype("str")).where(area.notna(), None)
    frame["cell_year"] = (cell + "@" + frame["found_year"].astype("str")).where(cell.notna(), None)
    frame["cell_half_shifted_year"] = (cell + "@" + frame["found_half_shifted_year"].astype("str")
                                       ).where(cell.notna(), None)
    ids = pd.Series([f"{name}-{i}" for i in range(len(rows))], dtype="str")
    return LinkInput(name, frame, ids, pd.Series([None] * len(rows), dtype="object"))


def _cell(rows: pd.DataFrame, degrees: float) -> pd.Series:
    """The grid cell of each record's coordinates ("lat:lon" of its corner), null without them."""
    known = rows["lat"].notna() & rows["lon"].notna()
    lat = np.floor(rows["lat"].fillna(0).to_numpy() / degrees).astype(int).astype(str)
    lon = np.floor(rows["lon"].fillna(0).to_numpy() / degrees).astype(int).astype(str)
    return pd.Series(np.char.add(np.char.add(lat, ":"), lon), dtype="object").where(known.to_numpy(), None)


def lists(n: int, seed: int = SEED) -> tuple[LinkInput, LinkInput, set[tuple[int, int]]]:
    """Two lists of `n` records; SHARED of each are the same persons. Returns both inputs and
    the true pairs (unique_id_l, unique_id_r)."""
    rng = np.random.default_rng(seed)
    shared = int(n * SHARED)
    left_people = persons(rng, n)
    right_people = pd.concat([noisy_copy(rng, left_people.iloc[:shared]),
                              persons(rng, n - shared)], ignore_index=True)
    order = rng.permutation(n)  # the right list in another order: row numbers tell nothing
    right_people = right_people.iloc[order].reset_index(drop=True)
    where_r = np.empty(n, dtype=int)
    where_r[order] = np.arange(n)
    truth = {(i, int(where_r[i])) for i in range(shared)}
    left = link_input(BENCH_PAIRING.left.source, left_people, ranges=False, rng=rng)
    right = link_input(BENCH_PAIRING.right.source, right_people, ranges=True, rng=rng)
    return left, right, truth


def quality(chosen: pd.DataFrame, truth: set[tuple[int, int]]) -> dict:
    """Precision and recall of the links against the generated truth."""
    got = set(zip(chosen["unique_id_l"].astype(int), chosen["unique_id_r"].astype(int)))
    tp = len(got & truth)
    return {"links": len(got), "true_pairs": len(truth), "true_positives": tp,
            "precision": round(tp / len(got), 4) if got else None,
            "recall": round(tp / len(truth), 4) if truth else None}


def block_sizes(left: LinkInput, right: LinkInput, blocking: tuple[str, ...]) -> dict[str, int]:
    """Pairs each blocking rule generates on its own (a pair two rules share is scored once,
    so their sum is an upper bound of the comparisons Splink scores)."""
    sizes = {}
    for column in blocking:
        counts_l = left.frame[column].dropna().value_counts()
        counts_r = right.frame[column].dropna().value_counts()
        sizes[column] = int((counts_l * counts_r.reindex(counts_l.index, fill_value=0)).sum())
    return sizes
