"""Scale-out: `harmstats run --dask ADDRESS` sends the per-source tasks of the real flow to a
Dask scheduler (prefect-dask) and publishes the same tables as a run without it."""

from __future__ import annotations

import os

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from pipelines.config import DEFAULT_RAW_DIR  # noqa: E402
from pipelines.ops.run import execute  # noqa: E402

pytestmark = [pytest.mark.flow, pytest.mark.dask]


def _tables(release: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(release / "tables" / f"{name}.parquet")
            for name in ("deaths", "deaths_stats", "crimes_stats")}


def test_sources_run_on_a_dask_cluster_and_publish_the_same_tables(tmp_path):
    distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    pytest.importorskip("prefect_dask", reason="the [dask] extra is not installed")
    raw = tmp_path / "raw"
    for source in ("mmp", "cbp_deaths", "ca_statcan_hate_crime"):
        shutil.copytree(DEFAULT_RAW_DIR / source, raw / source)
    sources = ["ca_statcan_hate_crime", "cbp_deaths", "mmp"]
    # In-process workers: they reach the test's temporary Prefect server (separate worker
    # processes need PREFECT_API_URL pointing at a long-lived server; see docs/benchmarks.md).
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = execute(raw, tmp_path / "dask", sources=sources, incremental=False,
                          dask_address=cluster.scheduler_address)
        prefixes = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
    plain = execute(raw, tmp_path / "plain", sources=sources, incremental=False)
    assert on_dask["exit_code"] == plain["exit_code"] == 0, (on_dask["summary"], plain["summary"])
    assert prefixes, "the Dask scheduler ran no task"
    a = next((tmp_path / "dask" / "releases").glob("2*"))
    b = next((tmp_path / "plain" / "releases").glob("2*"))
    for name, frame in _tables(a).items():
        pd.testing.assert_frame_equal(frame, _tables(b)[name], obj=name)
