"""SESNSP (Mexico), incidencia delictiva del fuero común, state level: investigation files
(carpetas) per state, subtype, modality and month, Latin-1, one column per month. Two
snapshots: `2026-03/estatal_n.csv` (new catalogue, 2026, January-March filled) and
`2024-11/estatal.csv` (old catalogue, 2015-2024; December 2024 empty).

The publisher's yearly figure is the sum of the month columns with a number (a blank month is a
month not yet published, not a zero); unit `cases`, year_basis `reported`
(pipelines/sources/mx_sesnsp.py). Expected, per snapshot and year: the grand total (every
subtype: SESNSP counts every crime reported in Mexico, and rows of a valid file are never
quarantined for being outside the letter's interest, DATA_MODEL.md invariant 6), and the cells
of the crime types whose subtypes are unambiguous in the data model's categories (this test's
own list below; each type's figure adds up all its subtypes' modalities and states).
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from tests.reference.published import (Published, assert_cells, assert_yearly, raw_folder,
                                       require_snapshot)

pytestmark = pytest.mark.real

SOURCE = "mx_sesnsp"
SNAPSHOTS = {"2026-03": "estatal_n.csv", "2024-11": "estatal.csv"}
MONTHS = ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto",
          "Septiembre", "Octubre", "Noviembre", "Diciembre"]
FIXED = {"unit": "cases", "subject": "incident", "year_basis": "reported"}
# Crime type -> (the publisher's column, its labels). SESNSP's own type "Extorsión" includes
# attempts (2026 catalogue: presencial / por otros medios, and their Tentativa); femicide and
# intentional homicide are the completed crimes (an attempt is not a killing); negligent
# homicide (culposo) is not an intentional crime; "Violación a la intimidad sexual" (image-based
# abuse) is not rape.
CRIME_TYPES = {
    "homicide": ("Subtipo de delito", {"Homicidio doloso"}),
    "femicide": ("Subtipo de delito", {"Feminicidio"}),
    "rape": ("Subtipo de delito", {"Violación simple", "Violación equiparada"}),
    "extortion": ("Tipo de delito", {"Extorsión"}),
    "trafficking_sexual_exploitation": ("Subtipo de delito",
                                        {"Trata de personas con fines de explotación sexual"}),
    "trafficking_forced_labour": ("Subtipo de delito",
                                  {"Trata de personas con fines de trabajo o servicios forzados"}),
}


@functools.cache
def monthly(path: str) -> pd.DataFrame:
    """One row per (row of the file, month with a number): year, type, subtype, value."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="latin-1")
    assert list(frame.columns[-12:]) == MONTHS, frame.columns
    long = frame.melt(id_vars=["Año", "Tipo de delito", "Subtipo de delito"], value_vars=MONTHS,
                      var_name="month",
                      value_name="text")
    long["text"] = long["text"].str.strip()
    long = long[long["text"] != ""]
    long["value"] = pd.to_numeric(long["text"].str.replace(",", "", regex=False), errors="raise")
    assert (long["value"] >= 0).all() and (long["value"] % 1 == 0).all()
    return long.rename(columns={"Año": "year"}).astype(
        {"year": int, "value": "int64"})


@pytest.fixture(params=sorted(SNAPSHOTS))
def snapshot(request, raw_root):
    name = request.param
    return name, monthly(str(raw_folder(raw_root, SOURCE, name) / SNAPSHOTS[name]))


def test_months_published_are_those_the_snapshot_covers(snapshot):
    """The reading of the raw file (it can fail): no month is blank inside the covered period."""
    name, long = snapshot
    last = long.groupby("year")["month"].agg(lambda m: max(MONTHS.index(x) for x in m))
    counts = long.groupby(["year", "month"]).size().unstack()
    assert counts.notna().sum(axis=1).to_dict() == {y: last[y] + 1 for y in last.index}
    if name == "2024-11":
        assert last[2024] == MONTHS.index("Noviembre") and (last.drop(2024) == 11).all()
    else:
        assert last.to_dict() == {2026: MONTHS.index("Marzo")}


def test_every_crime_reported_per_year(snapshot, published: Published):
    """Grand total per year = every month cell with a number, of every subtype."""
    name, long = snapshot
    require_snapshot(published, "crimes_stats", SOURCE, name)
    yearly = long.groupby("year", as_index=False)["value"].sum().rename(columns={"value": "exp_value"})
    assert_yearly(published.stats("crimes_stats", SOURCE), name, yearly,
                  f"SESNSP {name}: every crime reported", **FIXED)


def test_crime_types_per_year(snapshot, published: Published):
    """Each crime type of the list above per year = its rows' month cells with a number."""
    name, long = snapshot
    require_snapshot(published, "crimes_stats", SOURCE, name)
    expected = []
    for code, (column, labels) in CRIME_TYPES.items():
        rows = long[long[column].isin(labels)]
        if not rows.empty:
            yearly = rows.groupby("year", as_index=False)["value"].sum()
            expected.append(yearly.assign(crime_type=code))
    assert len(expected) >= 4
    expected = pd.concat(expected, ignore_index=True)
    expected = expected.assign(snapshot=name, year=expected["year"].astype("int32"), **FIXED,
                               exp_value=expected["value"], exp_min=expected["value"],
                               exp_max=expected["value"]).drop(columns="value")
    assert_cells(published.stats("crimes_stats", SOURCE), expected,
                 f"SESNSP {name}: crime types per year", show=["year", "crime_type"])
