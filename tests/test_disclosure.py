"""Disclosure control: attack the protected tables with a solver and fail on any narrow interval.

The attacker here is written independently of pipelines/publish/disclosure.py: from the
published rows alone it rebuilds every margin equation (and the public crime type -> SGBV map,
and "bias motivation is not_applicable outside hate crime"), fixes the published cells and asks
HiGHS (highspy, checked against scipy's linprog) for the smallest and largest value of each suppressed
cell with counts >= 0 (the issue's attacker); for a small cell (1-4) the largest value also with
counts >= 1 for every row present (person-level tables have rows only for non-zero counts, so a
row's presence says its count is at least 1; the lower bound this gives cannot be protected by
suppression and is a documented limit). Across two releases it also links each cell of one release
to the same cell of the other by the sign of its true change (equal if unchanged), which covers
both "unchanged cells are known" and "the log is append-only" attackers.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from pipelines.publish.disclosure import (REPORT_COLUMNS, protect, published_groupings,
                                          suppression_summary, with_hidden_values)
from pipelines.stats.cases import STREAMS, person_stats

NGO = "ngo_incidents"
P = 2  # protection
SGBV = (pd.read_csv("pipelines/harmonize/maps/crime_types_ngo_incidents.csv", comment="#", dtype=str)
        [["crime_type", "sgbv"]].drop_duplicates().set_index("crime_type")["sgbv"].to_dict())
TIMINGS: dict[str, float] = {}


# --- synthetic person-level records --------------------------------------------------------------

def ngo_records(n: int, years: list[int], seed: int, stream: str = "crimes", first_id: int = 0,
                nationalities: int = 18) -> pd.DataFrame:
    """Skewed NGO-like victim records (one person a row), so that many cells are small."""
    rng = np.random.default_rng(seed)

    def pick(cats, weights):
        w = np.asarray(weights, dtype=float)
        return rng.choice(np.asarray(cats, dtype=object), size=n, p=w / w.sum())

    nats = ["HND", "GTM", "SLV", "VEN", "MEX", "HTI", "CUB", "NIC", "COL", "ECU", "UNKNOWN", "BRA",
            "PER", "CMR", "IND", "CHN", "MULTIPLE", "AFG", "SEN", "BGD"][:nationalities]
    crimes = ["extortion", "robbery", "kidnapping", "assault", "rape", "sexual_assault_other",
              "abuse_of_authority", "trafficking_sexual_exploitation", "homicide", "disappearance",
              "threats", "hate_crime", "femicide", "unknown"]
    sex = pick(["female", "male", "other", "unknown"], [52, 42, 1, 5])
    gender = np.where(sex == "female", "woman", np.where(sex == "male", "man", "unknown")).astype(object)
    flip = rng.random(n) < 0.04
    gender[flip] = pick(["transgender_or_gender_diverse", "unknown"], [3, 1])[flip]
    crime = pick(crimes, [30, 20, 12, 10, 6, 4, 5, 2, 2, 2, 3, 1, 1, 2])
    frame = pd.DataFrame({
        "source": NGO, "snapshot": "2025-01-15", "year": pick(years, np.linspace(1, 2, len(years))),
        "year_basis": "incident", "unit": "persons", "subject": "victim", "population": "migrants",
        "sex": sex, "gender_identity": gender,
        "age_group": pick(["adult", "child", "unknown"], [76, 19, 5]),
        "nationality": pick(nats, 1 / np.arange(1, len(nats) + 1) ** 1.3),
        "race_ethnicity": pick(["unknown", "indigenous", "black_afrodescendant", "multiple"], [80, 12, 7, 1]),
        "country_iso3": pick(["MEX", "USA", "GTM", "UNKNOWN"], [70, 20, 7, 3]),
        "crime_type": crime, "sgbv": [SGBV[c] for c in crime],
        "bias_motivation": np.where(crime == "hate_crime", "unknown", "not_applicable"),
        "perpetrator": pick(["organised_crime", "common_criminal", "state_agent", "smuggler", "unknown"],
                            [30, 30, 15, 10, 15]),
        "value": 1,
    })
    frame["record_id"] = [f"r{first_id + i}" for i in range(n)]
    if stream == "prosecutions":
        frame = frame.rename(columns={"crime_type": "offence"}).drop(columns=["bias_motivation", "perpetrator"])
        frame["stage"] = pick(["reported", "prosecuted", "convicted", "pending"], [50, 25, 10, 15])
    return frame.astype({"year": "Int32"})


def stats_of(records: pd.DataFrame, stream: str = "crimes") -> pd.DataFrame:
    stats = person_stats(records, stream)
    return stats.assign(is_latest=True, partial_year=False, suppressed=False)


def public_rows() -> pd.DataFrame:
    """Rows of sources that publish their own figures: small values, a withheld GLOTIP '<5'."""
    dims = STREAMS["crimes"]["dims"]
    base = {"snapshot": "2025-04-14", "year": 2023, "year_basis": "reported", "unit": "persons",
            "subject": "victim", "population": "general", "breakdown": "all",
            **{d: "all" for d in dims}, "is_latest": True, "partial_year": False,
            "suppressed": False}
    rows = [
        {**base, "source": "unodc_glotip", "value": 7, "value_min": 7, "value_max": 7, "source_suppressed": False},
        {**base, "source": "unodc_glotip", "sex": "female", "value": 3, "value_min": 3, "value_max": 3,
         "source_suppressed": False},
        {**base, "source": "unodc_glotip", "sex": "male", "value": None, "value_min": 0, "value_max": 4,
         "source_suppressed": True},
        {**base, "source": "unodc_glotip", "sex": "female", "nationality": "HND", "crime_type": "rape",
         "value": 1, "value_min": 1, "value_max": 1, "source_suppressed": False},
    ]
    return pd.DataFrame(rows).astype({"value": "Int64", "value_min": "Int64", "value_max": "Int64",
                                      "year": "Int32"})


# --- the independent attacker ------------------------------------------------------------------------

def _grouping(key, dims):
    return frozenset(d for d, v in zip(dims, key) if v != "all")


def system(keys: list[tuple], dims: tuple[str, ...]) -> list[dict[int, float]]:
    """Every linear equation an attacker knows among the cells of one published block."""
    pos = {d: i for i, d in enumerate(dims)}
    index = {k: i for i, k in enumerate(keys)}
    present = {_grouping(k, dims) for k in keys}
    sums = defaultdict(list)
    for i, k in enumerate(keys):
        for d in _grouping(k, dims):
            m = index.get(k[:pos[d]] + ("all",) + k[pos[d] + 1:])
            if m is not None:
                sums[(m, d)].append(i)
    eqs = [{m: 1.0, **{i: -1.0 for i in parts}} for (m, _), parts in sums.items()]
    fine = "crime_type" if "crime_type" in pos else "offence"
    nests = [("sgbv", lambda v: v, lambda v: SGBV[v])]
    if "bias_motivation" in pos:
        nests.append(("bias_motivation", lambda v: v == "not_applicable", lambda v: v != "hate_crime"))
    for coarse, cg, fg in nests:
        sides = defaultdict(dict)
        for i, k in enumerate(keys):
            g = _grouping(k, dims)
            if coarse in g and fine not in g:
                rest, group, sign = g - {coarse}, cg(k[pos[coarse]]), 1.0
            elif fine in g and coarse not in g:
                rest, group, sign = g - {fine}, fg(k[pos[fine]]), -1.0
            else:
                continue
            if rest | {coarse} in present and rest | {fine} in present:
                base = list(k)
                base[pos[coarse]] = base[pos[fine]] = "all"
                sides[(tuple(base), group)][i] = sign
        eqs += list(sides.values())
    return eqs


def attack(blocks: list[pd.DataFrame], truths: list[dict], dims, links: str = "sign",
           grid: bool = False) -> list[dict]:
    """Intervals of every suppressed cell of these blocks (published rows only), attacked jointly.

    `truths[b]` maps a block's cell key to its true count (for the requirement and the links).
    links "sign": each cell is linked to the same cell of the next block by the sign of its true
    change; "published": only cells published in the earlier block and unchanged are linked.
    `grid`: the blocks list every category, zeros included (the public tier's full grid), so a
    row's presence says nothing and every count 0-4 is sensitive."""
    keys, values, hidden, owner = [], [], [], []
    eqs = []
    for b, block in enumerate(blocks):
        ks = [tuple(r) for r in block[list(dims)].astype(str).to_numpy()]
        off = len(keys)
        eqs += [{off + i: c for i, c in e.items()} for e in system(ks, dims)]
        keys += ks
        values += [np.nan if s else float(v) for s, v in zip(block["suppressed"], block["value"])]
        hidden += [bool(s) for s in block["suppressed"]]
        owner += [b] * len(ks)
    truth = np.array([truths[o][k] for o, k in zip(owner, keys)], dtype=float)
    ineqs = []
    anchored = np.zeros(len(keys), dtype=bool)  # published before, changed by less than P since
    if len(blocks) > 1:
        where = defaultdict(list)
        for i, (o, k) in enumerate(zip(owner, keys)):
            where[k].append(i)
        for k, cells in where.items():
            for a, b in zip(cells, cells[1:]):  # blocks in release order
                anchored[b] = not hidden[a] and abs(truth[b] - truth[a]) < P
                if links == "published" and (hidden[a] or truth[b] != truth[a]):
                    continue
                if truth[b] == truth[a]:
                    eqs.append({b: 1.0, a: -1.0})
                else:
                    sign = 1.0 if truth[b] > truth[a] else -1.0
                    ineqs.append({a: sign, b: -sign})  # sign * (x_a - x_b) <= 0
    var = [i for i, h in enumerate(hidden) if h]
    col = {c: j for j, c in enumerate(var)}

    def matrix(rows):
        r, c, v, rhs = [], [], [], []
        for e in rows:
            const = sum(coef * values[i] for i, coef in e.items() if i not in col)
            terms = [(col[i], coef) for i, coef in e.items() if i in col]
            if not terms:
                assert abs(const) < 1e-6 or rows is ineqs and const <= 1e-6, "published cells contradict"
                continue
            for j, coef in terms:
                r.append(len(rhs))
                c.append(j)
                v.append(coef)
            rhs.append(-const)
        return (csr_matrix((v, (r, c)), shape=(len(rhs), len(var))), np.array(rhs)) if rhs else (None, None)

    (a_eq, b_eq), (a_ub, b_ub) = matrix(eqs), matrix(ineqs)
    solver = Extremes(a_eq, b_eq, a_ub, b_ub, len(var))
    small = [j for j, i in enumerate(var) if 1 <= truth[i] <= 4 and not grid]
    large = sorted(set(range(len(var))) - set(small))
    los = solver.bounds(range(len(var)), low=0.0, maximise=False)
    his = dict(zip(small, solver.bounds(small, low=1.0, maximise=True)))
    his.update(zip(large, solver.bounds(large, low=0.0, maximise=True)))
    for j in list(range(len(var)))[:: max(1, len(var) // 8)]:  # the fast path agrees with linprog
        assert abs(solver.linprog(j, 0.0, False) - los[j]) < 1e-6
        assert solver.linprog(j, 1.0 if j in small else 0.0, True) == pytest.approx(his[j], abs=1e-6)
    out = []
    for j, i in enumerate(var):
        v = truth[i]
        lo, hi = los[j], his[j]
        out.append({"block": owner[i], "cell": keys[i], "value": v, "lo": lo, "hi": hi,
                    "anchored": bool(anchored[i]),
                    "ok": lo <= max(0, v - P) + 1e-6 and hi >= v + P - 1e-6})
    return out


class Extremes:
    """min / max of each variable over {A_eq x = b_eq, A_ub x <= b_ub, x >= low}: scipy's HiGHS
    model kept warm across objectives (linprog rebuilds it each time: ten times slower)."""

    def __init__(self, a_eq, b_eq, a_ub, b_ub, n):
        self.args, self.n = (a_eq, b_eq, a_ub, b_ub), n
        rows = [m for m in (a_eq, a_ub) if m is not None]
        self.h = None
        if rows and n:
            import highspy as _core
            from scipy.sparse import vstack
            a = vstack(rows).tocsc()
            inf = _core.kHighsInf
            lp = _core.HighsLp()
            lp.num_col_, lp.num_row_ = n, a.shape[0]
            lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.zeros(n), np.zeros(n), np.full(n, inf)
            lower = np.concatenate(([b_eq] if a_eq is not None else []) +
                                   ([np.full(len(b_ub), -inf)] if a_ub is not None else []))
            upper = np.concatenate(([b_eq] if a_eq is not None else []) + ([b_ub] if a_ub is not None else []))
            lp.row_lower_, lp.row_upper_ = lower, upper
            lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
            lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
            lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, a.shape[0]
            self.core, self.h = _core, _core.Highs()
            self.h.setOptionValue("output_flag", False)
            self.h.passModel(lp)

    def bounds(self, cols, low, maximise):
        if self.h is None:
            return [self.linprog(j, low, maximise) for j in cols]
        core, h = self.core, self.h
        h.changeColsBounds(self.n, np.arange(self.n, dtype=np.int32), np.full(self.n, low),
                           np.full(self.n, core.kHighsInf))
        h.changeObjectiveSense(core.ObjSense.kMaximize if maximise else core.ObjSense.kMinimize)
        out = []
        for j in cols:
            h.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), np.eye(1, self.n, j).ravel())
            h.run()
            status = h.getModelStatus()
            if status == core.HighsModelStatus.kUnbounded:
                out.append(np.inf if maximise else -np.inf)
            elif status == core.HighsModelStatus.kOptimal:
                out.append(h.getInfo().objective_function_value)
            else:  # a warm start HiGHS gave up on (status unknown): solve it afresh
                out.append(self.linprog(j, low, maximise))
        return out

    def linprog(self, j, low, maximise):
        a_eq, b_eq, a_ub, b_ub = self.args
        c = np.zeros(self.n)
        c[j] = -1.0 if maximise else 1.0
        res = linprog(c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(low, None), method="highs")
        assert res.status in (0, 3), res.message
        if res.status == 3:
            return np.inf if maximise else -np.inf
        return -res.fun if maximise else res.fun


def truth_of(exact: pd.DataFrame, dims) -> dict:
    return dict(zip([tuple(r) for r in exact[list(dims)].astype(str).to_numpy()], exact["value"].astype(float)))


def blocks_of(frame: pd.DataFrame, stream: str):
    fixed = list(STREAMS[stream]["fixed"])
    return {k: g for k, g in frame[frame["source"] == NGO].groupby(fixed, dropna=False, sort=True)}


def assert_protected(protected: pd.DataFrame, exact: pd.DataFrame, stream: str = "crimes") -> int:
    """Attack every block of the confidential source; returns the number of cells attacked."""
    dims = STREAMS[stream]["dims"]
    exact_blocks = blocks_of(exact, stream)
    failures, attacked = [], 0
    for key, block in blocks_of(protected, stream).items():
        results = attack([block], [truth_of(exact_blocks[key], dims)], dims)
        attacked += len(results)
        failures += [(key, r) for r in results if not r["ok"]]
    assert not failures, f"{len(failures)} suppressed cells narrowed: {failures[:3]}"
    return attacked


def assert_table_rules(protected: pd.DataFrame, exact: pd.DataFrame, stream: str = "crimes") -> None:
    dims = list(STREAMS[stream]["dims"])
    ngo = protected[protected["source"] == NGO]
    hidden = ngo[ngo["suppressed"]]
    assert hidden["value"].isna().all() and hidden["value_min"].isna().all() and hidden["value_max"].isna().all()
    assert ngo.loc[~ngo["suppressed"], "value"].notna().all()
    allowed = published_groupings(stream)
    groupings = {frozenset(d for d in dims if r[d] != "all") for _, r in ngo[dims].iterrows()}
    assert groupings <= allowed, groupings - allowed
    # every small cell that is published at all is suppressed
    merged = ngo.merge(exact[exact["source"] == NGO], on=list(STREAMS[stream]["fixed"]) + dims,
                       suffixes=("", "_exact"))
    assert len(merged) == len(ngo)
    small = merged["value_exact"].between(1, 4)
    assert merged.loc[small, "suppressed"].all()
    # published values are the exact ones
    shown = ~merged["suppressed"]
    assert (merged.loc[shown, "value"] == merged.loc[shown, "value_exact"]).all()


def assert_others_unchanged(protected: pd.DataFrame, stats: pd.DataFrame) -> None:
    def norm(f):
        f = f[f["source"] != NGO]
        return f[sorted(f.columns)].sort_values(sorted(f.columns), ignore_index=True)
    pd.testing.assert_frame_equal(norm(protected), norm(stats))


# --- (a) a small hand-built table ----------------------------------------------------------------------

def hand_records() -> pd.DataFrame:
    """2023: 40 victims, mostly Honduran and Guatemalan women (extortion, robbery), a few small
    groups (two Venezuelan men, one Cuban woman raped, one Haitian 'other'); 2024: 9 victims."""
    rows = ([("female", "HND", "extortion")] * 12 + [("female", "HND", "robbery")] * 6
            + [("male", "HND", "extortion")] * 7 + [("female", "GTM", "extortion")] * 5
            + [("male", "GTM", "robbery")] * 5 + [("male", "VEN", "extortion")] * 2
            + [("female", "CUB", "rape")] + [("other", "HTI", "robbery")] + [("female", "HND", "rape")])
    frames = []
    for year, picked in ((2023, rows), (2024, rows[:5] + rows[30:34])):
        n = len(picked)
        crime = [c for _, _, c in picked]
        frames.append(pd.DataFrame({
            "source": NGO, "snapshot": "2025-01-15", "year": year, "year_basis": "incident", "unit": "persons",
            "subject": "victim", "population": "migrants", "sex": [s for s, _, _ in picked],
            "gender_identity": ["woman" if s == "female" else "man" if s == "male" else "unknown" for s, _, _ in picked],
            "age_group": ["child" if i % 9 == 0 else "adult" for i in range(n)],
            "nationality": [x for _, x, _ in picked], "race_ethnicity": "unknown",
            "country_iso3": ["MEX" if i % 4 else "USA" for i in range(n)], "crime_type": crime,
            "sgbv": [SGBV[c] for c in crime], "bias_motivation": "not_applicable",
            "perpetrator": ["organised_crime" if i % 3 else "state_agent" for i in range(n)], "value": 1}))
    return pd.concat(frames, ignore_index=True).astype({"year": "Int32"})


def test_hand_built_table_is_protected():
    exact = pd.concat([stats_of(hand_records()), public_rows()], ignore_index=True)
    protected, report = protect(exact, "crimes", {NGO})
    assert_others_unchanged(protected, exact)
    assert_table_rules(protected, exact)
    assert assert_protected(protected, exact) > 0
    # the three-way crossings (sex x nationality x crime type, ...) are not published
    dims = list(STREAMS["crimes"]["dims"])
    ngo = exact[exact["source"] == NGO]
    allowed = published_groupings("crimes")
    not_published = sum(frozenset(d for d in dims if r[d] != "all") not in allowed for _, r in ngo[dims].iterrows())
    assert not_published > 0
    assert (report["reason"] == "not_published_grouping").sum() == not_published
    # the one Cuban woman: suppressed, and some complementary cell hides her from the margins
    cub = protected[(protected["source"] == NGO) & (protected["year"] == 2023)
                    & (protected["nationality"] == "CUB") & (protected["sex"] == "all")]
    assert cub["suppressed"].all()
    assert (report["reason"] == "complementary").any()
    # the report: catalog schema, hidden counts add up to what the suppressed cells held
    assert list(report.columns) == list(REPORT_COLUMNS)
    hidden = report[report["reason"] != "not_published_grouping"]
    assert len(hidden) == protected["suppressed"].sum()
    assert hidden["protected"].all()
    summary = suppression_summary(protected, report, "crimes")
    assert summary["count_hidden"].sum() == hidden["value"].sum() > 0
    assert summary["cells_published"].sum() == (~protected.loc[protected["source"] == NGO, "suppressed"]).sum()


def test_prosecution_stages_are_protected():
    exact = stats_of(ngo_records(300, [2023, 2024], seed=7, stream="prosecutions"), "prosecutions")
    protected, report = protect(exact, "prosecutions", {NGO})
    assert_table_rules(protected, exact, "prosecutions")
    assert assert_protected(protected, exact, "prosecutions") > 0
    assert set(protected["stage"]) == set(exact["stage"])


def test_nothing_to_protect_passes_through():
    exact = public_rows()
    protected, report = protect(exact, "crimes", {NGO})
    pd.testing.assert_frame_equal(protected, exact)
    assert report.empty and list(report.columns) == list(REPORT_COLUMNS)


# --- (b) a randomised larger table -------------------------------------------------------------------

def test_randomised_table_is_protected():
    exact = pd.concat([stats_of(ngo_records(3000, [2021, 2022, 2023, 2024], seed=2025)), public_rows()],
                      ignore_index=True)
    start = time.perf_counter()
    protected, report = protect(exact, "crimes", {NGO})
    TIMINGS["randomised_protect_s"] = time.perf_counter() - start
    print(f"\nprotect() on {len(exact)} rows (3000 records, 4 years): {TIMINGS['randomised_protect_s']:.2f} s")
    assert_others_unchanged(protected, exact)
    assert_table_rules(protected, exact)
    attacked = assert_protected(protected, exact)
    counts = report["reason"].value_counts()
    print(f"cells attacked: {attacked}; report: {counts.to_dict()}")
    assert counts.get("primary", 0) > 50 and counts.get("complementary", 0) > 0


# --- (c) two consecutive releases ----------------------------------------------------------------------

def _release_pair(n: int, added: int, seed: int):
    years = [2022, 2023, 2024]
    first = ngo_records(n, years, seed=seed)
    extra = ngo_records(added, [2023], seed=seed + 1, first_id=n).assign(snapshot="2025-04-15")
    second = pd.concat([first.assign(snapshot="2025-04-15"), extra], ignore_index=True)
    return stats_of(first), stats_of(second)


def assert_releases_protected(one: pd.DataFrame, exact_one: pd.DataFrame, two: pd.DataFrame,
                              exact_two: pd.DataFrame, links: str = "sign", check_first: bool = True) -> int:
    """Attack each year of release two together with the same year of release one.

    One exception, by construction: a complementary cell (not small itself) whose old value was
    published and changed by less than P cannot have a wide interval (its old value bounds
    it); it is hidden only so that the few new records behind a small cell cannot be derived."""
    dims = STREAMS["crimes"]["dims"]
    by_year = lambda f: {k[2]: g for k, g in blocks_of(f, "crimes").items()}  # noqa: E731
    p1, p2, e1, e2 = by_year(one), by_year(two), by_year(exact_one), by_year(exact_two)
    failures, attacked = [], 0
    for year in p2:
        results = attack([p1[year], p2[year]], [truth_of(e1[year], dims), truth_of(e2[year], dims)], dims,
                         links=links)
        attacked += len(results)
        failures += [(year, r) for r in results if not r["ok"] and (check_first or r["block"] == 1)
                     and not (r["anchored"] and r["value"] > 4)]
    assert not failures, f"{len(failures)} suppressed cells narrowed across releases: {failures[:3]}"
    return attacked


def test_two_releases_resist_subtraction():
    exact_one, exact_two = _release_pair(900, 4, seed=11)
    one, _ = protect(exact_one, "crimes", {NGO})
    previous = with_hidden_values(one, exact_one, "crimes")
    two, report = protect(exact_two, "crimes", {NGO}, previous=previous)
    assert_table_rules(two, exact_two)
    assert assert_protected(two, exact_two) > 0
    assert assert_releases_protected(one, exact_one, two, exact_two) > 0
    # unchanged years keep their pattern; a cell suppressed before and unchanged stays suppressed
    dims = list(STREAMS["crimes"]["dims"])
    keys = ["year"] + dims
    joined = one.merge(two, on=keys, suffixes=("_1", "_2")).merge(
        exact_one[keys + ["value"]].rename(columns={"value": "v1"}), on=keys).merge(
        exact_two[keys + ["value"]].rename(columns={"value": "v2"}), on=keys)
    same = joined["v1"] == joined["v2"]
    assert joined.loc[same & joined["suppressed_1"], "suppressed_2"].all()
    steady = joined[joined["year"] != 2023]
    assert (steady["suppressed_1"] == steady["suppressed_2"]).all()
    assert {"previous_release", "primary"} <= set(report["reason"])


def _four_then_five():
    """Four Venezuelan men in 2023 (a suppressed 4), then one more (a 5 that would be published)."""
    records = hand_records()
    ven = records[(records["year"] == 2023) & (records["nationality"] == "VEN")]
    one = pd.concat([records, ven.assign(record_id=["v1", "v2"])], ignore_index=True)
    two = pd.concat([one, ven.iloc[:1].assign(record_id="v3")], ignore_index=True)
    return stats_of(one), stats_of(two.assign(snapshot="2025-04-15"))


def test_one_added_record_does_not_uncover_a_cell():
    """WONDER-style subtraction: one victim added to a suppressed cell of 4 makes it 5; publishing
    the 5 next to both releases' margins would give the old 4 away (and the new victim's
    attributes). With the previous release as input, it does not."""
    exact_one, exact_two = _four_then_five()
    one, _ = protect(exact_one, "crimes", {NGO})
    others = [d for d in STREAMS["crimes"]["dims"] if d != "nationality"]
    ven = lambda f: f[(f["source"] == NGO) & (f["year"] == 2023) & (f["nationality"] == "VEN")  # noqa: E731
                      & (f[others] == "all").all(axis=1)]
    assert ven(exact_one)["value"].tolist() == [4] and ven(one)["suppressed"].all()
    two, report = protect(exact_two, "crimes", {NGO}, previous=with_hidden_values(one, exact_one, "crimes"))
    assert ven(exact_two)["value"].tolist() == [5] and ven(two)["suppressed"].all()
    assert_releases_protected(one, exact_one, two, exact_two)
    sensitive = report[report["reason"].isin(["primary", "previous_release"])]
    assert sensitive["protected"].all()


def test_the_attack_succeeds_without_the_previous_release():
    """The attacker of these tests has teeth: protect release two on its own, and subtraction
    narrows cells."""
    exact_one, exact_two = _four_then_five()
    one, _ = protect(exact_one, "crimes", {NGO})
    two, _ = protect(exact_two, "crimes", {NGO})
    assert_protected(two, exact_two)  # each release alone is fine
    with pytest.raises(AssertionError, match="narrowed across releases"):
        assert_releases_protected(one, exact_one, two, exact_two)


def test_snapshots_in_one_table_are_protected_together():
    """Both snapshots in one call (a catalog-style table): the later one is protected against the
    earlier one as if they were two releases."""
    exact_one, exact_two = _four_then_five()
    both, _ = protect(pd.concat([exact_one, exact_two], ignore_index=True), "crimes", {NGO})
    one = both[both["snapshot"] == "2025-01-15"]
    two = both[both["snapshot"] == "2025-04-15"]
    pd.testing.assert_frame_equal(one.reset_index(drop=True), protect(exact_one, "crimes", {NGO})[0])
    assert_releases_protected(one, exact_one, two, exact_two)


def test_previous_release_without_hidden_values_keeps_its_pattern():
    """Without the previous release's hidden counts, every cell it suppressed stays suppressed and
    its published cells bind where unchanged (the issue's 'simplest sound rule')."""
    exact_one, exact_two = _release_pair(400, 6, seed=5)
    one, _ = protect(exact_one, "crimes", {NGO})
    two, report = protect(exact_two, "crimes", {NGO}, previous=one)
    dims = list(STREAMS["crimes"]["dims"])
    joined = one.merge(two, on=["year"] + dims, suffixes=("_1", "_2"))
    assert joined.loc[joined["suppressed_1"], "suppressed_2"].all()
    assert_table_rules(two, exact_two)
    assert_releases_protected(one, exact_one, two, exact_two, links="published", check_first=False)
