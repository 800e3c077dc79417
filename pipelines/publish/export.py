"""`harmstats export`: a slice of one public table, read from a release's public tier, written
as Parquet, CSV or XLSX with a README of its caveats; record-grain tables are never exported."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipelines.publish.extract_tables import is_sample, public_columns, withhold_suppressed
from pipelines.publish.layout import EXTRACT_DIR, MANIFEST
from pipelines.publish.readmes import Context, readme_name, table_readme
from pipelines.publish.table_files import write_csv, write_xlsx
from pipelines.stored import write_parquet
from schemas.tables import PUBLIC_TABLES, TABLES

REFUSED_TABLES = ("deaths", "crimes", "prosecutions", "quarantine", "unmapped_values", "record_links")
XLSX_MAX_ROWS = 1_048_576  # rows of a worksheet, the header included


class ExportError(ValueError):
    """A request `harmstats export` refuses, with the reason in words."""


def _where_tree(where: str, table: str) -> dict:
    """The WHERE clause of `SELECT * FROM table WHERE (where)` as DuckDB's own parser reads
    it; refused unless it is one plain SELECT of that table with a boolean-looking filter."""
    import duckdb

    if not where or not where.strip():
        raise ExportError("--where is empty")
    tokens = duckdb.tokenize(where)  # DuckDB's own tokenizer: a ';' or '--' in a string is text
    ends = [start for start, _ in tokens[1:]] + [len(where)]
    for (start, kind), end in zip(tokens, ends):
        if kind == duckdb.token_type.comment:
            raise ExportError("--where must not contain SQL comments")
        if kind == duckdb.token_type.operator and where[start:end].strip().startswith(";"):
            raise ExportError("--where must be one boolean expression: ';' is not allowed")
    sql = f'SELECT * FROM "{table}" WHERE ({where})'
    con = duckdb.connect()
    try:
        parsed = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    finally:
        con.close()
    if parsed.get("error") or len(parsed.get("statements", [])) != 1:
        raise ExportError(f"--where is not a valid SQL expression: {parsed.get('error_message', where)}")
    node = parsed["statements"][0]["node"]
    plain = (node.get("type") == "SELECT_NODE" and not node.get("modifiers")
             and not node.get("cte_map", {}).get("map") and not node.get("group_expressions")
             and node.get("having") is None and node.get("qualify") is None
             and (node.get("from_table") or {}).get("table_name") == table
             and [e.get("class") for e in node.get("select_list", [])] == ["STAR"])
    if not plain:
        raise ExportError("--where must be a plain boolean expression over the table's columns")
    tree = node.get("where_clause") or {}
    if '"SUBQUERY"' in json.dumps(tree):
        raise ExportError("--where must not contain a subquery (a plain boolean expression over "
                          "this table's columns only: no other tables)")
    return tree


def check_where(where: str, columns: list[str], table: str = "t") -> str:
    """`where` if DuckDB's parser reads it as one plain expression (no statement separator,
    comment, subquery or other table) whose column references are all in `columns`."""
    tree = _where_tree(where, table)
    known = {c.lower() for c in columns}
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("class") == "COLUMN_REF":
                refs.add(str(node.get("column_names", [""])[-1]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    unknown = sorted(r for r in refs if r.lower() not in known)
    if unknown:
        raise ExportError(f"--where: {', '.join(map(repr, unknown))} is neither a column of this "
                          "public table nor an allowed function (a plain boolean expression only: "
                          "no subqueries, no other tables)")
    return where


def _public_manifest(public: Path) -> dict:
    path = public / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _selected_rows(frame: pd.DataFrame, table: str, where: str) -> pd.DataFrame:
    """The rows of `frame` for which `where` is true, evaluated by DuckDB on a connection that
    holds nothing but this table, with external access off and its configuration locked (no
    file, extension or setting is reachable from the expression)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("public_rows", frame)
        con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM public_rows')
        con.unregister("public_rows")
        con.execute("SET enable_external_access = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET lock_configuration = true")
        try:
            kind = con.execute(f'DESCRIBE SELECT ({where}) AS w FROM "{table}"').fetchall()[0][1]
            if kind != "BOOLEAN":
                raise ExportError(f"--where must be a boolean expression (true or false per row); "
                                  f"it gives {kind}")
            rows = [r[0] for r in con.execute(f'SELECT rowid FROM "{table}" WHERE ({where}) '
                                              "ORDER BY rowid").fetchall()]
        except duckdb.Error as exc:
            raise ExportError(f"--where failed in DuckDB: {exc}") from exc
    finally:
        con.close()
    return frame.iloc[rows].reset_index(drop=True)


def export_table(public: Path, table: str, where: str | None = None, fmt: str = "csv",
                 out_path: Path | None = None) -> dict:
    """A slice of a public table as the public tier publishes it (the release's
    `public/extracts/<table>.parquet`: latest snapshots, public columns, disclosure control
    applied), written as parquet, csv or xlsx, with a README of caveats beside it (a README
    sheet in xlsx). `public` is a release's public folder. Returns what was written."""
    if table in REFUSED_TABLES or table not in PUBLIC_TABLES:
        kind = ("record-grain or lineage table: it stays in the catalog and is never exported"
                if table in TABLES else "unknown table")
        raise ExportError(f"{table!r} cannot be exported ({kind}). Public tables: "
                          + ", ".join(PUBLIC_TABLES))
    if fmt not in ("parquet", "csv", "xlsx"):
        raise ExportError(f"unknown format {fmt!r}: parquet, csv or xlsx")
    source = Path(public) / EXTRACT_DIR / f"{table}.parquet" if public else None
    if source is None or not source.is_file():
        raise ExportError(f"no public extract of {table!r} in {public}: run `harmstats run` first")
    columns = public_columns(table)
    if where:
        check_where(where, columns, table)
    frame = pd.read_parquet(source)
    frame = frame.reindex(columns=[c for c in columns if c in frame.columns])
    if where:
        frame = _selected_rows(frame, table, where)
    frame = withhold_suppressed(frame)
    if fmt == "xlsx" and len(frame) >= XLSX_MAX_ROWS:
        raise ExportError(f"{len(frame):,} rows do not fit in a spreadsheet (at most "
                          f"{XLSX_MAX_ROWS - 1:,}): narrow --where or use csv or parquet")
    info = _public_manifest(Path(public))
    sources = pd.read_parquet(Path(public) / EXTRACT_DIR / "sources.parquet")
    coverage = pd.read_parquet(Path(public) / EXTRACT_DIR / "coverage.parquet")
    if "source" in frame and {"source", "snapshot"} <= set(sources.columns):
        keys = set(zip(frame["source"], frame["snapshot"])) if "snapshot" in frame else None
        mask = sources["source"].isin(frame["source"].unique())
        if keys is not None:
            mask &= pd.Series(list(zip(sources["source"], sources["snapshot"])), index=sources.index).isin(keys)
        sources = sources[mask]
    sample = bool(info.get("sample")) or is_sample({"sources": sources})
    tables = {"sources": sources.reindex(columns=public_columns("sources")),
              "coverage": coverage.reindex(columns=public_columns("coverage"))}
    out_path = Path(out_path or f"{table}.{fmt}")
    if out_path.suffix.lower() != f".{fmt}":
        out_path = out_path.with_name(out_path.name + f".{fmt}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    ctx = Context(str(info.get("release_id", "unknown")), str(info.get("created", "")),
                  str(info.get("code_version", "")), sample, tables,
                  names={"dictionary": "data_dictionary.md of the release's extracts/"})
    readme = table_readme(table, frame, ctx, [out_path.name], query=where or "(all rows)")
    written = [out_path]
    if fmt == "parquet":
        write_parquet([frame], out_path, {"table": table, "where": where or "", "sample": sample,
                                          "release_id": ctx.release_id})
    elif fmt == "csv":
        write_csv(frame, out_path)
    else:
        write_xlsx(frame, out_path, readme, sheet=table)
    if fmt != "xlsx":
        readme_path = out_path.with_name(readme_name(f"{out_path.name}.README", sample))
        readme_path.write_text(readme, encoding="utf-8")
        written.append(readme_path)
    return {"table": table, "rows": len(frame), "files": [str(p) for p in written],
            "sample": sample}
