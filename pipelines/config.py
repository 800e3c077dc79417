"""Where things live: project root, default raw and output folders, the real-data folder."""

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
