"""Every analyst notebook in notebooks/ runs top to bottom against a sample release, with a
kernel of this interpreter, so the notebooks never rot."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from pipelines.config import PROJECT_ROOT
from tests.sample_release import catalog_of, sample_release

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "harmstats-test-python"

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Path:
    return sample_release(tmp_path_factory)


@pytest.fixture()
def kernel_env(tmp_path, monkeypatch, release):
    """A kernelspec that runs this interpreter, and the notebook's environment."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "harmstats tests", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("HARMSTATS_CATALOG", str(catalog_of(release)))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return release


def test_there_is_a_notebook():
    assert [p.name for p in NOTEBOOKS if p.name == "letter_questions.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, kernel_env):
    nbformat = pytest.importorskip("nbformat", reason="install the test extra: pip install -e '.[test]'")
    nbclient = pytest.importorskip("nbclient", reason="install the test extra: pip install -e '.[test]'")
    pytest.importorskip("ipykernel", reason="install the test extra: pip install -e '.[test]'")
    pytest.importorskip("matplotlib", reason="install the test extra: pip install -e '.[test]'")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name=KERNEL,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3, "the notebook's plots did not render"
    text = "\n".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert "SAMPLE DATA" in text  # a sample catalog says so
    assert os.environ["HARMSTATS_CATALOG"] in "".join(o.get("text", "") for o in outputs)
