"""StatCan police-reported hate crime (35-10-0066-01): a hand-written excerpt of the report-style
CSV, the real file (skipped when absent) and the generated sample."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.publish.case_stats import STREAMS, case_stats
from pipelines.publish.checks import case_margin_violations
from pipelines.samples.ca_statcan_hate_crime import write_samples
from pipelines.sources import ca_statcan_hate_crime as statcan
from pipelines.sources.base import RawFormatError
from tests.helpers import curate, curate_real, curate_samples, write_snapshot

DIMS = STREAMS["crimes"]["dims"]
FIXED = STREAMS["crimes"]["fixed"]
REAL_TOTALS = {2014: 1295, 2015: 1362, 2016: 1409, 2017: 2073, 2018: 1817, 2019: 1946}

EXCERPT = "\r\n".join([
    '\ufeff"Police-reported hate crime, by type of motivation, Canada (selected police services) 1 2 3",,,',
    "Annual,,,",
    "Table: 35-10-0066-01 (formerly CANSIM 252-0092),,,",
    "Geography: Canada,,,",
    ",,,",
    ',"Canada, selected police services 4 5 (map)",,',
    "Type of motivation,2013,2014,2015",
    ",Number,,",
    'Total police-reported hate crime,..,"1,295","1,362"',
    "Race or ethnicity,..,611,641",
    "Religion,..,429,469",
    "Sex,..,22,12",
    "Other similar factor 6,..,233,240",
    ",,,",
    "Symbol legend:,,,",
    "..,not available for a specific reference period,,",
    ",,,",
    "Footnotes:,,,",
    '6,"""Other similar factor"" includes motivations not otherwise stated above.",,',
    ",,,",
    "DOI: https://doi.org/10.25318/3510006601-eng,,,",
]) + "\r\n"


def _snapshot(tmp_path, text: str):
    return write_snapshot(tmp_path, statcan, "2021-03-19", "raw data.csv", text.encode("utf-8"),
                          ("2013-01-01", "2015-12-31"))


def _stats(records: pd.DataFrame):
    """Statistics as the release builds them: `not_in_stats` records left out."""
    in_stats = records[~records["flags"].str.contains("not_in_stats", regex=False)]
    info = (in_stats[["source", "snapshot"]].drop_duplicates()
            .assign(is_latest=True, period_end=pd.Timestamp("2019-12-31")))
    return case_stats(in_stats, "crimes", {statcan.SOURCE.id: False}, info)


def _grand(stats: pd.DataFrame) -> pd.Series:
    return stats[(stats[list(DIMS)] == "all").all(axis=1)].set_index("year")["value"]


def test_excerpt_cells_total_not_available_and_thousands(tmp_path):
    snap, path = _snapshot(tmp_path, EXCERPT)
    raw, part = curate(statcan, snap, path)
    rec = part.records.set_index("record_id")
    assert raw.raw_rows.tolist() == [9, 10, 11, 12, 13]
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined, len(rec)) == (5, 5, 0, 15)
    assert (rec[["unit", "subject", "country_iso3", "crime_type"]] ==
            ["incidents", "incident", "CAN", "hate_crime"]).all().all()
    assert set(rec["country_native"]) == {"Canada, selected police services"}
    total = rec.loc["2014|Total police-reported hate crime"]
    assert (total["value"], total["bias_motivation"], total["breakdown"]) == (1295, "all", "total")
    other = rec.loc["2015|Other similar factor"]
    assert (other["bias_motivation"], other["bias_motivation_native"], other["value"]) == (
        "other_similar_factor", "Other similar factor", 240)
    assert rec.loc["2014|Race or ethnicity", "bias_motivation"] == "race_ethnicity_any"
    assert rec.loc["2014|Sex", "sgbv"] == "yes" and rec.loc["2014|Religion", "sgbv"] == "no"
    # `..` is not available: no number and no bounds are invented, and it stays out of the stats.
    na = rec[rec["year"] == 2013]
    assert len(na) == 5 and na[["value", "value_min", "value_max"]].isna().all().all()
    assert (na["flags"] == "not_available;not_in_stats").all() and not na["source_suppressed"].any()
    assert (rec.loc[rec["year"] != 2013, "flags"] == "").all()
    assert (rec[["sex", "race_ethnicity", "nationality"]] == "all").all().all()

    stats, problems = _stats(part.records)
    assert _grand(stats).to_dict() == {2014: 1295, 2015: 1362}
    assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty


def test_a_cell_that_is_no_count_quarantines_its_row(tmp_path):
    snap, path = _snapshot(tmp_path, EXCERPT.replace("Sex,..,22,12", "Sex,..,x,12"))
    _, part = curate(statcan, snap, path)
    (entry,) = part.quarantine.itertuples()
    assert (entry.raw_row, entry.column, entry.check, entry.value) == (12, "2014", "whole_number", "x")
    assert part.rows_read == part.rows_accepted + part.rows_quarantined == 5
    assert not part.records["record_id"].str.endswith("|Sex").any()
    # The Total keeps its value; the missing part becomes `unknown` in the statistics.
    stats, problems = _stats(part.records)
    unknown = stats[(stats["bias_motivation"] == "unknown") & (stats["year"] == 2014)
                    & (stats[[d for d in DIMS if d != "bias_motivation"]] == "all").all(axis=1)]
    assert unknown["value"].tolist() == [22]
    # sgbv follows the bias (against a sex: yes) and is derived from it, so its margins add up
    # with the bias shortfall too.
    assert case_margin_violations(stats, FIXED, DIMS, problems).empty


@pytest.mark.parametrize("change, message", [
    ((",Number,,", ",Rate per 100,000 population,,"), "unit 'Number'"),
    (("Type of motivation,2013,2014,2015", "Type of motivation,Q1,Q2,Q3"), "not years"),
    (("Police-reported hate crime, by type", "Police-reported crime, by type"), "35-10-0066-01"),
])
def test_another_table_fails_clearly(tmp_path, change, message):
    snap, path = _snapshot(tmp_path, EXCERPT.replace(*change))
    with pytest.raises(RawFormatError, match=message):
        statcan.read_raw(path)


def test_real_file_parses_and_motivations_add_up_to_the_total(real_dir):
    snap, raw, part = curate_real(real_dir, statcan, "35-10-0066-01_2012_2019")
    rec = part.records
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined, len(rec)) == (10, 10, 0, 80)
    assert part.unmapped.empty
    assert raw.raw_rows.tolist() == list(range(9, 19))
    not_available = rec["flags"].str.contains("not_available")
    assert set(rec.loc[not_available, "year"]) == {2012, 2013} and not_available.sum() == 20
    assert rec.loc[not_available, "value"].isna().all()
    counted = rec[~not_available]
    total = counted[counted["breakdown"] == "total"].set_index("year")["value"].to_dict()
    parts = counted[counted["breakdown"] == "by_motivation"].groupby("year")["value"].sum().to_dict()
    assert total == REAL_TOTALS and parts == REAL_TOTALS
    assert set(counted["bias_motivation"]) == {
        "all", "race_ethnicity_any", "religion_any", "sexual_orientation_any", "language_any",
        "disability_any", "sex_any", "age_any", "other_similar_factor", "unknown"}

    stats, problems = _stats(rec)
    assert _grand(stats).to_dict() == REAL_TOTALS  # 2012-2013: no statistics, nothing invented
    assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty


def test_sample_parses(tmp_path):
    ((snap, _, raw, part),) = curate_samples(tmp_path, statcan, write_samples)
    assert snap.is_sample and snap.product == statcan.SOURCE.product
    assert (part.rows_read, part.rows_quarantined, len(part.records)) == (10, 0, 80)
    assert part.unmapped.empty
    assert part.records["flags"].str.contains("not_available").sum() == 20
    stats, problems = _stats(part.records)
    assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty
