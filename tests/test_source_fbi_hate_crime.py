"""FBI hate crime source: hand-written excerpts of its three products (the incident file
also as a zip, read from the archive), the real files (skipped when absent), the bias and
offender-race mappings and the generated samples."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile

import pandas as pd
import pytest

from pipelines import snapshots
from pipelines.harmonize.categories import MAPS
from pipelines.harmonize.labels import normalise_label
from pipelines.samples.fbi_hate_crime import write_samples
from pipelines.sources import process
from pipelines.sources import fbi_hate_crime as fbi
from pipelines.sources.base import RawFormatError
from pipelines.sources.reports import strip_footnote
from pipelines.stats.cases import STREAMS, case_stats
from pipelines.stats.checks import case_margin_violations
from schemas.raw.fbi_hate_crime import HEADERS
from tests.conftest import real_snapshot
from tests.helpers import curate, curate_real, curate_samples, write_snapshot

DIMS = STREAMS["crimes"]["dims"]
FIXED = STREAMS["crimes"]["fixed"]
INCIDENT_HEADER = ",".join(f'"{c}"' for c in HEADERS["incidents"])
TABLE1_TOTALS = {2015: 5850, 2016: 6121, 2017: 7175, 2018: 7120, 2019: 7314}
TABLE1_SINGLE = {2015: 5818, 2016: 6063, 2017: 7106, 2018: 7036, 2019: 7103}
TABLE1_MULTIPLE = {2015: 32, 2016: 58, 2017: 69, 2018: 84, 2019: 211}


def _incident(incident_id, year="1991", date="31-AUG-91", state="AR", bias="Anti-White",
              multiple="S", offender_race="Black or African American") -> str:
    """One record of the CDE incident file, quoted as published (the date unquoted)."""
    head = [incident_id, year]
    quoted = ["AR0040200", "Rogers", "", "City", state, "Arkansas", "West South Central", "South",
              "5", "Cities from 10,000 thru 24,999"]
    tail = ["", "", "1", "", "", f'"{offender_race}"', '""', "1", '"Intimidation"', "1",
            '"Highway/Road/Alley/Street/Sidewalk"', f'"{bias}"', '"Individual"', '"S"',
            f'"{multiple}"']
    return ",".join([*head, *[f'"{q}"' for q in quoted], date, *tail])


def _stats(records: pd.DataFrame):
    """Statistics of the records as the release builds them: `not_in_stats` rows left out."""
    in_stats = records[~records["flags"].str.contains("not_in_stats", regex=False)]
    info = (in_stats[["source", "snapshot"]].drop_duplicates()
            .assign(is_latest=True, period_end=pd.Timestamp("2020-12-31")))
    return case_stats(in_stats, "crimes", {"fbi_hate_crime": False}, info)


def _grand(stats: pd.DataFrame) -> pd.DataFrame:
    return stats[(stats[list(DIMS)] == "all").all(axis=1)]


# --- the bias mapping ---------------------------------------------------------------------------

def test_bias_mapping_is_reviewable_and_unambiguous():
    with (MAPS / "bias_motivations.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["label"].startswith("#")]
    keys = [normalise_label(r["label"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", r["code"]) for r in rows)
    assert {r["sgbv"] for r in rows} <= {"yes", "no", "unknown"}
    codes = {normalise_label(r["label"]): r["code"] for r in rows}
    for label, code in [("Anti-Islamic (Muslem)", "anti_islamic_muslim"),
                        ("ANTI-NOT HISPANIC OR LATINO", "anti_not_hispanic_latino"),
                        ("Anti-Male Homosexual (Gay)", "anti_gay_male"),
                        ('"Anti-Lesbian, Gay, Bisexual, or Transgender (Mixed Group)"',
                         "anti_lgbt_mixed_group"),
                        ("anti-hispanic or latino", "anti_hispanic_latino"),
                        ("Other similar factor", "other_similar_factor")]:
        assert codes[normalise_label(label)] == code
    # Leaf codes (anti_*) and whole categories (*_any) never share a code.
    assert not {c for c in codes.values() if c.startswith("anti_") and c.endswith("_any")}
    gender = {r["code"] for r in rows if r["sgbv"] == "yes"}
    assert gender == {"anti_male", "anti_female", "anti_transgender", "anti_gender_non_conforming",
                      "gender_any", "gender_identity_any", "sex_any", "anti_other_sex", "sex_unknown",
                      "anti_transgender_woman", "anti_transgender_man"}  # the last two: Toronto


def test_footnote_digits_are_stripped_from_labels():
    assert strip_footnote("Multiple-Bias Incidents3") == "Multiple-Bias Incidents"
    assert strip_footnote("Other similar factor 6") == "Other similar factor"
    assert strip_footnote("Race/Ethnicity/Ancestry:") == "Race/Ethnicity/Ancestry:"
    assert strip_footnote("Anti-Atheism/Agnosticism/etc.") == "Anti-Atheism/Agnosticism/etc."
    assert strip_footnote("2") == "2"


# --- state x year x bias counts ---------------------------------------------------------------

def test_state_year_counts(tmp_path):
    text = ("state_postal_abbr,year,bias_motivation,count\n"
            "WV,2014,Anti-Asian,1\n"
            "DC,2014,Anti-Islamic (Muslem),3\n"
            'GU,2013,"Anti-Lesbian, Gay, Bisexual, or Transgender, Mixed Group (LGBT)",2\n'
            "AZ,1991,Anti-Not Hispanic or Latino,4\n"
            "AZ,1991,Anti-Female,2\n"
            "AR,1991,Anti-Martian,5\n"
            "AR,1991,Anti-White,x\n"
            "WV,2014,Anti-Asian,7\n")
    snap, path = write_snapshot(tmp_path, fbi, "2018-05-23", "hate_crime.csv", text.encode(),
                                ("1991-01-01", "2014-12-31"), kind="derived")
    raw, part = curate(fbi, snap, path)
    rec = part.records.set_index("record_id")
    assert raw.format_version == "state_year_bias_counts"
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined, len(rec)) == (8, 6, 2, 6)
    assert set(part.quarantine["check"]) == {"whole_number", "record_id_unique"}
    assert (rec["unit"] == "unspecified").all() and (rec["subject"] == "incident").all()
    assert (rec["breakdown"] == "by_state_and_bias").all()
    assert rec.loc["DC|2014|Anti-Islamic (Muslem)", ["country_iso3", "country_native",
                                                     "bias_motivation", "value"]].tolist() == [
        "USA", "DC", "anti_islamic_muslim", 3]
    gu = rec.loc["GU|2013|Anti-Lesbian, Gay, Bisexual, or Transgender, Mixed Group (LGBT)"]
    assert (gu["country_iso3"], gu["bias_motivation"]) == ("GUM", "anti_lgbt_mixed_group")
    assert rec.loc["AZ|1991|Anti-Not Hispanic or Latino", "bias_motivation"] == "anti_not_hispanic_latino"
    assert rec.loc["AZ|1991|Anti-Female", "sgbv"] == "yes"
    assert rec.loc["WV|2014|Anti-Asian", "sgbv"] == "no"
    assert rec.loc["AR|1991|Anti-Martian", "bias_motivation"] == "unknown"
    assert part.unmapped["value"].tolist() == ["Anti-Martian"]
    # The offender's bias is not the victim's race; victims are not described at all.
    assert (rec[["sex", "nationality", "age_group"]] == "all").all().all()
    assert (rec["race_ethnicity"] == "not_recorded").all()
    assert (rec["crime_type"] == "hate_crime").all()


def test_states_are_summed_into_the_country_cell(tmp_path):
    text = ("state_postal_abbr,year,bias_motivation,count\n"
            "NY,2001,Anti-Arab,10\nNJ,2001,Anti-Arab,5\nNJ,2001,Anti-Jewish,7\n")
    snap, path = write_snapshot(tmp_path, fbi, "2018-05-23", "hate_crime.csv", text.encode(),
                                ("1991-01-01", "2014-12-31"), kind="derived")
    _, part = curate(fbi, snap, path)
    stats, problems = _stats(part.records)
    usa_arab = stats[(stats["bias_motivation"] == "anti_arab") & (stats["country_iso3"] == "USA")
                     & (stats[[d for d in DIMS if d not in ("bias_motivation", "country_iso3",
                                                             "crime_type", "sgbv")]] == "all").all(axis=1)]
    assert set(usa_arab["value"]) == {15}
    assert _grand(stats)["value"].tolist() == [22]
    assert case_margin_violations(stats, FIXED, DIMS, problems).empty


# --- Table 1 report ---------------------------------------------------------------------------

TABLE1 = ("\ufeffTable 1 ,,,\r\nIncidents,,,\r\n\"by Bias Motivation, 2018-2019\",,,\r\n"
          ",2018,2019\r\n"
          "Total,31,40\r\n"
          "Single-Bias Incidents,28,35\r\n"
          "Race/Ethnicity/Ancestry:,20,26\r\n"
          "Anti-White,5,6\r\n"
          "Anti-Hispanic or Latino,15,20\r\n"
          "Gender Identity:,8,10\r\n"
          "Anti-Transgender,8,9\r\n"
          "Multiple-Bias Incidents3,3,5\r\n"
          "\"1 The term victim may refer to a person, business, institution, or society as a whole.\",,\r\n"
          "3 A multiple-bias incident is an incident in which one or more offense types are motivated by two or more biases.,,")


def test_table1_rows_years_subtotals_and_total(tmp_path):
    snap, path = write_snapshot(tmp_path, fbi, "2020-11-16", "Hate Crimes Incidents.csv",
                                TABLE1.encode("utf-8"), ("2018-01-01", "2019-12-31"))
    raw, part = curate(fbi, snap, path)
    rec = part.records.set_index("record_id")
    assert raw.format_version == "table1_report"
    assert raw.raw_rows.tolist() == list(range(5, 13))  # title and footnote rows are not table rows
    assert (part.rows_read, part.rows_quarantined, len(rec)) == (8, 0, 16)
    assert (rec["unit"] == "incidents").all()
    total = rec.loc["2019|Total"]
    assert (total["bias_motivation"], total["sgbv"], total["breakdown"], total["value"]) == (
        "all", "all", "total", 40)
    leaf = rec.loc["2018|Race/Ethnicity/Ancestry|Anti-Hispanic or Latino"]
    assert (leaf["bias_motivation"], leaf["breakdown"], leaf["flags"], leaf["raw_row"]) == (
        "anti_hispanic_latino", "by_bias_motivation", "", 9)
    multiple = rec.loc["2018|Multiple-Bias Incidents"]
    assert (multiple["bias_motivation"], multiple["sgbv"], multiple["value"]) == ("multiple", "unknown", 3)
    assert rec.loc["2019|Gender Identity|Anti-Transgender", "sgbv"] == "yes"
    subtotals = rec[rec["breakdown"] == "bias_group_subtotal"]
    assert sorted(subtotals.index) == ["2018|Gender Identity", "2018|Race/Ethnicity/Ancestry",
                                       "2018|Single-Bias Incidents", "2019|Gender Identity",
                                       "2019|Race/Ethnicity/Ancestry", "2019|Single-Bias Incidents"]
    assert subtotals["flags"].str.contains("not_in_stats").all()
    assert set(subtotals["bias_motivation"]) == {"race_ethnicity_any", "gender_identity_any",
                                                 "single_bias_any"}
    # 2019: the Gender Identity subtotal (10) is not its one leaf (9): said, not fixed.
    assert "subtotal_differs_from_parts" in rec.loc["2019|Gender Identity", "flags"]
    assert "subtotal_differs_from_parts" in rec.loc["2019|Single-Bias Incidents", "flags"]
    assert "subtotal_differs_from_parts" not in rec.loc["2018|Gender Identity", "flags"]

    stats, problems = _stats(part.records)
    grand = _grand(stats).set_index("year")["value"]
    assert grand.to_dict() == {2018: 31, 2019: 40}
    # 2019: leaves 6 + 20 + 9 + multiple 5 = 40 = Total; no subtotal counted twice.
    assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty


def test_table1_short_and_unreadable_rows_are_quarantined(tmp_path):
    text = TABLE1.replace("Anti-White,5,6", "Anti-White,5").replace("Anti-Transgender,8,9",
                                                                    "Anti-Transgender,8,n/a")
    snap, path = write_snapshot(tmp_path, fbi, "2020-11-16", "Hate Crimes Incidents.csv",
                                text.encode("utf-8"), ("2018-01-01", "2019-12-31"))
    _, part = curate(fbi, snap, path)
    q = part.quarantine.set_index("raw_row")
    assert part.rows_read == part.rows_accepted + part.rows_quarantined == 8
    assert q.loc[8, "check"] == "complete_record" and "line 8" in q.loc[8, "reason"]
    assert q.loc[11, "check"] == "whole_number" and q.loc[11, "column"] == "2019"
    assert len(part.records) == 2 * 6


# --- incident file ------------------------------------------------------------------------------

def test_incidents_biases_and_a_truncated_file(tmp_path):
    lines = [INCIDENT_HEADER,
             _incident("3015", bias="Anti-Hispanic or Latino", offender_race="White"),
             _incident("3016", bias="Anti-Gay (Male);Anti-White", multiple="M"),
             _incident("3017", bias="Anti-Female;Anti-Jewish", multiple="M"),
             _incident("3018", year="1992", date="03-JAN-92", bias="Anti-Arab"),
             _incident("3019", year="1992", date="04-JAN-91", state="ZZ", bias="Anti-Asian"),
             '8883,1992,"']
    snap, path = write_snapshot(tmp_path, fbi, "2021-05-02", "hate_crime.csv",
                                "\n".join(lines).encode(), ("1991-01-01", "1992-12-31"),
                                kind="partial")
    raw, part = curate(fbi, snap, path)
    rec = part.records.set_index("record_id")
    assert raw.format_version == "incidents"
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined) == (6, 5, 1)
    (cut,) = part.quarantine.itertuples()
    assert (cut.raw_row, cut.check) == (7, "complete_record")
    assert "hate_crime.csv, line 7" in cut.reason and "3 of 28 fields" in cut.reason
    assert (rec["value"] == 1).all() and (rec["unit"] == "incidents").all()
    offenders = rec[rec["subject"] == "offender"]
    rec = rec[rec["subject"] == "incident"]
    assert (rec["breakdown"] == "incident_level").all() and len(rec) == len(offenders) == 5
    assert rec.loc["3015", ["bias_motivation", "sgbv", "year"]].tolist() == [
        "anti_hispanic_latino", "no", 1991]
    assert rec.loc["3016", ["bias_motivation", "sgbv", "bias_motivation_native"]].tolist() == [
        "multiple", "no", "Anti-Gay (Male);Anti-White"]
    assert rec.loc["3017", ["bias_motivation", "sgbv"]].tolist() == ["multiple", "yes"]
    assert rec.loc["3015", "crime_type_native"] == "Intimidation"
    # The offender's race is kept as published, on records whose subject is the offender,
    # never on the incident (whose victims' race the file does not give).
    assert (rec["race_ethnicity"] == "not_recorded").all()
    assert offenders.loc["3015|offender", ["race_ethnicity", "breakdown", "bias_motivation"]].tolist() == [
        "white", "by_offender_race", "all"]
    assert (offenders.drop("3015|offender")["race_ethnicity"] == "black_afrodescendant").all()
    assert (offenders["raw_row"].tolist() == rec["raw_row"].tolist())
    assert rec.loc["3019", "country_iso3"] == "UNKNOWN"
    assert "date_year_differs" in rec.loc["3019", "flags"]
    # The file ends mid-record in 1992: that year is incomplete, and its records say so.
    assert rec.loc[["3018", "3019"], "flags"].str.contains(fbi.TRUNCATED_FLAG).all()
    assert not rec.loc[["3015", "3016", "3017"], "flags"].str.contains(fbi.TRUNCATED_FLAG).any()
    assert set(part.unmapped["value"]) == {"ZZ"}


def test_a_malformed_record_inside_the_file_is_quarantined_by_line(tmp_path):
    lines = [INCIDENT_HEADER, _incident("1"), _incident("2") + ',"extra"', _incident("3"),
             _incident("3")]
    snap, path = write_snapshot(tmp_path, fbi, "2021-05-02", "hate_crime.csv",
                                "\n".join(lines).encode(), ("1991-01-01", "1991-12-31"))
    _, part = curate(fbi, snap, path)
    q = part.quarantine.set_index("raw_row")
    assert sorted(part.records["record_id"]) == ["1", "1|offender", "3", "3|offender"]
    assert q.loc[3, "check"] == "complete_record" and "line 3" in q.loc[3, "reason"]
    assert "29 fields" in q.loc[3, "reason"]
    assert q.loc[5, "check"] == "record_id_unique"
    assert not part.records["flags"].str.contains(fbi.TRUNCATED_FLAG).any()


@pytest.mark.parametrize("text, message", [
    (b"", "empty"),
    (b"<!DOCTYPE html><html>login</html>", "HTML"),
    (b"state,year,bias,count\nNY,1991,Anti-White,1\n", "closest is"),
    (b"Table 1 ,,\nno header here,,\n", "header row of years"),
])
def test_files_that_are_not_a_known_product_fail_clearly(tmp_path, text, message):
    snap, path = write_snapshot(tmp_path, fbi, "2021-05-02", "hate_crime.csv", text,
                                ("1991-01-01", "1991-12-31"))
    with pytest.raises(RawFormatError, match=message):
        fbi.read_raw(path)


# --- the incident file shipped as a zip ----------------------------------------------------------

def _zip_snapshot(tmp_path, members: dict[str, bytes], name: str = "cde_incidents_1991_1992",
                  record: bool = True, sha256: str | None = None):
    """A snapshot folder holding `hate_crime.csv.zip` with these members (and a macOS resource
    fork, as the real one has), its sidecar recording the CSV member as the real one does."""
    folder = tmp_path / fbi.SOURCE.id / name
    folder.mkdir(parents=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
        archive.writestr("__MACOSX/._hate_crime.csv", b"\x00\x05\x16\x07 resource fork")
    (folder / "hate_crime.csv.zip").write_bytes(buffer.getvalue())
    sidecar = {"source": fbi.SOURCE.id, "snapshot": name, "kind": "full", "product": "incidents",
               "period": {"start": "1991-01-01", "end": "1992-12-31"},
               "files": snapshots.describe_files(folder)}
    if record:
        data = members["hate_crime.csv"]
        sidecar["archive_member"] = {"archive": "hate_crime.csv.zip", "member": "hate_crime.csv",
                                     "sha256": sha256 or hashlib.sha256(data).hexdigest(),
                                     "bytes": len(data)}
    (folder / snapshots.SIDECAR).write_text(json.dumps(sidecar), encoding="utf-8")
    return snapshots.load_snapshot(folder, fbi.SOURCE), folder / "hate_crime.csv.zip"


ZIPPED = "\r\n".join([
    INCIDENT_HEADER,
    _incident("101", bias="Anti-Hispanic or Latino", offender_race="White"),
    _incident("102", bias="Anti-Black or African American;Anti-Female", multiple="M",
              offender_race="Multiple").replace('"Intimidation"', '"Aggravated Assault;Simple Assault"')
    .replace('"Individual"', '"Individual;Business;Society/Public"'),
    _incident("103", year="1992", date="02-JAN-92", state="NB", bias="Anti-Jewish", offender_race=""),
    _incident("104", year="1992", date="30-DEC-92", state="GM", bias="Anti-Asian",
              offender_race="Unknown"),
    _incident("101", year="1992", date="31-DEC-92", bias="Anti-White"),  # a repeated id
]) + "\r\n"


def test_the_zip_member_is_read_from_the_archive_and_checked(tmp_path):
    snap, path = _zip_snapshot(tmp_path, {"hate_crime.csv": ZIPPED.encode()})
    assert any(path.match(p) for p in fbi.SOURCE.file_patterns)
    raw, part = curate(fbi, snap, path)
    assert raw.format_version == "incidents" and raw.path == path and raw.name == "hate_crime.csv.zip"
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined) == (5, 4, 1)
    (repeat,) = part.quarantine.itertuples()
    assert (repeat.raw_row, repeat.check) == (6, "record_id_unique")
    rec = part.records.set_index("record_id")
    assert set(rec["raw_file"]) == {"hate_crime.csv.zip"}
    assert set(rec["raw_sha256"]) == {hashlib.sha256(path.read_bytes()).hexdigest()}
    # One incident, several biases, offences and victim types: counted once (invariant 4).
    incident = rec.loc["102"]
    assert (incident["value"], incident["bias_motivation"], incident["sgbv"]) == (1, "multiple", "yes")
    assert incident["crime_type_native"] == "Aggravated Assault;Simple Assault"
    assert rec.loc["102|offender", "race_ethnicity"] == "multiple"
    assert rec.loc["103|offender", "race_ethnicity"] == "unknown"  # blank: not known
    assert rec.loc["104|offender", "race_ethnicity"] == "unknown"
    # UCR's own state codes: NB is Nebraska, GM is Guam.
    assert rec.loc["103", "country_iso3"] == "USA" and rec.loc["104", "country_iso3"] == "GUM"
    # Two-digit years read in DATA_YEAR's century; no date disagrees with its year.
    assert not rec["flags"].str.contains("date_").any()
    assert part.unmapped.empty


def test_a_zip_is_read_in_chunks_as_when_read_whole(monkeypatch, tmp_path):
    snap, path = _zip_snapshot(tmp_path / "raw", {"hate_crime.csv": ZIPPED.encode()})
    monkeypatch.setenv("HARMSTATS_CHUNK_ROWS", str(10**9))
    whole = process.process_file(fbi.SOURCE, snap, path, tmp_path / "whole").to_dict()
    monkeypatch.setenv("HARMSTATS_CHUNK_ROWS", "2")
    chunked = process.process_file(fbi.SOURCE, snap, path, tmp_path / "chunked").to_dict()
    assert whole["status"] == chunked["status"] == "ok", (whole["error"], chunked["error"])
    assert len(chunked["parts"]["crimes"]) == 3  # really three chunks
    for key in ("rows_read", "rows_accepted", "rows_quarantined", "format_version"):
        assert whole[key] == chunked[key], key
    read = lambda result, kind: pd.concat([pd.read_parquet(p) for p in process.part_list(  # noqa: E731
        result["parts"][kind])], ignore_index=True).sort_values(["raw_row", "record_id"] if kind ==
                                                                  "crimes" else ["raw_row"], ignore_index=True)
    pd.testing.assert_frame_equal(read(whole, "crimes"), read(chunked, "crimes"))
    repeats = read(chunked, "quarantine")
    assert repeats[["raw_row", "check"]].values.tolist() == [[6, "record_id_unique"]]


def test_a_member_that_is_not_the_recorded_one_fails_naming_both_hashes(tmp_path):
    wrong = "0" * 64
    snap, path = _zip_snapshot(tmp_path, {"hate_crime.csv": ZIPPED.encode()}, sha256=wrong)
    actual = hashlib.sha256(ZIPPED.encode()).hexdigest()
    for read in (fbi.read_raw, lambda p: list(fbi.read_raw_chunks(p, 2))):
        with pytest.raises(RawFormatError) as caught:
            read(path)
        message = str(caught.value)
        assert "hate_crime.csv.zip" in message and "member hate_crime.csv" in message
        assert actual in message and wrong in message
    result = process.process_file(fbi.SOURCE, snap, path, tmp_path / "work")
    assert result.status == "failed" and actual in result.error
    assert not list((tmp_path / fbi.SOURCE.id).rglob("hate_crime.csv"))  # never unpacked


def test_a_zip_without_its_sidecar_record_reads_the_one_csv_and_infers_the_record(tmp_path):
    snap, path = _zip_snapshot(tmp_path, {"hate_crime.csv": ZIPPED.encode()}, record=False)
    assert "archive_member" not in snap.meta
    _, part = curate(fbi, snap, path)
    assert part.rows_read == 5
    (path.parent / snapshots.SIDECAR).unlink()  # dropped in by hand: the sidecar is inferred
    inferred = snapshots.load_snapshot(path.parent, fbi.SOURCE)
    assert inferred.meta["archive_member"] == {
        "archive": "hate_crime.csv.zip", "member": "hate_crime.csv",
        "sha256": hashlib.sha256(ZIPPED.encode()).hexdigest(), "bytes": len(ZIPPED.encode())}


@pytest.mark.parametrize("members, message", [
    ({"readme.txt": b"no data here"}, "no file matching '*.csv'"),
    ({"hate_crime.csv": ZIPPED.encode(), "hate_crime_2021.csv": ZIPPED.encode()}, "2 files matching"),
])
def test_a_zip_without_exactly_one_csv_fails_clearly(tmp_path, members, message):
    snap, path = _zip_snapshot(tmp_path, members, record=False)
    with pytest.raises(RawFormatError, match=re.escape(message)):
        fbi.read_raw(path)


def test_the_incident_file_is_never_called_hate_crime_statistics():
    title, citation = fbi.SOURCE.spec.title_of("incidents")
    assert "Hate Crime Statistics" not in title + citation
    assert "Crime Data Explorer" in title and "hate_crime.csv" in citation
    assert "Hate Crime Statistics" not in fbi.SOURCE.spec.title + fbi.SOURCE.spec.citation
    assert "Hate Crime Statistics" in fbi.SOURCE.spec.title_of("table1_incidents_by_bias")[0]


# --- real files ---------------------------------------------------------------------------------

REAL = {"cde_incidents_truncated_1991_1992": ("incidents", 4990, 1, 2 * 4989),
        "cde_state_year_bias_counts_1991_2014": ("state_year_bias_counts", 12749, 0, 12749),
        "table1_2015_2019": ("table1_report", 43, 0, 215)}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_files_parse_and_every_row_is_accounted_for(real_dir, name):
    snap, raw, part = curate_real(real_dir, fbi, name)
    version, read, quarantined, records = REAL[name]
    assert raw.format_version == version
    assert part.rows_read == read == part.rows_accepted + part.rows_quarantined
    assert part.rows_quarantined == quarantined and len(part.records) == records
    assert part.unmapped.empty  # every published bias label and state is in the mappings
    assert (part.records["crime_type"] == "hate_crime").all()
    incidents = part.records[part.records["subject"] == "incident"]
    assert (incidents["race_ethnicity"] == "not_recorded").all()


def test_real_truncated_incident_file(real_dir):
    _, raw, part = curate_real(real_dir, fbi, "cde_incidents_truncated_1991_1992")
    (cut,) = part.quarantine.itertuples()
    assert (cut.raw_row, cut.check) == (4991, "complete_record")
    assert "hate_crime.csv, line 4991" in cut.reason and "3 of 28 fields" in cut.reason
    rec = part.records[part.records["subject"] == "incident"]
    assert rec.groupby("year").size().to_dict() == {1991: 4589, 1992: 400}
    assert (rec["bias_motivation_native"] == "Anti-Hispanic or Latino").sum() == 256
    assert (rec["bias_motivation"] == "anti_hispanic_latino").sum() == 256
    assert (rec["bias_motivation"] == "multiple").sum() == 8
    assert rec.loc[rec["year"] == 1992, "flags"].str.contains(fbi.TRUNCATED_FLAG).all()
    assert not rec.loc[rec["year"] == 1991, "flags"].str.contains(fbi.TRUNCATED_FLAG).any()


def test_real_state_year_counts_keep_the_publishers_sums(real_dir):
    _, _, part = curate_real(real_dir, fbi, "cde_state_year_bias_counts_1991_2014")
    rec = part.records
    sums = rec.groupby("year")["value"].sum()
    assert (sums[1991], sums[2001], sums[2014]) == (5872, 11036, 6330)
    assert rec["value"].min() >= 1  # zero combinations are omitted, none invented
    assert set(rec["country_iso3"]) == {"USA", "GUM"}


def test_real_table1_yearly_sums_equal_the_reports_totals(real_dir):
    _, _, part = curate_real(real_dir, fbi, "table1_2015_2019")
    rec = part.records
    by_year = lambda mask: rec[mask].groupby("year")["value"].sum().to_dict()  # noqa: E731
    leaves = (rec["breakdown"] == "by_bias_motivation") & (rec["bias_motivation"] != "multiple")
    total = by_year(rec["breakdown"] == "total")
    single = by_year(rec["bias_motivation"] == "single_bias_any")
    multiple = by_year(rec["bias_motivation"] == "multiple")
    assert total == TABLE1_TOTALS and single == TABLE1_SINGLE and multiple == TABLE1_MULTIPLE
    # The leaf bias rows add up to "Single-Bias Incidents"; with "Multiple-Bias Incidents"
    # they add up to the Total, in every year 2015-2019.
    assert by_year(leaves) == TABLE1_SINGLE
    assert by_year(rec["breakdown"] == "by_bias_motivation") == TABLE1_TOTALS
    # Every category subtotal is the sum of its leaves: no subtotal is flagged.
    assert not rec["flags"].str.contains("subtotal_differs_from_parts").any()
    assert (rec["breakdown"] == "bias_group_subtotal").sum() == 7 * 5


def test_real_statistics_margins_add_up(real_dir):
    parts = [curate_real(real_dir, fbi, name)[2] for name in sorted(REAL)]
    records = pd.concat([p.records for p in parts], ignore_index=True)
    stats, problems = _stats(records)
    assert problems.empty
    assert case_margin_violations(stats, FIXED, DIMS, problems).empty
    grand = _grand(stats).set_index(["subject", "snapshot", "year"])["value"]
    assert {y: grand[("incident", "table1_2015_2019", y)] for y in TABLE1_TOTALS} == TABLE1_TOTALS
    assert grand[("incident", "cde_incidents_truncated_1991_1992", 1991)] == 4589
    assert grand[("offender", "cde_incidents_truncated_1991_1992", 1991)] == 4589
    assert grand[("incident", "cde_state_year_bias_counts_1991_2014", 2014)] == 6330
    # Victims' race, sex and nationality are not recorded: said at every incident grand total;
    # the offenders' race is, and it is never published under subject incident.
    others = [d for d in DIMS if d != "race_ethnicity"]
    race = stats[(stats["race_ethnicity"] != "all") & (stats[others] == "all").all(axis=1)]
    said = race[race["race_ethnicity"] == "not_recorded"].set_index(["subject", "snapshot", "year"])["value"]
    assert said.to_dict() == grand.xs("incident", drop_level=False).to_dict()
    assert set(race.loc[race["subject"] == "incident", "race_ethnicity"]) == {"not_recorded"}
    offenders = race[race["subject"] == "offender"].groupby("race_ethnicity")["value"].sum()
    assert offenders.to_dict() == {"asian": 50, "black_afrodescendant": 843, "indigenous": 15,
                                   "multiple": 83, "unknown": 2112, "white": 1886}


def _real_zip(real_dir):
    snap = real_snapshot(real_dir, fbi.SOURCE.id, "cde_incidents_1991_2020")
    (path,) = snap.data_files()
    return snap, path


def _plain_pandas(path) -> pd.DataFrame:
    """The member read straight from the zip with pandas: the reference, not the module."""
    with zipfile.ZipFile(path) as archive, archive.open("hate_crime.csv") as member:
        return pd.read_csv(member, dtype=str, keep_default_na=False)


@pytest.mark.real
def test_real_zip_is_read_in_chunks_and_reproduces_its_rows(real_dir, monkeypatch, tmp_path):
    snap, path = _real_zip(real_dir)
    assert path.name == "hate_crime.csv.zip" and snap.kind == "full" and snap.product == "incidents"
    assert snap.meta["archive_member"]["member"] == "hate_crime.csv"
    monkeypatch.setenv("HARMSTATS_CHUNK_ROWS", "100000")
    result = process.process_file(fbi.SOURCE, snap, path, tmp_path)
    assert result.status == "ok", result.error
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (219_577, 219_577, 0)
    assert len(result.parts["crimes"]) == 3  # three chunks of at most 100,000 records
    rec = pd.concat([pd.read_parquet(p) for p in result.parts["crimes"]], ignore_index=True)
    unmapped = pd.concat([pd.read_parquet(p) for p in process.part_list(result.parts["unmapped"])])
    assert unmapped.empty, unmapped
    reference = _plain_pandas(path)
    incidents, offenders = rec[rec["subject"] == "incident"], rec[rec["subject"] == "offender"]
    assert incidents.groupby("year").size().to_dict() == {
        int(y): n for y, n in reference.groupby("DATA_YEAR").size().items()}
    assert incidents["record_id"].tolist() == reference["INCIDENT_ID"].str.strip().tolist()
    # Anti-Hispanic or Latino alone, per year, as the publisher's rows give it.
    alone = reference[reference["BIAS_DESC"] == "Anti-Hispanic or Latino"].groupby("DATA_YEAR").size()
    assert incidents[incidents["bias_motivation"] == "anti_hispanic_latino"].groupby("year").size().to_dict() \
        == {int(y): n for y, n in alone.items()}
    # Several biases in one incident count once, as `multiple`.
    several = reference["BIAS_DESC"].str.contains(";") | (reference["MULTIPLE_BIAS"] == "M")
    assert (incidents["bias_motivation"] == "multiple").sum() == several.sum() == 1_019
    # The offenders' race, as published, on offender records only.
    races = reference["OFFENDER_RACE"].replace("", "Unknown").value_counts()
    assert offenders.groupby("race_ethnicity").size().to_dict() == {
        "white": races["White"], "black_afrodescendant": races["Black or African American"],
        "asian": races["Asian"], "indigenous": races["American Indian or Alaska Native"],
        "pacific_islander": races["Native Hawaiian or Other Pacific Islander"],
        "multiple": races["Multiple"], "unknown": races["Unknown"]}
    assert (incidents["race_ethnicity"] == "not_recorded").all()
    assert not rec["flags"].str.contains("date_").any()  # every 31-AUG-91 date read in its year
    assert set(rec["country_iso3"]) == {"USA", "GUM"}


@pytest.mark.real
def test_real_zip_member_matches_its_sidecar_and_a_changed_record_fails(real_dir, tmp_path):
    snap, path = _real_zip(real_dir)
    recorded = snap.meta["archive_member"]
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as archive, archive.open(recorded["member"]) as member:
        for block in iter(lambda: member.read(1 << 20), b""):
            digest.update(block)
    assert digest.hexdigest() == recorded["sha256"]
    folder = tmp_path / fbi.SOURCE.id / snap.name
    folder.mkdir(parents=True)
    (folder / path.name).symlink_to(path)
    (folder / snapshots.SIDECAR).write_text(json.dumps(
        {**snap.meta, "archive_member": {**recorded, "sha256": "f" * 64}}), encoding="utf-8")
    with pytest.raises(RawFormatError, match=f"{recorded['sha256']}.*{'f' * 64}"):
        next(fbi.read_raw_chunks(folder / path.name, 250_000))


# --- samples ------------------------------------------------------------------------------------

def test_samples_parse(tmp_path):
    found = curate_samples(tmp_path, fbi, write_samples)
    by_name = {snap.name.removeprefix("SAMPLE-"): (snap, path, raw, part) for snap, path, raw, part in found}
    assert {snap.product for snap, *_ in found} == {"state_year_bias_counts",
                                                    "table1_incidents_by_bias", "incidents"}
    for snap, _, raw, part in found:
        assert snap.is_sample and snap.name.startswith("SAMPLE-")
        assert part.rows_read == part.rows_accepted + part.rows_quarantined
        assert part.unmapped.empty
    _, _, raw, part = by_name["2021-05-02_incidents"]
    assert part.quarantine["check"].tolist() == ["complete_record"]
    assert (part.records["bias_motivation"] == "multiple").any()
    _, _, raw, part = by_name["2021-05-02_table1"]
    assert part.rows_quarantined == 0 and part.records["flags"].str.contains("not_in_stats").any()
    snap, path, raw, part = by_name["2021-12-09_incidents_zip"]
    assert path.name == "hate_crime.csv.zip" and snap.meta["archive_member"]["member"] == "hate_crime.csv"
    assert raw.format_version == "incidents" and part.quarantine.empty and part.rows_read == 75
    assert set(part.records["year"]) == {1991, 2019, 2020}  # 91 and 19, 20 in their centuries
    assert not part.records["flags"].str.contains("date_").any()
    latest = snapshots.latest_per_product([snap for snap, *_ in found if snap.product == "incidents"])
    assert [s.name for s in latest] == [snap.name]
    records = pd.concat([part.records for *_, part in found], ignore_index=True)
    stats, problems = _stats(records)
    assert problems.empty and case_margin_violations(stats, FIXED, DIMS, problems).empty
