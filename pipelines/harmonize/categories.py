"""Sex, age group, cause of death and the criminal flag, from the reviewed tables in maps/."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.harmonize.distinct import distinct, rows_per_distinct, spread
from pipelines.harmonize.labels import normalise_label, split_known
from pipelines.harmonize.unmapped import UnmappedLog

MAPS = Path(__file__).parent / "maps"
FALLBACK_CAUSES = ("unknown", "accident_other")  # dropped when a more specific cause matches too


def _read_map(name: str) -> list[dict]:
    with (MAPS / name).open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if not row[next(iter(row))].startswith("#")]


@cache
def label_table(name: str) -> dict[str, str]:
    """A label -> code table (`maps/<name>.csv` with columns label, code)."""
    return {normalise_label(r["label"]): r["code"] for r in _read_map(f"{name}.csv")}


def map_labels(values: pd.Series, table: str, log: UnmappedLog, column: str,
               blank: str = "unknown") -> pd.Series:
    """Codes for a column through a label table; blank gets `blank`, unmapped gets `unknown`
    and is counted in `log`."""
    row_codes, text = distinct(values.astype("str"))
    keys = text.map(normalise_label)
    codes = keys.map(label_table(table))
    codes = codes.mask(keys == "", blank)
    missing = codes.isna()
    if missing.any():
        log.add_distinct(table, column, text[missing],
                         rows_per_distinct(row_codes, len(text))[missing.to_numpy()])
    return spread(codes.fillna("unknown").astype("str"), row_codes, values.index)


def age_groups(age_years: pd.Series) -> pd.Series:
    """`child` under 18, `adult` 18 and over, `unknown` where the age is null."""
    groups = np.where(age_years.isna(), "unknown",
                      np.where(age_years.fillna(0) < 18, "child", "adult"))
    return pd.Series(groups, index=age_years.index, dtype="str")


# --- causes of death and the criminal flag -------------------------------------------------

@dataclass(frozen=True)
class CauseRule:
    scheme: str
    match: str
    pattern: str
    cause: str
    manner: str


@cache
def cause_rules() -> tuple[CauseRule, ...]:
    """Rules from maps/causes.csv, then any maps/causes_<source>.csv, in file order."""
    files = ["causes.csv"] + sorted(p.name for p in MAPS.glob("causes_*.csv"))
    return tuple(CauseRule(r["scheme"], r["match"], r["pattern"], r["cause"], r["manner"])
                 for name in files for r in _read_map(name))


@cache
def _exact_causes(schemes: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    return {normalise_label(r.pattern): (r.cause, r.manner) for r in cause_rules()
            if r.scheme in schemes and r.match == "exact"}


@cache
def _regex_causes(schemes: tuple[str, ...]) -> tuple[tuple[re.Pattern, str, str], ...]:
    return tuple((re.compile(r.pattern), r.cause, r.manner) for r in cause_rules()
                 if r.scheme in schemes and r.match == "regex")


def criminal_flag(manners: set[str]) -> tuple[str, str]:
    """(criminal, criminal_rule) from the manners stated for one record. Conservative:
    criminal only where violence or homicide is stated, non_criminal only where every stated
    part is natural or accidental, undetermined otherwise."""
    if "homicide" in manners:
        return "criminal", "manner_homicide"
    if "violence" in manners:
        return "criminal", "violence_stated"
    if manners and manners <= {"natural", "accident"}:
        return "non_criminal", ("manner_natural" if manners == {"natural"} else
                                "manner_accident" if manners == {"accident"} else
                                "manner_natural_or_accident")
    if "suicide" in manners:
        return "undetermined", "manner_suicide"
    return "undetermined", "no_offence_or_manner_stated"


@cache
def classify_cause(text: str, schemes: tuple[str, ...]) -> tuple[str, str, str] | None:
    """(cause, criminal, criminal_rule) for one cause text, or None when no rule matches."""
    exact = _exact_causes(schemes)
    key = normalise_label(text)
    if not key:
        return "unknown", "undetermined", "no_cause_recorded"
    parts = split_known(key, lambda piece: normalise_label(piece) in exact) if exact else None
    if parts:
        found = [exact[normalise_label(p)] for p in parts]
    else:
        spaced = key.replace("_", " ")
        found = [(cause, manner) for pattern, cause, manner in _regex_causes(schemes)
                 if pattern.search(spaced)]
        specific = [f for f in found if f[0] not in FALLBACK_CAUSES]
        if specific:
            found = specific
        elif found:
            found = [min(found, key=lambda f: FALLBACK_CAUSES.index(f[0]))]
    if not found:
        return None
    causes = {c for c, _ in found}
    cause = causes.pop() if len(causes) == 1 else "multiple"
    return (cause, *criminal_flag({m for _, m in found}))


def map_causes(values: pd.Series, schemes: tuple[str, ...], log: UnmappedLog,
               column: str) -> pd.DataFrame:
    """Columns cause, criminal, criminal_rule for a column of cause texts. Texts no rule
    matches become `unknown` / `undetermined` and are counted in `log`."""
    row_codes, text = distinct(values.astype("str"))
    hits = [classify_cause(v, schemes) for v in text]
    unmatched = np.array([hit is None for hit in hits], dtype=bool)
    if unmatched.any():
        log.add_distinct("causes", column, text[unmatched],
                         rows_per_distinct(row_codes, len(text))[unmatched])
    fallback = ("unknown", "undetermined", "cause_not_in_mapping")
    triples = pd.DataFrame([hit or fallback for hit in hits],
                           columns=["cause", "criminal", "criminal_rule"]).astype("str")
    return spread(triples, row_codes, values.index)


# --- crime types ------------------------------------------------------------------------------

@cache
def crime_type_table(name: str) -> dict[str, tuple[str, str]]:
    """label -> (crime_type, sgbv) from `maps/<name>.csv` (columns label, crime_type, sgbv, note)."""
    return {normalise_label(r["label"]): (r["crime_type"], r["sgbv"]) for r in _read_map(f"{name}.csv")}


def map_crime_types(values: pd.Series, table: str, log: UnmappedLog, column: str) -> pd.DataFrame:
    """Columns crime_type and sgbv for a column of source labels; unmapped labels become
    `unknown` / `unknown` and are counted in `log`."""
    row_codes, text = distinct(values.astype("str"))
    hits = text.map(normalise_label).map(crime_type_table(table))
    missing = hits.isna()
    if missing.any():
        log.add_distinct(table, column, text[missing],
                         rows_per_distinct(row_codes, len(text))[missing.to_numpy()])
    pairs = [p if isinstance(p, tuple) else ("unknown", "unknown") for p in hits.tolist()]
    pairs = pd.DataFrame(pairs, columns=["crime_type", "sgbv"], dtype="str")
    return spread(pairs, row_codes, values.index)


# --- hate-crime bias motivations ------------------------------------------------------------

@cache
def bias_sgbv_table() -> dict[str, str]:
    """bias code -> sgbv (yes / no / unknown) from maps/bias_motivations.csv."""
    return {r["code"]: r["sgbv"] for r in _read_map("bias_motivations.csv")}


def map_bias_motivations(labels: pd.Series, log: UnmappedLog, column: str) -> pd.DataFrame:
    """Columns bias_motivation and sgbv for a column of single bias labels (the offender's
    bias, never the victim's race); unmapped labels are `unknown` and counted in `log`."""
    codes = map_labels(labels, "bias_motivations", log, column)
    sgbv = codes.map(bias_sgbv_table()).fillna("unknown").astype("str")
    return pd.DataFrame({"bias_motivation": codes, "sgbv": sgbv}, index=labels.index)
