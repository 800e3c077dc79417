"""Great Expectations suites, as code, for the statistics and metadata tables.

One suite per table, built from the same code lists as the pandera models (schemas/codes.py)
and from the invariants of the data model. Pandera blocks a bad table while it is built; these
suites run once more over the finished tables, in one checkpoint, and their Data Docs go into
the release so a reader can see what was checked and what was observed (run by
`pipelines/publish/quality.py`).

Record tables (`deaths`, ...) are not in the checkpoint: they can be far larger than memory.
Each file's records are validated by their pandera model as they are built, and the key
(source, snapshot, record_id) is checked across files in DuckDB (`stats/tables.py`).

Completeness of sex and nationality is reported per source from `coverage` (latest snapshot):
each source has a floor taken from what it really records (CBP records no sex, Pima County no
nationality: floor 0), so a source that lacks a field never fails the run, while a mapping that
suddenly loses known values does.

Importing this module imports great_expectations (about 2 s): import it lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from schemas import codes
from schemas.deaths import DeathsStats
from schemas.fields import ISO3_PATTERN
from schemas.metadata import Coverage, Sources
from schemas.overlap import LINKED_TABLES, DeathsEstimates, DeathsLinkedRace, DeathsOverlap

SHA256_PATTERN = r"^[0-9a-f]{64}$"
# Statistics tables add the margin `all` to the record-grain code patterns.
NATIONALITY_STATS_PATTERN = ISO3_PATTERN.removesuffix(")$") + "|all)$"
COUNTRY_STATS_PATTERN = r"^(?:[A-Z]{3}|UNKNOWN|all)$"
YEAR_RANGE = (1900, 2100)
LETTER_DIMENSIONS = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity")

# Dimension column of `deaths_stats` -> its code list (`all` is added).
STATS_CODE_COLUMNS = {
    "sex": codes.SEX,
    "gender_identity": codes.GENDER_IDENTITY,
    "age_group": codes.AGE_GROUP,
    "race_ethnicity": codes.RACE_ETHNICITY,
    "cause": codes.CAUSE,
    "criminal": codes.CRIMINAL,
    "scope": codes.SCOPE,
    "status": codes.STATUS,
}
# Lowest share of the latest snapshot's count with a known value, per source and dimension.
# Measured on the real files (Jan 2026) and the committed samples; the floor sits below both,
# so it only trips when a mapping or reader loses known values. 0 = the source does not record
# the field: reported, never failed. A source not listed here is reported with floor 0.
KNOWN_SHARE_FLOORS: dict[str, dict[str, float]] = {
    # CBP-involved deaths: no sex column at all; nationality real 0.90, sample 0.87.
    "cbp_deaths": {"sex": 0.0, "nationality": 0.80},
    # ICE detention death reports: person-level, sex and citizenship on (almost) every record.
    "ice_detention_deaths": {"sex": 0.90, "nationality": 0.90},
    # MMP: sex is observer-attributed for some people only (real 0.37, sample 0.19);
    # nationality known for about half (real 0.53, sample 0.83).
    "mmp": {"sex": 0.10, "nationality": 0.40},
    # Pima County OME / Humane Borders: sex known for 0.95; no nationality field.
    "pcome_humane_borders": {"sex": 0.90, "nationality": 0.0},
}
COMPLETENESS_DIMENSIONS = ("sex", "nationality")


def _allowed(model, column: str) -> list[str]:
    """The `isin` values of a pandera column: one list for both validators."""
    for check in model.to_schema().columns[column].checks:
        if "allowed_values" in check.statistics:
            return list(check.statistics["allowed_values"])
    raise ValueError(f"{model.__name__}.{column} has no isin check")


def _columns(model) -> list[str]:
    return list(model.to_schema().columns)


def _not_null(columns: Iterable[str]) -> list:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def deaths_stats_suite(min_rows: int = 1) -> gx.ExpectationSuite:
    """`deaths_stats`: codes of every dimension, non-negative values inside their bounds."""
    fixed = ("source", "snapshot", "is_latest", "year", "year_basis", "partial_year", "unit",
             "suppressed", "source_suppressed")
    dims = tuple(STATS_CODE_COLUMNS) + ("nationality", "country_iso3")
    expectations = [
        gxe.ExpectTableRowCountToBeBetween(min_value=min_rows, max_value=None),
        gxe.ExpectTableColumnsToMatchSet(column_set=_columns(DeathsStats), exact_match=True),
        *_not_null(fixed + dims),
        *[gxe.ExpectColumnValuesToBeInSet(column=c, value_set=[*values, codes.ALL])
          for c, values in STATS_CODE_COLUMNS.items()],
        gxe.ExpectColumnValuesToMatchRegex(column="nationality", regex=NATIONALITY_STATS_PATTERN),
        gxe.ExpectColumnValuesToMatchRegex(column="country_iso3", regex=COUNTRY_STATS_PATTERN),
        gxe.ExpectColumnValuesToBeInSet(column="year_basis", value_set=list(codes.YEAR_BASIS)),
        gxe.ExpectColumnValuesToBeInSet(column="unit", value_set=["persons"]),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=YEAR_RANGE[0],
                                          max_value=YEAR_RANGE[1]),
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0)
          for c in ("value", "value_min", "value_max")],
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="value", column_B="value_min", or_equal=True,
            ignore_row_if="either_value_is_missing",
            notes="value_min <= value wherever both are published."),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="value_max", column_B="value", or_equal=True,
            ignore_row_if="either_value_is_missing",
            notes="value <= value_max wherever both are published."),
    ]
    return _suite("deaths_stats", expectations)


def coverage_suite(sources: Iterable[str] = ()) -> gx.ExpectationSuite:
    """`coverage`: shares in [0, 1], and per source the share of its latest count with a known
    sex and nationality (observed value in Data Docs; floors in KNOWN_SHARE_FLOORS)."""
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(column="known_share", min_value=0, max_value=1),
        gxe.ExpectColumnValuesToBeInSet(column="recorded", value_set=["yes", "partly", "no"]),
        gxe.ExpectColumnValuesToBeInSet(column="stream",
                                        value_set=["deaths", "crimes", "prosecutions"]),
        gxe.ExpectColumnValuesToBeInSet(column="dimension", value_set=list(LETTER_DIMENSIONS)),
        gxe.ExpectColumnValuesToBeBetween(column="total", min_value=0),
        gxe.ExpectTableColumnsToMatchSet(column_set=_columns(Coverage), exact_match=True),
    ]
    for source in sorted(set(sources)):
        for dim in COMPLETENESS_DIMENSIONS:
            floor = KNOWN_SHARE_FLOORS.get(source, {}).get(dim, 0.0)
            rule = ("reported only" if floor == 0 else f"fails below {floor:.0%}")
            note = (f"{source} does not record {dim} (or not in its latest snapshot): the share "
                    "is reported, never failed." if floor == 0 else
                    f"The floor sits well under what {source} records: it trips only when a "
                    "reader or mapping loses known values.")
            expectations.append(gxe.ExpectColumnMinToBeBetween(
                column="known_share", min_value=floor, max_value=1.0,
                row_condition=((Column("source") == source) & (Column("dimension") == dim)
                               & (Column("is_latest") == True)),  # noqa: E712 (a GX condition)
                description=(f"Share of {source}'s count (latest snapshot) with a known "
                             f"{dim} ({rule})"),
                notes=note,
                meta={"kind": "completeness", "source": source, "dimension": dim,
                      "floor": floor}))
    return _suite("coverage", expectations)


def sources_suite(without: Iterable[str] = ()) -> gx.ExpectationSuite:
    """`sources`: one row per raw file, rows read = accepted + quarantined (invariant 3).
    `without`: columns the validated version leaves out by design (the public one: `error`)."""
    columns = [c for c in _columns(Sources) if c not in set(without)]
    expectations = [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, max_value=None),
        gxe.ExpectTableColumnsToMatchSet(column_set=[*columns, *DERIVED["sources"]],
                                         exact_match=True),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["source", "snapshot", "file"]),
        *_not_null(("source", "snapshot", "file", "sha256", "status")),
        gxe.ExpectColumnValuesToBeInSet(column="kind", value_set=["full", "partial", "derived"]),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=_allowed(Sources, "status")),
        gxe.ExpectColumnValuesToMatchRegex(
            column="sha256", regex=SHA256_PATTERN, row_condition=Column("file") != "",
            notes="Every row naming a file. A snapshot that failed without a file to read (none "
                  "its module reads) has a row with file and sha256 blank, status failed."),
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0)
          for c in ("rows_read", "rows_accepted", "rows_quarantined", "bytes")],
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="rows_read", column_B="rows_accepted_plus_quarantined",
            ignore_row_if="either_value_is_missing",
            notes="Invariant 3: accepted + quarantined = rows read, per file. "
                  "rows_accepted_plus_quarantined is derived for this check only; files that "
                  "failed to read (null counts) are skipped."),
    ]
    return _suite("sources", expectations)


def _at_most(smaller: str, larger: str, notes: str, **kwargs):
    """`smaller` <= `larger` on every row where both are published."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=larger, column_B=smaller, or_equal=True, ignore_row_if="either_value_is_missing",
        notes=notes, **kwargs)


def _counts(columns: Iterable[str]) -> list:
    return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in columns]


def _pair_table_start(model, key: list[str], not_null: Iterable[str]) -> list:
    """What every table built from links promises first: its columns, its key, no null where
    the model allows none, an area of the code list, years in range."""
    derived = list(DERIVED.get(model.Config.name, {}))
    return [gxe.ExpectTableColumnsToMatchSet(column_set=[*_columns(model), *derived], exact_match=True),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=key),
            *_not_null(not_null),
            gxe.ExpectColumnValuesToBeInSet(column="area", value_set=list(codes.AREA))]


def deaths_overlap_suite() -> gx.ExpectationSuite:
    """`deaths_overlap` (docs/linkage.md): links within each list, the union a range from the
    larger list to the sum less the links counted true, link quality in [0, 1] and null where
    not measured."""
    counts = ("records_l", "persons_l", "records_r", "persons_r", "linked", "linked_true_min",
              "union_min", "union_max")
    expectations = [
        *_pair_table_start(DeathsOverlap, ["area", "sources", "year"],
                           ("sources", "year", "partial_year", "source_l", "snapshot_l",
                            "source_r", "snapshot_r", "link_quality_basis", *counts)),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=YEAR_RANGE[0], max_value=YEAR_RANGE[1]),
        *[gxe.ExpectColumnValuesToBeInSet(column=c, value_set=list(codes.YEAR_BASIS))
          for c in ("year_basis_l", "year_basis_r")],
        gxe.ExpectColumnValuesToBeInSet(column="link_quality_basis",
                                        value_set=list(codes.LINK_QUALITY_BASIS)),
        *_counts(counts),
        _at_most("linked", "persons_l", "A person linked is a person of the first list."),
        _at_most("linked", "persons_r", "A person linked is a person of the second list."),
        _at_most("linked_true_min", "linked", "The links counted true are some of the links."),
        _at_most("persons_l", "union_min", "The union is at least the larger list."),
        _at_most("persons_r", "union_min", "The union is at least the larger list."),
        _at_most("union_min", "union_max", "The union is a range: low <= high."),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="union_max", column_B="persons_sum_less_true_links",
            notes="union_max = persons_l + persons_r - linked_true_min (derived for this check)."),
        *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1)
          for c in ("link_precision", "link_precision_low", "link_recall")],
        _at_most("link_precision_low", "link_precision",
                 "The lower end of the precision's interval is at most the precision."),
        *[gxe.ExpectColumnValuesToBeNull(
            column=c, row_condition=Column("link_quality_basis") == "none",
            notes="Nothing measured (basis none): no precision or recall is published.")
          for c in ("link_precision", "link_precision_low", "link_recall")],
    ]
    return _suite("deaths_overlap", expectations)


def deaths_linked_race_suite() -> gx.ExpectationSuite:
    """`deaths_linked_race`: race codes of the list (and `all`), linked persons within the
    persons of the area, the margin `all` the sum of the codes."""
    expectations = [
        *_pair_table_start(DeathsLinkedRace, ["area", "sources", "race_ethnicity"],
                           ("sources", "first_year", "last_year", "source", "snapshot", "race_source",
                            "race_snapshot", "race_ethnicity", "persons", "persons_in_area")),
        gxe.ExpectColumnValuesToBeInSet(column="race_ethnicity",
                                        value_set=[*codes.RACE_ETHNICITY, codes.ALL]),
        *_counts(("persons", "persons_in_area")),
        _at_most("first_year", "last_year", "The period runs forward."),
        _at_most("persons", "persons_in_area", "Persons linked are persons of the area."),
        gxe.ExpectColumnValuesToBeBetween(column="link_precision", min_value=0, max_value=1),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="persons", column_B="persons_of_the_codes",
            row_condition=Column("race_ethnicity") == codes.ALL,
            notes="The margin `all` is the sum of the race codes of its area and pair of lists "
                  "(persons_of_the_codes derived for this check)."),
    ]
    return _suite("deaths_linked_race", expectations)


def deaths_estimates_suite() -> gx.ExpectationSuite:
    """`deaths_estimates`: codes of method, status, reason and assumptions; an estimate is
    inside its interval and not below the persons counted; a `not_estimated` row carries a
    reason and no number."""
    assumptions = "|".join(codes.ESTIMATE_ASSUMPTIONS)
    estimated = Column("status") == "estimated"
    not_estimated = Column("status") == "not_estimated"
    numbers = ("estimate", "ci_low", "ci_high")
    expectations = [
        *_pair_table_start(DeathsEstimates, ["area", "sources", "method"],
                           ("sources", "first_year", "last_year", "method", "lists", "persons_l",
                            "persons_r", "linked", "union_min", "union_max", "status",
                            "assumptions_failing")),
        gxe.ExpectColumnValuesToBeInSet(column="method", value_set=list(codes.ESTIMATE_METHOD)),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(codes.ESTIMATE_STATUS)),
        gxe.ExpectColumnValuesToBeInSet(column="reason", value_set=list(codes.ESTIMATE_REASON)),
        gxe.ExpectColumnValuesToMatchRegex(
            column="assumptions_failing", regex=rf"^(?:(?:{assumptions})(?:;(?:{assumptions}))*)?$",
            notes="Codes of the assumptions, ';'-separated, or empty."),
        gxe.ExpectColumnValuesToBeBetween(column="lists", min_value=2),
        *_counts(("persons_l", "persons_r", "persons_3", "linked", "union_min", "union_max", *numbers)),
        gxe.ExpectColumnValuesToBeNull(column="persons_3", row_condition=Column("lists") == 2,
                                       notes="Two lists: no third list's persons."),
        gxe.ExpectColumnValuesToNotBeNull(column="persons_3", row_condition=Column("lists") == 3),
        _at_most("persons_3", "union_min", "The union is at least the largest list."),
        _at_most("first_year", "last_year", "The period runs forward."),
        _at_most("linked", "persons_l", "A person linked is a person of the first list."),
        _at_most("linked", "persons_r", "A person linked is a person of the second list."),
        _at_most("union_min", "union_max", "The union is a range: low <= high."),
        *[gxe.ExpectColumnValuesToBeNull(column=c, row_condition=not_estimated,
                                         notes="Not estimated: no number is published.")
          for c in numbers],
        gxe.ExpectColumnValuesToNotBeNull(column="reason", row_condition=not_estimated,
                                          notes="Not estimated: the reason is given."),
        *[gxe.ExpectColumnValuesToNotBeNull(column=c, row_condition=estimated) for c in numbers],
        gxe.ExpectColumnValuesToBeNull(column="reason", row_condition=estimated),
        _at_most("ci_low", "estimate", "The interval contains the estimate."),
        _at_most("estimate", "ci_high", "The interval contains the estimate."),
        _at_most("union_min", "ci_low", "Never below the persons counted: at least the larger list."),
    ]
    return _suite("deaths_estimates", expectations)


def _persons_of_the_codes(frame: pd.DataFrame) -> pd.Series:
    """Per row, the persons of the race codes (not `all`) of its area and pair of lists."""
    codes_only = frame["persons"].where(frame["race_ethnicity"] != codes.ALL, 0)
    return codes_only.groupby([frame["area"], frame["sources"]]).transform("sum")


# Columns added to a table's frame before validation, for checks GX has no expectation for
# (GX 1.x has no "A = B + C" expectation; ExpectMulticolumnSumToEqual compares to a constant).
DERIVED: dict[str, dict[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "sources": {"rows_accepted_plus_quarantined":
                lambda f: f["rows_accepted"] + f["rows_quarantined"]},
    "deaths_overlap": {"persons_sum_less_true_links":
                       lambda f: f["persons_l"] + f["persons_r"] - f["linked_true_min"]},
    "deaths_linked_race": {"persons_of_the_codes": _persons_of_the_codes},
}


def batch_frame(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame a suite validates: the table plus its derived columns (a copy if any)."""
    derived = DERIVED.get(table)
    if not derived:
        return frame
    return frame.assign(**{name: fn(frame) for name, fn in derived.items()})


def build_suites(tables: dict[str, pd.DataFrame], deaths_expected: bool = True,
                 skip_sources: Iterable[str] = (), without: dict[str, Iterable[str]] | None = None
                 ) -> dict[str, gx.ExpectationSuite]:
    """A suite for every table given that has one; coverage floors for the sources present
    (but `skip_sources`). `deaths_expected`: a deaths source was read, so the deaths tables
    may not be empty. `without`: per table, columns left out by design (public versions).
    The tables built from links get no suite when empty (no pairing linked, as on the
    samples): their row promises hold trivially, Pandera has checked their columns, and their
    108 expectations cost a small run about 4 s in the two checkpoints."""
    without = without or {}
    min_rows = 1 if deaths_expected else 0
    builders = {
        "deaths_stats": lambda: deaths_stats_suite(min_rows),
        "sources": lambda: sources_suite(without.get("sources", ())),
        "coverage": lambda: coverage_suite(
            set(tables["coverage"].loc[tables["coverage"]["is_latest"], "source"].unique())
            - set(skip_sources)),
        "deaths_overlap": deaths_overlap_suite,
        "deaths_linked_race": deaths_linked_race_suite,
        "deaths_estimates": deaths_estimates_suite,
    }
    return {name: build() for name, build in builders.items()
            if name in tables and not (name in LINKED_TABLES and len(tables[name]) == 0)}


def _suite(name: str, expectations: list) -> gx.ExpectationSuite:
    # Passed to the constructor: suite.add_expectation() needs an active context (it looks
    # the suite up in the context's store first).
    return gx.ExpectationSuite(name=name, expectations=expectations)
