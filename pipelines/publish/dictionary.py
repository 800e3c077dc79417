"""The data dictionary, generated from the schema classes (one description per column,
reused here, in the DuckDB COMMENTs and in validation). `python -m pipelines.publish.dictionary`
rewrites docs/data_dictionary.md; a test fails when the committed copy is stale."""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.config import PROJECT_ROOT
from schemas import codes
from schemas.tables import PUBLIC_TABLES, TABLES, table_description

TARGET = PROJECT_ROOT / "docs" / "data_dictionary.md"


def _type(column) -> str:
    return {"string[pyarrow]": "text", "Int64": "BIGINT", "Int32": "INTEGER", "bool": "BOOLEAN",
            "float64": "DOUBLE", "datetime64[ns]": "DATE"}.get(str(column.dtype), str(column.dtype))


def render() -> str:
    """The whole dictionary as Markdown."""
    lines = ["# harmstats data dictionary", "",
             "Generated from `schemas/` by `python -m pipelines.publish.dictionary`; do not edit by hand.",
             "The published interface itself is fixed in `../shared/docs/DATA_MODEL.md`.", ""]
    for name, model in TABLES.items():
        tier = "public release and catalog" if name in PUBLIC_TABLES else "catalog only"
        lines += [f"## `{name}` ({tier})", "", table_description(name), "",
                  "| column | type | meaning | allowed codes |", "|---|---|---|---|"]
        for column, spec in model.to_schema().columns.items():
            allowed = ", ".join(f"`{c}`" for c in (spec.metadata or {}).get("codes", []))
            lines.append(f"| `{column}` | {_type(spec)} | {spec.description or ''} | {allowed} |")
        lines.append("")
    lines += ["## Consistency flags (`deaths.flags`)", "",
              "Source warnings: the row is kept with its published total, the flag is counted in the "
              "run report, and the affected split is published under `unknown`.", ""]
    lines += [f"- `{flag}`" for flag in codes.DEATH_FLAGS]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
