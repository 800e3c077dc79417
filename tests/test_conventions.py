"""A new source is four files and one registry line (README, "How to add a source"): its module
declaring `SOURCE = Source(...)`, its raw schema, its sample writer, its test, and its line in
`pipelines/sources/registry.py`. This test lists whatever a source is missing, by name."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import types
from pathlib import Path

import pipelines.sources
from pipelines.sources.registry import SOURCES
from pipelines.sources.source import Source, SourceSpec

# Modules of pipelines/sources/ that are not a source: what the sources share, and the steps
# that run them. A new shared module is added here.
SHARED = {"base", "source", "readers", "formats", "curate", "person", "cases", "reports",
          "registry", "process", "chunk_ids", "names", "fetching", "monthly", "free_text"}
ROOT = Path(__file__).resolve().parent.parent


def _source_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(pipelines.sources.__path__)
                  if m.name not in SHARED)


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the module exists but imports something missing
            raise
        return None


def missing_pieces(source_id: str) -> list[str]:
    """What source `source_id` lacks of the pieces every source has, each in words saying where
    it goes; [] when it has them all."""
    missing = []
    module = _import(f"pipelines.sources.{source_id}")
    source = getattr(module, "SOURCE", None)
    if module is None:
        missing.append(f"its module pipelines/sources/{source_id}.py, declaring "
                       "SOURCE = Source(...)")
    elif not isinstance(source, Source):
        missing.append(f"SOURCE = Source(spec=SourceSpec(id={source_id!r}, ...), ...) in "
                       f"pipelines/sources/{source_id}.py")
        source = None
    elif source.id != source_id:
        missing.append(f"SOURCE.spec.id {source_id!r} (pipelines/sources/{source_id}.py "
                       f"says {source.id!r})")
    if source is None or SOURCES.get(source_id) is not source:
        missing.append(f"its line `{source_id}.SOURCE` in SOURCES, pipelines/sources/registry.py")
    raw_schema = _import(f"schemas.raw.{source_id}")
    headers = getattr(raw_schema, "HEADERS", None)
    if raw_schema is None:
        missing.append(f"its raw schema schemas/raw/{source_id}.py (HEADERS: the exact published "
                       "header of each format version)")
    elif not (isinstance(headers, dict) and headers
              and all(isinstance(h, list) and h for h in headers.values())):
        missing.append(f"HEADERS in schemas/raw/{source_id}.py: format version -> header row")
    elif source is not None and source.headers != headers:
        missing.append(f"headers=HEADERS (from schemas/raw/{source_id}.py) in its SOURCE")
    samples = _import(f"pipelines.samples.{source_id}")
    if samples is None or not callable(getattr(samples, "write_samples", None)):
        missing.append(f"its sample writer pipelines/samples/{source_id}.py with "
                       "write_samples(raw_dir)")
    elif not list((ROOT / "data" / "raw" / source_id).glob("SAMPLE-*/snapshot.json")):
        missing.append(f"its committed sample snapshots data/raw/{source_id}/SAMPLE-* "
                       "(run `make samples`)")
    if not (ROOT / "tests" / f"test_source_{source_id}.py").is_file():
        missing.append(f"its test tests/test_source_{source_id}.py")
    if source is not None and source.spec.person_level and not source.spec.name_columns:
        missing.append("name_columns in its SourceSpec (a person-level source names the raw "
                       "columns holding names, so they are never published)")
    return [f"{source_id}: {what}" for what in missing]


def test_every_source_has_its_module_raw_schema_sample_writer_test_and_registry_line():
    ids = sorted(set(_source_modules()) | set(SOURCES))
    assert len(ids) >= 9
    missing = [line for source_id in ids for line in missing_pieces(source_id)]
    assert not missing, "\n".join(missing)


def test_a_source_without_its_pieces_is_told_each_one_it_lacks():
    assert missing_pieces("no_such_source") == [
        "no_such_source: its module pipelines/sources/no_such_source.py, declaring SOURCE = Source(...)",
        "no_such_source: its line `no_such_source.SOURCE` in SOURCES, pipelines/sources/registry.py",
        "no_such_source: its raw schema schemas/raw/no_such_source.py (HEADERS: the exact published "
        "header of each format version)",
        "no_such_source: its sample writer pipelines/samples/no_such_source.py with write_samples(raw_dir)",
        "no_such_source: its test tests/test_source_no_such_source.py",
    ]


def test_a_registered_module_with_a_source_still_needs_the_other_files(monkeypatch):
    spec = SourceSpec(id="half_made", title="t", publisher="p", landing_page="l", licence="x",
                      stream="deaths", cadence="yearly", max_age_days=None, person_level=True)
    half_made = Source(spec=spec, file_patterns=("*.csv",), headers={"v1": ["a"]},
                       read_raw=print, to_curated=print)
    monkeypatch.setitem(sys.modules, "pipelines.sources.half_made",
                        types.SimpleNamespace(SOURCE=half_made))
    monkeypatch.setitem(SOURCES, "half_made", half_made)
    missing = missing_pieces("half_made")
    assert len(missing) == 4, missing
    for piece in ("schemas/raw/half_made.py", "pipelines/samples/half_made.py",
                  "tests/test_source_half_made.py", "name_columns"):
        assert any(piece in line for line in missing), piece


def test_schemas_import_nothing_from_pipelines():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "schemas").rglob("*.py")
                 if "pipelines" in p.read_text(encoding="utf-8").split('"""', 2)[-1]]
    assert not offenders, offenders


def test_committed_data_dictionary_is_current():
    from pipelines.publish.dictionary import TARGET, render

    assert TARGET.read_text(encoding="utf-8") == render(), (
        "docs/data_dictionary.md is stale: run `python -m pipelines.publish.dictionary`")
