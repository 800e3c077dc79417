"""Where things live (project root, default raw and output folders, the real-data folder) and
the limits on what a raw file may make the pipeline read."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = PROJECT_ROOT / "data" / "raw"
DEFAULT_OUT_DIR = PROJECT_ROOT / "data" / "curated"
REAL_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "real"
CATALOG_NAME = "harmstats.duckdb"


def prefect_home() -> Path:
    """Project-local Prefect state unless the operator chose another one."""
    return Path(os.environ.get("PREFECT_HOME", PROJECT_ROOT / ".prefect"))


# Limits on what a raw file may make the pipeline read, each refused at once with a message
# naming the file and the limit: a file larger than any real one (or a zip bomb, or one endless
# field) would otherwise take minutes and gigabytes before failing. Environment variable ->
# (default in bytes, what it bounds). The largest real files: an 11 MB CSV, a 2.3 MB workbook
# that unpacks to 27 MB (GLOTIP 2025).
LIMITS = {
    "HARMSTATS_MAX_RAW_BYTES": (16 << 30, "size of a raw file"),
    "HARMSTATS_MAX_WORKBOOK_BYTES": (256 << 20, "unpacked size of a workbook (XLSX) or zip archive"),
    "HARMSTATS_MAX_FIELD_BYTES": (1 << 20, "length of one CSV field"),
}


def limit(variable: str) -> int:
    """The limit set by `variable` (see LIMITS), read from the environment at each call so a
    test or an operator can lower it; a value that is not a positive whole number of bytes is
    refused with the variable named."""
    default, what = LIMITS[variable]
    text = os.environ.get(variable, "").strip().replace("_", "")
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"{variable}={os.environ[variable]!r}: the {what} limit must be a "
                         "positive whole number of bytes")
    return int(text)


def raw_link_roots() -> list[Path]:
    """Folders outside the raw folder that a snapshot folder or raw file in it may be a
    symbolic link into (HARMSTATS_RAW_LINK_ROOTS, separated by the path separator `:`);
    none by default: a link leading out of the raw folder is refused unread."""
    return [Path(p).resolve() for p in os.environ.get("HARMSTATS_RAW_LINK_ROOTS", "").split(os.pathsep)
            if p.strip()]
