"""The deaths section: per source and snapshot, dead and missing by year (criminal /
non-criminal / undetermined), by cause and by nationality; then by sex, every source in one
chart (each its own bar: sources are never added)."""

from __future__ import annotations

import pandas as pd

from pipelines.publish.page import charts
from pipelines.publish.page.figures import Figure, SourceBlock, captions, heading
from pipelines.publish.page.read import cells, total, withheld, years_of
from pipelines.publish.page.words import (CRIMINAL, CRIMINAL_LABELS, NATIONALITY, NATIONALITY_LABELS,
                                          NOT_KNOWN, SEX, SPECIAL_NATIONALITY, country_name, dark_text,
                                          label_of, palette, short_title, slug)

TOP_NATIONALITIES = 10


def deaths_section(stats: pd.DataFrame, info: dict) -> dict:
    """{"sources": a block per source and snapshot, "sex": the by-sex figure (None when the
    table is empty)}."""
    if stats.empty:
        return {"sources": [], "sex": None}
    blocks, by_sex = [], []
    for (source, snapshot), frame in stats.groupby(["source", "snapshot"], sort=True):
        block = SourceBlock(heading(source, snapshot, info))
        block.figures = [by_year(frame, source, snapshot), by_cause(frame, source, snapshot),
                         by_nationality(frame, source, snapshot)]
        for figure in block.figures:
            figure.source = block.heading
        blocks.append(block)
        sexes = total(cells(frame, "deaths_stats", ("sex",)), ["sex"])
        by_sex += [{"source": source, "snapshot": snapshot,
                    "label": short_title(info.get(source, {}).get("title", source)),
                    "category": label_of(r.sex), "value": r.value}
                   for r in sexes.set_index("sex").reindex(list(SEX)).dropna().reset_index().itertuples()]
    colours = palette(SEX)
    data = _counts(pd.DataFrame(by_sex, columns=["source", "snapshot", "label", "category", "value"]))
    caption = captions().deaths_sex()
    sex = Figure("deaths-sex", caption, charts.share_bars(data, colours, caption, dark_text(colours),
                                                          names={"label": "source title", "category": "sex"})
                 if len(data) else None)
    return {"sources": blocks, "sex": sex}


def _counts(data: pd.DataFrame) -> pd.DataFrame:
    """Chart rows with a count above zero, the count as a whole number."""
    data = data[data["value"] > 0]
    return data.assign(value=data["value"].astype("int64"))


def by_year(frame: pd.DataFrame, source: str, snapshot: str) -> Figure:
    """Dead and missing per year, split criminal / non-criminal / undetermined; a partial
    year is marked `*`."""
    partial = {int(y) for y in frame.loc[frame["partial_year"].fillna(False).astype(bool), "year"].dropna()}
    found = cells(frame, "deaths_stats", ("criminal",))
    totals = total(found, ["year", "criminal"]).sort_values("year", kind="stable")
    totals["order"] = totals["criminal"].map({c: i for i, c in enumerate(CRIMINAL)})
    totals = totals.sort_values(["year", "order"], kind="stable")
    data = _counts(pd.DataFrame({
        "source": source, "snapshot": snapshot,
        "label": [f"{int(y)}{'*' if int(y) in partial else ''}" for y in totals["year"]],
        "category": [label_of(c, CRIMINAL_LABELS) for c in totals["criminal"]], "value": totals["value"]}))
    caption = captions().deaths_year()
    return Figure(f"deaths-year-{slug(source, snapshot)}", caption,
                  charts.stacked_columns(data, palette(CRIMINAL, CRIMINAL_LABELS), caption,
                                         names={"label": "year", "category": "criminal"}) if len(data) else None,
                  {"bases": sorted(frame["year_basis"].dropna().unique()), "partial": sorted(partial),
                   "minimum": source == "mmp", "withheld": withheld(found)})


def by_cause(frame: pd.DataFrame, source: str, snapshot: str) -> Figure:
    """Dead and missing per cause over every year, split criminal / non-criminal / undetermined."""
    found = cells(frame, "deaths_stats", ("cause", "criminal"))
    totals = total(found, ["cause", "criminal"])
    order = totals.groupby("cause")["value"].sum().sort_values(ascending=False, kind="stable").index
    totals["rank"] = totals["cause"].map({c: i for i, c in enumerate(order)})
    totals["order"] = totals["criminal"].map({c: i for i, c in enumerate(CRIMINAL)})
    totals = totals.sort_values(["rank", "order"])
    data = _counts(pd.DataFrame({"source": source, "snapshot": snapshot,
                                 "label": [label_of(c) for c in totals["cause"]],
                                 "category": [label_of(c, CRIMINAL_LABELS) for c in totals["criminal"]],
                                 "value": totals["value"]}))
    caption = captions().deaths_cause(years_of(frame))
    return Figure(f"deaths-cause-{slug(source, snapshot)}", caption,
                  charts.stacked_bars(data, palette(CRIMINAL, CRIMINAL_LABELS), caption,
                                      names={"label": "cause", "category": "criminal"}) if len(data) else None,
                  {"withheld": withheld(found)})


def by_nationality(frame: pd.DataFrame, source: str, snapshot: str) -> Figure:
    """The top nationalities over every year, the rest in one bar, then unknown and not
    recorded (in grey: never spread over the known ones)."""
    found = cells(frame, "deaths_stats", ("nationality",))
    totals = total(found, ["nationality"]).sort_values("value", ascending=False, kind="stable")
    known = totals[~totals["nationality"].isin(NOT_KNOWN)]
    rows = [(country_name(r.nationality), "known", r.value) for r in known.head(TOP_NATIONALITIES).itertuples()]
    rest = known.iloc[TOP_NATIONALITIES:]["value"].sum()
    if rest > 0:
        rows.append((f"{len(known) - TOP_NATIONALITIES} other nationalities", "known", rest))
    for code in ("UNKNOWN", "NOT_RECORDED"):
        rows.append((SPECIAL_NATIONALITY[code], code.lower(),
                     totals.loc[totals["nationality"] == code, "value"].sum()))
    data = _counts(pd.DataFrame(rows, columns=["label", "category", "value"]).assign(
        category=lambda d: [label_of(c, NATIONALITY_LABELS) for c in d["category"]]))
    data.insert(0, "snapshot", snapshot)
    data.insert(0, "source", source)
    caption = captions().deaths_nationality(years_of(frame))
    colours = palette(NATIONALITY, NATIONALITY_LABELS, [c for c in NATIONALITY
                                                        if label_of(c, NATIONALITY_LABELS) in set(data["category"])])
    return Figure(f"deaths-nationality-{slug(source, snapshot)}", caption,
                  charts.stacked_bars(data, colours, caption, names={"label": "nationality"}, legend=False)
                  if len(data) else None,
                  {"all": float(totals["value"].sum()),
                   "unknown": float(totals.loc[totals["nationality"].isin(NOT_KNOWN), "value"].sum()),
                   "withheld": withheld(found)})
