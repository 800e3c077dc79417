"""The public extracts of a release and `harmstats export`: layout, latest snapshots only,
public columns only, safe CSV/xlsx, suppressed cells withheld, READMEs with their caveats,
checksums and the zip."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.publish.export import ExportError, check_where, export_table
from pipelines.publish.extract_tables import EXTRACT_TABLES, public_columns
from pipelines.publish.extracts import write_extracts
from pipelines.publish.table_files import write_csv
from pipelines.sources.registry import SOURCES
from schemas.tables import TABLES
from tests.sample_release import out_dir, sample_release

runner = CliRunner()
LINEAGE_COLUMNS = {"record_id", "raw_row", "raw_sha256", "raw_file", "error", "event_date"}


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Path:
    return sample_release(tmp_path_factory)


@pytest.fixture(scope="session")
def extracts(release) -> Path:
    return release / "public" / "extracts"


def _sums(folder: Path) -> dict[str, str]:
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {line[66:]: line[:64] for line in lines}


def test_layout_every_table_as_parquet_and_csv_side_by_side(extracts):
    for name in EXTRACT_TABLES:
        assert (extracts / f"{name}.parquet").is_file(), name
        assert (extracts / f"{name}.csv").is_file(), name
        assert (extracts / f"{name}.README-SAMPLE.md").is_file(), name
    for name in ("README-SAMPLE.md", "data_dictionary.md", "data_dictionary.csv", "SHA256SUMS"):
        assert (extracts / name).is_file(), name
    # record-grain tables never leave the catalog
    for name in ("deaths", "crimes", "prosecutions", "quarantine", "unmapped_values"):
        assert not list(extracts.glob(f"{name}.*")), name


def test_sha256sums_cover_every_file_relative_to_extracts(extracts):
    sums = _sums(extracts)
    files = {p.name for p in extracts.iterdir()} - {"SHA256SUMS"}
    assert set(sums) == files
    for name, digest in sums.items():
        assert hashlib.sha256((extracts / name).read_bytes()).hexdigest() == digest, name
    if shutil.which("sha256sum"):
        done = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=extracts, capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_zip_holds_all_of_it_and_says_sample(release, extracts):
    manifest = json.loads((release / "public" / "manifest.json").read_text())
    info = manifest["extracts"]
    assert info["zip"]["path"].startswith("harmstats-extracts-") and "SAMPLE" in info["zip"]["path"]
    path = release / "public" / info["zip"]["path"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == info["zip"]["sha256"]
    with zipfile.ZipFile(path) as bundle:
        names = {Path(n).name: n for n in bundle.namelist()}
        assert set(names) == {p.name for p in extracts.iterdir()}
        for name, member in names.items():
            assert bundle.read(member) == (extracts / name).read_bytes(), name
    listed = {f["path"] for f in info["files"]}
    assert listed == {f"extracts/{p.name}" for p in extracts.iterdir()}
    assert manifest["page"] == "index.html"


def test_latest_snapshots_and_public_columns_only(release, extracts):
    all_stats = pd.read_parquet(release / "tables" / "deaths_stats.parquet")
    assert (~all_stats["is_latest"]).any(), "the sample should hold older snapshots too"
    for name in EXTRACT_TABLES:
        frame = pd.read_parquet(extracts / f"{name}.parquet")
        assert list(frame.columns) == public_columns(name), name
        assert not LINEAGE_COLUMNS & set(frame.columns), name
        if "is_latest" in frame:
            assert frame["is_latest"].all(), name
    sources = pd.read_parquet(extracts / "sources.parquet")
    catalog_sources = pd.read_parquet(release / "tables" / "sources.parquet")
    assert len(sources) == int(catalog_sources["is_latest"].sum())
    deaths = pd.read_parquet(extracts / "deaths_stats.parquet")
    assert len(deaths) == int(all_stats["is_latest"].sum())


def test_csv_equals_parquet_and_opens_with_a_bom(extracts):
    for name in EXTRACT_TABLES:
        raw = (extracts / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        csv = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False,
                          dtype=str)
        parquet = pd.read_parquet(extracts / f"{name}.parquet")
        assert list(csv.columns) == list(parquet.columns), name
        assert len(csv) == len(parquet), name
    stats = pd.read_csv(extracts / "deaths_stats.csv", encoding="utf-8-sig")
    assert pd.api.types.is_integer_dtype(stats["year"]) and pd.api.types.is_numeric_dtype(stats["value"])


def test_csv_cells_never_run_as_formulas_and_keep_accents(tmp_path):
    frame = pd.DataFrame({
        "text": ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx",
                 "Incidencia delictiva del fuero común", "Société", "plain", None],
        "number": [-5, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        "ratio": [-0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, None],
    })
    write_csv(frame, tmp_path / "x.csv")
    raw = (tmp_path / "x.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(tmp_path / "x.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert list(back["text"][:6]) == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "'-2+3",
                                      "'@SUM(A1)", "'\tx", "'\rx"]
    assert back["text"][6] == "Incidencia delictiva del fuero común" and back["text"][7] == "Société"
    assert back["text"][8] == "plain" and back["text"][9] == ""
    assert back["number"][0] == "-5" and back["ratio"][0] == "-0.5"  # numbers stay numbers


def _synthetic_tables() -> dict[str, pd.DataFrame]:
    """Small public tables: one suppressed cell with exact bounds, a formula-like title, an
    older snapshot that must not be extracted."""
    dims = {d: "all" for d in ("sex", "gender_identity", "age_group", "nationality",
                               "race_ethnicity", "country_iso3", "cause", "criminal", "scope",
                               "status")}
    base = {"source": "ngo_x", "year": 2024, "year_basis": "incident", "partial_year": False,
            "unit": "persons", **dims, "value_min": None, "value_max": None,
            "source_suppressed": False}
    deaths = pd.DataFrame([
        {**base, "snapshot": "S2", "is_latest": True, "value": 10, "suppressed": False},
        {**base, "snapshot": "S2", "is_latest": True, "sex": "female", "value": 3,
         "value_min": 3, "value_max": 3, "suppressed": True},
        {**base, "snapshot": "S2", "is_latest": True, "sex": "male", "value": 7, "suppressed": True,
         "value_min": 5, "value_max": 9},
        {**base, "snapshot": "S1", "is_latest": False, "value": 9, "suppressed": False},
    ])
    sources = pd.DataFrame([{
        "source": "ngo_x", "title": "=cmd|' /C calc'!A0", "publisher": "Café Société",
        "landing_page": "https://example.org", "licence": "CC BY 4.0", "citation": "Cite me.",
        "snapshot": snap, "kind": "full", "product": "default", "retrieved": None,
        "period_start": "2024-01-01", "period_end": "2024-12-31", "is_latest": latest,
        "is_sample": False, "file": "f.csv", "sha256": "0" * 64, "bytes": 1,
        "format_version": "v1", "status": "ok", "error": "row 3: 'Jane Doe' is not a date",
        "carried_forward_from": None, "rows_read": 1, "rows_accepted": 1, "rows_quarantined": 0,
        "rows_flagged": 0} for snap, latest in (("S1", False), ("S2", True))])
    return {"deaths_stats": deaths, "sources": sources}


def test_suppressed_cells_are_withheld_everywhere(tmp_path):
    info = write_extracts(_synthetic_tables(), tmp_path, "R1", sample=False, code_version="t")
    assert not info["sample"] and info["zip"]["path"] == "harmstats-extracts-R1.zip"
    frame = pd.read_parquet(tmp_path / "extracts" / "deaths_stats.parquet")
    assert len(frame) == 3 and set(frame["snapshot"]) == {"S2"}
    hidden = frame[frame["suppressed"]]
    assert hidden["value"].isna().all()
    assert hidden["value_min"].isna().all() and hidden["value_max"].isna().all()
    csv = pd.read_csv(tmp_path / "extracts" / "deaths_stats.csv", encoding="utf-8-sig",
                      keep_default_na=False, dtype=str)
    assert (csv.loc[csv["suppressed"] == "True", "value"] == "").all()
    readme = (tmp_path / "extracts" / "deaths_stats.README.md").read_text()
    assert "Suppressed cells (2 in this file)" in readme and "SAMPLE" not in readme
    sources = pd.read_csv(tmp_path / "extracts" / "sources.csv", encoding="utf-8-sig", dtype=str)
    assert "error" not in sources.columns
    assert sources["title"][0].startswith("'=") and sources["publisher"][0] == "Café Société"
    assert not (tmp_path / "extracts" / "README-SAMPLE.md").exists()
    # empty streams still get their files
    crimes = pd.read_parquet(tmp_path / "extracts" / "crimes_stats.parquet")
    assert crimes.empty and list(crimes.columns) == public_columns("crimes_stats")


def test_data_dictionary_lists_every_public_column_with_codes(extracts):
    rows = pd.read_csv(extracts / "data_dictionary.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(rows.columns) == ["table", "column", "type", "meaning", "allowed_codes"]
    expected = {(t, c) for t in EXTRACT_TABLES for c in public_columns(t)}
    assert set(zip(rows["table"], rows["column"])) == expected
    assert not (rows["meaning"] == "").any()
    sex = rows[(rows["table"] == "deaths_stats") & (rows["column"] == "sex")].iloc[0]
    assert "not_recorded" in sex["allowed_codes"] and "all" in sex["allowed_codes"]
    markdown = (extracts / "data_dictionary.md").read_text()
    assert all(f"## `{t}`" in markdown for t in EXTRACT_TABLES)
    assert "| `error` |" not in markdown


def test_readmes_carry_the_caveats_and_citations(extracts):
    for name in EXTRACT_TABLES:
        text = (extracts / f"{name}.README-SAMPLE.md").read_text()
        assert text.count("SAMPLE DATA, NOT REAL STATISTICS") >= 1, name
        assert "never additive" in text and "SHA256SUMS" in text and "harmstats, public release" in text
    deaths = (extracts / "deaths_stats.README-SAMPLE.md").read_text()
    for phrase in ("minimum estimates", "year_basis", "partial year", "not_recorded",
                   "Suppressed cells", "source_suppressed", "Source quality", "flagged",
                   "## Snapshots", "SAMPLE-"):
        assert phrase in deaths, phrase
    for source in ("mmp", "pcome_humane_borders", "ice_detention_deaths", "cbp_deaths"):
        spec = SOURCES[source].spec
        assert spec.title in deaths and spec.licence in deaths, source
        if spec.citation:
            assert spec.citation in deaths, source
    prosecutions = (extracts / "prosecutions_stats.README-SAMPLE.md").read_text()
    assert "never add them" in prosecutions
    index = (extracts / "README-SAMPLE.md").read_text()
    assert index.startswith("# harmstats public extracts") and "SAMPLE DATA" in index.splitlines()[2]


# --- harmstats export -------------------------------------------------------------------------

@pytest.mark.parametrize("table", ["deaths", "crimes", "prosecutions", "quarantine"])
def test_export_refuses_record_grain_tables(release, table, tmp_path):
    result = runner.invoke(app, ["export", table, "--out", str(out_dir(release)),
                                 "--file", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "never exported" in result.output and "deaths_stats" in result.output
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("where", [
    "1=1; DROP TABLE deaths_stats", "value > (SELECT max(value) FROM deaths)",
    "source IN (SELECT source FROM deaths)", "EXISTS (SELECT 1 FROM deaths_stats)",
    "read_csv('/etc/passwd') IS NOT NULL", "length(read_text('/etc/passwd')) > 0",
    "year = 2020 -- comment", "year = 2020 /* c */", "getenv('HOME') = ''", "year",
    "(year = 2020", "\"raw_row\" = 1", "1=1) UNION SELECT * FROM deaths_stats WHERE (1=1",
    "year = 2020) GROUP BY year HAVING (count(*) > 0",
])
def test_export_rejects_anything_but_a_boolean_expression(release, where, tmp_path):
    with pytest.raises(ExportError):
        export_table(release / "public", "deaths_stats", where, "csv", tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_check_where_sees_public_columns_only(release, tmp_path):
    with pytest.raises(ExportError, match="neither a column"):
        export_table(release / "public", "sources", "error IS NOT NULL", "csv", tmp_path / "s.csv")


def test_export_gives_exactly_the_public_extract(release, tmp_path):
    """Issue 14, leak 1: export read the catalog (2,190 exact NGO cells of 1-4, non-latest rows,
    groupings never published). Now every export is a slice of the public extract: the NGO
    rows of the catalog's small cells come out withheld, the NGO coverage shares null."""
    out = out_dir(release)
    where = "source = 'ngo_incidents' AND value BETWEEN 1 AND 4"
    result = runner.invoke(app, ["export", "crimes_stats", "--where", where, "--file",
                                 str(tmp_path / "small.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "small.csv", encoding="utf-8-sig")) == 0
    exact = pd.read_parquet(release / "tables" / "crimes_stats.parquet")
    assert exact[(exact["source"] == "ngo_incidents") & exact["value"].between(1, 4)].shape[0] > 100
    result = runner.invoke(app, ["export", "crimes_stats", "--format", "parquet", "--file",
                                 str(tmp_path / "all.parquet"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    public = pd.read_parquet(release / "public" / "extracts" / "crimes_stats.parquet")
    exported = pd.read_parquet(tmp_path / "all.parquet")
    pd.testing.assert_frame_equal(exported, public, check_dtype=False)
    assert exported["is_latest"].all()
    result = runner.invoke(app, ["export", "coverage", "--where", "source = 'ngo_incidents'", "--file",
                                 str(tmp_path / "cov.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    coverage = pd.read_csv(tmp_path / "cov.csv", encoding="utf-8-sig")
    assert len(coverage) and coverage["known_share"].isna().all() and coverage["total"].isna().all()


def test_export_old_option_names_still_work_with_a_warning(release, tmp_path, monkeypatch):
    """`--out` names the output folder in every command; export's old spellings (`--catalog-out
    DIR` for it, `--out FILE` for the file written) still work, each with a warning."""
    out = out_dir(release)
    expected = pd.read_parquet(release / "public" / "extracts" / "coverage.parquet")
    for args, written in (
            (["--out", str(tmp_path / "old.csv"), "--catalog-out", str(out)], tmp_path / "old.csv"),
            (["--catalog-out", str(out), "--file", str(tmp_path / "mixed.csv")], tmp_path / "mixed.csv"),
            (["--out", str(out), "--file", str(tmp_path / "new.csv")], tmp_path / "new.csv")):
        result = runner.invoke(app, ["export", "coverage", *args])
        assert result.exit_code == 0, result.output
        assert ("Deprecated" in result.output) == ("--catalog-out" in args)
        assert len(pd.read_csv(written, encoding="utf-8-sig")) == len(expected)
    assert "`export --out FILE` is now `--file FILE`" in runner.invoke(
        app, ["export", "coverage", "--out", str(tmp_path / "old.csv"), "--catalog-out", str(out)]).output
    monkeypatch.chdir(tmp_path)  # `--out FILE` alone: a file (no such folder), from data/curated
    result = runner.invoke(app, ["export", "coverage", "--out", "alone.csv"])
    assert "`export --out FILE` is now `--file FILE`" in result.output
    assert "under alone.csv" not in result.output  # not read as the output folder


def test_readmes_escape_raw_html_from_snapshot_names(tmp_path):
    """A snapshot name (or title, licence) holding HTML is shown as text, never run."""
    from pipelines.publish.readmes import Context, table_readme

    sources = pd.DataFrame([{"source": "mmp", "title": "IOM <b>MMP</b>", "publisher": "IOM",
                             "landing_page": "https://x", "licence": "<script>alert(1)</script>",
                             "citation": None, "snapshot": "<img src=x onerror=alert(1)>",
                             "kind": "full", "product": "a|b", "retrieved": None, "period_start": None,
                             "period_end": None}])
    ctx = Context("R1", "2026-01-01", "v", False, {"sources": sources, "coverage": pd.DataFrame(
        columns=["source", "snapshot", "stream", "unit", "subject", "dimension", "recorded", "known_share"])})
    facts = pd.DataFrame({"source": ["mmp"], "snapshot": ["<img src=x onerror=alert(1)>"]})
    readme = table_readme("sources", facts, ctx, ["sources.csv"], query="source = '<i>x</i>'")
    for raw in ("<script>", "<img", "<b>", "<i>x"):
        assert raw not in readme.replace("`source = '<i>x</i>'`", ""), raw
    assert "&lt;img src=x onerror=alert(1)&gt;" in readme and "&lt;script&gt;" in readme
    assert "a\\|b" in readme  # a pipe cannot open a new table cell


def test_check_where_accepts_plain_expressions():
    columns = list(TABLES["deaths_stats"].to_schema().columns)
    for where in ("is_latest AND source = 'mmp' AND year BETWEEN 2015 AND 2020",
                  "lower(source) LIKE 'mm%' OR NOT suppressed", "cause IN ('drowning', 'violence')",
                  "year::VARCHAR = '2020'", "CAST(year AS INTEGER) >= 2019 AND value IS NOT NULL",
                  "source = 'it''s (quoted)'", "starts_with(source, 'm') AND year % 2 = 0",
                  "source IN ('a;b', 'c -- d', '/* e */')"):  # text, not a separator or a comment
        assert check_where(where, columns, "deaths_stats") == where


def test_export_csv_parquet_xlsx_with_readme(release, tmp_path):
    out = out_dir(release)
    where = "is_latest AND source = 'mmp' AND criminal <> 'all'"
    result = runner.invoke(app, ["export", "deaths_stats", "--where", where, "--format", "csv",
                                 "--file", str(tmp_path / "mmp.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(tmp_path / "mmp.csv", encoding="utf-8-sig")
    assert len(frame) and set(frame["source"]) == {"mmp"} and (frame["criminal"] != "all").all()
    readme = (tmp_path / "mmp.csv.README-SAMPLE.md").read_text()
    assert "SAMPLE DATA" in readme and where in readme and "never additive" in readme
    assert "minimum estimates" in readme
    result = runner.invoke(app, ["export", "coverage", "--format", "parquet", "--file",
                                 str(tmp_path / "cov"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert list(pd.read_parquet(tmp_path / "cov.parquet").columns) == public_columns("coverage")
    assert (tmp_path / "cov.parquet.README-SAMPLE.md").is_file()


def test_export_xlsx_neutralises_formulas(release, tmp_path):
    from openpyxl import load_workbook

    public = tmp_path / "public"
    shutil.copytree(release / "public" / "extracts", public / "extracts")
    shutil.copyfile(release / "public" / "manifest.json", public / "manifest.json")
    sources = pd.read_parquet(public / "extracts" / "sources.parquet")
    mmp = sources["source"] == "mmp"
    sources.loc[mmp, "title"] = '=HYPERLINK("http://evil","x")'
    sources.loc[mmp, "publisher"] = "@SUM(1)"
    sources.to_parquet(public / "extracts" / "sources.parquet", index=False)
    result = export_table(public, "sources", "source = 'mmp'", "xlsx", tmp_path / "s.xlsx")
    assert result["rows"] > 0 and result["sample"]
    book = load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames == ["sources", "README"]
    sheet = book["sources"]
    header = [c.value for c in sheet[1]]
    assert "error" not in header
    title, publisher = header.index("title"), header.index("publisher")
    for row in sheet.iter_rows(min_row=2):
        assert row[title].data_type == "s" and row[title].value.startswith("'=")
        assert row[publisher].value.startswith("'@")
        assert isinstance(row[header.index("rows_read")].value, int)  # numbers stay numbers
    notes = "\n".join(str(c.value) for c in book["README"]["A"] if c.value)
    assert "SAMPLE DATA" in notes and "never additive" in notes
