"""Every source module is registered and has the shape the others have: a new source is its
module, its raw schema, its sample writer and its test. This test lists what one is missing."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pipelines.sources
from pipelines.sources.registry import SOURCES
from pipelines.sources.base import SourceSpec

SHARED = {"base", "readers", "formats", "curate", "person", "cases", "reports", "registry", "process",
          "chunk_ids", "names", "fetching"}
ROOT = Path(__file__).resolve().parent.parent


def _source_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(pipelines.sources.__path__)
                  if m.name not in SHARED)


def test_every_source_module_is_registered():
    assert sorted(SOURCES) == _source_modules()


def test_every_source_has_the_shared_shape():
    missing = []
    for source_id, module in SOURCES.items():
        if not isinstance(getattr(module, "SOURCE", None), SourceSpec):
            missing.append(f"{source_id}: SOURCE")
        for name in ("FILE_PATTERNS", "fetch", "read_raw", "to_curated"):
            if not hasattr(module, name):
                missing.append(f"{source_id}: {name}")
        if module.SOURCE.id != source_id:
            missing.append(f"{source_id}: SOURCE.id is {module.SOURCE.id}")
        for path in (f"schemas/raw/{source_id}.py", f"pipelines/samples/{source_id}.py",
                     f"tests/test_source_{source_id}.py"):
            if not (ROOT / path).is_file():
                missing.append(f"{source_id}: {path}")
        if not list((ROOT / "data" / "raw" / source_id).glob("SAMPLE-*/snapshot.json")):
            missing.append(f"{source_id}: a committed sample snapshot (make samples)")
        raw_schema = importlib.import_module(f"schemas.raw.{source_id}")
        if not getattr(raw_schema, "HEADERS", None):
            missing.append(f"{source_id}: schemas.raw HEADERS")
    assert not missing, missing


def test_person_level_sources_declare_their_name_columns():
    for source_id, module in SOURCES.items():
        if module.SOURCE.person_level:
            assert module.SOURCE.name_columns, source_id


def test_schemas_import_nothing_from_pipelines():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "schemas").rglob("*.py")
                 if "pipelines" in p.read_text(encoding="utf-8").split('"""', 2)[-1]]
    assert not offenders, offenders


def test_committed_data_dictionary_is_current():
    from pipelines.publish.dictionary import TARGET, render

    assert TARGET.read_text(encoding="utf-8") == render(), (
        "docs/data_dictionary.md is stale: run `python -m pipelines.publish.dictionary`")
