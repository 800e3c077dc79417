"""The prosecutions section: per source, unit and subject, the criminal-justice funnel over the
country-years that report every stage the source reports (stages overlap: compared, never
added)."""

from __future__ import annotations

import pandas as pd

from pipelines.publish.extract_tables import STATS_DIMENSIONS
from pipelines.publish.page import charts
from pipelines.publish.page.figures import Figure, SourceBlock, captions, heading
from pipelines.publish.page.read import CHART_GROUP, total
from pipelines.publish.page.words import FUNNEL_STAGES, slug, stage_label


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


def prosecutions_section(stats: pd.DataFrame, info: dict) -> list[SourceBlock]:
    """A block per source group, each with its funnel (or why there is none)."""
    blocks = []
    for key, frame in stats.groupby(CHART_GROUP, sort=True):
        source, snapshot, unit, subject = key
        block = SourceBlock(heading(source, snapshot, info, unit, subject))
        result = funnel_of(frame)
        stages = [stage_label(s) for s in result["stages"]]
        caption = captions().funnel(result["used"], result["pairs"], stages)
        data = pd.DataFrame({"source": source, "snapshot": snapshot, "unit": unit, "subject": subject,
                             "label": [stage_label(s) for s, _ in result["funnel"]],
                             "value": [int(v) for _, v in result["funnel"]]})
        drawn = result["used"] and data["value"].any()
        figure = Figure(f"prosecutions-funnel-{slug(*key)}", caption,
                        charts.funnel(data, caption, names={"label": "stage"}) if drawn else None,
                        {"used": result["used"], "subject": subject,
                         "outcomes": [(stage_label(s), v) for s, v in result["outcomes"]]},
                        empty="no_complete_year" if stages and not result["used"] else "no_data",
                        source=block.heading)
        block.figures.append(figure)
        blocks.append(block)
    return blocks
