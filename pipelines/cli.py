"""`harmstats`: run the pipeline, query the catalog, list what sources are on disk.

Each command imports the layers it runs when it runs (`# lazy:` below, allowed in
pipelines/layers.py): `harmstats --help`, `query` and `sources` start in a fraction of a second
instead of paying for pandas, every source module and Prefect.

The settings (`pipelines.settings`, docs/settings.md) are read once, before any command runs
(`main`), checked, and active while it runs; a command's flags override them. One name per
idea: `--raw-dir` is the raw folder, `--out` the pipeline's output folder, in every command.
"""

from __future__ import annotations

import atexit
import gc
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from pipelines import archives, snapshots
from pipelines.config import CATALOG_NAME, DEFAULT_OUT_DIR, DEFAULT_RAW_DIR
from pipelines.ops import serve as serving
from pipelines.publish.layout import current_public
from pipelines.settings import Settings, SettingsError, activated, active, prepare_third_parties

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Public records of harm to migrants, as statistics people can trust.")
out_console = Console()
err_console = Console(stderr=True)

RAW_OPTION = typer.Option(DEFAULT_RAW_DIR, "--raw-dir", help="Folder laid out <source>/<snapshot>/<files>.")
OUT_OPTION = typer.Option(DEFAULT_OUT_DIR, "--out", help="Output folder (releases, current, harmstats.duckdb).")
KEEP_OPTION = typer.Option(None, "--keep", show_default=False,
                           help="Old releases kept besides the current and the previous one "
                           f"(-1: delete none; default: HARMSTATS_KEEP_RELEASES, else {Settings.keep_releases}).")


@app.callback()
def main(ctx: typer.Context) -> None:
    """Read and check the settings (docs/settings.md) once, before any command; a value that
    cannot be used stops here, exit 2, naming its variable."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        err_console.print(f"[red]Bad setting:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    ctx.with_resource(activated(settings))


def _with_flags(**flags) -> Settings:
    """The active settings with the command's flags that were given, or a message and exit 2."""
    try:
        return active().with_flags(**flags)
    except SettingsError as exc:
        err_console.print(f"[red]Bad setting:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc


RUN_EPILOG = (
    "Exit codes (for schedulers): 0 published, or nothing new since the current release; "
    "1 published with warnings (a source failed, was carried forward, is stale because its "
    "fetch failed, or is overdue, or a new snapshot looks anomalous, or a raw file differs from its "
    "sidecar); 2 nothing published (a blocking check failed, every source failed with nothing "
    "earlier to carry forward, or bad usage; the previous release stays current); 3 another run "
    "holds the lock (nothing done)."
)


@app.command(epilog=RUN_EPILOG)
def run(
    raw_dir: Path = RAW_OPTION,
    out: Path = OUT_OPTION,
    sources: Optional[str] = typer.Option(None, "--sources", help="Comma-separated source ids (default: all)."),
    snapshot: str = typer.Option("latest", "--snapshot", help="latest, all, or a snapshot name."),
    fetch: bool = typer.Option(False, "--fetch", help="Download new snapshots first (network), "
                               "and check each source's age against its cadence."),
    full: bool = typer.Option(False, "--full", help="Reprocess every source, changed or not."),
    wait: float = typer.Option(0.0, "--wait", metavar="SECONDS",
                               help="When another run holds the lock, wait this long for it "
                               "(default: refuse at once, exit 3)."),
    keep: Optional[int] = KEEP_OPTION,
    dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS", show_default=False,
                                       help="Process the sources on this Dask scheduler "
                                       "(tcp://host:8786; needs the \\[dask] extra; default: "
                                       "HARMSTATS_DASK_ADDRESS, else in this process)."),
) -> None:
    """Run the pipeline and publish a release. Without --fetch it touches no network.

    Incremental: a source whose raw files, code, mapping tables, schemas and settings are all
    unchanged since the current release is not reprocessed; when nothing changed, nothing is
    published ("unchanged"). One run at a time (a lock in the output folder). Writes the run
    report to OUT/reports/ and OUT/last_run.json; posts a summary to HARMSTATS_WEBHOOK_URL
    when the exit code is not 0.
    """
    settings = _with_flags(keep_releases=keep, dask_address=dask)
    registered = _registry()
    chosen = [s.strip() for s in sources.split(",")] if sources else None
    unknown = [s for s in chosen or [] if s not in registered]
    if unknown:
        err_console.print(f"[red]Unknown source(s): {', '.join(unknown)}.[/] Known: {', '.join(sorted(registered))}")
        raise typer.Exit(2)
    problem = _snapshot_problem(snapshot, raw_dir, chosen or sorted(registered), fetch)
    if problem:
        err_console.print(f"[red]{problem}[/]", highlight=False)
        raise typer.Exit(2)
    prepare_third_parties(quiet_logs=True)  # before Prefect is imported; this output is the report
    _no_final_collection()
    from pipelines.ops.report import render  # lazy: start-up (module docstring)
    from pipelines.ops.run import execute  # lazy: start-up (module docstring)

    with err_console.status("Running the pipeline..."):
        report = execute(raw_dir, out, sources=chosen, snapshot_mode=snapshot, fetch=fetch,
                         incremental=not full, wait=wait, settings=settings)
    if report["exit_code"] == 3:
        err_console.print(f"[red]{report['summary'][:1].upper() + report['summary'][1:]}.[/] "
                          "Use --wait SECONDS to wait for it.", highlight=False)
        raise typer.Exit(3)
    render(report, out_console)
    raise typer.Exit(report["exit_code"])


def _no_final_collection() -> None:
    """At exit, freeze what is left (`gc.freeze`) so the interpreter's last garbage collection
    does not walk every object a run imported (Great Expectations alone: about 2 s of CPU).
    The run has written, closed and reported everything by then; objects are still freed."""
    atexit.unregister(gc.freeze)  # once, however often the command runs in one process
    atexit.register(gc.freeze)


def _registry() -> dict:
    """The registered sources, imported when a command needs them (every source module)."""
    from pipelines.sources.registry import SOURCES  # lazy: start-up (module docstring)

    return SOURCES


def _snapshot_problem(mode: str, raw_dir: Path, chosen: list[str], fetch: bool) -> str | None:
    """Why `--snapshot` cannot be run (not latest, all or a plain folder name; or, without
    --fetch, a name no chosen source has), or None."""
    registered = _registry()
    try:
        snapshots.check_mode(mode)
    except ValueError as exc:
        return str(exc)
    if mode in ("latest", "all") or fetch:
        return None
    if not any(snapshots.select(snapshots.discover(raw_dir, registered[s], write_missing_sidecar=False), mode)
               for s in chosen):
        return (f"--snapshot {mode!r}: no snapshot of that name in {raw_dir} for "
                f"{', '.join(chosen)}")
    return None


@app.command()
def serve(
    raw_dir: Path = RAW_OPTION,
    out: Path = OUT_OPTION,
    cron: Optional[str] = typer.Option(None, "--cron", show_default=False,
                                       help="When to run (cron syntax; default: HARMSTATS_CRON, "
                                       f"else {Settings.cron})."),
    timezone: Optional[str] = typer.Option(None, "--timezone", show_default=False,
                                           help="Time zone of the cron schedule (default: "
                                           f"HARMSTATS_TIMEZONE, else {Settings.timezone})."),
    snapshot: str = typer.Option("latest", "--snapshot", help="latest, all, or a snapshot name."),
    keep: Optional[int] = KEEP_OPTION,
    wait: float = typer.Option(1800.0, "--wait", metavar="SECONDS",
                               help="How long a scheduled run waits for a run holding the lock."),
    name: str = typer.Option("nightly", "--name", help="Deployment name."),
) -> None:
    """Serve the nightly run (`harmstats run --fetch`) as a Prefect deployment on a cron
    schedule, until stopped. Needs a long-lived Prefect server (PREFECT_API_URL): schedules
    never fire on Prefect's temporary server. Exits 2 when there is none."""
    settings = _with_flags(cron=cron, timezone=timezone, keep_releases=keep)
    cron, timezone, keep = settings.cron, settings.timezone, settings.keep_releases
    prepare_third_parties()  # before Prefect is imported
    from pipelines.flows import nightly  # lazy: start-up (module docstring)

    try:
        snapshots.check_mode(snapshot)
    except ValueError as exc:
        err_console.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(2) from exc
    try:
        url = serving.check_api(serving.api_url())
    except serving.NoPrefectAPI as exc:
        err_console.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(2) from exc
    try:
        deployment = serving.build_deployment(
            nightly, serving.nightly_parameters(raw_dir, out, snapshot_mode=snapshot, keep=keep, wait=wait),
            cron=cron, timezone=timezone, name=name)
    except ValueError as exc:
        err_console.print(f"[red]Bad schedule:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    err_console.print(f"Serving harmstats-nightly/{name} on {url}: cron {cron!r} ({timezone}), "
                      f"raw {raw_dir}, out {out}. Stopping this pauses the schedule.", highlight=False)
    serving.serve(deployment)


@app.command()
def query(
    sql: str = typer.Argument(..., help="A read-only SQL query against the catalog."),
    out: Path = OUT_OPTION,
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
) -> None:
    """Query the current release's catalog: read-only, nothing outside it (no file is read or
    written, no database attached, no extension installed or loaded, no setting changed)."""
    import duckdb

    con = _open_catalog(out, locked=True)
    try:
        result = con.sql(sql)
        if result is None:
            return
        table = result.to_arrow_table()
    except duckdb.PermissionException as exc:
        err_console.print(f"[red]Refused:[/] `harmstats query` reads the catalog only; it cannot "
                          f"read or write files, attach databases or load extensions. ({exc})",
                          highlight=False)
        raise typer.Exit(2) from exc
    except duckdb.Error as exc:
        reason = str(exc)
        if "configuration has been locked" in reason:
            err_console.print("[red]Refused:[/] `harmstats query` cannot change DuckDB settings "
                              f"(they are locked). ({reason})", highlight=False)
        elif "read-only" in reason:
            err_console.print(f"[red]Refused:[/] the catalog is read-only. ({reason})", highlight=False)
        else:
            err_console.print(f"[red]Query failed:[/] {reason}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        con.close()
    frame = table.to_pandas()
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", date_format="iso") + "\n")
    else:
        view = Table(*[str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            view.add_row(*["" if v is None else str(v) for v in row])
        out_console.print(view)


@app.command("sources")
def list_sources(raw_dir: Path = RAW_OPTION, out: Path = OUT_OPTION) -> None:
    """What is on disk per source: snapshots, kind, rows in the current release, checksum; a
    zip's member (read from the archive, never unpacked) on a row of its own."""
    registered = _registry()
    accounting = _current_accounting(out)
    view = Table("source", "snapshot", "kind", "product", "file", "rows read", "accepted",
                 "quarantined", "sha256", title=f"Raw snapshots in {raw_dir}")
    for source_id in sorted(registered):
        found = snapshots.discover(raw_dir, registered[source_id], write_missing_sidecar=False)  # read-only
        if not found:
            view.add_row(source_id, "(none)", "", "", "", "", "", "", "")
        for snap in found:
            for name, described in sorted(snap.files.items()):
                counts = accounting.get((source_id, snap.name, name), {})
                view.add_row(source_id, snap.name, snap.kind, snap.product, name,
                             *(str(counts.get(k, "")) for k in ("rows_read", "rows_accepted", "rows_quarantined")),
                             str(described.get("sha256", ""))[:12])
                for member in archives.recorded_members(snap.meta):
                    if member.get("archive") == name:
                        view.add_row("", "", "", "", f"  in it: {member.get('member')} "
                                     f"({int(member.get('bytes') or 0):,} bytes)", "", "", "",
                                     str(member.get("sha256", ""))[:12])
    out_console.print(view)


@app.command()
def diff(
    old: Optional[str] = typer.Argument(None, help="Old release: id under OUT/releases or a path "
                                        "(default: the second newest)."),
    new: Optional[str] = typer.Argument(None, help="New release: id or path (default: the newest)."),
    out: Path = OUT_OPTION,
    top: int = typer.Option(20, "--top", help="Figures shown per source and kind, largest "
                            "revisions first (0 = all)."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
    public: bool = typer.Option(False, "--public", help="Compare the public extracts (suppressed "
                                "cells shown as suppressed) instead of the catalog tables."),
) -> None:
    """What changed between two releases: rows per table and source, and the latest figures
    (totals by year, by year and country) that moved."""
    from pipelines.inspection.diff import (default_pair, diff_releases,  # lazy: start-up (module docstring)
                                           render_diff)

    if fmt not in ("table", "json"):
        err_console.print(f"[red]Unknown format {fmt!r}[/]: table or json.")
        raise typer.Exit(2)
    try:
        old_path, new_path = default_pair(out, old, new)
    except FileNotFoundError as exc:
        err_console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    result = diff_releases(old_path, new_path, top=top, public=public)
    if fmt == "json":
        sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
    else:
        render_diff(result, out_console)


@app.command()
def trace(
    source: str = typer.Argument(..., help="Source id."),
    snapshot: str = typer.Argument(..., help="Snapshot name, or `latest`."),
    year: int = typer.Argument(..., help="Year of the cell."),
    dims: Optional[list[str]] = typer.Argument(None, help="DIMENSION=VALUE ...; the others are `all`."),
    year_basis: Optional[str] = typer.Option(None, "--year-basis",
                                             help="Needed only where a year is published on several bases."),
    out: Path = OUT_OPTION,
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
    limit: int = typer.Option(100, "--limit", help="Records shown (0 = all); the closing line "
                              "always counts them all."),
) -> None:
    """List the source records that add up to one cell of deaths_stats (catalog only: it
    lists records of people, never publish its output)."""
    from pipelines.inspection.lineage import (CellError,  # lazy: start-up (module docstring)
                                              latest_snapshot, parse_dims, published_cell,
                                              trace_cell)

    if fmt not in ("table", "csv", "json"):
        err_console.print(f"[red]Unknown format {fmt!r}[/]: table, csv or json.")
        raise typer.Exit(2)
    con = _open_catalog(out)
    try:
        cell_dims = parse_dims(dims)
        if snapshot == "latest":
            snapshot = latest_snapshot(con, source)
        cell = published_cell(con, source, snapshot, year, cell_dims, year_basis)
        records = trace_cell(con, source, snapshot, year, cell_dims, year_basis)
    except CellError as exc:
        err_console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    finally:
        con.close()
    total = int(records["contribution"].sum()) if len(records) else 0
    shown = records if limit <= 0 else records.head(limit)
    label = ", ".join(f"{k}={v}" for k, v in cell_dims.items()) or "grand total"
    if cell is None:
        published = "no such cell in deaths_stats (not published)"
    elif cell["suppressed"]:
        published = "published value suppressed (withheld by disclosure control)"
    else:
        published = f"published value {cell['value']:,}"
    closing = f"{len(records):,} records, contributions sum to {total:,}; {published}"
    mismatch = cell is not None and not cell["suppressed"] and cell["value"] != total
    if fmt == "json":
        payload = {"cell": {"source": source, "snapshot": snapshot, "year": year,
                            "year_basis": cell["year_basis"] if cell else year_basis,
                            "dims": cell_dims},
                   "exists": cell is not None,
                   "suppressed": bool(cell and cell["suppressed"]),
                   "published_value": None if cell is None or cell["suppressed"] else int(cell["value"]),
                   "records_total": len(records), "contributions_sum": total,
                   "records": shown.to_dict("records")}
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    elif fmt == "csv":
        shown.to_csv(sys.stdout, index=False)
        err_console.print(closing)
    else:
        # source and snapshot are the same on every row: they are in the title
        view = Table(title=f"source {source}, snapshot {snapshot}, year {year}: {label}")
        for column in ("raw_file", "raw_sha256", "raw_row", "record_id", "contribution"):
            view.add_column(column, overflow="fold",
                            justify="right" if column in ("raw_row", "contribution") else "left")
        for row in shown.itertuples(index=False):
            view.add_row(row.raw_file, str(row.raw_sha256)[:12] + "…", str(row.raw_row),
                         str(row.record_id), f"{row.contribution:,}")
        out_console.print(view)
        if len(shown) < len(records):
            out_console.print(f"(first {len(shown):,} of {len(records):,} records; --limit 0 shows all)")
        out_console.print(closing, highlight=False)
    if cell is None:
        err_console.print("[yellow]The cell does not exist in deaths_stats.[/]")
        raise typer.Exit(1)
    if cell["suppressed"]:
        err_console.print("[yellow]The published cell is suppressed; the records above are "
                          "catalog-only and must not be published.[/]")
    if mismatch:
        err_console.print(f"[red]Contributions ({total:,}) differ from the published value "
                          f"({cell['value']:,}).[/]")
        raise typer.Exit(1)


@app.command()
def export(
    table: str = typer.Argument(..., help="A public table: deaths_stats, crimes_stats, "
                                "prosecutions_stats, coverage, sources, source_inconsistencies."),
    where: Optional[str] = typer.Option(None, "--where", help="A plain boolean SQL expression "
                                        "over the table's columns, e.g. \"is_latest AND source = 'mmp'\"."),
    fmt: str = typer.Option("csv", "--format", help="parquet, csv or xlsx."),
    path: Optional[Path] = typer.Option(None, "--file", help="File to write (default: TABLE.FORMAT "
                                        "in the current folder); a README of caveats goes beside it."),
    out: Optional[Path] = typer.Option(None, "--out", show_default=False,
                                       help="Output folder (its current release's public tier is "
                                       f"read; default: {DEFAULT_OUT_DIR})."),
    catalog_out: Optional[Path] = typer.Option(None, "--catalog-out", hidden=True,
                                               help="Deprecated: --out."),
) -> None:
    """Write a slice of a public table (statistics, coverage, sources) with its caveats: read
    from the current release's public tier (public/extracts), so exactly what the release
    publishes, nothing more. Record-grain tables (deaths, crimes, prosecutions, quarantine)
    are never exported."""
    from pipelines.publish.export import ExportError, export_table  # lazy: start-up (module docstring)

    out, path = _export_folders(out, path, catalog_out)
    try:
        public = current_public(out)
        if public is None:
            raise ExportError(f"no public release under {out}: run `harmstats run` first")
        result = export_table(public, table, where, fmt, path)
    except ExportError as exc:
        err_console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    out_console.print(f"Wrote {result['rows']:,} rows of {table}: " + ", ".join(result["files"])
                      + ("  [bold yellow]SAMPLE DATA: not real statistics[/]" if result["sample"] else ""),
                      highlight=False)


def _export_folders(out: Path | None, path: Path | None, catalog_out: Path | None
                    ) -> tuple[Path, Path | None]:
    """(output folder, file to write) of `export`, from its flags and their deprecated
    spellings, warning on each: `--catalog-out DIR` was `--out DIR`; `--out FILE` named the
    file to write before `--out` meant the output folder in every command. `--out` is read the
    old way only when it cannot be the new one: beside `--catalog-out`, or naming no folder
    (and no `--file` given)."""
    if catalog_out is not None:
        _deprecated("--catalog-out DIR", "--out DIR")
        if out is not None and path is None:
            _deprecated("export --out FILE", "--file FILE")
            out, path = catalog_out, out
        else:
            out = catalog_out
    elif out is not None and path is None and not out.is_dir():
        _deprecated("export --out FILE", "--file FILE")
        out, path = None, out
    return out or DEFAULT_OUT_DIR, path


def _deprecated(old: str, new: str) -> None:
    err_console.print(f"[yellow]Deprecated:[/] `{old}` is now `{new}` (the old spelling will "
                      "be removed).", highlight=False)


ngo_app = typer.Typer(no_args_is_help=True, help="The NGO incident log: the blank templates "
                      "for submitters, and the check of a filled-in file.")
app.add_typer(ngo_app, name="ngo")


@ngo_app.command("template")
def ngo_template(
    folder: Optional[Path] = typer.Option(None, "--folder", help="Where the four blank templates "
                                          "go (default: docs/templates/)."),
    doc: Optional[Path] = typer.Option(None, "--doc", help="Their documentation for submitters "
                                       "(default: docs/ngo_incidents_template.md)."),
) -> None:
    """Write the blank templates (English and Spanish, CSV and XLSX) and their documentation,
    generated from the template's headers and the allowed values in pipelines/harmonize/maps/.
    The same content always gives the same bytes: regenerate after changing a map and commit."""
    from pipelines.ngo import template  # lazy: start-up (module docstring)

    written = template.write_all(folder or template.TEMPLATE_DIR, doc or template.TEMPLATE_DOC)
    out_console.print("Wrote " + ", ".join(str(p) for p in written), highlight=False)


@ngo_app.command("check")
def ngo_check(
    file: Path = typer.Argument(..., help="A filled-in template (CSV or XLSX)."),
    period_end: Optional[str] = typer.Option(None, "--period-end", metavar="YYYY-MM-DD",
                                             help="End of the period the file covers: later "
                                             "incident dates are reported (default: today)."),
) -> None:
    """Check a submitted incident log as a run reads it and print, in the language of its
    headers, how many rows can be used and, row by row, why the others are set aside. For the
    organisation that sent it; nothing is written."""
    from datetime import date

    from pipelines.ngo.check import submission_report  # lazy: start-up (module docstring)

    try:
        end = date.fromisoformat(period_end) if period_end else None
    except ValueError as exc:
        err_console.print(f"[red]--period-end {period_end!r}[/]: give a date as YYYY-MM-DD")
        raise typer.Exit(2) from exc
    if not file.is_file():
        err_console.print(f"[red]No file {file}[/]")
        raise typer.Exit(2)
    sys.stdout.write(submission_report(file, end))


# DuckDB's own settings for running SQL one does not control ("Securing DuckDB"): no file
# system, network or extension access, and the configuration locked so no query can undo it.
LOCKED_CATALOG = {"enable_external_access": False, "autoload_known_extensions": False,
                  "autoinstall_known_extensions": False, "allow_community_extensions": False,
                  "lock_configuration": True}


def _open_catalog(out: Path, locked: bool = False):
    """A read-only connection to the current catalog (with `locked`, one that can reach
    nothing outside it: LOCKED_CATALOG), or a plain message and exit 2."""
    import duckdb

    catalog = out / CATALOG_NAME
    if not catalog.exists():
        err_console.print(f"[red]No catalog at {catalog}.[/] Run `harmstats run` first.")
        raise typer.Exit(2)
    return duckdb.connect(str(catalog), read_only=True, config=LOCKED_CATALOG if locked else {})


def _current_accounting(out: Path) -> dict:
    """Row counts per file from the current catalog's `sources` table, if there is one."""
    import duckdb

    catalog = out / CATALOG_NAME
    if not catalog.exists():
        return {}
    con = duckdb.connect(str(catalog), read_only=True)
    try:
        rows = con.sql("SELECT source, snapshot, file, rows_read, rows_accepted, rows_quarantined "
                       "FROM sources").fetchall()
    finally:
        con.close()
    return {(r[0], r[1], r[2]): dict(zip(("rows_read", "rows_accepted", "rows_quarantined"), r[3:]))
            for r in rows}


if __name__ == "__main__":
    app()
