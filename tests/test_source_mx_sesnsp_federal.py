"""SESNSP federal incidence file: Latin-1 bytes, CRLF, upper-case names without accents, a 33rd
entity EXTRANJERO without an INEGI code, the 2019 catalogue change, a partial last year, every
law kept through a reviewed crosswalk; on hand-written excerpts, on the real file (skipped when
absent) and on the generated sample."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

from pipelines.harmonize.categories import MAPS, crime_type_table
from pipelines.harmonize.labels import normalise_label
from pipelines.samples.mx_sesnsp_federal import write_samples
from pipelines.sources import mx_sesnsp_federal as federal
from pipelines.sources.base import RawFormatError
from pipelines.stats.cases import STREAMS, case_stats
from pipelines.stats.checks import case_margin_violations
from schemas import codes
from schemas.raw.mx_sesnsp_federal import HEADERS, MONTHS
from tests.helpers import curate, curate_real, curate_samples, write_snapshot

HEADER = ",".join(HEADERS["federal_2012"])
CPF, OTHER_LAWS = "CODIGO PENAL FEDERAL", "OTRAS LEYES Y CODIGOS"
MIGRATION = (OTHER_LAWS, OTHER_LAWS, "LEY DE MIGRACION")
DRUGS = (CPF, "CONTRA LA SALUD", "POSESION")
FORGERY = (CPF, "OTROS DELITOS", "FALSEDAD, TITULO DECIMO TERCERO")
FUEL = (OTHER_LAWS, OTHER_LAWS, "LEY FEDERAL PARA PREVENIR Y SANCIONAR LOS DELITOS COMETIDOS EN "
        "MATERIA DE HIDROCARBUROS (L.F.P.S.D.C.M.H.)")
DIMS = STREAMS["crimes"]["dims"]


def _row(code: str, entity: str, law: tuple[str, str, str], months: list, year: int = 2025) -> str:
    cells = [str(year), code, entity, *law] + [str(m) for m in months] + [""] * (12 - len(months))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def _snapshot(tmp_path, lines: list[str], period=("2024-01-01", "2025-07-31"),
              encoding: str = "latin-1"):
    data = ("\r\n".join([HEADER] + lines) + "\r\n").encode(encoding)
    return write_snapshot(tmp_path, federal, "2025-07", "IDEFF_jul25.csv", data, period)


def _rows_reconcile(part) -> None:
    assert part.rows_read == part.rows_accepted + part.rows_quarantined
    assert part.records["raw_row"].nunique() == part.rows_accepted


def _stats(part, snap) -> tuple[pd.DataFrame, pd.DataFrame]:
    info = pd.DataFrame({"source": [snap.source], "snapshot": [snap.name], "is_latest": [True],
                         "period_end": [pd.Timestamp(snap.period_end)]})
    return case_stats(part.records, "crimes", {federal.SOURCE.id: False}, info)


def _cell(stats: pd.DataFrame, year: int, **dims) -> pd.DataFrame:
    rows = stats[stats["year"] == year]
    for dim in DIMS:
        rows = rows[rows[dim] == dims.get(dim, "all")]
    return rows


def _value(stats: pd.DataFrame, year: int, **dims) -> int | None:
    rows = _cell(stats, year, **dims)
    assert len(rows) <= 1, rows
    return None if rows.empty else int(rows["value"].iloc[0])


EXCERPT = [
    _row("7", "CHIAPAS", MIGRATION, [12] * 12, year=2024),
    _row("7", "CHIAPAS", DRUGS, [30] * 12, year=2024),
    _row("19", "NUEVO LEON", MIGRATION, [3] * 12, year=2024),
    _row("", "EXTRANJERO", FORGERY, [1] * 12, year=2024),
    _row("7", "CHIAPAS", MIGRATION, [10, 9, 8, 7, 6, 5, 4]),  # 2025: August-December blank
    _row("7", "CHIAPAS", DRUGS, [20] * 7),
    _row("", "EXTRANJERO", MIGRATION, [0, 1, 0, 0, 0, 0, 1]),
]


# --- hand-written excerpts ------------------------------------------------------------------

def test_laws_by_entity_become_monthly_records(tmp_path):
    snap, path = _snapshot(tmp_path, EXCERPT)
    assert b"A\xd1O" in path.read_bytes()  # Latin-1 `AÑO`, not UTF-8
    raw, part = curate(federal, snap, path)
    rec = part.records.set_index("record_id")

    assert raw.format_version == "federal_2012" and part.rows_read == 7
    _rows_reconcile(part)
    assert part.rows_quarantined == 0 and part.unmapped.empty
    assert len(rec) == 4 * 12 + 3 * 7  # blank months after July 2025 are no records
    assert federal.MONTHLY.period_end(raw) == date(2025, 7, 31)
    assert (rec["unit"] == "cases").all() and (rec["subject"] == "incident").all()
    assert (rec["population"] == "general").all() and (rec["year_basis"] == "reported").all()
    for dim in federal.MARGIN_DIMS:
        assert (rec[dim] == "all").all(), dim
    # The entity abroad: no INEGI code, country of the crime unknown, its name kept.
    abroad = rec[rec["country_native"] == "EXTRANJERO"]
    assert set(abroad["country_iso3"]) == {"UNKNOWN"} and len(abroad) == 12 + 7
    assert set(rec.loc[rec["country_native"] != "EXTRANJERO", "country_iso3"]) == {"MEX"}
    assert set(rec["country_native"]) == {"CHIAPAS", "NUEVO LEON", "EXTRANJERO"}
    one = rec.loc["07|OTRAS LEYES Y CODIGOS / OTRAS LEYES Y CODIGOS / LEY DE MIGRACION|2025-03"]
    assert (one["crime_type"], one["sgbv"], one["value"], one["raw_row"]) == (
        "smuggling_unspecified", "no", 8, 6)
    assert rec.loc["EXTRANJERO|CODIGO PENAL FEDERAL / OTROS DELITOS / FALSEDAD, TITULO DECIMO "
                   "TERCERO|2024-01", "crime_type"] == "other"
    by_type = rec.groupby("crime_type")["value"].sum().to_dict()
    assert by_type == {"smuggling_unspecified": 12 * 12 + 3 * 12 + 49 + 2,
                       "other": 30 * 12 + 12 + 20 * 7}


def test_statistics_count_abroad_in_the_total_not_in_mexico(tmp_path):
    """SESNSP's national total includes the files on crimes abroad: the grand total does, the
    MEX cell (the 32 states) does not; 2025 is a partial year."""
    snap, path = _snapshot(tmp_path, EXCERPT)
    _, part = curate(federal, snap, path)
    stats, problems = _stats(part, snap)
    assert case_margin_violations(stats, STREAMS["crimes"]["fixed"], DIMS, problems).empty
    assert _value(stats, 2024) == 12 * 12 + 30 * 12 + 3 * 12 + 12
    assert _value(stats, 2024, country_iso3="MEX") == 12 * 12 + 30 * 12 + 3 * 12
    assert _value(stats, 2024, country_iso3="UNKNOWN") == 12
    assert _value(stats, 2025) == 49 + 140 + 2
    assert _value(stats, 2025, crime_type="smuggling_unspecified", sgbv="no") == 49 + 2
    assert _value(stats, 2025, crime_type="smuggling_unspecified", sgbv="no",
                  country_iso3="MEX") == 49
    assert _cell(stats, 2025)["partial_year"].tolist() == [True]
    assert _cell(stats, 2024)["partial_year"].tolist() == [False]
    assert _value(stats, 2025, sex="not_recorded") == _value(stats, 2025)


def test_the_2019_types_have_no_cells_before_2019(tmp_path):
    """Each year lies in one catalogue: the hydrocarbons type exists from 2019 only, so 2018
    has no cell of it at all (absent, not zero) and every year's total is its own rows'."""
    lines = [_row("11", "GUANAJUATO", DRUGS, [5] * 12, year=2018),
             _row("11", "GUANAJUATO", DRUGS, [4] * 12, year=2019),
             _row("11", "GUANAJUATO", FUEL, [9] * 12, year=2019)]
    snap, path = _snapshot(tmp_path, lines, period=("2018-01-01", "2019-12-31"))
    _, part = curate(federal, snap, path)
    assert part.quarantine.empty
    rec = part.records
    fuel = rec["crime_type_native"].str.contains("HIDROCARBUROS")
    assert set(rec.loc[fuel, "year"]) == {2019}
    stats, _ = _stats(part, snap)
    assert (_value(stats, 2018), _value(stats, 2019)) == (60, 48 + 108)
    assert _value(stats, 2018, crime_type="other", sgbv="no") == 60


def test_bad_rows_go_to_quarantine_unknown_laws_are_kept(tmp_path):
    lines = EXCERPT[:1] + [
        _row("", "CHIAPAS", DRUGS, [1] * 12, year=2024),  # a state without its code
        _row("5", "EXTRANJERO", DRUGS, [1] * 12, year=2024),  # abroad with a state's code
        _row("40", "CHIAPAS", FORGERY, [1] * 12, year=2024),
        _row("7", "CHIAPAS", FORGERY, [1, 1, "n.d."] + [1] * 9, year=2024),
        _row("7", "CHIAPAS", DRUGS, [1, 1, 1, ""] + [1] * 8, year=2024),  # a gap
        EXCERPT[0],  # a repeated row
        _row("7", "CHIAPAS", (OTHER_LAWS, OTHER_LAWS, "LEY NUEVA"), [2] * 12, year=2024),
    ]
    snap, path = _snapshot(tmp_path, lines, period=("2024-01-01", "2024-12-31"))
    _, part = curate(federal, snap, path)
    _rows_reconcile(part)
    q = part.quarantine.set_index("raw_row")
    assert part.rows_accepted == 2 and part.rows_quarantined == 6
    for row in (3, 4, 5):
        assert q.loc[row, "check"] == "state_code" and "EXTRANJERO" in q.loc[row, "reason"]
    assert q.loc[6, "check"] == "whole_number" and q.loc[6, "value"] == "n.d."
    assert q.loc[7, "check"] == "month_value_present" and q.loc[7, "column"] == "ABRIL"
    assert q.loc[8, "check"] == "record_id_unique"
    new = part.records[part.records["raw_row"] == 9]
    assert set(new["crime_type"]) == {"unknown"} and new["value"].sum() == 24
    assert part.unmapped[["mapping", "value"]].values.tolist() == [
        ["crime_types_mx_sesnsp_federal", "OTRAS LEYES Y CODIGOS / OTRAS LEYES Y CODIGOS / LEY NUEVA"]]


def test_unknown_header_fails_loudly(tmp_path):
    data = HEADER.replace("INEGI", "CVE_ENT") + "\r\n"
    _, path = write_snapshot(tmp_path, federal, "2025-07", "IDEFF_jul25.csv",
                             data.encode("latin-1"), ("2012-01-01", "2025-07-31"))
    with pytest.raises(RawFormatError, match="closest is 'federal_2012'"):
        federal.SOURCE.read_raw(path)


def _crosswalk() -> pd.DataFrame:
    with (MAPS / "crime_types_mx_sesnsp_federal.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["label"].startswith("#")]
    return pd.DataFrame(rows)


def test_crosswalk_is_canonical_and_reviewable():
    walk = _crosswalk()
    assert walk["label"].map(normalise_label).is_unique
    assert set(walk["crime_type"]) <= set(codes.CRIME_TYPE) - {"unknown"}
    assert set(walk["sgbv"]) <= set(codes.SGBV)
    assert set(walk["catalogue"]) == {"every_year", "from_2019"}
    assert (walk["label"].str.count(" / ") == 2).all()  # LEY / CONCEPTO / TIPO
    table = crime_type_table(federal.CRIME_MAP)
    # Migration-law offences are migrant smuggling of unstated aggravation; the rest is `other`.
    assert table[normalise_label(" / ".join(MIGRATION))] == ("smuggling_unspecified", "no")
    assert set(walk.loc[~walk["label"].str.endswith("LEY DE MIGRACION"), "crime_type"]) == {"other"}


# --- generated sample -----------------------------------------------------------------------

def test_sample_parses_with_abroad_and_the_catalogue_change(tmp_path):
    (found,) = curate_samples(tmp_path, federal, write_samples)
    snap, path, raw, part = found
    assert snap.is_sample and b"\r\n" in path.read_bytes()
    _rows_reconcile(part)
    assert part.quarantine.empty and part.unmapped.empty
    assert federal.MONTHLY.period_end(raw) == date(2020, 7, 31)
    rec = part.records
    assert set(rec["country_iso3"]) == {"MEX", "UNKNOWN"}
    new_types = rec["crime_type_native"].str.contains("HIDROCARBUROS|DELITOS ELECTORALES \\(")
    assert set(rec.loc[new_types, "year"]) == {2019, 2020}
    assert "smuggling_unspecified" in set(rec["crime_type"])
    stats, problems = _stats(part, snap)
    assert case_margin_violations(stats, STREAMS["crimes"]["fixed"], DIMS, problems).empty
    assert _cell(stats, 2020)["partial_year"].tolist() == [True]
    for year in (2018, 2019, 2020):
        assert _value(stats, year) == int(rec.loc[rec["year"] == year, "value"].sum())


# --- the real file --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(real_dir):
    """The real July 2025 cut, read and curated once for this module's tests."""
    return curate_real(real_dir, federal, "2025-07")


def _plain_sums(path) -> pd.Series:
    """Year x TIPO sums of the month cells, read with plain pandas from the Latin-1 bytes
    (blank months are not published: not zeros)."""
    df = pd.read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)
    months = df[MONTHS].apply(pd.to_numeric, errors="coerce")
    return months.sum(axis=1, min_count=1).groupby(
        [df["AÑO"].astype(int), df["TIPO"]]).sum().astype("int64")


@pytest.mark.real
def test_real_file_parses_and_reconciles(real):
    snap, raw, part = real
    assert raw.format_version == "federal_2012" and snap.kind == "full"
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined) == (13_398, 13_398, 0)
    _rows_reconcile(part)
    assert part.unmapped.empty, part.unmapped
    assert federal.MONTHLY.period_end(raw) == date(2025, 7, 31) == date.fromisoformat(snap.period_end)
    assert (raw.frame.loc[raw.frame["AÑO"] == "2025", MONTHS[7:]] == "").all().all()
    rec = part.records
    assert len(rec) == 13_398 * 12 - 990 * 5 and rec["record_id"].is_unique
    tipo = rec["crime_type_native"].str.split(" / ").str[2]
    got = rec.groupby([rec["year"].astype(int), tipo])["value"].sum().astype("int64")
    assert got.to_dict() == _plain_sums(raw.path).to_dict()
    migration = rec[rec["crime_type"] == "smuggling_unspecified"].groupby("year")["value"].sum()
    assert (migration[2021], migration[2022]) == (1_681, 1_648)  # PROVENANCE.md
    assert set(tipo[rec["crime_type"] == "smuggling_unspecified"]) == {"LEY DE MIGRACION"}


@pytest.mark.real
def test_real_abroad_and_catalogues(real):
    snap, raw, part = real
    frame = raw.frame
    abroad = frame["ENTIDAD"] == "EXTRANJERO"
    assert (frame.loc[abroad, "INEGI"] == "").all() and abroad.sum() == 14 * 30 - 7 * 2
    rec = part.records
    assert set(rec.loc[rec["country_native"] == "EXTRANJERO", "country_iso3"]) == {"UNKNOWN"}
    assert rec.loc[rec["country_iso3"] == "MEX", "country_native"].nunique() == 32
    # Each year is one catalogue: 28 types to 2018, 30 from 2019 (the two `from_2019` labels).
    walk = _crosswalk().assign(key=lambda w: w["label"].map(normalise_label))
    labels = (frame["LEY"] + " / " + frame["CONCEPTO"] + " / " + frame["TIPO"]).map(normalise_label)
    per_year = labels.groupby(frame["AÑO"].astype(int)).agg(set)
    every = set(walk.loc[walk["catalogue"] == "every_year", "key"])
    since_2019 = set(walk.loc[walk["catalogue"] == "from_2019", "key"])
    assert (len(every), len(since_2019)) == (28, 2)
    assert {y: s for y, s in per_year.items() if s != (every | since_2019 if y >= 2019 else every)} == {}


@pytest.mark.real
def test_real_statistics(real):
    snap, raw, part = real
    stats, problems = _stats(part, snap)
    assert case_margin_violations(stats, STREAMS["crimes"]["fixed"], DIMS, problems).empty
    by_year = part.records.groupby("year")["value"].sum()
    assert {y: _value(stats, y) for y in range(2012, 2026)} == by_year.to_dict()
    assert (_value(stats, 2012), _value(stats, 2024), _value(stats, 2025)) == (125_328, 78_645, 48_891)
    assert (_value(stats, 2025, country_iso3="MEX"), _value(stats, 2025, country_iso3="UNKNOWN")) == (
        48_838, 53)
    assert _value(stats, 2025, crime_type="smuggling_unspecified", sgbv="no") == 177
    partial = stats.drop_duplicates("year").set_index("year")["partial_year"]
    assert partial.to_dict() == {y: y == 2025 for y in range(2012, 2026)}
