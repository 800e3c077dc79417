"""Human Trafficking Prosecution Dataset (HTPD), as flattened to CSV by the scraper's
json_to_csv.py: one file of cases and one of defendants (each file is its own layout)."""

from schemas.raw import text_schema

HEADERS = {
    # case_data.csv: one row per federal case; `summary` is free text (carriage returns and a
    # stray U+0090 inside quoted cells), `name` the case name ("USA v. ..."), `number` the
    # docket number ("2:10-cr-00159-PD", sometimes with U+2212 minus signs), victim counts blank
    # where the site showed none.
    "cases": ["id", "summary", "name", "number", "n_defendants", "state", "federal_district",
              "year", "n_victims", "n_minors", "n_foreigners", "n_females", "n_males"],
    # defendant_data.csv: one row per defendant; the statute_* cells are one value or a
    # Python list ("['1324', '1589']", "[None, None]"), one item per statute of the site's
    # statute table; n_sentences 999 = pending or missing; money without "$" and ",".
    "defendants": ["id", "case_id", "name", "gender", "arrest_age", "race", "arrest_date",
                   "charge_date", "bail_type", "bail_amount", "statute_sentence", "statute_counts",
                   "statute_counts_np", "statute_plea_dismissed", "statute_plea_guilty",
                   "statute_trial_guilty", "statute_trial_ng", "statute_fines",
                   "statute_months_sentenced", "statute_months_probation", "n_charges",
                   "n_sentences", "year_terminated", "total_months_sentenced",
                   "total_months_probation", "restitution", "forfeiture_charge",
                   "forfeiture_sentence"],
}

SCHEMAS = {version: text_schema(f"us_htpd_prosecutions_raw_{version}", cols)
           for version, cols in HEADERS.items()}
