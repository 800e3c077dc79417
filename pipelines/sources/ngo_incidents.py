"""NGO and shelter incident logs: the harmstats template (docs/ngo_incidents_template.md), filled
in by shelters and NGOs, one row per victim of an incident. Confidential person-level data:
records stay in the catalog; the public release only gets statistics after disclosure control.

The template exists in English and Spanish (two header maps = two format versions of one
module), as CSV (comma, semicolon or tab; UTF-8 or Windows-1252) or XLSX (first sheet). Headers
are matched ignoring case and accents. It has no name column; a file with a column that looks
like names or other identifying details (phone, address, document number, date of birth) is
refused before any row is read. The place column (state or municipality) is free text and is
never copied into a curated table.

Every row is checked; a row that fails goes to quarantine with the reason in plain language, in
the language of the file's headers. `submission_report(path)` renders those reasons row by row
for the submitter. Blank coded cells mean "unknown"; a value outside the documented list is an
error (the message lists the allowed values), never silently unknown.

Records:
- `crimes`: one per victim: value 1, unit persons, subject victim, year of the incident date
  (year_basis incident), crime type and SGBV flag (maps/crime_types_ngo_incidents.csv),
  perpetrator, sex, gender identity, age group, nationality, and race_ethnicity from the two
  self-identification flags: both yes -> multiple, Indigenous yes -> indigenous,
  Afro-descendant yes -> black_afrodescendant, anything else -> unknown ("no" to both does not
  say what the person's race or ethnicity is; nothing is inferred from nationality).
- `prosecutions`: one per victim whose case reached a stage: the furthest stage reached
  (charged -> prosecuted), offence = the crime type. "not reported" gives no record; a blank or
  unknown stage gives stage unknown only where the crime was reported. Stages are never summed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.harmonize.countries import map_countries
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.distinct import per_distinct
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawFormatError, RawTable
from pipelines.sources.cases import finish_case_records
from pipelines.sources.formats import validate_raw
from pipelines.sources.readers import (cell_text, decode_text, iter_csv_text, read_first_line,
                                       read_xlsx_rows, sniff_problem)
from pipelines.sources.source import Source, SourceSpec
from schemas import codes as code_lists
from schemas.raw.ngo_incidents import COLUMNS, HEADERS, LANGUAGE, SCHEMAS

# Free text (state or municipality) for the submitter's own records: never copied into a
# curated table (not a name column: a place equal to a country name must not block a release).
PLACE_HEADERS = tuple(HEADERS[v][COLUMNS.index("place")] for v in HEADERS)
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
MAPS = Path(__file__).resolve().parent.parent / "harmonize" / "maps"
ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE_DIR = ROOT / "docs" / "templates"
TEMPLATE_DOC = ROOT / "docs" / "ngo_incidents_template.md"
COLUMN_MAPS = {version: dict(zip(COLUMNS, headers)) for version, headers in HEADERS.items()}
BREAKDOWN = "victims"
CASE_STAGES = ("reported", "prosecuted", "convicted", "acquitted", "dismissed", "pending")
DATE_FORMATS = {
    "en": ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m", "%Y"),
    "es": ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%d-%m-%Y",
           "%Y-%m", "%Y"),
}
# Label tables (maps/<name>.csv: label, code, language, shown, note) per coded column.
TABLES = {"perpetrator": "ngo_perpetrators", "sex": "ngo_sex",
          "gender_identity": "ngo_gender_identity", "indigenous": "ngo_yes_no",
          "afro": "ngo_yes_no", "reported": "ngo_yes_no", "stage": "ngo_stages"}
CRIME_MAP = "crime_types_ngo_incidents"
# Headers that look like identifying details (matched on words, ignoring case and accents).
IDENTIFYING = re.compile(
    r"\b(names?|surnames?|first name|last name|full name|nombres?|apellidos?|phone|telephone|"
    r"mobile|telefono|celular|e-?mail|correo|address|direccion|domicilio|passport|pasaporte|"
    r"document number|numero de documento|documento de identidad|curp|date of birth|birth date|"
    r"fecha de nacimiento|photo|foto)\b")


# --- messages ---------------------------------------------------------------------------------

MESSAGES = {
    "en": {
        "title": "Check of {file} (English template)",
        "summary": "Rows read: {read}. Can be used: {accepted}. With problems: {bad} "
                   "(left out until corrected).",
        "counts": "Victims recorded: {victims}; of them with a case followed up: {cases}.",
        "ok": "No problems found.",
        "row": "Row {row}:",
        "cannot_read": "The file cannot be read: {problem}",
        "identifying": "Column “{column}” looks like it holds names or other details that "
                       "identify a person. The template must never contain them: delete the "
                       "column and send the file again. Names stay with the organisation that "
                       "recorded them.",
        "duplicate_header": "Column “{column}” appears more than once: keep one.",
        "no_header": "The first row is not a header row: none of its cells is a column name of "
                     "the template (it looks like a row of data). Put the template's header "
                     "row first: {columns}.",
        "header": "The header row does not match the English template.",
        "missing": "Missing columns: {columns}.",
        "unexpected": "Columns the template does not have: {columns} (delete them: free-text "
                      "notes can identify people and are never read).",
        "expected": "The template's columns are, in order: {columns}. See "
                    "docs/ngo_incidents_template.md or start from "
                    "docs/templates/ngo_incidents_template_en.csv.",
        "long_row": "the row has more cells than the header (a comma inside a value? Put the "
                    "value in quotes)",
        "id_present": "the incident ID is empty: give every row the ID your organisation uses "
                      "for the incident (never a name)",
        "victim_number": "“{value}” is not a victim number: write 1 for the first victim of the "
                         "incident, 2 for the second, and so on",
        "duplicate": "the same incident ID and victim number are already in row {first}: give "
                     "each victim of an incident its own number (1, 2, 3...)",
        "date_present": "the incident date is empty: write it as YYYY-MM-DD (e.g. 2025-03-14), "
                        "or 2025-03 or 2025 if you only know the month or year",
        "date_format": "“{value}” is not a date in the form YYYY-MM-DD (e.g. 2025-03-14); if "
                       "you only know the month or the year, write 2025-03 or 2025",
        "date_ambiguous": "“{value}” could be day/month or month/day: write dates as YYYY-MM-DD "
                          "(e.g. 2025-04-03)",
        "year_in_range": "the year of “{value}” is not plausible",
        "date_after_period": "the date “{value}” is after {end}, the end of the period this "
                             "file covers",
        "allowed_value": "“{value}” is not one of the allowed values: {allowed}",
        "country_known": "the country “{value}” was not recognised: write the country's name "
                         "or its three-letter ISO code (e.g. Mexico or MEX)",
        "one_country": "“{value}” is not one country: write the one country where it happened "
                       "(leave it blank if unknown)",
        "nationality_known": "the nationality “{value}” was not recognised: write the country's "
                             "name or its three-letter ISO code (e.g. Honduras or HND); for "
                             "several, separate them with “;”",
        "age_format": "“{value}” is not an age: write the age in years (e.g. 34), a band "
                      "(e.g. 12-17 or 25-34), or one of: {allowed}",
        "age_band": "the band “{value}” spans 18: give the age in years or a band entirely "
                    "under 18 or entirely 18 and over",
        "stage_not_reported": "the case stage is “{value}”, but the crime is marked as not "
                              "reported to authorities",
        "reported_not_reported": "the crime is marked as reported to authorities, but the case "
                                 "stage is “{value}”",
    },
    "es": {
        "title": "Revisión de {file} (plantilla en español)",
        "summary": "Filas leídas: {read}. Se pueden usar: {accepted}. Con problemas: {bad} "
                   "(no se incluyen hasta corregirlas).",
        "counts": "Víctimas registradas: {victims}; con seguimiento del caso: {cases}.",
        "ok": "No se encontraron problemas.",
        "row": "Fila {row}:",
        "cannot_read": "No se puede leer el archivo: {problem}",
        "identifying": "La columna «{column}» parece contener nombres u otros datos que "
                       "identifican a una persona. La plantilla nunca debe contenerlos: elimine "
                       "la columna y vuelva a enviar el archivo. Los nombres se quedan en la "
                       "organización que los registró.",
        "duplicate_header": "La columna «{column}» aparece más de una vez: deje solo una.",
        "no_header": "La primera fila no es una fila de encabezados: ninguna de sus celdas es un "
                     "nombre de columna de la plantilla (parece una fila de datos). Ponga "
                     "primero la fila de encabezados de la plantilla: {columns}.",
        "header": "La fila de encabezados no coincide con la plantilla en español.",
        "missing": "Faltan las columnas: {columns}.",
        "unexpected": "Columnas que la plantilla no tiene: {columns} (elimínelas: las notas "
                      "de texto libre pueden identificar a personas y nunca se leen).",
        "expected": "Las columnas de la plantilla son, en este orden: {columns}. Consulte "
                    "docs/ngo_incidents_template.md o parta de "
                    "docs/templates/ngo_incidents_template_es.csv.",
        "long_row": "la fila tiene más celdas que el encabezado (¿una coma dentro de un valor? "
                    "Ponga el valor entre comillas)",
        "id_present": "el ID del incidente está vacío: ponga en cada fila el ID que su "
                      "organización usa para el incidente (nunca un nombre)",
        "victim_number": "«{value}» no es un número de víctima: escriba 1 para la primera "
                         "víctima del incidente, 2 para la segunda, etc.",
        "duplicate": "el mismo ID del incidente y número de víctima ya están en la fila "
                     "{first}: dé a cada víctima del incidente su propio número (1, 2, 3...)",
        "date_present": "la fecha del incidente está vacía: escríbala como AAAA-MM-DD o "
                        "DD/MM/AAAA (p. ej. 2025-03-14 o 14/03/2025), o 2025-03 o 2025 si solo "
                        "sabe el mes o el año",
        "date_format": "«{value}» no es una fecha con la forma AAAA-MM-DD o DD/MM/AAAA (p. ej. "
                       "2025-03-14 o 14/03/2025); si solo sabe el mes o el año, escriba "
                       "2025-03 o 2025",
        "date_ambiguous": "«{value}» no es una fecha válida: escríbala como AAAA-MM-DD o "
                          "DD/MM/AAAA",
        "year_in_range": "el año de «{value}» no es plausible",
        "date_after_period": "la fecha «{value}» es posterior a {end}, el final del periodo "
                             "que cubre este archivo",
        "allowed_value": "«{value}» no es uno de los valores permitidos: {allowed}",
        "country_known": "no se reconoce el país «{value}»: escriba el nombre del país o su "
                         "código ISO de tres letras (p. ej. México o MEX)",
        "one_country": "«{value}» no es un solo país: escriba el país donde ocurrió (déjelo "
                       "vacío si no se sabe)",
        "nationality_known": "no se reconoce la nacionalidad «{value}»: escriba el nombre del "
                             "país o su código ISO de tres letras (p. ej. Honduras o HND); si "
                             "son varias, sepárelas con «;»",
        "age_format": "«{value}» no es una edad: escriba la edad en años (p. ej. 34), un rango "
                      "(p. ej. 12-17 o 25-34) o uno de: {allowed}",
        "age_band": "el rango «{value}» incluye edades menores y mayores de 18: escriba la edad "
                    "en años o un rango totalmente menor de 18 o totalmente de 18 o más",
        "stage_not_reported": "la etapa del caso es «{value}», pero el delito está marcado como "
                              "no denunciado ante autoridades",
        "reported_not_reported": "el delito está marcado como denunciado ante autoridades, pero "
                                 "la etapa del caso es «{value}»",
    },
}
QUOTES = {"en": ("“", "”"), "es": ("«", "»")}


def message(language: str, key: str, **values) -> str:
    """A message in the submitter's language ("both": English, then Spanish)."""
    if language == "both":
        return " / ".join(message(lang, key, **values) for lang in ("en", "es"))
    return MESSAGES[language][key].format(**values)


def _quoted(language: str, names) -> str:
    left, right = QUOTES["es" if language == "es" else "en"]
    return ", ".join(f"{left}{n}{right}" for n in names)


class SubmissionError(RawFormatError):
    """A file refused as a whole (identifying column, unknown header), with a plain message in
    the submitter's language."""

    def __init__(self, path: Path, plain: str, language: str):
        super().__init__(path, plain, row=1)
        self.plain, self.language = plain, language


@dataclass
class SubmissionTable(RawTable):
    """A submitted file: rows with more cells than the header are remembered, not cut."""

    long_rows: np.ndarray | None = None


# --- labels -----------------------------------------------------------------------------------

def label_key(text: str) -> str:
    """Lookup key: normalise_label, then accents, underscores and repeated spaces removed."""
    text = normalise_label(text).replace("_", " ")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(text.split())


@cache
def map_rows(name: str) -> tuple[dict, ...]:
    """Rows of maps/<name>.csv without comment lines."""
    with (MAPS / f"{name}.csv").open(encoding="utf-8") as handle:
        return tuple(r for r in csv.DictReader(handle) if not r["label"].startswith("#"))


@cache
def lookup(name: str) -> dict:
    """Key -> code (or (crime_type, sgbv) for the crime map); the codes themselves accepted too."""
    table = {}
    for row in map_rows(name):
        value = (row["crime_type"], row["sgbv"]) if name == CRIME_MAP else row["code"]
        table.setdefault(label_key(row["label"]), value)
        table.setdefault(label_key(value[0] if name == CRIME_MAP else value), value)
    return table


def allowed(name: str, language: str) -> list[str]:
    """The labels a template in `language` lists for a column."""
    language = "en" if language == "both" else language
    return [r["label"] for r in map_rows(name) if r["language"] == language and r["shown"] == "yes"]


# --- load -------------------------------------------------------------------------------------

def check_header(path: Path, header: list[str]) -> tuple[str, dict[str, str]]:
    """(format version, submitted header -> template header), or a SubmissionError in the
    language the header is closest to (both languages when it matches neither)."""
    keys = [label_key(h) for h in header]
    scores = {v: len(set(keys) & {label_key(h) for h in HEADERS[v]}) for v in HEADERS}
    best = max(scores, key=scores.get)
    tie = sum(1 for s in scores.values() if s == scores[best]) > 1
    language = "both" if tie else LANGUAGE[best]
    if scores[best] == 0 and len(header) >= len(HEADERS[best]):  # a row of data comes first
        raise SubmissionError(path, "\n".join(
            message(LANGUAGE[v], "no_header", columns=", ".join(HEADERS[v])) for v in HEADERS), "both")
    for text, key in zip(header, keys):
        if IDENTIFYING.search(key):
            raise SubmissionError(path, message(language, "identifying", column=text.strip()),
                                  language)
    for text, key in zip(header, keys):
        if keys.count(key) > 1:
            raise SubmissionError(path, message(language, "duplicate_header", column=text.strip()),
                                  language)
    expected = {label_key(h): h for h in HEADERS[best]}
    if set(keys) == set(expected):
        return best, {text: expected[key] for text, key in zip(header, keys)}
    versions = list(HEADERS) if tie else [best]
    parts = []
    for version in versions:
        lang = LANGUAGE[version]
        wanted = {label_key(h): h for h in HEADERS[version]}
        missing = [h for k, h in wanted.items() if k not in keys]
        new = [t.strip() or "(blank)" for t, k in zip(header, keys) if k not in wanted]
        text = [message(lang, "header")]
        if missing:
            text.append(message(lang, "missing", columns=_quoted(lang, missing)))
        if new:
            text.append(message(lang, "unexpected", columns=_quoted(lang, new)))
        text.append(message(lang, "expected", columns=", ".join(HEADERS[version])))
        parts.append(" ".join(text))
    raise SubmissionError(path, "\n".join(parts), language)


def _csv_records(path: Path) -> list[list[str]]:
    """Every CSV record (comma, semicolon or tab, told from the header line)."""
    with path.open("rb") as handle:  # the delimiters are ASCII in every encoding read
        delimiter = delimiter_of(handle.readline(1 << 20).decode("latin-1"))
    text, _ = decode_text(path, ENCODINGS, delimiter)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def delimiter_of(header_line: str) -> str:
    """The delimiter a submission uses: comma, semicolon or tab, the most frequent in its
    header line."""
    return max([",", ";", "\t"], key=header_line.count)


def read_raw(path: Path) -> SubmissionTable:
    """A submission (CSV or XLSX) as text, its language told from its header."""
    problem = sniff_problem(path)
    if problem:
        raise RawFormatError(path, problem)
    if path.suffix.lower() == ".xlsx":
        records = [[cell_text(c) for c in row] for row in read_xlsx_rows(path)]
    else:
        records = _csv_records(path)
    if not records:
        raise RawFormatError(path, "the file is empty")
    header = [h.strip() for h in records[0]]
    body = records[1:]
    # Blank header cells over empty columns (trailing commas, formatted XLSX cells) are dropped.
    keep = [i for i, h in enumerate(header)
            if h or any(i < len(r) and r[i].strip() for r in body)]
    header = [header[i] for i in keep]
    version, renames = check_header(path, header)
    rows, numbers, long_rows = [], [], []
    for number, record in enumerate(body, start=2):
        extra = [c for i, c in enumerate(record) if i not in keep and c.strip()]
        cells = [record[i] if i < len(record) else "" for i in keep]
        if not any(c.strip() for c in cells) and not extra:
            continue  # a blank row
        rows.append(cells)
        numbers.append(number)
        long_rows.append(bool(extra))
    frame = pd.DataFrame(rows, columns=[renames[h] for h in header], dtype="str") if rows else \
        pd.DataFrame({renames[h]: pd.Series(dtype="str") for h in header})
    frame = frame.fillna("")
    raw = SubmissionTable(path=path, frame=frame[HEADERS[version]], format_version=version,
                          raw_rows=np.asarray(numbers, dtype=np.int64),
                          long_rows=np.asarray(long_rows, dtype=bool))
    validate_raw(raw, SCHEMAS[version])
    return raw


def read_raw_chunks(path: Path, rows: int) -> Iterator[SubmissionTable]:
    """`read_raw` in chunks of `rows` records, for a plain CSV submission (UTF-8, every
    record as wide as the header, no blank header cell, no empty line); any other file,
    and every workbook, is read whole by `read_raw`."""
    if path.suffix.lower() == ".xlsx":
        yield read_raw(path)
        return
    try:
        first_line = read_first_line(path)
    except UnicodeDecodeError:
        yield read_raw(path)
        return
    version = renames = None
    for raw in iter_csv_text(path, "", ENCODINGS, rows, delimiter=delimiter_of(first_line),
                             empty_lines_are_records=True, exact=lambda: read_raw(path)):
        if isinstance(raw, SubmissionTable):  # read whole, exactly
            yield raw
            continue
        if version is None:
            version, renames = check_header(path, [str(c).strip() for c in raw.frame.columns])
        yield _submission_chunk(raw, version, renames)


def _submission_chunk(raw: RawTable, version: str, renames: dict[str, str]) -> SubmissionTable:
    """A chunk read by Arrow as `read_raw` would give it: canonical columns, blank rows left
    out (their row numbers kept by the others), validated against the raw schema."""
    frame = raw.frame.set_axis([renames[str(c).strip()] for c in raw.frame.columns], axis=1)
    filled = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        filled |= (frame[column].str.strip() != "").to_numpy()
    frame = frame[HEADERS[version]][filled].reset_index(drop=True)
    table = SubmissionTable(path=raw.path, frame=frame, format_version=version,
                            raw_rows=raw.raw_rows[filled],
                            long_rows=np.zeros(len(frame), dtype=bool))
    validate_raw(table, SCHEMAS[version])
    return table


# --- process ----------------------------------------------------------------------------------

def language_of(raw: RawTable) -> str:
    return LANGUAGE[raw.format_version]


class _Checker:
    """Quarantines rows with reasons in the submitter's language."""

    def __init__(self, raw: RawTable, curation: Curation):
        self.raw, self.curation = raw, curation
        self.language = language_of(raw)
        self.columns = COLUMN_MAPS[raw.format_version]
        self._texts: dict[str, pd.Series] = {}

    def text(self, name: str) -> pd.Series:
        """A column as stripped text (worked out once: the checks read columns many times)."""
        if name not in self._texts:
            self._texts[name] = self.raw.frame[self.columns[name]].astype("str").str.strip()
        return self._texts[name].copy(deep=False)  # a caller's edits never reach the cache

    def reject(self, mask, name: str, check: str, key: str, **values) -> None:
        self.curation.reject(np.asarray(mask, dtype=bool), self.columns[name], check,
                             message(self.language, key, **values))

    def reject_values(self, mask, name: str, check: str, key: str, **values) -> None:
        """One quarantine entry per bad row, the reason quoting the row's own value."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        rows = np.flatnonzero(mask)
        # Group the bad rows by value once, instead of comparing every row to each value.
        codes, uniques = pd.factorize(self.text(name).iloc[rows])
        for code, value in enumerate(uniques):
            one = np.zeros(len(mask), dtype=bool)
            one[rows[codes == code]] = True
            self.reject(one, name, check, key, value=value, **values)

    def coded(self, name: str, table: str) -> pd.Series:
        """Codes of a coded column: blank -> "" (the caller decides), bad values quarantined."""
        table_ = lookup(table)
        # Map each distinct value once: the cells of a coded column repeat a few labels.
        codes = per_distinct(self.text(name), lambda cells: cells.map(
            {v: (table_.get(label_key(v)) if v else "") for v in pd.unique(cells)}))
        bad = codes.isna().to_numpy()
        self.reject_values(bad, name, "allowed_value", "allowed_value",
                           allowed=", ".join(allowed(table, self.language)))
        return codes


def _age_groups(check: _Checker) -> pd.Series:
    """child / adult / unknown from years, a band, or a word; bad ages quarantined."""
    groups, unreadable, spans = per_distinct(check.text("age"), _read_ages)
    check.reject_values(unreadable, "age", "age_format", "age_format",
                        allowed=", ".join(allowed("ngo_age_labels", check.language)))
    check.reject_values(spans, "age", "age_band", "age_band")
    return groups


def _read_ages(text: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(age group, mask of unreadable ages, mask of bands spanning 18) of age cells."""
    key = text.map({v: label_key(v) for v in pd.unique(text)})
    groups = pd.Series("unknown", index=text.index, dtype="str")
    years = pd.to_numeric(key.str.extract(r"^(\d{1,3})(?:[.,]0+)?(?:\s*(?:anos|years?|yrs?))?$",
                                          expand=False), errors="coerce")
    groups[years.notna()] = np.where(years[years.notna()] < 18, "child", "adult")
    bad = (years > 120).fillna(False).to_numpy()
    band = key.str.extract(r"^(\d{1,3})\s*(?:-|a|to)\s*(\d{1,3})(?:\s*(?:anos|years))?$")
    plus = pd.to_numeric(key.str.extract(r"^(\d{1,3})\s*(?:\+|or over|o mas)$", expand=False),
                         errors="coerce")
    low = pd.to_numeric(band[0], errors="coerce").fillna(plus)
    high = pd.to_numeric(band[1], errors="coerce").fillna(plus.where(plus.isna(), 999))
    is_band = low.notna() & years.isna()
    groups[is_band & (high < 18)] = "child"
    groups[is_band & (low >= 18)] = "adult"
    spans = (is_band & (low < 18) & (high >= 18)).to_numpy() | (is_band & (low > high)).to_numpy()
    words = lookup("ngo_age_labels")
    worded = key.map(words)
    is_word = years.isna().to_numpy() & ~is_band.to_numpy() & worded.notna().to_numpy()
    groups[is_word] = worded[is_word]
    unreadable = (text != "").to_numpy() & years.isna().to_numpy() & ~is_band.to_numpy() & ~is_word
    return groups, bad | unreadable, spans


def _years(check: _Checker, snapshot: Snapshot) -> tuple[pd.Series, pd.Series]:
    """Year of the incident date, and the date where it gives at least a month (where the
    records stop); blank, unreadable, ambiguous or late dates quarantined."""
    text = check.text("incident_date")
    dates, unreadable = parse_dates(text, DATE_FORMATS[check.language])
    blank = (text == "").to_numpy()
    check.reject(blank, "incident_date", "date_present", "date_present")
    ambiguous = unreadable & per_distinct(
        text, lambda cells: cells.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}").to_numpy())
    key = "date_ambiguous" if check.language == "en" else "date_format"
    check.reject_values(ambiguous, "incident_date", "date_format", key)
    check.reject_values(unreadable & ~ambiguous, "incident_date", "date_format", "date_format")
    year = pd.Series(dates.dt.year, index=text.index).astype("Int32")
    implausible = ~year.between(1900, 2100).fillna(True).to_numpy()
    check.reject_values(implausible, "incident_date", "year_in_range", "year_in_range")
    end = snapshot.period_end_date()
    if end is not None and not snapshot.is_sample:
        late = (dates > pd.Timestamp(end)).fillna(False).to_numpy()
        check.reject_values(late, "incident_date", "date_in_period", "date_after_period",
                            end=end.isoformat())
    year_only = per_distinct(text, lambda cells: cells.str.fullmatch(r"\s*\d{4}\s*").to_numpy())
    return year, dates.mask(year_only)


def _countries(check: _Checker, name: str, log_key: str) -> pd.Series:
    """Codes of a country or nationality column; unrecognised names quarantined."""
    text = check.text(name)
    scratch = UnmappedLog()
    codes = map_countries(text, scratch, check.columns[name])
    unknown = {value for (_, _, value) in scratch.counts}
    bad = text.isin(unknown).to_numpy()
    check.reject_values(bad, name, "country_known", log_key)
    if name == "country":
        several = (~codes.str.fullmatch(r"[A-Z]{3}|UNKNOWN")).to_numpy() & ~bad
        check.reject_values(several, name, "one_country", "one_country")
    return codes


def _crime_codes(text: pd.Series) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """(crime type, sgbv, mask of labels outside the list) of crime type cells; blank and
    unknown labels give unknown / unknown."""
    crime_table = lookup(CRIME_MAP)
    crime = text.map(lambda v: crime_table.get(label_key(v)) if v else ("unknown", "unknown"))
    unknown = crime.isna().to_numpy()
    crime = crime.map(lambda v: v if isinstance(v, tuple) else ("unknown", "unknown"))
    return crime.map(lambda v: v[0]), crime.map(lambda v: v[1]), unknown


def reject_repeated_ids(check: _Checker, ids: pd.Series, raw_rows: np.ndarray) -> None:
    """Quarantine rows whose incident id and victim number ("" where unusable) repeat an
    earlier row, naming that row; the ids are kept for the same check across chunks."""
    usable = (ids != "").to_numpy()
    repeated = np.zeros(len(ids), dtype=bool)
    repeated[usable] = ids[usable].duplicated(keep="first").to_numpy()
    template = message(check.language, "duplicate", first="{first}")
    if repeated.any():  # the grouping is slow at scale: only done when there are duplicates
        firsts = pd.Series(raw_rows[usable]).groupby(ids[usable].to_numpy()).transform("min")
        first_of = np.zeros(len(ids), dtype=np.int64)
        first_of[usable] = firsts.to_numpy()
        check.curation.reject_each(repeated, check.columns["incident_id"], "record_id_unique",
                                   [template.replace("{first}", str(f)) for f in first_of[repeated]])
    check.curation.row_ids = ("publisher", check.columns["incident_id"], ids, template)


def to_curated(raw: RawTable, snapshot: Snapshot) -> CuratedPart:
    """Harmonise one submission into `crimes` (victims) and `prosecutions` (case stage);
    rows that fail a check go to quarantine with the reason in the file's language."""
    curation = Curation(raw, snapshot.source, snapshot.name)
    check = _Checker(raw, curation)
    log = UnmappedLog()
    long_rows = getattr(raw, "long_rows", None)
    if long_rows is not None and long_rows.any():
        check.reject(long_rows, "stage", "complete_record", "long_row")

    incident = check.text("incident_id")
    check.reject(incident == "", "incident_id", "record_id_present", "id_present")
    number_text = check.text("victim_number").replace("", "1")
    number = per_distinct(number_text, lambda cells: pd.to_numeric(
        cells.str.extract(r"^(\d{1,4})(?:\.0+)?$", expand=False), errors="coerce"))
    bad_number = (number.isna() | (number < 1)).to_numpy()
    check.reject_values(bad_number, "victim_number", "whole_number", "victim_number")
    ids = incident + "#" + number.fillna(0).astype(int).astype(str)
    usable = (incident != "").to_numpy() & ~bad_number
    reject_repeated_ids(check, ids.where(usable, ""), raw.raw_rows)

    year, dated = _years(check, snapshot)
    country = _countries(check, "country", "country_known")
    nationality = _countries(check, "nationality", "nationality_known")

    crime_text = check.text("crime_type")
    crime_type, sgbv, unknown_crime = per_distinct(crime_text, _crime_codes)
    check.reject_values(unknown_crime, "crime_type", "allowed_value", "allowed_value",
                        allowed=", ".join(allowed(CRIME_MAP, check.language)))

    coded = {name: check.coded(name, table) for name, table in TABLES.items()}
    unknown_if_blank = {name: c.replace("", "unknown").fillna("unknown") for name, c in coded.items()}
    age_group = _age_groups(check)

    reported, stage = unknown_if_blank["reported"], coded["stage"].fillna("")
    stage_text = check.text("stage")
    check.reject_values((stage.isin(CASE_STAGES) & (reported == "no")).to_numpy(), "stage",
                        "stage_consistent", "stage_not_reported")
    check.reject_values(((stage == "not_reported") & (reported == "yes")).to_numpy(), "stage",
                        "stage_consistent", "reported_not_reported")

    ind, afro = unknown_if_blank["indigenous"], unknown_if_blank["afro"]
    race = np.select([(ind == "yes") & (afro == "yes"), ind == "yes", afro == "yes"],
                     ["multiple", "indigenous", "black_afrodescendant"], "unknown")
    person = pd.DataFrame({
        "_row": np.arange(len(raw.frame)), "record_id": ids, "year": year,
        "year_basis": "incident", "country_iso3": country,
        "country_native": check.text("country").replace("", None), "breakdown": BREAKDOWN,
        "subject": "victim", "sex": unknown_if_blank["sex"],
        "gender_identity": unknown_if_blank["gender_identity"], "age_group": age_group,
        "nationality": nationality,
        "nationality_native": check.text("nationality").replace("", None),
        "race_ethnicity": race, "unit": "persons", "value": pd.array([1] * len(ids), dtype="Int64"),
        "sgbv": sgbv, "flags": "", "_dated": dated,
    }, index=raw.frame.index)
    crimes = person.assign(crime_type=crime_type,
                           crime_type_native=crime_text.replace("", None),
                           perpetrator=unknown_if_blank["perpetrator"],
                           bias_motivation=np.where(crime_type == "hate_crime", "unknown",
                                                    "not_applicable"))
    stage = stage.mask((stage == "") & (reported == "yes"), "unknown")
    has_case = stage.isin(code_lists.STAGE) & ~((stage == "unknown") & (reported != "yes"))
    prosecutions = person[has_case.to_numpy()].assign(
        offence=crime_type[has_case], offence_native=crime_text[has_case].replace("", None),
        stage=stage[has_case], stage_native=stage_text[has_case].replace("", None))
    return finish_case_records({"crimes": crimes.reset_index(drop=True),
                                "prosecutions": prosecutions.reset_index(drop=True)},
                               raw, snapshot, curation, log, SOURCE.spec.population)


def row_totals(raw: RawTable) -> pd.Series:
    """The source's own total per row: one victim each (for tests)."""
    return pd.Series(1, index=raw.frame.index, dtype="Int64")


# --- the submitter's report -------------------------------------------------------------------

def submission_report(path: Path, period_end: date | None = None) -> str:
    """A plain-language, row-by-row report on a submitted file, in the language of its headers
    (dates after `period_end`, default today, are reported too)."""
    path = Path(path)
    try:
        raw = read_raw(path)
    except SubmissionError as exc:
        language = "es" if exc.language == "es" else "en"
        return "\n".join([message(language, "title", file=path.name), "", exc.plain, ""])
    except RawFormatError as exc:
        problem = str(exc).split(": ", 1)[-1]
        return message("both", "cannot_read", problem=problem) + "\n"
    language = language_of(raw)
    snap = Snapshot(source=SOURCE.id, name="submission-check", folder=path.parent, kind="full",
                    product=SOURCE.product, period_start=None,
                    period_end=(period_end or date.today()).isoformat())
    part = to_curated(raw, snap)
    lines = [message(language, "title", file=path.name), "",
             message(language, "summary", read=part.rows_read, accepted=part.rows_accepted,
                     bad=part.rows_quarantined),
             message(language, "counts", victims=len(part.tables["crimes"]),
                     cases=len(part.tables["prosecutions"])), ""]
    if part.quarantine.empty:
        lines.append(message(language, "ok"))
    order = {h: i for i, h in enumerate(HEADERS[raw.format_version])}
    q = part.quarantine.assign(_order=part.quarantine["column"].map(order))
    left, right = QUOTES[language]
    for row, problems in q.sort_values(["raw_row", "_order"], kind="stable").groupby("raw_row", sort=True):
        lines.append(message(language, "row", row=int(row)))
        for p in problems.itertuples():
            lines.append(f"  - {left}{p.column}{right}: {p.reason}")
    return "\n".join(lines) + "\n"


# --- the blank templates and their documentation ----------------------------------------------

HELP = {
    "incident_id": (
        "Your organisation's own ID for the incident; every victim of one incident shares it. "
        "Never a name or a case file number that names someone.",
        "El ID que su organización usa para el incidente; todas las víctimas de un incidente lo "
        "comparten. Nunca un nombre ni un número de expediente que nombre a alguien."),
    "victim_number": (
        "1 for the first victim of the incident, 2 for the second, and so on. Blank means 1.",
        "1 para la primera víctima del incidente, 2 para la segunda, etc. Vacío equivale a 1."),
    "incident_date": (
        "When the crime happened: YYYY-MM-DD (e.g. 2025-03-14); YYYY-MM or YYYY when only the "
        "month or year is known. Required.",
        "Cuándo ocurrió el delito: AAAA-MM-DD o DD/MM/AAAA (p. ej. 2025-03-14 o 14/03/2025); "
        "AAAA-MM o AAAA si solo se sabe el mes o el año. Obligatoria."),
    "country": (
        "Country where it happened: name (English or Spanish) or ISO 3166 three-letter code "
        "(MEX, GTM, USA...). Blank: unknown.",
        "País donde ocurrió: nombre (en español o inglés) o código ISO 3166 de tres letras "
        "(MEX, GTM, USA...). Vacío: desconocido."),
    "place": (
        "State or municipality, free text, for your own records. It is never published and "
        "never leaves the raw file.",
        "Estado o municipio, texto libre, para sus propios registros. Nunca se publica ni sale "
        "del archivo original."),
    "crime_type": (
        "The most serious crime the victim suffered in the incident (one value; order of "
        "seriousness below). Blank: unknown.",
        "El delito más grave que sufrió la víctima en el incidente (un solo valor; orden de "
        "gravedad abajo). Vacío: desconocido."),
    "perpetrator": ("Who committed it. Blank: unknown.", "Quién lo cometió. Vacío: desconocido."),
    "sex": ("The victim's sex. Blank: unknown.", "El sexo de la víctima. Vacío: desconocido."),
    "gender_identity": (
        "The victim's gender identity as the victim states it (a separate question from sex). "
        "Blank: unknown.",
        "La identidad de género de la víctima según ella misma la declara (pregunta distinta "
        "del sexo). Vacío: desconocida."),
    "age": (
        "Age in years (34), a band entirely under or over 18 (12-17, 25-34, 65+), or a word. "
        "Blank: unknown.",
        "Edad en años (34), un rango totalmente menor o mayor de 18 (12-17, 25-34, 65+) o una "
        "palabra. Vacío: desconocida."),
    "nationality": (
        "Country name or ISO three-letter code; several separated by “;” (counted as multiple); "
        "stateless; unknown. Blank: unknown.",
        "Nombre del país o código ISO de tres letras; varias separadas por «;» (se cuentan como "
        "múltiple); apátrida; desconocida. Vacío: desconocida."),
    "indigenous": (
        "Does the victim identify as Indigenous? Only the victim's own answer: never inferred "
        "from nationality, language or appearance. Blank: unknown.",
        "¿La víctima se reconoce como indígena? Solo la respuesta de la propia víctima: nunca se "
        "deduce de la nacionalidad, la lengua o la apariencia. Vacío: no se sabe."),
    "afro": (
        "Does the victim identify as Afro-descendant (Black, Afro-Mexican, Garifuna...)? Only "
        "the victim's own answer. Blank: unknown.",
        "¿La víctima se reconoce como afrodescendiente (negra, afromexicana, garífuna...)? Solo "
        "la respuesta de la propia víctima. Vacío: no se sabe."),
    "reported": (
        "Was the crime reported to any authority (police, prosecutor, human rights commission)? "
        "Blank: unknown.",
        "¿Se denunció el delito ante alguna autoridad (policía, fiscalía, comisión de derechos "
        "humanos)? Vacío: no se sabe."),
    "stage": (
        "The furthest stage the case reached, as far as you know. Blank: unknown (or not "
        "reported when the previous column says no).",
        "La etapa más avanzada que alcanzó el caso, hasta donde se sabe. Vacío: desconocida (o "
        "no denunciado si la columna anterior dice no)."),
}
COLUMN_TABLE = {"crime_type": CRIME_MAP, "perpetrator": "ngo_perpetrators", "sex": "ngo_sex",
                "gender_identity": "ngo_gender_identity", "age": "ngo_age_labels",
                "indigenous": "ngo_yes_no", "afro": "ngo_yes_no", "reported": "ngo_yes_no",
                "stage": "ngo_stages"}
SERIOUSNESS = ("homicide", "femicide", "disappearance", "rape", "trafficking_sexual_exploitation",
               "trafficking_forced_labour", "trafficking_other", "trafficking_unspecified",
               "kidnapping", "sexual_assault_other", "abuse_of_authority", "domestic_violence",
               "gender_violence_other", "assault", "smuggling_aggravated", "extortion", "robbery",
               "sexual_harassment", "threats", "hate_crime", "discrimination", "other", "unknown")
SHEETS = {"en": ("Incidents", "Allowed values", "Instructions"),
          "es": ("Incidentes", "Valores permitidos", "Instrucciones")}
INSTRUCTIONS = {
    "en": ["One row per victim of an incident. Never write names, phone numbers, addresses or "
           "document numbers anywhere in this file.",
           "Blank cells in coded columns mean unknown. Dates: YYYY-MM-DD.",
           "Full documentation: docs/ngo_incidents_template.md."],
    "es": ["Una fila por víctima de un incidente. Nunca escriba nombres, teléfonos, direcciones "
           "ni números de documento en este archivo.",
           "Las celdas vacías en columnas codificadas significan desconocido. Fechas: AAAA-MM-DD "
           "o DD/MM/AAAA.",
           "Documentación completa: docs/ngo_incidents_template.md."],
}
FIXED_TIME = (2025, 1, 1, 0, 0, 0)


def save_workbook(book, path: Path) -> None:
    """Save an openpyxl workbook with fixed timestamps, so the same content gives the same bytes."""
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = "2025-01-01T00:00:00Z"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" +
                              stamp.encode(), data)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            target.writestr(info, data)


def write_xlsx(path: Path, language: str, rows: list[list] = ()) -> None:
    """The template workbook: the data sheet first (header, rows), drop-down lists drawn from
    the allowed values (a warning, not a block, so synonyms can be typed), instructions."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    version = f"template_{language}_v1"
    data_name, values_name, help_name = SHEETS[language]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = data_name
    sheet.append(HEADERS[version])
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    values = book.create_sheet(values_name)
    for index, name in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(HEADERS[version][index - 1]) + 2)
        if name not in COLUMN_TABLE:
            continue
        labels = allowed(COLUMN_TABLE[name], language)
        values.cell(row=1, column=index, value=HEADERS[version][index - 1]).font = Font(bold=True)
        for offset, label in enumerate(labels, start=2):
            values.cell(row=offset, column=index, value=label)
        values.column_dimensions[letter].width = max(len(x) for x in labels + [letter]) + 2
        if name == "age":
            continue  # ages are mostly numbers: no list
        check = DataValidation(type="list", allow_blank=True, errorStyle="warning",
                               formula1=f"'{values_name}'!${letter}$2:${letter}${len(labels) + 1}")
        check.add(f"{letter}2:{letter}5000")
        sheet.add_data_validation(check)
    notes = book.create_sheet(help_name)
    for line in INSTRUCTIONS[language]:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    save_workbook(book, path)


def write_csv(path: Path, language: str, rows: list[list] = ()) -> None:
    """The template as CSV: UTF-8 with a byte-order mark (accents survive in spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS[f"template_{language}_v1"])
    writer.writerows([["" if c is None else c for c in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def write_templates(folder: Path = TEMPLATE_DIR) -> list[Path]:
    """The four blank templates (English and Spanish, CSV and XLSX)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for language in ("en", "es"):
        for suffix, writer in ((".csv", write_csv), (".xlsx", write_xlsx)):
            path = folder / f"ngo_incidents_template_{language}{suffix}"
            writer(path, language)
            written.append(path)
    return written


def _values_table(name: str) -> list[str]:
    """Rows of a Markdown table of a coded column: English label, Spanish label, code, meaning."""
    rows = map_rows(name)
    out = ["| English | Español | code | meaning / significado |", "|---|---|---|---|"]
    value = (lambda r: r["crime_type"]) if name == CRIME_MAP else (lambda r: r["code"])
    codes_in_order = list(dict.fromkeys(value(r) for r in rows if r["shown"] == "yes"))
    for code in codes_in_order:
        shown = {lang: [r for r in rows if value(r) == code and r["language"] == lang
                        and r["shown"] == "yes"] for lang in ("en", "es")}
        synonyms = [r["label"] for r in rows if value(r) == code and r["shown"] != "yes"]
        notes = [r["note"] for lang in ("en", "es") for r in shown[lang] if r["note"]]
        meaning = "; ".join(notes)
        if name == CRIME_MAP:
            sgbv = {r["sgbv"] for r in rows if value(r) == code}.pop()
            meaning = f"SGBV: {sgbv}" + (f"; {meaning}" if meaning else "")
        if synonyms:
            meaning += ("; " if meaning else "") + "also accepted / también se acepta: " + \
                ", ".join(f"`{s}`" for s in synonyms)
        cell = lambda lang: ", ".join(f"`{r['label']}`" for r in shown[lang])  # noqa: E731
        out.append(f"| {cell('en')} | {cell('es')} | `{code}` | {meaning} |")
    return out


def render_template_doc() -> str:
    """docs/ngo_incidents_template.md, generated from the headers, help texts and maps."""
    en, es = HEADERS["template_en_v1"], HEADERS["template_es_v1"]
    lines = [
        "# NGO incident log template / Plantilla de registro de incidentes",
        "",
        "<!-- generated by `python -m pipelines.sources.ngo_incidents` from "
        "schemas/raw/ngo_incidents.py and pipelines/harmonize/maps/: do not edit by hand -->",
        "",
        "Shelters and NGOs record crimes against the migrants they assist in this template "
        "and send it to harmstats. The same columns exist with English and Spanish headers, as "
        "CSV or XLSX: [English CSV](templates/ngo_incidents_template_en.csv), "
        "[English XLSX](templates/ngo_incidents_template_en.xlsx), "
        "[CSV en español](templates/ngo_incidents_template_es.csv), "
        "[XLSX en español](templates/ngo_incidents_template_es.xlsx).",
        "",
        "Los albergues y organizaciones registran en esta plantilla los delitos contra las "
        "personas migrantes que atienden y la envían a harmstats. Las mismas columnas existen "
        "con encabezados en inglés y en español, en CSV o XLSX.",
        "",
        "## Rules / Reglas",
        "",
        "- **One row per victim** of an incident; victims of one incident share the incident "
        "ID. / **Una fila por víctima** de un incidente; las víctimas de un mismo incidente "
        "comparten el ID.",
        "- **No names, ever**, nor phone numbers, addresses, document numbers or dates of birth. "
        "A file with a column that looks like one of these is refused as a whole. / **Nunca "
        "nombres**, ni teléfonos, direcciones, números de documento o fechas de nacimiento. Un "
        "archivo con una columna que parezca contenerlos se rechaza completo.",
        "- Keep the header row as it is (case and accents do not matter); do not add columns. "
        "/ Conserve la fila de encabezados (mayúsculas y acentos no importan); no agregue "
        "columnas.",
        "- A blank cell in a coded column means *unknown*. A value not in the lists below is "
        "an error: the row is set aside and the check report says why, row by row, in the "
        "language of the headers. / Una celda vacía en una columna codificada significa "
        "*desconocido*. Un valor fuera de las listas es un error: la fila se aparta y el informe "
        "de revisión explica por qué, fila por fila, en el idioma de los encabezados.",
        "- CSV: comma, semicolon or tab; UTF-8 or Windows-1252. XLSX: the first sheet. / CSV: "
        "coma, punto y coma o tabulador; UTF-8 o Windows-1252. XLSX: la primera hoja.",
        "- Confidential: the rows never leave harmstats's catalog; only statistics are "
        "published, after disclosure control (small cells suppressed). / Confidencial: las filas "
        "nunca salen del catálogo de harmstats; solo se publican estadísticas, con control de "
        "divulgación (se suprimen las celdas pequeñas).",
        "",
        "## Columns / Columnas",
        "",
        "| # | English header | Encabezado en español | What to write | Qué escribir |",
        "|---|---|---|---|---|",
    ]
    for index, name in enumerate(COLUMNS):
        help_en, help_es = HELP[name]
        lines.append(f"| {index + 1} | {en[index]} | {es[index]} | {help_en} | {help_es} |")
    titles = {"crime_type": "Crime type / Tipo de delito",
              "perpetrator": "Perpetrator type / Tipo de perpetrador",
              "sex": "Victim sex / Sexo de la víctima",
              "gender_identity": "Gender identity / Identidad de género",
              "age": "Age words / Edad en palabras",
              "indigenous": "Yes / no answers (Indigenous, Afro-descendant, reported) / "
                            "Respuestas sí / no",
              "stage": "Case stage reached / Etapa del caso alcanzada"}
    done = set()
    lines += ["", "## Allowed values / Valores permitidos", "",
              "Matching ignores case and accents; the code itself is accepted too. / No importan "
              "mayúsculas ni acentos; también se acepta el código."]
    for name, title in titles.items():
        table = COLUMN_TABLE[name]
        if table in done:
            continue
        done.add(table)
        lines += ["", f"### {title}", ""] + _values_table(table)
    order = ", ".join(f"`{c}`" for c in SERIOUSNESS)
    lines += [
        "", "### Several crimes in one incident / Varios delitos en un incidente", "",
        "Write the most serious, in this order (sexual and gender-based violence ranks above "
        "other violence of similar gravity, so that it is not hidden): / Escriba el más grave, "
        "en este orden (la violencia sexual y de género va antes que otra violencia de gravedad "
        "similar, para que no quede oculta):", "", order, "",
        "## Case stage / Etapa del caso", "",
        "Write only the furthest stage reached; harmstats never adds stages up. *Not reported* "
        "must go with *Reported to authorities* = no (or blank); any other stage with yes (or "
        "blank). / Escriba solo la etapa más avanzada; harmstats nunca suma etapas. *No "
        "denunciado* va con *Denunciado ante autoridades* = no (o vacío); cualquier otra etapa, "
        "con sí (o vacío).", "",
        "## How harmstats reads it / Cómo lo lee harmstats", "",
        "- Each accepted row is one victim in `crimes` (value 1, unit persons, subject victim, "
        "year of the incident date). / Cada fila aceptada es una víctima en `crimes`.",
        "- Each victim whose crime was reported, or whose stage is known, is one record in "
        "`prosecutions` at the furthest stage (charged = `prosecuted`). / Cada víctima con caso "
        "es un registro en `prosecutions` en la etapa más avanzada.",
        "- Race / ethnicity comes only from the two self-identification answers: both yes = "
        "`multiple`; Indigenous yes = `indigenous`; Afro-descendant yes = "
        "`black_afrodescendant`; otherwise `unknown` (answering no to both does not say what a "
        "person's race or ethnicity is). Nothing is inferred from nationality. / La raza o etnia "
        "sale solo de las dos respuestas de autoadscripción; nunca se deduce de la "
        "nacionalidad.",
        "- The state or municipality column is never published. / La columna de estado o "
        "municipio nunca se publica.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 2 and sys.argv[1] == "check":
        print(submission_report(Path(sys.argv[2])), end="")
    else:
        write_templates()
        TEMPLATE_DOC.write_text(render_template_doc(), encoding="utf-8")
        print(f"templates written under {TEMPLATE_DIR}; documentation in {TEMPLATE_DOC}")


# --- the source -----------------------------------------------------------------------------

SOURCE = Source(
    spec=SourceSpec(
        id="ngo_incidents",
        title="NGO and shelter incident log (harmstats template)",
        publisher="Shelters and NGOs that submit the harmstats incident template",
        landing_page="docs/ngo_incidents_template.md",
        licence="confidential: shared under a data-sharing agreement; records are never published",
        stream="crimes",  # and prosecutions (case stage reached)
        cadence="as submitted (quarterly suggested)",
        max_age_days=None,
        product="incident_log",
        download_url=None,
        person_level=True,
        # The template has no name column: a file with one (these or any header that looks like
        # names or other identifying details) is refused before a row is read. Declared so that the
        # release's name check would catch a name column that ever got through.
        name_columns=("Name", "Names", "Full name", "Surname", "Nombre", "Nombres",
                      "Nombre completo", "Apellidos"),
        # Non-public person-level data: statistics go through disclosure control.
        confidential=True,
        citation="Incident logs of the submitting shelters and NGOs, collected with the harmstats "
                 "template (confidential; statistics published after disclosure control).",
        population="migrants",
    ),
    file_patterns=("*.csv", "*.xlsx"),
    headers=HEADERS,
    read_raw=read_raw,
    read_raw_chunks=read_raw_chunks,
    to_curated=to_curated,
)
