"""Public tables built from the links between death lists (pipelines/stats/overlap.py;
method and rules: docs/linkage.md): how the lists overlap (`deaths_overlap`), the race the
examiner estimated for the linked records (`deaths_linked_race`), and capture-recapture
estimates (`deaths_estimates`, model estimates, never counted statistics)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import codes
from schemas.fields import code_field, count_field

# The public tables built from the links between death lists.
LINKED_TABLES = ("deaths_overlap", "deaths_linked_race", "deaths_estimates")


def _area():
    return code_field(codes.AREA, "Area the lists were linked in (us_az_pima_county: remains "
                      "found or reported in Pima County, Arizona; us_az_pima_ome_jurisdiction: "
                      "deaths the Pima County medical examiner examined, in Pima and "
                      "neighbouring counties; us_border_counties_outside_pima_ome: the US border counties "
                      "outside it where nmd_border_deaths' county examiners, sheriffs and the El Paso "
                      "sector's database record deaths, listed in maps/nmd_border_counties.csv; "
                      "europe_routes: deaths on the way to Europe or in "
                      "it, the incidents of UNITED's List, The Migrants' Files and MMP in the "
                      "Mediterranean, Europe and on the Atlantic route to the Canary Islands).")


def _sources():
    return pa.Field(description="The lists compared, as source ids joined by '+': never add them.")


class DeathsOverlap(pa.DataFrameModel):
    """Per area, year and pair of death lists: the persons each list counts in the area, how
    many were linked across the two (record linkage, docs/linkage.md), and the persons in
    either list as a range [`union_min`, `union_max`]: at least the larger list, at most the
    sum of both less the links that are true at the lower end of the 95 % interval of the
    measured link precision. Counts of records, not an estimate of deaths nobody recorded
    (see `deaths_estimates`)."""

    area: Series[str] = _area()
    sources: Series[str] = _sources()
    year: Series[pd.Int32Dtype] = pa.Field(description="Year of both records: each list's own "
                                           "year basis (year_basis_l, year_basis_r); a link "
                                           "counts in a year when both its records are in it.")
    partial_year: Series[bool] = pa.Field(description="A list's snapshot starts or ends inside the "
                                          "year: the lists do not cover the same months of it.")
    source_l: Series[str] = pa.Field(description="First list (source id).")
    snapshot_l: Series[str] = pa.Field(description="Its snapshot (the latest).")
    year_basis_l: Series[str] = code_field(codes.YEAR_BASIS, "What its years are the year of "
                                           "(null where its records mix bases).", nullable=True)
    records_l: Series[pd.Int64Dtype] = count_field("Its records in the area and year.", nullable=False)
    persons_l: Series[pd.Int64Dtype] = count_field("Persons they count.", nullable=False)
    source_r: Series[str] = pa.Field(description="Second list (source id).")
    snapshot_r: Series[str] = pa.Field(description="Its snapshot (the latest).")
    year_basis_r: Series[str] = code_field(codes.YEAR_BASIS, "What its years are the year of "
                                           "(null where its records mix bases).", nullable=True)
    records_r: Series[pd.Int64Dtype] = count_field("Its records in the area and year.", nullable=False)
    persons_r: Series[pd.Int64Dtype] = count_field("Persons they count.", nullable=False)
    linked: Series[pd.Int64Dtype] = count_field("Persons linked: in both lists by record "
                                                "linkage (some links are wrong, some true pairs "
                                                "are missed: link_precision, link_recall).",
                                                nullable=False)
    linked_true_min: Series[pd.Int64Dtype] = count_field(
        "Links counted as true: linked x link_precision_low, rounded down (0 where the "
        "precision is not measured).", nullable=False)
    union_min: Series[pd.Int64Dtype] = count_field("Persons in either list, at least: the larger "
                                                   "list (the other may lie wholly inside it).",
                                                   nullable=False)
    union_max: Series[pd.Int64Dtype] = count_field("Persons in either list, at most: persons_l + "
                                                   "persons_r - linked_true_min.", nullable=False)
    link_precision: Series[float] = pa.Field(nullable=True, description="Share of the pairing's "
                                             "links (all years) that are true, measured against "
                                             "link_quality_basis; null where not measured.")
    link_precision_low: Series[float] = pa.Field(nullable=True, description="Lower end of its "
                                                 "95 % Wilson interval.")
    link_recall: Series[float] = pa.Field(nullable=True, description="Share of the true pairs "
                                          "that were linked; null where not measured.")
    link_quality_basis: Series[str] = code_field(codes.LINK_QUALITY_BASIS, "What the precision "
                                                 "was measured against: answer_key (a shared "
                                                 "case number the linker never sees), "
                                                 "clerical_review, or none.")

    class Config:
        name = "deaths_overlap"
        strict = True
        coerce = True
        unique = ["area", "sources", "year"]


class DeathsLinkedRace(pa.DataFrameModel):
    """The race or ethnicity that a second list's examiner estimated for the persons of a first
    list who were linked to it, as a crossing of the linked records only: a person not linked
    has no race here (it is never copied onto records that did not link). First case: the Pima
    County medical examiner's records (the OGIS file records no race) linked to NamUs, whose
    examiner estimates race. Over the full years both lists cover, per area."""

    area: Series[str] = _area()
    sources: Series[str] = _sources()
    first_year: Series[pd.Int32Dtype] = pa.Field(description="First full year both lists cover "
                                                 "(a year one list covers in part is left out).")
    last_year: Series[pd.Int32Dtype] = pa.Field(description="Last full year both lists cover.")
    source: Series[str] = pa.Field(description="The list whose persons are counted (source id).")
    snapshot: Series[str] = pa.Field(description="Its snapshot.")
    race_source: Series[str] = pa.Field(description="The list whose examiner estimated the race.")
    race_snapshot: Series[str] = pa.Field(description="Its snapshot.")
    race_ethnicity: Series[str] = code_field(codes.RACE_ETHNICITY, "The race or ethnicity "
                                             "estimated in race_source (several values in one "
                                             "cell: multiple; none: unknown); all: every "
                                             "linked person.", with_all=True)
    persons: Series[pd.Int64Dtype] = count_field("Persons of `source` in the area and period "
                                                 "linked to a record of race_source with this "
                                                 "estimate.", nullable=False)
    persons_in_area: Series[pd.Int64Dtype] = count_field("All persons of `source` in the area and "
                                                         "period, linked or not (the same on "
                                                         "every row).", nullable=False)
    link_precision: Series[float] = pa.Field(nullable=True, description="Share of the pairing's "
                                             "links that are true (deaths_overlap).")

    class Config:
        name = "deaths_linked_race"
        strict = True
        coerce = True
        unique = ["area", "sources", "race_ethnicity"]


class DeathsEstimates(pa.DataFrameModel):
    """Capture-recapture estimates of the persons who died in an area over a period, counted or
    not, from lists linked there: a MODEL ESTIMATE, never a count, never to be mixed with the
    statistics. Assumes a closed population, independent lists, equal catchability and perfect
    linkage; `assumptions_failing` lists those known to fail for the lists, and where one
    makes the estimate meaningless none is published (`status` not_estimated, `reason`)."""

    area: Series[str] = _area()
    sources: Series[str] = _sources()
    first_year: Series[pd.Int32Dtype] = pa.Field(description="First full year all its lists cover.")
    last_year: Series[pd.Int32Dtype] = pa.Field(description="Last full year all its lists cover.")
    method: Series[str] = code_field(codes.ESTIMATE_METHOD, "chapman (two lists) or loglinear "
                                     "(three or more).")
    lists: Series[pd.Int64Dtype] = pa.Field(ge=2, description="How many lists.")
    persons_l: Series[pd.Int64Dtype] = count_field("Persons in the first list (deaths_overlap, "
                                                   "summed over the period).", nullable=False)
    persons_r: Series[pd.Int64Dtype] = count_field("Persons in the second list.", nullable=False)
    persons_3: Series[pd.Int64Dtype] = count_field("Persons in the third list (rows of three "
                                                   "lists; null for two).")
    linked: Series[pd.Int64Dtype] = count_field("Persons linked in both (both records in the "
                                                "period); for three lists, persons in at least "
                                                "two of them.", nullable=False)
    union_min: Series[pd.Int64Dtype] = count_field("Persons counted in any of the lists over the "
                                                   "period, at least (deaths_overlap's rule).",
                                                   nullable=False)
    union_max: Series[pd.Int64Dtype] = count_field("Persons counted in any of the lists over the "
                                                   "period, at most.", nullable=False)
    status: Series[str] = code_field(codes.ESTIMATE_STATUS, "estimated, or not_estimated (see "
                                     "reason).")
    reason: Series[str] = code_field(codes.ESTIMATE_REASON, "Why no estimate is published.",
                                     nullable=True)
    assumptions_failing: Series[str] = pa.Field(
        description="Assumptions known to fail for these lists, ';'-separated (closed_population, "
                    "independence, equal_catchability, perfect_linkage); empty where none is known "
                    "to fail (they may still).")
    estimate: Series[float] = pa.Field(nullable=True, ge=0, description="Estimated persons, counted "
                                       "or not (null when not estimated).")
    ci_low: Series[float] = pa.Field(nullable=True, ge=0, description="Lower end of its 95 % "
                                     "interval (log-normal: never below the persons counted).")
    ci_high: Series[float] = pa.Field(nullable=True, ge=0, description="Upper end of its 95 % interval.")

    class Config:
        name = "deaths_estimates"
        strict = True
        coerce = True
        unique = ["area", "sources", "method"]
