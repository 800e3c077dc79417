"""Shared fixtures: where the real files are, and skipping cleanly when they are absent."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Prefect state for the test session: temporary, no telemetry, before prefect is imported.
# Under pytest-xdist each process starts its own temporary server, so each gets its own
# PREFECT_HOME (two servers writing one sqlite database race each other).
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("PREFECT_HOME"):
    os.environ["PREFECT_HOME"] = os.path.join(os.environ["PREFECT_HOME"], f"xdist-{_worker}")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix=f"harmstats-prefect-{_worker or ''}"))
# A clean clone has no .prefect/ yet: Prefect's temporary server cannot open its database in a
# folder that does not exist ("unable to open database file").
os.makedirs(os.environ["PREFECT_HOME"], exist_ok=True)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
# A busy 2-core machine (both test processes, the real release's run) may need more than
# Prefect's default 20 s to start a temporary server.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ["DO_NOT_TRACK"] = "1"

from pipelines.config import REAL_DATA_DIR  # noqa: E402
from pipelines.settings import prepare_third_parties  # noqa: E402
from tests import real_release as real_release_module  # noqa: E402
from tests import sample_release as sample_release_module  # noqa: E402
from tests.shared_fixture import build_once  # noqa: E402

# What a run sets before Prefect is imported (tests import it directly); log level WARNING: no
# INFO lines after pytest closes its capture.
prepare_third_parties(quiet_logs=True)

# Tests build raw folders of links to the real files (never copies): let links lead there.
os.environ.setdefault("HARMSTATS_RAW_LINK_ROOTS", str(REAL_DATA_DIR))

# The releases tests build (about 45, and the real release's subprocess) write no Data Docs and
# no page: GX still validates every table (a failure still blocks), only the HTML is left out
# (a fifth of a small build's time). The sample release (tests/sample_release.py) and the
# attack series (tests/attack_releases.py) are built with what their tests read, whatever
# is set here; `HARMSTATS_DATA_DOCS=1 HARMSTATS_PAGE=1 make test` writes them everywhere.
os.environ.setdefault("HARMSTATS_DATA_DOCS", "0")
os.environ.setdefault("HARMSTATS_PAGE", "0")

# The shared checks in tests/helpers.py report their values on failure, as a test's own do.
pytest.register_assert_rewrite("tests.helpers")



@pytest.fixture(scope="session")
def real_dir() -> Path:
    """`../shared/data/real`, read-only; tests that need it skip when it is not there."""
    if not REAL_DATA_DIR.is_dir():
        pytest.skip(f"real published files not found at {REAL_DATA_DIR} "
                    "(they live in ../shared/data/real beside the project)")
    return REAL_DATA_DIR


@pytest.fixture(scope="session")
def real_release(tmp_path_factory) -> real_release_module.RealRelease:
    """The release of every real snapshot (`harmstats run --snapshot all` in a subprocess),
    built once per test run (also across pytest-xdist's processes) and shared by
    tests/test_pipeline.py and tests/reference; or the OUT folder named by
    HARMSTATS_REFERENCE_OUT. A run that publishes nothing is an error, not a skip."""
    if not os.environ.get(real_release_module.OUT_ENV) and not real_release_module.real_dir().is_dir():
        pytest.skip(f"real published files not found at {real_release_module.real_dir()} "
                    "(they live in ../shared/data/real beside the project)")
    out = build_once(tmp_path_factory, "real-release",
                     lambda folder: real_release_module.locate_or_build(folder).out)
    return real_release_module.open_release(out)


def pytest_collection_modifyitems(config, items):
    """The order pytest-xdist hands whole files out in (`--dist loadfile`: a file's tests, and
    so its module-scoped fixtures, stay on one process): the first file that reads the real
    release goes first, so one process builds that release (a minute or more) while the other
    builds the sample release (tests/sample_release.py: the files reading it come next), so
    that neither process later waits for the other's build; then the files that need neither;
    the other real-release files go last, when it is built.
    xdist keeps this order only with `--no-loadscope-reorder` (`make test` passes it): by
    default it hands out the files with the most tests first.
    (`--dist loadgroup` would say this with markers, but xdist 3.8 renames node ids through an
    attribute pytest 9 no longer reads, so its groups are silently ignored.)"""
    def file_of(item) -> str:
        return item.nodeid.split("::")[0]

    def reads_sample(item) -> bool:
        """The item's module imported tests/sample_release.py's `sample_release` or
        `sample_report` (what every reader of the sample release calls)."""
        names = vars(getattr(item, "module", None) or object)
        return any(names.get(n) is getattr(sample_release_module, n)
                   for n in ("sample_release", "sample_report"))

    # Ranked by file, not by test: xdist queues a file where its first test stands, so a file
    # with one test that does not read the real release would otherwise start early and wait.
    real_files = [file_of(item) for item in items if "real_release" in getattr(item, "fixturenames", ())]
    first_file = real_files[0] if real_files else None
    real_set = set(real_files)
    sample_set = {file_of(item) for item in items if reads_sample(item)}

    def rank(item) -> int:
        if file_of(item) == first_file:
            return 0
        if file_of(item) in real_set:
            return 3
        return 1 if file_of(item) in sample_set else 2

    items.sort(key=rank)  # stable: the order within each rank stays pytest's


def real_snapshot(real_dir: Path, source: str, name: str):
    """One real snapshot, or a skip naming the missing folder."""
    from pipelines import snapshots
    from pipelines.sources.registry import SOURCES

    folder = real_dir / source / name
    if not folder.is_dir():
        pytest.skip(f"real snapshot {folder} not found")
    return snapshots.load_snapshot(folder, SOURCES[source], write_missing_sidecar=False)
