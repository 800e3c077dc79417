"""StatCan police-reported hate crime (35-10-0066-01): hand-written excerpts of the report-style
CSV and of the database-loading CSV (detailed motivations), the real files (skipped when
absent) and the generated samples."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.samples.ca_statcan_hate_crime import write_samples
from pipelines.sources import ca_statcan_hate_crime as statcan
from pipelines.sources.base import RawFormatError
from pipelines.stats.cases import STREAMS, case_stats
from pipelines.stats.checks import case_margin_violations
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
    assert rec.loc["2014|Religion", "breakdown"] == "by_motivation_type"
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
    (("Police-reported hate crime, by type", "Police-reported crime, by type"), "database-loading"),
])
def test_another_table_fails_clearly(tmp_path, change, message):
    snap, path = _snapshot(tmp_path, EXCERPT.replace(*change))
    with pytest.raises(RawFormatError, match=message):
        statcan.read_raw(path)


# --- the database-loading CSV ------------------------------------------------------------------

DB_HEADER = ('"REF_DATE","GEO","DGUID","Type of motivation","UOM","UOM_ID","SCALAR_FACTOR",'
             '"SCALAR_ID","VECTOR","COORDINATE","VALUE","STATUS","SYMBOL","TERMINATED","DECIMALS"')
# (member id, motivation, {year: value or a STATUS symbol}, terminated)
DB_MEMBERS = [
    (1, "Total police-reported hate crime", {"2013": "..", "2019": "1951", "2020": "2646"}, ""),
    (2, "Race or ethnicity", {"2013": "..", "2019": "884", "2020": "1594"}, ""),
    (3, "Black", {"2013": "..", "2019": "345", "2020": "670"}, ""),
    (4, "South Asian", {"2013": "..", "2019": "81", "2020": "153"}, ""),
    (5, "Other race or ethnicity", {"2013": "..", "2019": "458", "2020": "771"}, ""),
    (6, "Unknown race or ethnicity", {"2013": "..", "2019": "..", "2020": ".."}, "t"),
    (7, "Religion", {"2013": "..", "2019": "613", "2020": "530"}, ""),
    (8, "Jewish", {"2013": "..", "2019": "306", "2020": "331"}, ""),
    (9, "Muslim", {"2013": "..", "2019": "307", "2020": "144"}, ""),  # 2020: short of Religion
    (10, "Sex", {"2013": "..", "2019": "56", "2020": "49"}, ""),
    (11, "Female", {"2013": "..", "2019": "15", "2020": "16"}, ""),
    (12, "Other sex", {"2013": "..", "2019": "41", "2020": "33"}, ""),
    (13, "Unknown motivation", {"2013": "..", "2019": "398", "2020": "473"}, ""),
]


def _db_text(members=DB_MEMBERS, uom: str = "Number") -> str:
    """The excerpt in StatCan's database-loading layout: every field quoted, a BOM, LF line
    ends, rows by member then year, two empty lines at the end."""
    lines = [DB_HEADER]
    for member, label, years, terminated in members:
        for year, cell in years.items():
            value, status = ("", cell) if cell in ("..", "...", "x", "F") else (cell, "")
            fields = [year, "Canada, selected police services", "2016A000011124", label, uom, "223",
                      "units", "0", f"v9170{6827 + member}", f"1.{member}", value, status, "",
                      terminated, "0"]
            lines.append(",".join(f'"{f}"' for f in fields))
    return "\ufeff" + "\n".join(lines) + "\n\n\n"


def _db_snapshot(tmp_path, text: str):
    return write_snapshot(tmp_path, statcan, "35-10-0066-01_2012_2021_detailed", "poldata.csv",
                          text.encode("utf-8"), ("2012-01-01", "2021-12-31"))


def test_database_layout_types_children_and_symbols(tmp_path):
    snap, path = _db_snapshot(tmp_path, _db_text())
    raw, part = curate(statcan, snap, path)
    assert raw.format_version == "statcan_db_csv" and raw.raw_rows.tolist() == list(range(2, 41))
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined) == (39, 39, 0)
    assert part.unmapped.empty
    rec = part.records.set_index("record_id")
    assert set(rec["country_native"]) == {"Canada, selected police services"}
    assert rec.loc["2019|Total police-reported hate crime", ["breakdown", "bias_motivation", "value"]
                   ].tolist() == ["total", "all", 1951]
    assert rec.loc["2019|Race or ethnicity", ["breakdown", "bias_motivation", "flags"]].tolist() == [
        "by_motivation_type", "race_ethnicity_any", ""]
    black = rec.loc["2019|Black"]
    assert (black["breakdown"], black["bias_motivation"], black["value"]) == (
        "by_detailed_motivation", "anti_black", 345)
    assert black["flags"] == "not_in_stats:detailed_motivation"
    assert rec.loc["2019|Female", ["bias_motivation", "sgbv"]].tolist() == ["anti_female", "yes"]
    assert rec.loc["2019|Muslim", "bias_motivation"] == "anti_islamic_muslim"
    # `..` is not a zero; a terminated series says so.
    unknown = rec.loc["2020|Unknown race or ethnicity"]
    assert pd.isna(unknown["value"]) and pd.isna(unknown["value_max"])
    assert unknown["flags"] == ("not_available;not_in_stats;series_terminated;"
                                "not_in_stats:detailed_motivation")
    assert rec.loc[rec["year"] == 2013, "value"].isna().all()
    # Religion 2020 is 530 but its children add up to 475: said on the type, never fixed.
    assert rec.loc["2020|Religion", "flags"] == "subtotal_differs_from_parts"
    assert rec.loc["2020|Religion", "value"] == 530
    assert not rec.drop("2020|Religion")["flags"].str.contains("subtotal_differs").any()

    # Children are never added to their type: the statistics are the total and the types.
    stats, problems = _stats(part.records)
    assert _grand(stats).to_dict() == {2019: 1951, 2020: 2646}
    assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty
    bias = stats[(stats["bias_motivation"] != "all")
                 & (stats[[d for d in DIMS if d not in ("bias_motivation", "sgbv")]] == "all").all(axis=1)
                 & (stats["sgbv"] == "all")]
    assert not bias["bias_motivation"].isin(["anti_black", "anti_jewish", "anti_female"]).any()
    assert bias[bias["year"] == 2019].set_index("bias_motivation")["value"].to_dict() == {
        "race_ethnicity_any": 884, "religion_any": 613, "sex_any": 56, "unknown": 398}


def test_database_layout_reads_like_the_report_layout(tmp_path):
    """The report excerpt's cells in the database layout give the same statistics."""
    db = [(n, label, {"2014": v, "2015": w}, "") for n, label, v, w in [
        (1, "Total police-reported hate crime", "1295", "1362"), (2, "Race or ethnicity", "611", "641"),
        (3, "Religion", "429", "469"), (4, "Sex", "22", "12"), (5, "Other similar factor", "233", "240")]]
    _, db_part = curate(statcan, *_db_snapshot(tmp_path / "db", _db_text(db)))
    _, report_part = curate(statcan, *_snapshot(tmp_path / "report", EXCERPT))
    db_stats, _ = _stats(db_part.records)
    report_stats, _ = _stats(report_part.records)
    columns = ["year", *DIMS, "value"]
    key = ["year", *DIMS]
    pd.testing.assert_frame_equal(db_stats[columns].sort_values(key, ignore_index=True),
                                  report_stats[columns].sort_values(key, ignore_index=True))


def test_database_layout_unknown_label_is_never_taken_for_a_type(tmp_path):
    members = DB_MEMBERS[:4] + [(5, "Latin American", {"2013": "..", "2019": "12", "2020": "9"}, "")]
    snap, path = _db_snapshot(tmp_path, _db_text(members))
    _, part = curate(statcan, snap, path)
    rec = part.records.set_index("record_id")
    assert part.unmapped["value"].tolist() == ["Latin American"]
    latin = rec.loc["2019|Latin American"]
    assert (latin["breakdown"], latin["bias_motivation"]) == ("by_detailed_motivation", "unknown")
    assert "not_in_stats" in latin["flags"]


@pytest.mark.parametrize("change, message", [
    ((',"Number",', ',"Rate per 100,000 population",'), "UOM is 'Rate per 100,000 population'"),
    ((',"units",', ',"thousands",'), "SCALAR_FACTOR"),
    (('"Canada, selected police services"', '"Ontario"'), None),
])
def test_database_layout_of_another_table_fails_clearly(tmp_path, change, message):
    text = _db_text()
    lines = text.split("\n")
    lines[5] = lines[5].replace(*change)  # one row of another table
    snap, path = _db_snapshot(tmp_path, "\n".join(lines))
    with pytest.raises(RawFormatError, match=message or "more than one geography"):
        statcan.read_raw(path)


def test_a_database_cell_that_is_no_count_quarantines_its_row(tmp_path):
    members = [(n, label, dict(years), t) for n, label, years, t in DB_MEMBERS]
    members[3][2]["2019"] = "8l"
    snap, path = _db_snapshot(tmp_path, _db_text(members))
    _, part = curate(statcan, snap, path)
    (entry,) = part.quarantine.itertuples()
    assert (entry.column, entry.check, entry.value) == ("VALUE", "whole_number", "8l")
    assert part.rows_read == part.rows_accepted + part.rows_quarantined == 39
    assert "2019|South Asian" not in set(part.records["record_id"])


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
    parts = counted[counted["breakdown"] == "by_motivation_type"].groupby("year")["value"].sum().to_dict()
    assert total == REAL_TOTALS and parts == REAL_TOTALS
    assert set(counted["bias_motivation"]) == {
        "all", "race_ethnicity_any", "religion_any", "sexual_orientation_any", "language_any",
        "disability_any", "sex_any", "age_any", "other_similar_factor", "unknown"}

    stats, problems = _stats(rec)
    assert _grand(stats).to_dict() == REAL_TOTALS  # 2012-2013: no statistics, nothing invented
    assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty


DETAILED = "35-10-0066-01_2012_2021_detailed"
# 2017: the detailed motivations of five types add up to more than the type (StatCan revised
# the children, not the types, or the reverse): the only cells where children and type differ.
CHILDREN_ABOVE_TYPE_2017 = {"Race or ethnicity": (878, 919), "Religion": (842, 879),
                            "Sexual orientation": (204, 219), "Disability": (10, 11), "Sex": (32, 38)}
TYPES = ("Race or ethnicity", "Religion", "Sexual orientation", "Language", "Disability", "Sex",
         "Age", "Other similar factor", "Unknown motivation")


def _plain_hierarchy(path) -> pd.DataFrame:
    """The raw file with plain pandas: each detailed motivation's type is the type above it in
    member order (COORDINATE 1.N). The reference, written apart from the module."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df["member"] = df["COORDINATE"].str.split(".").str[1].astype(int)
    df["value"] = pd.to_numeric(df["VALUE"], errors="coerce")
    order = df.drop_duplicates("member").sort_values("member")["Type of motivation"].tolist()
    parent, current = {}, None
    for label in order[1:]:
        current = label if label in TYPES else current
        parent[label] = None if label in TYPES else current
    df["type"] = df["Type of motivation"].map(parent)
    return df


@pytest.mark.real
def test_real_detailed_children_sum_to_their_type(real_dir):
    snap, raw, part = curate_real(real_dir, statcan, DETAILED)
    df = _plain_hierarchy(raw.path)
    children = df[df["type"].notna()].groupby(["REF_DATE", "type"])["value"].sum(min_count=1)
    types = df[df["Type of motivation"].isin(TYPES)].set_index(["REF_DATE", "Type of motivation"])["value"]
    both = pd.DataFrame({"type": types, "children": children}).dropna()
    differ = both[both["type"] != both["children"]]
    assert {k[1]: (int(r.type), int(r.children)) for k, r in differ.iterrows()} == CHILDREN_ABOVE_TYPE_2017
    assert set(differ.index.get_level_values(0)) == {"2017"}
    assert len(both) - len(differ) == 7 * 8 - 5  # the types with children, 2014-2021
    # The module reads the same hierarchy and says where it does not add up.
    rec = part.records
    flagged = rec[rec["flags"].str.contains("subtotal_differs_from_parts")]
    assert sorted(zip(flagged["year"], flagged["bias_motivation_native"])) == sorted(
        (2017, label) for label in CHILDREN_ABOVE_TYPE_2017)
    detailed = rec[rec["breakdown"] == "by_detailed_motivation"]
    assert len(detailed) == 36 * 10 and detailed["flags"].str.contains(
        "not_in_stats:detailed_motivation").all()
    assert set(detailed["bias_motivation_native"]) == set(df.loc[df["type"].notna(), "Type of motivation"])


@pytest.mark.real
def test_real_detailed_file_parses_and_types_add_up_to_the_total(real_dir):
    snap, raw, part = curate_real(real_dir, statcan, DETAILED)
    assert raw.format_version == "statcan_db_csv"
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined, len(part.records)) == (
        460, 460, 0, 460)
    assert part.unmapped.empty, part.unmapped
    rec = part.records
    df = _plain_hierarchy(raw.path)
    total = df[df["Type of motivation"] == "Total police-reported hate crime"].dropna(
        subset=["value"]).set_index("REF_DATE")["value"]
    expected = {int(y): int(v) for y, v in total.items()}
    assert expected == {2014: 1295, 2015: 1362, 2016: 1409, 2017: 2073, 2018: 1817, 2019: 1951,
                        2020: 2646, 2021: 3360}  # 2019: revised from 1,946 in the 2012-2019 file
    counted = rec[rec["value"].notna()]
    types = counted[counted["breakdown"] == "by_motivation_type"].groupby("year")["value"].sum()
    assert types.to_dict() == expected
    # `..` (116 cells: all of 2012-2013, the six terminated Unknown series from 2018) is no zero.
    blank = (df["VALUE"] == "") & (df["STATUS"] == "..")
    assert blank.sum() == 116 == rec["flags"].str.contains("not_available").sum()
    assert rec.loc[rec["flags"].str.contains("not_available"), "value"].isna().all()
    assert rec["flags"].str.contains("series_terminated").sum() == (df["TERMINATED"] == "t").sum() == 60
    assert set(rec.loc[rec["breakdown"] == "by_detailed_motivation", "bias_motivation"]) >= {
        "anti_black", "anti_south_asian", "anti_east_southeast_asian", "anti_arab_west_asian",
        "anti_indigenous", "anti_white", "anti_jewish", "anti_islamic_muslim"}
    stats, problems = _stats(rec)
    assert _grand(stats).to_dict() == expected
    assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty


@pytest.mark.real
def test_real_detailed_snapshot_is_the_latest_of_the_table(real_dir):
    from pipelines import snapshots

    found = snapshots.discover(real_dir, statcan.SOURCE)
    assert [s.name for s in snapshots.latest_per_product(found)] == [DETAILED]


def test_samples_parse(tmp_path):
    (report, detailed) = curate_samples(tmp_path, statcan, write_samples)
    for snap, _, raw, part in (report, detailed):
        assert snap.is_sample and snap.product == statcan.SOURCE.product
        assert part.rows_quarantined == 0 and part.unmapped.empty
        stats, problems = _stats(part.records)
        assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty
    snap, _, raw, part = report
    assert (part.rows_read, len(part.records)) == (10, 80)
    assert part.records["flags"].str.contains("not_available").sum() == 20
    snap, _, raw, part = detailed
    assert raw.format_version == "statcan_db_csv" and (part.rows_read, len(part.records)) == (460, 460)
    rec = part.records
    assert not rec["flags"].str.contains("subtotal_differs").any()
    assert (rec["breakdown"] == "by_detailed_motivation").sum() == 360
    assert rec["flags"].str.contains("series_terminated").sum() == 60
