"""SESNSP (Mexico), víctimas del fuero común, state level: victims per state, subtype, modality,
sex and age group and month, Latin-1, one column per month (`2024-12/IDVFC_NM_dic24.csv`,
2015-2024).

The publisher's yearly figure is the sum of the month columns with a number (a blank month is a
month not yet published, not a zero); unit `persons`, subject `victim`, year_basis `reported`
(pipelines/sources/mx_sesnsp_victimas.py). Expected, per year: every victim (every subtype:
rows of a valid file are never quarantined, DATA_MODEL.md invariant 6); victims by sex, by age
group, and by sex and age group, with the file's labels read as this test's own table below;
and femicide and trafficking in persons, whose subtypes are unambiguous.

The file has two unknown age codes: `No identificado` (a victim not identified: its sex is `No
identificado` too) and `No especificado` (the unstated age of a victim of known sex). Both are
age group `unknown`; the sex x age cells keep them apart (age unknown with sex unknown is the
first, with sex female or male the second), which the crossing below checks cell by cell.
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from tests.reference.published import (Published, assert_yearly, margin_rows, raw_folder,
                                       require_snapshot)

pytestmark = pytest.mark.real

SOURCE = "mx_sesnsp_victimas"
SNAPSHOT, FILE = "2024-12", "IDVFC_NM_dic24.csv"
MONTHS = ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto",
          "Septiembre", "Octubre", "Noviembre", "Diciembre"]
FIXED = {"unit": "persons", "subject": "victim", "year_basis": "reported"}
SEX = {"Hombre": "male", "Mujer": "female", "No identificado": "unknown"}
AGE = {"Menores de edad (0-17)": "child", "Adultos (18 y más)": "adult",
       "No especificado": "unknown", "No identificado": "unknown"}
# Crime type -> the publisher's subtypes (the 2015-2024 catalogue: one Trata de personas subtype
# for every form of exploitation).
CRIME_TYPES = {"femicide": {"Feminicidio"}, "trafficking_unspecified": {"Trata de personas"}}


@functools.cache
def monthly(path: str) -> pd.DataFrame:
    """One row per (row of the file, month with a number): year, subtype, sex, age, value."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="latin-1")
    assert list(frame.columns[-12:]) == MONTHS, frame.columns
    long = frame.melt(id_vars=["Año", "Subtipo de delito", "Sexo", "Rango de edad"],
                      value_vars=MONTHS, var_name="month", value_name="text")
    long["text"] = long["text"].str.strip()
    long = long[long["text"] != ""]
    long["value"] = pd.to_numeric(long["text"], errors="raise")
    assert (long["value"] >= 0).all() and (long["value"] % 1 == 0).all()
    assert set(long["Sexo"]) == set(SEX) and set(long["Rango de edad"]) == set(AGE)
    long["sex"] = long["Sexo"].map(SEX)
    long["age_group"] = long["Rango de edad"].map(AGE)
    return long.rename(columns={"Año": "year"}).astype({"year": int, "value": "int64"})


@pytest.fixture
def victims(raw_root, published: Published) -> pd.DataFrame:
    require_snapshot(published, "crimes_stats", SOURCE, SNAPSHOT)
    return monthly(str(raw_folder(raw_root, SOURCE, SNAPSHOT) / FILE))


def _yearly(long: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return long.groupby(by, as_index=False)["value"].sum().rename(columns={"value": "exp_value"})


def test_every_month_of_every_year_is_published(victims):
    """The reading of the raw file (it can fail): twelve months a year, 2015-2024."""
    months = victims.groupby("year")["month"].nunique()
    assert months.to_dict() == {y: 12 for y in range(2015, 2025)}


def test_every_victim_per_year(victims, published):
    stats = published.stats("crimes_stats", SOURCE)
    assert_yearly(stats, SNAPSHOT, _yearly(victims, ["year"]), "SESNSP victims: every victim",
                  **FIXED)
    grand = margin_rows(stats, SNAPSHOT, **FIXED)
    assert not grand["partial_year"].any()


def test_victims_per_year_and_sex(victims, published):
    assert_yearly(published.stats("crimes_stats", SOURCE), SNAPSHOT,
                  _yearly(victims, ["year", "sex"]), "SESNSP victims per year and sex",
                  by=("year", "sex"), **FIXED)


def test_victims_per_year_and_age_group(victims, published):
    """Age unknown adds both codes: No especificado and No identificado."""
    assert_yearly(published.stats("crimes_stats", SOURCE), SNAPSHOT,
                  _yearly(victims, ["year", "age_group"]), "SESNSP victims per year and age group",
                  by=("year", "age_group"), **FIXED)


def test_victims_per_year_sex_and_age_group(victims, published):
    """The crossing keeps the two unknown codes apart: (unknown, unknown) is exactly the No
    identificado rows, (female or male, unknown) exactly the No especificado ones; no cell of
    unknown sex with a known age is published, as the file has none."""
    expected = _yearly(victims, ["year", "sex", "age_group"])
    unidentified = _yearly(victims[victims["Rango de edad"] == "No identificado"], ["year"])
    both_unknown = expected[(expected["sex"] == "unknown") & (expected["age_group"] == "unknown")]
    assert both_unknown[["year", "exp_value"]].reset_index(drop=True).equals(unidentified)
    assert not ((expected["sex"] == "unknown") & (expected["age_group"] != "unknown")).any()
    assert_yearly(published.stats("crimes_stats", SOURCE), SNAPSHOT, expected,
                  "SESNSP victims per year, sex and age group", by=("year", "sex", "age_group"),
                  **FIXED)


def test_femicide_and_trafficking_per_year_and_sex(victims, published):
    """Femicide is published for women only (the file has no other rows): no grid is assumed."""
    stats = published.stats("crimes_stats", SOURCE)
    for code, subtypes in CRIME_TYPES.items():
        rows = victims[victims["Subtipo de delito"].isin(subtypes)]
        assert len(rows)
        assert_yearly(stats, SNAPSHOT, _yearly(rows, ["year"]), f"SESNSP victims: {code}",
                      crime_type=code, **FIXED)
        assert_yearly(stats, SNAPSHOT, _yearly(rows, ["year", "sex"]), f"SESNSP victims: {code} by sex",
                      by=("year", "sex"), crime_type=code, **FIXED)
    femicide = victims[victims["Subtipo de delito"] == "Feminicidio"]
    assert set(femicide["sex"]) == {"female"}
