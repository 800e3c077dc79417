"""Fixtures of the reference checks: the raw folder of the publishers' files, and the real
release (built once per session by tests/conftest.py `real_release`, the CLI in a subprocess, or
the OUT folder named by HARMSTATS_REFERENCE_OUT), read through tests/reference/published.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import real_release as release_module
from tests.reference.published import Published


@pytest.fixture(scope="session")
def raw_root() -> Path:
    """The publishers' files (../shared/data/real, or HARMSTATS_REFERENCE_RAW)."""
    root = release_module.real_dir()
    if not root.is_dir():
        pytest.skip(f"real published files not found at {root} "
                    "(they live in ../shared/data/real beside the project)")
    return root


@pytest.fixture(scope="session")
def published(raw_root, real_release) -> Published:
    """The real release's tables, read once per session."""
    return Published(real_release.out)
