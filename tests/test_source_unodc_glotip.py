"""UNODC GLOTIP: both releases parse; every row lands in crimes, prosecutions or quarantine;
"<5" keeps its bounds; breakdowns stay apart; the source's own margins are reported as they
are (matching, short, in excess) instead of being made to add up."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipelines import process
from pipelines.publish.case_stats import STREAMS, case_stats
from pipelines.publish.checks import case_margin_violations
from pipelines.samples.unodc_glotip import write_samples
from pipelines.sources import curate, unodc_glotip
from pipelines.sources.base import RawFormatError
from pipelines.sources.cases import statistics_input
from schemas.raw.unodc_glotip import HEADERS
from tests.helpers import assert_rows_reconcile, curate_real, curate_samples, write_snapshot

HEADER = HEADERS["titled_2023"]
PLACE = {"MEX": ["MEX", "Mexico", "Americas", "Latin America and the Caribbean"],
         "DEU": ["DEU", "Germany", "Europe", "Western Europe"]}
VICTIMS = "Detected trafficking victims"


def _row(indicator=VICTIMS, dimension="Total", category="Total", sex="Total", age="Total",
         year=2021, value="115", iso3="MEX") -> list:
    return [*PLACE[iso3], indicator, dimension, category, sex, age, year, "Counts", value, "GLOTIP"]


def _xlsx(rows: list[list], titles=(("UNODC",), ("14/04/2025",)), header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "data_glotip_1"
    for title in titles:
        sheet.append(list(title))
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _curate(tmp_path: Path, rows: list[list], **kwargs):
    snap, path = write_snapshot(tmp_path, unodc_glotip, "2025-04-14", "data_glotip.xlsx",
                                _xlsx(rows, **kwargs), ("2003-01-01", "2022-12-31"))
    raw = unodc_glotip.read_raw(path)
    return raw, unodc_glotip.to_curated(raw, snap)


def _stats(records: pd.DataFrame, table: str, snapshot: str = "2025-04-14"):
    info = pd.DataFrame({"source": ["unodc_glotip"], "snapshot": [snapshot], "is_latest": [True],
                         "period_end": [pd.Timestamp("2022-12-31")]})
    return case_stats(statistics_input(records), table, {"unodc_glotip": False}, info)


def _cell(stats: pd.DataFrame, table: str, **dims) -> pd.Series:
    mask = pd.Series(True, index=stats.index)
    for dim in STREAMS[table]["dims"]:
        wanted = dims.get(dim, "all")
        mask &= stats[dim] == wanted
    for key in ("year", "unit", "stage"):
        if key in dims:
            mask &= stats[key] == dims[key]
    (row,) = stats[mask].to_dict("records")
    return pd.Series(row)


# --- hand-written excerpts ---------------------------------------------------------------------

def test_two_title_rows_and_sheet_row_numbers(tmp_path):
    raw, part = _curate(tmp_path, [_row(), _row(sex="Female", value="15")])
    assert raw.format_version == "titled_2023"
    assert raw.raw_rows.tolist() == [4, 5]  # title, title, header, then data from sheet row 4
    assert part.tables["crimes"]["raw_row"].tolist() == [4, 5]
    assert_rows_reconcile(part)


def test_withheld_values_keep_bounds_and_separators_parse(tmp_path):
    _, part = _curate(tmp_path, [_row(value="<5"), _row(year=2018, value="8,913"),
                                 _row(year=2019, value="6,112,019")])
    crimes = part.tables["crimes"].set_index("year")
    withheld = crimes.loc[2021]
    assert pd.isna(withheld["value"]) and (withheld["value_min"], withheld["value_max"]) == (0, 4)
    assert bool(withheld["source_suppressed"])
    assert crimes.loc[2018, "value"] == 8913 and crimes.loc[2019, "value"] == 6112019
    assert crimes.loc[2018, "value_min"] == crimes.loc[2018, "value_max"] == 8913
    assert not crimes.loc[2018, "source_suppressed"]


def test_unreadable_rows_are_quarantined_with_a_reason(tmp_path):
    _, part = _curate(tmp_path, [
        _row(),
        _row(value="n/a"),                                   # row 5
        _row(value=""),                                      # row 6
        _row(sex="Intersex"),                                # row 7
        _row(indicator="Persons acquitted"),                 # row 8
        _row(year="2021/22"),                                # row 9
        _row(indicator="Persons convicted", dimension="by citizenship",
             category="Q6.1_10s_2019", value="61,102,019"),  # row 10
    ])
    assert len(part.records) == 1
    q = part.quarantine.set_index("raw_row")
    assert q.loc[5, "column"] == "txtVALUE" and "'<5'" in q.loc[5, "reason"]
    assert q.loc[6, "check"] == "value_present"
    assert q.loc[7, "column"] == "Sex" and "Female" in q.loc[7, "reason"]
    assert q.loc[8, "column"] == "Indicator"
    assert q.loc[9, "column"] == "Year"
    assert q.loc[10, "check"] == "category_not_item_code"
    assert part.rows_quarantined == 6
    assert_rows_reconcile(part)
    assert part.unmapped.empty  # quarantined rows are not mapped, so not logged either


def test_indicators_go_to_their_table_unit_subject_and_stage(tmp_path):
    _, part = _curate(tmp_path, [
        _row(),
        _row(indicator="Offences of trafficking in persons", value="40"),
        _row(indicator="Persons brought into formal contact", value="30"),
        _row(indicator="Persons prosecuted", value="20"),
        _row(indicator="Persons convicted", value="10"),
    ])
    crimes, pros = part.tables["crimes"], part.tables["prosecutions"]
    assert crimes[["unit", "subject", "value"]].values.tolist() == [
        ["persons", "victim", 115], ["offences", "incident", 40]]
    assert pros[["stage", "subject", "unit", "value"]].values.tolist() == [
        ["suspect_identified", "offender", "persons", 30],
        ["prosecuted", "offender", "persons", 20],
        ["convicted", "offender", "persons", 10]]
    assert pros["stage_native"].tolist()[0] == "Persons brought into formal contact"
    assert set(crimes["year_basis"]) == set(pros["year_basis"]) == {"reported"}
    assert (crimes["race_ethnicity"] == "not_recorded").all()
    assert (crimes["gender_identity"] == "not_recorded").all()
    assert (crimes["perpetrator"] == "not_recorded").all()


def test_sex_age_and_forms_of_exploitation(tmp_path):
    _, part = _curate(tmp_path, [
        _row(sex="Female", age="0 to 17 years", value="9"),
        _row(sex="Other", value="<5"),
        _row(sex="Unknown", age="Unknown", value="94"),
        _row(dimension="by form of exploitation", category="Sexual exploitation", value="60"),
        _row(dimension="by form of exploitation", category="Forced labour", sex="Male",
             age="18 years or over", value="7"),
        _row(dimension="by form of exploitation", category="Other forms of exploitation",
             value="5"),
        _row(indicator="Persons convicted", dimension="by form of exploitation",
             category="Sexual exploitation", value="12"),
    ])
    crimes = part.tables["crimes"]
    assert crimes[["sex", "age_group"]].values.tolist()[:3] == [
        ["female", "child"], ["other", "all"], ["unknown", "unknown"]]
    assert crimes[["breakdown", "crime_type", "sgbv"]].values.tolist() == [
        ["total", "all", "all"]] * 3 + [
        ["by_form_of_exploitation", "trafficking_sexual_exploitation", "yes"],
        ["by_form_of_exploitation", "trafficking_forced_labour", "no"],
        ["by_form_of_exploitation", "trafficking_other", "no"]]
    assert crimes["crime_type_native"].tolist()[0] == VICTIMS
    assert crimes["crime_type_native"].tolist()[3] == "Sexual exploitation"
    (convicted,) = part.tables["prosecutions"].to_dict("records")
    assert (convicted["offence"], convicted["sgbv"], convicted["subject"]) == (
        "trafficking_sexual_exploitation", "yes", "offender")


def test_citizenship_nationals_demonyms_regions_and_leftovers(tmp_path):
    cit = dict(dimension="by citizenship")
    _, part = _curate(tmp_path, [
        _row(**cit, category="Nationals", value="50"),
        _row(**cit, category="Nationals", iso3="DEU", value="20"),
        _row(**cit, category="Romanian", iso3="DEU", value="11"),
        _row(**cit, category="EU-28 others", iso3="DEU", value="<5"),
        _row(**cit, category="Central America", value="8"),
        _row(**cit, category="Nationality", value="7"),  # a header left as a category
        _row(**cit, category="", value="<5"),
        _row(**cit, category="TOTAL", value="115"),
    ])
    crimes = part.tables["crimes"]
    assert crimes["nationality"].tolist() == ["MEX", "DEU", "ROU", "FOREIGN_UNSPECIFIED",
                                              "M49_013", "UNKNOWN", "UNKNOWN", "all"]
    assert crimes["nationality_native"].tolist()[:3] == ["Nationals", "Nationals", "Romanian"]
    assert (crimes["breakdown"] == "by_citizenship").all()
    assert crimes["flags"].tolist()[-1] == "not_in_stats:category_is_total"
    assert part.unmapped[["column", "value", "rows"]].values.tolist() == [
        ["Category", "Nationality", 1]]


def test_nationals_of_a_row_without_a_country_code_are_unknown_and_logged(tmp_path):
    sark = ["", "Sark", "Europe", "Northern Europe", VICTIMS, "by citizenship", " Nationals ",
            "Total", "Total", 2021, "Counts", "3", "GLOTIP"]
    _, part = _curate(tmp_path, [sark, _row(dimension="by citizenship", category="Nationals")])
    assert part.tables["crimes"]["nationality"].tolist() == ["UNKNOWN", "MEX"]
    unmapped = part.unmapped.set_index("column")["value"].to_dict()
    assert unmapped["Category"] == "Nationals"  # the label, stripped, counted once
    assert part.unmapped.loc[part.unmapped["column"] == "Category", "rows"].tolist() == [1]


def test_repatriation_is_not_nationality_and_stays_out_of_statistics(tmp_path):
    _, part = _curate(tmp_path, [
        _row(value="20"),
        _row(dimension="by country of repatriation", category="Guatemala", value="12"),
        _row(dimension="by country of repatriation", category="Abroad", value="<5"),
    ])
    crimes = part.tables["crimes"]
    repatriated = crimes[crimes["breakdown"] == "by_country_of_repatriation"]
    assert (repatriated["nationality"] == "all").all()
    assert repatriated["nationality_native"].isna().all()
    assert repatriated["flags"].tolist() == [
        "not_in_stats:repatriation;repatriation_country:Guatemala",
        "not_in_stats:repatriation;repatriation_country:Abroad"]
    assert len(statistics_input(crimes)) == 1
    stats, problems = _stats(crimes, "crimes")
    assert _cell(stats, "crimes", country_iso3="MEX", unit="persons")["value"] == 20  # not 20 + 12
    assert problems.empty


def test_identical_rows_are_sub_forms_kept_and_added(tmp_path):
    sub_form = _row(dimension="by form of exploitation", category="Other forms of exploitation",
                    value="6")
    _, part = _curate(tmp_path, [_row(value="40"), sub_form, list(sub_form)])
    crimes = part.tables["crimes"]
    ids = crimes["record_id"].tolist()
    assert len(set(ids)) == 3 and ids[1].endswith("-1") and ids[2].endswith("-2")
    assert ids[1][:-2] == ids[2][:-2]
    stats, _ = _stats(crimes, "crimes")
    other = _cell(stats, "crimes", country_iso3="MEX", crime_type="trafficking_other", sgbv="no")
    assert other["value"] == 12


def test_mexico_like_shortfall_becomes_unknown(tmp_path):
    """PROVENANCE: Mexico 2021, Female 15 + Male 6 against a Total of 115: sex unknown 94."""
    _, part = _curate(tmp_path, [_row(value="115"), _row(sex="Female", value="15"),
                                 _row(sex="Male", value="6")])
    report = unodc_glotip.margin_report(part.tables["crimes"], "crimes")
    (sex,) = report[report["dimension"] == "sex"].to_dict("records")
    assert (sex["outcome"], sex["parts_min"], sex["total_min"]) == ("short", 21, 115)
    stats, problems = _stats(part.tables["crimes"], "crimes")
    assert _cell(stats, "crimes", country_iso3="MEX", sex="unknown")["value"] == 94
    assert _cell(stats, "crimes", country_iso3="MEX")["value"] == 115
    assert problems.empty


def test_excess_is_reported_and_listed(tmp_path):
    _, part = _curate(tmp_path, [_row(value="10"), _row(sex="Female", value="8"),
                                 _row(sex="Male", value="<5"), _row(sex="Other", value="5")])
    report = unodc_glotip.margin_report(part.tables["crimes"], "crimes")
    (sex,) = report[report["dimension"] == "sex"].to_dict("records")
    assert (sex["outcome"], sex["parts_min"], sex["parts_max"]) == ("excess", 13, 17)
    stats, problems = _stats(part.tables["crimes"], "crimes")
    listed = set(problems[["dimension", "published_total", "excess"]].itertuples(index=False))
    assert listed == {("sex", 10, 3)}  # once per statistics cell carrying that margin
    assert _cell(stats, "crimes", country_iso3="MEX")["value"] == 10  # the source total stays
    spec = STREAMS["crimes"]
    assert case_margin_violations(stats, spec["fixed"], spec["dims"], problems).empty


def test_withheld_parts_within_bounds(tmp_path):
    _, part = _curate(tmp_path, [_row(value="12"), _row(sex="Female", value="9"),
                                 _row(sex="Male", value="<5")])
    report = unodc_glotip.margin_report(part.tables["crimes"], "crimes")
    assert report["outcome"].tolist() == ["within_bounds"]


def test_changed_header_fails_loudly(tmp_path):
    header = [("VALUE" if c == "txtVALUE" else c) for c in HEADER]
    expected = r"missing columns \['txtVALUE'\].*new columns \['VALUE'\]"
    with pytest.raises(RawFormatError, match=expected):
        _curate(tmp_path, [_row()], header=header)


def test_header_in_another_row_is_found(tmp_path):
    raw, part = _curate(tmp_path, [_row()], titles=(("UNODC",),))
    assert raw.raw_rows.tolist() == [3]
    assert len(part.records) == 1


def test_content_ids_are_stable_row_hashes_with_occurrence_numbers():
    import hashlib

    frame = pd.DataFrame([["a", "1"], ["b", "2"], ["a", "1"]], columns=["x", "y"], dtype="str")
    row_wise = ["h" + hashlib.sha256("\x1f".join(r).encode("utf-8")).hexdigest()[:16]
                for r in frame.itertuples(index=False)]
    expected = [row_wise[0] + "-1", row_wise[1] + "-1", row_wise[2] + "-2"]
    assert curate.content_ids(frame).tolist() == expected


# --- samples -----------------------------------------------------------------------------------

def test_samples_parse_with_only_the_deliberate_bad_row(tmp_path):
    found = curate_samples(tmp_path, unodc_glotip, write_samples)
    assert [snap.name for snap, *_ in found] == ["SAMPLE-2023-05-30", "SAMPLE-2025-04-14"]
    for snap, path, raw, part in found:
        assert 300 <= part.rows_read <= 800, part.rows_read
        assert_rows_reconcile(part, snap.name)
        assert part.unmapped.empty, part.unmapped
        assert len(part.tables["crimes"]) and len(part.tables["prosecutions"])
        values = raw.frame["txtVALUE"]
        assert (values == "<5").any() and values.str.contains(",").any()
        assert raw.frame.duplicated().any()  # identical sub-form rows
        report = unodc_glotip.margin_report(part.tables["crimes"], "crimes")
        assert {"exact", "short", "excess"} <= set(report["outcome"])
        nationality = part.tables["crimes"]["nationality"]
        assert {"MEX", "ROU", "FOREIGN_UNSPECIFIED", "M49_002", "UNKNOWN"} <= set(nationality)
    q23, q25 = found[0][3].quarantine, found[1][3].quarantine
    assert q23.empty
    assert q25[["column", "check", "value"]].values.tolist() == [
        ["Category", "category_not_item_code", "Q6.1_10s_2021"]]


def test_sample_2025_declares_a_wrong_sheet_size(tmp_path):
    write_samples(tmp_path)
    path = tmp_path / "unodc_glotip" / "SAMPLE-2025-04-14" / "data_glotip.xlsx"
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.worksheets[0].calculate_dimension() == "A1:A1"
    book.close()
    assert len(unodc_glotip.read_raw(path).frame) > 300


# --- the real releases -------------------------------------------------------------------------

# PROVENANCE.md section 5: rows per Indicator.
INDICATOR_ROWS = {
    "2023-05-30": {VICTIMS: 32364, "Persons convicted": 6253, "Persons prosecuted": 3659,
                   "Persons brought into formal contact": 3124,
                   "Offences of trafficking in persons": 1156},
    "2025-04-14": {VICTIMS: 39485, "Persons convicted": 8431, "Persons prosecuted": 4973,
                   "Persons brought into formal contact": 4547,
                   "Offences of trafficking in persons": 1333},
}
WITHHELD = {"2023-05-30": 23076, "2025-04-14": 29558}
QUARANTINED = {"2023-05-30": 0, "2025-04-14": 120}  # PAK, SLE 2019-21: questionnaire item codes
# Values no mapping places (UNKNOWN, listed): the reporting "countries" Sark and Aruba/Curacao
# have no code; "Nationality" and bare numbers are not citizenships.
UNMAPPED = {"2023-05-30": {"Sark": 26, "Nationality": 6, "0": 3, "Aruba/Curacao": 1},
            "2025-04-14": {"Sark": 26, "0": 10, "Nationality": 3, "145": 1, "2": 1, "3": 1,
                           "6": 1}}
# The source's own margins (margin_report): per dimension, how many published totals their
# published parts match exactly / within the bounds of "<5" / fall short of / exceed.
MARGINS = {
    ("2023-05-30", "crimes"): {
        "sex": (1333, 2785, 287, 221), "age_group": (1723, 2496, 245, 92),
        "nationality": (122, 466, 306, 52), "crime_type": (414, 2117, 829, 533)},
    ("2023-05-30", "prosecutions"): {
        "sex": (404, 1019, 157, 66), "age_group": (456, 2032, 80, 22),
        "nationality": (29, 119, 13, 18), "offence": (20, 315, 66, 315)},
    ("2025-04-14", "crimes"): {
        "sex": (1653, 3742, 353, 272), "age_group": (2115, 3070, 313, 133),
        "nationality": (133, 526, 403, 78), "crime_type": (483, 2943, 1069, 715)},
    ("2025-04-14", "prosecutions"): {
        "sex": (513, 1625, 507, 259), "age_group": (628, 3055, 168, 59),
        "nationality": (45, 184, 32, 39), "offence": (18, 316, 58, 409)},
}

_REAL: dict[str, tuple] = {}


def _real(real_dir: Path, name: str):
    if name not in _REAL:
        _REAL[name] = curate_real(real_dir, unodc_glotip, name)
    return _REAL[name]


@pytest.mark.real
@pytest.mark.parametrize("name", sorted(INDICATOR_ROWS))
def test_real_every_row_lands_somewhere(real_dir, name):
    snap, raw, part = _real(real_dir, name)
    assert_rows_reconcile(part, name)
    assert part.rows_quarantined == QUARANTINED[name]
    assert set(part.quarantine["check"]) <= {"category_not_item_code"}
    landed = pd.concat([part.tables["crimes"]["raw_row"], part.tables["prosecutions"]["raw_row"],
                        part.quarantine["raw_row"]])
    assert sorted(landed) == sorted(raw.raw_rows)  # each row once: a table or quarantine
    by_row = raw.frame["Indicator"].set_axis(raw.raw_rows)
    assert by_row.value_counts().to_dict() == INDICATOR_ROWS[name]
    assert by_row[part.tables["crimes"]["raw_row"]].isin(
        [VICTIMS, "Offences of trafficking in persons"]).all()
    assert (part.tables["prosecutions"]["subject"] == "offender").all()


@pytest.mark.real
@pytest.mark.parametrize("name", sorted(INDICATOR_ROWS))
def test_real_values_bounds_and_leftovers(real_dir, name):
    _, _, part = _real(real_dir, name)
    records = part.records
    withheld = records[records["source_suppressed"]]
    assert len(withheld) == WITHHELD[name]
    assert withheld["value"].isna().all()
    assert (withheld["value_min"] == 0).all() and (withheld["value_max"] == 4).all()
    crimes = part.tables["crimes"]
    usa = crimes[(crimes["country_iso3"] == "USA") & (crimes["year"] == 2018)
                 & (crimes["breakdown"] == "total") & (crimes["unit"] == "persons")
                 & (crimes["sex"] == "all") & (crimes["age_group"] == "all")]
    assert usa["value"].tolist() == [8913]  # "8,913"
    unmapped = dict(zip(part.unmapped["value"], part.unmapped["rows"]))
    assert unmapped == UNMAPPED[name]
    repatriation = crimes["breakdown"] == "by_country_of_repatriation"
    assert (crimes.loc[repatriation, "nationality"] == "all").all()
    assert crimes.loc[repatriation, "flags"].str.startswith("not_in_stats:repatriation").all()


@pytest.mark.real
@pytest.mark.parametrize("name, table", sorted(MARGINS))
def test_real_margin_report(real_dir, name, table):
    """The source does not add up; the report says by how much, and these are its counts."""
    _, _, part = _real(real_dir, name)
    report = unodc_glotip.margin_report(part.tables[table], table)
    counts = report.groupby(["dimension", "outcome"]).size().unstack(fill_value=0)
    measured = {dim: tuple(int(counts.loc[dim].get(o, 0)) for o in unodc_glotip.OUTCOMES)
                for dim in counts.index}
    assert measured == MARGINS[(name, table)]


@pytest.mark.real
def test_real_mexico_2021_sex_shortfall_is_unknown(real_dir):
    _, _, part = _real(real_dir, "2025-04-14")
    crimes = part.tables["crimes"]
    mex = crimes[(crimes["country_iso3"] == "MEX") & crimes["year"].isin([2015, 2021])]
    report = unodc_glotip.margin_report(mex, "crimes")
    row = report[(report["dimension"] == "sex") & (report["year"] == 2021)
                 & (report["unit"] == "persons") & (report["age_group"] == "all")
                 & (report["crime_type"] == "all") & (report["nationality"] == "all")]
    assert row[["parts_min", "total_min", "outcome"]].values.tolist() == [[21, 115, "short"]]
    stats, problems = _stats(mex, "crimes")
    assert _cell(stats, "crimes", year=2021, unit="persons", country_iso3="MEX")["value"] == 115
    # The 94 not split by sex are GLOTIP's own Unknown/Unknown row, published as it is.
    assert _cell(stats, "crimes", year=2021, unit="persons", country_iso3="MEX",
                 sex="unknown", age_group="unknown")["value"] == 94
    # Sex unknown at every age is not published by GLOTIP: the Total table implies 94, its forms
    # of exploitation 7 + 26 + 62 = 95. No single value is supported: a range, value null.
    unknown = _cell(stats, "crimes", year=2021, unit="persons", country_iso3="MEX", sex="unknown")
    assert pd.isna(unknown["value"]) and (unknown["value_min"], unknown["value_max"]) == (94, 95)
    spec = STREAMS["crimes"]
    assert case_margin_violations(stats, spec["fixed"], spec["dims"], problems).empty


@pytest.mark.real
def test_real_prosecutions_margins_add_up_or_are_listed(real_dir):
    """Invariant 1 on real GLOTIP cells: a margin adds up within the bounds of "<5", its
    shortfall is published as unknown, or its excess is listed (countries chosen for their
    inconsistencies: the statistics of a whole table take minutes)."""
    _, _, part = _real(real_dir, "2025-04-14")
    records = part.tables["prosecutions"]
    records = records[records["country_iso3"].isin(["MEX", "AGO", "ALB", "ARE", "PAK"])]
    stats, problems = _stats(records, "prosecutions")
    spec = STREAMS["prosecutions"]
    assert case_margin_violations(stats, spec["fixed"], spec["dims"], problems).empty
    # Every excess of a sex split the report finds is listed as a source inconsistency.
    report = unodc_glotip.margin_report(records, "prosecutions")
    sex_excess = report[(report["dimension"] == "sex") & (report["outcome"] == "excess")
                        & ~report["total_withheld"]]
    found = set(sex_excess[["year", "total_max", "parts_min", "parts_max"]].itertuples(index=False))
    listed = problems[problems["dimension"] == "sex"]
    assert len(found) >= 4
    assert found <= set(listed[["year", "published_total", "parts_min", "parts_max"]]
                        .itertuples(index=False))


@pytest.mark.real
def test_real_two_countries_margins_add_up_or_are_listed(real_dir):
    _, _, part = _real(real_dir, "2025-04-14")
    records = part.tables["crimes"]
    records = records[records["country_iso3"].isin(["MEX", "BOL"]) & (records["year"] == 2014)]
    stats, problems = _stats(records, "crimes")
    spec = STREAMS["crimes"]
    assert not (stats["country_iso3"] == "UNKNOWN").any()
    assert case_margin_violations(stats, spec["fixed"], spec["dims"], problems).empty


# --- the sheet saved as CSV -------------------------------------------------------------------

def _csv(rows: list[list], titles: tuple = ()) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for title in titles:
        writer.writerow(list(title))
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_csv_of_the_sheet_is_read_with_line_numbers(tmp_path):
    rows = [_row(), _row(sex="Female", value="<5"), _row(sex="Male", value="1,006")]
    snap, path = write_snapshot(tmp_path, unodc_glotip, "2025-04-14", "data_glotip.csv", _csv(rows),
                                ("2003-01-01", "2025-04-14"))
    raw = unodc_glotip.read_raw(path)
    assert raw.format_version == "sheet_csv_2023"
    assert raw.raw_rows.tolist() == [2, 3, 4]
    crimes = unodc_glotip.to_curated(raw, snap).tables["crimes"]
    assert crimes["value"].tolist()[::2] == [115, 1006]
    assert crimes["value_max"].tolist()[1] == 4


def test_csv_with_the_title_rows_kept_fails_naming_the_file(tmp_path):
    snap, path = write_snapshot(tmp_path, unodc_glotip, "2025-04-14", "data_glotip.csv",
                                _csv([_row()], titles=(("UNODC",), ("14/04/2025",))),
                                ("2003-01-01", "2025-04-14"))
    with pytest.raises(RawFormatError, match="data_glotip.csv"):
        list(unodc_glotip.read_raw_chunks(path, 1000))


def _parts(result: dict, kind: str) -> pd.DataFrame:
    frames = [pd.read_parquet(p) for p in process.part_list((result["parts"] or {}).get(kind))]
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True)
    keys = [c for c in ("raw_row", "record_id", "column", "check", "mapping", "value") if c in frame]
    return frame.drop(columns=["raw_file", "raw_sha256", "file"], errors="ignore").sort_values(keys, ignore_index=True)


@pytest.mark.real
def test_real_release_saved_as_csv_gives_the_workbooks_records_whole_and_in_chunks(
        real_dir, tmp_path, monkeypatch):
    """The 2025 workbook saved as CSV (in tmp) gives the same records, ids, quarantine and
    unmapped counts as the workbook, its rows numbered as CSV lines (sheet row - 2), read
    whole or in chunks of 7,000 rows (identical rows, and so content-id occurrence numbers,
    then fall in different chunks)."""
    snap_x, raw_x, _ = _real(real_dir, "2025-04-14")
    snap, path = write_snapshot(tmp_path / "raw", unodc_glotip, "2025-04-14", "data_glotip.csv",
                                raw_x.frame.to_csv(index=False).encode("utf-8"),
                                ("2003-01-01", "2025-04-14"))
    from_xlsx = process.process_file("unodc_glotip", snap_x, raw_x.path, tmp_path / "x").to_dict()
    monkeypatch.setattr(process, "CHUNK_ROWS", 7000)
    chunked = process.process_file("unodc_glotip", snap, path, tmp_path / "c").to_dict()
    assert len(chunked["parts"]["quarantine"]) > 1  # really read in chunks
    for key in ("status", "rows_read", "rows_accepted", "rows_quarantined", "rows_flagged"):
        assert from_xlsx[key] == chunked[key], key
    for kind in ("crimes", "prosecutions", "quarantine", "unmapped"):
        expected = _parts(from_xlsx, kind)
        if "raw_row" in expected:
            expected["raw_row"] -= 2
        pd.testing.assert_frame_equal(expected, _parts(chunked, kind), check_dtype=False)


def test_a_snapshot_holding_the_workbook_and_its_csv_fails_naming_both(tmp_path):
    """One release in two formats would be counted twice: the snapshot fails (and the source
    is carried forward) instead."""
    snap, path = write_snapshot(tmp_path / "raw", unodc_glotip, "2025-04-14", "data_glotip.xlsx",
                                _xlsx([_row()]), ("2003-01-01", "2025-04-14"))
    (path.parent / "data_glotip.csv").write_bytes(_csv([_row()]))
    summary = process.process_source("unodc_glotip", tmp_path / "raw", "all", tmp_path / "work")
    (result,) = summary["files"]
    assert result["status"] == "failed"
    assert "data_glotip.csv, data_glotip.xlsx" in result["error"] and "counted twice" in result["error"]
