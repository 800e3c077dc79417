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

from pipelines.samples.unodc_glotip import write_samples
from pipelines.sources import process
from pipelines.sources import curate, unodc_glotip
from pipelines.sources.base import RawFormatError
from pipelines.sources.cases import statistics_input
from pipelines.stats.cases import STREAMS, case_stats
from pipelines.stats.checks import case_margin_violations
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


@pytest.mark.parametrize("total, counted", [("12", (12, 12, 12)), ("6", (6, 6, 6)),
                                             ("40", (None, 6, 12))])
def test_identical_rows_count_as_the_breakdown_total_says(tmp_path, total, counted):
    """Two identical rows (content ids -1 and -2) count twice where that adds up to the
    total, once where once does, and as the range [once, twice], listed, where neither does
    (invariant 5)."""
    sub_form = _row(dimension="by form of exploitation", category="Other forms of exploitation",
                    value="6")
    _, part = _curate(tmp_path, [_row(value=total), sub_form, list(sub_form)])
    crimes = part.tables["crimes"]
    ids = crimes["record_id"].tolist()
    assert len(set(ids)) == 3 and ids[1].endswith("-1") and ids[2].endswith("-2")
    assert ids[1][:-2] == ids[2][:-2]
    stats, problems = _stats(crimes, "crimes")
    other = _cell(stats, "crimes", country_iso3="MEX", crime_type="trafficking_other", sgbv="no")
    value = None if pd.isna(other["value"]) else other["value"]
    assert (value, other["value_min"], other["value_max"]) == counted
    listed = problems[problems["dimension"] == "repeated_rows"]
    assert len(listed) == (value is None)
    spec = STREAMS["crimes"]
    assert case_margin_violations(stats, spec["fixed"], spec["dims"], problems).empty


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
        ["Category", "category_not_item_code", "Q6.1_10s_2021"],
        ["Category", "block_of_item_codes", "Nationals"],  # 6,112,021: its block's row
        ["txtVALUE", "cell_within_total", "61,102,021"],
        ["txtVALUE", "cell_within_total", "6,112,021"],
        ["txtVALUE", "cell_within_total", "120"],
        ["txtVALUE", "cell_within_population", "61,102,021"]]  # Sierra Leone: 8.8 million
    reasons = q25.set_index("check")["reason"]
    assert reasons["cell_within_total"].tolist()[1:] == [
        "txtVALUE 6,112,021 is above its own country-year-indicator Total (<5, at most 4)",
        "txtVALUE 120 is above its own country-year-indicator Total (<5, at most 4)"]
    assert reasons["cell_within_population"] == (
        "txtVALUE 61,102,021 is above the largest population of SLE (8,791,092, World Bank "
        "SP.POP.TOTL 2000-2023)")
    assert q25["raw_row"].nunique() == 3


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
# Invariant 6: cells above their own country-year-indicator Total (2023: 317; 2025: 673 more
# rows), and in 2025 the PAK and SLE persons-convicted citizenship blocks of 2019-21, whose
# categories are questionnaire item codes (120 rows, and the 6 "Nationals" rows among them).
QUARANTINED = {"2023-05-30": 317, "2025-04-14": 799}
QUARANTINE_CHECKS = {"category_not_item_code", "block_of_item_codes", "cell_within_total",
                     "cell_within_population"}
# Values no mapping places (UNKNOWN, listed): the reporting "countries" Sark and Aruba/Curacao
# have no code; "Nationality" and bare numbers are not citizenships.
UNMAPPED = {"2023-05-30": {"Sark": 26, "Nationality": 6, "0": 3, "Aruba/Curacao": 1},
            "2025-04-14": {"Sark": 26, "0": 10, "Nationality": 3, "145": 1, "2": 1, "3": 1,
                           "6": 1}}
# The source's own margins (margin_report): per dimension, how many published totals their
# published parts match exactly / within the bounds of "<5" / fall short of / exceed.
MARGINS = {
    ("2023-05-30", "crimes"): {
        "sex": (1333, 2781, 298, 202), "age_group": (1713, 2487, 244, 84),
        "nationality": (122, 470, 314, 29), "crime_type": (416, 2129, 851, 478)},
    ("2023-05-30", "prosecutions"): {
        "sex": (401, 1015, 152, 57), "age_group": (453, 2030, 82, 2),
        "nationality": (29, 122, 22, 0), "offence": (29, 325, 75, 251)},
    ("2025-04-14", "crimes"): {
        "sex": (1640, 3740, 358, 236), "age_group": (2087, 3060, 316, 109),
        "nationality": (133, 533, 413, 38), "crime_type": (484, 2958, 1104, 623)},
    ("2025-04-14", "prosecutions"): {
        "sex": (511, 1622, 507, 237), "age_group": (623, 3047, 174, 33),
        "nationality": (45, 188, 44, 2), "offence": (28, 354, 108, 258)},
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
    assert set(part.quarantine["check"]) <= QUARANTINE_CHECKS
    landed = pd.concat([part.tables["crimes"]["raw_row"], part.tables["prosecutions"]["raw_row"],
                        part.quarantine["raw_row"].drop_duplicates()])
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
    # The 94 not split by sex are GLOTIP's own Unknown/Unknown row, published as it is, and
    # the sex of Mexico's victims is the Total table's alone (its forms of exploitation, with
    # sexes short by 7 + 26 + 62 = 95, keep their shortfalls to themselves: invariant 5).
    assert _cell(stats, "crimes", year=2021, unit="persons", country_iso3="MEX",
                 sex="unknown", age_group="unknown")["value"] == 94
    unknown = _cell(stats, "crimes", year=2021, unit="persons", country_iso3="MEX", sex="unknown")
    assert (unknown["value"], unknown["breakdown"]) == (94, "total")
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
    rows = [_row(value="1,115"), _row(sex="Female", value="<5"), _row(sex="Male", value="1,006")]
    snap, path = write_snapshot(tmp_path, unodc_glotip, "2025-04-14", "data_glotip.csv", _csv(rows),
                                ("2003-01-01", "2025-04-14"))
    raw = unodc_glotip.read_raw(path)
    assert raw.format_version == "sheet_csv_2023"
    assert raw.raw_rows.tolist() == [2, 3, 4]
    crimes = unodc_glotip.to_curated(raw, snap).tables["crimes"]
    assert crimes["value"].tolist()[::2] == [1115, 1006]
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
    from_xlsx = process.process_file(unodc_glotip.SOURCE, snap_x, raw_x.path, tmp_path / "x").to_dict()
    monkeypatch.setenv("HARMSTATS_CHUNK_ROWS", "7000")
    chunked = process.process_file(unodc_glotip.SOURCE, snap, path, tmp_path / "c").to_dict()
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
