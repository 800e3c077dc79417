"""The page's charts as Vega-Lite specifications, built with Altair from small tidy frames.

Every chart reads one frame (`Chart.data`, also its CSV download) of whole counts: shares,
totals, positions and the hover text are Vega-Lite transforms, so the data holds only what the
statistics publish (sums of published cells) and the spec is the whole recipe. Each mark's
hover text is its `description` (and `tooltip`): `render.py` turns it into an SVG `<title>`.

Chart kinds:
- `stacked_columns`: a column per label (year), stacked by category.
- `stacked_bars`: a horizontal bar per label, stacked by category, the total at its end.
- `share_bars`: 100% bars, each category's share printed inside where it fits, n at the end.
- `funnel`: centred bars, widest first, each with its share of the first stage.
- `matrix`: the coverage matrix, a cell per row and dimension coloured by `recorded`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"  # vl-convert ships Liberation Sans
CONFIG = {
    "font": FONT, "background": "white", "padding": 6, "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "labelColor": "#222", "domainColor": "#888", "tickColor": "#888",
             "gridColor": "#eeeeee"},
    "legend": {"orient": "top", "title": None, "labelFontSize": 12, "symbolType": "square",
               "symbolStrokeWidth": 0, "padding": 0},
    "title": {"anchor": "start", "fontSize": 14, "subtitleFontSize": 11, "subtitleColor": "#555",
              "offset": 10},
}
PCT = "(datum.{0} > 0 && datum.{0} < 0.01) ? '<1%' : format(datum.{0}, '.0%')"
NUM = "format(datum.{0}, ',d')"
BAR_WIDTH = 460  # the plot of a horizontal bar chart, beside its labels
LABEL_LIMIT = 230


@dataclass
class Chart:
    """A chart's Vega-Lite spec (without title: `render.py` adds it to the downloads), the
    data it draws, and the names its CSV download gives the data's columns."""

    spec: dict
    data: pd.DataFrame
    names: dict[str, str] = field(default_factory=dict)

    def csv_frame(self) -> pd.DataFrame:
        """The data as its CSV download holds it."""
        return self.data.rename(columns=self.names)


def _values(data: pd.DataFrame) -> list[dict]:
    """Records for inline data: whole counts as integers, missing as null."""
    out = data.astype(object).where(data.notna(), None)
    for column in out:
        if pd.api.types.is_numeric_dtype(data[column]) and (data[column].dropna() % 1 == 0).all():
            out[column] = [None if v is None else int(v) for v in out[column]]
    return out.to_dict("records")


def _chart(data: pd.DataFrame, layers: list, names: dict | None, **properties) -> Chart:
    """The layered spec of `layers` over `data`, with the page's look."""
    chart = alt.layer(*layers, data=alt.Data(values=_values(data))).properties(**properties)
    spec = chart.to_dict(validate=False)  # validated against the schema by the tests (test_page.py)
    spec["config"] = CONFIG
    return Chart(spec, data, names or {})


def _order(categories: list[str]) -> str:
    """A category's position in `categories` (stacking and legend order)."""
    return f"indexof({json.dumps(categories)}, datum.category)"


def _colour(palette: dict[str, str], legend: bool = True) -> alt.Color:
    return alt.Color("category:N", scale=alt.Scale(domain=list(palette), range=list(palette.values())),
                     legend=alt.Legend() if legend and len(palette) > 1 else None)


def stacked_columns(data: pd.DataFrame, palette: dict[str, str], description: str,
                    names: dict | None = None) -> Chart:
    """`data`: label (a column, in order), category, value. Hover: `2024: criminal 4 of 10`."""
    labels = list(dict.fromkeys(data["label"]))
    x = alt.X("label:N", sort=labels, title=None,
              axis=alt.Axis(labelAngle=0, labelOverlap=True, labelFontSize=10, ticks=False))
    bars = (alt.Chart().mark_bar(width={"band": 0.75})
            .transform_calculate(order=_order(list(palette)))
            .transform_joinaggregate(total="sum(value)", groupby=["label"])
            .transform_calculate(tip=f"datum.label + ': ' + datum.category + ' ' + {NUM.format('value')} "
                                     f"+ ' of ' + {NUM.format('total')}")
            .encode(x=x, y=alt.Y("value:Q", stack="zero", title=None,
                                 axis=alt.Axis(format=",d", tickCount=4, domain=False, ticks=False,
                                               labelFontSize=10, labelColor="#666")),
                    color=_colour(palette), order=alt.Order("order:Q"),
                    description="tip:N", tooltip="tip:N"))
    return _chart(data, [bars], names, width=640, height=200, description=description)


def stacked_bars(data: pd.DataFrame, palette: dict[str, str], description: str,
                 names: dict | None = None, legend: bool = True) -> Chart:
    """`data`: label (a bar, in order), category, value. Hover: `drowning: undetermined 6 (100%)`;
    the bar's total printed at its end."""
    labels = list(dict.fromkeys(data["label"]))
    y = alt.Y("label:N", sort=labels, title=None,
              axis=alt.Axis(labelLimit=LABEL_LIMIT, ticks=False, domain=False, labelFontSize=12, labelPadding=6))
    bars = (alt.Chart().mark_bar(height={"band": 0.78})
            .transform_calculate(order=_order(list(palette)))
            .transform_joinaggregate(total="sum(value)", groupby=["label"])
            .transform_calculate(share="datum.value / datum.total")
            .transform_calculate(tip=f"datum.label + ': ' + datum.category + ' ' + {NUM.format('value')} "
                                     f"+ ' (' + ({PCT.format('share')}) + ')'")
            .encode(y=y, x=alt.X("value:Q", stack="zero", title=None, axis=None),
                    color=_colour(palette, legend), order=alt.Order("order:Q"),
                    description="tip:N", tooltip="tip:N"))
    totals = (alt.Chart().mark_text(align="left", dx=4, fontSize=11, color="#444")
              .encode(y=y, x=alt.X("sum(value):Q"), text=alt.Text("sum(value):Q", format=",d")))
    return _chart(data, [bars, totals], names, width=BAR_WIDTH, height=alt.Step(22), description=description)


def share_bars(data: pd.DataFrame, palette: dict[str, str], description: str,
               dark_text: tuple[str, ...] = (), names: dict | None = None) -> Chart:
    """`data`: label (a bar, in order), category, value. Each bar is 100%; a share is printed
    inside its segment where it fits (in dark text on the light colours `dark_text`), `n=` the
    bar's total at its end. Hover: `female 3 (30%)`, prefixed by the label."""
    labels = list(dict.fromkeys(data["label"]))
    y = alt.Y("label:N", sort=labels, title=None,
              axis=alt.Axis(labelLimit=LABEL_LIMIT, ticks=False, domain=False, labelFontSize=12, labelPadding=6))
    base = (alt.Chart()
            .transform_calculate(order=_order(list(palette)))
            .transform_joinaggregate(total="sum(value)", groupby=["label"])
            .transform_window(end="sum(value)", groupby=["label"], sort=[alt.SortField("order")],
                              frame=[None, 0])
            .transform_calculate(start="(datum.end - datum.value) / datum.total",
                                 stop="datum.end / datum.total", share="datum.value / datum.total",
                                 middle="(datum.end - datum.value / 2) / datum.total")
            .transform_calculate(share_text=PCT.format("share"))
            .transform_calculate(tip=f"datum.label + ': ' + datum.category + ' ' + {NUM.format('value')} "
                                     "+ ' (' + datum.share_text + ')'"))
    x = alt.X("start:Q", scale=alt.Scale(domain=[0, 1]), axis=None, title=None)
    bars = base.mark_bar(height={"band": 0.75}, stroke="white", strokeWidth=1).encode(
        y=y, x=x, x2="stop:Q", color=_colour(palette), description="tip:N", tooltip="tip:N")
    # The labels repeat what the bars say; without ARIA their aria-label does not print the
    # placement fields (`middle`, a fraction with many decimals) into the SVG.
    wide = base.transform_filter(f"datum.share * {BAR_WIDTH} >= 30")
    inside = wide.mark_text(fontSize=11, aria=False).encode(
        y=y, x=alt.X("middle:Q", scale=alt.Scale(domain=[0, 1])), text="share_text:N",
        color=alt.condition(alt.FieldOneOfPredicate(field="category", oneOf=list(dark_text)),
                            alt.value("#222222"), alt.value("#ffffff")))
    n = (alt.Chart().transform_aggregate(total="sum(value)", groupby=["label"])
         .transform_calculate(n_text=f"'n=' + {NUM.format('total')}")
         .mark_text(align="left", dx=6, fontSize=11, color="#444")
         .encode(y=y, x=alt.datum(1, scale=alt.Scale(domain=[0, 1])), text="n_text:N"))
    return _chart(data, [bars, inside, n], names, width=BAR_WIDTH, height=alt.Step(28), description=description)


def funnel(data: pd.DataFrame, description: str, colour: str = "#5e3c99",
           names: dict | None = None) -> Chart:
    """`data`: label (a stage, widest first), value. Centred bars; the value printed at the
    right, with its share of the first stage from the second on. Hover: `convicted: 7`."""
    labels = list(dict.fromkeys(data["label"]))
    y = alt.Y("label:N", sort=labels, title=None,
              axis=alt.Axis(ticks=False, domain=False, labelFontSize=12))
    base = (alt.Chart()
            .transform_calculate(order=f"indexof({json.dumps(labels)}, datum.label)")
            .transform_joinaggregate(biggest="max(value)")
            .transform_window(first="first_value(value)", sort=[alt.SortField("order")], frame=[None, None])
            .transform_calculate(left="(datum.biggest - datum.value) / 2",
                                 right="(datum.biggest + datum.value) / 2",
                                 share="datum.first ? datum.value / datum.first : 0",
                                 tip=f"datum.label + ': ' + {NUM.format('value')}")
            .transform_calculate(value_text=f"{NUM.format('value')} + (datum.order > 0 ? ' (' + "
                                            f"({PCT.format('share')}) + ')' : '')"))
    bars = base.mark_bar(color=colour, height={"band": 0.8}).encode(
        y=y, x=alt.X("left:Q", axis=None, title=None), x2="right:Q", description="tip:N", tooltip="tip:N")
    values = base.mark_text(align="left", dx=8, fontSize=11, color="#444").encode(
        y=y, x=alt.X("biggest:Q"), text="value_text:N")
    return _chart(data, [bars, values], names, width=BAR_WIDTH, height=alt.Step(32), description=description)


def matrix(data: pd.DataFrame, palette: dict[str, str], columns: list[str], description: str,
           dark_text: tuple[str, ...] = (), names: dict | None = None) -> Chart:
    """`data`: label (a row, in order), column (one of `columns`), recorded (a key of
    `palette`), known (the share of the count with a known value as printed, `84%` or `<1%`,
    or null). A cell says `recorded`, `not recorded`, `84% known` or `partly, 40% known`."""
    labels = list(dict.fromkeys(data["label"]))
    y = alt.Y("label:N", sort=labels, title=None,
              axis=alt.Axis(labelLimit=400, ticks=False, domain=False, labelFontSize=12))
    x = alt.X("column:N", sort=columns, title=None,
              axis=alt.Axis(orient="top", labelAngle=0, ticks=False, domain=False, labelFontSize=12,
                            labelFontWeight="bold", labelLimit=120))
    base = alt.Chart().transform_calculate(
        shown="datum.recorded === 'not recorded' || datum.known === null ? datum.recorded : "
              "(datum.recorded === 'partly recorded' ? 'partly, ' : '') + datum.known + ' known'",
        tip="datum.label + ' / ' + datum.column + ': ' + datum.recorded + "
            "(datum.known === null ? '' : ', ' + datum.known + ' of the count known')")
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        y=y, x=x, color=alt.Color("recorded:N", scale=alt.Scale(domain=list(palette), range=list(palette.values())),
                                  legend=alt.Legend()),
        description="tip:N", tooltip="tip:N")
    text = base.mark_text(fontSize=11).encode(
        y=y, x=x, text="shown:N",
        color=alt.condition(alt.FieldOneOfPredicate(field="recorded", oneOf=list(dark_text)),
                            alt.value("#222222"), alt.value("#ffffff")))
    return _chart(data, [cells, text], names, width=alt.Step(104), height=alt.Step(24), description=description)
