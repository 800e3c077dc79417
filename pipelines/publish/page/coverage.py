"""The coverage matrix: for each source group (latest snapshot), whether it records each
dimension the 2023 letter asks about, and what share of its count has a known value."""

from __future__ import annotations

import pandas as pd

from pipelines.publish.page import charts
from pipelines.publish.page.figures import Figure, captions
from pipelines.publish.page.words import (LETTER_DIMENSIONS, RECORDED, RECORDED_LABELS, dark_text, given,
                                          palette, short_title)
from pipelines.publish.templating import share


def coverage_figure(coverage: pd.DataFrame, info: dict) -> Figure:
    """The matrix: a row per stream and source (with its product where a source has several
    groups), a column per dimension; a cell the table has no row for is `n/a`."""
    caption = captions().coverage()
    if coverage.empty:
        return Figure("coverage-matrix", caption, None)
    per_source = coverage.groupby("source")[["snapshot", "unit", "subject"]].apply(
        lambda f: len(f.drop_duplicates()))
    rows = []
    groups = list(coverage.groupby(["stream", "source", "snapshot", "unit", coverage["subject"].fillna("")], sort=True))
    labels = [_label(stream, source, snapshot, info, per_source) for (stream, source, snapshot, _, _), _ in groups]
    for ((stream, source, snapshot, unit, subject), frame), label in zip(groups, labels):
        if labels.count(label) > 1:  # groups of one product told apart by what they count
            label = f"{label[:-1]}; {unit}, {subject})" if label.endswith(")") else f"{label} ({unit}, {subject})"
        # prosecutions: one row per funnel stage; the matrix shows the stage with the largest count
        found = frame.sort_values("total", ascending=False, kind="stable").drop_duplicates("dimension")
        found = found.set_index("dimension")
        for dim, name in LETTER_DIMENSIONS.items():
            recorded = found["recorded"].get(dim, "n/a")
            known = found["known_share"].get(dim)
            rows.append({"stream": stream, "source": source, "snapshot": snapshot, "unit": unit,
                         "subject": subject or None, "label": label, "column": name,
                         "recorded": RECORDED_LABELS.get(recorded, recorded),
                         "known": None if known is None or pd.isna(known) else share(float(known))})
    data = pd.DataFrame(rows)
    shown = set(data["recorded"])
    colours = palette(RECORDED, RECORDED_LABELS, [c for c in RECORDED if RECORDED_LABELS.get(c, c) in shown])
    return Figure("coverage-matrix", caption,
                  charts.matrix(data, colours, list(LETTER_DIMENSIONS.values()), caption, dark_text(colours),
                                names={"label": "row", "column": "dimension", "known": "share known"}))


def _label(stream: str, source: str, snapshot: str, info: dict, per_source) -> str:
    """A matrix row's name: stream and short title, with the product (or snapshot) where the
    source has several groups."""
    label = f"{stream}: {short_title(info.get(source, {}).get('title', source))}"
    if per_source.get(source, 1) > 1:
        label += f" ({given(info.get((source, snapshot), {}).get('product')) or snapshot})"
    return label
