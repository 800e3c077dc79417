"""NGO and shelter incident log (the harmstats template): one row per victim of an incident,
with English or Spanish headers; the same columns in CSV and XLSX. Documented for submitters in
docs/ngo_incidents_template.md. There is deliberately no name column."""

from schemas.raw import text_schema

# Internal names, in template order.
COLUMNS = ["incident_id", "victim_number", "incident_date", "country", "place", "crime_type",
           "perpetrator", "sex", "gender_identity", "age", "nationality", "indigenous", "afro",
           "reported", "stage"]

HEADERS = {
    "template_en_v1": ["Incident ID", "Victim number", "Incident date", "Country of incident",
                       "State or municipality (not published)", "Crime type", "Perpetrator type",
                       "Victim sex", "Gender identity", "Age (years or band)", "Nationality",
                       "Indigenous (self-identified)", "Afro-descendant (self-identified)",
                       "Reported to authorities", "Case stage reached"],
    "template_es_v1": ["ID del incidente", "Número de víctima", "Fecha del incidente",
                       "País del incidente", "Estado o municipio (no se publica)", "Tipo de delito",
                       "Tipo de perpetrador", "Sexo de la víctima", "Identidad de género",
                       "Edad (años o rango)", "Nacionalidad", "Indígena (autoadscripción)",
                       "Afrodescendiente (autoadscripción)", "Denunciado ante autoridades",
                       "Etapa del caso alcanzada"],
}
LANGUAGE = {"template_en_v1": "en", "template_es_v1": "es"}

SCHEMAS = {version: text_schema(f"ngo_incidents_raw_{version}", cols)
           for version, cols in HEADERS.items()}
