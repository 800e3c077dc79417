"""SESNSP (Mexico), incidencia delictiva del fuero federal, state level: investigation files per
entity (32 states and EXTRANJERO, abroad), law, concept, type and month, Latin-1, one column per
month (`2025-07/IDEFF_jul25.csv`, 2012 to July 2025).

The publisher's yearly figure is the sum of the month columns with a number (August-December
2025 are blank: not yet published, not zeros; 2025 is a partial year); unit `cases`, subject
`incident`, year_basis `reported` (pipelines/sources/mx_sesnsp_federal.py). Expected, per year:
every file of every entity and type (the national total includes the files on crimes abroad);
the files of the migration law (TIPO `LEY DE MIGRACION`, crime type `smuggling_unspecified`)
and of every other law (crime type `other`); and the files by where the crime happened: the 32
states (`MEX`) and EXTRANJERO (abroad, country not stated: `UNKNOWN`).
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from tests.reference.published import (Published, assert_yearly, margin_rows, raw_folder,
                                       require_snapshot)

pytestmark = pytest.mark.real

SOURCE = "mx_sesnsp_federal"
SNAPSHOT, FILE = "2025-07", "IDEFF_jul25.csv"
MONTHS = ["ENERO", "FEBRERO", "MARZO", "ABRIL", "MAYO", "JUNIO", "JULIO", "AGOSTO",
          "SEPTIEMBRE", "OCTUBRE", "NOVIEMBRE", "DICIEMBRE"]
FIXED = {"unit": "cases", "subject": "incident", "year_basis": "reported"}
MIGRATION_LAW = "LEY DE MIGRACION"


@functools.cache
def monthly(path: str) -> pd.DataFrame:
    """One row per (row of the file, month with a number): year, entity, type, month, value."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="latin-1")
    assert list(frame.columns[-12:]) == MONTHS, frame.columns
    long = frame.melt(id_vars=["AÑO", "INEGI", "ENTIDAD", "TIPO"], value_vars=MONTHS,
                      var_name="month", value_name="text")
    long["text"] = long["text"].str.strip()
    long = long[long["text"] != ""]
    long["value"] = pd.to_numeric(long["text"], errors="raise")
    assert (long["value"] >= 0).all() and (long["value"] % 1 == 0).all()
    long["country_iso3"] = long["ENTIDAD"].map(lambda e: "UNKNOWN" if e == "EXTRANJERO" else "MEX")
    long["crime_type"] = long["TIPO"].map(lambda t: "smuggling_unspecified" if t == MIGRATION_LAW
                                          else "other")
    return long.rename(columns={"AÑO": "year"}).astype({"year": int, "value": "int64"})


@pytest.fixture
def files(raw_root, published: Published) -> pd.DataFrame:
    require_snapshot(published, "crimes_stats", SOURCE, SNAPSHOT)
    return monthly(str(raw_folder(raw_root, SOURCE, SNAPSHOT) / FILE))


def _yearly(long: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return long.groupby(by, as_index=False)["value"].sum().rename(columns={"value": "exp_value"})


def test_months_published_are_those_the_snapshot_covers(files):
    """The reading of the raw file (it can fail): 2012-2024 complete, 2025 to July; the entity
    abroad has no INEGI code."""
    last = files.groupby("year")["month"].agg(lambda m: max(MONTHS.index(x) for x in m))
    assert last.to_dict() == {**{y: 11 for y in range(2012, 2025)}, 2025: MONTHS.index("JULIO")}
    assert set(files.loc[files["ENTIDAD"] == "EXTRANJERO", "INEGI"]) == {""}
    assert files.loc[files["ENTIDAD"] != "EXTRANJERO", "ENTIDAD"].nunique() == 32


def test_every_file_per_year(files, published):
    stats = published.stats("crimes_stats", SOURCE)
    assert_yearly(stats, SNAPSHOT, _yearly(files, ["year"]), "SESNSP federal: every file", **FIXED)
    grand = margin_rows(stats, SNAPSHOT, **FIXED).set_index("year")["partial_year"]
    assert grand.to_dict() == {y: y == 2025 for y in range(2012, 2026)}


def test_files_per_year_and_law(files, published):
    """The migration law per year, and everything else, as their crime types."""
    assert_yearly(published.stats("crimes_stats", SOURCE), SNAPSHOT,
                  _yearly(files, ["year", "crime_type"]), "SESNSP federal per year and law",
                  by=("year", "crime_type"), **FIXED)
    migration = _yearly(files[files["TIPO"] == MIGRATION_LAW], ["year"]).set_index("year")
    assert (migration.loc[2021, "exp_value"], migration.loc[2022, "exp_value"]) == (1_681, 1_648)


def test_files_per_year_and_where_the_crime_happened(files, published):
    """The 32 states are Mexico; EXTRANJERO (abroad, country not stated) is UNKNOWN."""
    assert_yearly(published.stats("crimes_stats", SOURCE), SNAPSHOT,
                  _yearly(files, ["year", "country_iso3"]), "SESNSP federal per year and country",
                  by=("year", "country_iso3"), **FIXED)
