"""NGO incident log template: English and Spanish, CSV and XLSX parse identically; errors are
reported row by row in the submitter's language; names are refused; race comes only from
self-identification; stages are the furthest reached; the committed templates, documentation
and samples are current and exercise every breakdown."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.config import DEFAULT_RAW_DIR
from pipelines.ngo import template
from pipelines.ngo.check import submission_report
from pipelines.samples.ngo_incidents import write_samples
from pipelines.sources import ngo_incidents as ngo
from pipelines.stats.cases import STREAMS, case_stats
from pipelines.stats.checks import case_margin_violations
from schemas import codes
from schemas.raw.ngo_incidents import HEADERS
from tests.helpers import assert_no_names, curate, curate_samples, write_snapshot

EN, ES = HEADERS["template_en_v1"], HEADERS["template_es_v1"]
PERIOD = ("2024-01-01", "2025-12-31")

# The same victims, as an English and a Spanish submitter would write them.
ROWS_EN = [
    ["A-1", "1", "2025-03-14", "Mexico", "Tapachula, Chiapas", "rape", "organised crime",
     "female", "woman", "23", "Honduras", "no", "yes", "yes", "charged"],
    ["A-1", "2", "2025-03-14", "MEX", "Tapachula, Chiapas", "robbery", "organised crime", "male",
     "man", "12-17", "HND", "yes", "yes", "no", "not reported"],
    ["A-2", "", "2025-04", "Guatemala", "", "kidnapping", "state agent", "", "", "", "", "", "",
     "", ""],
    ["A-3", "1", "2024-11-02", "United States", "Sample County, Texas",
     "trafficking for sexual exploitation", "smuggler", "intersex",
     "transgender or gender diverse", "adult", "Venezuela; Colombia", "yes", "no", "yes", ""],
    ["A-4", "1", "2024", "", "", "other gender-based violence", "intimate partner or family member",
     "female", "not asked", "child", "stateless", "unknown", "unknown", "unknown", "unknown"],
    ["A-5", "1", "2025-01-20", "Mexico", "Ixtepec, Oaxaca", "abuse of authority or torture",
     "police", "male", "man", "65+", "Guatemala", "no", "no", "yes", "dismissed or closed"],
]
ROWS_ES = [
    ["A-1", "1", "14/03/2025", "México", "Tapachula, Chiapas", "violación", "crimen organizado",
     "mujer", "mujer", "23", "Honduras", "no", "sí", "sí", "con cargos"],
    ["A-1", "2", "2025-03-14", "MEX", "Tapachula, Chiapas", "robo", "Crimen Organizado", "hombre",
     "hombre", "12-17", "hondureño", "si", "Sí", "no", "no denunciado"],
    ["A-2", "", "2025-04", "Guatemala", "", "secuestro", "agente del Estado", "", "", "", "", "",
     "", "", ""],
    ["A-3", "1", "02/11/2024", "Estados Unidos", "Sample County, Texas",
     "trata con fines de explotacion sexual", "pollero", "intersexual", "trans o de género diverso",
     "persona adulta", "Venezuela; Colombia", "sí", "no", "sí", ""],
    ["A-4", "1", "2024", "", "", "otra violencia de género", "pareja o familiar", "mujer",
     "no se preguntó", "niña o niño", "apátrida", "no se sabe", "no se sabe", "no se sabe",
     "desconocido"],
    ["A-5", "1", "20/01/2025", "México", "Ixtepec, Oaxaca", "tortura", "policía", "hombre",
     "hombre", "65+", "Guatemala", "no", "no", "sí", "archivado o sobreseído"],
]
CANONICAL = ["record_id", "year", "year_basis", "country_iso3", "breakdown", "subject", "sex",
             "gender_identity", "age_group", "nationality", "race_ethnicity", "unit", "value",
             "raw_row"]


def _csv_bytes(header, rows, delimiter=",", encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _submit(tmp_path: Path, header, rows, name="2025-12-31", file_name="log.csv", **kwargs):
    folder = tmp_path / name
    if file_name.endswith(".xlsx"):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / file_name
        language = "es" if header == ES else "en"
        template.write_xlsx(path, language, rows)
        data = path.read_bytes()
        path.unlink()
        folder.rmdir()
    else:
        data = _csv_bytes(header, rows, **kwargs)
    snap, path = write_snapshot(tmp_path, ngo, name, file_name, data, PERIOD)
    return (snap, path, *curate(ngo, snap, path))


# --- languages and formats ------------------------------------------------------------------

def test_english_and_spanish_csv_and_xlsx_parse_identically(tmp_path):
    parts = {}
    for key, header, rows, file_name, options in (
            ("en_csv", EN, ROWS_EN, "log.csv", {}),
            ("es_csv", ES, ROWS_ES, "registro.csv", {"delimiter": ";", "encoding": "cp1252"}),
            ("en_xlsx", EN, ROWS_EN, "log.xlsx", {}),
            ("es_xlsx", ES, ROWS_ES, "registro.xlsx", {})):
        _, _, raw, part = _submit(tmp_path / key, header, rows, file_name=file_name, **options)
        assert raw.format_version == ("template_es_v1" if header == ES else "template_en_v1")
        assert part.quarantine.empty, part.quarantine
        parts[key] = part
    for table in ("crimes", "prosecutions"):
        first = parts["en_csv"].tables[table]
        for key, part in parts.items():
            other = part.tables[table]
            columns = CANONICAL + (["crime_type", "sgbv", "perpetrator", "bias_motivation"]
                                   if table == "crimes" else ["offence", "stage", "sgbv"])
            pd.testing.assert_frame_equal(first[columns], other[columns], obj=f"{key} {table}")


def test_victim_records(tmp_path):
    *_, part = _submit(tmp_path, EN, ROWS_EN)
    rec = part.tables["crimes"].set_index("record_id")
    assert list(rec.index) == ["A-1#1", "A-1#2", "A-2#1", "A-3#1", "A-4#1", "A-5#1"]
    assert (rec["value"] == 1).all() and (rec["unit"] == "persons").all()
    assert (rec["subject"] == "victim").all() and (rec["year_basis"] == "incident").all()
    assert rec["year"].tolist() == [2025, 2025, 2025, 2024, 2024, 2025]
    assert rec["country_iso3"].tolist() == ["MEX", "MEX", "GTM", "USA", "UNKNOWN", "MEX"]
    assert rec["crime_type"].tolist() == ["rape", "robbery", "kidnapping",
                                          "trafficking_sexual_exploitation",
                                          "gender_violence_other", "abuse_of_authority"]
    assert rec["sgbv"].tolist() == ["yes", "no", "no", "yes", "yes", "no"]
    assert rec["perpetrator"].tolist() == ["organised_crime", "organised_crime", "state_agent",
                                           "smuggler", "intimate_partner_or_family", "state_agent"]
    assert rec["sex"].tolist() == ["female", "male", "unknown", "other", "female", "male"]
    assert rec["gender_identity"].tolist() == ["woman", "man", "unknown",
                                               "transgender_or_gender_diverse", "not_recorded", "man"]
    assert rec["age_group"].tolist() == ["adult", "child", "unknown", "adult", "child", "adult"]
    assert rec["nationality"].tolist() == ["HND", "HND", "UNKNOWN", "MULTIPLE", "STATELESS", "GTM"]
    assert rec.loc["A-3#1", "nationality_native"] == "Venezuela; Colombia"
    assert (rec["bias_motivation"] == "not_applicable").all()


def test_race_only_from_self_identification(tmp_path):
    *_, part = _submit(tmp_path, EN, ROWS_EN)
    race = part.tables["crimes"].set_index("record_id")["race_ethnicity"]
    # no/yes -> Afro-descendant; yes/yes -> multiple; blank -> unknown; yes/no -> Indigenous;
    # unknown/unknown -> unknown; no/no -> unknown (saying no to both does not tell the race),
    # whatever the nationality (A-5 is Guatemalan and answered no to both).
    assert race.tolist() == ["black_afrodescendant", "multiple", "unknown", "indigenous",
                             "unknown", "unknown"]


def test_case_stage_is_the_furthest_reached(tmp_path):
    *_, part = _submit(tmp_path, EN, ROWS_EN)
    cases = part.tables["prosecutions"].set_index("record_id")
    # A-1#2 not reported and A-4#1 (reported: unknown, stage unknown): no case record.
    # A-2#1 blank and not known to be reported: none. A-3#1 reported, stage blank: unknown.
    assert cases["stage"].to_dict() == {"A-1#1": "prosecuted", "A-3#1": "unknown",
                                        "A-5#1": "dismissed"}
    assert cases["offence"].to_dict() == {"A-1#1": "rape", "A-3#1": "trafficking_sexual_exploitation",
                                          "A-5#1": "abuse_of_authority"}
    assert cases.loc["A-1#1", "stage_native"] == "charged"
    assert (cases["subject"] == "victim").all() and (cases["value"] == 1).all()
    assert set(cases["stage"]) <= set(codes.STAGE)


def test_place_never_reaches_a_curated_table(tmp_path):
    _, _, raw, part = _submit(tmp_path, EN, ROWS_EN)
    places = {p for p in raw.frame[EN[4]] if p}
    assert places == {"Tapachula, Chiapas", "Sample County, Texas", "Ixtepec, Oaxaca"}
    for table in part.tables.values():
        assert_no_names(places, table)


# --- errors, in the submitter's language ----------------------------------------------------

BAD_EN = [
    ["B-1", "1", "03/04/2025", "Mexico", "", "robery", "police", "X", "woman", "15-24",
     "Guatemla", "maybe", "no", "no", "convicted"],
    ["B-1", "2", "2025-03-01", "Mexico", "", "robbery", "", "", "", "", "", "", "", "", ""],
    ["B-1", "2", "2025-03-02", "Mexico", "", "robbery", "", "", "", "", "", "", "", "", ""],
    ["", "1", "", "Honduras; Guatemala", "", "", "", "", "", "", "", "", "", "yes", "not reported"],
    ["B-2", "x", "2026-01-02", "Mexico", "", "robbery", "", "", "", "130", "", "", "", "", ""],
]
BAD_ES = [
    ["B-1", "1", "31/02/2025", "México", "", "tráfico de armas", "policía", "X", "mujer", "15-24",
     "Guatemla", "quizá", "no", "no", "condena"],
    ["B-1", "2", "2025-03-01", "México", "", "robo", "", "", "", "", "", "", "", "", ""],
]


def test_bad_rows_are_quarantined_with_reasons_in_english(tmp_path):
    *_, part = _submit(tmp_path, EN, BAD_EN)
    q = part.quarantine
    assert part.rows_read == 5 and part.rows_quarantined == 4
    assert len(part.tables["crimes"]) == 1
    assert part.rows_read == part.rows_accepted + part.rows_quarantined
    checks = q.groupby("raw_row")["check"].apply(set).to_dict()
    assert checks[2] == {"date_format", "allowed_value", "age_band", "country_known",
                         "stage_consistent"}
    assert checks[4] == {"record_id_unique"}
    assert checks[5] == {"record_id_present", "date_present", "one_country", "stage_consistent"}
    assert checks[6] == {"whole_number", "date_in_period", "age_format"}
    reasons = " ".join(q["reason"])
    assert "could be day/month or month/day" in reasons
    assert "“robery” is not one of the allowed values: homicide, femicide" in reasons
    assert "already in row 3" in reasons


def test_report_is_in_the_headers_language(tmp_path):
    _, path_en, *_ = _submit(tmp_path / "en", EN, BAD_EN)
    _, path_es, *_ = _submit(tmp_path / "es", ES, BAD_ES, file_name="registro.xlsx")
    english = submission_report(path_en, date(2025, 12, 31))
    spanish = submission_report(path_es, date(2025, 12, 31))
    assert english.startswith("Check of log.csv (English template)")
    assert "Rows read: 5. Can be used: 1. With problems: 4" in english
    assert "Row 2:\n  - “Incident date”: “03/04/2025” could be day/month" in english
    assert "Row 6:" in english and "“130” is not an age" in english
    assert "the date “2026-01-02” is after 2025-12-31" in english
    assert spanish.startswith("Revisión de registro.xlsx (plantilla en español)")
    assert "Filas leídas: 2. Se pueden usar: 1. Con problemas: 1" in spanish
    assert "Fila 2:" in spanish and "Row" not in spanish
    for expected in ("«Tipo de delito»: «tráfico de armas» no es uno de los valores permitidos: "
                     "homicidio, feminicidio",
                     "«31/02/2025» no es una fecha",
                     "no se reconoce la nacionalidad «Guatemla»",
                     "el rango «15-24» incluye edades menores y mayores de 18",
                     "«quizá» no es uno de los valores permitidos: sí, no, no se sabe",
                     "la etapa del caso es «condena», pero el delito está marcado como no denunciado"):
        assert expected in spanish, expected
    # The quarantine carries the same Spanish reasons.
    *_, part = _submit(tmp_path / "es2", ES, BAD_ES)
    assert part.quarantine["reason"].str.contains("no es uno de los valores permitidos").any()


def test_clean_file_report(tmp_path):
    _, path, *_ = _submit(tmp_path, ES, ROWS_ES)
    report = submission_report(path, date(2025, 12, 31))
    assert "No se encontraron problemas." in report
    assert "Víctimas registradas: 6; con seguimiento del caso: 3." in report


@pytest.mark.parametrize("header, column, language", [
    (EN + ["Name"], "Name", "en"), (ES + ["Nombre"], "Nombre", "es"),
    (EN[:1] + ["Victim's full name"] + EN[1:], "Victim's full name", "en"),
    (ES + ["Teléfono"], "Teléfono", "es"), (ES + ["Fecha de nacimiento"], "Fecha de nacimiento", "es"),
])
def test_a_name_column_is_refused(tmp_path, header, column, language):
    row = ROWS_EN[0] if header[0] == EN[0] else ROWS_ES[0]
    data = _csv_bytes(header, [row + ["SAMPLE PERSON"]])
    _, path = write_snapshot(tmp_path, ngo, "2025-12-31", "log.csv", data, PERIOD)
    with pytest.raises(ngo.SubmissionError) as caught:
        ngo.read_raw(path)
    assert caught.value.language == language
    report = submission_report(path)
    assert "SAMPLE PERSON" not in report
    if language == "en":
        assert f"Column “{column}” looks like it holds names" in report
    else:
        assert f"La columna «{column}» parece contener nombres" in report


def test_unknown_header_names_the_expected_columns_in_its_language(tmp_path):
    header = ES[:5] + ["Delito"] + ES[6:] + ["Notas"]
    data = _csv_bytes(header, [ROWS_ES[0] + ["texto libre"]])
    _, path = write_snapshot(tmp_path, ngo, "2025-12-31", "registro.csv", data, PERIOD)
    report = submission_report(path)
    assert "La fila de encabezados no coincide con la plantilla en español." in report
    assert "Faltan las columnas: «Tipo de delito»." in report
    assert "Columnas que la plantilla no tiene: «Delito», «Notas»" in report
    assert "Las columnas de la plantilla son, en este orden: " + ", ".join(ES) in report
    # A header matching neither language gets both.
    data = _csv_bytes(["foo", "bar"], [["1", "2"]])
    _, path = write_snapshot(tmp_path / "x", ngo, "2025-12-31", "x.csv", data, PERIOD)
    report = submission_report(path)
    assert "does not match the English template" in report
    assert "no coincide con la plantilla en español" in report


def test_headers_match_ignoring_case_accents_and_order(tmp_path):
    header = [h.upper() for h in ES]
    header[1] = "numero de victima"
    order = list(range(len(ES)))[::-1]
    data = _csv_bytes([header[i] for i in order], [[r[i] for i in order] for r in ROWS_ES])
    _, path = write_snapshot(tmp_path, ngo, "2025-12-31", "registro.csv", data, PERIOD)
    raw = ngo.read_raw(path)
    assert list(raw.frame.columns) == ES and raw.format_version == "template_es_v1"
    assert raw.frame.iloc[0, 0] == "A-1"


# --- templates and documentation ------------------------------------------------------------

def test_committed_templates_and_doc_are_current(tmp_path):
    written = template.write_templates(tmp_path)
    assert [p.name for p in written] == [
        "ngo_incidents_template_en.csv", "ngo_incidents_template_en.xlsx",
        "ngo_incidents_template_es.csv", "ngo_incidents_template_es.xlsx"]
    for path in written:
        committed = template.TEMPLATE_DIR / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} is stale: run `harmstats ngo template`")
    assert template.TEMPLATE_DOC.read_text(encoding="utf-8") == template.render_template_doc(), (
        "docs/ngo_incidents_template.md is stale: run `harmstats ngo template`")


def test_harmstats_ngo_template_writes_the_committed_files(tmp_path):
    result = CliRunner().invoke(app, ["ngo", "template", "--folder", str(tmp_path / "templates"),
                                      "--doc", str(tmp_path / "doc.md")])
    assert result.exit_code == 0, result.output
    for name in ("ngo_incidents_template_en.csv", "ngo_incidents_template_en.xlsx",
                 "ngo_incidents_template_es.csv", "ngo_incidents_template_es.xlsx"):
        assert (tmp_path / "templates" / name).read_bytes() == (template.TEMPLATE_DIR / name).read_bytes()
    assert (tmp_path / "doc.md").read_bytes() == template.TEMPLATE_DOC.read_bytes()


def test_harmstats_ngo_check_reports_a_submission_row_by_row():
    path = DEFAULT_RAW_DIR / "ngo_incidents" / "SAMPLE-2025-06-30" / "registro_incidentes_2023_2025.xlsx"
    result = CliRunner().invoke(app, ["ngo", "check", str(path), "--period-end", "2025-06-30"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Revisión de registro_incidentes_2023_2025.xlsx (plantilla en español)"
    assert lines[2].startswith("Filas leídas: 456. Se pueden usar: 451. Con problemas: 5")
    assert "Fila 122:" in lines and any("«31/02/2025» no es una fecha" in line for line in lines)
    bad = CliRunner().invoke(app, ["ngo", "check", str(path), "--period-end", "30/06/2025"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_blank_templates_parse_and_have_no_name_column(tmp_path):
    for path in template.write_templates(tmp_path):
        raw = ngo.read_raw(path)
        assert raw.frame.empty and raw.format_version.startswith("template_")
        assert not any(ngo.IDENTIFYING.search(ngo.label_key(h)) for h in raw.frame.columns)


def test_doc_lists_every_allowed_value():
    doc = template.TEMPLATE_DOC.read_text(encoding="utf-8")
    for table in set(template.COLUMN_TABLE.values()):
        for language in ("en", "es"):
            for label in ngo.allowed(table, language):
                assert f"`{label}`" in doc, (table, label)
    for header in EN + ES:
        assert header in doc


def test_maps_give_canonical_codes():
    valid = {"ngo_perpetrators": set(codes.PERPETRATOR), "ngo_sex": set(codes.SEX),
             "ngo_gender_identity": set(codes.GENDER_IDENTITY),
             "ngo_stages": set(codes.STAGE) | {"not_reported"}, "ngo_yes_no": {"yes", "no", "unknown"},
             "ngo_age_labels": {"child", "adult", "unknown"}}
    for table, allowed_codes in valid.items():
        assert {r["code"] for r in ngo.map_rows(table)} <= allowed_codes, table
    crimes = ngo.map_rows(ngo.CRIME_MAP)
    assert {r["crime_type"] for r in crimes} <= set(codes.CRIME_TYPE)
    assert {r["sgbv"] for r in crimes} <= set(codes.SGBV)
    # Every language lists every code of every table.
    for table in list(valid) + [ngo.CRIME_MAP]:
        key = "crime_type" if table == ngo.CRIME_MAP else "code"
        rows = ngo.map_rows(table)
        for language in ("en", "es"):
            shown = {r[key] for r in rows if r["language"] == language and r["shown"] == "yes"}
            assert shown == {r[key] for r in rows}, (table, language)


# --- generated samples ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return curate_samples(tmp_path_factory.mktemp("ngo"), ngo, write_samples)


def test_samples_languages_formats_and_bad_rows(samples):
    assert [(s.name, p.suffix, raw.format_version) for s, p, raw, _ in samples] == [
        ("SAMPLE-2025-06-30", ".xlsx", "template_es_v1"),
        ("SAMPLE-2025-12-31", ".csv", "template_en_v1")]
    (es_snap, es_path, _, es_part), (_, _, _, en_part) = samples
    assert en_part.quarantine.empty and 600 <= en_part.rows_read <= 1500
    assert es_part.rows_quarantined == 5 and es_part.rows_read == 456
    assert set(es_part.quarantine["check"]) == {
        "allowed_value", "date_format", "country_known", "age_band", "stage_consistent",
        "record_id_unique", "record_id_present"}
    report = submission_report(es_path, date(2025, 6, 30))
    assert report.count("\nFila ") == 5 and "Con problemas: 5" in report
    for _, _, _, part in samples:
        assert part.rows_read == part.rows_accepted + part.rows_quarantined
        assert len(part.tables["crimes"]) == part.rows_accepted
        assert part.unmapped.empty
    assert ngo.SOURCE.spec.person_level and ngo.SOURCE.spec.confidential


def test_sample_exercises_every_breakdown(samples):
    crimes = pd.concat([p.tables["crimes"] for *_, p in samples], ignore_index=True)
    cases = pd.concat([p.tables["prosecutions"] for *_, p in samples], ignore_index=True)
    assert set(crimes["sex"]) == {"female", "male", "other", "unknown"}
    assert set(crimes["gender_identity"]) == {"woman", "man", "transgender_or_gender_diverse",
                                              "unknown", "not_recorded"}
    assert set(crimes["age_group"]) == {"child", "adult", "unknown"}
    assert set(crimes["race_ethnicity"]) == {"indigenous", "black_afrodescendant", "multiple",
                                             "unknown"}
    assert set(crimes["perpetrator"]) == set(codes.PERPETRATOR) - {"not_recorded"}
    assert {r["crime_type"] for r in ngo.map_rows(ngo.CRIME_MAP)} == set(crimes["crime_type"])
    assert set(crimes["sgbv"]) == {"yes", "no", "unknown"}
    assert {"HND", "GTM", "SLV", "VEN", "HTI", "MULTIPLE", "STATELESS", "UNKNOWN"} <= \
        set(crimes["nationality"])
    assert crimes["nationality"].nunique() >= 14
    assert {"MEX", "GTM", "USA", "UNKNOWN"} <= set(crimes["country_iso3"])
    assert set(crimes["year"]) == {2021, 2022, 2023, 2024, 2025}
    assert set(cases["stage"]) == {"reported", "prosecuted", "convicted", "acquitted", "dismissed",
                                   "pending", "unknown"}
    # Small cells exist (disclosure control has something to do).
    cells = crimes.groupby(["year", "crime_type", "sex", "nationality"]).size()
    assert (cells <= 2).sum() > 50


@pytest.mark.parametrize("table", ["crimes", "prosecutions"])
def test_sample_statistics_margins_hold(samples, table):
    records = pd.concat([p.tables[table] for *_, p in samples], ignore_index=True)
    info = pd.DataFrame([{"source": s.source, "snapshot": s.name, "is_latest": i == 1,
                          "period_end": pd.Timestamp(s.period_end)} for i, (s, *_) in enumerate(samples)])
    stats, problems = case_stats(records, table, {ngo.SOURCE.id: True}, info)
    spec = STREAMS[table]
    assert case_margin_violations(stats, spec["fixed"], spec["dims"], problems).empty
    assert problems.empty
    grand = stats[(stats[list(spec["dims"])] == "all").all(axis=1)]
    by_year = records.groupby(["snapshot", "year"] + (["stage"] if table == "prosecutions" else []))
    assert grand["value"].sum() == len(records) == by_year.size().sum()
    partial = grand.groupby(["snapshot", "year"])["partial_year"].first()
    assert partial[("SAMPLE-2025-06-30", 2025)] and not partial[("SAMPLE-2025-12-31", 2025)]


def test_a_repeat_after_rows_without_an_id_names_the_row_it_repeats(tmp_path):
    """Rows that cannot carry an id (blank id, bad victim number) come first: the repeat's
    reason still names the right earlier row (it used to name a wrong one, or crash)."""
    rows = [BAD_EN[3], BAD_EN[4], ROWS_EN[0], ROWS_EN[5], ROWS_EN[0], ROWS_EN[5]]
    *_, part = _submit(tmp_path, EN, rows)
    repeats = part.quarantine[part.quarantine["check"] == "record_id_unique"]
    assert repeats["raw_row"].tolist() == [6, 7]
    assert [r.split("row ")[1].split(":")[0] for r in repeats["reason"]] == ["4", "5"]
    assert repeats["value"].tolist() == ["A-1", "A-5"]
