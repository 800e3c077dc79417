"""Rules of the test suite itself (issue 15): no `xfail` escape hatch, and `make test` runs the
whole suite (no marker left out by default)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent


def test_no_test_is_expected_to_fail():
    """A test asserts something that could fail; an `xfail` turns a regression into a pass."""
    word = "x" + "fail"
    found = [f"{path.relative_to(PROJECT)}:{number}"
             for path in sorted(TESTS.rglob("*.py")) if path != Path(__file__).resolve()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(rf"\b{word}\b", line)]
    assert not found, found


def test_make_test_selects_no_marker_away():
    """Markers group tests (browser, dask, notebook, flow, real) for a quick loop by hand; the
    default run leaves none out."""
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    addopts = config["tool"]["pytest"]["ini_options"]["addopts"]
    assert not re.search(r"(^|\s)-m(\s|=|$)", addopts), addopts
    make_test = re.search(r"^test:.*\n((?:\t.*\n)+)", (PROJECT / "Makefile").read_text(), re.M)
    assert make_test and not re.search(r"pytest\b.*\s-m\s", make_test.group(1)), make_test
