"""Toronto Police hate-crime occurrences: a hand-written excerpt in the readr-written layout of
the copy held (`None`, literal `NA`, trailing spaces, `NSA`, zero-padded codes, several biases
in one cell), the real file (skipped when absent) and the generated sample."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.samples.ca_toronto_hate_crime import write_samples
from pipelines.sources import ca_toronto_hate_crime as toronto
from pipelines.sources.base import RawFormatError
from pipelines.stats.cases import STREAMS, case_stats
from pipelines.stats.checks import case_margin_violations
from tests.helpers import curate, curate_real, curate_samples, write_snapshot

SOURCE = toronto.SOURCE.id
HEADER = ("_id,EVENT_UNIQUE_ID,OCCURRENCE_YEAR,OCCURRENCE_DATE,OCCURRENCE_TIME,REPORTED_YEAR,"
          "REPORTED_DATE,REPORTED_TIME,DIVISION,LOCATION_TYPE,AGE_BIAS,"
          "MENTAL_OR_PHYSICAL_DISABILITY,RACE_BIAS,ETHNICITY_BIAS,LANGUAGE_BIAS,RELIGION_BIAS,"
          "SEXUAL_ORIENTATION_BIAS,GENDER_BIAS,MULTIPLE_BIAS,PRIMARY_OFFENCE,HOOD_158,"
          "NEIGHBOURHOOD_158,HOOD_140,NEIGHBOURHOOD_140,ARREST_MADE")
# Rows 2-13 as a spreadsheet numbers them (header = 1).
ROWS = [
    # 2: one religion bias, trailing space in LOCATION_TYPE, zero-padded hood, hate propaganda
    "1,GO-1,2018,2018-01-03,1200,2018,2018-01-05,1321,D13,Other Commercial / Corporate Places ,"
    "NO,NO,None,None,None,Jewish,None,None,NO,Wilful Promotion of Hatred,102,Forest Hill North (102),"
    "102,Forest Hill North (102),NO",
    # 3: LOCATION_TYPE literal NA, an arrest
    "2,GO-2,2018,2018-01-08,1757,2018,2018-01-08,1757,D53,NA,NO,NO,None,None,None,Muslim,None,None,"
    "NO,Assault,099,Mount Pleasant East (99),099,Mount Pleasant East (99),YES",
    # 4: two races in one cell; occurred in 2020, reported in 2021; NSA hood
    "3,GO-3,2020,2020-12-29,2300,2021,2021-01-02,900,NSA,Streets/Roadways/Highway,NO,NO,"
    '"Black, East/Southeast Asian",None,None,None,None,None,YES,Assault With a Weapon,NSA,NSA,NSA,'
    "NSA,YES",
    # 5: race and religion across columns, MULTIPLE_BIAS YES
    "4,GO-4,2021,2021-03-25,0,2021,2021-03-25,1130,D32,Public Transportation,NO,NO,Black,None,None,"
    "Jewish,None,None,YES,Mischief Under $5000,027,York University Heights (27),027,"
    "York University Heights (27),NO",
    # 6: MULTIPLE_BIAS YES with one bias listed
    "5,GO-5,2021,2021-05-15,1,2021,2021-05-16,1,D14,Business/Retail,NO,NO,Latino,None,None,None,"
    "None,None,YES,Criminal Harassment,095,Annex (95),095,Annex (95),NO",
    # 7: a gender bias (sgbv yes through the bias), Retirement Buidling typo
    "6,GO-6,2022,2022-06-01,1400,2022,2022-06-01,1500,D51,"
    '"Apartment Building (Condo, Retirement Buidling, etc.)",NO,NO,None,None,None,None,None,'
    "Woman,NO,Uttering Threats - Bodily Harm,073,Moss Park (73),073,Moss Park (73),NA",
    # 8: national origin bias; a sexual offence
    "7,GO-7,2022,2022-07-01,2000,2022,2022-07-02,100,D52,Open Area,NO,NO,None,Mexican,None,None,"
    "None,None,NO,Sexual Assault,078,Kensington-Chinatown (78),078,Kensington-Chinatown (78),NO",
    # 9: disability YES with a race bias, several ethnicities in one cell
    "8,GO-8,2023,2023-02-01,1000,2023,2023-02-01,1010,D22,NA,NO,YES,None,\"Chinese, Arab\",None,"
    "None,None,None,YES,Assault,001,West Humber-Clairville (1),001,West Humber-Clairville (1),NO",
    # 10: a label no map knows, and an offence no map knows; OCCURRENCE_YEAR blank (date's year)
    "9,GO-9,,2023-03-01,1000,2023,2023-03-01,1010,D22,NA,NO,NO,Martian,None,None,None,None,None,"
    "NO,Jaywalking With Intent,001,West Humber-Clairville (1),001,West Humber-Clairville (1),NO",
    # 11: repeats GO-2 (quarantined)
    "10,GO-2,2023,2023-04-01,1000,2023,2023-04-01,1010,D22,NA,NO,NO,Black,None,None,None,None,None,"
    "NO,Assault,001,West Humber-Clairville (1),001,West Humber-Clairville (1),NO",
    # 12: ARREST_MADE neither YES nor NO (quarantined)
    "11,GO-11,2023,2023-05-01,1000,2023,2023-05-01,1010,D22,NA,NO,NO,Black,None,None,None,None,"
    "None,NO,Assault,001,West Humber-Clairville (1),001,West Humber-Clairville (1),MAYBE",
    # 13: no occurrence year at all (quarantined)
    "12,GO-12,NA,NA,1000,2023,2023-05-01,1010,D22,NA,NO,NO,Black,None,None,None,None,None,NO,"
    "Assault,001,West Humber-Clairville (1),001,West Humber-Clairville (1),NO",
]
EXCERPT = "\n".join([HEADER, *ROWS]) + "\n"
REAL = "2024-09-22"
REAL_OCCURRENCE = {2018: 133, 2019: 135, 2020: 210, 2021: 261, 2022: 246, 2023: 365}
REAL_REPORTED = {2018: 132, 2019: 136, 2020: 209, 2021: 257, 2022: 248, 2023: 368}


def _snapshot(tmp_path, text: str = EXCERPT):
    return write_snapshot(tmp_path, toronto, "2024-09-22", "raw_data.csv", text.encode("utf-8"),
                          ("2018-01-01", "2023-12-31"))


def _stats(records: pd.DataFrame, stream: str):
    info = (records[["source", "snapshot"]].drop_duplicates()
            .assign(is_latest=True, period_end=pd.Timestamp("2023-12-31")))
    return case_stats(records, stream, {SOURCE: False}, info)


def _grand(stats: pd.DataFrame, stream: str) -> pd.DataFrame:
    dims = list(STREAMS[stream]["dims"])
    return stats[(stats[dims] == "all").all(axis=1)]


@pytest.fixture
def excerpt(tmp_path):
    snap, path = _snapshot(tmp_path)
    return curate(toronto, snap, path)


def test_rows_are_accepted_or_quarantined_with_a_reason(excerpt):
    raw, part = excerpt
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined) == (12, 9, 3)
    assert part.rows_read == len(part.tables["crimes"]) + part.rows_quarantined
    q = part.quarantine.set_index("raw_row")
    assert q.loc[11, "check"] == "record_id_unique" and q.loc[11, "column"] == "EVENT_UNIQUE_ID"
    assert q.loc[12, "check"] == "yes_no" and q.loc[12, "value"] == "MAYBE"
    assert "ARREST_MADE" in q.loc[12, "reason"]
    assert q.loc[13, "check"] == "year_present" and "OCCURRENCE_DATE" in q.loc[13, "reason"]
    crimes = part.tables["crimes"]
    assert len(crimes) == 9 and crimes["raw_row"].tolist() == list(range(2, 11))
    # NA locations, typos, trailing spaces, NSA and zero-padded hoods never quarantine a row.
    assert not set(q.index) & {2, 3, 4, 7, 9}


def test_occurrence_year_is_the_year_and_the_reported_year_is_kept_beside_it(excerpt):
    _, part = excerpt
    c = part.tables["crimes"].set_index("record_id")
    assert (c["year_basis"] == "incident").all()
    assert (c.loc["GO-3", "year"], c.loc["GO-3", "reported_year"]) == (2020, 2021)
    assert (c.loc["GO-1", "year"], c.loc["GO-1", "reported_year"]) == (2018, 2018)
    assert c.loc["GO-9", "year"] == 2023 and c.loc["GO-9", "flags"] == "year_from_date"
    p = part.tables["prosecutions"].set_index("record_id")
    assert p.loc["GO-3|arrest", "reported_year"] == 2021


def test_one_record_per_occurrence_of_value_one(excerpt):
    _, part = excerpt
    c = part.tables["crimes"]
    assert c["record_id"].is_unique and (c["value"] == 1).all()
    assert (c[["unit", "subject", "country_iso3", "population", "breakdown"]] ==
            ["incidents", "incident", "CAN", "general", "occurrences"]).all().all()
    assert c["country_native"].isna().all()
    # The bias is the offender's: the victims' race stays not recorded; nothing else is split.
    assert (c["race_ethnicity"] == "not_recorded").all()
    for dim in ("sex", "gender_identity", "age_group", "nationality", "perpetrator"):
        assert (c[dim] == "all").all(), dim


def test_bias_motivations_single_multiple_and_unknown(excerpt):
    _, part = excerpt
    c = part.tables["crimes"].set_index("record_id")
    assert c.loc["GO-1", "bias_motivation"] == "anti_jewish"
    assert c.loc["GO-2", "bias_motivation"] == "anti_islamic_muslim"
    assert c.loc["GO-6", "bias_motivation"] == "anti_female"
    # National origin is a bias motivation (never the victim's nationality).
    assert c.loc["GO-7", "bias_motivation"] == "anti_mexican"
    assert c.loc["GO-7", "nationality"] == "all"
    # Several biases in one cell or across columns count once, as multiple.
    for rid in ("GO-3", "GO-4", "GO-8"):
        assert c.loc[rid, "bias_motivation"] == "multiple", rid
    assert c.loc["GO-3", "bias_motivation_native"] == (
        "RACE_BIAS=Black, East/Southeast Asian; MULTIPLE_BIAS=YES")
    assert c.loc["GO-8", "bias_motivation_native"] == (
        "ETHNICITY_BIAS=Chinese, Arab; MENTAL_OR_PHYSICAL_DISABILITY=YES; MULTIPLE_BIAS=YES")
    # The flag says several, one is listed: multiple, and said.
    assert c.loc["GO-5", "bias_motivation"] == "multiple"
    assert c.loc["GO-5", "flags"] == "multiple_bias_label_missing"
    # A label no map knows is unknown and listed, never quarantined.
    assert c.loc["GO-9", "bias_motivation"] == "unknown"
    unmapped = part.unmapped.set_index("value")
    assert unmapped.loc["Martian", "column"] == "RACE_BIAS"
    assert unmapped.loc["Jaywalking With Intent", "column"] == "PRIMARY_OFFENCE"


def test_a_cell_is_split_only_on_known_labels():
    frame = pd.DataFrame({c: ["None"] * 2 for c in toronto.LABEL_COLUMNS}
                         | {"MENTAL_OR_PHYSICAL_DISABILITY": ["NO"] * 2, "AGE_BIAS": ["NO", "YES"],
                            "MULTIPLE_BIAS": ["NO", "NO"]})
    frame.loc[0, "RACE_BIAS"] = "Black, Martian"
    parts = toronto.bias_parts(frame, UnmappedLog())
    assert parts.loc[parts["row"] == 0, "label"].tolist() == ["Black, Martian"]
    assert parts.loc[parts["row"] == 0, "bias_motivation"].tolist() == ["unknown"]
    # AGE_BIAS is NO in every row of the real file; a YES would be the age motivation.
    assert parts.loc[parts["row"] == 1, "bias_motivation"].tolist() == ["age_any"]
    biases = toronto.occurrence_biases(frame, parts)
    assert biases["bias_motivation"].tolist() == ["unknown", "age_any"]


def test_crime_type_is_the_offence_and_sgbv_the_offence_or_the_bias(excerpt):
    _, part = excerpt
    c = part.tables["crimes"].set_index("record_id")
    assert c.loc["GO-1", ["crime_type", "crime_type_native"]].tolist() == [
        "hate_crime", "Wilful Promotion of Hatred"]
    assert c.loc["GO-4", "crime_type"] == "other"
    assert c.loc["GO-3", "crime_type"] == "assault"
    assert c.loc["GO-9", "crime_type"] == "unknown"
    assert c.loc["GO-7", ["crime_type", "sgbv"]].tolist() == ["sexual_assault_other", "yes"]
    assert c.loc["GO-6", ["crime_type", "sgbv"]].tolist() == ["threats", "yes"]  # the bias
    assert c.loc["GO-1", "sgbv"] == "no"
    assert c.loc["GO-4", "sgbv"] == "no"  # two biases, both known not gender-based
    assert c.loc["GO-5", "sgbv"] == "unknown"  # an unlisted bias could be


def test_arrests_are_the_suspect_identified_stage_beside_every_occurrence_recorded(excerpt):
    _, part = excerpt
    p = part.tables["prosecutions"].set_index("record_id")
    recorded = p[p["stage"] == "recorded"]
    assert len(recorded) == 9 and recorded["stage_native"].isna().all()
    arrests = p[p["stage"] == "suspect_identified"]
    assert sorted(arrests.index) == ["GO-2|arrest", "GO-3|arrest"]
    assert (arrests["stage_native"] == "ARREST_MADE=YES").all()
    assert p.loc["GO-6|arrest_unknown", ["stage", "stage_native"]].tolist() == [
        "unknown", "ARREST_MADE=NA"]
    assert p.loc["GO-3|arrest", ["offence", "unit", "subject"]].tolist() == [
        "assault", "incidents", "incident"]


def test_statistics_keep_stages_apart_and_margins_add_up(excerpt):
    _, part = excerpt
    stats, problems = _stats(part.tables["prosecutions"], "prosecutions")
    assert problems.empty and "all" not in set(stats["stage"])
    grand = _grand(stats, "prosecutions").set_index(["year", "stage"])["value"].to_dict()
    assert grand == {(2018, "recorded"): 2, (2018, "suspect_identified"): 1,
                     (2020, "recorded"): 1, (2020, "suspect_identified"): 1,
                     (2021, "recorded"): 2, (2022, "recorded"): 2, (2022, "unknown"): 1,
                     (2023, "recorded"): 2}
    spec = STREAMS["prosecutions"]
    assert case_margin_violations(stats, spec["fixed"], spec["dims"], problems).empty

    stats, problems = _stats(part.tables["crimes"], "crimes")
    assert problems.empty
    grand = _grand(stats, "crimes")
    assert grand.set_index("year")["value"].to_dict() == {2018: 2, 2020: 1, 2021: 2, 2022: 2,
                                                          2023: 2}
    assert set(grand["year_basis"]) == {"incident"}
    spec = STREAMS["crimes"]
    assert case_margin_violations(stats, spec["fixed"], spec["dims"], problems).empty
    race = stats[(stats["race_ethnicity"] != "all")]
    assert set(race["race_ethnicity"]) == {"not_recorded"}


def test_a_renamed_column_fails_naming_it(tmp_path):
    snap, path = _snapshot(tmp_path, EXCERPT.replace("ARREST_MADE", "ARRESTED", 1))
    with pytest.raises(RawFormatError, match="ARREST_MADE"):
        toronto.SOURCE.read_raw(path)


def test_samples_parse_and_reconcile(tmp_path):
    (found,) = curate_samples(tmp_path, toronto, write_samples)
    snap, _, raw, part = found
    assert snap.is_sample and snap.name.startswith("SAMPLE-")
    assert part.rows_read == 125 and part.rows_quarantined == 0
    c = part.tables["crimes"]
    assert len(c) == 125 and part.unmapped.empty
    assert (c["reported_year"] != c["year"]).any()
    assert {"multiple", "anti_jewish", "anti_mexican"} <= set(c["bias_motivation"])
    assert "multiple_bias_label_missing" in set(c["flags"])


@pytest.mark.real
def test_real_file_every_occurrence_by_occurrence_and_reported_year(real_dir):
    snap, raw, part = curate_real(real_dir, toronto, REAL)
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined) == (1350, 1350, 0)
    assert part.unmapped.empty, part.unmapped
    c = part.tables["crimes"]
    assert c.groupby("year").size().to_dict() == REAL_OCCURRENCE
    assert c.groupby("reported_year").size().to_dict() == REAL_REPORTED
    assert int((c["year"] != c["reported_year"]).sum()) == 10
    assert int((c["bias_motivation"] == "multiple").sum()) == 166
    assert int((c["bias_motivation"] == "unknown").sum()) == 0
    assert (c["flags"].str.contains("multiple_bias_label_missing")).sum() == 7
    # The quirks: NA locations, NSA and zero-padded hoods are read as published text.
    assert (raw.frame["LOCATION_TYPE"] == "NA").sum() == 37
    assert (raw.frame["HOOD_158"] == "NSA").sum() == 29
    assert raw.frame["HOOD_158"].str.fullmatch(r"\d{3}|NSA").all()
    assert set(raw.frame["AGE_BIAS"]) == {"NO"}


@pytest.mark.real
def test_real_file_arrests_and_statistics(real_dir):
    snap, raw, part = curate_real(real_dir, toronto, REAL)
    p = part.tables["prosecutions"]
    assert p.groupby("stage").size().to_dict() == {"recorded": 1350, "suspect_identified": 270}
    for stream in ("crimes", "prosecutions"):
        stats, problems = _stats(part.tables[stream], stream)
        assert problems.empty
        spec = STREAMS[stream]
        assert case_margin_violations(stats, spec["fixed"], spec["dims"], problems).empty
    grand = _grand(stats, "prosecutions").set_index(["year", "stage"])["value"]
    assert grand.xs("recorded", level="stage").to_dict() == REAL_OCCURRENCE
    assert int(grand.xs("suspect_identified", level="stage").sum()) == 270
    assert part.rows_read == len(part.tables["crimes"]) + part.rows_quarantined
