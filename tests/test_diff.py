"""`harmstats diff`: rows added, removed and changed between two releases, and the published
figures that moved. Releases are built straight from the pipeline functions (no Prefect)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from pipelines import snapshots
from pipelines.cli import app
from pipelines.config import DEFAULT_RAW_DIR
from pipelines.inspection.diff import default_pair, diff_releases, list_releases, render_diff
from pipelines.stats.deaths import DIMENSIONS

runner = CliRunner()
SNAPSHOT = "SAMPLE-2026-05-06"  # MMP's partial-year CSV export: easy to edit by hand
STATS_KEY = ["source", "snapshot", "year", "year_basis", "unit", *DIMENSIONS]


def build_release(raw_dir: Path, out: Path, work: Path, sample: bool = True,
                  sources: tuple[str, ...] = ("mmp",)) -> Path:
    """A release straight from the pipeline functions (no Prefect)."""
    from pipelines.sources.process import process_source
    from pipelines.publish.release import write_release
    from pipelines.stats.tables import build_tables

    summaries = [process_source(s, raw_dir, "all", work) for s in sources]
    return write_release(build_tables(raw_dir, summaries), out, {}, sample=sample)


def _table(release: Path, name: str) -> pd.DataFrame:
    path = release / "tables" / f"{name}.parquet"
    return duckdb.sql(f"SELECT * FROM read_parquet('{path}')").to_arrow_table().to_pandas()


def _grand_totals(release: Path) -> pd.DataFrame:
    stats = _table(release, "deaths_stats")
    return stats[(stats[list(DIMENSIONS)] == "all").all(axis=1)]


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """Release A from a copy of one sample snapshot; release B from an edited copy of it:
    one incident's dead count raised by 2, another incident removed."""
    root = tmp_path_factory.mktemp("diff")
    source = DEFAULT_RAW_DIR / "mmp" / SNAPSHOT
    raw_a, raw_b = root / "raw_a" / "mmp" / SNAPSHOT, root / "raw_b" / "mmp" / SNAPSHOT
    shutil.copytree(source, raw_a)
    shutil.copytree(source, raw_b)
    data = next(p for p in raw_b.iterdir() if p.suffix == ".csv")
    text = data.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    first = next(csv.reader([lines[1]]))
    dead = header.index("Number Dead")
    first[dead] = str(int(first[dead] or 0) + 2)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=lines[1][len(lines[1].rstrip("\r\n")):]).writerow(first)
    removed = next(csv.reader([lines[5]]))
    lines[1] = buffer.getvalue()
    del lines[5]
    data.write_text("".join(lines), encoding="utf-8")
    sidecar = raw_b / "snapshot.json"
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    meta["files"] = snapshots.describe_files(raw_b)
    sidecar.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    out = root / "out"
    release_a = build_release(root / "raw_a", out, root / "work_a")
    release_b = build_release(root / "raw_b", out, root / "work_b")
    id_column = header.index("Incident ID")
    return {"out": out, "a": release_a, "b": release_b, "changed_id": first[id_column],
            "removed_id": removed[id_column], "root": root}


def test_counts_exactly_the_rows_added_removed_and_changed(edited):
    result = diff_releases(edited["a"], edited["b"])
    json.dumps(result)  # JSON-able
    deaths = result["tables"]["deaths"]
    assert (deaths["added"], deaths["removed"], deaths["changed"]) == (0, 1, 1)
    assert deaths["new_rows"] == deaths["old_rows"] - 1
    assert {"dead", "dead_and_missing"} <= set(deaths["changed_columns"])
    assert deaths["by_source"]["mmp"]["removed"] == 1
    sources = result["tables"]["sources"]
    assert (sources["added"], sources["removed"], sources["changed"]) == (0, 0, 1)
    assert "sha256" in sources["changed_columns"]

    # deaths_stats, checked against an independent comparison in pandas
    old, new = _table(edited["a"], "deaths_stats"), _table(edited["b"], "deaths_stats")
    merged = old.merge(new, on=STATS_KEY, how="outer", suffixes=("_old", "_new"), indicator=True)
    both = merged[merged["_merge"] == "both"]
    changed = (both["value_old"] != both["value_new"]).sum()
    stats = result["tables"]["deaths_stats"]
    assert stats["added"] == (merged["_merge"] == "right_only").sum()
    assert stats["removed"] == (merged["_merge"] == "left_only").sum()
    assert stats["changed"] == changed > 0

    # the publisher's records of the latest snapshot: one revised, one gone
    figures = result["sources"]["mmp"]
    records = figures["latest_records"]
    assert (records["added"], records["removed"], records["changed"]) == (0, 1, 1)
    assert not figures["latest_changed"] and figures["latest_new"] == [SNAPSHOT]


def test_the_moved_year_total(edited):
    result = diff_releases(edited["a"], edited["b"])
    deaths_a = _table(edited["a"], "deaths").set_index("record_id")
    gone = int(deaths_a.loc[edited["removed_id"], "dead_and_missing"])
    year = int(deaths_a.loc[edited["changed_id"], "year"])
    old_total = int(_grand_totals(edited["a"]).set_index("year").loc[year, "value"])
    totals = result["sources"]["mmp"]["year_totals"]
    assert totals["moved"] == 1
    (item,) = totals["top"]
    assert (item["year"], item["old"], item["new"], item["change"]) == (
        year, old_total, old_total + 2 - gone, 2 - gone)
    assert item["old_state"] == item["new_state"] == "published"
    countries = result["sources"]["mmp"]["country_totals"]
    assert 1 <= countries["moved"] <= 2 and countries["top"][0]["country_iso3"] != "all"


def test_suppressed_cells_are_never_shown_as_numbers(edited):
    """A copy of release B whose year total is withheld (value null, suppressed true)."""
    release_c = edited["root"] / "release_c"
    shutil.copytree(edited["b"], release_c)
    path = release_c / "tables" / "deaths_stats.parquet"
    all_dims = " AND ".join(f"{d} = 'all'" for d in DIMENSIONS)
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * REPLACE (
                           CASE WHEN {all_dims} THEN NULL ELSE value END AS value,
                           ({all_dims}) OR suppressed AS suppressed)
                         FROM read_parquet('{edited['b'] / 'tables' / 'deaths_stats.parquet'}'))
                    TO '{path}' (FORMAT parquet)""")
    con.close()
    result = diff_releases(edited["a"], release_c)
    (item,) = result["sources"]["mmp"]["year_totals"]["top"]
    assert item["new_state"] == "suppressed" and item["new"] is None and item["change"] is None
    assert item["old_state"] == "published" and item["old"] is not None
    console = Console(record=True, width=200)
    render_diff(result, console)
    text = console.export_text()
    assert "suppressed" in text
    old_total = f"{item['old']:,}"
    row = next(line for line in text.splitlines() if old_total in line and str(item["year"]) in line)
    assert "suppressed" in row


def test_cli_defaults_to_the_two_newest_releases(edited):
    assert [p.resolve() for p in list_releases(edited["out"])[-2:]] == [edited["a"].resolve(),
                                                                       edited["b"].resolve()]
    assert default_pair(edited["out"]) == (edited["a"].resolve(), edited["b"].resolve())
    result = runner.invoke(app, ["diff", "--out", str(edited["out"]), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["old"]["release_id"] == edited["a"].name
    assert payload["tables"]["deaths"]["removed"] == 1
    result = runner.invoke(app, ["diff", edited["a"].name, str(edited["b"]), "--out",
                                 str(edited["out"]), "--top", "5"])
    assert result.exit_code == 0, result.output
    assert "Grand totals by year" in result.stdout and "Rows by table" in result.stdout
    result = runner.invoke(app, ["diff", "no-such-release", "--out", str(edited["out"])])
    assert result.exit_code == 2


@pytest.mark.real
def test_real_mmp_revisions_between_two_exports(real_dir, tmp_path):
    """IOM revised every year between the 2024-11-21 and 2025-05-05 exports; 2014 went from
    5,550 to 5,441 (../shared/data/real/PROVENANCE.md)."""
    releases = {}
    for name in ("2024-11-21", "2025-05-05"):
        folder = real_dir / "mmp" / name
        if not folder.is_dir():
            pytest.skip(f"real snapshot {folder} not found")
        raw = tmp_path / f"raw-{name}"
        (raw / "mmp").mkdir(parents=True)
        (raw / "mmp" / name).symlink_to(folder.resolve(), target_is_directory=True)
        releases[name] = build_release(raw, tmp_path / "out", tmp_path / f"work-{name}", sample=False)
    result = diff_releases(releases["2024-11-21"], releases["2025-05-05"], top=0)
    mmp = result["sources"]["mmp"]
    assert mmp["latest_old"] == ["2024-11-21"] and mmp["latest_new"] == ["2025-05-05"]
    assert mmp["latest_changed"]
    moved = {item["year"]: item for item in mmp["year_totals"]["top"]}
    assert (moved[2014]["old"], moved[2014]["new"], moved[2014]["change"]) == (5550, 5441, -109)
    old_years = set(_grand_totals(releases["2024-11-21"])["year"])
    assert old_years and old_years <= set(moved)
    assert mmp["year_totals"]["moved"] == len(mmp["year_totals"]["top"])
    changes = [abs(i["change"]) for i in mmp["year_totals"]["top"] if i["change"] is not None]
    assert changes == sorted(changes, reverse=True)
