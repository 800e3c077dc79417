"""Record linkage between death lists with Splink (DuckDB backend): which records of two lists
are the same person. See docs/linkage.md for the method and its measured quality.

This module is the engine: how a list becomes the linker's input, the Splink model, the rules
that turn scored pairs into links, and their evaluation. The pairings themselves (area, the
two lists, compared columns, blocking, what is known of their dependence) are declared in
`pipelines/stats/pairings/`, one module per area. A case number shared by two lists is never
compared: it is kept aside to measure precision and recall (`evaluate`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from pipelines.snapshots import raw_sha256
from pipelines.sources.base import RawTable
from pipelines.sources.registry import SOURCES
from pipelines.stats.link_rules import THRESHOLD, links, oriented
from pipelines.stored import limit_memory

log = logging.getLogger(__name__)

SEED = 17  # u estimated from a seeded random sample: the same links on every run
MAX_PAIRS_FOR_U = 1_000_000
DATE_THRESHOLDS_DAYS = (3, 30)
# m probabilities of the date levels (same day, <= 3, <= 30 days, other), set, not estimated:
# a body is usually reported the day it is found. Unsupervised EM cannot estimate them here
# (sex and county say too little): it settles on "found in the same month" as the matching
# class (docs/linkage.md). EM trains the other comparisons on pairs found the same day.
DATE_M = (0.7, 0.2, 0.08, 0.02)
EVENT_DATE_THRESHOLDS_DAYS = (1, 3, 30)
# The two blocking rules: calendar year found, and the year of the date moved by half a year.
# Two dates within six months of each other share one of the two, so no pair within the
# date comparison's useful range (30 days) is left out, and each block stays one year wide.
BLOCKING_COLUMNS = ("found_year", "found_half_shifted_year")
COMPARED = ("found_date", "sex", "age", "county")
# Every comparison a pairing may declare (the levels `record_links` keeps, null where a
# pairing does not compare one).
ALL_COMPARED = (*COMPARED, "location", "event_date", "dead_and_missing", "country", "place")
# Distance levels (km) of the coordinates: the same point (to 10 m: as written to 4-6
# decimals), within 100 m, near.
LOCATION_KM = (0.01, 0.1, 5)
PLACE_KM = (25, 100, 500)  # the same for incidents at sea (`place`)
# The deterministic rule whose pairs give the prior (the share of pairs that match), taken
# to find 70 % of the true pairs: the same day and sex (lists without sex: their own rule).
PRIOR_ON = ("found_date", "sex")
PRIOR_RECALL = 0.7
EM_ON = (("found_date",),)  # the blocks EM trains over, one pass each
# EM trains on the pairs found the same day: with fewer, no model is trained and nothing linked.
MIN_SAME_DAY_PAIRS = 20
CASE_NUMBER = re.compile(r"^\s*(?:ME/C Case\s*)?(?:ML)?(\d{2})-0*(\d+)\s*$")


class NotLinkable(ValueError):
    """The file's format lacks what a pairing compares or selects by (an older copy): the
    pairing is not linked this run."""


@dataclass(frozen=True)
class LinkInput:
    """One list prepared for linkage: `frame` (unique_id, found_date, found_year,
    found_half_shifted_year, sex, age_low, age_high, county: the compared columns only) and,
    kept apart, each row's source record id and its case number for evaluation (never
    compared)."""

    name: str
    frame: pd.DataFrame
    record_ids: pd.Series
    case_keys: pd.Series
    persons: pd.Series | None = None  # persons each record counts (an incident: several)


def case_key(text: pd.Series) -> pd.Series:
    """The examiner's case number as `YY-N` ("ME/C Case ML12-00345" and "12-00345" are both
    "12-345"), or null for other forms (Maricopa "MC..", "..-UBC..", old "ME 120-81")."""
    parts = text.astype("str").str.extract(CASE_NUMBER)
    key = parts[0] + "-" + parts[1].str.lstrip("0").replace("", "0")
    return key.where(parts[0].notna(), None)


def sex_of(text: pd.Series) -> pd.Series:
    """female / male, else null (undetermined, Unsure, blank: no evidence either way)."""
    sex = text.astype("str").str.strip().str.lower()
    return sex.where(sex.isin(["female", "male"]), None)


def with_dates(frame: pd.DataFrame, dates: pd.Series) -> pd.DataFrame:
    frame["found_date"] = dates.dt.date
    frame["found_year"] = dates.dt.year.astype("Int64")
    frame["found_half_shifted_year"] = (dates + pd.Timedelta(days=183)).dt.year.astype("Int64")
    return frame


def age_of(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.astype("str").str.strip().replace("", None), errors="coerce").astype("Float64")


def coordinates_of(lat: pd.Series, lon: pd.Series) -> tuple[pd.Series, pd.Series]:
    def number(text: pd.Series) -> pd.Series:
        return pd.to_numeric(text.astype("str").str.strip().replace("", None), errors="coerce").astype("Float64")
    return number(lat), number(lon)


def same_day_pairs(left: LinkInput, right: LinkInput) -> int:
    """How many pairs of the two lists were found the same day (what EM trains on)."""
    days_l = left.frame["found_date"].dropna().value_counts()
    days_r = right.frame["found_date"].dropna().value_counts()
    return int((days_l * days_r.reindex(days_l.index, fill_value=0)).sum())


def comparisons() -> dict:
    """Every comparison a pairing may declare, by the column it compares."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def distance(name: str, description: str, km: tuple[float, ...]):
        """Levels of the distance between the coordinates (lat, lon), nearest first."""
        return cl.CustomComparison(
            output_column_name=name, comparison_description=description,
            comparison_levels=[cll.Or(cll.NullLevel("lat"), cll.NullLevel("lon")),
                               *[cll.DistanceInKMLevel("lat", "lon", d) for d in km],
                               cll.ElseLevel()])

    age = cl.CustomComparison(
        output_column_name="age",
        comparison_description="age (OGIS) inside the NamUs age range, ranges overlapping",
        comparison_levels=[
            cll.Or(cll.NullLevel("age_low"), cll.NullLevel("age_high")),
            cll.CustomLevel("age_low_l = age_low_r AND age_high_l = age_high_r",
                            "same age or range"),
            cll.CustomLevel("age_low_l <= age_high_r AND age_low_r <= age_high_l",
                            "ranges overlap"),
            cll.ElseLevel(),
        ])
    return {
        "found_date": cl.AbsoluteDateDifferenceAtThresholds(
            "found_date", input_is_string=False, metrics=["day"] * len(DATE_THRESHOLDS_DAYS),
            thresholds=list(DATE_THRESHOLDS_DAYS)).configure(m_probabilities=list(DATE_M)),
        "sex": cl.ExactMatch("sex"),
        "age": age,
        "county": cl.ExactMatch("county"),
        # The incident date of incident lists (docs/linkage.md, routes to Europe): their dates
        # have different bases (found, incident) and The Migrants' Files' copy of UNITED's
        # entries is mostly a day early, so a day apart is a level of its own; its m is set
        # per pairing (`Pairing.m_set`).
        "event_date": cl.CustomComparison(
            output_column_name="event_date",
            comparison_description="days between the incident dates",
            comparison_levels=[
                cll.NullLevel("found_date"),
                cll.ExactMatchLevel("found_date"),
                *[cll.AbsoluteDateDifferenceLevel("found_date", input_is_string=False, threshold=days,
                                                  metric="day") for days in EVENT_DATE_THRESHOLDS_DAYS],
                cll.ElseLevel(),
            ]),
        "country": cl.ExactMatch("country"),
        # Incident lists: the persons an incident counts, dead and missing together. Lists
        # revise a count (bodies found later, missing by survivors' word), so near counts
        # are a level of their own: within 1 person or a fifth of the larger count.
        "dead_and_missing": cl.CustomComparison(
            output_column_name="dead_and_missing",
            comparison_description="persons dead and missing the incident counts",
            comparison_levels=[
                cll.NullLevel("dead_and_missing"),
                cll.CustomLevel("dead_and_missing_l = dead_and_missing_r", "same count"),
                cll.CustomLevel("abs(dead_and_missing_l - dead_and_missing_r) <= greatest(1, "
                                "0.2 * greatest(dead_and_missing_l, dead_and_missing_r))",
                                "near count"),
                cll.ElseLevel(),
            ]),
        # Coordinates at the scale of a sea crossing: one list geocodes "off Crete" where
        # the other has the rescue's position.
        "place": distance("place", "distance between the coordinates, at sea scale", PLACE_KM),
        "location": distance("location", "distance between the coordinates", LOCATION_KM),
    }


def settings(compared: tuple[str, ...] = COMPARED, blocking: tuple[str, ...] = BLOCKING_COLUMNS,
             m_set: dict[str, tuple[float, ...]] | None = None):
    """The Splink model of a pairing: its comparisons and blocking rules (by default the Pima
    pairing's: four comparisons, two blocking rules); `m_set`: m probabilities a pairing sets
    for a comparison instead of estimating them (one per level, best first, nulls apart)."""
    from splink import SettingsCreator, block_on

    known = comparisons()
    for name, m in (m_set or {}).items():
        known[name] = known[name].configure(m_probabilities=list(m))
    return SettingsCreator(
        link_type="link_only",
        comparisons=[known[c] for c in compared],
        blocking_rules_to_generate_predictions=[block_on(c) for c in blocking],
        retain_intermediate_calculation_columns=True,
    )


def predict(left: LinkInput, right: LinkInput, floor: float = 0.01,
            compared: tuple[str, ...] = COMPARED,
            blocking: tuple[str, ...] = BLOCKING_COLUMNS,
            prior_on: tuple[str, ...] = PRIOR_ON, prior_recall: float = PRIOR_RECALL,
            em_on: tuple[tuple[str, ...], ...] = EM_ON,
            m_set: dict[str, tuple[float, ...]] | None = None) -> pd.DataFrame:
    """Scored pairs with match probability >= `floor`: unique_id_l/_r, match_probability,
    match_weight and the comparison level (gamma_<comparison>) of each compared column.
    Trained without labels: the prior from the pairs agreeing on `prior_on`, u from a seeded
    random sample, m by expectation maximisation."""
    import duckdb

    logging.getLogger("splink").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="harmstats-linkage-") as spill:
        # One DuckDB thread: with several, the seeded sample for u and the sums of EM depend on
        # how the work was split, and two runs on the same files gave match probabilities up to
        # 0.02 apart. A release must be the same on every run. Memory capped as everywhere
        # (HARMSTATS_DUCKDB_MEMORY), spilling to a folder of its own: at a million records a
        # list, DuckDB's own default (80 % of RAM) let the process pass 8 GiB.
        con = limit_memory(duckdb.connect(config={"threads": 1, "temp_directory": spill}))
        try:
            return _trained_and_scored(con, left, right, floor, compared, blocking,
                                       prior_on, prior_recall, em_on, m_set)
        finally:
            con.close()


def _trained_and_scored(con, left: LinkInput, right: LinkInput, floor: float,
                        compared: tuple[str, ...], blocking: tuple[str, ...],
                        prior_on: tuple[str, ...], prior_recall: float,
                        em_on: tuple[tuple[str, ...], ...],
                        m_set: dict[str, tuple[float, ...]] | None) -> pd.DataFrame:
    """`predict` on an open DuckDB connection."""
    from splink import DuckDBAPI, Linker, block_on

    db_api = DuckDBAPI(connection=con)
    # Splink reads the same columns from both lists: a column only one list has is left out.
    common = [c for c in left.frame.columns if c in right.frame.columns]
    linker = Linker([left.frame[common], right.frame[common]], settings(compared, blocking, m_set),
                    db_api=db_api, input_table_aliases=[left.name, right.name],
                    set_up_basic_logging=False)
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*prior_on)], recall=prior_recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=MAX_PAIRS_FOR_U, seed=SEED)
    # EM on the pairs found the same day trains sex, age and county; the date keeps DATE_M.
    # A pairing may train over other blocks instead (a comparison of a block's columns is
    # not trained: it keeps the m it was set), or not at all (every m set: Europe).
    for columns in em_on:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*columns))
    pairs = linker.inference.predict(threshold_match_probability=floor).as_pandas_dataframe()
    keep = ["source_dataset_l", "unique_id_l", "source_dataset_r", "unique_id_r",
            "match_probability", "match_weight", *[f"gamma_{c}" for c in compared]]
    pairs = oriented(pairs[keep], left.name)
    return pairs.sort_values("match_probability", ascending=False, kind="stable").reset_index(drop=True)


def true_pairs(left: LinkInput, right: LinkInput) -> set[tuple[int, int]]:
    """(unique_id_l, unique_id_r) of the pairs sharing the examiner's case number."""
    l = pd.DataFrame({"l": left.frame["unique_id"], "key": left.case_keys}).dropna()
    r = pd.DataFrame({"r": right.frame["unique_id"], "key": right.case_keys}).dropna()
    both = l.merge(r, on="key")
    return set(zip(both["l"].astype(int), both["r"].astype(int)))


# --- the declared pairings -------------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    """One list of a pairing: its source, the first letters of the file of its latest snapshot
    that is linked, how that file becomes a `LinkInput`, and which of its `deaths` records are
    in the pairing's area (SQL over `deaths`, for `deaths_overlap`; None: the records its
    input holds)."""

    source: str
    file_starts: str
    build: Callable[[RawTable], LinkInput]
    area_sql: str | None


@dataclass(frozen=True)
class Pairing:
    """Two lists linked within one area: what is compared, how pairs are blocked, and what is
    known of the lists' dependence (for `deaths_estimates`). `answer_key`: the inputs carry
    a shared case number (never compared) against which precision and recall are measured on
    every run. A new pairing is one more `Pairing` in `pipelines/stats/pairings/`."""

    name: str
    area: str
    left: Side
    right: Side
    compared: tuple[str, ...] = COMPARED
    blocking: tuple[str, ...] = BLOCKING_COLUMNS
    answer_key: bool = False
    # Precision measured by a clerical review of a sample of links: (agreed, reviewed), the
    # review in docs/linkage.md. Used where there is no answer key.
    review: tuple[int, int] | None = None
    # The right list's records are incidents that may count several persons (`many_to_one`).
    incidents_right: bool = False
    # Both lists' records are incidents: links stay unambiguous (one incident to one), and the
    # persons of a link are the smaller of its two counts (what both lists count).
    incidents_both: bool = False
    # The columns of the deterministic rule that gives the prior (`predict`).
    prior_on: tuple[str, ...] = PRIOR_ON
    # The share of true pairs that rule finds, and the blocks EM trains over (`predict`).
    prior_recall: float = PRIOR_RECALL
    em_on: tuple[tuple[str, ...], ...] = EM_ON
    # m probabilities set, not estimated, per comparison (`settings`): e.g. the location's
    # where EM weighs "within 100 m" above "the same point" (docs/linkage.md, the nmd pairings).
    m_set: tuple[tuple[str, tuple[float, ...]], ...] = ()
    # The match probability a link needs.
    threshold: float = THRESHOLD
    # The race the right list's examiner estimated is crossed with the linked left records
    # (`deaths_linked_race`).
    cross_race: bool = False
    # Assumptions of capture-recapture known to fail for these two lists (codes of
    # schemas.codes.ESTIMATE_ASSUMPTIONS), and why, as a code of ESTIMATE_REASONS.
    assumptions_failing: tuple[str, ...] = ()
    not_estimated_because: str | None = None
    # False: a pairing linked to measure the linker only (its lists are the same records, one
    # of them outside the statistics): links and quality, no `deaths_overlap` row.
    overlap: bool = True

    @property
    def sources(self) -> str:
        return f"{self.left.source}+{self.right.source}"


@dataclass(frozen=True)
class Trio:
    """Three lists of one area, each pair of them a declared `Pairing`: the log-linear estimate
    of `deaths_estimates` over the years all three cover whole, from the clusters the three
    pairings' links form (`interactions`: the pairs of lists, 0-based in `sources` order, whose
    dependence the model carries), unless it declares why none may be published."""

    name: str
    area: str
    sources: tuple[str, str, str]
    pairings: tuple[str, str, str]
    interactions: tuple[tuple[int, int], ...] = ()
    assumptions_failing: tuple[str, ...] = ()
    not_estimated_because: str | None = None


LINK_COLUMNS = ["pairing", "source_l", "snapshot_l", "record_id_l", "source_r", "snapshot_r", "record_id_r",
                "match_probability", "match_weight", *[f"level_{c}" for c in ALL_COMPARED],
                "threshold", "rule"]
QUALITY_COLUMNS = ["pairing", "area", "source_l", "snapshot_l", "source_r", "snapshot_r", "links",
                   "true_pairs", "true_positives", "precision", "precision_low", "recall", "basis",
                   "inputs_sha256"]


def _latest_file(raw_dir: Path, sources: pd.DataFrame, source: str, starts: str):
    """(snapshot, path) of the latest snapshot's file of `source` whose name starts with
    `starts`, or None when the release has none."""
    rows = sources[(sources["source"] == source) & sources["is_latest"]
                   & sources["file"].str.lower().str.startswith(starts)]
    if rows.empty:
        return None
    row = rows.sort_values("snapshot").iloc[-1]
    path = Path(raw_dir) / source / row["snapshot"] / row["file"]
    return (row["snapshot"], path) if path.is_file() else None


@dataclass
class Linkage:
    """The links of every pairing (`record_links`) and, per pairing linked, its measured
    quality (QUALITY_COLUMNS: precision with the lower end of its 95 % Wilson interval, and
    recall, against the answer key; null without one)."""

    links: pd.DataFrame
    quality: pd.DataFrame
    # (pairing, "l" or "r") -> the record ids each side's input held (the area of a side
    # without `area_sql`).
    members: dict = field(default_factory=dict)
    # The pairings whose links and quality were taken from the current release.
    reused: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PreviousLinkage:
    """The current release's `record_links` and `linkage_quality`, offered to a run built with
    the same code and libraries: a pairing whose `inputs_sha256` is unchanged takes its links
    and quality row from there instead of being linked again."""

    links: pd.DataFrame
    quality: pd.DataFrame

    def of(self, pairing: str, digest: str) -> tuple[pd.DataFrame, dict] | None:
        """(links, quality row) of a pairing linked from the same inputs, or None."""
        rows = self.quality[(self.quality["pairing"] == pairing)
                            & (self.quality["inputs_sha256"] == digest)]
        if len(rows) != 1:
            return None
        quality = {k: (None if pd.isna(v) else v) for k, v in rows.iloc[0].to_dict().items()}
        links = self.links[self.links["pairing"] == pairing][LINK_COLUMNS]
        return links.reset_index(drop=True), quality


def previous_linkage(release: Path | None) -> PreviousLinkage | None:
    """The linkage tables of a release (None without one, or when it predates them)."""
    if release is None:
        return None
    tables = Path(release) / "tables"
    try:
        links = pd.read_parquet(tables / "record_links.parquet")
        quality = pd.read_parquet(tables / "linkage_quality.parquet")
    except (OSError, ValueError):
        return None
    if not {"pairing", *LINK_COLUMNS} <= set(links) or not set(QUALITY_COLUMNS) <= set(quality):
        return None
    return PreviousLinkage(links, quality)


def declaration(pairing: Pairing) -> dict:
    """The pairing as declared, its builders by name (their code is in the code fingerprint)."""
    def plain(value):
        if callable(value):
            return f"{value.__module__}.{value.__qualname__}"
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value
    return plain(asdict(pairing))


def inputs_digest(pairing: Pairing, found: list[tuple[str, Path]]) -> str:
    """sha256 over what a pairing's links are made from besides the code: its declaration,
    the engine's constants, and the snapshot and sha256 of both files it reads."""
    parts = {"pairing": declaration(pairing),
             "engine": {"seed": SEED, "threshold": THRESHOLD, "max_pairs_for_u": MAX_PAIRS_FOR_U,
                        "min_same_day_pairs": MIN_SAME_DAY_PAIRS},
             "files": [{"snapshot": snapshot, "file": path.name, "sha256": raw_sha256(path)}
                       for snapshot, path in found]}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def proportion_low(successes: int, trials: int) -> float:
    """The lower end of the 95 % Wilson score interval of a proportion (0 with no trial)."""
    from statsmodels.stats.proportion import proportion_confint

    return float(proportion_confint(successes, trials, alpha=0.05, method="wilson")[0]) if trials else 0.0


def scored(left: LinkInput, right: LinkInput, pairing: Pairing, floor: float = 0.01) -> pd.DataFrame:
    """`predict` with the model a pairing declares (comparisons, blocking, prior, training and
    the m probabilities it sets): the one way a pairing's pairs are scored."""
    return predict(left, right, floor, compared=pairing.compared, blocking=pairing.blocking,
                   prior_on=pairing.prior_on, prior_recall=pairing.prior_recall,
                   em_on=pairing.em_on, m_set=dict(pairing.m_set))


class RawFiles:
    """The raw files of a linkage run, each read once however many pairings link it (MMP's
    workbook is read by four)."""

    def __init__(self):
        self._read: dict[tuple[str, Path], RawTable] = {}

    def __call__(self, source: str, path: Path) -> RawTable:
        key = (source, Path(path))
        if key not in self._read:
            self._read[key] = SOURCES[source].read_raw(path)
        return self._read[key]


def link_pairing(raw_dir: Path, sources: pd.DataFrame, pairing: Pairing,
                 previous: PreviousLinkage | None = None, read: RawFiles | None = None
                 ) -> tuple[pd.DataFrame, dict, dict, bool] | None:
    """(links, quality row, the record ids of each side's input, whether taken from
    `previous`) of one pairing over the latest snapshots of both lists; None when
    either is missing, its format lacks what the linkage compares (the 2018 OGIS copy has no
    Name, so persons still unidentified cannot be told), or fewer than MIN_SAME_DAY_PAIRS
    pairs were found the same day (too few to train on). Taken from `previous` when it
    linked the same inputs (`inputs_digest`)."""
    read = read or RawFiles()
    sides = (pairing.left, pairing.right)
    found = [_latest_file(raw_dir, sources, side.source, side.file_starts) for side in sides]
    if None in found:
        return None
    digest = inputs_digest(pairing, found)
    kept = previous.of(pairing.name, digest) if previous is not None else None
    if kept is not None:
        return (*kept, reused_members(pairing, found, read), True)
    inputs = []
    for side, (_, path) in zip(sides, found):
        try:
            inputs.append(side.build(read(side.source, path)))
        except NotLinkable:
            return None
    left, right = inputs
    if same_day_pairs(left, right) < MIN_SAME_DAY_PAIRS:
        return None
    capacity = right.persons if pairing.incidents_right else None
    chosen = links(scored(left, right, pairing), threshold=pairing.threshold, capacity=capacity)
    out = pd.DataFrame({
        "pairing": pairing.name, "source_l": left.name, "snapshot_l": found[0][0],
        "record_id_l": left.record_ids.to_numpy()[chosen["unique_id_l"].astype(int)],
        "source_r": right.name, "snapshot_r": found[1][0],
        "record_id_r": right.record_ids.to_numpy()[chosen["unique_id_r"].astype(int)],
        "match_probability": chosen["match_probability"].to_numpy(),
        "match_weight": chosen["match_weight"].to_numpy(),
        **{f"level_{c}": (chosen[f"gamma_{c}"].to_numpy() if c in pairing.compared else pd.NA)
           for c in ALL_COMPARED},
        "threshold": pairing.threshold, "rule": "many_to_one" if pairing.incidents_right else "unambiguous"})
    quality = {"pairing": pairing.name, "area": pairing.area, "source_l": left.name,
               "snapshot_l": found[0][0], "source_r": right.name, "snapshot_r": found[1][0],
               "links": len(chosen), "true_pairs": None, "true_positives": None, "precision": None,
               "precision_low": None, "recall": None, "basis": "none", "inputs_sha256": digest}
    if pairing.answer_key:
        truth = true_pairs(left, right)
        got = set(zip(chosen["unique_id_l"].astype(int), chosen["unique_id_r"].astype(int)))
        tp = len(got & truth)
        quality.update(true_pairs=len(truth), true_positives=tp, basis="answer_key",
                       precision=tp / len(got) if got else None,
                       precision_low=proportion_low(tp, len(got)),
                       recall=tp / len(truth) if truth else None)
    elif pairing.review is not None:
        agreed, reviewed = pairing.review
        quality.update(basis="clerical_review", precision=agreed / reviewed,
                       precision_low=proportion_low(agreed, reviewed))
    members = {"l": list(left.record_ids), "r": list(right.record_ids)}
    return out.sort_values(["record_id_l", "record_id_r"], ignore_index=True), quality, members, False


def check_public(pairing: Pairing) -> None:
    """A pairing links public lists only: the crossings and overlaps built from links are
    published without disclosure control (docs/disclosure_control.md protects confidential
    sources' statistics, not linked crossings)."""
    for side in (pairing.left, pairing.right):
        if SOURCES[side.source].spec.confidential:
            raise ValueError(f"pairing {pairing.name}: {side.source} is confidential; "
                             "its records are never linked")


def reused_members(pairing: Pairing, found: list[tuple[str, Path]], read: RawFiles) -> dict:
    """The record ids of the inputs of a reused pairing's sides without `area_sql` (their
    area, for `deaths_overlap`): those files are read again, but nothing is linked."""
    members = {}
    for key, side, (_, path) in zip(("l", "r"), (pairing.left, pairing.right), found):
        if side.area_sql is None:
            members[key] = list(side.build(read(side.source, path)).record_ids)
    return members


def link_all(raw_dir: Path, sources: pd.DataFrame, pairings: tuple[Pairing, ...],
             previous: PreviousLinkage | None = None) -> Linkage:
    """Every declared pairing linked (those that cannot be are left out); a pairing whose
    inputs did not change since `previous` (the current release, offered only when it was
    built with the same code and libraries) is taken from it, not linked again."""
    frames, quality, members, reused = [], [], {}, []
    read = RawFiles()
    for pairing in pairings:
        check_public(pairing)
        started = time.perf_counter()
        done = link_pairing(raw_dir, sources, pairing, previous, read)
        log.info("linkage: %s %s in %.1f s", pairing.name, "not linked" if done is None else
                 "taken from the current release" if done[3] else "linked", time.perf_counter() - started)
        if done is not None:
            frames.append(done[0])
            quality.append(done[1])
            members.update({(pairing.name, side): ids for side, ids in done[2].items()})
            if done[3]:
                reused.append(pairing.name)
    links_frame = (pd.concat(frames, ignore_index=True) if frames
                   else pd.DataFrame(columns=LINK_COLUMNS))
    return Linkage(links_frame, pd.DataFrame(quality, columns=QUALITY_COLUMNS), members, reused)
