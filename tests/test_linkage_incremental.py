"""Incremental linkage (pipelines/stats/linkage.py `link_all`, pipelines/ops/incremental.py
`linkage_reusable`): a pairing whose inputs did not change takes its links and quality row
from the current release; a changed file re-links the pairings that read it and no other.

Three synthetic lists (bench/layout_linkage.py, 2,000 records each, a known share the same
persons) are written as CSV files into a raw folder and read through a public source stand-in
(the registered sources read their own formats; what is under test here is the caching)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from bench import layout_linkage as synthetic
from pipelines.ops.incremental import SCHEME, linkage_reusable
from pipelines.sources.base import RawTable
from pipelines.sources.registry import SOURCES
from pipelines.stats import linkage
from schemas.linkage import LinkageQuality, RecordLinks

N = 1_000
SNAPSHOT = "2026-01-01"


def _read_csv(path: Path) -> RawTable:
    frame = pd.read_csv(path, dtype={"sex": "object"})
    return RawTable(Path(path), frame, "v1", np.arange(2, len(frame) + 2))


def _build(name: str):
    def build(raw: RawTable) -> linkage.LinkInput:
        return synthetic.link_input(name, raw.frame, ranges=False, rng=np.random.default_rng(0))
    build.__qualname__ = f"build_{name}"
    return build


def _side(name: str) -> linkage.Side:
    return linkage.Side(name, "", _build(name), None)


def _pairing(name: str, left: str, right: str) -> linkage.Pairing:
    return linkage.Pairing(name=name, area="synthetic", left=_side(left), right=_side(right),
                           compared=synthetic.BENCH_PAIRING.compared,
                           blocking=synthetic.BENCH_PAIRING.blocking)


PAIRINGS = (_pairing("a_b", "list_a", "list_b"), _pairing("a_c", "list_a", "list_c"))


def _people(seed: int) -> dict[str, pd.DataFrame]:
    """list_a, and list_b and list_c each holding noisy copies of a share of list_a's persons."""
    rng = np.random.default_rng(seed)
    a = synthetic.persons(rng, N)
    shared = int(N * synthetic.SHARED)
    lists = {"list_a": a}
    for name in ("list_b", "list_c"):
        lists[name] = pd.concat([synthetic.noisy_copy(rng, a.iloc[:shared]),
                                 synthetic.persons(rng, N - shared)], ignore_index=True)
    return lists


def _write(raw: Path, name: str, frame: pd.DataFrame) -> None:
    folder = raw / name / SNAPSHOT
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / f"{name}.csv", index=False)


@pytest.fixture
def lists_on_disk(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    for name, frame in _people(7).items():
        _write(raw, name, frame)
        stand_in = SimpleNamespace(read_raw=_read_csv, spec=SimpleNamespace(confidential=False))
        monkeypatch.setitem(SOURCES, name, stand_in)
    sources = pd.DataFrame({"source": list(_people(7)), "snapshot": SNAPSHOT,
                            "file": [f"{n}.csv" for n in _people(7)], "is_latest": True})
    return raw, sources


@pytest.fixture
def predict_calls(monkeypatch):
    """The pairings `predict` was called for (the real function runs)."""
    calls, real = [], linkage.predict

    def counting(left, right, *args, **kwargs):
        calls.append((left.name, right.name))
        return real(left, right, *args, **kwargs)
    monkeypatch.setattr(linkage, "predict", counting)
    return calls


def _stored(done: linkage.Linkage, release: Path) -> Path:
    """The linkage tables written into a release folder as a publish writes them."""
    (release / "tables").mkdir(parents=True, exist_ok=True)
    RecordLinks.validate(done.links).to_parquet(release / "tables" / "record_links.parquet")
    LinkageQuality.validate(done.quality).to_parquet(release / "tables" / "linkage_quality.parquet")
    return release


def _tables(done: linkage.Linkage) -> tuple[pd.DataFrame, pd.DataFrame]:
    return RecordLinks.validate(done.links.copy()), LinkageQuality.validate(done.quality.copy())


def test_unchanged_inputs_reuse_the_links_and_a_changed_file_relinks_only_its_pairings(
        lists_on_disk, predict_calls, tmp_path):
    raw, sources = lists_on_disk
    first = linkage.link_all(raw, sources, PAIRINGS)
    assert predict_calls == [("list_a", "list_b"), ("list_a", "list_c")] and first.reused == []
    assert set(first.quality["pairing"]) == {"a_b", "a_c"} and (first.links["pairing"] == "a_b").any()
    release = _stored(first, tmp_path / "r1")

    # Nothing changed: no pairing is linked again; the tables are the same, row for row.
    predict_calls.clear()
    second = linkage.link_all(raw, sources, PAIRINGS, linkage.previous_linkage(release))
    assert predict_calls == [] and second.reused == ["a_b", "a_c"]
    for before, after in zip(_tables(first), _tables(second)):
        pd.testing.assert_frame_equal(before, after)
    assert second.members == first.members  # the areas of sides without area_sql

    # list_c's file changes (another copy of its persons): a_c is linked again, a_b is not.
    _write(raw, "list_c", _people(8)["list_c"])
    predict_calls.clear()
    third = linkage.link_all(raw, sources, PAIRINGS, linkage.previous_linkage(release))
    assert predict_calls == [("list_a", "list_c")] and third.reused == ["a_b"]
    old_q, new_q = (q.set_index("pairing") for q in (first.quality, third.quality))
    assert old_q.loc["a_b", "inputs_sha256"] == new_q.loc["a_b", "inputs_sha256"]
    assert old_q.loc["a_c", "inputs_sha256"] != new_q.loc["a_c", "inputs_sha256"]
    pd.testing.assert_frame_equal(*(RecordLinks.validate(t.links[t.links["pairing"] == "a_b"]
                                                         .reset_index(drop=True)) for t in (first, third)))
    assert not first.links[first.links["pairing"] == "a_c"].reset_index(drop=True).equals(
        third.links[third.links["pairing"] == "a_c"].reset_index(drop=True))


def test_the_inputs_digest_follows_the_declaration_and_the_files(lists_on_disk):
    raw, _ = lists_on_disk
    a_b = PAIRINGS[0]
    found = [(SNAPSHOT, raw / name / SNAPSHOT / f"{name}.csv") for name in ("list_a", "list_b")]
    same = linkage.Pairing(**a_b.__dict__)
    narrower = linkage.Pairing(**{**a_b.__dict__, "blocking": ("found_date",)})
    assert linkage.inputs_digest(same, found) == linkage.inputs_digest(a_b, found)
    assert linkage.inputs_digest(narrower, found) != linkage.inputs_digest(a_b, found)
    assert linkage.inputs_digest(a_b, found[::-1]) != linkage.inputs_digest(a_b, found)
    before = linkage.inputs_digest(a_b, found)
    _write(raw, "list_b", _people(9)["list_b"])  # another file under the same name
    assert linkage.inputs_digest(a_b, found) != before


def test_a_release_without_linkage_quality_offers_nothing(tmp_path):
    (tmp_path / "tables").mkdir()
    pd.DataFrame(columns=linkage.LINK_COLUMNS).to_parquet(tmp_path / "tables" / "record_links.parquet")
    assert linkage.previous_linkage(tmp_path) is None
    assert linkage.previous_linkage(None) is None


def test_links_are_lent_only_between_runs_of_the_same_fingerprint():
    block = {"scheme": SCHEME, "fingerprint": "f1", "full": False}
    manifest = {"incremental": dict(block)}
    assert linkage_reusable(manifest, block)
    assert not linkage_reusable(manifest, {**block, "fingerprint": "f2"})  # code or libraries changed
    assert not linkage_reusable(manifest, {**block, "full": True})  # --full links everything again
    assert not linkage_reusable({}, block) and not linkage_reusable(manifest, None)
