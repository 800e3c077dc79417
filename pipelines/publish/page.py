"""The release page: `index.html` in the release folder, self-contained.

No script, font or stylesheet is loaded from anywhere: the CSS is inline (`page_assets/page.css`
is copied into the page) and every chart is an SVG drawn here in Python, so the page works
offline, from a file or a USB stick, and in any browser. Tooltips are SVG `<title>` elements.

Every chart is per source (sources are never additive) and uses only the latest snapshots,
read from the public tables as published (after disclosure control): a suppressed cell is
never drawn as a number; charts say how many cells were withheld.

`write_page(tables, release_dir, release_id, ...)` writes the page and returns its path. A
statistics table stored on disk is read frame by frame, keeping only the cells the charts draw
(`PAGE_SPLITS`), so the page is the same as from the table held whole.

Longer than 600 lines on purpose, for now: the page's HTML (f-strings) and its hand-drawn SVG
charts are about to be replaced by Jinja2 templates and Altair/Vega-Lite charts (issue 15,
item 3); the module is split along those lines then, not twice.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.publish.extract_tables import STATS_DIMENSIONS, is_sample, public_tables
from pipelines.publish.layout import EXTRACT_DIR
from pipelines.snapshots import sha256_file
from pipelines.stored import table_frames

ASSETS = Path(__file__).resolve().parent / "page_assets"
NO_DATA = "No data in this release"
LETTER_DIMENSIONS = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity")
DIMENSION_LABELS = {"sex": "Sex", "gender_identity": "Gender identity", "age_group": "Age",
                    "nationality": "Nationality", "race_ethnicity": "Race / ethnicity"}
CRIMINAL_COLORS = {"criminal": "#b2182b", "non_criminal": "#2166ac", "undetermined": "#9e9e9e"}
CRIMINAL_LABELS = {"criminal": "criminal", "non_criminal": "non-criminal",
                   "undetermined": "undetermined"}
SEX_COLORS = {"female": "#d95f02", "male": "#1b9e77", "other": "#7570b3", "unknown": "#bdbdbd",
              "not_recorded": "#eeeeee"}
SGBV_COLORS = {"yes": "#7b3294", "no": "#a6dba0", "unknown": "#bdbdbd"}
SGBV_LABELS = {"yes": "SGBV", "no": "not SGBV", "unknown": "unknown"}
RECORDED_COLORS = {"yes": "#1a9850", "partly": "#fdae61", "no": "#d73027"}
NEUTRAL = "#4c78a8"
FUNNEL_STAGES = ("reported", "recorded", "suspect_identified", "prosecuted", "convicted")
STAGE_LABELS = {"suspect_identified": "suspect identified"}
SPECIAL_NATIONALITY = {"MULTIPLE": "Several nationalities", "STATELESS": "Stateless",
                       "FOREIGN_UNSPECIFIED": "Foreign, unspecified", "UNKNOWN": "Unknown",
                       "NOT_RECORDED": "Not recorded", "XKX": "Kosovo",
                       "OTHER": "Other (a recoded group of rare nationalities)"}
NOT_KNOWN = ("unknown", "not_recorded", "UNKNOWN", "NOT_RECORDED")
FONT = 12
CHAR = 6.6  # average glyph width at FONT px in a sans-serif face
# The cells the crimes charts draw (`crimes_sections`): rows with exactly these dimensions split.
CROSSED, BY_TYPE, BY_SGBV, BY_BIAS = ("crime_type", "sgbv"), ("crime_type",), ("sgbv",), ("bias_motivation",)
BY_CITIZENSHIP = ("nationality", "country_iso3")  # a reporting country's victims by citizenship
CITIZENSHIP_COLORS = {"foreign": "#d95f02", "nationals": "#4c78a8", "unknown": "#bdbdbd"}
CITIZENSHIP_LABELS = {"foreign": "foreign nationals", "nationals": "nationals",
                      "unknown": "unknown or not recorded"}
# The cells each chart reads, per table: the crimes charts' above, and the funnel's
# (`funnel_of`: every dimension `all` but the country). The page reads only those rows of the
# table, and each chart group's first and last year; a table not listed is read whole.
PAGE_SPLITS = {
    "crimes_stats": (CROSSED, BY_TYPE, BY_SGBV, BY_BIAS, BY_CITIZENSHIP),
    "prosecutions_stats": ((), ("country_iso3",)),
}
CHART_GROUP = ["source", "snapshot", "unit", "subject"]  # a chart group of crimes and prosecutions


# --- small helpers ----------------------------------------------------------------------------

def esc(value) -> str:
    """Text for HTML; a missing value (None, NaN, NA) is empty, never "nan"."""
    missing = value is None or (not isinstance(value, str) and bool(np.ndim(value) == 0 and pd.isna(value)))
    return html.escape("" if missing else str(value), quote=True)


def given(value) -> str:
    """A metadata cell as text; empty when it is missing (None, NaN, NA), never "nan"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def num(n) -> str:
    return f"{int(round(n)):,}"


def pct(x: float) -> str:
    return f"{x:.0%}" if x >= 0.01 or x == 0 else "<1%"


def label_of(code: str) -> str:
    """A code as words: `non_criminal` -> `non criminal`."""
    return str(code).replace("_", " ")


def country_name(code: str) -> str:
    if code in SPECIAL_NATIONALITY:
        return SPECIAL_NATIONALITY[code]
    if str(code).startswith("M49_"):
        return f"Region (UN M49 {code[4:]})"
    try:
        import pycountry

        found = pycountry.countries.get(alpha_3=code)
        if found is not None:
            return getattr(found, "common_name", None) or found.name
    except Exception:  # noqa: BLE001 - a name is a nicety; the code is shown anyway
        pass
    return str(code)


def short_title(title: str) -> str:
    """A source's title up to its first comma or parenthesis: for chart labels."""
    for mark in (", ", " ("):
        title = title.split(mark)[0]
    return title


def is_url(value) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def fit(text: str, width: float) -> str:
    """Cut a label to roughly `width` pixels."""
    limit = max(int(width / CHAR), 4)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cells(frame: pd.DataFrame, table: str, split: tuple[str, ...]) -> pd.DataFrame:
    """Rows where exactly the dimensions in `split` are not `all`."""
    dims = STATS_DIMENSIONS[table]
    if frame.empty:
        return frame
    mask = pd.Series(True, index=frame.index)
    for dim in dims:
        mask &= (frame[dim] != "all") if dim in split else (frame[dim] == "all")
    return frame[mask]


def page_rows(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of (a frame of) public table `name` the page reads: the cells of PAGE_SPLITS
    and, per chart group, a row of its first and of its last year (for its heading)."""
    splits = PAGE_SPLITS.get(name)
    if splits is None or frame.empty:
        return frame
    dims = STATS_DIMENSIONS[name]
    split = np.column_stack([(frame[d] != "all").to_numpy(dtype=bool, na_value=True) for d in dims])
    codes = split @ (1 << np.arange(len(dims)))
    wanted = [sum(1 << dims.index(d) for d in s) for s in splits]
    keep = np.isin(codes, wanted) | frame.index.isin(_year_ends(frame))
    return frame[keep]


def _year_ends(frame: pd.DataFrame) -> pd.Index:
    """Index labels of a row of the first and of the last year of each chart group."""
    years = frame[CHART_GROUP + ["year"]].dropna(subset=["year"]).groupby(CHART_GROUP, sort=False)["year"]
    return pd.Index(years.idxmin()).append(pd.Index(years.idxmax()))


def page_table(name: str, data) -> tuple[pd.DataFrame, int]:
    """(the rows of a public table the page reads, how many rows the table has): a stored
    table is read frame by frame and never held whole."""
    kept, rows = [], 0
    for frame in table_frames(data):
        rows += len(frame)
        kept.append(page_rows(name, frame))
    return (pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0]), rows


def withheld(frame: pd.DataFrame) -> int:
    return int(frame["value"].isna().sum()) if len(frame) else 0


def total(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum of published values by keys (withheld cells left out)."""
    if frame.empty:
        return pd.DataFrame(columns=by + ["value"])
    return (frame.assign(value=frame["value"].astype("Float64").fillna(0))
            .groupby(by, as_index=False)["value"].sum())


# --- SVG charts -------------------------------------------------------------------------------

def svg(width: float, height: float, body: list[str], label: str, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="100%" role="img" aria-label="{esc(label)}"{klass} '
            f'style="max-width:{width:.0f}px">' + "".join(body) + "</svg>")


def text(x, y, content, anchor="start", cls="", size=FONT, weight=None, tip="") -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    klass = f' class="{cls}"' if cls else ""
    title = f"<title>{esc(tip)}</title>" if tip and tip != content else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{klass}{extra}>'
            f"{title}{esc(content)}</text>")


def rect(x, y, w, h, fill, tip="", stroke=None) -> str:
    line = f' stroke="{stroke}" stroke-width="0.6"' if stroke else ""
    title = f"<title>{esc(tip)}</title>" if tip else ""
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" '
            f'fill="{fill}"{line}>{title}</rect>')


def empty_chart(message: str = NO_DATA) -> str:
    return svg(640, 60, [rect(0.5, 0.5, 639, 59, "#fafafa", stroke="#dddddd"),
                         text(320, 35, message, "middle", "empty")], message, "no-data")


def legend(colors: dict[str, str], labels: dict[str, str] | None = None) -> str:
    items = "".join(f'<span class="key"><i style="background:{c}"></i>{esc((labels or {}).get(k, label_of(k)))}</span>'
                    for k, c in colors.items())
    return f'<div class="legend">{items}</div>'


def hbar_chart(rows: list[tuple[str, list[tuple[str, float]]]], colors: dict[str, str],
               title: str, labels: dict[str, str] | None = None, width: int = 720,
               label_width: int = 200) -> str:
    """Horizontal bars, one per row, stacked by category, the row total at the end."""
    if not rows or not any(v for _, segs in rows for _, v in segs):
        return empty_chart()
    bar, gap, top = 18, 6, 4
    plot = width - label_width - 70
    biggest = max(sum(v for _, v in segs) for _, segs in rows) or 1
    height = top + len(rows) * (bar + gap) + 4
    body = []
    for i, (label, segs) in enumerate(rows):
        y = top + i * (bar + gap)
        placed = _stacked_row(body, label, segs, y, bar, 5, label_width, plot / biggest, colors,
                              labels, min_width=0.8)
        end = placed[-1][0] + placed[-1][1] if placed else label_width
        body.append(text(end + 5, y + bar - 5, num(sum(v for _, v in segs)), cls="value"))
    return svg(width, height, body, title)


def _stacked_row(body: list[str], label: str, segs: list[tuple[str, float]], y: float, bar: float,
                 baseline: float, label_width: int, scale: float, colors: dict[str, str],
                 labels: dict[str, str] | None, min_width: float = 0.0,
                 stroke: str | None = None) -> list[tuple[float, float, str, float]]:
    """Append one labelled row of stacked segments (width = value x `scale`) to `body`;
    returns each drawn segment as (x, width, category, value)."""
    body.append(text(label_width - 8, y + bar - baseline, fit(label, label_width - 10), "end", tip=label))
    row_total = sum(v for _, v in segs)
    x, placed = label_width, []
    for cat, value in segs:
        if value <= 0:
            continue
        w = value * scale
        name = (labels or {}).get(cat, label_of(cat))
        body.append(rect(x, y, max(w, min_width), bar, colors.get(cat, NEUTRAL),
                         f"{label}: {name} {num(value)} ({pct(value / row_total)})", stroke=stroke))
        placed.append((x, w, cat, value))
        x += w
    return placed


def share_chart(rows: list[tuple[str, list[tuple[str, float]]]], colors: dict[str, str],
                title: str, labels: dict[str, str] | None = None, width: int = 720,
                label_width: int = 200) -> str:
    """100% bars, one per row: each category's share, printed inside when it fits."""
    rows = [(label, segs) for label, segs in rows if sum(v for _, v in segs) > 0]
    if not rows:
        return empty_chart()
    bar, gap, top = 22, 8, 4
    plot = width - label_width - 80
    height = top + len(rows) * (bar + gap) + 4
    body = []
    for i, (label, segs) in enumerate(rows):
        y = top + i * (bar + gap)
        row_total = sum(v for _, v in segs)
        for x, w, cat, value in _stacked_row(body, label, segs, y, bar, 7, label_width,
                                             plot / row_total, colors, labels, stroke="#ffffff"):
            share = pct(value / row_total)
            if w > len(share) * CHAR + 6:
                dark = colors.get(cat, NEUTRAL) in ("#bdbdbd", "#eeeeee", "#a6dba0", "#fdae61")
                body.append(text(x + w / 2, y + bar - 7, share, "middle",
                                 "inbar-dark" if dark else "inbar"))
        body.append(text(label_width + plot + 6, y + bar - 7, f"n={num(row_total)}", cls="value"))
    return svg(width, height, body, title)


def column_chart(columns: list[tuple[str, list[tuple[str, float]]]], colors: dict[str, str],
                 title: str, labels: dict[str, str] | None = None, width: int = 720,
                 height: int = 240) -> str:
    """Vertical stacked columns (e.g. one per year)."""
    if not columns or not any(v for _, segs in columns for _, v in segs):
        return empty_chart()
    left, bottom, top = 46, 34, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    biggest = max(sum(v for _, v in segs) for _, segs in columns) or 1
    step = plot_w / len(columns)
    bar = max(min(step * 0.75, 40), 2)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
            'stroke="#888888" stroke-width="1"/>']
    for tick in _ticks(biggest):
        y = top + plot_h - tick / biggest * plot_h
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" '
                    'stroke="#eeeeee" stroke-width="1"/>')
        body.append(text(left - 4, y + 4, num(tick), "end", "axis", size=10))
    every = max(1, int(len(columns) / (plot_w / 34)) + 1)
    for i, (label, segs) in enumerate(columns):
        x = left + i * step + (step - bar) / 2
        y = top + plot_h
        column_total = sum(v for _, v in segs)
        for cat, value in segs:
            if value <= 0:
                continue
            h = value / biggest * plot_h
            y -= h
            name = (labels or {}).get(cat, label_of(cat))
            body.append(rect(x, y, bar, max(h, 0.8), colors.get(cat, NEUTRAL),
                             f"{label}: {name} {num(value)} of {num(column_total)}"))
        if i % every == 0 or i == len(columns) - 1:
            body.append(text(x + bar / 2, top + plot_h + 14, label, "middle", "axis", size=10))
    return svg(width, height, body, title)


def _ticks(biggest: float) -> list[float]:
    raw = biggest / 4
    magnitude = 10 ** max(len(str(int(raw))) - 1, 0)
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * k for k in range(1, 5) if step * k <= biggest]


def funnel_chart(stages: list[tuple[str, float]], title: str, width: int = 720) -> str:
    """Centred bars, widest first: the stages of the criminal-justice funnel."""
    if not stages or not any(v for _, v in stages):
        return empty_chart()
    bar, gap, label_width = 26, 6, 150
    plot = width - label_width - 90
    biggest = max(v for _, v in stages) or 1
    first = stages[0][1] or biggest
    body = []
    for i, (stage, value) in enumerate(stages):
        y = 4 + i * (bar + gap)
        w = max(value / biggest * plot, 1)
        x = label_width + (plot - w) / 2
        name = STAGE_LABELS.get(stage, label_of(stage))
        body.append(text(label_width - 8, y + bar - 9, name, "end"))
        body.append(rect(x, y, w, bar, "#5e3c99", f"{name}: {num(value)}"))
        body.append(text(label_width + plot + 6, y + bar - 9,
                         f"{num(value)}" + (f" ({pct(value / first)})" if i else ""), cls="value"))
    return svg(width, 8 + len(stages) * (bar + gap), body, title)


def matrix_chart(rows: list[str], cells_of: dict[tuple[str, str], tuple[str, float | None]],
                 title: str, width: int = 960) -> str:
    """The coverage matrix: a row per source, a column per dimension of the letter; colour =
    recorded yes / partly / no, text = share of the count with a known value."""
    if not rows:
        return empty_chart()
    label_width, head, cell_h = 330, 34, 26
    cell_w = (width - label_width) / len(LETTER_DIMENSIONS)
    body = []
    for j, dim in enumerate(LETTER_DIMENSIONS):
        body.append(text(label_width + j * cell_w + cell_w / 2, head - 12, DIMENSION_LABELS[dim],
                         "middle", weight="600"))
    for i, row in enumerate(rows):
        y = head + i * cell_h
        body.append(text(label_width - 8, y + cell_h - 9, fit(row, label_width - 10), "end", tip=row))
        for j, dim in enumerate(LETTER_DIMENSIONS):
            x = label_width + j * cell_w
            recorded, share = cells_of.get((row, dim), ("", None))
            fill = RECORDED_COLORS.get(recorded, "#f5f5f5")
            words = {"yes": "recorded", "partly": "partly", "no": "not recorded"}.get(recorded, "n/a")
            shown = words if share is None or recorded == "no" else f"{pct(share)} known"
            if recorded == "partly" and share is not None:
                shown = f"partly, {pct(share)} known"
            body.append(rect(x + 1, y + 1, cell_w - 2, cell_h - 2, fill,
                             f"{row} / {DIMENSION_LABELS[dim]}: {words}"
                             + ("" if share is None else f", {pct(share)} of the count known")))
            body.append(text(x + cell_w / 2, y + cell_h - 9, fit(shown, cell_w - 6), "middle",
                             "inbar" if recorded in ("yes", "no") else "inbar-dark", size=11))
    return svg(width, head + len(rows) * cell_h + 4, body, title)


# --- the page's sections ----------------------------------------------------------------------

def figure(chart_id: str, title: str, chart: str, note: str = "", keys: str = "") -> str:
    empty = ' data-empty="true"' if 'class="no-data"' in chart else ""
    return (f'<figure class="chart" id="{esc(chart_id)}"{empty}><figcaption>{esc(title)}</figcaption>'
            f"{keys}{chart}" + (f'<p class="note">{note}</p>' if note else "") + "</figure>")


def _source_info(sources: pd.DataFrame) -> dict[str, dict]:
    info = {}
    for r in sources.drop_duplicates(["source", "snapshot"]).itertuples():
        info[(r.source, r.snapshot)] = {"title": r.title, "publisher": r.publisher, "kind": r.kind,
                                        "product": r.product, "period_start": r.period_start,
                                        "period_end": r.period_end}
        info.setdefault(r.source, {"title": r.title, "publisher": r.publisher})
    return info


def _heading(source: str, snapshot: str, info: dict, extra: str = "") -> str:
    meta = info.get((source, snapshot), info.get(source, {}))
    start, end = given(meta.get("period_start")), given(meta.get("period_end"))
    period = f", covering {esc(start or '?')} to {esc(end or '?')}" if start or end else ""
    return (f'<h3>{esc(meta.get("title", source))} <code>{esc(source)}</code></h3>'
            f'<p class="meta">{esc(meta.get("publisher", ""))}. Snapshot {esc(snapshot)}'
            f'{period}{esc(extra)}.</p>')


def _years_note(frame: pd.DataFrame) -> tuple[str, set[int]]:
    bases = ", ".join(sorted(frame["year_basis"].dropna().unique()))
    partial = {int(y) for y in frame.loc[frame["partial_year"].fillna(False).astype(bool), "year"].dropna()}
    note = f"Year basis: {esc(bases)}."
    if partial:
        note += f" * partial year ({', '.join(str(y) for y in sorted(partial))}): the snapshot ends before the year does."
    return note, partial


def _withheld_note(frames: list[pd.DataFrame]) -> str:
    n = sum(withheld(f) for f in frames)
    return f" {n:,} withheld cell(s) (suppressed or withheld by the source) are not drawn." if n else ""


def deaths_sections(stats: pd.DataFrame, info: dict) -> str:
    parts = ['<section id="deaths"><h2>Deaths and disappearances</h2>',
             '<p>Each source separately: the same death is often counted by several of them '
             '(IOM\'s US-border figures include Pima County\'s cases). <b>Criminal</b> only where '
             'the source states violence, homicide or an offence; <b>non-criminal</b> only where '
             'it states a natural or accidental manner; everything else is <b>undetermined</b> '
             '(drowning, vehicle accidents or exposure alone say nothing about who caused '
             'them).</p>']
    if stats.empty:
        return empty_section(parts, "deaths-empty", "Deaths and missing by year")
    criminal_keys = legend(CRIMINAL_COLORS, CRIMINAL_LABELS)
    sex_rows = []
    for (source, snapshot), frame in stats.groupby(["source", "snapshot"], sort=True):
        slug = f"{source}-{snapshot}".lower().replace(" ", "-")
        minimum = " IOM's figures are minimum estimates: the true numbers are higher." if source == "mmp" else ""
        parts.append(f'<div class="source">{_heading(source, snapshot, info)}')
        year_note, partial = _years_note(frame)
        by_year = cells(frame, "deaths_stats", ("criminal",))
        totals = total(by_year, ["year", "criminal"])
        columns = []
        for year in sorted(totals["year"].unique()):
            part = totals[totals["year"] == year]
            segs = [(c, float(part.loc[part["criminal"] == c, "value"].sum())) for c in CRIMINAL_COLORS]
            columns.append((f"{int(year)}{'*' if int(year) in partial else ''}", segs))
        parts.append(figure(f"deaths-year-{slug}", "Dead and missing by year: criminal / "
                            "non-criminal / undetermined cause",
                            column_chart(columns, CRIMINAL_COLORS, "dead and missing by year",
                                         CRIMINAL_LABELS),
                            year_note + minimum + _withheld_note([by_year]), criminal_keys))
        by_cause = cells(frame, "deaths_stats", ("cause", "criminal"))
        totals = total(by_cause, ["cause", "criminal"])
        order = totals.groupby("cause")["value"].sum().sort_values(ascending=False)
        rows = [(label_of(cause), [(c, float(totals.loc[(totals["cause"] == cause) & (totals["criminal"] == c), "value"].sum()))
                                   for c in CRIMINAL_COLORS]) for cause in order.index]
        years = f"{int(frame['year'].min())}-{int(frame['year'].max())}"
        parts.append(figure(f"deaths-cause-{slug}", f"By cause, {years}, split criminal / "
                            "non-criminal / undetermined",
                            hbar_chart(rows, CRIMINAL_COLORS, "dead and missing by cause", CRIMINAL_LABELS),
                            "All years of the snapshot together." + _withheld_note([by_cause]),
                            criminal_keys))
        by_nat = cells(frame, "deaths_stats", ("nationality",))
        totals = total(by_nat, ["nationality"]).sort_values("value", ascending=False)
        known = totals[~totals["nationality"].isin(NOT_KNOWN)]
        top = known.head(10)
        rest = known.iloc[10:]["value"].sum()
        rows = [(country_name(r.nationality), [("known", float(r.value))]) for r in top.itertuples()]
        if rest > 0:
            rows.append((f"{len(known) - 10} other nationalities", [("known", float(rest))]))
        for code in ("UNKNOWN", "NOT_RECORDED"):
            value = float(totals.loc[totals["nationality"] == code, "value"].sum())
            if value > 0:
                rows.append((SPECIAL_NATIONALITY[code], [(code.lower(), value)]))
        all_value = float(totals["value"].sum())
        unknown = float(totals.loc[totals["nationality"].isin(NOT_KNOWN), "value"].sum())
        nat_note = (f"Nationality unknown or not recorded for {pct(unknown / all_value)} of "
                    f"{num(all_value)}." if all_value else "")
        if all_value and unknown == all_value:
            nat_note = "This source does not record nationality."
        parts.append(figure(f"deaths-nationality-{slug}", f"Top nationalities, {years}",
                            hbar_chart(rows, {"known": NEUTRAL, "unknown": "#bdbdbd",
                                              "not_recorded": "#dddddd"}, "top nationalities"),
                            nat_note + _withheld_note([by_nat])))
        parts.append("</div>")
        by_sex = total(cells(frame, "deaths_stats", ("sex",)), ["sex"])
        sex_rows.append((short_title(info.get(source, {}).get("title", source)),
                         [(s, float(by_sex.loc[by_sex["sex"] == s, "value"].sum())) for s in SEX_COLORS]))
    parts.append(figure("deaths-sex", "By sex, each source separately (unknown and not recorded "
                        "shown, never spread over female and male)",
                        share_chart(sex_rows, SEX_COLORS, "deaths by sex per source", label_width=260),
                        "All years of each source's latest snapshot. MMP counts females and males "
                        "per incident (observer-attributed); the rest of each incident is unknown.",
                        legend(SEX_COLORS)))
    parts.append("</section>")
    return "".join(parts)


def empty_section(parts: list[str], figure_id: str, title: str) -> str:
    """A section's opening `parts` closed with a chart saying there is no data."""
    return "".join(parts + [figure(figure_id, title, empty_chart()), "</section>"])


def _group_label(source: str, snapshot: str, unit: str, subject: str, info: dict) -> str:
    meta = info.get((source, snapshot), {})
    product = f", {given(meta.get('product'))}" if given(meta.get("product")) not in ("", "default") else ""
    return f"unit: {unit}, subject: {subject}{product}"


def crimes_sections(stats: pd.DataFrame, info: dict) -> str:
    """Crimes against migrants (sources that count only migrants, and the foreign nationals
    among the victims of sources that count everyone), then, as context, the crimes of
    sources that count everyone in a country."""
    parts = ['<section id="crimes"><h2>Crimes against migrants</h2>',
             '<p>Per source and per what a value counts (<code>unit</code>: persons, incidents, '
             'offences, cases) and whose attributes it describes (<code>subject</code>). '
             '<b>SGBV</b>: sexual and gender-based violence. A hate-crime bias motivation is the '
             'offender\'s bias, not the victim\'s race or nationality. Sources that count only '
             'migrants (<code>population = migrants</code>) come first; from sources that count '
             'everyone in a country (<code>population = general</code>), the victims who are '
             'foreign nationals, where the source records citizenship.</p>']
    if stats.empty:
        return empty_section(parts, "crimes-empty", "Crimes by type, with the SGBV share")
    population = stats["population"] if "population" in stats else pd.Series("general", index=stats.index)
    migrants, general = stats[population == "migrants"], stats[population != "migrants"]
    parts += _crime_groups(migrants, info)
    parts += _foreign_nationals(general, info)
    if not len(migrants) and not parts[-1].startswith("<div"):
        parts.append('<p class="note">No source in this release counts migrants alone, and none '
                     'of the others records its victims\' citizenship.</p>')
    if len(general):
        parts.append('<h3 id="crimes-context">Context: all victims in the country</h3>'
                     '<p>These sources count every victim in a country, migrant or not '
                     '(<code>population = general</code>): their figures are the setting in which '
                     'crimes against migrants happen, not counts of them.</p>')
        parts += _crime_groups(general, info)
    parts.append("</section>")
    return "".join(parts)


def _foreign_nationals(stats: pd.DataFrame, info: dict) -> list[str]:
    """Per source group of general-population sources that record the reporting country's
    victims by citizenship: per year, how many were foreign nationals, nationals, or of
    unknown citizenship (published cells only; withheld cells said)."""
    parts = []
    for (source, snapshot, unit, subject), frame in stats.groupby(CHART_GROUP, sort=True):
        found = cells(frame, "crimes_stats", BY_CITIZENSHIP)
        found = found[~found["country_iso3"].isin(("UNKNOWN",))]
        if found.empty:
            continue
        kind = np.where(found["nationality"] == found["country_iso3"], "nationals",
                        np.where(found["nationality"].isin(NOT_KNOWN), "unknown", "foreign"))
        totals = total(found.assign(kind=kind), ["year", "kind"])
        years = sorted(totals["year"].unique(), reverse=True)[:12]
        rows = [(str(int(y)), [(k, float(totals.loc[(totals["year"] == y) & (totals["kind"] == k),
                                                   "value"].sum())) for k in CITIZENSHIP_COLORS])
                for y in years]
        slug = f"{source}-{snapshot}-{unit}-{subject}".lower().replace(" ", "-")
        parts.append(f'<div class="source">{_heading(source, snapshot, info, "; " + _group_label(source, snapshot, unit, subject, info))}')
        parts.append(figure(f"crimes-foreign-{slug}", "Victims who are foreign nationals, by year",
                            share_chart(rows, CITIZENSHIP_COLORS, "victims by citizenship",
                                        CITIZENSHIP_LABELS),
                            "From each reporting country's own citizenship table, summed over "
                            "the countries that report one; foreign: a citizenship other than "
                            "the reporting country's. Latest 12 years." + _withheld_note([found]),
                            legend(CITIZENSHIP_COLORS, CITIZENSHIP_LABELS)))
        parts.append("</div>")
    return parts


def _crime_groups(stats: pd.DataFrame, info: dict) -> list[str]:
    """The crimes charts of each source group: crime types with the SGBV share, and the
    offender's bias motivation of hate crime."""
    parts = []
    keys = legend(SGBV_COLORS, SGBV_LABELS)
    for (source, snapshot, unit, subject), frame in stats.groupby(CHART_GROUP, sort=True):
        slug = f"{source}-{snapshot}-{unit}-{subject}".lower().replace(" ", "-")
        parts.append(f'<div class="source">{_heading(source, snapshot, info, "; " + _group_label(source, snapshot, unit, subject, info))}')
        years = f"{int(frame['year'].min())}-{int(frame['year'].max())}"
        crossed = cells(frame, "crimes_stats", CROSSED)
        single = cells(frame, "crimes_stats", BY_TYPE)
        sgbv = total(cells(frame, "crimes_stats", BY_SGBV), ["sgbv"])
        if len(crossed):
            totals = total(crossed, ["crime_type", "sgbv"])
            order = totals.groupby("crime_type")["value"].sum().sort_values(ascending=False)
            rows = [(label_of(t), [(s, float(totals.loc[(totals["crime_type"] == t) & (totals["sgbv"] == s), "value"].sum()))
                                   for s in SGBV_COLORS]) for t in order.index[:15]]
            colors = SGBV_COLORS
        else:
            totals = total(single, ["crime_type"]).sort_values("value", ascending=False)
            rows = [(label_of(r.crime_type), [("all", float(r.value))]) for r in totals.head(15).itertuples()]
            colors = {"all": NEUTRAL}
        all_sgbv = float(sgbv["value"].sum())
        yes = float(sgbv.loc[sgbv["sgbv"] == "yes", "value"].sum())
        unknown = float(sgbv.loc[sgbv["sgbv"] == "unknown", "value"].sum())
        share = (f"SGBV share: <b>{pct(yes / all_sgbv)}</b> ({num(yes)} of {num(all_sgbv)}"
                 + (f"; SGBV unknown for {num(unknown)}" if unknown else "") + "). ") if all_sgbv else \
            "No SGBV breakdown published. "
        parts.append(figure(f"crimes-type-{slug}", f"By crime type, {years}, with the SGBV share",
                            hbar_chart(rows, colors, "crimes by type", SGBV_LABELS),
                            share + f"All years of the snapshot together ({esc(unit)})."
                            + (" Top 15 types." if len(rows) == 15 else "")
                            + _withheld_note([crossed if len(crossed) else single]),
                            keys if len(crossed) else ""))
        bias = cells(frame, "crimes_stats", BY_BIAS)
        bias = bias[~bias["bias_motivation"].isin(("not_applicable",))]
        if len(bias):
            totals = total(bias, ["bias_motivation"]).sort_values("value", ascending=False)
            rows = [(label_of(r.bias_motivation), [("all", float(r.value))]) for r in totals.head(12).itertuples()]
            parts.append(figure(f"crimes-bias-{slug}", f"Hate crime by the offender's bias motivation, {years}",
                                hbar_chart(rows, {"all": "#e08214"}, "hate crime by bias motivation"),
                                "The offender's bias, as the source records it: not the victim's "
                                "race or nationality. Top 12." + _withheld_note([bias])))
        parts.append("</div>")
    return parts


def funnel_of(frame: pd.DataFrame) -> dict:
    """The funnel of one source group over the country-years that report every funnel stage
    the source reports, each with a published value. Per country where the source breaks down
    by country, else per year. Returns the funnel [(stage, value)], the country-years used and
    reporting any stage, the stages, and the other outcomes (acquitted, dismissed, pending)
    summed over every country-year."""
    base = [d for d in STATS_DIMENSIONS["prosecutions_stats"] if d != "country_iso3"]
    mask = (frame[base] == "all").all(axis=1)
    by_country = frame[mask & (frame["country_iso3"] != "all")]
    rows = by_country if len(by_country) else frame[mask & (frame["country_iso3"] == "all")]
    outcomes = total(rows[~rows["stage"].isin(FUNNEL_STAGES + ("unknown",))], ["stage"])
    result = {"funnel": [], "used": 0, "pairs": 0, "stages": [],
              "outcomes": [(s, float(v)) for s, v in zip(outcomes["stage"], outcomes["value"]) if v]}
    rows = rows[rows["stage"].isin(FUNNEL_STAGES)]
    stages = [s for s in FUNNEL_STAGES if s in set(rows["stage"])]
    if not stages:
        return result
    keys = ["country_iso3", "year", "year_basis"]
    known = rows[rows["value"].notna()]
    reported = known.groupby(keys)["stage"].nunique()
    complete = set(reported[reported == len(stages)].index)
    in_funnel = known[pd.Series([k in complete for k in zip(*(known[c] for c in keys))],
                                index=known.index, dtype=bool)]
    result.update(stages=stages, used=len(complete), pairs=rows.groupby(keys).ngroups,
                  funnel=[(s, float(in_funnel.loc[in_funnel["stage"] == s, "value"].sum()))
                          for s in stages])
    return result


def prosecutions_sections(stats: pd.DataFrame, info: dict) -> str:
    parts = ['<section id="prosecutions"><h2>Prosecutions</h2>',
             '<p>Stages overlap (a convicted person was also prosecuted): they are compared, '
             'never added. Each funnel uses only the country-years that report <b>every</b> stage '
             'shown, so that the stages count comparable cases.</p>']
    if stats.empty:
        return empty_section(parts, "prosecutions-empty", "Prosecutions funnel")
    for (source, snapshot, unit, subject), frame in stats.groupby(
            ["source", "snapshot", "unit", "subject"], sort=True):
        slug = f"{source}-{snapshot}-{unit}-{subject}".lower().replace(" ", "-")
        parts.append(f'<div class="source">{_heading(source, snapshot, info, "; " + _group_label(source, snapshot, unit, subject, info))}')
        result = funnel_of(frame)
        used, pairs, stages = result["used"], result["pairs"], result["stages"]
        stage_words = ", ".join(STAGE_LABELS.get(s, label_of(s)) for s in stages)
        title = (f"Funnel over the {used} of {pairs} country-years that report every stage "
                 f"({stage_words})") if stages else "Prosecutions funnel"
        chart = funnel_chart(result["funnel"], title) if used else empty_chart(
            "No country-year reports every stage" if stages else NO_DATA)
        other = [f"{STAGE_LABELS.get(s, label_of(s))} {num(v)}" for s, v in result["outcomes"]]
        note = ("Percentages are of the first stage. " if used else "") + (
            f"Other outcomes over all country-years (not in the funnel): {esc('; '.join(other))}." if other else "")
        if subject == "offender":
            note += " Subject: offenders (their sex and citizenship), not victims."
        parts.append(figure(f"prosecutions-funnel-{slug}", title, chart, note))
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


SCORECARD_LINES = {("deaths", "criminal"): "Deaths, criminal cause",
                   ("deaths", "non_criminal"): "Deaths, non-criminal cause",
                   ("crimes", "sgbv"): "Crimes: sexual and gender-based violence",
                   ("crimes", "all"): "Crimes, all", ("prosecutions", "sgbv"): "Prosecutions: SGBV",
                   ("prosecutions", "all"): "Prosecutions, all"}
SCORECARD_DIMENSIONS = {"sex": "Gender (sex)", "race_ethnicity": "Race / ethnicity",
                        "nationality": "Nationality"}


def _figure_text(r) -> str:
    count = num(r.value) if pd.notna(r.value) else (
        f"{num(r.value_min)}-{num(r.value_max)}" if pd.notna(r.value_max) else f"at least {num(r.value_min)}")
    share = f", {pct(float(r.known_share))} known" if pd.notna(r.known_share) else ""
    return f"{count} {label_of(r.unit)} ({r.source}, {r.year}{share})"


def scorecard_cell(rows: list) -> str:
    """One cell of the letter scorecard: the best figure with its source and year, the other
    sources' figures in one line, or why there is none."""
    r, others = rows[0], rows[1:]
    if r.status == "no_statistics":
        return '<td class="sc-none">no statistics</td>'
    if r.status == "not_recorded":
        return f'<td class="sc-no" title="{esc(r.note)}">not recorded by any source</td>'
    extra = ("<br><b>general population only</b>" if r.status == "general_population_only" else "")
    if r.measured_by == "bias_motivation":
        extra += "<br><i>the offender's motive, not the victim's own attribute</i>"
    if others:
        extra += "<br><small>Also: " + "; ".join(
            esc(f"{_figure_text(o)}: "
                + ("offender's bias motivation " if o.measured_by == "bias_motivation" else "")
                + o.categories) for o in others) + "</small>"
    return (f'<td class="sc-{"yes" if r.status == "recorded" else "general"}" title="{esc(r.note)}">'
            f"{esc(_figure_text(r))}<br><small>{esc(r.describes)}: {esc(r.categories)}</small>"
            f"{extra}</td>")


def scorecard_section(scorecard: pd.DataFrame) -> str:
    """The 2023 letter answered per government (table `letter_scorecard`): one table per
    country, a row per stream and line, a column per dimension the letter names."""
    parts = ['<section id="scorecard"><h2>The letter, government by government</h2>',
             "<p>For each government the 2023 letter was sent to: the best figure any source "
             "publishes for the latest year, or why there is none (table "
             "<code>letter_scorecard</code>; its README gives the rules for the best figure). "
             "Figures of different cells may come from different sources and years: never add "
             "them. Hover a cell for its caveats.</p>"]
    if scorecard.empty:
        return empty_section(parts, "scorecard-empty", "Letter scorecard")
    for country, rows in scorecard.groupby("country_iso3", sort=False):
        head = "".join(f"<th>{esc(v)}</th>" for v in SCORECARD_DIMENSIONS.values())
        body = []
        for (stream, line), cells in rows.groupby(["stream", "line"], sort=False):
            by_dim = {d: list(group.sort_values("rank").itertuples())
                      for d, group in cells.groupby("dimension", sort=False)}
            body.append(f"<tr><th>{esc(SCORECARD_LINES.get((stream, line), f'{stream} {line}'))}</th>"
                        + "".join(scorecard_cell(by_dim[d]) for d in SCORECARD_DIMENSIONS if d in by_dim)
                        + "</tr>")
        parts.append(f'<h3>{esc(country_name(country))}</h3><table class="scorecard"><thead><tr>'
                     f"<th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def coverage_section(coverage: pd.DataFrame, info: dict) -> str:
    parts = ['<section id="coverage"><h2>What is recorded: the coverage matrix</h2>',
             '<p>The 2023 letter asked governments to keep statistics "based on gender, race '
             'and nationality". For each source (latest snapshot): does it record each '
             'dimension at all, and what share of its count has a known value? Red cells are '
             'what is not recorded.</p>']
    if coverage.empty:
        return empty_section(parts, "coverage-matrix", "Coverage matrix")
    rows, cells_of = [], {}
    groups = coverage.groupby(["stream", "source", "snapshot", "unit", coverage["subject"].fillna("")], sort=True)
    per_source = coverage.groupby("source")[["snapshot", "unit", "subject"]].apply(
        lambda f: len(f.drop_duplicates()))
    for (stream, source, snapshot, unit, subject), frame in groups:
        name = short_title(info.get(source, {}).get("title", source))
        label = f"{stream}: {name}"
        if per_source.get(source, 1) > 1:
            meta = info.get((source, snapshot), {})
            label += f" ({given(meta.get('product')) or snapshot})"
        rows.append(label)
        for r in frame.itertuples():
            cells_of[(label, r.dimension)] = (r.recorded, None if pd.isna(r.known_share) else float(r.known_share))
    parts.append(figure("coverage-matrix", "Coverage matrix: source x sex / gender identity / "
                        "age / nationality / race",
                        matrix_chart(rows, cells_of, "coverage matrix"),
                        "recorded = the source has the field for every record; partly = for "
                        "some; not recorded = never. The percentage is the share of the count "
                        "with a known value.", legend(RECORDED_COLORS, {"yes": "recorded",
                                                                         "partly": "partly recorded",
                                                                         "no": "not recorded"})))
    parts.append("</section>")
    return "".join(parts)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} B"


def downloads_section(release_dir: Path, extracts: dict | None, rows_of: dict[str, int]) -> str:
    """The files to download, with each extract's rows (`rows_of`: table -> rows)."""
    if extracts:
        files = [extracts["zip"]] + list(extracts["files"])
    else:
        folder = release_dir / EXTRACT_DIR
        files = [{"path": f"{EXTRACT_DIR}/{p.name}", "bytes": p.stat().st_size, "sha256": sha256_file(p)}
                 for p in sorted(folder.iterdir())] if folder.is_dir() else []
    descriptions = {}
    for name, rows in rows_of.items():
        descriptions[f"{EXTRACT_DIR}/{name}.parquet"] = f"{name}, Parquet ({rows:,} rows)"
        descriptions[f"{EXTRACT_DIR}/{name}.csv"] = f"{name}, CSV for spreadsheets ({rows:,} rows)"
    rows = []
    for f in files:
        path = f["path"]
        what = descriptions.get(path, "")
        if path.endswith(".zip"):
            what = "everything below in one zip"
        elif "README" in path:
            what = "caveats, snapshots, how to cite"
        elif path.endswith("data_dictionary.md") or path.endswith("data_dictionary.csv"):
            what = "data dictionary"
        elif path.endswith("SHA256SUMS"):
            what = "checksums: sha256sum -c SHA256SUMS"
        rows.append(f'<tr><td><a href="{esc(path)}">{esc(path)}</a></td><td>{esc(what)}</td>'
                    f'<td class="num">{_size(int(f["bytes"]))}</td><td><code class="sha">{esc(f["sha256"])}</code></td></tr>')
    dictionary = (extracts or {}).get("dictionary", f"{EXTRACT_DIR}/data_dictionary.md")
    readme = (extracts or {}).get("readme", "")
    return ('<section id="downloads"><h2>Downloads</h2>'
            f'<p>Latest snapshot of every source, statistics tables only. Read the '
            + (f'<a href="{esc(readme)}">README</a> and the ' if readme else "")
            + f'<a href="{esc(dictionary)}">data dictionary</a> first; check files with '
            '<code>sha256sum -c SHA256SUMS</code> inside <code>extracts/</code>. '
            'Validation results: <a href="data_docs/index.html">Data Docs</a> (offline); '
            'provenance: <a href="manifest.json">manifest.json</a>.</p>'
            '<table class="downloads"><thead><tr><th>file</th><th>what</th><th>size</th>'
            '<th>sha256</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></section>")


def citation_section(sources: pd.DataFrame, release_id: str, created: str, code_version: str) -> str:
    items = []
    # One entry per source and title: a product with its own title (the FBI's CDE incident
    # file, its Hate Crime Statistics Table 1) is cited as itself.
    for r in sources.drop_duplicates(["source", "title"]).sort_values(["source", "title"]).itertuples():
        link = (f' <a href="{esc(r.landing_page)}" rel="external">{esc(r.landing_page)}</a>'
                if is_url(r.landing_page) else
                f" {esc(r.landing_page)}" if isinstance(r.landing_page, str) and r.landing_page else "")
        cite = f"<br>Cite as: {esc(r.citation)}" if isinstance(r.citation, str) and r.citation else ""
        licence = r.licence if isinstance(r.licence, str) and r.licence else "not stated"
        items.append(f"<li><b>{esc(r.title)}</b> (<code>{esc(r.source)}</code>), {esc(r.publisher)}."
                     f"{link}<br>Licence or terms: {esc(licence)}{cite}</li>")
    return ('<section id="cite"><h2>Sources and how to cite</h2><ul class="sources">'
            + "".join(items) + f"<li><b>This page and the extracts</b>: harmstats, public release "
            f"{esc(release_id)} ({esc(created)}), code version {esc(code_version or 'unknown')}.</li>"
            "</ul></section>")


# --- write_page -------------------------------------------------------------------------------

def render_page(tables: dict, release_dir: Path, release_id: str, *,
                created: str, sample: bool, extracts: dict | None = None,
                code_version: str = "") -> str:
    """The release page (HTML) from the public tables: frames, or stored tables read a frame
    at a time."""
    public, rows_of = {}, {}
    for name, data in public_tables(tables).items():
        public[name], rows_of[name] = page_table(name, data)
    sample = is_sample(tables, sample)
    info = _source_info(public["sources"])
    css = (ASSETS / "page.css").read_text(encoding="utf-8")
    banner = ('<div class="sample-banner" role="alert"><b>SAMPLE DATA, NOT REAL STATISTICS.</b> '
              "This release was built from generated sample snapshots in each publisher's format. "
              "Do not quote, chart or cite any number on this page.</div>") if sample else ""
    title = f"harmstats release {release_id}" + (" (SAMPLE DATA)" if sample else "")
    sources_n = public["sources"]["source"].nunique()
    intro = (f"<p>Statistics on deaths of migrants, crimes against them and the prosecution of "
             f"those crimes, from the latest snapshot of each of {sources_n} public source(s), "
             "disaggregated by sex, gender identity, age, nationality and race wherever a source "
             "records them. <b>Sources are never additive</b>: every chart is per source, "
             "because the same death or crime is often counted by several.</p>")
    nav = ('<nav><a href="#scorecard">The letter</a> <a href="#coverage">What is recorded</a> <a href="#deaths">Deaths</a> '
           '<a href="#crimes">Crimes</a> <a href="#prosecutions">Prosecutions</a> '
           '<a href="#downloads">Downloads</a> <a href="#cite">Cite</a></nav>')
    body = "".join([
        banner, f"<header><h1>{esc(title)}</h1><p class=\"meta\">Created {esc(created)}; code "
                f"version {esc(code_version or 'unknown')}.</p>{nav}</header>", intro,
        scorecard_section(public["letter_scorecard"]),
        coverage_section(public["coverage"], info),
        deaths_sections(public["deaths_stats"], info),
        crimes_sections(public["crimes_stats"], info),
        prosecutions_sections(public["prosecutions_stats"], info),
        downloads_section(release_dir, extracts, rows_of),
        citation_section(public["sources"], release_id, created, code_version),
        f'<footer>{banner and "SAMPLE DATA. "}Generated by harmstats. No script, font or '
        "stylesheet on this page is loaded from the network.</footer>",
    ])
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><link rel=\"icon\" href=\"data:,\">"
            f"<style>{css}</style></head><body>{body}</body></html>\n")


def write_page(tables: dict[str, pd.DataFrame], release_dir: Path, release_id: str, *,
               created: str | None = None, sample: bool = False, extracts: dict | None = None,
               code_version: str = "") -> Path:
    """Write `index.html` into `release_dir` and return its path."""
    created = created or datetime.now(timezone.utc).isoformat(timespec="seconds")
    page = render_page(tables, release_dir, release_id, created=created, sample=sample,
                       extracts=extracts, code_version=code_version)
    path = release_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
