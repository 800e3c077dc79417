"""The READMEs of the public extracts (one per table, with the caveats that matter for it, and
an index) and the data dictionary, in Markdown: the text is in `templates/readmes/`, this
module gathers what they print (rows, years, coverage, withheld cells, snapshots, citations).
Every value from the data is escaped for Markdown by the template environment
(`templating.markdown_templates`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipelines.publish.dictionary import _type
from pipelines.publish.extract_tables import EXTRACT_TABLES, STATS_DIMENSIONS, STREAM_OF, public_columns
from pipelines.publish.public import settings
from pipelines.publish.templating import markdown_templates, plain_text
from schemas.tables import TABLES, table_description

LETTER_DIMENSIONS = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity")


@dataclass
class Context:
    """What every README needs: the release, the public tables, sample or not."""

    release_id: str
    created: str
    code_version: str
    sample: bool
    public: dict  # name -> frame (`sources` and `coverage` always), or a view of a stored table
    names: dict[str, str] = field(default_factory=dict)  # file role -> file name

    @property
    def sources(self) -> pd.DataFrame:
        return self.public["sources"]

    @property
    def coverage(self) -> pd.DataFrame:
        return self.public["coverage"]


def readme_name(stem: str, sample: bool) -> str:
    """`README.md` or `<table>.README.md`, with `-SAMPLE` before `.md` for sample data."""
    return f"{stem}{'-SAMPLE' if sample else ''}.md"


@dataclass
class Years:
    """The years of one source and snapshot in a table: range, year bases, partial years."""

    first: int | None = None
    last: int | None = None
    bases: set[str] = field(default_factory=set)
    partial: set[int] = field(default_factory=set)

    def add(self, part: pd.DataFrame) -> None:
        """Take in the rows of `part` (one source and snapshot)."""
        years = part["year"].dropna()
        if len(years):
            low, high = int(years.min()), int(years.max())
            self.first = low if self.first is None else min(self.first, low)
            self.last = high if self.last is None else max(self.last, high)
        self.bases |= set(part["year_basis"].dropna().unique())  # distinct first: far fewer
        self.partial |= {int(y) for y in part.loc[part["partial_year"].fillna(False).astype(bool),
                                                  "year"].dropna().unique()}


YEAR_COLUMNS = {"source", "snapshot", "year", "year_basis", "partial_year"}


@dataclass
class TableFacts:
    """What a table's README says of its rows, gathered frame by frame (a stored table is
    never whole): how many, which sources, how many cells withheld, and the years of each
    source and snapshot."""

    rows: int = 0
    sources: set[str] | None = None  # None: the table has no `source` column
    suppressed: int | None = None  # None: the table has no `suppressed` column
    source_suppressed: int = 0
    years: dict[tuple[str, str], Years] = field(default_factory=dict)

    @classmethod
    def of(cls, frame: pd.DataFrame) -> TableFacts:
        facts = cls()
        facts.add(frame)
        return facts

    @property
    def empty(self) -> bool:
        return self.rows == 0

    def add(self, frame: pd.DataFrame) -> None:
        """Take in the rows of `frame`."""
        self.rows += len(frame)
        # A table of pairs of lists (deaths_overlap, deaths_estimates) names both sources.
        columns = [c for c in ("source", "source_l", "source_r", "race_source") if c in frame]
        if columns:
            found = set().union(*(set(frame[c].dropna().unique()) for c in columns))
            self.sources = (self.sources or set()) | found
        elif "sources" in frame:  # source ids joined by '+'
            found = {s for joined in frame["sources"].dropna().unique() for s in joined.split("+")}
            self.sources = (self.sources or set()) | found
        if "suppressed" in frame:
            self.suppressed = (self.suppressed or 0) + int(frame["suppressed"].fillna(False).astype(bool).sum())
            self.source_suppressed += int(frame["source_suppressed"].fillna(False).astype(bool).sum())
        if YEAR_COLUMNS <= set(frame.columns) and len(frame):
            for key, part in frame.groupby(["source", "snapshot"], sort=False):
                self.years.setdefault(key, Years()).add(part)


# --- what the templates print -------------------------------------------------------------------

def snapshot_rows(ctx: Context, source_ids: list[str]) -> list[dict]:
    """One row per source and snapshot in the table: kind, product, period, retrieval."""
    sources = ctx.sources
    rows = sources[sources["source"].isin(source_ids)].drop_duplicates(["source", "snapshot"])
    columns = ["source", "snapshot", "kind", "product", "period_start", "period_end", "retrieved"]
    return [{c: plain_text(getattr(r, c)) for c in columns}
            for r in rows.sort_values(["source", "snapshot"]).itertuples()]


def citation_rows(ctx: Context, source_ids: list[str]) -> list[dict]:
    """One entry per source and title (a product with its own title is cited apart)."""
    sources = ctx.sources.drop_duplicates(["source", "title"])
    columns = ["source", "title", "publisher", "landing_page", "licence", "citation"]
    return [{c: plain_text(getattr(r, c)) for c in columns}
            for r in sources[sources["source"].isin(source_ids)].sort_values(["source", "title"]).itertuples()]


def year_rows(facts: TableFacts) -> list[dict]:
    """Per source and snapshot: first and last year, year bases, partial years."""
    return [{"source": source, "snapshot": snapshot, "first": years.first, "last": years.last,
             "bases": sorted(years.bases), "partial": sorted(years.partial)}
            for (source, snapshot), years in sorted(facts.years.items())]


def coverage_rows(ctx: Context, stream: str) -> list[dict]:
    """Per source group of the stream: for each dimension of the 2023 letter, whether it is
    recorded and the share known (None where the coverage table has no row)."""
    cov = ctx.coverage[ctx.coverage["stream"] == stream]
    rows = []
    for (source, _snapshot, unit, subject), part in cov.groupby(
            ["source", "snapshot", "unit", cov["subject"].fillna("")], sort=True):
        cells = []
        for dim in LETTER_DIMENSIONS:
            row = part[part["dimension"] == dim]
            cells.append(None if row.empty else {
                "recorded": row.iloc[0]["recorded"],
                "share": None if pd.isna(row.iloc[0]["known_share"]) else float(row.iloc[0]["known_share"])})
        rows.append({"source": source, "unit": unit, "subject": subject, "cells": cells})
    return rows


def withheld_counts(facts: TableFacts) -> dict | None:
    """Cells withheld by disclosure control and by the source, with the parameters the
    README quotes; None for a table without a `suppressed` column."""
    if facts.suppressed is None:
        return None
    try:
        st = settings()
        high, k = st.threshold[1], st.k
    except ValueError:
        high, k = "a few", "k"
    return {"suppressed": facts.suppressed, "by_source": facts.source_suppressed, "high": high, "k": k}


def flag_rows(ctx: Context, source_ids: list[str]) -> list[dict]:
    """Per source: rows read, accepted, quarantined and flagged over its latest snapshots
    ("withheld" where the public table withholds them)."""
    s = ctx.sources[ctx.sources["source"].isin(source_ids)]
    if s.empty:
        return []
    sums = {name: (column, lambda v: v.sum(min_count=1))
            for name, column in (("read", "rows_read"), ("accepted", "rows_accepted"),
                                 ("quarantined", "rows_quarantined"), ("flagged", "rows_flagged"))}
    agg = s.groupby("source").agg(**sums)
    return [{"source": source, **r.to_dict()} for source, r in agg.iterrows()]


# --- the files ------------------------------------------------------------------------------------

def table_readme(name: str, frame: pd.DataFrame | TableFacts, ctx: Context, files: list[str],
                 query: str | None = None) -> str:
    """The README of one extract (or of an export, with `query` describing the slice), from
    the table's rows or the facts gathered from them."""
    facts = frame if isinstance(frame, TableFacts) else TableFacts.of(frame)
    source_ids = sorted(facts.sources or ())
    statistics = name in STATS_DIMENSIONS
    return markdown_templates().get_template("readmes/table_README.md").render(
        name=name, query=query, ctx=ctx, facts=facts, files=files, description=table_description(name),
        dictionary=ctx.names.get("dictionary", "data_dictionary.md"), statistics=statistics,
        withheld=withheld_counts(facts) if statistics else None,
        years=year_rows(facts), coverage=coverage_rows(ctx, STREAM_OF[name]) if statistics else [],
        flags=flag_rows(ctx, source_ids) if statistics else [],
        per_source=bool(source_ids), snapshots=snapshot_rows(ctx, source_ids) if source_ids else [],
        citations=citation_rows(ctx, source_ids or sorted(ctx.sources["source"].dropna().unique())))


def index_readme(ctx: Context, listing: list[tuple[str, str]]) -> str:
    """The README of the whole extracts folder; `listing` is (file, what it is: Markdown
    written by the project)."""
    return markdown_templates().get_template("readmes/README.md").render(
        ctx=ctx, listing=listing, citations=citation_rows(ctx, sorted(ctx.sources["source"].dropna().unique())))


def dictionary_rows(ctx_tables: tuple[str, ...] = EXTRACT_TABLES) -> pd.DataFrame:
    """table, column, type, meaning, allowed codes: one row per public column."""
    rows = []
    for name in ctx_tables:
        columns = TABLES[name].to_schema().columns
        for column in public_columns(name):
            spec = columns[column]
            rows.append({"table": name, "column": column, "type": _type(spec),
                         "meaning": spec.description or "",
                         "allowed_codes": "; ".join((spec.metadata or {}).get("codes", []))})
    return pd.DataFrame(rows, columns=["table", "column", "type", "meaning", "allowed_codes"])


def dictionary_markdown(rows: pd.DataFrame, ctx: Context) -> str:
    """The data dictionary in Markdown, from `dictionary_rows`."""
    tables = [{"name": name, "description": table_description(name),
               "columns": [{"column": r.column, "type": r.type, "meaning": r.meaning,
                            "codes": r.allowed_codes.split("; ") if r.allowed_codes else []}
                           for r in part.itertuples()]}
              for name, part in rows.groupby("table", sort=False)]
    return markdown_templates().get_template("readmes/data_dictionary.md").render(ctx=ctx, tables=tables)
