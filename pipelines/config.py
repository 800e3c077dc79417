"""Where things live (project root, default raw and output folders, the real-data folder), the
limits on what a raw file may make the pipeline read, and the thresholds of the anomaly
warnings."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = PROJECT_ROOT / "data" / "raw"
DEFAULT_OUT_DIR = PROJECT_ROOT / "data" / "curated"
REAL_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "real"
CATALOG_NAME = "harmstats.duckdb"


def prefect_home() -> Path:
    """Project-local Prefect state unless the operator chose another one."""
    return Path(os.environ.get("PREFECT_HOME", PROJECT_ROOT / ".prefect"))


@dataclass(frozen=True)
class AnomalyThresholds:
    """When a new snapshot earns an anomaly warning (README "Run it nightly"). A warning makes
    the run exit 1 and fires the notification; it never changes what is published. Each
    threshold can be set in the environment (`HARMSTATS_ANOMALY_*`, the field's name in
    capitals); the defaults were chosen on the real snapshots (docs in the README)."""

    # Rows of a file set aside in quarantine, as a share of rows read, above which it warns.
    quarantine_share: float = 0.01
    # Rise of the share of flagged rows over the previous snapshot (0.05 = 5 percentage points).
    flag_share_jump: float = 0.05
    # Rows repeating a publisher id, as a share of rows read, above which it warns (0: any).
    repeated_id_share: float = 0.0
    # A yearly grand total that moves by more than this share of the previous snapshot's ...
    yearly_total_share: float = 0.10
    # ... and by at least this many (persons, incidents, cases), for years both cover fully.
    yearly_total_min: int = 10

    @classmethod
    def from_env(cls, env: dict | None = None) -> "AnomalyThresholds":
        """The defaults, overridden by `HARMSTATS_ANOMALY_<FIELD>` variables."""
        env = os.environ if env is None else env
        values = {}
        for spec in fields(cls):
            name = f"HARMSTATS_ANOMALY_{spec.name.upper()}"
            text = env.get(name, "").strip()
            if not text:
                continue
            try:
                values[spec.name] = int(text) if spec.type in (int, "int") else float(text)
            except ValueError:
                raise ValueError(f"{name}={text!r} is not a number") from None
        return cls(**values)


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
