"""CBP deaths tables: hand-written excerpts of the three files, the samples and the real copy
(skipped when absent). Only the OPR summary is published; the other two stay in the catalog."""

from __future__ import annotations

import pytest

from pipelines.samples.cbp_deaths_tables import write_samples
from pipelines.sources import cbp_deaths_tables as cbp
from pipelines.sources.base import RawFormatError
from tests.conftest import real_snapshot
from tests.helpers import assert_rows_to_records, curate, write_snapshot

SUMMARY = "fiscal_year,total_deaths,in_custody,cbp_involved_non_custody,additional_requested,adp"
BY_SOURCE = "fiscal_year,source,definition,total_deaths,in_custody_deaths,notes,url"
BY_YEAR = "Year,Total_Deaths,In_Custody_Deaths,Firearm_Deaths,Vehicle_Pursuit_Deaths"


def _curate(tmp_path, name, header, rows):
    data = ("\n".join([header, *rows]) + "\n").encode("utf-8")
    snap, path = write_snapshot(tmp_path, cbp, "2026-01-28", name, data,
                                ("2010-01-01", "2025-12-31"), kind="derived")
    return curate(cbp, snap, path)


def _in_stats(records):
    return records[~records["flags"].str.contains("not_in_stats")]


def test_summary_components_are_published_with_their_scope(tmp_path):
    raw, part = _curate(tmp_path, "cbp_deaths_summary.csv", SUMMARY, [
        "2021,151,55,53,43,", "2022,175,52,68,51,", "2023,100,55,72,53,", "2024,,1,1,1,"])
    assert_rows_to_records(part)
    assert part.rows_read == 4 and part.rows_quarantined == 2
    reasons = dict(zip(part.quarantine["raw_row"], part.quarantine["reason"]))
    assert reasons[4] == "the components add up to 180, more than the total 100"
    assert "blank" in reasons[5]
    rec = part.records.set_index("record_id")
    assert rec.loc["FY2021 in_custody", ["dead_and_missing", "scope"]].tolist() == [55, "in_custody"]
    assert rec.loc["FY2021 additional_requested", "scope"] == "unknown"
    assert rec.loc["FY2022 remainder_of_total", ["dead_and_missing", "flags"]].tolist() == [4, "remainder_of_total"]
    totals = _in_stats(part.records).groupby("year")["dead_and_missing"].sum().to_dict()
    assert totals == {2021: 151, 2022: 175}
    assert (rec["year_basis"] == "fiscal").all() and rec["female"].isna().all()


def test_by_source_rows_are_kept_out_of_the_statistics(tmp_path):
    raw, part = _curate(tmp_path, "cbp_deaths_by_source.csv", BY_SOURCE, [
        '2021,BJS FDCRP,"Arrest-related deaths (includes in-custody)",49,1,"CBP subset",https://b',
        '2021,CBP OPR,"CBP-related deaths (broad: in-custody, CBP-involved, additional)",151,55,"OPR",https://c',
        '2021,CBP OPR,"again",151,55,"OPR",https://c'])
    assert part.rows_quarantined == 1 and part.quarantine["check"].tolist() == ["record_id_unique"]
    flags = part.records.set_index("record_id")["flags"].to_dict()
    assert flags == {"FY2021 BJS FDCRP": "other_publisher_definition;not_in_stats",
                     "FY2021 CBP OPR": "repeats_other_file;not_in_stats"}
    assert _in_stats(part.records).empty


def test_by_year_junk_years_are_quarantined_and_the_rest_kept_out(tmp_path):
    raw, part = _curate(tmp_path, "cbp_deaths_by_year.csv", BY_YEAR,
                        ["0,1,0,0,0", "23,1,0,1,0", "2019,17,13,2,2", "2020,x,7,7,14"])
    assert part.rows_quarantined == 3 and len(part.records) == 1
    assert set(part.quarantine["check"]) == {"year_in_range", "whole_number"}
    assert part.records["flags"].tolist() == ["derived_from_cbp_deaths;not_in_stats"]
    assert part.records["year_basis"].tolist() == ["incident"]


def test_an_unknown_header_is_refused(tmp_path):
    with pytest.raises(RawFormatError, match="header matches no known format"):
        _curate(tmp_path, "cbp_deaths_summary.csv", "fiscal_year,total", ["2021,1"])


def test_samples_parse(tmp_path):
    write_samples(tmp_path)
    from pipelines import snapshots
    (snap,) = snapshots.discover(tmp_path, cbp.SOURCE)
    parts = {p.name: curate(cbp, snap, p)[1] for p in snap.data_files()}
    assert sorted(parts) == ["cbp_deaths_by_source.csv", "cbp_deaths_by_year.csv", "cbp_deaths_summary.csv"]
    for part in parts.values():
        assert_rows_to_records(part)
    assert parts["cbp_deaths_by_year.csv"].rows_quarantined == 1
    assert len(_in_stats(parts["cbp_deaths_summary.csv"].records)) == 9


@pytest.mark.real
def test_real_tables(real_dir):
    snap = real_snapshot(real_dir, cbp.SOURCE.id, "2026-01-28")
    parts = {p.name: curate(cbp, snap, p)[1] for p in snap.data_files()}
    read = {name: (p.rows_read, p.rows_accepted, p.rows_quarantined) for name, p in parts.items()}
    assert read == {"cbp_deaths_summary.csv": (3, 3, 0), "cbp_deaths_by_source.csv": (11, 11, 0),
                    "cbp_deaths_by_year.csv": (18, 16, 2)}
    summary = parts["cbp_deaths_summary.csv"].records
    assert summary.groupby("year")["dead_and_missing"].sum().to_dict() == {2021: 151, 2022: 171, 2023: 180}
    in_custody = summary[summary["scope"] == "in_custody"]
    assert in_custody.set_index("year")["dead_and_missing"].to_dict() == {2021: 55, 2022: 52, 2023: 55}
    for name in ("cbp_deaths_by_source.csv", "cbp_deaths_by_year.csv"):
        assert _in_stats(parts[name].records).empty, name
