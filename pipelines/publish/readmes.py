"""The READMEs of the public extracts (one per table, with the caveats that matter for it, and
an index) and the data dictionary, in Markdown."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pandas as pd

from pipelines.publish.dictionary import _type
from pipelines.publish.extract_tables import EXTRACT_TABLES, STATS_DIMENSIONS, STREAM_OF, public_columns
from pipelines.publish.public import settings
from schemas.tables import TABLES, table_description

SAMPLE_BANNER = ("> **SAMPLE DATA, NOT REAL STATISTICS.** These files were built from generated "
                 "sample snapshots in each publisher's format. Do not quote, chart or cite any "
                 "number in them.")
PROJECT_CITATION = ("harmstats, public release {release_id} ({created}), code version {code}: "
                    "statistics on harm to migrants, derived from the sources named in each "
                    "table's README.")


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


def _text(value) -> str:
    """A cell as text; empty for null."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _md(value) -> str:
    """Raw text (snapshot names, titles, licences, a user's query) made safe inside Markdown:
    HTML escaped, so no renderer runs a tag from it; table pipes, backticks and line breaks
    neutralised, so it cannot break out of its table cell or code span."""
    text = html.escape(_text(value), quote=False)
    return re.sub(r"[\r\n]+", " ", text).replace("|", "\\|").replace("`", "\\`")


def _code(value) -> str:
    """Raw text as a Markdown code span: shown literally (a renderer runs no HTML inside one),
    with backticks and line breaks replaced and table pipes escaped so it cannot end early."""
    text = re.sub(r"[\r\n]+", " ", _text(value)).replace("`", "'")
    return f"`{text.replace('|', chr(92) + '|')}`"


def _fmt(n) -> str:
    return "" if n is None or pd.isna(n) else f"{int(n):,}"


def _snapshot_lines(ctx: Context, source_ids: list[str]) -> list[str]:
    sources = ctx.sources
    rows = sources[sources["source"].isin(source_ids)].drop_duplicates(["source", "snapshot"])
    if rows.empty:
        return ["No snapshot of any source is in this table in this release."]
    lines = ["| source | snapshot | kind | product | period covered | retrieved |",
             "|---|---|---|---|---|---|"]
    for r in rows.sort_values(["source", "snapshot"]).itertuples():
        period = f"{_md(r.period_start) or '?'} to {_md(r.period_end) or '?'}"
        lines.append(f"| {_code(r.source)} | {_md(r.snapshot)} | {_md(r.kind)} | {_md(r.product)} | "
                     f"{period} | {_md(r.retrieved) or 'not recorded'} |")
    return lines


def _citation_lines(ctx: Context, source_ids: list[str]) -> list[str]:
    sources = ctx.sources.drop_duplicates(["source", "title"])  # a product's own title cited apart
    lines = []
    for r in sources[sources["source"].isin(source_ids)].sort_values(["source", "title"]).itertuples():
        lines.append(f"- **{_md(r.title)}** ({_code(r.source)}), {_md(r.publisher)}. {_md(r.landing_page)}")
        lines.append(f"  - Licence or terms: {_md(r.licence) or 'not stated'}")
        if _text(r.citation):
            lines.append(f"  - Cite as: {_md(r.citation)}")
    lines.append("- **This project**: " + PROJECT_CITATION.format(
        release_id=_md(ctx.release_id), created=_md(ctx.created), code=_md(ctx.code_version) or "unknown"))
    return lines


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
        if "source" in frame:
            self.sources = (self.sources or set()) | set(frame["source"].dropna().unique())
        if "suppressed" in frame:
            self.suppressed = (self.suppressed or 0) + int(frame["suppressed"].fillna(False).astype(bool).sum())
            self.source_suppressed += int(frame["source_suppressed"].fillna(False).astype(bool).sum())
        if YEAR_COLUMNS <= set(frame.columns) and len(frame):
            for key, part in frame.groupby(["source", "snapshot"], sort=False):
                self.years.setdefault(key, Years()).add(part)


def _year_lines(facts: TableFacts) -> list[str]:
    lines = []
    for (source, snapshot), years in sorted(facts.years.items()):
        bases = ", ".join(_code(b) for b in sorted(years.bases))
        partial = sorted(years.partial)
        text = f"- {_code(source)} {_md(snapshot)}: years {years.first}-{years.last}, year basis {bases}"
        text += (f"; **partial year(s): {', '.join(str(y) for y in partial)}** (the snapshot "
                 "ends before the year does: not comparable with full years)" if partial else
                 "; no partial year")
        lines.append(text + ".")
    return lines


def _coverage_lines(ctx: Context, stream: str) -> list[str]:
    cov = ctx.coverage[ctx.coverage["stream"] == stream]
    if cov.empty:
        return ["No coverage figures for this stream in this release."]
    lines = ["| source | unit | subject | sex | gender identity | age group | nationality | race/ethnicity |",
             "|---|---|---|---|---|---|---|---|"]
    order = ("sex", "gender_identity", "age_group", "nationality", "race_ethnicity")
    for (source, snapshot, unit, subject), part in cov.groupby(
            ["source", "snapshot", "unit", cov["subject"].fillna("")], sort=True):
        cells = []
        for dim in order:
            row = part[part["dimension"] == dim]
            if row.empty:
                cells.append("")
                continue
            r = row.iloc[0]
            share = "" if pd.isna(r["known_share"]) else f", {r['known_share']:.0%} known"
            cells.append(f"{r['recorded']}{share}")
        lines.append(f"| {_code(source)} | {_md(unit)} | {_md(subject)} | " + " | ".join(cells) + " |")
    return lines


def _withheld_lines(facts: TableFacts) -> list[str]:
    if facts.suppressed is None:
        return []
    suppressed, by_source = facts.suppressed, facts.source_suppressed
    try:
        st = settings()
        high, k = st.threshold[1], st.k
    except ValueError:
        high, k = "a few", "k"
    return [
        f"- **Suppressed cells ({suppressed:,} in this file).** harmstats withholds small counts "
        "built from non-public person-level data (disclosure control; the NGO incident log): "
        f"every count from 0 to {high}, and other cells that would give one away. Such a cell "
        "has `suppressed = true` and an empty `value` (and no bounds). It may be zero: the "
        "table lists every category of such a source in every year, zeros included, and "
        "withholds zeros like small counts, so that no row or empty cell tells whether anyone "
        "is in it. Treat it as unknown (0 or more), never as zero or as small; do not try to "
        "recover it from other cells.",
        f"- **`OTHER` is a recoded group, not a nationality.** For such a source, nationalities "
        f"(and countries) with fewer than {k} victims over its whole log are published together "
        "as `OTHER`, in every year. Its figures are refreshed only when at least "
        f"{k} records have changed since the last public update, so its snapshot can be older "
        "than the latest delivery. Method and parameters: the public `manifest.json` and "
        "docs/disclosure_control.md of the project.",
        f"- **Withheld by the source ({by_source:,} in this file).** `source_suppressed = true`: the "
        "publisher withheld the value (e.g. UNODC GLOTIP '<5'); `value_min` and `value_max` give "
        "its bounds where the source states them.",
    ]


def _flag_lines(ctx: Context, source_ids: list[str]) -> list[str]:
    s = ctx.sources[ctx.sources["source"].isin(source_ids)]
    if s.empty:
        return []
    agg = s.groupby("source").agg(read=("rows_read", "sum"), accepted=("rows_accepted", "sum"),
                                  quarantined=("rows_quarantined", "sum"),
                                  flagged=("rows_flagged", "sum"))
    lines = ["Rows of the latest snapshots: read, accepted into the statistics, set aside "
             "(quarantined: failed a check, listed in the catalog), and accepted but flagged "
             "by a consistency check (kept with the publisher's total; their inconsistent split "
             "is counted under `unknown`):", "",
             "| source | rows read | accepted | quarantined | flagged |", "|---|---|---|---|---|"]
    for source, r in agg.iterrows():
        lines.append(f"| {_code(source)} | {_fmt(r['read'])} | {_fmt(r['accepted'])} | "
                     f"{_fmt(r['quarantined'])} | {_fmt(r['flagged'])} |")
    return lines


NOT_ADDITIVE = ("- **Sources are never additive.** Each row belongs to one `source`; the same "
                "death, crime or case often appears in several sources (IOM's US-border figures "
                "include cases of the Pima County medical examiner). Never add figures of "
                "different sources.")
MARGINS = ("- **`all` marks a margin.** A row whose dimension is `all` is the total over that "
           "dimension. To get a figure, fix every dimension: e.g. the grand total of a source "
           "and year is the one row where every dimension is `all`. Summing rows that include "
           "`all` rows double-counts.")
LATEST = ("- **Latest snapshots only.** This file holds each source's latest snapshot "
          "(`is_latest`); earlier snapshots and record-level data stay in the catalog. Snapshot "
          "dates and periods covered are listed below.")
NOT_RECORDED = ("- **`not_recorded` is not `unknown`.** `not_recorded` means the source has no "
                "field for the dimension at all (most sources record no race or ethnicity); "
                "`unknown` means the field exists but is blank or unclear for those people. "
                "Neither is spread over the known categories. The coverage table below (and "
                "`coverage`) gives, per source, whether each dimension the 2023 letter asks for "
                "is recorded and what share of the count has a known value.")

TABLE_NOTES = {
    "deaths_stats": [
        "- **Unit: persons dead or missing.** `status` splits dead and missing; `dead_and_missing` "
        "figures (status `all`) are what most sources count.",
        "- **IOM Missing Migrants Project (`mmp`) counts are minimum estimates.** IOM records only "
        "deaths and disappearances it can document; many are never found or reported, so the "
        "true numbers are higher. Missing counts are estimates from survivors' accounts and "
        "can be revised (IOM sometimes publishes negative corrections; such rows keep their "
        "total under status `unknown`).",
        "- **Sex and age in MMP are counts per incident** (females, males, children), covering "
        "dead and missing together: they are published only with `status = all`, and the rest "
        "of each incident is `unknown`. MMP has no adult count: age is `child` or `unknown`.",
        "- **`criminal`** is `criminal` only where the source states violence, homicide or an "
        "offence, `non_criminal` only where it states a natural or accidental manner, and "
        "`undetermined` otherwise: drowning, vehicle accidents or exposure alone say nothing "
        "about smugglers, state agents or other crimes.",
        "- **Source quality.** MMP grades each incident's sourcing 1-5 and medical examiners "
        "record manner of death with varying certainty; those grades and each record's "
        "consistency `flags` are in the catalog (`deaths`), not in these statistics.",
    ],
    "crimes_stats": [
        "- **Different units and subjects.** `unit` says what a value counts (persons, "
        "incidents, offences, cases, or `unspecified`) and `subject` whose attributes the "
        "dimensions describe (victim, offender, incident). Never add rows of different units "
        "or subjects.",
        "- **A hate-crime bias motivation is the offender's bias**, never the victim's race or "
        "nationality. Hate-crime sources do not record victims' nationality: such rows are "
        "`NOT_RECORDED`.",
        "- **Recorded crime is not all crime.** Police figures count what was reported and "
        "recorded; migrants report less, and recording practices differ between countries "
        "and years.",
        "- **`sgbv`** marks sexual and gender-based violence (rape, sexual assault, sexual "
        "harassment, femicide, trafficking for sexual exploitation and the like).",
    ],
    "prosecutions_stats": [
        "- **Stages overlap: never add them.** A convicted person was also prosecuted and "
        "usually reported: compare stages (a funnel), do not sum `stage`.",
        "- **Whose attributes.** `subject = offender` (e.g. UNODC GLOTIP persons prosecuted) "
        "means sex and citizenship are the offenders', not the victims'.",
        "- **Funnels need the same country-years at every stage.** Countries report different "
        "stages in different years; compare stages only over country-years that report each "
        "of them.",
    ],
    "letter_scorecard": [
        "- **How to read it.** One row per government the 2023 letter was sent to (USA, MEX, "
        "CAN), stream line (deaths by criminal / non-criminal cause; crimes and prosecutions, "
        "SGBV first) and dimension (sex, race_ethnicity, nationality): each source's best "
        "figure, ranked (`rank = 1` the best of all; `also_recorded` the others), or one row "
        "`not_recorded` / `no_statistics`.",
        "- **The best figure**, rule by rule: (0) a figure with a known count before one whose "
        "known categories are all withheld; (1) migrants before the general population; (2) "
        "the victim's (for deaths, the person's) attribute before the incident's, before a bias "
        "motivation, before the offender's; (3) full years before partial ones; (4) the latest "
        "year; (5) the highest known share; (6) exact before ranges; (7) ties: persons first, "
        "then the stage prosecuted, convicted, suspect identified, then source name. The same "
        "rules pick each source's own figure, then rank the sources. A figure "
        "is the categories of one breakdown of one source, every other dimension `all`; the "
        "dimension itself counts only where `coverage` says the source records it. Details: "
        "docs/letter_scorecard.md in the harmstats repository.",
        "- **`general_population_only`** means no source counts migrants only: the figure counts "
        "everyone in the country (`population = general`).",
        "- **`measured_by = bias_motivation`** is a hate-crime figure by the offender's bias "
        "motivation (the group targeted): it never says the victim's own race or sex.",
        "- **`value`** is the count of the line in the breakdown that publishes the dimension; "
        "`known_share` the share of it with a known value (a lower bound where parts are "
        "withheld). Figures of different rows may come from different sources and years: never "
        "add or compare them without reading `source`, `year` and `unit`.",
    ],
    "coverage": [
        "- **How to read it.** One row per source, snapshot, unit, subject and dimension the 2023 "
        "letter asks about (sex, gender identity, age group, nationality, race/ethnicity): "
        "`recorded` is `yes` (the source has the field for every record), `partly` or `no`, and "
        "`known_share` the share of `total` with a known value. It shows where governments do "
        "not record what was asked.",
    ],
    "sources": [
        "- **One row per raw file read for the latest snapshots**, with the source's title, "
        "publisher, licence, how to cite it, the file's sha256 and its row accounting. The "
        "catalog keeps every snapshot and the error text of files that could not be read.",
    ],
    "source_inconsistencies": [
        "- **Where a source's own parts exceed its published total.** The statistics keep the "
        "source's total as the `all` row; the excess is listed here instead of being hidden. "
        "Empty when no source of the latest snapshots has such a case.",
    ],
}


def table_readme(name: str, frame: pd.DataFrame | TableFacts, ctx: Context, files: list[str],
                 query: str | None = None) -> str:
    """The README of one extract (or of an export, with `query` describing the slice), from
    the table's rows or the facts gathered from them."""
    facts = frame if isinstance(frame, TableFacts) else TableFacts.of(frame)
    source_ids = sorted(facts.sources or ())
    title = f"# `{name}`" + (" (custom export)" if query else "") + f": harmstats release {_md(ctx.release_id)}"
    lines = [title, ""]
    if ctx.sample:
        lines += [SAMPLE_BANNER, ""]
    lines += [table_description(name), ""]
    lines += [f"- Files: {', '.join(f'`{f}`' for f in files)}. Rows: {facts.rows:,}. Columns, types "
              f"and allowed codes: `{ctx.names.get('dictionary', 'data_dictionary.md')}` "
              "(generated from the schemas).",
              "- CSV: UTF-8 with a byte-order mark; empty cell = null. Text that begins with `=`, "
              "`+`, `-`, `@`, a tab or a carriage return starts with a single quote `'` so that "
              "no spreadsheet runs it as a formula; numbers are plain numbers."]
    if query:
        lines += [f"- This file is a slice of the public extract `{name}` (what the release "
                  f"publishes, nothing more), selected with: {_code(query)}."]
    lines += ["", "## Read this before using the numbers", "", NOT_ADDITIVE]
    if name in STATS_DIMENSIONS:
        lines += [MARGINS]
    lines += [LATEST]
    lines += TABLE_NOTES.get(name, [])
    if name in STATS_DIMENSIONS:
        lines += [NOT_RECORDED]
        lines += _withheld_lines(facts)
        year_lines = _year_lines(facts)
        lines += ["", "## Years: `year_basis` and partial years", "",
                  "`year_basis` says what a year is the year of: the incident, its report, the "
                  "finding of remains, a fiscal year, or the publisher's record id (`record_id`: "
                  "the row has no date or year of its own); figures on different bases are not "
                  "comparable. `partial_year = true` marks a year the snapshot ends inside of: "
                  "its period does, or its records stop inside it (table `sources`, column "
                  "`records_end`).", ""]
        lines += year_lines or ["No rows in this release."]
        lines += ["", "## What each source records (coverage, latest snapshots)", ""]
        lines += _coverage_lines(ctx, STREAM_OF[name])
        lines += ["", "## Source quality and flags", ""]
        lines += _flag_lines(ctx, source_ids) or ["No source in this table in this release."]
    lines += ["", "## Snapshots", ""]
    lines += _snapshot_lines(ctx, source_ids) if source_ids else [
        "This table has no rows in this release." if facts.empty else "Not per source."]
    lines += ["", "## How to cite", ""]
    lines += _citation_lines(ctx, source_ids or sorted(ctx.sources["source"].dropna().unique()))
    lines += ["", "## Checking the files", "",
              "Inside `extracts/` (or the unzipped folder) run `sha256sum -c SHA256SUMS`: every "
              "file must say OK."]
    return "\n".join(lines) + "\n"


def index_readme(ctx: Context, listing: list[tuple[str, str]]) -> str:
    """The README of the whole extracts folder."""
    lines = [f"# harmstats public extracts, release {_md(ctx.release_id)}", ""]
    if ctx.sample:
        lines += [SAMPLE_BANNER, ""]
    lines += [f"Created {_md(ctx.created)}; code version {_md(ctx.code_version) or 'unknown'}.", "",
              "Statistics on deaths of migrants, crimes against them and prosecutions of those "
              "crimes, disaggregated by sex, gender identity, age group, nationality and "
              "race/ethnicity wherever a source records them, from the latest snapshot of each "
              "source. Record-level data and lineage stay in the project's catalog.", "",
              "## Files", "", "| file | what |", "|---|---|"]
    lines += [f"| `{f}` | {what} |" for f, what in listing]
    lines += ["", "## Before you use any number", "", NOT_ADDITIVE, MARGINS, NOT_RECORDED,
              "- Each table's README lists its own caveats: IOM's minimum estimates, `year_basis` "
              "and partial years, coverage, flags, suppressed cells, snapshot dates, citations.",
              "", "## How to cite", ""]
    lines += _citation_lines(ctx, sorted(ctx.sources["source"].dropna().unique()))
    lines += ["", "## Checking the files", "",
              "Inside this folder run `sha256sum -c SHA256SUMS`: every file must say OK."]
    return "\n".join(lines) + "\n"


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
    lines = [f"# Data dictionary: harmstats public extracts, release {_md(ctx.release_id)}", ""]
    if ctx.sample:
        lines += [SAMPLE_BANNER, ""]
    lines += ["Generated from the schemas (`schemas/`). `all` in a dimension marks a margin; "
              "`not_recorded` means the source has no such field; `unknown` that it is blank "
              "or unclear.", ""]
    for name, part in rows.groupby("table", sort=False):
        lines += [f"## `{name}`", "", table_description(name), "",
                  "| column | type | meaning | allowed codes |", "|---|---|---|---|"]
        for r in part.itertuples():
            codes = ", ".join(f"`{c}`" for c in r.allowed_codes.split("; ")) if r.allowed_codes else ""
            lines.append(f"| `{r.column}` | {r.type} | {r.meaning} | {codes} |")
        lines.append("")
    return "\n".join(lines)
