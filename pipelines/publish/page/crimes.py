"""The crimes section: crimes against migrants (sources that count only migrants, and the
foreign nationals among the victims of sources that count everyone), then, as context, the
crimes of sources that count everyone in a country. Per source, unit and subject: crime types
with the SGBV share, and the offender's bias motivation of hate crime."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.publish.page import charts
from pipelines.publish.page.figures import Figure, SourceBlock, captions, heading
from pipelines.publish.page.read import (BY_BIAS, BY_CITIZENSHIP, BY_SGBV, BY_TYPE, CHART_GROUP, CROSSED,
                                         cells, total, withheld, years_of)
from pipelines.publish.page.words import (CITIZENSHIP, CITIZENSHIP_LABELS, NEUTRAL, NOT_KNOWN, SGBV,
                                          SGBV_LABELS, dark_text, label_of, palette, slug)

TOP_TYPES, TOP_BIASES, LATEST_YEARS = 15, 12, 12


def crimes_section(stats: pd.DataFrame, info: dict) -> dict:
    """{"migrants": blocks of migrant-population sources, "foreign": blocks of the foreign
    nationals among the victims of general-population sources, "general": blocks of
    general-population sources (context), "empty": whether the table has no rows}."""
    if stats.empty:
        return {"empty": True, "migrants": [], "foreign": [], "general": []}
    population = stats["population"] if "population" in stats else pd.Series("general", index=stats.index)
    migrants, general = stats[population == "migrants"], stats[population != "migrants"]
    return {"empty": False, "migrants": crime_blocks(migrants, info),
            "foreign": foreign_blocks(general, info), "general": crime_blocks(general, info)}


def _block(key: tuple, info: dict) -> SourceBlock:
    source, snapshot, unit, subject = key
    return SourceBlock(heading(source, snapshot, info, unit, subject))


def _add(block: SourceBlock, *figures: Figure) -> SourceBlock:
    for figure in figures:
        figure.source = block.heading
        block.figures.append(figure)
    return block


def foreign_blocks(stats: pd.DataFrame, info: dict) -> list[SourceBlock]:
    """Per group of a general-population source that records the reporting country's victims
    by citizenship: per year (latest 12), foreign nationals, nationals and unknown (published
    cells only)."""
    blocks = []
    for key, frame in stats.groupby(CHART_GROUP, sort=True):
        found = cells(frame, "crimes_stats", BY_CITIZENSHIP)
        found = found[~found["country_iso3"].isin(("UNKNOWN",))]
        if found.empty:
            continue
        kind = np.where(found["nationality"] == found["country_iso3"], "nationals",
                        np.where(found["nationality"].isin(NOT_KNOWN), "unknown", "foreign"))
        totals = total(found.assign(kind=kind), ["year", "kind"])
        years = sorted(totals["year"].unique(), reverse=True)[:LATEST_YEARS]
        totals = totals[totals["year"].isin(years)].assign(
            order=lambda d: d["kind"].map({k: i for i, k in enumerate(CITIZENSHIP)}))
        totals = totals.sort_values(["year", "order"], ascending=[False, True])
        data = _counts(totals, key, label=totals["year"].astype(int).astype(str),
                       category=[label_of(k, CITIZENSHIP_LABELS) for k in totals["kind"]])
        colours = palette(CITIZENSHIP, CITIZENSHIP_LABELS)
        caption = captions().crimes_foreign()
        chart = charts.share_bars(data, colours, caption, dark_text(colours),
                                  names={"label": "year", "category": "citizenship"}) if len(data) else None
        blocks.append(_add(_block(key, info), Figure(f"crimes-foreign-{slug(*key)}", caption, chart,
                                                      {"withheld": withheld(found)})))
    return blocks


def _counts(totals: pd.DataFrame, key: tuple, **columns) -> pd.DataFrame:
    """Chart rows of a source group (source, snapshot, unit, subject, then `columns` and the
    value), with a count above zero, as a whole number."""
    data = pd.DataFrame({**dict(zip(CHART_GROUP, key)), **{k: list(v) for k, v in columns.items()},
                         "value": list(totals["value"])})
    data = data[data["value"] > 0]
    return data.assign(value=data["value"].astype("int64"))


def crime_blocks(stats: pd.DataFrame, info: dict) -> list[SourceBlock]:
    """Per source group: crime types (stacked by SGBV where the source crosses them) with the
    SGBV share, and hate crime by the offender's bias motivation where published."""
    blocks = []
    for key, frame in stats.groupby(CHART_GROUP, sort=True):
        block = _add(_block(key, info), by_type(frame, key))
        bias = by_bias(frame, key)
        if bias is not None:
            _add(block, bias)
        blocks.append(block)
    return blocks


def by_type(frame: pd.DataFrame, key: tuple) -> Figure:
    """The top crime types over every year, split SGBV / not / unknown where the source
    crosses type and SGBV; the note gives the SGBV share of the SGBV margin."""
    crossed = cells(frame, "crimes_stats", CROSSED)
    single = cells(frame, "crimes_stats", BY_TYPE)
    if len(crossed):
        totals = total(crossed, ["crime_type", "sgbv"])
        sums = totals.groupby("crime_type")["value"].sum()
        order = sums.sort_values(ascending=False, kind="stable").index[:TOP_TYPES]
        totals = totals[totals["crime_type"].isin(order)].assign(
            rank=lambda d: d["crime_type"].map({t: i for i, t in enumerate(order)}),
            order=lambda d: d["sgbv"].map({s: i for i, s in enumerate(SGBV)}))
        totals = totals.sort_values(["rank", "order"])
        data = _counts(totals, key, label=[label_of(t) for t in totals["crime_type"]],
                       category=[label_of(s, SGBV_LABELS) for s in totals["sgbv"]])
        colours, names, shown = palette(SGBV, SGBV_LABELS), {"label": "crime type", "category": "sgbv"}, crossed
    else:
        totals = total(single, ["crime_type"]).sort_values("value", ascending=False, kind="stable").head(TOP_TYPES)
        data = _counts(totals, key, label=[label_of(t) for t in totals["crime_type"]],
                       category=["all"] * len(totals))
        colours, names, shown = {"all": NEUTRAL}, {"label": "crime type"}, single
    sgbv = total(cells(frame, "crimes_stats", BY_SGBV), ["sgbv"])
    caption = captions().crimes_type(years_of(frame))
    return Figure(f"crimes-type-{slug(*key)}", caption,
                  charts.stacked_bars(data, colours, caption, names=names) if len(data) else None,
                  {"unit": key[2], "top": data["label"].nunique() == TOP_TYPES, "withheld": withheld(shown),
                   "sgbv_all": float(sgbv["value"].sum()),
                   "sgbv_yes": float(sgbv.loc[sgbv["sgbv"] == "yes", "value"].sum()),
                   "sgbv_unknown": float(sgbv.loc[sgbv["sgbv"] == "unknown", "value"].sum())})


def by_bias(frame: pd.DataFrame, key: tuple) -> Figure | None:
    """Hate crime by the offender's bias motivation (top 12), or None where not published."""
    found = cells(frame, "crimes_stats", BY_BIAS)
    found = found[found["bias_motivation"] != "not_applicable"]
    if found.empty:
        return None
    totals = total(found, ["bias_motivation"]).sort_values("value", ascending=False, kind="stable").head(TOP_BIASES)
    data = _counts(totals, key, label=[label_of(b) for b in totals["bias_motivation"]],
                   category=["all"] * len(totals))
    caption = captions().crimes_bias(years_of(frame))
    return Figure(f"crimes-bias-{slug(*key)}", caption,
                  charts.stacked_bars(data, {"all": "#e08214"}, caption, names={"label": "bias motivation"})
                  if len(data) else None, {"withheld": withheld(found)})
