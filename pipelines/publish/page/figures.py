"""What the page's sections are made of: figures (a chart, its caption and the facts its note
prints) grouped under a heading per source.

Captions are text of the templates (`templates/page/captions.txt`), used by the page and by
each chart's downloads alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pandas as pd
from markupsafe import Markup

from pipelines.publish.page.charts import Chart
from pipelines.publish.page.words import given
from pipelines.publish.templating import html_templates

NO_DATA = "No data in this release"
MESSAGES = {"no_data": NO_DATA, "no_complete_year": "No country-year reports every stage"}  # a chart's absence


@cache
def captions():
    """The caption macros, callable from Python: `captions().deaths_cause(years="2011-2025")`."""
    return html_templates().get_template("page/captions.txt").module


@dataclass
class Figure:
    """A chart of the page, or the reason there is none (`empty`: `no_data`,
    `no_complete_year`). `facts` are what its note prints; `svg` and `files` (kind -> path of
    a download) are filled when the page is written."""

    id: str
    caption: str
    chart: Chart | None
    facts: dict = field(default_factory=dict)
    empty: str = "no_data"
    source: dict | None = None  # the source heading it sits under (for its downloads' subtitle)
    svg: Markup = Markup("")
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class SourceBlock:
    """The figures of one source (and unit and subject), under its heading."""

    heading: dict
    figures: list[Figure] = field(default_factory=list)


def source_info(sources: pd.DataFrame) -> dict:
    """(source, snapshot) -> its title, publisher, product and period; source -> its title."""
    info = {}
    for r in sources.drop_duplicates(["source", "snapshot"]).itertuples():
        info[(r.source, r.snapshot)] = {"title": r.title, "publisher": r.publisher, "product": r.product,
                                        "period_start": r.period_start, "period_end": r.period_end}
        info.setdefault(r.source, {"title": r.title, "publisher": r.publisher})
    return info


def heading(source: str, snapshot: str, info: dict, unit: str | None = None,
            subject: str | None = None) -> dict:
    """What a source block's heading says: title, id, publisher, snapshot, period covered and,
    for crimes and prosecutions, the unit and subject (and product, where not the default)."""
    meta = info.get((source, snapshot), info.get(source, {}))
    product = given(meta.get("product"))
    group = "" if unit is None else captions().group(unit, subject, "" if product == "default" else product)
    return {"source": source, "snapshot": snapshot, "title": given(meta.get("title")) or source,
            "publisher": given(meta.get("publisher")), "start": given(meta.get("period_start")),
            "end": given(meta.get("period_end")), "group": group}
