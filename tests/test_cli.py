"""The `harmstats` command line, in process (the run itself is covered by test_pipeline)."""

from __future__ import annotations

import json

import duckdb
import pytest
from rich.console import Console
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import CATALOG_NAME
from tests.sample_release import out_dir, sample_release

runner = CliRunner()


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory):
    """The OUT folder of the test run's sample release (tests/sample_release.py); the commands
    tested here open its catalog read-only."""
    return out_dir(sample_release(tmp_path_factory))


def test_query_prints_csv_and_json(sample_out):
    result = runner.invoke(app, ["query", "SELECT count(*) AS n FROM deaths", "--out",
                                 str(sample_out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, value = result.output.strip().splitlines()
    assert header == "n" and int(value) > 0
    result = runner.invoke(app, ["query", "SELECT DISTINCT source FROM deaths ORDER BY source",
                                 "--out", str(sample_out), "--format", "json"])
    con = duckdb.connect(str(sample_out / CATALOG_NAME), read_only=True)
    try:
        sources = [r[0] for r in con.execute("SELECT DISTINCT source FROM deaths ORDER BY source").fetchall()]
    finally:
        con.close()
    assert "mmp" in sources and len(sources) > 1
    assert json.loads(result.output) == [{"source": s} for s in sources]


def test_query_refuses_writes_and_explains(sample_out):
    result = runner.invoke(app, ["query", "DROP TABLE deaths", "--out", str(sample_out)])
    assert result.exit_code == 2
    assert "read-only" in result.output.lower() or "Query failed" in result.output


@pytest.mark.parametrize("sql", [
    "COPY (SELECT * FROM deaths) TO '{tmp}/leak.csv'",
    "COPY deaths TO '{tmp}/leak.parquet' (FORMAT parquet)",
    "SELECT * FROM read_csv('/etc/passwd', sep = ':')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "EXPORT DATABASE '{tmp}/dump'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "RESET enable_external_access",
    "SET allowed_directories = ['/']",
])
def test_query_reaches_nothing_outside_the_catalog(sample_out, tmp_path, sql):
    """Issue 14, leak 6: `query` wrote 900 NGO records with COPY TO, read /etc/passwd and
    attached another database. The catalog now opens with DuckDB's own safety settings."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    result = runner.invoke(app, ["query", sql.format(tmp=scratch), "--out", str(sample_out)])
    assert result.exit_code == 2, result.output
    assert "Refused" in result.output, result.output
    assert not list(scratch.iterdir())


def test_query_without_a_catalog_says_what_to_do(tmp_path):
    result = runner.invoke(app, ["query", "SELECT 1", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "harmstats run" in result.output


def test_sources_lists_snapshots_with_row_counts(sample_out, monkeypatch):
    # A wide console, whatever width the one made at pipelines.cli's import took.
    monkeypatch.setattr("pipelines.cli.out_console", Console(width=250))
    result = runner.invoke(app, ["sources", "--out", str(sample_out)])
    assert result.exit_code == 0, result.output
    assert "SAMPLE-2025-05-05" in result.output and "full" in result.output
    # A zip's member, read from the archive, on a line of its own under the archive.
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if "hate_crime.csv.zip" in line)
    assert "SAMPLE-2021-12-09_incidents_zip" in lines[at]
    assert "in it: hate_crime.csv (21,505 bytes)" in lines[at + 1] and "24782057580d" in lines[at + 1]


def test_run_rejects_an_unknown_source(tmp_path):
    result = runner.invoke(app, ["run", "--sources", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Unknown source" in result.output
