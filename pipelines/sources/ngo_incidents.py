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
the language of the file's headers (the texts: ngo_incidents_messages.yaml beside this module).
`harmstats ngo check FILE` (pipelines/ngo/check.py) renders those reasons row by row for the
submitter; `harmstats ngo template` (pipelines/ngo/template.py) writes the blank templates and
their documentation. Blank coded cells mean "unknown"; a value outside the documented list is
an error (the message lists the allowed values), never silently unknown.

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
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pipelines.harmonize.countries import map_countries
from pipelines.harmonize.dates import parse_dates
from pipelines.harmonize.distinct import per_distinct
from pipelines.harmonize.labels import normalise_label
from pipelines.harmonize.unmapped import UnmappedLog
from pipelines.snapshots import Snapshot
from pipelines.sources.base import Curation, CuratedPart, RawFormatError, RawTable
from pipelines.sources.cases import finish_case_records
from pipelines.sources.formats import validate_raw
from pipelines.sources.person import row_totals  # noqa: F401 (one victim a row; for tests)
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

MESSAGES_FILE = Path(__file__).with_name("ngo_incidents_messages.yaml")


@cache
def messages() -> dict[str, dict[str, str]]:
    """language -> key -> text, from ngo_incidents_messages.yaml (key -> en, es)."""
    table = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    return {language: {key: texts[language] for key, texts in table.items()}
            for language in ("en", "es")}


QUOTES = {"en": ("“", "”"), "es": ("«", "»")}


def message(language: str, key: str, **values) -> str:
    """A message in the submitter's language ("both": English, then Spanish)."""
    if language == "both":
        return " / ".join(message(lang, key, **values) for lang in ("en", "es"))
    return messages()[language][key].format(**values)


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
