"""The reference checks are written apart from the pipeline: no module here (nor the module
that builds the real release for them) imports `pipelines` or `schemas`, directly or through
another test module, so no expected figure can come from the code under test."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
PROJECT = TESTS.parent
FORBIDDEN = ("pipelines", "schemas")
# Test modules the reference checks may use: themselves and the release builder.
ALLOWED_TEST_MODULES = ("tests.reference", "tests.real_release")
CHECKED = sorted(HERE.glob("*.py")) + [TESTS / "real_release.py"]


def imported_names(path: Path) -> set[str]:
    """Every module name a file imports (import x.y, from x.y import z, importlib strings)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def test_no_reference_module_imports_the_pipeline():
    offending = {}
    for path in CHECKED:
        bad = sorted(n for n in imported_names(path)
                     if n.split(".")[0] in FORBIDDEN
                     or (n.startswith("tests") and n != "tests"
                         and not n.startswith(ALLOWED_TEST_MODULES)))
        if bad:
            offending[str(path.relative_to(PROJECT))] = bad
    assert len(CHECKED) > 5
    assert not offending, f"reference modules must not import the pipeline: {offending}"


def test_importing_every_reference_module_loads_no_pipeline_module():
    modules = [f"tests.reference.{p.stem}" for p in sorted(HERE.glob("*.py")) if p.stem != "__init__"]
    modules.append("tests.real_release")
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
            "print(loaded); sys.exit(1 if loaded else 0)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True)
    assert done.returncode == 0, f"pipeline modules loaded: {done.stdout} {done.stderr[-2000:]}"


def test_the_check_sees_a_pipeline_import(tmp_path):
    """The AST check above would catch each form of import (it can fail)."""
    sample = tmp_path / "sample.py"
    sample.write_text("import pipelines.flows\nfrom schemas import tables\n"
                      "from tests.helpers import curate\n"
                      "import importlib\nimportlib.import_module('pipelines.cli')\n")
    names = imported_names(sample)
    assert {"pipelines.flows", "schemas", "tests.helpers", "pipelines.cli"} <= names
