"""SESNSP state incidence file: Latin-1 bytes, one column per month, a partial year, the subtypes
kept for the letter and the rest counted as out of scope; on hand-written excerpts, on the real
file (skipped when absent) and on the generated sample."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

from pipelines.harmonize.categories import crime_type_table
from pipelines.publish.case_stats import STREAMS, case_stats
from pipelines.publish.checks import case_margin_violations
from pipelines.samples.mx_sesnsp import write_samples
from pipelines.sources import mx_sesnsp as sesnsp
from pipelines.sources.base import RawFormatError
from schemas import codes
from schemas.raw.mx_sesnsp import HEADERS, MONTHS
from tests.helpers import curate, curate_real, curate_samples, write_snapshot

HEADER = ",".join(HEADERS["estatal_2015"])
SEXUAL = "La libertad y la seguridad sexual"


def _row(state: str, code: str, bien: str, tipo: str, subtipo: str, modalidad: str | None,
         months: list, year: int = 2026) -> str:
    cells = [str(year), code, state, bien, tipo, subtipo, modalidad or subtipo]
    cells += [str(m) for m in months] + [""] * (12 - len(months))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def _snapshot(tmp_path, lines: list[str], end: str = "2026-03-31", encoding: str = "latin-1",
              name: str = "2026-03"):
    data = ("\n".join([HEADER] + lines) + "\n").encode(encoding)
    return write_snapshot(tmp_path, sesnsp, name, "estatal_n.csv", data, ("2026-01-01", end),
                          kind="partial")


def _rows_reconcile(part) -> None:
    """Rows read = accepted + quarantined; accepted rows are the raw rows records come from."""
    assert part.rows_read == part.rows_accepted + part.rows_quarantined
    assert part.records["raw_row"].nunique() == part.rows_accepted


EXCERPT = [
    _row("Aguascalientes", "01", "La vida y la Integridad corporal", "Feminicidio", "Feminicidio",
         "Con arma blanca", [1, 0, 2]),
    _row("Aguascalientes", "01", "La vida y la Integridad corporal", "Feminicidio", "Feminicidio",
         "Con arma de fuego", [0, 1, 0]),
    _row("Chiapas", "07", SEXUAL, "Violación", "Violación simple", None, [12, 9, 15]),
    _row("Chiapas", "07", "La sociedad", "Trata de personas",
         "Trata de personas con fines de explotación sexual", None, [2, 0, 3]),
    _row("Chiapas", "07", "El patrimonio", "Robo", "Robo a negocio", "Con violencia", [40, 38, 51]),
    _row("Chiapas", "07", "La vida y la Integridad corporal", "Homicidio", "Homicidio doloso",
         "Con arma de fuego", [30, 22, 27]),
    _row("Tabasco", "27", "El patrimonio", "Extorsión", "Tentativa de extorsión por otros medios",
         None, [4, 5, 6]),
]


# --- hand-written excerpts ------------------------------------------------------------------

def test_latin1_wide_months_become_monthly_records(tmp_path):
    snap, path = _snapshot(tmp_path, EXCERPT)
    assert b"A\xf1o" in path.read_bytes()  # Latin-1, not UTF-8
    raw, part = curate(sesnsp, snap, path)
    rec = part.records.set_index("record_id")

    assert raw.format_version == "estatal_2015" and part.rows_read == 7
    _rows_reconcile(part)
    assert part.rows_accepted == 5 and part.rows_quarantined == 2
    assert len(rec) == 15  # five kept rows x three published months; zeros are values
    assert rec.loc["01|Feminicidio|Con arma blanca|2026-02", "value"] == 0
    assert rec.loc["07|Violación simple|Violación simple|2026-03", "value"] == 15
    assert (rec["year"] == 2026).all() and (rec["year_basis"] == "reported").all()
    assert (rec["unit"] == "cases").all() and (rec["subject"] == "incident").all()
    assert (rec["country_iso3"] == "MEX").all()
    assert set(rec["country_native"]) == {"Aguascalientes", "Chiapas", "Tabasco"}
    # The file says nothing about victims: every record is a margin over them.
    for dim in ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity",
                "perpetrator"):
        assert (rec[dim] == "all").all(), dim
    assert (rec["bias_motivation"] == "not_applicable").all()
    by_type = rec.groupby(["crime_type", "sgbv"])["value"].sum().to_dict()
    assert by_type == {("femicide", "yes"): 4, ("rape", "yes"): 36,
                       ("trafficking_sexual_exploitation", "yes"): 5, ("extortion", "no"): 15}
    # Modality kept beside the subtype; the raw row is the line of the wide table.
    assert rec.loc["01|Feminicidio|Con arma de fuego|2026-02", "crime_type_native"] == \
        "Feminicidio / Con arma de fuego"
    assert rec.loc["07|Violación simple|Violación simple|2026-01", "crime_type_native"] == \
        "Violación simple"
    assert rec.loc["27|Tentativa de extorsión por otros medios|Tentativa de extorsión por otros "
                   "medios|2026-01", "raw_row"] == 8
    assert sesnsp.period_end(raw) == date(2026, 3, 31)
    assert part.unmapped.empty


def test_out_of_scope_rows_are_counted_not_failed(tmp_path):
    snap, path = _snapshot(tmp_path, EXCERPT)
    _, part = curate(sesnsp, snap, path)
    q = part.quarantine.set_index("raw_row")
    assert sorted(q.index) == [6, 7]
    assert set(q["check"]) == {"out_of_scope"}
    assert q.loc[6, "value"] == "Robo a negocio" and q.loc[6, "column"] == "Subtipo de delito"
    assert q.loc[7, "reason"].startswith("not an error: 'Homicidio doloso' is outside the scope")


def test_utf8_copy_parses_the_same(tmp_path):
    latin = curate(sesnsp, *_snapshot(tmp_path / "a", EXCERPT))[1].records
    utf8 = curate(sesnsp, *_snapshot(tmp_path / "b", EXCERPT, encoding="utf-8"))[1].records
    columns = ["record_id", "value", "crime_type", "country_native", "raw_row"]
    pd.testing.assert_frame_equal(latin[columns], utf8[columns])


def test_bad_cells_gaps_and_unknown_subtypes_are_quarantined(tmp_path):
    lines = EXCERPT[:1] + [
        _row("Chiapas", "07", SEXUAL, "Abuso sexual", "Abuso sexual", None, [3, "", 4]),  # a gap
        _row("Chiapas", "07", SEXUAL, "Acoso sexual", "Acoso sexual", None, [3, "n.d.", 4]),
        _row("Chiapas", "07", SEXUAL, "Nuevo", "Delito nuevo", None, [1, 1, 1]),
        _row("Chiapas", "7", SEXUAL, "Hostigamiento sexual", "Hostigamiento sexual", None, [1, 1, 1]),
        _row("Chiapas", "07", SEXUAL, "Violación", "Violación simple", None, [1, 1, 1], year=""),
        EXCERPT[0],  # a repeated row
    ]
    snap, path = _snapshot(tmp_path, lines)
    _, part = curate(sesnsp, snap, path)
    q = part.quarantine.set_index("raw_row")
    _rows_reconcile(part)
    assert part.rows_accepted == 1 and part.rows_quarantined == 6
    assert q.loc[3, "check"] == "month_value_present" and q.loc[3, "column"] == "Febrero"
    assert "2026-03" in q.loc[3, "reason"]
    assert q.loc[4, "check"] == "whole_number" and q.loc[4, "value"] == "n.d."
    assert q.loc[5, "check"] == "crime_type_mapped"
    assert part.unmapped[["mapping", "value"]].values.tolist() == [
        ["crime_types_mx_sesnsp", "Delito nuevo"]]
    assert q.loc[6, "check"] == "state_code"
    assert q.loc[7, "check"] == "year_present"
    assert q.loc[8, "check"] == "record_id_unique"


def test_months_after_the_snapshot_period_are_flagged(tmp_path):
    snap, path = _snapshot(tmp_path, EXCERPT[:1], end="2026-02-28")
    _, part = curate(sesnsp, snap, path)
    flags = part.records.set_index("record_id")["flags"]
    assert flags["01|Feminicidio|Con arma blanca|2026-03"] == "future_date"
    assert flags["01|Feminicidio|Con arma blanca|2026-02"] == ""


def test_unknown_header_fails_loudly(tmp_path):
    data = HEADER.replace("Modalidad", "Modalidad del delito") + "\n"
    _, path = write_snapshot(tmp_path, sesnsp, "2026-03", "estatal_n.csv", data.encode("latin-1"),
                             ("2026-01-01", "2026-03-31"))
    with pytest.raises(RawFormatError, match="closest is 'estatal_2015'"):
        sesnsp.read_raw(path)


def test_crime_map_codes_are_canonical():
    table = crime_type_table("crime_types_mx_sesnsp")
    kept = {v for v in table.values() if v[0] != sesnsp.OUT_OF_SCOPE}
    assert {c for c, _ in kept} <= set(codes.CRIME_TYPE)
    assert {s for _, s in table.values()} <= set(codes.SGBV)
    # Every sexual or gender-based subtype is flagged as such.
    for label in ("feminicidio", "violación simple", "abuso sexual", "acoso sexual",
                  "violencia familiar", "trata de personas con fines de explotación sexual"):
        assert table[label][1] == "yes", label


# --- generated sample -----------------------------------------------------------------------

def _stats(part, snap) -> tuple[pd.DataFrame, pd.DataFrame]:
    info = pd.DataFrame({"source": [snap.source], "snapshot": [snap.name], "is_latest": [True],
                         "period_end": [pd.Timestamp(snap.period_end)]})
    return case_stats(part.records, "crimes", {sesnsp.SOURCE.id: False}, info)


def _grand(stats: pd.DataFrame) -> pd.DataFrame:
    dims = list(STREAMS["crimes"]["dims"])
    return stats[(stats[dims] == "all").all(axis=1)].set_index("year")


def test_sample_parses_partial_year_and_margins_hold(tmp_path):
    ((snap, path, raw, part),) = curate_samples(tmp_path, sesnsp, write_samples)
    assert snap.is_sample and snap.product == sesnsp.SOURCE.product
    assert path.read_bytes().startswith("Año".encode("latin-1"))
    _rows_reconcile(part)
    assert set(part.quarantine["check"]) == {"out_of_scope"}
    assert part.unmapped.empty
    assert sesnsp.period_end(raw) == date.fromisoformat(snap.period_end)
    stats, problems = _stats(part, snap)
    assert case_margin_violations(stats, STREAMS["crimes"]["fixed"], STREAMS["crimes"]["dims"],
                                  problems).empty
    grand = _grand(stats)
    assert grand["partial_year"].to_dict() == {2024: False, 2025: True}
    assert grand["value"].to_dict() == part.records.groupby("year")["value"].sum().to_dict()
    # Not-recorded dimensions are said in numbers, once per grand total.
    for dim, code in (("sex", "not_recorded"), ("nationality", "NOT_RECORDED"),
                      ("race_ethnicity", "not_recorded")):
        cell = stats[(stats[dim] == code) & (stats["year"] == 2025)]
        assert cell["value"].tolist() == [grand.loc[2025, "value"]], dim


# --- the real file --------------------------------------------------------------------------

def _independent_sums(path) -> dict[str, int]:
    """Subtype -> sum of every month cell, read with the csv module from the Latin-1 bytes."""
    reader = csv.DictReader(io.StringIO(path.read_bytes().decode("latin-1")))
    sums: dict[str, int] = {}
    for row in reader:
        total = sum(int(row[m]) for m in MONTHS if row[m].strip())
        sums[row["Subtipo de delito"]] = sums.get(row["Subtipo de delito"], 0) + total
    return sums


@pytest.mark.real
def test_real_file_parses_and_reconciles(real_dir):
    snap, raw, part = curate_real(real_dir, sesnsp, "2026-03")
    assert raw.format_version == "estatal_2015" and part.rows_read == 3648
    _rows_reconcile(part)
    assert set(part.quarantine["check"]) == {"out_of_scope"}
    assert part.unmapped.empty, part.unmapped
    kept = part.records["crime_type_native"].str.split(" / ").str[0].nunique()
    assert kept == 27 and part.rows_accepted == 30 * 32  # Feminicidio has four modality rows
    assert len(part.records) == part.rows_accepted * 3  # January to March
    assert part.records["record_id"].is_unique


@pytest.mark.real
def test_real_monthly_sums_equal_the_raw_rows(real_dir):
    snap, raw, part = curate_real(real_dir, sesnsp, "2026-03")
    expected = _independent_sums(raw.path)
    native = part.records["crime_type_native"].str.split(" / ").str[0]
    got = part.records.groupby(native)["value"].sum()
    for subtype in ("Feminicidio", "Violación simple", "Trata de personas con otros fines",
                    "Trata de personas con fines de explotación sexual", "Secuestro extorsivo",
                    "Discriminación", "Violencia familiar", "Tráfico de menores"):
        assert got[subtype] == expected[subtype], subtype
    assert got["Trata de personas con fines de explotación sexual"] == 40
    assert got["Feminicidio"] == 144
    # Out-of-scope totals are read and counted, never published.
    assert "Homicidio doloso" not in got.index and expected["Homicidio doloso"] > 0


@pytest.mark.real
def test_real_partial_year_ends_in_march(real_dir):
    snap, raw, part = curate_real(real_dir, sesnsp, "2026-03")
    assert sesnsp.period_end(raw) == date(2026, 3, 31) == date.fromisoformat(snap.period_end)
    assert (raw.frame[MONTHS[3:]] == "").all().all()
    stats, problems = _stats(part, snap)
    assert case_margin_violations(stats, STREAMS["crimes"]["fixed"], STREAMS["crimes"]["dims"],
                                  problems).empty
    grand = _grand(stats)
    assert grand["partial_year"].tolist() == [True]
    assert grand["value"].tolist() == [int(part.records["value"].sum())]
    assert not part.records["flags"].str.contains("future_date").any()
