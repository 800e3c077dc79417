"""Run faults found by an attack review (issue 14): each reproduced here on small files, and
each ending as the README's exit codes say (0 published, 1 published with warnings, 2 nothing
published), with a message that names the file and what is wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from pipelines.config import DEFAULT_RAW_DIR
from pipelines.flows import run_pipeline
from pipelines.publish.release import current_release

MMP_SAMPLE = DEFAULT_RAW_DIR / "mmp" / "SAMPLE-2020-01-13"


def _table(release: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(release / "tables" / f"{name}.parquet")


def _copy(raw: Path, source: str, snapshot: str) -> Path:
    folder = raw / source / snapshot
    shutil.copytree(DEFAULT_RAW_DIR / source / snapshot, folder)
    return folder


def _update_sidecar(folder: Path) -> None:
    """Describe a snapshot's files anew in its sidecar, as whoever edits a raw file must."""
    from pipelines.snapshots import describe_files

    sidecar = folder / "snapshot.json"
    meta = json.loads(sidecar.read_text())
    sidecar.write_text(json.dumps({**meta, "files": describe_files(folder)}, indent=2))


# --- an incremental run among sources without deaths ----------------------------------------

def test_changed_source_among_unchanged_ones_without_deaths_publishes(tmp_path):
    """Two crimes sources, one edited: the unchanged one is reused from a release whose deaths
    table is empty. The empty deaths table must stay an empty table (it was taken for a table
    of rows and its statistics came back without columns: exit 2 on main)."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    folder = _copy(raw, "ngo_incidents", "SAMPLE-2025-12-31")
    _copy(raw, "mx_sesnsp", "SAMPLE-2025-10-20")
    first = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mx_sesnsp", "ngo_incidents"])
    assert first["exit_code"] == 0, first["summary"]
    (log,) = folder.glob("*.csv")
    lines = log.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    assert ",kidnapping," in lines[3]
    lines[3] = lines[3].replace(",kidnapping,", ",extortion,", 1)
    log.write_text("".join(lines), encoding="utf-8-sig")
    _update_sidecar(folder)
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["ngo_incidents"],
                          reuse=["mx_sesnsp"])
    assert report["exit_code"] == 0, report["summary"]
    release = Path(report["release"])
    assert _table(release, "deaths").empty and _table(release, "deaths_stats").empty
    crimes = _table(release, "crimes")
    assert set(crimes["source"]) == {"mx_sesnsp", "ngo_incidents"}
    assert crimes.loc[crimes["source"] == "ngo_incidents", "crime_type"].value_counts()["extortion"] == \
        _table(Path(first["release"]), "crimes").query("source == 'ngo_incidents'")[
            "crime_type"].value_counts()["extortion"] + 1


# --- a source that fails: carried forward, or named, never blocking the others -------------

@pytest.fixture
def published_mmp(tmp_path):
    """A raw folder with one good MMP snapshot and a first release built from it."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    _copy(raw, "mmp", MMP_SAMPLE.name)
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    assert report["exit_code"] == 0, report["summary"]
    return raw, out, Path(report["release"])


def test_broken_file_replacing_a_good_one_in_the_same_snapshot_is_carried_forward(published_mmp):
    """The same snapshot, the same file name, broken content: its last good rows are carried
    forward (exit 1), as for a broken new snapshot (on main: two `sources` rows for one file,
    and the GX uniqueness check on `sources` blocked the whole release, exit 2)."""
    raw, out, first = published_mmp
    (raw / "mmp" / MMP_SAMPLE.name / "data.csv").write_text(
        "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>")
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    assert report["exit_code"] == 1, report["summary"]
    assert report["sources"]["mmp"]["state"] == "carried_forward"
    assert any("data.csv" in w and "HTML" in w for w in report["sources"]["mmp"]["warnings"])
    release = Path(report["release"])
    sources = _table(release, "sources")
    (row,) = sources.itertuples()
    assert (row.snapshot, row.file, row.status) == (MMP_SAMPLE.name, "data.csv", "carried_forward")
    assert row.carried_forward_from == first.name and "HTML" in row.error
    assert row.sha256 == _table(first, "sources")["sha256"].item()  # the rows' file, not the broken one
    assert _table(release, "deaths").equals(_table(first, "deaths"))


def test_a_failing_snapshot_without_an_earlier_release_leaves_the_others_published(tmp_path):
    """No release yet; one source's only snapshot holds no file its module reads (as the real
    `fbi_hate_crime/cde_incidents_1991_2020`, a zip, on main): the other sources are published
    and the failure is named (on main: GX failed on the empty `sources.sha256`, exit 2)."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    _copy(raw, "mmp", MMP_SAMPLE.name)
    folder = raw / "fbi_hate_crime" / "2026-01-01"
    folder.mkdir(parents=True)
    (folder / "hate_crime.csv.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["fbi_hate_crime", "mmp"])
    assert report["exit_code"] == 1, report["summary"]
    assert report["published"] and report["sources"]["fbi_hate_crime"]["state"] == "failed"
    assert any("no file matching" in w for w in report["sources"]["fbi_hate_crime"]["warnings"])
    sources = _table(Path(report["release"]), "sources").set_index("source")
    assert sources.loc["mmp", "status"] == "ok"
    assert sources.loc["fbi_hate_crime", "status"] == "failed"
    assert "no file matching" in sources.loc["fbi_hate_crime", "error"]
    assert len(_table(Path(report["release"]), "deaths"))


def test_a_run_in_which_every_source_fails_publishes_nothing(tmp_path):
    """Nothing read and nothing earlier to carry forward: no release of empty tables (on main:
    an empty release, exit 1), but exit 2 naming the failures."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    folder = raw / "mmp" / "2026-01-01"
    folder.mkdir(parents=True)
    (folder / "data.csv").write_bytes(b"")
    report = run_pipeline(raw_dir=str(raw), out_dir=str(out), sources=["mmp"])
    assert report["exit_code"] == 2 and not report["published"], report["summary"]
    assert "every source failed" in report["summary"] and "data.csv" in report["summary"]
    assert "the file is empty" in report["summary"]
    assert current_release(out) is None
    assert not [p for p in (out / "releases").glob("*") if not p.name.startswith(".")] \
        if (out / "releases").exists() else True


# --- provenance: the file's own sha256, never the sidecar's word for it ----------------------

def _edit_keeping_sidecar(folder: Path) -> tuple[str, str]:
    """Change one value of the MMP sample's data.csv, leaving snapshot.json as it was.
    Returns (sha256 the sidecar declares, sha256 of the file now)."""
    from pipelines.snapshots import sha256_file

    declared = json.loads((folder / "snapshot.json").read_text())["files"]["data.csv"]["sha256"]
    path = folder / "data.csv"
    text = path.read_bytes().decode("utf-8")
    head, first, rest = text.split("\r\n", 2)
    path.write_bytes("\r\n".join([head, first.replace("Sample", "Muestra", 1), rest]).encode("utf-8"))
    actual = sha256_file(path)
    assert actual != declared
    return declared, actual


@pytest.mark.parametrize("earlier_release", [False, True])
def test_a_raw_file_differing_from_its_sidecar_is_recorded_as_read_and_warned(tmp_path, earlier_release):
    """On main `sources.sha256` and the manifest kept the sidecar's hash while the records
    carried the file's, and the run said nothing (exit 0)."""
    from pipelines.ops.incremental import plan
    from pipelines.ops.run import execute

    raw, out = tmp_path / "raw", tmp_path / "out"
    folder = _copy(raw, "mmp", MMP_SAMPLE.name)
    if earlier_release:
        assert execute(raw, out, sources=["mmp"])["exit_code"] == 0
    declared, actual = _edit_keeping_sidecar(folder)
    report = execute(raw, out, sources=["mmp"])
    assert report["exit_code"] == 1 and report["published"], report["summary"]
    (warning,) = report["sources"]["mmp"]["warnings"]
    assert "data.csv" in warning and declared in warning and actual in warning
    release = Path(report["release"])
    assert _table(release, "sources")["sha256"].tolist() == [actual]
    assert set(_table(release, "deaths")["raw_sha256"]) == {actual}
    manifest = json.loads((release / "manifest.json").read_text())
    assert [i["sha256"] for i in manifest["inputs"]] == [actual]
    # Until the sidecar is put right, every run processes the source again and says so.
    again = plan(raw, out, ["mmp"], "latest")
    assert again.process == ["mmp"] and "sidecar" in again.reasons["mmp"]


# --- resource limits: refused at once, naming the file and the limit -------------------------
# The limits are lowered so that the files can stay small (the review's were 1 GB and 871 MB).

def _process(raw: Path, source: str) -> list[dict]:
    from pipelines.sources.process import process_source

    return process_source(source, raw, "all", raw.parent / "work")["files"]


def test_a_raw_file_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    _copy(raw, "mmp", MMP_SAMPLE.name)
    monkeypatch.setenv("HARMSTATS_MAX_RAW_BYTES", "10000")
    (result,) = _process(raw, "mmp")
    assert result["status"] == "failed"
    assert "data.csv" in result["error"] and "10,000" in result["error"]
    assert "HARMSTATS_MAX_RAW_BYTES" in result["error"] and "50,689 bytes" in result["error"]


@pytest.mark.parametrize("layout", ["nul bytes", "endless quoted field", "semicolons"])
def test_a_csv_with_an_endless_field_is_refused_at_once(tmp_path, monkeypatch, layout):
    """On main a 1 GB file of NUL bytes as an MMP CSV took 6.7 GB and ended in "field larger
    than field limit": the header was read whole to find its end. Here 3 MB against a 64 KiB
    limit: refused after reading one block, naming the file, the record and the limit."""
    raw = tmp_path / "raw"
    folder = raw / "mmp" / "2026-01-01"
    folder.mkdir(parents=True)
    body = {"nul bytes": b"\0" * (3 << 20),
            "endless quoted field": GOOD_HEADER + b'\r\n"Sample, ' + b"a,\n" * (1 << 20),
            "semicolons": GOOD_HEADER + b"\r\n" + b";" * (3 << 20)}[layout]
    (folder / "data.csv").write_bytes(body)
    monkeypatch.setenv("HARMSTATS_MAX_FIELD_BYTES", str(64 << 10))
    read_whole = []
    real_read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read_whole.append(self) or real_read_bytes(self))
    (result,) = _process(raw, "mmp")
    assert result["status"] == "failed"
    assert "data.csv" in result["error"] and "65,536 bytes" in result["error"]
    assert "HARMSTATS_MAX_FIELD_BYTES" in result["error"]
    assert f"row {1 if layout == 'nul bytes' else 2}" in result["error"]
    assert not read_whole  # never read whole (then decoded and parsed) to find the field's end


GOOD_HEADER = (MMP_SAMPLE / "data.csv").read_bytes().split(b"\r\n", 1)[0]


def test_a_long_field_in_a_csv_read_in_chunks_is_refused(tmp_path, monkeypatch):
    """A well-formed file with one 100 kB cell: Arrow reads it without complaint (on main it
    was ingested); over the field limit it is refused with its row and column."""
    raw = tmp_path / "raw"
    folder = _copy(raw, "mmp", MMP_SAMPLE.name)
    lines = (folder / "data.csv").read_bytes().split(b"\r\n")
    lines[3] = lines[3].replace(b'"Sample', b'"Sample ' + b"x" * 100_000, 1)
    (folder / "data.csv").write_bytes(b"\r\n".join(lines))
    monkeypatch.setenv("HARMSTATS_MAX_FIELD_BYTES", "65536")
    (result,) = _process(raw, "mmp")
    assert result["status"] == "failed"
    assert "data.csv, row 4, column" in result["error"] and "65,536 bytes" in result["error"]
    monkeypatch.delenv("HARMSTATS_MAX_FIELD_BYTES")
    (result,) = _process(raw, "mmp")
    assert result["status"] == "ok"  # the default limit (1 MiB) takes it


def test_a_workbook_unpacking_past_the_limit_is_refused_unread(tmp_path, monkeypatch):
    """On main a 3.6 MB XLSX whose sheet unpacked to 871 MB ran 371 s before failing. The
    unpacked size is read from the zip directory, before a byte is unpacked."""
    raw = tmp_path / "raw"
    _copy(raw, "ngo_incidents", "SAMPLE-2025-06-30")  # a workbook that unpacks to 375,244 bytes
    monkeypatch.setenv("HARMSTATS_MAX_WORKBOOK_BYTES", "300000")
    opened = []
    monkeypatch.setattr("pipelines.sources.readers.CalamineWorkbook",
                        SimpleNamespace(from_path=lambda *a, **k: opened.append(a) or 1 / 0))
    (result,) = _process(raw, "ngo_incidents")
    assert result["status"] == "failed" and not opened
    assert "registro_incidentes_2023_2025.xlsx" in result["error"]
    assert "375,244 bytes" in result["error"] and "300,000" in result["error"]
    assert "HARMSTATS_MAX_WORKBOOK_BYTES" in result["error"]


def test_a_limit_that_is_not_a_number_is_named(monkeypatch):
    from pipelines.settings import active

    monkeypatch.setenv("HARMSTATS_MAX_FIELD_BYTES", "1MB")
    with pytest.raises(ValueError, match="HARMSTATS_MAX_FIELD_BYTES='1MB'"):
        active()
    monkeypatch.setenv("HARMSTATS_MAX_FIELD_BYTES", "1_048_576")
    assert active().max_field_bytes == 1 << 20


# --- a new column is a new format, refused like any other ------------------------------------

def _wide_with_columns(text: str, header_at: str, stop_at: str | None, edit) -> str:
    """A report-style CSV whose header row (the line starting `header_at`) and the rows under
    it, down to the line starting `stop_at`, are edited by `edit(cells, is_header)`."""
    import csv
    import io

    out, inside = [], False
    for line in text.splitlines(keepends=True):
        ending = line[len(line.rstrip("\r\n")):]
        if line.startswith(header_at):
            inside = True
        elif stop_at is not None and line.startswith(stop_at):
            inside = False
        if inside and line.strip():
            cells = next(csv.reader([line.rstrip("\r\n")]))
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(edit(cells, line.startswith(header_at)))
            line = buffer.getvalue() + ending
        out.append(line)
    return "".join(out)


WIDE = {  # source: (sample snapshot, header line start, line ending the table body)
    "fbi_hate_crime": ("SAMPLE-2021-05-02_table1", ",2015", "1 The term"),
    "ca_statcan_hate_crime": ("SAMPLE-2021-03-19", "Type of motivation", "Symbol legend"),
}


@pytest.mark.parametrize("source", sorted(WIDE))
def test_a_wide_table_with_a_new_year_column_is_refused(tmp_path, source):
    """On main the reader took the years from the header: FBI Table 1 with an added year
    column landed 43 rows of a year the product never had (StatCan's table the same)."""
    snapshot, header_at, stop_at = WIDE[source]
    raw = tmp_path / "raw"
    folder = _copy(raw, source, snapshot)
    (path,) = folder.glob("*.csv")
    text = path.read_bytes().decode("utf-8-sig")
    edit = lambda cells, header: cells + (["2020"] if header else [cells[1] and "7"])  # noqa: E731
    path.write_bytes(b"\xef\xbb\xbf" + _wide_with_columns(text, header_at, stop_at, edit).encode("utf-8"))
    (result,) = _process(raw, source)
    assert result["status"] == "failed", result
    assert path.name in result["error"] and "known format" in result["error"]
    assert "new columns ['2020']" in result["error"] and "2019" in result["error"]


@pytest.mark.parametrize("source", sorted(WIDE))
def test_a_wide_table_showing_some_of_the_known_years_is_read(tmp_path, source):
    """A window of the series (StatCan's viewer lets a user pick the years) is the same
    format: its years are read, none invented."""
    snapshot, header_at, stop_at = WIDE[source]
    raw = tmp_path / "raw"
    folder = _copy(raw, source, snapshot)
    (path,) = folder.glob("*.csv")
    text = path.read_bytes().decode("utf-8-sig")
    edit = lambda cells, header: cells[:-1]  # noqa: E731
    path.write_bytes(b"\xef\xbb\xbf" + _wide_with_columns(text, header_at, stop_at, edit).encode("utf-8"))
    (result,) = _process(raw, source)
    assert result["status"] == "ok", result["error"]
    years = set(pd.read_parquet(result["parts"]["crimes"], columns=["year"])["year"])
    assert max(years) == 2018


def test_sesnsp_with_another_month_column_is_refused(tmp_path):
    """SESNSP's wide layout (one column per month) was already refused by its header."""
    raw = tmp_path / "raw"
    folder = _copy(raw, "mx_sesnsp", "SAMPLE-2025-10-20")
    (path,) = folder.glob("*.csv")
    lines = path.read_bytes().split(b"\r\n") if b"\r\n" in path.read_bytes() else path.read_bytes().split(b"\n")
    sep = b"\r\n" if b"\r\n" in path.read_bytes() else b"\n"
    path.write_bytes(sep.join([lines[0] + b",Total"] + [ln + b",1" if ln else ln for ln in lines[1:]]))
    (result,) = _process(raw, "mx_sesnsp")
    assert result["status"] == "failed" and "new columns ['Total']" in result["error"]


# --- messages in the user's terms ------------------------------------------------------------

def test_an_ngo_log_without_its_header_row_says_so(tmp_path):
    """On main: 'Column “no” appears more than once: keep one.' (a cell of the first victim's
    row, taken for a column name)."""
    raw = tmp_path / "raw"
    folder = _copy(raw, "ngo_incidents", "SAMPLE-2025-12-31")
    (path,) = folder.glob("*.csv")
    lines = path.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    path.write_bytes(("\ufeff" + "".join(lines[1:])).encode("utf-8"))
    (result,) = _process(raw, "ngo_incidents")
    assert result["status"] == "failed"
    error = result["error"]
    assert "not a header row" in error and "Incident ID, Victim number" in error
    assert "no es una fila de encabezados" in error and "ID del incidente" in error
    assert "more than once" not in error and "Ecuador" not in error  # no cell of the data echoed


def _cli(*args: str):
    from typer.testing import CliRunner

    from pipelines.cli import app

    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("name", ["../../../etc", "/etc", ".hidden", "..", "a\\b"])
def test_a_snapshot_name_that_is_not_a_folder_name_is_refused_at_once(tmp_path, name):
    """On main `--snapshot ../../../etc` ran, selected nothing and ended in a Great
    Expectations message (exit 2 after several seconds)."""
    result = _cli("run", "--raw-dir", str(DEFAULT_RAW_DIR), "--sources", "mmp", "--snapshot", name,
                  "--out", str(tmp_path / "out"))
    output = " ".join(result.output.split())  # as the terminal wrapped it
    assert result.exit_code == 2
    assert "--snapshot" in output and "plain folder name" in output
    assert "Great Expectations" not in output and not (tmp_path / "out").exists()
    from pipelines.ops.run import execute

    with pytest.raises(ValueError, match="plain folder name"):
        execute(DEFAULT_RAW_DIR, tmp_path / "out", sources=["mmp"], snapshot_mode=name)
    assert not (tmp_path / "out").exists()


def test_a_snapshot_name_no_chosen_source_has_is_refused_at_once(tmp_path):
    result = _cli("run", "--raw-dir", str(DEFAULT_RAW_DIR), "--sources", "mmp,cbp_deaths",
                  "--snapshot", "2099-01-01", "--out", str(tmp_path / "out"))
    output = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "no snapshot of that name" in output and "mmp, cbp_deaths" in output


# --- the raw folder: read, never written by a listing; nothing read from outside it ----------

def test_harmstats_sources_writes_nothing_into_the_raw_folder(tmp_path, monkeypatch):
    """A snapshot dropped in without a sidecar: `harmstats sources` lists it (with the sidecar
    it would infer) and leaves the folder as it was (on main it wrote snapshot.json)."""
    monkeypatch.setenv("COLUMNS", "250")
    raw = tmp_path / "raw"
    folder = raw / "mmp" / "2026-01-01"
    folder.mkdir(parents=True)
    shutil.copy(MMP_SAMPLE / "data.csv", folder / "data.csv")
    before = sorted((p.relative_to(raw), p.stat().st_mtime_ns) for p in raw.rglob("*"))
    result = _cli("sources", "--raw-dir", str(raw), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "2026-01-01" in result.output and "data.csv" in result.output
    assert sorted((p.relative_to(raw), p.stat().st_mtime_ns) for p in raw.rglob("*")) == before


@pytest.mark.parametrize("link", ["snapshot folder", "raw file"])
def test_a_link_leading_out_of_the_raw_folder_is_refused(tmp_path, link):
    """A snapshot folder, or a file in one, that resolves outside --raw-dir is refused unread
    and named (on main it was read, hashed and published as any other), the other sources
    still published (exit 1). HARMSTATS_RAW_LINK_ROOTS lists folders links may lead into."""
    from pipelines.ops.run import execute

    raw, out, elsewhere = tmp_path / "raw", tmp_path / "out", tmp_path / "elsewhere"
    _copy(raw, "cbp_deaths", "SAMPLE-2026-01-28")
    shutil.copytree(MMP_SAMPLE, elsewhere / MMP_SAMPLE.name)
    if link == "snapshot folder":
        (raw / "mmp").mkdir()
        (raw / "mmp" / "2026-01-01").symlink_to(elsewhere / MMP_SAMPLE.name)
    else:
        (raw / "mmp" / "2026-01-01").mkdir(parents=True)
        (raw / "mmp" / "2026-01-01" / "data.csv").symlink_to(elsewhere / MMP_SAMPLE.name / "data.csv")
    read = []
    real_open = Path.open
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: read.append(self.resolve()) or real_open(self, *a, **k))
    try:
        report = execute(raw, out, sources=["cbp_deaths", "mmp"])
    finally:
        monkeypatch.undo()
    assert report["exit_code"] == 1 and report["published"], report["summary"]
    (warning,) = report["sources"]["mmp"]["warnings"]
    assert "outside the raw folder" in warning and "2026-01-01" in warning, warning
    assert not [p for p in read if elsewhere in p.parents]  # not a byte of it read
    if link == "raw file":  # the sidecar inferred for the folder does not describe the link
        assert json.loads((raw / "mmp" / "2026-01-01" / "snapshot.json").read_text())["files"] == {}
    release = Path(report["release"])
    assert set(_table(release, "deaths")["source"]) == {"cbp_deaths"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HARMSTATS_RAW_LINK_ROOTS", str(elsewhere))
        (trusted,) = _process(raw, "mmp")
    assert trusted["status"] == "ok" and trusted["rows_accepted"] > 0
