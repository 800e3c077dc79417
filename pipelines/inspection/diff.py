"""What changed between two releases: rows added, removed and changed per table (by key) and
per source, and the published figures that moved between each source's latest snapshots.

Everything is compared in DuckDB over the two releases' Parquet files (absolute paths); only
the small summaries come back to Python. `diff_releases` returns a JSON-able dict and
`render_diff` prints it with rich.

Suppressed cells (value null, or `suppressed` true) are reported with state "suppressed" and
a null value, never as a number.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.publish.layout import public_extracts
from pipelines.sql import sql_text
from pipelines.stats.cases import STREAMS as CASE_STREAMS
from pipelines.stats.deaths import DIMENSIONS

# Key of each table: what identifies "the same row" in two releases. deaths_stats: the fixed
# columns plus every dimension column (filled in below from the files).
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "deaths": ("source", "snapshot", "record_id"),
    "deaths_stats": ("source", "snapshot", "year", "year_basis", "unit"),
    "sources": ("source", "snapshot", "file"),
    "crimes": ("source", "snapshot", "record_id"),
    "prosecutions": ("source", "snapshot", "record_id"),
    "crimes_stats": ("source", "snapshot", "year", "year_basis", "unit", "subject"),
    "prosecutions_stats": ("source", "snapshot", "year", "year_basis", "unit", "subject", "stage"),
    "source_inconsistencies": ("table", "source", "snapshot", "year", "cell", "dimension"),
    "coverage": ("stream", "source", "snapshot", "unit", "subject", "stage", "dimension"),
    "letter_scorecard": ("country_iso3", "stream", "line", "dimension", "source"),
    "deaths_overlap": ("area", "sources", "year"),
    "deaths_linked_race": ("area", "sources", "race_ethnicity"),
    "deaths_estimates": ("area", "sources", "method"),
    "quarantine": ("source", "snapshot", "file", "raw_row", "column", "check"),
    "unmapped_values": ("source", "snapshot", "file", "mapping", "column", "value"),
    "linkage_quality": ("pairing",),
    "record_links": ("pairing", "source_l", "snapshot_l", "record_id_l", "source_r", "snapshot_r", "record_id_r"),
}
# Lineage columns: where in the raw file a record sits. A record that only moved within its
# file (another row removed above it, the file re-saved) is not "changed"; the column counts
# under `changed_columns` still show it.
LINEAGE_COLUMNS = {t: ("raw_file", "raw_sha256", "raw_row") for t in ("deaths", "crimes", "prosecutions")}
# Dimension columns that join the key of each statistics table.
STATS_DIMENSIONS = {"deaths_stats": DIMENSIONS, "crimes_stats": CASE_STREAMS["crimes"]["dims"],
                    "prosecutions_stats": CASE_STREAMS["prosecutions"]["dims"]}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------------- releases

def is_release(path: Path) -> bool:
    return (path / "tables").is_dir()


def list_releases(out: Path) -> list[Path]:
    """Releases under OUT/releases, oldest first (ids sort by time; ties by folder time)."""
    folder = out / "releases"
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".") and is_release(p)]
    return sorted(found, key=lambda p: (p.name.split("-", 1)[0], p.stat().st_mtime_ns, p.name))


def resolve_release(ref: str | Path, out: Path) -> Path:
    """A release given as a path or as an id under OUT/releases."""
    path = Path(ref).expanduser()
    if is_release(path):
        return path.resolve()
    by_id = out / "releases" / str(ref)
    if is_release(by_id):
        return by_id.resolve()
    raise FileNotFoundError(f"no release {ref!r} (neither a release folder nor an id under "
                            f"{out / 'releases'})")


def default_pair(out: Path, old: str | None = None, new: str | None = None) -> tuple[Path, Path]:
    """OLD and NEW as given; missing ones are the two newest releases (with only OLD given,
    NEW is the newest)."""
    if old and new:
        return resolve_release(old, out), resolve_release(new, out)
    releases = list_releases(out)
    if old:
        if not releases:
            raise FileNotFoundError(f"no release under {out / 'releases'} to compare {old} with")
        return resolve_release(old, out), releases[-1].resolve()
    if len(releases) < 2:
        raise FileNotFoundError(f"need two releases under {out / 'releases'}, found {len(releases)}")
    return releases[-2].resolve(), releases[-1].resolve()


def release_info(path: Path) -> dict:
    manifest_path = path / "manifest.json"
    manifest = {}
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            manifest = {}
    return {"release_id": manifest.get("release_id", path.name), "path": str(path),
            "created": manifest.get("created"), "sample": manifest.get("sample"),
            "code_version": manifest.get("code_version"),
            "definitions": manifest.get("definitions") or {}}


# ------------------------------------------------------------------------------------ tables

def _columns(con: duckdb.DuckDBPyConnection, file: Path) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet({sql_text(file)})").fetchall()
    return {r[0]: r[1] for r in rows}


def _key(table: str, old_cols: dict, new_cols: dict) -> list[str]:
    key = list(TABLE_KEYS.get(table, ("source", "snapshot")))
    if table in STATS_DIMENSIONS:
        key += [d for d in STATS_DIMENSIONS[table] if d in old_cols or d in new_cols]
    return key


def _side(table: str, file: Path, cols: dict, key: list[str], compared: list[str],
          cast: set[str], where: str = "true") -> str:
    """SELECT over one release's file: the key (a dimension missing from this release is
    `all`, any other missing key column null), the compared columns, a presence marker."""
    parts = []
    for k in key:
        if k in cols:
            parts.append(_q(k))
        elif table in STATS_DIMENSIONS and k in STATS_DIMENSIONS[table]:
            parts.append(f"'all' AS {_q(k)}")
        else:
            parts.append(f"NULL AS {_q(k)}")
    parts += [f"{_q(c)}::VARCHAR AS {_q(c)}" if c in cast else _q(c) for c in compared]
    return (f"SELECT {', '.join(parts)}, true AS _present FROM read_parquet({sql_text(file)}) "
            f"WHERE {where}")


def _count_by_source(con, file: Path, cols: dict, where: str = "true") -> dict[str, int]:
    group = _q("source") if "source" in cols else "NULL"
    rows = con.execute(f"SELECT {group}, count(*) FROM read_parquet({sql_text(file)}) WHERE {where} "
                       "GROUP BY 1").fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def _duplicate_keys(con, side_sql: str, key: list[str]) -> int:
    keys = ", ".join(_q(k) for k in key)
    return int(con.execute(f"SELECT count(*) FROM (SELECT {keys} FROM ({side_sql}) "
                           f"GROUP BY ALL HAVING count(*) > 1)").fetchall()[0][0])


def _by_count(counts: dict[str, int]) -> dict[str, int]:
    """Non-zero counts, largest first."""
    return dict(sorted(((c, n) for c, n in counts.items() if n), key=lambda i: (-i[1], i[0])))


def diff_table(con: duckdb.DuckDBPyConnection, table: str, old_file: Path | None,
               new_file: Path | None, key: list[str] | None = None, where: str = "true",
               ignore: tuple[str, ...] = ()) -> dict:
    """Rows added, removed, changed (same key, some other column differs) and unchanged.

    `key` replaces the table's key, `where` filters both sides, `ignore` names columns left
    out of the comparison."""
    if old_file is None or new_file is None:
        present = new_file or old_file
        if present is None:
            return {"absent_in": ["old", "new"]}
        counts = _count_by_source(con, present, _columns(con, present))
        total = sum(counts.values())
        added = new_file is not None
        return {
            "absent_in": ["old" if added else "new"], "key": list(TABLE_KEYS.get(table, ())),
            "old_rows": 0 if added else total, "new_rows": total if added else 0,
            "added": total if added else 0, "removed": 0 if added else total,
            "changed": 0, "unchanged": 0, "changed_columns": {},
            "by_source": {s: {"old_rows": 0 if added else n, "new_rows": n if added else 0,
                              "added": n if added else 0, "removed": 0 if added else n,
                              "changed": 0, "changed_columns": {}}
                          for s, n in sorted(counts.items())},
        }
    old_cols, new_cols = _columns(con, old_file), _columns(con, new_file)
    key = list(key) if key else _key(table, old_cols, new_cols)
    missing = [k for k in key if k not in old_cols and k not in new_cols]
    key = [k for k in key if k not in missing]
    common = [c for c in old_cols if c in new_cols and c not in key and c not in ignore]
    cast = {c for c in common if old_cols[c] != new_cols[c]}
    lineage = set(LINEAGE_COLUMNS.get(table, ()))
    old_sql = _side(table, old_file, old_cols, key, common, cast, where)
    new_sql = _side(table, new_file, new_cols, key, common, cast, where)
    on = " AND ".join(f"o.{_q(k)} IS NOT DISTINCT FROM n.{_q(k)}" for k in key) or "true"
    content = [c for c in common if c not in lineage]
    differs = " OR ".join(f"o.{_q(c)} IS DISTINCT FROM n.{_q(c)}" for c in content) or "false"
    both = "o._present AND n._present"
    per_column = "".join(
        f", count(*) FILTER (WHERE {both} AND o.{_q(c)} IS DISTINCT FROM n.{_q(c)})" for c in common)
    group = f"coalesce(o.{_q('source')}, n.{_q('source')})" if "source" in key else "NULL"
    rows = con.execute(f"""
        SELECT {group} AS src,
               count(*) FILTER (WHERE n._present IS NULL) AS removed,
               count(*) FILTER (WHERE o._present IS NULL) AS added,
               count(*) FILTER (WHERE {both} AND ({differs})) AS changed,
               count(*) FILTER (WHERE {both} AND NOT ({differs})) AS unchanged
               {per_column}
        FROM ({old_sql}) o FULL OUTER JOIN ({new_sql}) n ON {on}
        GROUP BY 1 ORDER BY 1""").fetchall()
    old_counts = _count_by_source(con, old_file, old_cols, where)
    new_counts = _count_by_source(con, new_file, new_cols, where)
    by_source, columns_changed = {}, dict.fromkeys(common, 0)
    totals = dict.fromkeys(("added", "removed", "changed", "unchanged"), 0)
    for row in rows:
        src = str(row[0])
        removed, added, changed, unchanged = (int(v) for v in row[1:5])
        source_columns = {}
        for c, n in zip(common, row[5:]):
            columns_changed[c] += int(n)
            if n:
                source_columns[c] = int(n)
        for name, n in zip(("removed", "added", "changed", "unchanged"),
                           (removed, added, changed, unchanged)):
            totals[name] += n
        by_source[src] = {"old_rows": old_counts.get(src, 0), "new_rows": new_counts.get(src, 0),
                          "added": added, "removed": removed, "changed": changed,
                          "changed_columns": _by_count(source_columns)}
    result = {
        "key": key,
        "old_rows": sum(old_counts.values()), "new_rows": sum(new_counts.values()),
        **totals,
        "changed_columns": _by_count(columns_changed),
        "by_source": by_source,
    }
    if lineage & set(common):
        result["not_counted_as_change"] = sorted(lineage & set(common))
    added_cols = sorted(set(new_cols) - set(old_cols))
    removed_cols = sorted(set(old_cols) - set(new_cols))
    if added_cols or removed_cols:
        result["columns_added"], result["columns_removed"] = added_cols, removed_cols
    if missing:
        result["key_columns_absent"] = missing
    duplicates = {"old": _duplicate_keys(con, old_sql, key), "new": _duplicate_keys(con, new_sql, key)}
    if any(duplicates.values()):
        result["duplicate_keys"] = duplicates  # counts above are then by key pair, not by row
    return result


# ----------------------------------------------------------------------------------- figures

def _stats_view(con, name: str, file: Path) -> list[str]:
    """A view of the latest figures of one release, with a uniform `state`; returns its dims."""
    cols = _columns(con, file)
    dims = [d for d in DIMENSIONS if d in cols]
    suppressed = "coalesce(suppressed, false)" if "suppressed" in cols else "false"
    partial = "partial_year" if "partial_year" in cols else "NULL::BOOLEAN"
    unit = "unit" if "unit" in cols else "'persons'"
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW {name} AS
        SELECT source, snapshot, year, year_basis, {unit} AS unit, {partial} AS partial_year,
               {", ".join(dims)},
               CASE WHEN {suppressed} OR value IS NULL THEN NULL ELSE value END AS value,
               CASE WHEN {suppressed} OR value IS NULL THEN 'suppressed' ELSE 'published' END AS state
        FROM read_parquet({sql_text(file)}) WHERE is_latest""")
    return dims


def _latest_snapshots(con, view: str) -> dict[str, list[str]]:
    rows = con.execute(f"SELECT source, list(DISTINCT snapshot ORDER BY snapshot) FROM {view} "
                       "GROUP BY 1 ORDER BY 1").fetchall()
    return {r[0]: list(r[1]) for r in rows}


def _moved(con, where_old: str, where_new: str, extra_key: list[str], multi: set[str],
           top: int) -> dict[str, dict]:
    """Per source: figures (year [x extra_key]) that moved between the latest snapshots."""
    # A source with several latest snapshots (one per product) is compared snapshot by
    # snapshot, never summed.
    skey = (f"CASE WHEN source IN ({', '.join(sql_text(s) for s in sorted(multi))}) THEN snapshot END"
            if multi else "NULL::VARCHAR")
    key = ["source", "_skey", "year", "year_basis", "unit", *extra_key]
    cols = ", ".join(["source", f"{skey} AS _skey", "snapshot", "year", "year_basis", "unit",
                      *extra_key, "value", "state", "partial_year"])
    on = " AND ".join(f"o.{k} IS NOT DISTINCT FROM n.{k}" for k in key)
    keys_out = ", ".join(f"coalesce(o.{k}, n.{k}) AS {k}" for k in key if k != "_skey")
    sql = f"""
        WITH o AS (SELECT {cols} FROM old_latest WHERE {where_old}),
             n AS (SELECT {cols} FROM new_latest WHERE {where_new}),
             j AS (
               SELECT {keys_out}, o.snapshot AS old_snapshot, n.snapshot AS new_snapshot,
                      o.value AS old, n.value AS new,
                      coalesce(o.state, 'absent') AS old_state,
                      coalesce(n.state, 'absent') AS new_state,
                      o.partial_year AS old_partial_year, n.partial_year AS new_partial_year
               FROM o FULL OUTER JOIN n ON {on}),
             m AS (
               SELECT *,
                 CASE WHEN old_state = 'published' AND new_state = 'published' THEN new - old END
                   AS change,
                 CASE WHEN old_state = 'suppressed' OR new_state = 'suppressed' THEN NULL
                      ELSE abs(coalesce(new, 0) - coalesce(old, 0)) END AS magnitude
               FROM j)
        SELECT *, count(*) OVER (PARTITION BY source) AS moved,
               row_number() OVER (PARTITION BY source ORDER BY magnitude DESC NULLS LAST,
                                  year, year_basis{''.join(', ' + k for k in extra_key)}) AS rank
        FROM m
        WHERE old_state <> new_state OR (old_state = 'published' AND old IS DISTINCT FROM new)
        QUALIFY {'true' if top <= 0 else f'rank <= {int(top)}'}
        ORDER BY source, rank"""
    result: dict[str, dict] = {}
    frame = con.sql(sql).to_arrow_table().to_pylist()
    for row in frame:
        src = row["source"]
        entry = result.setdefault(src, {"moved": int(row["moved"]), "top": []})
        item = {k: row[k] for k in ("year", "year_basis", "unit", *extra_key, "old_snapshot",
                                    "new_snapshot", "old", "new", "change", "old_state",
                                    "new_state", "old_partial_year", "new_partial_year")}
        for k in ("old", "new", "change", "year"):
            item[k] = None if item[k] is None else int(item[k])
        entry["top"].append(item)
    return result


def diff_figures(con: duckdb.DuckDBPyConnection, old_file: Path | None, new_file: Path | None,
                 top: int = 20) -> dict[str, dict]:
    """Per source: latest snapshot old -> new, and the grand totals by year and the totals by
    year x country_iso3 (every other dimension `all`) that moved, largest revisions first."""
    if old_file is None or new_file is None:
        return {}
    old_dims = _stats_view(con, "old_latest", old_file)
    new_dims = _stats_view(con, "new_latest", new_file)
    old_snaps = _latest_snapshots(con, "old_latest")
    new_snaps = _latest_snapshots(con, "new_latest")
    multi = {s for s, v in (*old_snaps.items(), *new_snaps.items()) if len(v) > 1}

    def where(dims: list[str], country: bool) -> str:
        clauses = [f"{d} = 'all'" for d in dims if d != "country_iso3" or not country]
        if country:
            clauses.append("country_iso3 <> 'all'" if "country_iso3" in dims else "false")
        return " AND ".join(clauses) or "true"

    totals = _moved(con, where(old_dims, False), where(new_dims, False), [], multi, top)
    countries = _moved(con, where(old_dims, True), where(new_dims, True), ["country_iso3"],
                       multi, top)
    counts = {}
    for label, country in (("year_totals", False), ("country_totals", True)):
        ow, nw = where(old_dims, country), where(new_dims, country)
        extra = ", country_iso3" if country else ""
        for src, n in con.execute(f"""
                SELECT source, count(*) FROM (
                  SELECT source, year, year_basis, unit{extra} FROM old_latest WHERE {ow}
                  UNION SELECT source, year, year_basis, unit{extra} FROM new_latest WHERE {nw})
                GROUP BY 1""").fetchall():
            counts[(label, src)] = int(n)
    result = {}
    for src in sorted(set(old_snaps) | set(new_snaps)):
        before, after = old_snaps.get(src, []), new_snaps.get(src, [])
        result[src] = {
            "in_old": src in old_snaps, "in_new": src in new_snaps,
            "latest_old": before, "latest_new": after, "latest_changed": before != after,
            "year_totals": {"compared": counts.get(("year_totals", src), 0),
                            **totals.get(src, {"moved": 0, "top": []})},
            "country_totals": {"compared": counts.get(("country_totals", src), 0),
                               **countries.get(src, {"moved": 0, "top": []})},
        }
        if multi and src in multi:
            result[src]["note"] = "several latest snapshots (products): compared snapshot by snapshot"
    return result


def latest_records(con: duckdb.DuckDBPyConnection, old_file: Path | None,
                   new_file: Path | None) -> dict[str, dict]:
    """Per source, the records of the latest snapshot old vs new, by the publisher's id:
    how many the publisher added, dropped or revised (any published field)."""
    if old_file is None or new_file is None:
        return {}
    cols = set(_columns(con, old_file)) & set(_columns(con, new_file))
    if not {"source", "record_id", "is_latest"} <= cols:
        return {}
    result = diff_table(con, "deaths", old_file, new_file, key=["source", "record_id"],
                        where="is_latest", ignore=("snapshot", "is_latest"))
    return result["by_source"]


def diff_releases(old: Path, new: Path, top: int = 20, public: bool = False) -> dict:
    """Everything that changed from release `old` to release `new` (folders), JSON-able.

    With `public`, the published extracts are compared instead of the catalog tables: cells
    withheld by disclosure control show as suppressed, and record-grain tables are absent."""
    folder = "extracts" if public else "tables"
    old, new = Path(old).resolve(), Path(new).resolve()
    for path in (old, new):
        if not is_release(path):
            raise FileNotFoundError(f"{path} is not a release folder (no tables/)")
    old_info, new_info = release_info(old), release_info(new)
    definitions = sorted(
        name for name in set(old_info["definitions"]) | set(new_info["definitions"])
        if old_info["definitions"].get(name) != new_info["definitions"].get(name))
    for info in (old_info, new_info):
        del info["definitions"]
    def where(release: Path) -> Path:
        # the public tier lives in public/extracts (older releases: extracts/ beside tables/)
        if public and public_extracts(release).is_dir():
            return public_extracts(release)
        return release / folder

    names = list(TABLE_KEYS) + sorted(
        {p.stem for p in where(old).glob("*.parquet")} |
        {p.stem for p in where(new).glob("*.parquet")} - set(TABLE_KEYS))

    def file(release: Path, name: str) -> Path | None:
        path = where(release) / f"{name}.parquet"
        return path if path.is_file() else None

    con = duckdb.connect()
    try:
        tables = {name: diff_table(con, name, file(old, name), file(new, name)) for name in names
                  if file(old, name) or file(new, name)}
        figures = diff_figures(con, file(old, "deaths_stats"), file(new, "deaths_stats"), top)
        records = latest_records(con, file(old, "deaths"), file(new, "deaths"))
    finally:
        con.close()
    for src, part in records.items():
        if src in figures:
            figures[src]["latest_records"] = part
    return {
        "old": old_info, "new": new_info,
        "sample_mixed": bool(old_info["sample"]) != bool(new_info["sample"]),
        "definitions_changed": definitions,
        "top": top,
        "tables": tables,
        "sources": figures,
    }


# --------------------------------------------------------------------------------- rendering

def _num(value) -> str:
    return "" if value is None else f"{value:,}"


def _cell(value, state: str) -> str:
    if state == "suppressed":
        return "suppressed"
    if state == "absent":
        return "-"
    return _num(value)


def _change(item: dict) -> str:
    if item["change"] is not None:
        return f"{item['change']:+,}"
    if "suppressed" in (item["old_state"], item["new_state"]):
        return "suppressed"
    return "new" if item["old_state"] == "absent" else "gone"


def render_diff(result: dict, console) -> None:
    """Print a diff_releases result with rich tables."""
    from rich.table import Table

    old, new = result["old"], result["new"]
    console.print(f"[bold]{old['release_id']}[/] -> [bold]{new['release_id']}[/]")
    if result.get("sample_mixed"):
        console.print("[yellow]One release is built from SAMPLE data, the other is not.[/]")
    if old.get("code_version") != new.get("code_version"):
        console.print(f"Code: {old.get('code_version')} -> {new.get('code_version')}")
    if result["definitions_changed"]:
        console.print("Mapping tables / schemas changed: " + ", ".join(result["definitions_changed"]))

    view = Table("table", "old rows", "new rows", "added", "removed", "changed",
                 "columns changed (rows)", title="Rows by table (by key; --format json names the keys)")
    for name, t in result["tables"].items():
        cols = ", ".join(f"{c} ({n:,})" for c, n in list(t.get("changed_columns", {}).items())[:4])
        if t.get("absent_in"):
            cols = f"table absent in {' and '.join(t['absent_in'])} release"
        view.add_row(name, *(_num(t.get(k)) for k in ("old_rows", "new_rows", "added", "removed", "changed")),
                     cols)
    console.print(view)

    view = Table("source", "table", "old rows", "new rows", "added", "removed", "changed",
                 title="Rows by source")
    for name, t in result["tables"].items():
        for src, s in t.get("by_source", {}).items():
            if s["added"] or s["removed"] or s["changed"]:
                view.add_row(src, name, *(_num(s[k]) for k in
                                          ("old_rows", "new_rows", "added", "removed", "changed")))
    if view.row_count:
        console.print(view)
    else:
        console.print("No row added, removed or changed in any table.")

    for src, s in result["sources"].items():
        console.rule(f"[bold]{src}[/]")
        if not s["in_old"]:
            console.print(f"New source (latest snapshot {', '.join(s['latest_new'])}).")
        elif not s["in_new"]:
            console.print(f"Source dropped (was {', '.join(s['latest_old'])}).")
        elif s["latest_changed"]:
            console.print(f"Latest snapshot: {', '.join(s['latest_old'])} -> "
                          f"{', '.join(s['latest_new'])}")
        else:
            console.print(f"Latest snapshot unchanged: {', '.join(s['latest_new'])}")
        records = s.get("latest_records")
        if records:
            lineage = set(LINEAGE_COLUMNS["deaths"])
            cols = ", ".join(f"{c} ({n:,})" for c, n in
                             [i for i in records["changed_columns"].items() if i[0] not in lineage][:6])
            console.print(f"Records of the latest snapshot, by the publisher's id: "
                          f"{records['old_rows']:,} -> {records['new_rows']:,}; "
                          f"{records['added']:,} added, {records['removed']:,} removed, "
                          f"{records['changed']:,} revised" + (f" ({cols})" if cols else ""))
        for label, extra, title in (("year_totals", [], "Grand totals by year"),
                                    ("country_totals", ["country_iso3"],
                                     "Totals by year and country of incident")):
            part = s[label]
            if not part["moved"]:
                console.print(f"{title}: none moved.")
                continue
            shown = len(part["top"])
            view = Table("year", "basis", *extra, "old", "new", "change",
                         title=f"{title}: {part['moved']:,} moved"
                               + (f", largest {shown} shown" if shown < part["moved"] else ""))
            for item in part["top"]:
                year = str(item["year"]) + (" (partial)" if item.get("new_partial_year") else "")
                view.add_row(year, item["year_basis"], *(str(item[k]) for k in extra),
                             _cell(item["old"], item["old_state"]),
                             _cell(item["new"], item["new_state"]), _change(item))
            console.print(view)
