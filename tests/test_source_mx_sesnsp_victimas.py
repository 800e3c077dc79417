"""SESNSP victims file: Latin-1 bytes, CRLF, one column per month, victims by sex and age group
with two different unknown codes, femicide only for women, through the state incidence file's
crosswalk; on hand-written excerpts, on the real file (skipped when absent) and on the
generated sample."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

from pipelines.harmonize.categories import MAPS, crime_type_table
from pipelines.harmonize.labels import normalise_label
from pipelines.samples.mx_sesnsp_victimas import write_samples
from pipelines.sources import mx_sesnsp as sesnsp
from pipelines.sources import mx_sesnsp_victimas as victimas
from pipelines.sources.base import RawFormatError
from pipelines.stats.cases import STREAMS, case_stats
from pipelines.stats.checks import case_margin_violations
from pipelines.stats.tables import coverage_table
from schemas.raw.mx_sesnsp_victimas import HEADERS, MONTHS
from tests.helpers import curate, curate_real, curate_samples, write_snapshot

HEADER = ",".join(HEADERS["victimas_2015"])
VIDA, SOCIEDAD = "La vida y la Integridad corporal", "La sociedad"
CHILD, ADULT, UNSTATED, UNIDENTIFIED = ("Menores de edad (0-17)", "Adultos (18 y más)",
                                        "No especificado", "No identificado")
DIMS = STREAMS["crimes"]["dims"]


def _row(code: str, state: str, bien: str, tipo: str, subtipo: str, modalidad: str | None,
         sex: str, age: str, months: list, year: int = 2024) -> str:
    cells = [str(year), code, state, bien, tipo, subtipo, modalidad or subtipo, sex, age]
    cells += [str(m) for m in months] + [""] * (12 - len(months))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def _snapshot(tmp_path, lines: list[str], period=("2024-01-01", "2024-12-31"),
              encoding: str = "latin-1", name: str = "2024-12"):
    data = ("\r\n".join([HEADER] + lines) + "\r\n").encode(encoding)
    return write_snapshot(tmp_path, victimas, name, "IDVFC_NM_dic24.csv", data, period)


def _rows_reconcile(part) -> None:
    """Rows read = accepted + quarantined; accepted rows are the raw rows records come from."""
    assert part.rows_read == part.rows_accepted + part.rows_quarantined
    assert part.records["raw_row"].nunique() == part.rows_accepted


def _stats(part, snap) -> tuple[pd.DataFrame, pd.DataFrame]:
    info = pd.DataFrame({"source": [snap.source], "snapshot": [snap.name], "is_latest": [True],
                         "period_end": [pd.Timestamp(snap.period_end)]})
    return case_stats(part.records, "crimes", {victimas.SOURCE.id: False}, info)


def _cell(stats: pd.DataFrame, year: int, **dims) -> pd.DataFrame:
    """The rows of one statistics cell (dimensions not named are `all`)."""
    rows = stats[stats["year"] == year]
    for dim in DIMS:
        rows = rows[rows[dim] == dims.get(dim, "all")]
    return rows


def _value(stats: pd.DataFrame, year: int, **dims) -> int | None:
    rows = _cell(stats, year, **dims)
    assert len(rows) <= 1, rows
    return None if rows.empty else int(rows["value"].iloc[0])


def _homicide(sex: str, age: str, months: list, code: str = "7", state: str = "Chiapas") -> str:
    return _row(code, state, VIDA, "Homicidio", "Homicidio doloso", "Con arma de fuego", sex, age,
                months)


EXCERPT = [
    _homicide("Hombre", CHILD, [1] * 12),
    _homicide("Hombre", ADULT, [10] * 12),
    _homicide("Hombre", UNSTATED, [2] * 12),
    _homicide("Mujer", CHILD, [0] * 12),
    _homicide("Mujer", ADULT, [3] * 12),
    _homicide("Mujer", UNSTATED, [1] * 12),
    _homicide(UNIDENTIFIED, UNIDENTIFIED, [4] * 12),
    # Femicide only for women: no Hombre or No identificado rows exist.
    _row("7", "Chiapas", VIDA, "Feminicidio", "Feminicidio", "Con arma blanca", "Mujer", ADULT,
         [0, 1] * 6),
    _row("7", "Chiapas", VIDA, "Feminicidio", "Feminicidio", "Con arma blanca", "Mujer", CHILD,
         [0] * 11 + [1]),
    _row("27", "Tabasco", SOCIEDAD, "Trata de personas", "Trata de personas", None, "Mujer",
         CHILD, [0, 0, 2] + [0] * 9),
    _row("27", "Tabasco", SOCIEDAD, "Trata de personas", "Trata de personas", None,
         UNIDENTIFIED, UNIDENTIFIED, [1] + [0] * 11),
]


# --- hand-written excerpts ------------------------------------------------------------------

def test_victims_by_sex_and_age_become_monthly_records(tmp_path):
    snap, path = _snapshot(tmp_path, EXCERPT)
    assert b"A\xf1o" in path.read_bytes() and b"\r\n" in path.read_bytes()  # Latin-1, CRLF
    raw, part = curate(victimas, snap, path)
    rec = part.records.set_index("record_id")

    assert raw.format_version == "victimas_2015" and part.rows_read == 11
    _rows_reconcile(part)
    assert part.rows_accepted == 11 and part.rows_quarantined == 0 and part.unmapped.empty
    assert len(rec) == 11 * 12  # every month published; zeros are values
    assert (rec["unit"] == "persons").all() and (rec["subject"] == "victim").all()
    assert (rec["population"] == "general").all() and (rec["year_basis"] == "reported").all()
    assert (rec["country_iso3"] == "MEX").all()
    assert set(rec["country_native"]) == {"Chiapas", "Tabasco"}
    for dim in victimas.MARGIN_DIMS:  # no nationality, race, gender identity or perpetrator
        assert (rec[dim] == "all").all(), dim
    # The native sex and age labels stay in the record id beside their codes.
    one = rec.loc["07|Homicidio doloso|Con arma de fuego|Hombre|No especificado|2024-03"]
    assert (one["sex"], one["age_group"], one["value"]) == ("male", "unknown", 2)
    unid = rec.loc["07|Homicidio doloso|Con arma de fuego|No identificado|No identificado|2024-12"]
    assert (unid["sex"], unid["age_group"], unid["value"]) == ("unknown", "unknown", 4)
    assert rec.loc["27|Trata de personas|Trata de personas|Mujer|Menores de edad (0-17)|2024-03",
                   "raw_row"] == 11
    by_type = rec.groupby(["crime_type", "sgbv"])["value"].sum().to_dict()
    assert by_type == {("homicide", "no"): 21 * 12, ("femicide", "yes"): 7,
                       ("trafficking_unspecified", "unknown"): 3}
    assert (rec["flags"] == "").all()


def test_the_two_unknown_age_codes_stay_apart_through_the_sex(tmp_path):
    """`No identificado` (an unidentified victim) is age unknown with sex unknown; `No
    especificado` (unstated age of a known-sex victim) is age unknown with sex female or male."""
    snap, path = _snapshot(tmp_path, EXCERPT)
    _, part = curate(victimas, snap, path)
    stats, problems = _stats(part, snap)
    assert problems.empty
    assert case_margin_violations(stats, STREAMS["crimes"]["fixed"], DIMS, problems).empty
    homicide = {"crime_type": "homicide", "sgbv": "no", "country_iso3": "MEX"}
    assert _value(stats, 2024, sex="unknown", age_group="unknown", **homicide) == 48
    assert _value(stats, 2024, sex="male", age_group="unknown", **homicide) == 24
    assert _value(stats, 2024, sex="female", age_group="unknown", **homicide) == 12
    assert _value(stats, 2024, age_group="unknown", **homicide) == 48 + 24 + 12
    # Nothing but the unidentified is of unknown sex, and they are never of a known age.
    assert _value(stats, 2024, sex="unknown", age_group="child") is None
    assert _value(stats, 2024, sex="unknown", age_group="adult") is None
    assert _value(stats, 2024, sex="unknown") == 48 + 1


def test_no_full_grid_is_assumed(tmp_path):
    """Femicide exists for women only: no male or unknown-sex femicide cell is published (not
    even a zero), and the femicide total is the women's."""
    snap, path = _snapshot(tmp_path, EXCERPT)
    _, part = curate(victimas, snap, path)
    stats, _ = _stats(part, snap)
    femicide = {"crime_type": "femicide", "sgbv": "yes", "country_iso3": "MEX"}
    assert _value(stats, 2024, **femicide) == 7 == _value(stats, 2024, sex="female", **femicide)
    assert _value(stats, 2024, sex="male", **femicide) is None
    assert _value(stats, 2024, sex="unknown", **femicide) is None
    assert _value(stats, 2024, sex="female", age_group="unknown", **femicide) is None
    grand = _value(stats, 2024)
    assert grand == int(part.records["value"].sum()) == 21 * 12 + 7 + 3
    assert sum(_value(stats, 2024, sex=s) for s in ("female", "male", "unknown")) == grand
    assert sum(_value(stats, 2024, age_group=a) for a in ("child", "adult", "unknown")) == grand
    # Dimensions the file does not record: once per grand total, as not recorded.
    assert _value(stats, 2024, nationality="NOT_RECORDED") == grand
    assert _value(stats, 2024, race_ethnicity="not_recorded") == grand


def test_coverage_lists_sex_and_age(tmp_path):
    snap, path = _snapshot(tmp_path, EXCERPT)
    _, part = curate(victimas, snap, path)
    stats, _ = _stats(part, snap)
    coverage = coverage_table(stats, "crimes", DIMS).set_index("dimension")
    assert coverage.loc["sex", "recorded"] == "yes"
    assert coverage.loc["sex", "known_share"] == pytest.approx((21 * 12 + 10 - 48 - 1) / (21 * 12 + 10))
    assert coverage.loc["age_group", "recorded"] == "yes"
    assert coverage.loc["age_group", "known_share"] == pytest.approx(
        (21 * 12 + 10 - 48 - 24 - 12 - 1) / (21 * 12 + 10))
    for dim in ("nationality", "race_ethnicity", "gender_identity"):
        assert coverage.loc[dim, "recorded"] == "no", dim


def test_an_unpaired_no_identificado_is_kept_and_flagged(tmp_path):
    """A row that breaks the file's pairing (unidentified sex with a stated age, or the
    reverse) is valid and kept as published, flagged so a reviewer sees that its age cell no
    longer tells the two unknown codes apart."""
    lines = EXCERPT[:2] + [
        _homicide(UNIDENTIFIED, ADULT, [1] * 12),
        _homicide("Mujer", UNIDENTIFIED, [2] * 12),
    ]
    snap, path = _snapshot(tmp_path, lines)
    _, part = curate(victimas, snap, path)
    assert part.quarantine.empty
    rec = part.records
    flagged = rec[rec["flags"] == victimas.MISMATCH_FLAG]
    assert set(flagged["raw_row"]) == {4, 5}
    assert set(zip(flagged["sex"], flagged["age_group"])) == {("unknown", "adult"),
                                                              ("female", "unknown")}
    assert (rec.loc[~rec["raw_row"].isin([4, 5]), "flags"] == "").all()


def test_blank_months_after_the_cut_are_not_zeros(tmp_path):
    """A cut inside a year (as the monthly releases are): blank months after it are not
    published (no record), the year is partial; a blank inside the period is a gap."""
    lines = [_homicide("Hombre", ADULT, [5] * 12, code="1", state="Aguascalientes").replace(
        "2024,", "2023,", 1),
             _homicide("Hombre", ADULT, [5] * 9, code="1", state="Aguascalientes"),
             _homicide("Mujer", ADULT, [1, "", 1, 1, 1, 1, 1, 1, 1])]
    snap, path = _snapshot(tmp_path, lines, period=("2023-01-01", "2024-09-30"))
    raw, part = curate(victimas, snap, path)
    assert victimas.MONTHLY.period_end(raw) == date(2024, 9, 30)
    _rows_reconcile(part)
    (bad,) = part.quarantine.itertuples()
    assert (bad.raw_row, bad.check, bad.column) == (4, "month_value_present", "Febrero")
    rec = part.records.set_index("record_id")
    assert not rec.index.str.endswith(("2024-10", "2024-11", "2024-12")).any()
    stats, _ = _stats(part, snap)
    grand = _cell(stats, 2024)
    assert grand["value"].tolist() == [45] and grand["partial_year"].tolist() == [True]
    assert _cell(stats, 2023)["partial_year"].tolist() == [False]


def test_bad_rows_go_to_quarantine_unknown_labels_are_kept(tmp_path):
    lines = EXCERPT[:1] + [
        _homicide("Hombre", ADULT, [1, 1, "x"] + [1] * 9),
        _homicide("Hombre", CHILD, [1] * 12, code="33"),
        _homicide("Hombre", CHILD, [1] * 12).replace("2024,", ",", 1),
        EXCERPT[0],  # a repeated row
        _homicide("Intersexual", ADULT, [1] * 12),  # a sex label no map knows: kept, listed
        _row("7", "Chiapas", VIDA, "Nuevo", "Delito nuevo", None, "Mujer", ADULT, [1] * 12),
    ]
    snap, path = _snapshot(tmp_path, lines)
    _, part = curate(victimas, snap, path)
    _rows_reconcile(part)
    q = part.quarantine.set_index("raw_row")
    assert part.rows_accepted == 3 and part.rows_quarantined == 4
    assert q.loc[3, "check"] == "whole_number" and q.loc[3, "value"] == "x"
    assert "victims" in q.loc[3, "reason"]
    assert q.loc[4, "check"] == "state_code" and q.loc[4, "value"] == "33"
    assert q.loc[5, "check"] == "year_present"
    assert q.loc[6, "check"] == "record_id_unique"
    rec = part.records
    assert set(rec.loc[rec["raw_row"] == 7, "sex"]) == {"unknown"}
    assert set(rec.loc[rec["raw_row"] == 8, "crime_type"]) == {"unknown"}
    assert sorted(part.unmapped[["mapping", "value"]].values.tolist()) == [
        ["crime_types_mx_sesnsp", "Delito nuevo"], ["sex", "Intersexual"]]


def test_utf8_copy_parses_the_same(tmp_path):
    latin = curate(victimas, *_snapshot(tmp_path / "a", EXCERPT))[1].records
    utf8 = curate(victimas, *_snapshot(tmp_path / "b", EXCERPT, encoding="utf-8"))[1].records
    columns = ["record_id", "value", "sex", "age_group", "crime_type", "raw_row"]
    pd.testing.assert_frame_equal(latin[columns], utf8[columns])


def test_unknown_header_fails_loudly(tmp_path):
    data = HEADER.replace("Rango de edad", "Edad") + "\r\n"
    _, path = write_snapshot(tmp_path, victimas, "2024-12", "IDVFC_NM_dic24.csv",
                             data.encode("latin-1"), ("2015-01-01", "2024-12-31"))
    with pytest.raises(RawFormatError, match="closest is 'victimas_2015'"):
        victimas.SOURCE.read_raw(path)


def test_crime_types_come_from_the_state_files_crosswalk():
    """One crosswalk for the SESNSP fuero-común catalogue: the victims module has no copy."""
    assert victimas.sesnsp.CRIME_MAP == "crime_types_mx_sesnsp"
    assert not list(MAPS.glob("crime_types_mx_sesnsp_victimas*"))
    for label in ("sexo no identificado", "no especificado", "no identificado"):
        assert label not in crime_type_table(sesnsp.CRIME_MAP)


# --- generated sample -----------------------------------------------------------------------

def test_sample_parses_with_sex_age_and_margins(tmp_path):
    (found,) = curate_samples(tmp_path, victimas, write_samples)
    snap, path, raw, part = found
    assert snap.is_sample and b"\r\n" in path.read_bytes() and raw.frame["Clave_Ent"].iloc[0] == "1"
    _rows_reconcile(part)
    assert part.quarantine.empty and part.unmapped.empty
    rec = part.records
    assert set(rec["sex"]) == {"female", "male", "unknown"}
    assert set(rec["age_group"]) == {"child", "adult", "unknown"}
    assert set(rec.loc[rec["crime_type"] == "femicide", "sex"]) == {"female"}
    assert (rec["flags"] == "").all()
    stats, problems = _stats(part, snap)
    assert case_margin_violations(stats, STREAMS["crimes"]["fixed"], DIMS, problems).empty
    for year in (2023, 2024):
        grand = _value(stats, year)
        assert grand == int(rec.loc[rec["year"] == year, "value"].sum())
        assert sum(_value(stats, year, sex=s) for s in ("female", "male", "unknown")) == grand


# --- the real file --------------------------------------------------------------------------

def _plain_sums(path) -> pd.Series:
    """Year x sex x age sums of the month cells, read with plain pandas from the Latin-1 bytes
    (blank months are not published: not zeros). The reference, apart from the module."""
    df = pd.read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)
    months = df[MONTHS].apply(pd.to_numeric, errors="coerce")
    return months.sum(axis=1, min_count=1).groupby(
        [df["Año"].astype(int), df["Sexo"], df["Rango de edad"]]).sum().astype("int64")


@pytest.fixture(scope="module")
def real(real_dir):
    """The real 2024-12 cut, read and curated once for this module's tests."""
    return curate_real(real_dir, victimas, "2024-12")


@pytest.mark.real
def test_real_file_parses_and_reconciles(real):
    snap, raw, part = real
    assert raw.format_version == "victimas_2015" and snap.kind == "full"
    assert (part.rows_read, part.rows_accepted, part.rows_quarantined) == (73_600, 73_600, 0)
    _rows_reconcile(part)
    assert part.unmapped.empty, part.unmapped
    assert victimas.MONTHLY.period_end(raw) == date(2024, 12, 31) == \
        date.fromisoformat(snap.period_end)
    rec = part.records
    assert len(rec) == 73_600 * 12 and rec["record_id"].is_unique
    assert rec["record_id"].str.match(r"^\d{2}\|").all()  # Clave_Ent `1` read as 01
    # The pairing of the two unknown codes holds in the whole file: nothing flagged.
    assert (rec["flags"] == "").all()
    assert set(rec.loc[rec["crime_type"] == "femicide", "sex"]) == {"female"}
    # Year x sex x age sums, as plain pandas reads the raw file.
    native = rec["record_id"].str.split("|")
    got = rec.groupby([rec["year"].astype(int), native.str[3], native.str[4]])["value"].sum()
    assert got.astype("int64").to_dict() == _plain_sums(raw.path).to_dict()


@pytest.mark.real
def test_real_statistics_by_sex_and_age(real):
    snap, raw, part = real
    rec = part.records
    trata = rec[rec["crime_type"] == "trafficking_unspecified"]
    assert trata.groupby("sex")["value"].sum().to_dict() == {  # PROVENANCE.md, 2015-2024
        "female": 5_190, "male": 1_489, "unknown": 1_179}
    stats, problems = _stats(part, snap)
    assert problems.empty
    assert case_margin_violations(stats, STREAMS["crimes"]["fixed"], DIMS, problems).empty
    by_year = rec.groupby("year")["value"].sum()
    assert {y: _value(stats, y) for y in range(2015, 2025)} == by_year.to_dict()
    assert (_value(stats, 2015), _value(stats, 2024)) == (296_318, 377_146)
    assert not stats["partial_year"].any()
    # 2024: victims by sex, age group, and the two unknown age codes apart.
    assert {s: _value(stats, 2024, sex=s) for s in ("female", "male", "unknown")} == {
        "female": 123_166, "male": 211_816, "unknown": 42_164}
    assert {a: _value(stats, 2024, age_group=a) for a in ("child", "adult", "unknown")} == {
        "child": 37_939, "adult": 259_438, "unknown": 37_605 + 42_164}
    assert _value(stats, 2024, sex="unknown", age_group="unknown") == 42_164  # No identificado
    assert (_value(stats, 2024, sex="female", age_group="unknown")
            + _value(stats, 2024, sex="male", age_group="unknown")) == 37_605  # No especificado
    coverage = coverage_table(stats, "crimes", DIMS)
    coverage = coverage[coverage["snapshot"] == "2024-12"].set_index("dimension")
    assert coverage.loc[["sex", "age_group"], "recorded"].tolist() == ["yes", "yes"]
    assert coverage.loc["nationality", "recorded"] == "no"


@pytest.mark.real
def test_real_subtypes_are_all_in_the_state_files_crosswalk(real):
    """Every subtype of the victims file is a label of the 2015-2024 catalogue (`old` or
    `both`) in maps/crime_types_mx_sesnsp.csv."""
    snap, raw, part = real
    with (MAPS / "crime_types_mx_sesnsp.csv").open(encoding="utf-8") as handle:
        walk = {normalise_label(r["label"]): r["catalogue"] for r in csv.DictReader(handle)
                if not r["label"].startswith("#")}
    subtypes = set(raw.frame["Subtipo de delito"].str.strip())
    assert len(subtypes) == 15
    assert {s: walk.get(normalise_label(s)) for s in subtypes if
            walk.get(normalise_label(s)) not in ("old", "both")} == {}
