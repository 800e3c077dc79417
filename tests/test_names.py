"""Name fingerprints: placeholders and short values are not names; spacing and case do not
hide a name; a leaked name is found in frames and in record tables stored as Parquet."""

from __future__ import annotations

import pandas as pd

from pipelines.sources.names import name_hashes
from pipelines.stats.checks import names_found
from pipelines.stored import StoredTable


def test_fingerprints_skip_placeholders_and_merge_spacing_and_case():
    raw = pd.DataFrame({"name": ["Jane Doe", "  jane   DOE ", "Unknown", "N/A", "Li", "",
                                 "Name not released"],
                        "other": ["Juan Pérez"] * 7})
    hashes = name_hashes(raw, ("name", "missing_column"))
    assert len(hashes) == 1 and len(hashes[0]) == 64
    assert len(name_hashes(raw, ("name", "other"))) == 2
    assert name_hashes(raw, ("missing_column",)) == []


def test_a_leaked_name_is_found_in_frames_and_stored_tables(tmp_path):
    raw = pd.DataFrame({"name": ["Jane Doe", "Juan Pérez"]})
    parts = tmp_path / "names.parquet"
    pd.DataFrame({"name_hash": pd.Series(name_hashes(raw, ("name",)), dtype="str")}).to_parquet(parts)
    records = pd.DataFrame({"record_id": ["a", "b"], "cause_native": ["drowning", "JUAN  PÉREZ"]})
    stored_path = tmp_path / "deaths.parquet"
    records.to_parquet(stored_path)
    tables = {"deaths": StoredTable(stored_path, 2, tuple(records.columns)),
              "coverage": pd.DataFrame({"note": ["jane doe", "fine"]}),
              "sources": pd.DataFrame({"title": ["Missing Migrants"]})}
    assert sorted(names_found(tables, [str(parts)])) == [("coverage", "note", 1),
                                                        ("deaths", "cause_native", 1)]
    assert names_found(tables, []) == []


def test_unicode_spaces_and_case_folding_do_not_hide_a_name(tmp_path):
    """As Python's split() and casefold(): no-break, em and tab spaces, ß and final sigma."""
    raw = pd.DataFrame({"name": ["Juan\xa0Pérez", "\tAna\u2003María ", "Straße", "ΟΔΥΣΣΕΑΣ"]})
    parts = tmp_path / "names.parquet"
    pd.DataFrame({"name_hash": pd.Series(name_hashes(raw, ("name",)), dtype="str")}).to_parquet(parts)
    published = pd.DataFrame({"cell": ["JUAN PÉREZ", "ana maría", "STRASSE", "οδυσσεας", "other"]})
    assert names_found({"coverage": published}, [str(parts)]) == [("coverage", "cell", 4)]
