"""USBP Southwest Border deaths by sector and fiscal year: hand-written workbooks, the sample
and the real copy (skipped when absent)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import Workbook

from pipelines.samples.usbp_sector_deaths import write_samples
from pipelines.sources import usbp_sector_deaths as usbp
from pipelines.sources.base import RawFormatError
from tests.helpers import assert_rows_reconcile, curate, curate_real, curate_samples, write_snapshot


def _curate(tmp_path, rows, header=("Year", "Sector", "Deaths")):
    book = Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    snap, path = write_snapshot(tmp_path, usbp, "fy2018_fy2019", "Southwest Border Deaths.xlsx",
                                buffer.getvalue(), ("2017-10-01", "2019-09-30"), kind="derived")
    return curate(usbp, snap, path)


def _in_stats(records):
    return records[~records["flags"].str.contains("not_in_stats")]


def test_sectors_are_records_and_the_total_stays_out_of_the_statistics(tmp_path):
    raw, part = _curate(tmp_path, [
        (2018.0, "Big Bend\n(formerly Marfa)", 3.0), (2018.0, "Tucson", 70.0),
        (2018.0, "Southwest Border Total", 73.0),
        (2019.0, "Tucson", 10.0), (2019.0, "Yuma", 5.0), (2019.0, "Southwest Border Total", 20.0),
    ])
    assert part.rows_read == 6 and part.rows_quarantined == 0
    assert_rows_reconcile(part)
    rec = part.records.set_index("record_id")
    assert rec.loc["FY2018 Big Bend (formerly Marfa)", "region"] == "Big Bend (formerly Marfa)"
    assert rec.loc["FY2018 Southwest Border Total", "flags"] == "publisher_total;not_in_stats"
    assert (rec["year_basis"] == "fiscal").all() and (rec["sex_unknown"].isna()).all()
    assert (rec["nationality"] == "NOT_RECORDED").all() and (rec["race_ethnicity"] == "not_recorded").all()
    published = _in_stats(part.records).groupby("year")["dead_and_missing"].sum().to_dict()
    # FY2019: the Total (20) is above its sectors (15): the 5 left is a row of no named sector.
    assert published == {2018: 73, 2019: 20}
    rest = rec.loc["FY2019 Southwest Border Total"]
    assert rest["dead_and_missing"] == 5 and rest["flags"] == "remainder_of_total"
    assert pd.isna(rest["region"])


def test_a_total_below_its_sectors_is_flagged_and_defective_rows_are_quarantined(tmp_path):
    raw, part = _curate(tmp_path, [
        (2018.0, "Tucson", 70.0), (2018.0, "Yuma", 9.0), (2018.0, "Southwest Border Total", 60.0),
        (2019.0, "Tucson", "n/a"), (None, "Yuma", 4.0), (2019.0, "", 2.0), (2019.0, "Yuma", -1.0),
        (2019.0, "El Paso", 1.0), (2019.0, "EL PASO", 2.0),
    ])
    assert part.rows_read == 9 and part.rows_quarantined == 5
    assert_rows_reconcile(part)
    checks = dict(zip(part.quarantine["raw_row"], part.quarantine["check"]))
    assert checks == {5: "whole_number", 6: "year_present", 7: "sector_present",
                      8: "whole_number", 10: "record_id_unique"}
    total = part.records.set_index("record_id").loc["FY2018 Southwest Border Total"]
    assert "total_differs_from_parts" in total["flags"] and "not_in_stats" in total["flags"]
    assert _in_stats(part.records)["dead_and_missing"].sum() == 79 + 1


def test_an_unknown_header_is_refused(tmp_path):
    with pytest.raises(RawFormatError, match="header matches no known format"):
        _curate(tmp_path, [(2018.0, "Tucson", 1.0)], header=("FY", "Sector", "Deaths"))


def test_the_earlier_border_patrol_header_is_read(tmp_path):
    raw, part = _curate(tmp_path, [(2018.0, "Tucson", 1.0)], header=("Year", "Border Patrol", "Deaths"))
    assert raw.format_version == "long_border_patrol_2022" and len(part.records) == 1


def test_samples_parse(tmp_path):
    for snap, path, raw, part in curate_samples(tmp_path, usbp, write_samples):
        assert snap.name.startswith("SAMPLE-") and part.rows_quarantined == 0
        totals = usbp.source_totals(raw).set_index("year")["deaths"].to_dict()
        assert _in_stats(part.records).groupby("year")["dead_and_missing"].sum().to_dict() == totals


@pytest.mark.real
def test_real_copy_sectors_add_up_to_the_total_every_year(real_dir):
    snap, raw, part = curate_real(real_dir, usbp, "fy1998_fy2019")
    assert part.rows_read == 220 and part.rows_quarantined == 0
    totals = usbp.source_totals(raw).set_index("year")["deaths"].to_dict()
    assert len(totals) == 22 and totals[1998] == 263 and totals[2019] == 300
    assert _in_stats(part.records).groupby("year")["dead_and_missing"].sum().to_dict() == totals
    assert not part.records["flags"].str.contains("remainder|differs").any()
    assert set(_in_stats(part.records)["region"]) >= {"Big Bend (formerly Marfa)", "Tucson"}
