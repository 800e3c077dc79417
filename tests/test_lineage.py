"""Lineage: the records `trace_cell` lists add up exactly to the published cell, for a random
sample of deaths_stats cells of every sample source (split and non-split dimensions), in the
test run's shared sample release."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import CATALOG_NAME
from pipelines.inspection.lineage import CellError, is_person_level, parse_dims, published_cell, trace_cell
from pipelines.stats.deaths import DIMENSIONS, SPLIT_DIMENSIONS
from tests.sample_release import out_dir, sample_release

runner = CliRunner()
SEED = 20250505
PER_STRATUM = 20


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    """The OUT folder of the test run's sample release (every sample source, every snapshot;
    tests/sample_release.py), read only."""
    return out_dir(sample_release(tmp_path_factory))


@pytest.fixture()
def con(catalog):
    connection = duckdb.connect(str(catalog / CATALOG_NAME), read_only=True)
    yield connection
    connection.close()


def _dims(row) -> dict[str, str]:
    return {d: getattr(row, d) for d in DIMENSIONS if getattr(row, d) != "all"}


def _sample_cells(con) -> pd.DataFrame:
    """Per source, up to PER_STRATUM cells with no split, one split, and two or more splits
    (the last only exist for person-level sources)."""
    stats = con.sql("SELECT * FROM deaths_stats").to_arrow_table().to_pandas()
    stats["splits"] = sum((stats[d] != "all").astype(int) for d in SPLIT_DIMENSIONS).clip(upper=2)
    stats["attributes"] = sum((stats[d] != "all").astype(int) for d in DIMENSIONS
                              if d not in SPLIT_DIMENSIONS)
    parts = [group.sample(min(len(group), PER_STRATUM), random_state=SEED)
             for _, group in stats.groupby(["source", "splits"])]
    return pd.concat(parts, ignore_index=True)


def test_contributions_sum_to_the_published_value(con):
    cells = _sample_cells(con)
    assert len(cells) >= 150
    assert {"mmp", "cbp_deaths", "ice_detention_deaths", "pcome_humane_borders"} <= set(cells["source"])
    assert set(cells["splits"]) == {0, 1, 2}
    assert (cells["attributes"] > 0).any() and ((cells["splits"] > 0) & (cells["attributes"] > 0)).any()
    for row in cells.itertuples(index=False):
        dims = _dims(row)
        records = trace_cell(con, row.source, row.snapshot, int(row.year), dims, row.year_basis)
        where = f"{row.source} {row.snapshot} {row.year} {dims}"
        assert int(records["contribution"].sum()) == row.value, where
        assert (records["contribution"] > 0).all() or row.splits == 0, where
        assert records["record_id"].is_unique, where
        assert records["raw_sha256"].str.fullmatch(r"[0-9a-f]{64}").all(), where
        assert (records["source"] == row.source).all() and (records["snapshot"] == row.snapshot).all()
        cell = published_cell(con, row.source, row.snapshot, int(row.year), dims, row.year_basis)
        assert cell is not None and cell["value"] == row.value and not cell["suppressed"], where


def test_a_cell_lists_the_records_of_the_catalog(con):
    """The grand total lists every record of the year, each with its own total."""
    snapshot, year = con.execute("SELECT snapshot, year FROM deaths WHERE source = 'mmp' AND "
                                 "is_latest GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchall()[0]
    records = trace_cell(con, "mmp", snapshot, year, {})
    expected = con.sql(f"SELECT record_id, dead_and_missing FROM deaths WHERE source = 'mmp' AND "
                       f"snapshot = '{snapshot}' AND year = {year}").to_arrow_table().to_pandas()
    assert sorted(records["record_id"]) == sorted(expected["record_id"])
    merged = records.merge(expected, on="record_id")
    assert (merged["contribution"] == merged["dead_and_missing"]).all()


def test_splits_of_incidents_are_not_crossed_and_unknown_cells_are_empty(con):
    snapshot = con.execute("SELECT DISTINCT snapshot FROM deaths WHERE source = 'mmp' AND is_latest"
                           ).fetchall()[0][0]
    assert not is_person_level(con, "mmp") and is_person_level(con, "cbp_deaths")
    with pytest.raises(CellError, match="not published"):
        trace_cell(con, "mmp", snapshot, 2020, {"sex": "female", "status": "dead"})
    with pytest.raises(CellError, match="unknown dimension"):
        trace_cell(con, "mmp", snapshot, 2020, {"colour": "red"})
    assert trace_cell(con, "mmp", snapshot, 1950, {}).empty
    assert trace_cell(con, "mmp", snapshot, 2020, {"sex": "other"}).empty
    assert published_cell(con, "mmp", snapshot, 1950, {}) is None
    assert parse_dims(["sex=female", "nationality=all"]) == {"sex": "female"}
    with pytest.raises(CellError):
        parse_dims(["sex"])


def test_cli_prints_records_and_the_closing_line(catalog, con):
    snapshot, year, value = con.execute(
        "SELECT snapshot, year, value FROM deaths_stats WHERE source = 'mmp' AND is_latest AND "
        "sex = 'female' AND " + " AND ".join(f"{d} = 'all'" for d in DIMENSIONS if d != "sex")
        + " ORDER BY value DESC LIMIT 1").fetchall()[0]
    result = runner.invoke(app, ["trace", "mmp", "latest", str(year), "sex=female",
                                 "--out", str(catalog), "--limit", "0"])
    assert result.exit_code == 0, result.output
    match = re.search(r"([\d,]+) records, contributions sum to ([\d,]+); published value ([\d,]+)",
                      result.output)
    assert match, result.output
    assert int(match.group(2).replace(",", "")) == int(match.group(3).replace(",", "")) == value
    assert snapshot in result.output

    result = runner.invoke(app, ["trace", "mmp", snapshot, "1950", "--out", str(catalog)])
    assert result.exit_code == 1
    assert "0 records, contributions sum to 0; no such cell" in result.output

    result = runner.invoke(app, ["trace", "cbp_deaths", "latest", str(year), "--out", str(catalog),
                                 "--format", "csv"])
    assert result.exit_code in (0, 1), result.output
    assert result.stdout.startswith("source,snapshot,raw_file,raw_sha256,raw_row,record_id,contribution")
