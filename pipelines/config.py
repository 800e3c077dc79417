"""Where things live (project root, default raw and output folders, the real-data folder), and
the shape of the anomaly warnings' thresholds (their values are settings: `pipelines.settings`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RAW_DIR = PROJECT_ROOT / "data" / "raw"
DEFAULT_OUT_DIR = PROJECT_ROOT / "data" / "curated"
REAL_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "real"
CATALOG_NAME = "harmstats.duckdb"


@dataclass(frozen=True)
class AnomalyThresholds:
    """When a new snapshot earns an anomaly warning (README "Run it nightly"). A warning makes
    the run exit 1 and fires the notification; it never changes what is published. Each
    threshold is a setting (`HARMSTATS_ANOMALY_*`, `pipelines.settings`); the defaults were
    chosen on the real snapshots (docs in the README)."""

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
