"""End to end: the Prefect flow on the embedded samples and on every real snapshot.

The sample run is the test run's shared sample release (tests/sample_release.py); the real run
is the shared `real_release` (the CLI in a subprocess, also read by tests/reference)."""

from __future__ import annotations

import fnmatch
import shutil
from pathlib import Path

import ahocorasick
import duckdb
import pandas as pd
import pytest

from pipelines.config import DEFAULT_RAW_DIR
from pipelines.flows import run_pipeline
from pipelines.sources.registry import SOURCES
from pipelines.stats.checks import margin_violations, reconciliation_problems
from schemas.tables import TABLES
from tests.sample_release import out_dir, sample_release, sample_report

pytestmark = pytest.mark.flow


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The test run's sample release (tests/sample_release.py: the flow over every sample
    snapshot), as (report, OUT)."""
    return sample_report(tmp_path_factory), out_dir(sample_release(tmp_path_factory))


@pytest.fixture(scope="session")
def real_run(real_release):
    """The session's one release of the real files (tests/conftest.py), as (report, OUT)."""
    return real_release.report, real_release.out


def _catalog(out: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(out / "harmstats.duckdb"), read_only=True)


def _frame(out: Path, sql: str) -> pd.DataFrame:
    con = _catalog(out)
    try:
        return con.sql(sql).to_arrow_table().to_pandas()
    finally:
        con.close()


def test_sample_run_publishes_a_release_marked_sample(sample_run):
    report, out = sample_run
    assert report["exit_code"] == 0, report
    release = Path(report["release"])
    assert release.name.endswith("-SAMPLE")
    assert (out / "current").resolve() == release.resolve()
    assert (release / "manifest.json").is_file()
    for table in TABLES:
        assert (release / "tables" / f"{table}.parquet").is_file()
    snapshots_seen = _frame(out, "SELECT DISTINCT snapshot FROM deaths_stats")["snapshot"]
    assert len(snapshots_seen) and snapshots_seen.str.startswith("SAMPLE").all()
    comments = _frame(out, "SELECT comment FROM duckdb_tables() WHERE table_name = 'deaths_stats'")
    assert comments["comment"][0].startswith("SAMPLE DATA")


def test_every_registered_source_has_a_sample_snapshot(sample_run):
    report, _ = sample_run
    for source_id in SOURCES:
        assert report["sources"][source_id]["status"] == "ok", (source_id, report["sources"][source_id])
        assert report["sources"][source_id]["rows_quarantined"] <= 5


def test_catalog_answers_from_any_directory_with_comments(sample_run, tmp_path, monkeypatch):
    _, out = sample_run
    monkeypatch.chdir(tmp_path)
    missing = _frame(out, "SELECT table_name, column_name FROM duckdb_columns() "
                          "WHERE database_name = 'harmstats' AND (comment IS NULL OR comment = '')")
    assert missing.empty, missing
    tables = set(_frame(out, "SELECT table_name FROM duckdb_tables()")["table_name"])
    assert set(TABLES) <= tables


def test_catalog_is_read_only_for_queries(sample_run):
    _, out = sample_run
    con = _catalog(out)
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM deaths")
    con.close()


# --- real data ------------------------------------------------------------------------------

@pytest.mark.real
def test_real_run_every_file_lands_and_rows_reconcile(real_run, real_dir):
    report, out = real_run
    sources = _frame(out, "SELECT * FROM sources")
    failed = sources[sources["status"] != "ok"]
    assert failed.empty, failed[["source", "snapshot", "file", "error"]].to_dict("records")
    assert (sources["rows_read"] == sources["rows_accepted"] + sources["rows_quarantined"]).all()
    for source_id in SOURCES:
        if (real_dir / source_id).is_dir():  # the NGO log is confidential: no real copy exists
            assert source_id in set(sources["source"]), source_id
    quarantine = _frame(out, "SELECT * FROM quarantine")
    assert quarantine["reason"].str.len().gt(10).all()


@pytest.mark.real
def test_real_run_invariants_hold(real_run):
    _, out = real_run
    stats = _frame(out, "SELECT * FROM deaths_stats")
    # rows kept in the catalog but outside a source's published area (NamUs beyond the border
    # counties) or flagged not_in_stats (a publisher's total row) are not in the statistics
    records = _frame(out, "SELECT source, snapshot, year, dead_and_missing FROM deaths "
                          "WHERE NOT contains(coalesce(flags, ''), 'outside_published_area') "
                          "AND NOT contains(coalesce(flags, ''), 'not_in_stats')")
    assert margin_violations(stats).empty
    assert reconciliation_problems(stats, records).empty
    assert (stats["value"] >= 0).all()
    # Invariant 2: MMP sex and age are never crossed with status, or with each other.
    mmp = stats[stats["source"] == "mmp"]
    assert mmp[(mmp["sex"] != "all") & (mmp["status"] != "all")].empty
    assert mmp[(mmp["sex"] != "all") & (mmp["age_group"] != "all")].empty
    assert set(mmp.loc[mmp["age_group"] != "all", "age_group"]) <= {"child", "unknown", "not_recorded"}


@pytest.mark.real
def test_real_run_reproduces_published_figures(real_run):
    _, out = real_run
    total = _frame(out, """
        SELECT sum(value) AS v FROM deaths_stats WHERE source = 'mmp' AND snapshot = '2020-01-13'
        AND sex = 'all' AND gender_identity = 'all' AND age_group = 'all' AND nationality = 'all'
        AND race_ethnicity = 'all' AND country_iso3 = 'all' AND cause = 'all'
        AND criminal = 'all' AND scope = 'all' AND status = 'all'""")
    assert total["v"][0] == 34_688
    regions = _frame(out, """SELECT region, sum(dead_and_missing) AS v FROM deaths
        WHERE source = 'mmp' AND snapshot = '2020-01-13' GROUP BY region""").set_index("region")["v"]
    assert regions["US-Mexico Border"] == 2_405 and regions["Mediterranean"] == 19_299


@pytest.mark.real
def test_real_run_latest_is_newest_full_snapshot(real_run):
    _, out = real_run
    latest = _frame(out, "SELECT DISTINCT source, snapshot FROM deaths WHERE is_latest")
    assert set(latest.loc[latest["source"] == "mmp", "snapshot"]) == {"2025-05-05"}


@pytest.mark.real
def test_coverage_says_race_is_not_recorded(real_run, real_dir):
    _, out = real_run
    coverage = _frame(out, "SELECT * FROM coverage WHERE is_latest")
    race = coverage[coverage["dimension"] == "race_ethnicity"]
    assert set(race["source"]) == {s for s in SOURCES if (real_dir / s).is_dir()}
    # No real source records the race of the victims or incidents it counts (the letter's gap,
    # in numbers); the FBI incident file records its offenders' race, and the HTPD its
    # defendants' race, as subject offender. The one death list with race is NamUs: the
    # examiner's estimate for unidentified remains (stream deaths).
    recording = (race["subject"] == "offender") & race["source"].isin(
        ["fbi_hate_crime", "us_htpd_prosecutions"])
    estimated = (race["stream"] == "deaths") & (race["source"] == "us_namus_unidentified")
    assert estimated.any() and (race.loc[estimated, "recorded"] != "no").all()
    assert (race.loc[~recording & ~estimated, "recorded"] == "no").all()
    for source in ("fbi_hate_crime", "us_htpd_prosecutions"):
        offenders = recording & (race["source"] == source)
        assert offenders.any() and (race.loc[offenders, "recorded"] == "yes").all(), source


PLACEHOLDER_NAMES = {"", "unknown", "unkown", "unidentified", "n/a", "none", "redacted"}


@pytest.mark.real
def test_no_raw_name_value_appears_in_any_table(real_run, real_dir):
    _, out = real_run
    names: set[str] = set()  # searched for whole and inside longer values
    texts: set[str] = set()  # free text (descriptions): searched for whole
    for source_id, source in SOURCES.items():
        columns = source.spec.name_columns + source.spec.free_text_columns
        for path in (real_dir / source_id).glob("*/*.csv") if columns else ():
            if not any(fnmatch.fnmatch(path.name.lower(), p) for p in source.file_patterns):
                continue  # a file the source does not read (UNITED's sources.csv key)
            raw = source.read_raw(path)
            for column in (c for c in columns if c in raw.frame.columns):
                found = {v.strip() for v in raw.frame[column]
                         if v.strip().lower() not in PLACEHOLDER_NAMES and len(v.strip()) > 3}
                (names if column in source.spec.name_columns else texts).update(found)
    assert names and texts, "expected sources with name and free-text columns"
    assert not any("\0" in name for name in names)  # NUL separates the values searched below
    # Names of more than 8 characters are also looked for inside longer values: one
    # Aho-Corasick automaton of them, run over each column's distinct values (millions of record
    # ids) in batches joined by NUL, which no stripped name holds. Free text is looked for whole.
    automaton = ahocorasick.Automaton()
    for name in names:
        if len(name) > 8:
            automaton.add_word(name, name)
    automaton.make_automaton()
    con = _catalog(out)
    try:
        con.execute("CREATE TEMP TABLE raw_names (name VARCHAR)")
        con.executemany("INSERT INTO raw_names VALUES (?)", [[n] for n in sorted(names | texts)])
        for table in TABLES:
            text_columns = [r[0] for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                "AND data_type = 'VARCHAR'", [table]).fetchall()]
            for column in text_columns:
                whole = con.execute(
                    f'SELECT DISTINCT v."{column}" FROM (SELECT DISTINCT "{column}" FROM {table}) v '
                    f'JOIN raw_names n ON v."{column}" = n.name LIMIT 5').fetchall()
                assert not whole, (table, column, whole)
                values = con.sql(f'SELECT DISTINCT "{column}" FROM {table} '
                                 f'WHERE "{column}" IS NOT NULL').to_arrow_reader(200_000)
                for batch in values:
                    text = "\0".join(batch.column(0).to_pylist())
                    inside = sorted({name for _, name in automaton.iter(text)})
                    assert not inside, (table, column, inside[:5])
    finally:
        con.close()


# --- failures and options -------------------------------------------------------------------

def test_broken_source_does_not_stop_the_others(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(DEFAULT_RAW_DIR / "mmp" / "SAMPLE-2026-05-06", raw / "mmp" / "SAMPLE-2026-05-06")
    broken = raw / "mmp" / "2026-06-01"
    broken.mkdir()
    (broken / "export.csv").write_text("<!DOCTYPE html><html><body>Service unavailable</body></html>")
    (raw / "not_a_source" / "2020").mkdir(parents=True)
    report = run_pipeline(raw_dir=str(raw), out_dir=str(tmp_path / "out"), snapshot_mode="all")
    assert report["exit_code"] == 1
    files = report["sources"]["mmp"]["files"]
    errors = [f["error"] for f in files if f["status"] == "failed"]
    assert len(errors) == 1 and "export.csv" in errors[0] and "HTML" in errors[0]
    assert report["release"] is not None
    assert report["unknown_folders"] == ["not_a_source"]
    assert all(report["sources"][s]["status"] == "no_snapshot" for s in SOURCES if s != "mmp")
