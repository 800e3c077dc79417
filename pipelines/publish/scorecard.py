"""The letter scorecard (`letter_scorecard`): for each government the 2023 letter was sent to,
each stream and each dimension it names, every source's best figure (its latest year, by the
rules), ranked so that `rank = 1` is the best of all, or one row saying why there is none.
Rules: docs/letter_scorecard.md.

Built from the public tables only (latest snapshots, disclosure control applied: a withheld
cell counts as a range, never as its true value) and `coverage`; nothing is typed in here.
A figure is one cell group of one source: the categories of `measured_by` in one breakdown,
every other dimension `all`. Sources are never added together."""

from __future__ import annotations

import pandas as pd

from pipelines.harmonize.letter import bias_letter_dimensions
from pipelines.publish.extract_tables import STATS_DIMENSIONS, STREAM_OF
from pipelines.stored import table_frames
from schemas.scorecard import COUNTRIES, DIMENSIONS, LetterScorecard

# (stream, line, column, value): the lines of the letter, SGBV first.
LINES = (("deaths", "criminal", "criminal", "criminal"),
         ("deaths", "non_criminal", "criminal", "non_criminal"),
         ("crimes", "sgbv", "sgbv", "yes"), ("crimes", "all", "sgbv", "all"),
         ("prosecutions", "sgbv", "sgbv", "yes"), ("prosecutions", "all", "sgbv", "all"))
NOT_KNOWN = frozenset({"unknown", "not_recorded", "UNKNOWN", "NOT_RECORDED"})
KEY = ["source", "snapshot", "year", "year_basis", "partial_year", "unit", "subject", "population",
       "stage", "breakdown"]
# Preference among whose attribute a figure describes (rule 2 of docs/letter_scorecard.md).
ABOUT_RANK = {"victim": 0, "person": 0, "incident": 1, "bias_motivation": 2, "offender": 3}
STAGE_RANK = {"prosecuted": 0, "convicted": 1, "suspect_identified": 2}
TOP_CATEGORIES = 8
# A year whose total is under half the median of the three years before it is named in the
# note (the HTPD's cases filed in 2016: 8, against 100 in 2013): the figure is published as it
# is; the reader is told to quote it with care, since the data cannot say which cause it is.
THIN_YEARS, THIN_SHARE = 3, 0.5
BIAS_NOTE = ("A bias motivation is the offender's motive, the group targeted: it never says the "
             "victim's own {dim}.")


def letter_scorecard(public: dict) -> pd.DataFrame:
    """The scorecard from the public tables (`stats` tables and `coverage`, as published)."""
    coverage = _frame(public.get("coverage"))
    rows = []
    for table, dims in STATS_DIMENSIONS.items():
        stream = STREAM_OF[table]
        stats = _country_rows(public.get(table), dims)
        for line_stream, line, column, value in LINES:
            if line_stream != stream:
                continue
            part = stats[stats[column] == value] if len(stats) else stats
            for country in COUNTRIES:
                mine = part[part["country_iso3"] == country] if len(part) else part
                checked = sorted(mine["source"].unique()) if len(mine) else []
                for dim in DIMENSIONS:
                    figures = _figures(mine, dims, dim, column, stream, coverage, country)
                    rows += _rows(country, stream, line, dim, figures, checked)
    return LetterScorecard.validate(pd.DataFrame(rows, columns=list(
        LetterScorecard.to_schema().columns)))


def _frame(data) -> pd.DataFrame:
    if data is None:
        return pd.DataFrame()
    frames = list(table_frames(data))
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _country_rows(data, dims: tuple[str, ...]) -> pd.DataFrame:
    """The rows of the letter's countries where at most two dimensions besides the country
    are split (a figure splits one, within a line): read a frame at a time."""
    if data is None:
        return pd.DataFrame()
    parts = []
    for frame in table_frames(data):
        frame = frame[frame["country_iso3"].isin(COUNTRIES)]
        split = (frame[[d for d in dims if d != "country_iso3"]] != "all").sum(axis=1)
        parts.append(frame[split <= 2])
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    for column in KEY:
        if column not in out:
            out[column] = None  # deaths: no subject, population, stage or breakdown
    if len(out):
        out["population"] = out["population"].fillna("migrants")  # deaths are of migrants
    return out


def _recorded(coverage: pd.DataFrame, stream: str, dim: str) -> set[tuple]:
    """(source, snapshot, unit, subject) whose coverage records `dim` (yes or partly)."""
    if coverage.empty:
        return set()
    cov = coverage[(coverage["stream"] == stream) & (coverage["dimension"] == dim)
                   & coverage["recorded"].isin(["yes", "partly"])]
    return {(r.source, r.snapshot, r.unit, r.subject if isinstance(r.subject, str) else None)
            for r in cov.itertuples()}


def _figures(rows: pd.DataFrame, dims: tuple[str, ...], dim: str, line_column: str, stream: str,
             coverage: pd.DataFrame, country: str) -> list[dict]:
    """Every candidate figure of a line for `dim`: the dimension itself where coverage says the
    source records it, and in crimes the bias motivations that speak to it."""
    if rows.empty:
        return []
    out = []
    measures = [dim] + (["bias_motivation"] if "bias_motivation" in dims else [])
    recorded = _recorded(coverage, stream, dim)
    for measure in measures:
        others = [d for d in dims if d not in (measure, line_column, "country_iso3")]
        cells = rows[(rows[others] == "all").all(axis=1) & (rows[measure] != "all")]
        if measure == dim:
            keys = pd.Series([(s, n, u, b if isinstance(b, str) else None) for s, n, u, b in
                              zip(cells["source"], cells["snapshot"], cells["unit"], cells["subject"])],
                             index=cells.index, dtype=object)
            cells = cells[keys.isin(recorded)]
        found = []
        for key, group in cells.groupby(KEY, dropna=False, sort=True):
            figure = _figure(dict(zip(KEY, key)), group, measure, dim, country)
            if figure is not None:
                found.append(figure)
        out += _mark_thin_years(found, cells)
    return out


def _mark_thin_years(figures: list[dict], cells: pd.DataFrame) -> list[dict]:
    """Each figure with `thin_of`: (median, first year, last year) of its series' totals in the
    THIN_YEARS full years before it when its own total is under THIN_SHARE of that median,
    else None."""
    series = [k for k in KEY if k not in ("year", "partial_year")]
    full = cells[~cells["partial_year"].astype(bool)]
    totals = {}
    for key, group in full.groupby(series + ["year"], dropna=False, sort=False):
        totals[_plain(key)] = _bounds(group)[0]
    for f in figures:
        year = int(f["year"])
        before = [(y, totals[k]) for y in range(year - THIN_YEARS, year)
                  if (k := _plain([f[c] for c in series] + [y])) in totals]
        median = float(pd.Series([t for _, t in before]).median()) if len(before) >= 2 else None
        thin = (median is not None and f["value_max"] is not None
                and f["value_max"] < THIN_SHARE * median)
        f["thin_of"] = (median, before[0][0], before[-1][0]) if thin else None
    return figures


def _plain(key) -> tuple:
    """A group key with missing parts as None and years as int, so that keys compare equal."""
    return tuple(None if pd.isna(v) else int(v) if isinstance(v, float) else v for v in key)


def _bounds(frame: pd.DataFrame) -> tuple[int, int | None, bool]:
    """(low, high or None, exact) of the sum of the frame's cells: a cell withheld without
    bounds counts 0 low and makes the high unknown."""
    value = frame["value"].astype("Float64")
    low = value.fillna(frame["value_min"].astype("Float64")).fillna(0)
    high = value.fillna(frame["value_max"].astype("Float64"))
    return int(low.sum()), (None if high.isna().any() else int(high.sum())), bool(value.notna().all())


def _figure(key: dict, group: pd.DataFrame, measure: str, dim: str, country: str) -> dict | None:
    """One candidate figure, or None when nothing in it is known about `dim`."""
    if measure == "bias_motivation":
        speaks = group["bias_motivation"].map(bias_letter_dimensions()).fillna("unknown")
        known, listed = group[speaks != "unknown"], group[speaks == dim]
        about, describes = "bias_motivation", "offender's bias motivation (the group targeted)"
    else:
        known = listed = group[~group[measure].isin(NOT_KNOWN)]
        about = key["subject"] if isinstance(key["subject"], str) else "person"
        describes = f"{about}'s {dim}"
    if listed.empty or (listed["value"].fillna(1) == 0).all():
        return None
    low, high, exact = _bounds(group)
    known_low = _bounds(known)[0]
    share = (known_low / high if high else known_low / low if exact and low else None)
    return {**key, "measured_by": measure, "describes": describes, "about": about,
            "withheld_only": known_low == 0,
            "value": low if exact else None, "value_min": low, "value_max": high,
            # Whole percents: the share is for quoting, and a share of many decimals could
            # coincide in print with a confidential source's exact share (tests/test_attacks.py).
            "known_share": None if share is None else round(min(1.0, share), 2),
            "categories": (_foreign(listed, country) if measure == "nationality" else "")
            + _categories(listed, measure)}


def _foreign(listed: pd.DataFrame, country: str) -> str:
    """For nationality, `foreign nationals N; ` first: the known nationalities other than the
    country's own (MULTIPLE left out: it may include the country's own), at least N."""
    foreign = listed[~listed["nationality"].isin([country, "MULTIPLE"])]
    low, _, exact = _bounds(foreign)
    return f"foreign nationals {'' if exact else 'at least '}{low:,}; "


def _categories(listed: pd.DataFrame, measure: str) -> str:
    """`code count; ...`, largest first, at most TOP_CATEGORIES."""
    items = []
    for r in listed.itertuples():
        value, low, high = getattr(r, "value"), getattr(r, "value_min"), getattr(r, "value_max")
        code = getattr(r, measure)
        if pd.notna(value):
            items.append((int(value), f"{code} {int(value):,}"))
        elif pd.notna(low) and pd.notna(high):
            items.append((int(low), f"{code} {int(low):,}-{int(high):,}"))
        else:
            items.append((-1, f"{code} withheld"))
    items.sort(key=lambda item: (-item[0], item[1]))
    more = len(items) - TOP_CATEGORIES
    text = "; ".join(t for _, t in items[:TOP_CATEGORIES])
    return text + (f"; and {more} more" if more > 0 else "")


def rank_key(f: dict) -> tuple:
    """A figure's place by the rules of docs/letter_scorecard.md (smaller is better)."""
    return (f["withheld_only"], f["population"] != "migrants", ABOUT_RANK.get(f["about"], 9),
            bool(f["partial_year"]),
            -int(f["year"]), -(f["known_share"] if f["known_share"] is not None else -1),
            f["value"] is None, f["unit"] != "persons", STAGE_RANK.get(f["stage"], 9),
            f["source"], f["snapshot"], str(f["breakdown"]), str(f["year_basis"]))


def per_source(figures: list[dict]) -> list[dict]:
    """Each source's best figure, the best source first."""
    best: dict[str, dict] = {}
    for f in sorted(figures, key=rank_key):
        best.setdefault(f["source"], f)
    return list(best.values())


def _rows(country: str, stream: str, line: str, dim: str, figures: list[dict],
          checked: list[str]) -> list[dict]:
    """The rows of one country, line and dimension: each source's figure ranked, or one row
    saying why there is none."""
    base = {"country_iso3": country, "stream": stream, "line": line, "dimension": dim,
            "sources_checked": ", ".join(checked) or None}
    if not checked:
        return [{**base, "status": "no_statistics",
                 "note": f"No source publishes {stream} ({line}) recorded in {country} in this release."}]
    if not figures:
        return [{**base, "status": "not_recorded",
                 "note": f"None of the sources publishing {stream} ({line}) for {country} records "
                         f"{dim} (coverage and statistics)."}]
    ranked = per_source(figures)
    first_general = ranked[0]["population"] != "migrants"
    return [{**base, **_figure_row(f, country, dim), "rank": n,
             "status": ("also_recorded" if n > 1 else
                        "general_population_only" if first_general else "recorded")}
            for n, f in enumerate(ranked, start=1)]


def _figure_row(f: dict, country: str, dim: str) -> dict:
    notes = []
    if f["population"] != "migrants":
        notes.append(f"General population: counts everyone in {country}, not only migrants"
                     + (" (nationality is how it speaks about migrants)." if dim == "nationality" else "."))
    if f["measured_by"] == "bias_motivation":
        notes.append(BIAS_NOTE.format(dim=dim.replace("_", "/")))
    if f["partial_year"]:
        notes.append("A partial year: no full year of this source records this.")
    if f.get("thin_of"):
        median, first, last = f["thin_of"]
        notes.append(f"A thin year: {f['value_max']:,} against a median of {median:,.0f} a year "
                     f"in {first}-{last} in this source: fewer events, or a source that does "
                     f"not yet hold the whole year; quote with care.")
    if f["withheld_only"]:
        notes.append("Every known category is withheld (disclosure control or the source): "
                     "the source records the dimension, its counts are not published.")
    if f["value"] is None:
        notes.append("Some parts are withheld or ranges: the count is a range and the share a "
                     "lower bound.")
    return {**{k: f[k] for k in ("source", "snapshot", "year", "year_basis", "partial_year",
                                 "unit", "subject", "population", "stage", "breakdown",
                                 "measured_by", "describes", "value", "value_min",
                                 "value_max", "known_share", "categories")},
            "note": " ".join(notes) or "A figure for migrants."}
