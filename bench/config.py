"""What `make bench` measures and where it writes: folders, scales, layouts, the companion of a
layout whose release cannot stand alone, the real workbooks timed, the targets."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
PY = sys.executable
RAW_LINK_ROOTS = str((DATA / "raw").resolve())  # HARMSTATS_RAW_LINK_ROOTS of the runs

SCALES = {"10k": 10_000, "1m": 1_000_000, "10m": 10_000_000}
PLANS = {"small": ["10k"], "default": ["10k", "1m"], "large": ["10k", "10m"]}
LAYOUTS = ["mmp", "ngo_incidents", "unodc_glotip", "ice_detention_deaths", "fbi_incidents"]
# A release whose only source is the NGO log (or GLOTIP, or the FBI file) has an empty `deaths` table, and the
# GX suite expects at least one row there, so the checkpoint blocks it. Those layouts are
# therefore published beside the fixed 10k-row MMP snapshot; that cost is the same at every
# scale and cancels in the ratio.
COMPANIONS = {"ngo_incidents": "mmp", "unodc_glotip": "mmp", "fbi_incidents": "mmp"}
REAL = ROOT.parent / "shared" / "data" / "real"
REAL_XLSX = {"mmp": REAL / "mmp" / "2025-05-05" / "Missing_Migrants_Global_Figures_allData.xlsx",
             "unodc_glotip": REAL / "unodc_glotip" / "2025-04-14" / "data_glotip.xlsx"}
LIBRARIES = ("pandas", "pyarrow", "duckdb", "pandera", "prefect", "great_expectations", "numpy",
             "openpyxl", "python-calamine", "psutil", "dask", "distributed", "prefect-dask")
CAVEAT = ("The load average is recorded per run: seconds measured while other jobs shared the "
          "2 cores are upper bounds. Rerun `make bench` on a quiet machine to compare.")
TARGETS = {"ratio": 3.0, "peak_rss_mb": 2.5 * 1024, "unchanged_s": 2.0, "query_ms": 100.0}
