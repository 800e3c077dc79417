"""SESNSP state incidence file: Latin-1 bytes, one column per month, a partial year, both crime
catalogues (2015-2024 and 2025 on) through one crosswalk, every subtype kept; on hand-written
excerpts, on the real files (skipped when absent) and on the generated samples."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

from pipelines import snapshots
from pipelines.harmonize.categories import MAPS, crime_type_table
from pipelines.harmonize.labels import normalise_label
from pipelines.samples.mx_sesnsp import write_samples
from pipelines.sources import mx_sesnsp as sesnsp
from pipelines.sources.base import RawFormatError
from pipelines.stats.cases import STREAMS, case_stats
from pipelines.stats.checks import case_margin_violations
from schemas import codes
from schemas.raw.mx_sesnsp import HEADERS, MONTHS
from tests.conftest import real_snapshot
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
    assert part.rows_accepted == 7 and part.rows_quarantined == 0
    assert len(rec) == 21  # seven rows x three published months; zeros are values
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
                       ("trafficking_sexual_exploitation", "yes"): 5, ("extortion", "no"): 15,
                       ("robbery", "no"): 129, ("homicide", "no"): 79}
    # Modality kept beside the subtype; the raw row is the line of the wide table.
    assert rec.loc["01|Feminicidio|Con arma de fuego|2026-02", "crime_type_native"] == \
        "Feminicidio / Con arma de fuego"
    assert rec.loc["07|Violación simple|Violación simple|2026-01", "crime_type_native"] == \
        "Violación simple"
    assert rec.loc["27|Tentativa de extorsión por otros medios|Tentativa de extorsión por otros "
                   "medios|2026-01", "raw_row"] == 8
    assert sesnsp.period_end(raw) == date(2026, 3, 31)
    assert part.unmapped.empty


def test_every_subtype_is_kept_and_only_robbery_with_violence_is_robbery(tmp_path):
    lines = EXCERPT + [
        _row("Chiapas", "07", "El patrimonio", "Robo", "Robo a negocio", "Sin violencia", [9, 8, 7]),
        _row("Chiapas", "07", "El patrimonio", "Fraude", "Fraude", None, [5, 5, 5]),
        _row("Chiapas", "07", "Otros bienes jurídicos afectados (del fuero común)", "Amenazas",
             "Amenazas", None, [3, 2, 1]),
    ]
    snap, path = _snapshot(tmp_path, lines)
    _, part = curate(sesnsp, snap, path)
    assert part.quarantine.empty and part.rows_accepted == part.rows_read == 10
    by_native = part.records.groupby("crime_type_native")["crime_type"].first()
    assert by_native["Robo a negocio / Con violencia"] == "robbery"
    assert by_native["Robo a negocio / Sin violencia"] == "other"  # theft: no canonical type fits
    assert by_native["Fraude"] == "other" and by_native["Amenazas"] == "threats"
    assert by_native["Homicidio doloso / Con arma de fuego"] == "homicide"


def test_old_catalogue_unpadded_codes_crlf_and_an_empty_december(tmp_path):
    """The 2015-2024 files: Clave_Ent `1`, CRLF, Latin-1, one Secuestro, Extorsión and Trata
    subtype, and December of the cut's year empty in every row (not published: no record)."""
    rows = [
        _row("Aguascalientes", "1", "Libertad personal", "Secuestro", "Secuestro",
             "Secuestro extorsivo", [1] * 12, year=2023),
        _row("Aguascalientes", "1", "Libertad personal", "Secuestro", "Secuestro",
             "Secuestro extorsivo", [0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 3], year=2024),
        _row("Chiapas", "7", "El patrimonio", "Extorsión", "Extorsión", None,
             [4] * 11, year=2024),
        _row("Chiapas", "7", "La sociedad", "Trata de personas", "Trata de personas", None,
             [0] * 10 + [2], year=2024),
        _row("Chiapas", "7", "El patrimonio", "Robo", "Robo de vehículo automotor",
             "Robo de coche de 4 ruedas Con violencia", [5] * 11, year=2024),
        _row("Chiapas", "33", "El patrimonio", "Fraude", "Fraude", None, [1] * 11, year=2024),
    ]
    data = ("\r\n".join([HEADER] + rows) + "\r\n").encode("latin-1")
    snap, path = write_snapshot(tmp_path, sesnsp, "2024-11", "estatal.csv", data,
                                ("2015-01-01", "2024-11-30"))
    raw, part = curate(sesnsp, snap, path)
    assert sesnsp.period_end(raw) == date(2024, 11, 30)
    assert (raw.frame["Diciembre"].iloc[1:] == "").all()
    _rows_reconcile(part)
    (bad,) = part.quarantine.itertuples()  # 33 is no state: the only row set aside
    assert (bad.raw_row, bad.check, bad.value) == (7, "state_code", "33")
    rec = part.records.set_index("record_id")
    assert not rec.index.str.endswith("2024-12").any()  # an empty December is no zero
    assert rec.loc["01|Secuestro|Secuestro extorsivo|2024-11", "value"] == 3
    assert rec.loc["01|Secuestro|Secuestro extorsivo|2023-12", "value"] == 1
    assert set(rec["country_native"]) == {"Aguascalientes", "Chiapas"}
    by_type = rec.groupby(["crime_type", "sgbv"])["value"].sum().to_dict()
    assert by_type == {("kidnapping", "no"): 18, ("extortion", "no"): 44,
                       ("trafficking_unspecified", "unknown"): 2, ("robbery", "no"): 55}
    assert part.unmapped.empty
    stats, problems = _stats(part, snap)
    grand = _grand(stats)
    assert grand["value"].to_dict() == {2023: 12, 2024: 6 + 44 + 2 + 55}
    assert grand["partial_year"].to_dict() == {2023: False, 2024: True}


def test_the_two_catalogues_are_never_added(tmp_path):
    """Two snapshots (one per catalogue) give statistics per snapshot; no cell adds them."""
    old = write_snapshot(tmp_path / "a", sesnsp, "2024-11", "estatal.csv", ("\r\n".join([HEADER, _row(
        "Chiapas", "7", "La sociedad", "Trata de personas", "Trata de personas", None, [1] * 11,
        year=2024)]) + "\r\n").encode("latin-1"), ("2015-01-01", "2024-11-30"))
    new = _snapshot(tmp_path / "b", EXCERPT)
    parts = [(snap, curate(sesnsp, snap, path)[1]) for snap, path in (old, new)]
    records = pd.concat([p.records for _, p in parts], ignore_index=True)
    info = pd.DataFrame({"source": "mx_sesnsp", "snapshot": [s.name for s, _ in parts],
                         "is_latest": [True, False],
                         "period_end": [pd.Timestamp(s.period_end) for s, _ in parts]})
    stats, problems = case_stats(records, "crimes", {sesnsp.SOURCE.id: False}, info)
    grand = _grand(stats).reset_index().set_index("snapshot")["value"].to_dict()
    assert grand == {"2024-11": 11, "2026-03": int(parts[1][1].records["value"].sum())}
    old_types = set(stats.loc[stats["snapshot"] == "2024-11", "crime_type"])
    assert old_types == {"all", "trafficking_unspecified"}  # never the new catalogue's split
    assert not set(stats.loc[stats["snapshot"] == "2026-03", "crime_type"]) & {"trafficking_unspecified"}


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
        _row("Chiapas", "7x", SEXUAL, "Hostigamiento sexual", "Hostigamiento sexual", None, [1, 1, 1]),
        _row("Chiapas", "07", SEXUAL, "Violación", "Violación simple", None, [1, 1, 1], year=""),
        EXCERPT[0],  # a repeated row
    ]
    snap, path = _snapshot(tmp_path, lines)
    _, part = curate(sesnsp, snap, path)
    q = part.quarantine.set_index("raw_row")
    _rows_reconcile(part)
    assert part.rows_accepted == 2 and part.rows_quarantined == 5
    assert q.loc[3, "check"] == "month_value_present" and q.loc[3, "column"] == "Febrero"
    assert "2026-03" in q.loc[3, "reason"]
    assert q.loc[4, "check"] == "whole_number" and q.loc[4, "value"] == "n.d."
    # A subtype the crosswalk does not know is a valid row: kept as unknown, listed for review.
    assert 5 not in q.index
    new = part.records[part.records["raw_row"] == 5]
    assert set(new["crime_type"]) == {"unknown"} and new["value"].sum() == 3
    assert part.unmapped[["mapping", "value"]].values.tolist() == [
        ["crime_types_mx_sesnsp", "Delito nuevo"]]
    assert q.loc[6, "check"] == "state_code" and "1-32" in q.loc[6, "reason"]
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
        sesnsp.SOURCE.read_raw(path)


def test_crime_map_codes_are_canonical():
    table = crime_type_table("crime_types_mx_sesnsp")
    assert {c for c, _ in table.values()} <= set(codes.CRIME_TYPE) - {"unknown"}
    assert {s for _, s in table.values()} <= set(codes.SGBV)
    # Every sexual or gender-based subtype is flagged as such, in both catalogues.
    for label in ("feminicidio", "tentativa de feminicidio", "violación simple",
                  "violación equiparada", "abuso sexual", "acoso sexual", "hostigamiento sexual",
                  "violencia familiar", "trata de personas con fines de explotación sexual",
                  "violencia de género en todas sus modalidades distinta a la violencia familiar",
                  "otros delitos que atentan contra la libertad y la seguridad sexual"):
        assert table[label][1] == "yes", label
    for label in ("homicidio doloso", "robo a negocio", "fraude", "secuestro", "extorsión"):
        assert table[label][1] == "no", label


def _crosswalk() -> pd.DataFrame:
    with (MAPS / "crime_types_mx_sesnsp.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["label"].startswith("#")]
    return pd.DataFrame(rows)


def test_crosswalk_is_reviewable_and_names_each_labels_catalogue():
    walk = _crosswalk()
    assert walk["label"].map(normalise_label).is_unique
    assert set(walk["catalogue"]) == {"old", "new", "both"}
    # Robbery only ever through its "Con violencia" modality.
    robbery = walk[walk["crime_type"] == "robbery"]
    assert robbery["label"].str.contains(" / ").all() and robbery["label"].str.endswith("Con violencia").all()
    assert not walk.loc[walk["crime_type"] != "robbery", "label"].str.contains(" / ").any()


# --- generated sample -----------------------------------------------------------------------

def _stats(part, snap) -> tuple[pd.DataFrame, pd.DataFrame]:
    info = pd.DataFrame({"source": [snap.source], "snapshot": [snap.name], "is_latest": [True],
                         "period_end": [pd.Timestamp(snap.period_end)]})
    return case_stats(part.records, "crimes", {sesnsp.SOURCE.id: False}, info)


def _grand(stats: pd.DataFrame) -> pd.DataFrame:
    dims = list(STREAMS["crimes"]["dims"])
    return stats[(stats[dims] == "all").all(axis=1)].set_index("year")


def test_samples_parse_partial_years_and_margins_hold(tmp_path):
    (old, new) = curate_samples(tmp_path, sesnsp, write_samples)
    assert [snap.kind for snap, *_ in (old, new)] == ["full", "partial"]
    for snap, path, raw, part in (old, new):
        assert snap.is_sample and snap.product == sesnsp.SOURCE.product
        assert path.read_bytes().startswith("Año".encode("latin-1"))
        _rows_reconcile(part)
        assert part.quarantine.empty and part.unmapped.empty  # every subtype kept
        assert sesnsp.period_end(raw) == date.fromisoformat(snap.period_end)
        stats, problems = _stats(part, snap)
        assert case_margin_violations(stats, STREAMS["crimes"]["fixed"], STREAMS["crimes"]["dims"],
                                      problems).empty
        grand = _grand(stats)
        assert grand["value"].to_dict() == part.records.groupby("year")["value"].sum().to_dict()
        last = max(grand.index)
        # Not-recorded dimensions are said in numbers, once per grand total.
        for dim, code in (("sex", "not_recorded"), ("nationality", "NOT_RECORDED"),
                          ("race_ethnicity", "not_recorded")):
            cell = stats[(stats[dim] == code) & (stats["year"] == last)]
            assert cell["value"].tolist() == [grand.loc[last, "value"]], dim
    snap, path, raw, part = old
    assert b"\r\n" in path.read_bytes() and raw.frame["Clave_Ent"].iloc[0] == "1"
    assert _grand(_stats(part, snap)[0])["partial_year"].to_dict() == {2023: False, 2024: True}
    assert not part.records["record_id"].str.endswith("2024-12").any()
    assert "trafficking_unspecified" in set(part.records["crime_type"])
    snap, path, raw, part = new
    assert _grand(_stats(part, snap)[0])["partial_year"].to_dict() == {2025: True}
    assert {"discrimination", "robbery", "homicide", "other"} <= set(part.records["crime_type"])
    # As with the real files, the full snapshot of the older catalogue is the latest.
    assert [s.name for s in snapshots.latest_per_product([old[0], new[0]])] == [old[0].name]


# --- the real file --------------------------------------------------------------------------

def _independent_sums(path) -> dict[str, int]:
    """Subtype -> sum of every month cell, read with the csv module from the Latin-1 bytes."""
    reader = csv.DictReader(io.StringIO(path.read_bytes().decode("latin-1")))
    sums: dict[str, int] = {}
    for row in reader:
        total = sum(int(row[m]) for m in MONTHS if row[m].strip())
        sums[row["Subtipo de delito"]] = sums.get(row["Subtipo de delito"], 0) + total
    return sums


def _plain_sums(path) -> pd.DataFrame:
    """Year x subtype sums of the month cells, read with plain pandas from the Latin-1 bytes
    (blank months are not published: not zeros). The reference, apart from the module."""
    df = pd.read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)
    months = df[MONTHS].apply(pd.to_numeric, errors="coerce")
    return months.sum(axis=1, min_count=1).groupby([df["Año"].astype(int),
                                                     df["Subtipo de delito"]]).sum()


@pytest.mark.real
def test_real_file_parses_and_reconciles(real_dir):
    snap, raw, part = curate_real(real_dir, sesnsp, "2026-03")
    assert raw.format_version == "estatal_2015" and part.rows_read == 3648
    _rows_reconcile(part)
    assert part.quarantine.empty  # 2,688 rows were set aside as "out of scope" before
    assert part.unmapped.empty, part.unmapped
    assert part.rows_accepted == 3648 == 114 * 32
    assert len(part.records) == part.rows_accepted * 3  # January to March
    assert part.records["record_id"].is_unique


@pytest.mark.real
def test_real_monthly_sums_equal_the_raw_rows(real_dir):
    snap, raw, part = curate_real(real_dir, sesnsp, "2026-03")
    expected = _independent_sums(raw.path)
    native = part.records["crime_type_native"].str.split(" / ").str[0]
    got = part.records.groupby(native)["value"].sum()
    assert got.to_dict() == expected  # every subtype, none left out
    assert got["Trata de personas con fines de explotación sexual"] == 40
    assert got["Feminicidio"] == 144


@pytest.mark.real
def test_real_2015_2024_series_keeps_every_row_and_ends_in_november(real_dir):
    snap, raw, part = curate_real(real_dir, sesnsp, "2024-11")
    assert snap.kind == "full" and raw.format_version == "estatal_2015"
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined) == (31_360, 31_360, 0)
    assert part.unmapped.empty, part.unmapped
    assert sesnsp.period_end(raw) == date(2024, 11, 30) == date.fromisoformat(snap.period_end)
    assert (raw.frame.loc[raw.frame["Año"] == "2024", "Diciembre"] == "").all()
    rec = part.records
    assert not rec["record_id"].str.endswith("2024-12").any()  # not published, not zero
    assert len(rec) == 31_360 // 10 * (9 * 12 + 11)
    assert rec["record_id"].str.match(r"^\d{2}\|").all()  # Clave_Ent `1` read as 01
    # Year x subtype sums, as plain pandas reads the raw file.
    native = rec["crime_type_native"].str.split(" / ").str[0]
    got = rec.groupby([rec["year"].astype(int), native])["value"].sum()
    expected = _plain_sums(raw.path)
    assert got.to_dict() == expected.astype("int64").to_dict()
    by_year = rec.groupby("year")["value"].sum()
    assert (by_year[2015], by_year[2024]) == (1_657_804, 1_940_599)
    trata = rec[rec["crime_type"] == "trafficking_unspecified"]
    assert set(trata["crime_type_native"]) == {"Trata de personas"} and trata["value"].sum() == 5_344
    stats, problems = _stats(part, snap)
    assert case_margin_violations(stats, STREAMS["crimes"]["fixed"], STREAMS["crimes"]["dims"],
                                  problems).empty
    grand = _grand(stats)
    assert grand["value"].to_dict() == by_year.to_dict()
    assert grand["partial_year"].to_dict() == {y: y == 2024 for y in range(2015, 2025)}


@pytest.mark.real
def test_real_crosswalk_catalogues_match_the_files(real_dir):
    """Each label the crosswalk tags `old` occurs only in the 2015-2024 file, `new` only in the
    2026 one, `both` in both; every subtype of both files is in it."""
    walk = _crosswalk().assign(key=lambda w: w["label"].map(normalise_label))
    seen = {}
    for name, catalogue in (("2024-11", "old"), ("2026-03", "new")):
        snap = real_snapshot(real_dir, sesnsp.SOURCE.id, name)
        (path,) = snap.data_files()
        df = pd.read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)
        labels = set(df["Subtipo de delito"].str.strip()) | set(
            df["Subtipo de delito"].str.strip() + " / " + df["Modalidad"].str.strip())
        seen[catalogue] = {normalise_label(label) for label in labels}
    for row in walk.itertuples():
        where = {c for c, keys in seen.items() if row.key in keys}
        assert where == ({"old", "new"} if row.catalogue == "both" else {row.catalogue}), row.label
    assert not {k for keys in seen.values() for k in keys if " / " not in k} - set(walk["key"])


@pytest.mark.real
def test_real_latest_is_the_full_2015_2024_series(real_dir):
    found = snapshots.discover(real_dir, sesnsp.SOURCE)
    assert {s.name: s.kind for s in found} == {"2024-11": "full", "2026-03": "partial"}
    assert [s.name for s in snapshots.latest_per_product(found)] == ["2024-11"]


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
