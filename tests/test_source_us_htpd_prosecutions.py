"""HTPD source (us_htpd_prosecutions): victims of the cases into `crimes`, defendants into
`prosecutions`, on hand-written excerpts, on the generated samples and on the real files
(skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipelines import snapshots
from pipelines.samples.us_htpd_prosecutions import write_samples
from pipelines.sources import us_htpd_prosecutions as htpd
from pipelines.sources.base import RawFormatError
from pipelines.sources.cases import statistics_input
from pipelines.sources.process import files_to_read
from pipelines.stats.cases import STREAMS, case_stats
from pipelines.stats.checks import case_margin_violations
from schemas.raw.us_htpd_prosecutions import HEADERS
from tests.conftest import real_snapshot
from tests.helpers import assert_no_names

CASE_HEADER = ",".join(HEADERS["cases"])
DEFENDANT_HEADER = ",".join(HEADERS["defendants"])
MINUS = "\u2212"


def _case(case_id, year, number, victims, females, males, minors="", foreigners="", state="TX"):
    return (f'{case_id},"SAMPLE summary, with a comma\rand a carriage return",USA v. SAMPLE-PERSON '
            f"{case_id},{number},1,{state},2,{year},{victims},{minors},{foreigners},{females},{males}")


def _defendant(defendant_id, case_id, gender="Male", race="Black", age="30", statutes="1591",
               plea_guilty="0", trial_guilty="0", trial_ng="0", dismissed="0", not_prosecuted="0",
               sentences="1", terminated="2012", months="60", probation="0"):
    def q(cell):
        return f'"{cell}"' if "," in cell else cell
    return ",".join([
        str(defendant_id), str(case_id), f"SAMPLE-PERSON {defendant_id}", gender, age, race,
        "2010-12-07", "2010-03-17", "", "", q(statutes), "", q(not_prosecuted), q(dismissed),
        q(plea_guilty), q(trial_guilty), q(trial_ng), "", "", "", "2", sentences, terminated,
        months, probation, "", "false", ""])


def _folder(tmp_path: Path, cases: list[str], defendants: list[str], name: str = "2018-08-21"):
    """A snapshot folder holding the two CSVs (LF line ends) and a sidecar."""
    folder = tmp_path / htpd.SOURCE.id / name
    folder.mkdir(parents=True)
    (folder / "case_data.csv").write_bytes(("\n".join([CASE_HEADER, *cases]) + "\n").encode())
    (folder / "defendant_data.csv").write_bytes(
        ("\n".join([DEFENDANT_HEADER, *defendants]) + "\n").encode())
    sidecar = {"source": htpd.SOURCE.id, "snapshot": name, "kind": "derived",
               "product": htpd.SOURCE.product, "period": {"start": "2000-01-01", "end": "2016-12-31"},
               "files": snapshots.describe_files(folder)}
    (folder / snapshots.SIDECAR).write_text(json.dumps(sidecar), encoding="utf-8")
    return snapshots.load_snapshot(folder, htpd.SOURCE), folder


def _curate(snap, path: Path):
    raw = htpd.SOURCE.read_raw(path)
    return raw, htpd.SOURCE.to_curated(raw, snap)


def assert_rows_reconcile(part, raw, where: str = "") -> None:
    """Every row read is accepted (its records, or none where a case publishes no count) or
    quarantined, never both: a row gives several records here, so records are not rows."""
    accepted = set(part.records["raw_row"]) if len(part.records) else set()
    quarantined = set(part.quarantine["raw_row"])
    assert not accepted & quarantined, where
    assert part.rows_read == len(raw.frame) == part.rows_accepted + len(quarantined), where
    counts = raw.frame[["n_victims", *htpd.VICTIM_COUNTS]] if raw.format_version == "cases" else None
    silent = set(raw.raw_rows[(counts.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()]) \
        if counts is not None else set()
    assert set(raw.raw_rows) == accepted | quarantined | silent, where


def _stats(records: pd.DataFrame, stream: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    info = pd.DataFrame({"source": [htpd.SOURCE.id], "snapshot": ["2018-08-21"], "is_latest": [True],
                         "period_end": [pd.Timestamp("2016-12-31")]})
    return case_stats(statistics_input(records), stream, {htpd.SOURCE.id: False}, info)


def _value(stats: pd.DataFrame, stream: str, **dims) -> int:
    """The one cell with these dimensions (every other dimension `all`)."""
    mask = pd.Series(True, index=stats.index)
    for dim in STREAMS[stream]["dims"]:
        mask &= stats[dim] == dims.get(dim, "all")
    for key in ("year", "unit", "stage", "year_basis"):
        if key in dims:
            mask &= stats[key] == dims[key]
    (value,) = stats.loc[mask, "value"].tolist()
    return int(value)


# --- cases -> crimes (victims) ------------------------------------------------------------------

def test_victim_counts_become_breakdowns_with_unknown_rests(tmp_path):
    snap, folder = _folder(tmp_path, [
        _case(405, 2010, "2:10-cr-00159-PD", 30, 2, 6, minors=0, foreigners=30),
        _case(406, 2010, "1:10-cr-00001", 18, 8, "", minors=3, foreigners=""),
        _case(407, "", f"3:09{MINUS}cr{MINUS}00242", 2, 2, 0, minors=2, foreigners=0),
    ], [])
    raw, part = _curate(snap, folder / "case_data.csv")
    crimes = part.tables["crimes"]
    assert raw.format_version == "cases"
    assert part.rows_read == 3 and part.rows_quarantined == 0 and part.unmapped.empty
    rec = crimes.set_index("record_id")
    assert rec.loc["405|total", "value"] == 30
    assert rec.loc["405|sex=female", "value"] == 2 and rec.loc["405|sex=male", "value"] == 6
    assert rec.loc["405|sex=unknown", "value"] == 22  # the shortfall is unknown, never spread
    assert rec.loc["405|nationality=FOREIGN_UNSPECIFIED", "value"] == 30
    assert "405|nationality=UNKNOWN" not in rec.index  # no rest: every victim is foreign
    assert "406|nationality=FOREIGN_UNSPECIFIED" not in rec.index  # a blank count is not 0
    assert rec.loc["406|nationality=UNKNOWN", "value"] == 18
    assert rec.loc["406|sex=unknown", "value"] == 10  # males blank: the rest of the total
    assert rec.loc["406|age_group=child", "value"] == 3
    assert rec.loc["406|age_group=unknown", "value"] == 15  # never called adults
    # a blank year: the docket number's, with U+2212 minus signs
    assert rec.loc["407|total", ["year", "year_basis"]].tolist() == [2009, "record_id"]
    assert "year_from_record_id" in rec.loc["407|total", "flags"]
    assert (crimes["year_basis"][crimes["record_id"].str.startswith("405")] == "filed").all()
    assert set(crimes["crime_type"]) == {"trafficking_unspecified"} and set(crimes["sgbv"]) == {"unknown"}
    assert set(crimes["population"]) == {"general"} and set(crimes["subject"]) == {"victim"}
    assert set(crimes["country_iso3"]) == {"USA"} and set(crimes["country_native"]) == {"TX"}
    assert set(crimes["race_ethnicity"]) == {"not_recorded"}
    assert_no_names({"USA v. SAMPLE-PERSON 405", "SAMPLE summary, with a comma\rand a carriage return"},
                    crimes)

    stats, problems = _stats(crimes, "crimes")
    assert problems.empty
    assert _value(stats, "crimes", year=2010) == 48
    assert _value(stats, "crimes", year=2010, sex="female") == 10
    assert _value(stats, "crimes", year=2010, sex="unknown") == 32
    assert _value(stats, "crimes", year=2010, nationality="FOREIGN_UNSPECIFIED") == 30
    assert _value(stats, "crimes", year=2010, nationality="UNKNOWN") == 18


def test_a_split_above_its_total_keeps_every_cell_and_is_listed(tmp_path):
    snap, folder = _folder(tmp_path, [_case(1, 2014, "1:14-cr-00001", 5, 4, 3, minors=1, foreigners=6),
                                      _case(2, 2014, "1:14-cr-00002", 10, 2, 1)], [])
    _, part = _curate(snap, folder / "case_data.csv")
    crimes = part.tables["crimes"]
    rec = crimes.set_index("record_id")
    assert rec.loc["1|sex=female", "value"] == 4 and rec.loc["1|sex=male", "value"] == 3
    assert "1|sex=unknown" not in rec.index  # the excess of case 1 is not netted against case 2
    assert rec.loc["2|sex=unknown", "value"] == 7
    assert "sex_split_exceeds_total" in rec.loc["1|total", "flags"]
    assert "foreigners_exceed_total" in rec.loc["1|total", "flags"]
    assert "children_exceed_total" not in rec.loc["1|total", "flags"]
    stats, problems = _stats(crimes, "crimes")
    # the source's total stays the published cell; the margins computed above it (country or
    # crime type `all`) meet every breakdown's sum, so they are the range [15, 17]
    assert _value(stats, "crimes", year=2014, country_iso3="USA",
                  crime_type="trafficking_unspecified") == 15
    assert _value(stats, "crimes", year=2014, sex="unknown") == 7
    listed = set(problems[["dimension", "published_total", "excess"]].itertuples(index=False))
    # sex: 4 + 3 + 2 + 1 + 7 = 17; nationality: 6 foreign of case 1's 5 + 10 unknown of case 2
    assert listed == {("sex", 15, 2), ("nationality", 15, 1)}
    spec = STREAMS["crimes"]
    assert case_margin_violations(stats, spec["fixed"], spec["dims"], problems).empty


def test_bad_victim_counts_and_years_are_quarantined_with_reasons(tmp_path):
    snap, folder = _folder(tmp_path, [_case(1, 2010, "1:10-cr-1", "ten", 1, 0),
                                      _case(2, "", "sealed", 3, 1, 2),
                                      _case(3, 2011, "1:11-cr-1", 4, -1, 0),
                                      _case(3, 2011, "1:11-cr-1", 4, 1, 0),
                                      _case(5, 2012, "1:12-cr-1", 2, 1, 1)], [])
    raw, part = _curate(snap, folder / "case_data.csv")
    assert_rows_reconcile(part, raw)
    quarantine = part.quarantine
    assert set(zip(quarantine["raw_row"], quarantine["column"])) >= {
        (2, "n_victims"), (3, "year"), (4, "n_females"), (5, "id")}
    assert set(part.records["record_id"].str.split("|").str[0]) == {"5"}  # valid rows kept


# --- defendants -> prosecutions -----------------------------------------------------------------

DEFENDANT_CASES = [_case(405, 2010, "2:10-cr-00159-PD", 30, 2, 6, foreigners=30),
                   _case(1916, "", "2:06-cr-00198", "", "", "")]


def test_defendants_reach_one_furthest_outcome_each(tmp_path):
    snap, folder = _folder(tmp_path, DEFENDANT_CASES, [
        _defendant(1, 405, plea_guilty="1"),                                     # convicted
        _defendant(2, 405, gender="Female", statutes="['1324', '1589']", plea_guilty="['0', '0']",
                   trial_guilty="['1', '0']", trial_ng="['0', '0']", dismissed="['0', '1']",
                   not_prosecuted="['0', '0']"),                                  # convicted
        _defendant(3, 405, trial_ng="1", sentences="0", months="0"),             # acquitted
        _defendant(4, 405, gender="", dismissed="2", sentences="0", months="0"),  # dismissed
        _defendant(5, 405, gender="Unknown", statutes="['1591', '1594']", plea_guilty="[None, None]",
                   trial_guilty="[None, None]", trial_ng="[None, None]", dismissed="[None, None]",
                   not_prosecuted="[None, None]", sentences="999", terminated="", months=""),  # pending
        _defendant(6, 1916, race="Indian", statutes="", plea_guilty="", trial_guilty="",
                   trial_ng="", dismissed="", not_prosecuted="", sentences="999",
                   terminated="2009", months=""),                                 # unknown
        _defendant(7, 1916, race="", age="17", statutes="1961_to_1968", sentences="2",
                   months="120"),  # sentenced on a statute the table does not list: convicted
    ])
    raw, part = _curate(snap, folder / "defendant_data.csv")
    assert raw.format_version == "defendants"
    assert part.rows_read == 7 and part.rows_quarantined == 0 and part.unmapped.empty
    pros = part.tables["prosecutions"]
    persons = pros[pros["unit"] == "persons"]
    outcome = persons[persons["stage"] != "prosecuted"].set_index(
        persons[persons["stage"] != "prosecuted"]["record_id"].str.split("|").str[0])
    assert outcome["stage"].to_dict() == {"1": "convicted", "2": "convicted", "3": "acquitted",
                                          "4": "dismissed", "5": "pending", "6": "unknown",
                                          "7": "convicted"}
    assert (persons[persons["stage"] == "prosecuted"]["value"] == 1).all()
    assert len(persons[persons["stage"] == "prosecuted"]) == 7 and set(persons["offence"]) == {"all"}
    first = persons.drop_duplicates("record_id").set_index(persons["record_id"].str.split("|").str[0])
    first = first[~first.index.duplicated()]
    assert first["sex"].to_dict() == {"1": "male", "2": "female", "3": "male", "4": "unknown",
                                      "5": "unknown", "6": "male", "7": "male"}
    assert first.loc["6", "race_ethnicity"] == "asian" and first.loc["7", "race_ethnicity"] == "unknown"
    assert first.loc["7", "age_group"] == "child" and first.loc["1", "age_group"] == "adult"
    assert first.loc["6", ["year", "year_basis"]].tolist() == [2006, "record_id"]  # the case's
    assert first.loc["1", ["year", "year_basis"]].tolist() == [2010, "filed"]
    assert set(pros["subject"]) == {"offender"} and set(pros["population"]) == {"general"}
    assert set(pros["nationality"]) == {"NOT_RECORDED"} and set(pros["country_iso3"]) == {"USA"}
    assert_no_names({f"SAMPLE-PERSON {i}" for i in range(1, 8)}, pros)

    charges = pros[pros["unit"] == "charges"].set_index("record_id")
    assert charges.loc["2|charges|smuggling_unspecified|prosecuted", "offence_native"] == "1324"
    assert charges.loc["2|charges|smuggling_unspecified|convicted", "value"] == 1
    assert charges.loc["2|charges|trafficking_forced_labour|dismissed", "offence_native"] == "1589"
    assert charges.loc["5|charges|trafficking_sexual_exploitation|pending", "sgbv"] == "yes"
    assert "5|charges|trafficking_unspecified|pending" in charges.index  # 1594: form not stated
    assert not charges.index.str.startswith("6|").any()  # an empty statute table: no charges

    stats, _ = _stats(pros, "prosecutions")
    assert _value(stats, "prosecutions", unit="persons", stage="prosecuted", year=2010) == 5
    assert _value(stats, "prosecutions", unit="persons", stage="prosecuted", year=2010, sex="female") == 1
    assert _value(stats, "prosecutions", unit="persons", stage="convicted", year=2010, sex="male") == 1
    assert _value(stats, "prosecutions", unit="charges", stage="prosecuted", year=2010,
                  offence="smuggling_unspecified") == 1


def test_bad_defendant_rows_are_quarantined_and_valid_ones_kept(tmp_path):
    snap, folder = _folder(tmp_path, DEFENDANT_CASES, [
        _defendant(1, 405, statutes="['1591'"),                            # not a list
        _defendant(2, 405, statutes="['1591', '1594']", plea_guilty="['1']"),  # lengths differ
        _defendant(3, 405, plea_guilty="yes"),                             # not a count
        _defendant(4, 999),                                                # no such case
        _defendant(5, 405, age="230"),
        _defendant(5, 405),                                                # repeated id
        _defendant(7, 405, statutes="9999"),                               # unmapped statute: logged
    ])
    raw, part = _curate(snap, folder / "defendant_data.csv")
    assert_rows_reconcile(part, raw)
    assert set(zip(part.quarantine["raw_row"], part.quarantine["column"])) >= {
        (2, "statute_sentence"), (3, "statute_plea_guilty"), (4, "statute_plea_guilty"),
        (5, "case_id"), (6, "arrest_age"), (7, "id")}
    kept = set(part.records["record_id"].str.split("|").str[0])
    assert kept == {"7"}
    assert part.unmapped["value"].tolist() == ["9999"]
    assert "7|charges|unknown|prosecuted" in set(part.records["record_id"])


def test_defendants_without_their_case_file_fail_loudly(tmp_path):
    snap, folder = _folder(tmp_path, DEFENDANT_CASES, [_defendant(1, 405)])
    (folder / "case_data.csv").unlink()
    raw = htpd.SOURCE.read_raw(folder / "defendant_data.csv")
    with pytest.raises(RawFormatError, match="case file is missing"):
        htpd.SOURCE.to_curated(raw, snap)


def test_docket_numbers_give_their_filing_year():
    numbers = pd.Series(["2:10-cr-00159-PD", f"4:09{MINUS}cr{MINUS}00096{MINUS}RW", "10-cr-00339",
                         "1:98-cr-00001", "sealed", ""])
    assert htpd.docket_years(numbers).tolist() == [2010, 2009, 2010, 1998, pd.NA, pd.NA]


def test_the_json_beside_the_csvs_is_never_read(tmp_path):
    write_samples(tmp_path)
    (snap,) = snapshots.discover(tmp_path, htpd.SOURCE)
    wanted, others = files_to_read(snap, htpd.SOURCE.file_patterns)
    assert [p.name for p in wanted] == ["case_data.csv", "defendant_data.csv"]
    assert [p.name for p in others] == ["case_data.json"]


# --- samples and real files ---------------------------------------------------------------------

def test_samples_parse_whole(tmp_path):
    write_samples(tmp_path)
    (snap,) = snapshots.discover(tmp_path, htpd.SOURCE)
    for path in files_to_read(snap, htpd.SOURCE.file_patterns)[0]:
        raw, part = _curate(snap, path)
        assert part.rows_quarantined == 0 and part.unmapped.empty, path.name
        assert_rows_reconcile(part, raw, path.name)
        assert_no_names(set(raw.frame["name"].str.strip()), part.records)


@pytest.fixture(scope="module")
def real(real_dir):
    """The real snapshot's two files, each as (raw table, curated part)."""
    snap = real_snapshot(real_dir, htpd.SOURCE.id, "2018-08-21")
    return snap.folder, {p.name: _curate(snap, p)
                         for p in files_to_read(snap, htpd.SOURCE.file_patterns)[0]}


def test_real_every_row_lands_and_provenance_totals_hold(real):
    _, files = real
    (case_raw, cases), (_, defendants) = files["case_data.csv"], files["defendant_data.csv"]
    for name, (raw, part) in files.items():
        assert_rows_reconcile(part, raw, name)
        assert part.rows_quarantined == 0 and part.unmapped.empty, name
    assert cases.rows_read == 674 and defendants.rows_read == 1762
    crimes = cases.tables["crimes"]
    published = crimes[~crimes["record_id"].str.contains("unknown|UNKNOWN")]
    by_cell = published.groupby(published["record_id"].str.split("|").str[1])["value"].sum()
    # PROVENANCE.md: the sums of each count over the cases that report it
    assert by_cell.to_dict() == {"total": 6617, "nationality=FOREIGN_UNSPECIFIED": 4620,
                                 "sex=female": 3683, "sex=male": 333, "age_group=child": 1295}
    pros = defendants.tables["prosecutions"]
    charged = pros[(pros["unit"] == "persons") & (pros["stage"] == "prosecuted")]
    assert charged["sex"].value_counts().to_dict() == {"male": 1249, "female": 501, "unknown": 12}
    smuggling = pros[(pros["unit"] == "charges") & (pros["stage"] == "prosecuted")
                     & (pros["offence"] == "smuggling_unspecified")]
    assert len(smuggling) == 397
    assert smuggling["sex"].value_counts()[["male", "female"]].tolist() == [255, 137]
    assert (smuggling["race_ethnicity"] == "hispanic_latino").sum() == 248
    assert len(case_raw.frame) == 674


def test_real_json_agrees_with_the_csvs_and_no_name_is_published(real):
    folder, files = real
    scrape = json.loads((folder / "case_data.json").read_text(encoding="utf-8"))
    case_raw, cases = files["case_data.csv"]
    defendant_raw, defendants = files["defendant_data.csv"]
    frame = case_raw.frame.set_index("id")
    assert sorted(scrape) == sorted(frame.index)
    fields = {"year": ("Summary", "Year"), "number": ("Summary", "Case Number"),
              "n_victims": ("Victim Details", "Total Victims"),
              "n_foreigners": ("Victim Details", "Total Foreigners"),
              "n_females": ("Victim Details", "Total Females"),
              "n_males": ("Victim Details", "Total Males"),
              "n_minors": ("Victim Details", "Total Minors")}
    for column, (group, key) in fields.items():
        from_json = pd.Series({i: (c[group][key] or "") for i, c in scrape.items()})
        assert (from_json.reindex(frame.index).str.strip() == frame[column].str.strip()).all(), column
    people = {d: (i, p) for i, c in scrape.items() for d, p in c["Defendant Details"].items()}
    dframe = defendant_raw.frame.set_index("id")
    assert sorted(people) == sorted(dframe.index)
    for column, key in (("gender", "Gender"), ("race", "Race")):
        from_json = pd.Series({d: p["Summary"][key] or "" for d, (_, p) in people.items()})
        assert (from_json.reindex(dframe.index) == dframe[column]).all(), column
    assert (pd.Series({d: i for d, (i, _) in people.items()}).reindex(dframe.index)
            == dframe["case_id"]).all()
    judges = set()
    for case in scrape.values():
        for judge in [case.get("Judges")] + [p.get("Judge Info") for p in case["Defendant Details"].values()]:
            if isinstance(judge, dict):
                found = judge.get("Name")
                judges |= {n.strip() for n in (found if isinstance(found, list) else [found]) if n}
    names = set(dframe["name"].str.strip()) | set(frame["name"].str.strip()) | judges
    assert len(judges) > 100
    for part in (cases, defendants):
        assert_no_names(names - {""}, part.records)
