"""`crimes_stats` and `prosecutions_stats`: tidy statistics with `all` margins.

Aggregate sources (GLOTIP, FBI, StatCan, SESNSP) publish cells, not people. Their cells are
summed by key (sub-forms collapsed under one label are added, never de-duplicated), then every
dimension is reconciled with its margin, following invariant 1 of the data model:

- the source's own total is the `all` row; where the source has none, it is the sum of the parts;
- parts short of the total: the shortfall is published under the dimension's unknown category;
- parts above the total: the total stays, and the excess is listed in `source_inconsistencies`;
- withheld parts (GLOTIP "<5", bounds [0, 4]): the bounds of the parts must contain the total.

A dimension a source does not record is published once per grand total as `not_recorded`,
so coverage can be read off the table. Person-level sources (NGO logs) are grouped like the
person-level deaths sources, over declared crossings.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd

UNKNOWN_OF = {"sex": "unknown", "gender_identity": "unknown", "age_group": "unknown",
              "nationality": "UNKNOWN", "race_ethnicity": "unknown", "country_iso3": "UNKNOWN",
              "crime_type": "unknown", "offence": "unknown", "sgbv": "unknown",
              "bias_motivation": "unknown", "perpetrator": "unknown"}
NOT_RECORDED_OF = {"sex": "not_recorded", "gender_identity": "not_recorded",
                   "age_group": "not_recorded", "nationality": "NOT_RECORDED",
                   "race_ethnicity": "not_recorded", "perpetrator": "not_recorded"}

STREAMS = {
    "crimes": {
        "fixed": ("source", "snapshot", "year", "year_basis", "unit", "subject"),
        "dims": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                 "country_iso3", "crime_type", "sgbv", "bias_motivation", "perpetrator"),
        "crossings": (("crime_type", "sex", "nationality"), ("sgbv", "sex", "nationality"),
                      ("sgbv", "age_group"), ("crime_type", "race_ethnicity"),
                      ("sex", "gender_identity"), ("perpetrator", "crime_type"),
                      ("country_iso3", "crime_type"), ("bias_motivation", "country_iso3")),
    },
    "prosecutions": {
        "fixed": ("source", "snapshot", "year", "year_basis", "unit", "subject", "stage"),
        "dims": ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                 "country_iso3", "offence", "sgbv"),
        "crossings": (("offence", "sex", "nationality"), ("sgbv", "sex", "nationality"),
                      ("sgbv", "age_group"), ("country_iso3", "offence")),
    },
}


def _collapse(cells: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum cells sharing every key: a withheld part makes the sum withheld, bounds add up."""
    grouped = cells.groupby(keys, dropna=False, sort=False)
    out = grouped.agg(value_min=("value_min", "sum"), value_max=("value_max", "sum"),
                      withheld=("value", lambda v: bool(v.isna().any())),
                      source_suppressed=("source_suppressed", "any"),
                      value=("value", "sum")).reset_index()
    out["value"] = out["value"].astype("Int64").mask(out.pop("withheld"))
    return out


def _bounds(cells: pd.DataFrame) -> pd.DataFrame:
    """value_min / value_max filled from value where the value is exact."""
    cells = cells.copy()
    cells["value_min"] = cells["value_min"].fillna(cells["value"]).astype("Int64")
    cells["value_max"] = cells["value_max"].fillna(cells["value"]).astype("Int64")
    return cells


def reconcile_dimension(cells: pd.DataFrame, keys: list[str], dim: str) -> tuple[pd.DataFrame, list[dict]]:
    """Make the parts of `dim` agree with their margin; returns cells and inconsistencies."""
    others = [k for k in keys if k != dim]
    parts = cells[cells[dim] != "all"]
    if parts.empty:
        return cells, []
    sums = parts.groupby(others, dropna=False, sort=False).agg(
        parts_min=("value_min", "sum"), parts_max=("value_max", "sum")).reset_index()
    margins = cells[cells[dim] == "all"][others + ["value", "value_min", "value_max"]]
    joined = sums.merge(margins, on=others, how="left")
    missing = joined["value_min"].isna()
    new_margins = joined[missing].assign(**{dim: "all"})
    new_margins = new_margins.assign(value_min=new_margins["parts_min"], value_max=new_margins["parts_max"],
                                     value=new_margins["parts_min"].where(
                                         new_margins["parts_min"] == new_margins["parts_max"]),
                                     source_suppressed=False)
    known = joined[~missing]
    shortfall = known[known["parts_max"] < known["value_min"]]
    excess = known[known["parts_min"] > known["value_max"]]
    fill = shortfall.assign(**{dim: UNKNOWN_OF[dim]})
    fill = fill.assign(value_min=(fill["value_min"] - fill["parts_max"]).clip(lower=0),
                       value_max=(fill["value_max"] - fill["parts_min"]).clip(lower=0),
                       source_suppressed=False)
    fill = fill.assign(value=fill["value_min"].where(fill["value_min"] == fill["value_max"]))
    columns = keys + ["value", "value_min", "value_max", "source_suppressed"]
    added = pd.concat([new_margins[columns], fill[columns]], ignore_index=True)
    if len(added):
        cells = _collapse(pd.concat([cells[columns], added], ignore_index=True), keys)
    problems = [{"dimension": dim, "keys": {k: r[k] for k in others}, "published_total": r["value"],
                 "parts_min": int(r["parts_min"]), "parts_max": int(r["parts_max"]),
                 "excess": int(r["parts_min"] - r["value_max"])} for _, r in excess.iterrows()]
    return cells, problems


def aggregate_stats(records: pd.DataFrame, stream: str) -> tuple[pd.DataFrame, list[dict]]:
    """Statistics of aggregate-source records: summed cells, reconciled margins, and the
    not_recorded rows of dimensions the source never splits."""
    spec = STREAMS[stream]
    keys = list(spec["fixed"] + spec["dims"])
    cells = _bounds(_collapse(_bounds(records), keys))
    # A cell filled in one dimension may need its margins in another: repeat until stable.
    for _ in range(4):
        before = len(cells)
        problems: list[dict] = []
        for dim in spec["dims"]:
            cells, found = reconcile_dimension(cells, keys, dim)
            problems += found
        if len(cells) == before:
            break
    grand = cells[(cells[list(spec["dims"])] == "all").all(axis=1)]
    extra = []
    for dim, code in NOT_RECORDED_OF.items():
        if dim not in spec["dims"]:
            continue
        recorded = set(cells.loc[cells[dim] != "all", "source"])
        rows = grand[~grand["source"].isin(recorded)]
        if len(rows):
            extra.append(rows.assign(**{dim: code}))
    if extra:
        cells = pd.concat([cells] + extra, ignore_index=True)
    return cells, problems


def grouping_sets(stream: str) -> list[tuple[str, ...]]:
    """(), each dimension alone, the declared crossings and their subsets."""
    dims = STREAMS[stream]["dims"]
    sets = {()} | {(d,) for d in dims}
    for crossing in STREAMS[stream]["crossings"]:
        for size in range(1, len(crossing) + 1):
            sets |= {tuple(sorted(c)) for c in combinations(crossing, size)}
    return sorted(sets, key=lambda s: (len(s), s))


def person_stats(records: pd.DataFrame, stream: str) -> pd.DataFrame:
    """Statistics of person-level records (each a count of 1) over the declared groupings."""
    spec = STREAMS[stream]
    fixed, dims = list(spec["fixed"]), list(spec["dims"])
    frames = []
    for gset in grouping_sets(stream):
        grouped = records.groupby(fixed + list(gset), dropna=False, sort=False)["value"].sum()
        frame = grouped.reset_index()
        for dim in dims:
            if dim not in gset:
                frame[dim] = "all"
        frames.append(frame)
    cells = pd.concat(frames, ignore_index=True)
    cells["value"] = cells["value"].astype("Int64")
    return cells.assign(value_min=cells["value"], value_max=cells["value"], source_suppressed=False)


def case_stats(records: pd.DataFrame, stream: str, person_level: dict[str, bool],
               snapshot_info: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(statistics table, source inconsistencies) of one stream over all its sources."""
    spec = STREAMS[stream]
    if records.empty:
        return pd.DataFrame(), pd.DataFrame()
    is_person = records["source"].map(person_level).fillna(False).astype(bool)
    parts, problems = [], []
    if is_person.any():
        parts.append(person_stats(records[is_person], stream))
    if (~is_person).any():
        cells, found = aggregate_stats(records[~is_person], stream)
        parts.append(cells)
        problems = found
    stats = pd.concat(parts, ignore_index=True)
    info = snapshot_info[["source", "snapshot", "is_latest", "period_end"]]
    stats = stats.merge(info, on=["source", "snapshot"], how="left")
    end = pd.to_datetime(stats.pop("period_end"), errors="coerce")
    year = stats["year"].astype("int64")
    stats["partial_year"] = (end.notna() & (year >= end.dt.year) &
                             ((end.dt.month < 12) | (end.dt.day < 31))).fillna(False).astype(bool)
    stats["is_latest"] = stats["is_latest"].fillna(False).astype(bool)
    stats["suppressed"] = False
    stats["source_suppressed"] = stats["source_suppressed"].astype(bool)
    order = (["source", "snapshot", "is_latest", "year", "year_basis", "partial_year", "unit",
              "subject"] + (["stage"] if stream == "prosecutions" else []) + list(spec["dims"])
             + ["value", "value_min", "value_max", "suppressed", "source_suppressed"])
    stats = stats[order].sort_values(order[:-5], ignore_index=True)
    return stats, _inconsistency_frame(problems, stream)


def _inconsistency_frame(problems: list[dict], stream: str) -> pd.DataFrame:
    rows = []
    for p in problems:
        keys = p["keys"]
        cell = "; ".join(f"{k}={v}" for k, v in keys.items()
                         if k not in ("source", "snapshot", "year") and v != "all")
        rows.append({"table": f"{stream}_stats", "source": keys["source"], "snapshot": keys["snapshot"],
                     "year": keys["year"], "cell": cell, "dimension": p["dimension"],
                     "published_total": p["published_total"], "parts_min": p["parts_min"],
                     "parts_max": p["parts_max"], "excess": p["excess"]})
    columns = ["table", "source", "snapshot", "year", "cell", "dimension", "published_total",
               "parts_min", "parts_max", "excess"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"year": "Int32", "published_total": "Int64", "parts_min": "Int64",
                         "parts_max": "Int64", "excess": "Int64"}) if len(frame) else frame

