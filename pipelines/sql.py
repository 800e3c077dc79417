"""SQL text built in Python, for the DuckDB queries of every stage."""

from __future__ import annotations


def sql_text(value) -> str:
    """`value` (a path, a name) as a SQL string literal, its quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_name(name) -> str:
    """`name` (a column) as a SQL identifier, its double quotes doubled."""
    return '"' + str(name).replace('"', '""') + '"'
