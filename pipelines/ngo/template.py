"""`harmstats ngo template`: the blank NGO incident log templates (English and Spanish, CSV and
XLSX, in docs/templates/) and their documentation for submitters (docs/ngo_incidents_template.md),
generated from the headers (schemas/raw/ngo_incidents.py), the help texts below and the
allowed values in pipelines/harmonize/maps/. Workbooks are written with fixed timestamps, so
the same content gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from pipelines.config import PROJECT_ROOT
from pipelines.sources import ngo_incidents as ngo

TEMPLATE_DIR = PROJECT_ROOT / "docs" / "templates"
TEMPLATE_DOC = PROJECT_ROOT / "docs" / "ngo_incidents_template.md"

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
COLUMN_TABLE = {"crime_type": ngo.CRIME_MAP, "perpetrator": "ngo_perpetrators", "sex": "ngo_sex",
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
    sheet.append(ngo.HEADERS[version])
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    values = book.create_sheet(values_name)
    for index, name in enumerate(ngo.COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(ngo.HEADERS[version][index - 1]) + 2)
        if name not in COLUMN_TABLE:
            continue
        labels = ngo.allowed(COLUMN_TABLE[name], language)
        values.cell(row=1, column=index, value=ngo.HEADERS[version][index - 1]).font = Font(bold=True)
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
    writer.writerow(ngo.HEADERS[f"template_{language}_v1"])
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
    rows = ngo.map_rows(name)
    out = ["| English | Español | code | meaning / significado |", "|---|---|---|---|"]
    value = (lambda r: r["crime_type"]) if name == ngo.CRIME_MAP else (lambda r: r["code"])
    codes_in_order = list(dict.fromkeys(value(r) for r in rows if r["shown"] == "yes"))
    for code in codes_in_order:
        shown = {lang: [r for r in rows if value(r) == code and r["language"] == lang
                        and r["shown"] == "yes"] for lang in ("en", "es")}
        synonyms = [r["label"] for r in rows if value(r) == code and r["shown"] != "yes"]
        notes = [r["note"] for lang in ("en", "es") for r in shown[lang] if r["note"]]
        meaning = "; ".join(notes)
        if name == ngo.CRIME_MAP:
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
    en, es = ngo.HEADERS["template_en_v1"], ngo.HEADERS["template_es_v1"]
    lines = [
        "# NGO incident log template / Plantilla de registro de incidentes",
        "",
        "<!-- generated by `harmstats ngo template` from "
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
    for index, name in enumerate(ngo.COLUMNS):
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


def write_all(folder: Path = TEMPLATE_DIR, doc: Path = TEMPLATE_DOC) -> list[Path]:
    """The four blank templates and their documentation; the files written."""
    written = write_templates(folder)
    doc.write_text(render_template_doc(), encoding="utf-8")
    return written + [doc]
