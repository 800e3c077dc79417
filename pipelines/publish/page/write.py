"""The release page: `index.html` in the release's public folder, self-contained, and its
charts' downloads in `charts/` beside it.

No script, font or stylesheet is loaded from anywhere: the CSS is inline (`page_assets/page.css`)
and every chart is an SVG rendered offline by vl-convert from its Vega-Lite spec (`render.py`)
and inlined, so the page works offline, from a file or a USB stick, in any browser. The HTML
comes from Jinja2 templates (`templates/page/`, autoescaped): one template per section, listed
in `SECTIONS`; adding a section is a builder here and a template there.

Every chart is per source (sources are never additive) and uses only the latest snapshots,
read from the public tables as published (after disclosure control): a suppressed cell is
never drawn as a number, and its chart says how many cells were withheld.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd
from markupsafe import Markup

from pipelines.publish.extract_tables import is_sample, public_tables
from pipelines.publish.layout import EXTRACT_DIR
from pipelines.publish.page import render
from pipelines.publish.page.coverage import coverage_figure
from pipelines.publish.page.crimes import crimes_section
from pipelines.publish.page.deaths import deaths_section
from pipelines.publish.page.figures import MESSAGES, Figure, SourceBlock, captions, source_info
from pipelines.publish.page.overlap import overlap_section
from pipelines.publish.page.prosecutions import prosecutions_section
from pipelines.publish.page.read import page_table
from pipelines.publish.page.scorecard import scorecard_section
from pipelines.publish.templating import html_templates
from pipelines.snapshots import sha256_file

ASSETS = Path(__file__).resolve().parent.parent / "page_assets"
FILE_LABELS = {"svg": "SVG", "png": "PNG", "vl.json": "Vega-Lite spec (JSON)", "csv": "data (CSV)"}


@dataclass
class Page:
    """What the sections are built from: the public tables (the rows the page reads), their
    row counts, the sources' titles, and the release's particulars."""

    public: dict[str, pd.DataFrame]
    rows_of: dict[str, int]
    info: dict
    release_dir: Path
    release_id: str
    created: str
    code_version: str
    extracts: dict | None


@dataclass
class Section:
    """A section of the page: its anchor (also its template, `templates/page/<id>.html`), its
    name in the navigation, and the builder of what its template prints (the figures in it
    are found and drawn). `after_charts`: built once every chart is drawn (the downloads list
    the charts' checksums)."""

    id: str
    nav: str
    build: Callable[[Page], object]
    after_charts: bool = False


def _deaths(page: Page) -> dict:
    data = deaths_section(page.public["deaths_stats"], page.info)
    data["empty"] = Figure("deaths-empty", captions().deaths_empty(), None)
    return data


def _crimes(page: Page) -> dict:
    data = crimes_section(page.public["crimes_stats"], page.info)
    data["figure"] = Figure("crimes-empty", captions().crimes_empty(), None)
    return data


def _prosecutions(page: Page) -> dict:
    return {"blocks": prosecutions_section(page.public["prosecutions_stats"], page.info),
            "figure": Figure("prosecutions-empty", captions().prosecutions_empty(), None)}


SECTIONS = [
    Section("scorecard", "The letter", lambda p: scorecard_section(p.public["letter_scorecard"])),
    Section("coverage", "What is recorded", lambda p: coverage_figure(p.public["coverage"], p.info)),
    Section("deaths", "Deaths", _deaths),
    Section("overlap", "Overlap", lambda p: overlap_section(
        p.public["deaths_overlap"], p.public["deaths_linked_race"], p.public["deaths_estimates"])),
    Section("crimes", "Crimes", _crimes),
    Section("prosecutions", "Prosecutions", _prosecutions),
    Section("downloads", "Downloads", lambda p: downloads(p.release_dir, p.extracts, p.rows_of), after_charts=True),
    Section("cite", "Cite", lambda p: citations(p.public["sources"], p.release_id, p.created, p.code_version)),
]


def figures_in(data) -> list[Figure]:
    """Every figure of a section's data, in page order."""
    if isinstance(data, Figure):
        return [data]
    if isinstance(data, SourceBlock):
        return list(data.figures)
    if isinstance(data, dict):
        return [f for value in data.values() for f in figures_in(value)]
    if isinstance(data, (list, tuple)):
        return [f for value in data for f in figures_in(value)]
    return []


def draw(figures: list[Figure], folder: Path, release_id: str, sample: bool) -> list[dict]:
    """Draw each figure's chart once, with its heading (`render.titled`), for the page and
    for its downloads in `folder` (emptied first), with their checksums; returns the files
    written (see `render.write_checksums`)."""
    shutil.rmtree(folder, ignore_errors=True)
    drawn = [f for f in figures if f.chart is not None]
    titled = [render.titled(f.chart.spec, f.caption,
                            str(captions().subtitle(f.source, release_id, sample)).splitlines()) for f in drawn]

    def one(figure: Figure, spec: dict) -> None:
        svg = render.draw_svg(spec)
        figure.svg = Markup(svg)
        paths = render.write_downloads(figure.chart, spec, svg, folder, render.file_stem(figure.id))
        figure.files = {kind: f"{folder.name}/{path.name}" for kind, path in paths.items()}

    # vl-convert releases the GIL while it draws: two threads use both cores of a small machine
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, drawn, titled))
    return render.write_checksums(folder) if drawn else []


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} B"


def downloads(release_dir: Path, extracts: dict | None, rows_of: dict[str, int]) -> dict:
    """The files to download (the extracts, their zip and checksums, the charts' checksums),
    each with what it is, its size and sha256; and the README and data dictionary to read first."""
    if extracts:
        files = [extracts["zip"]] + list(extracts["files"])
    else:
        folder = release_dir / EXTRACT_DIR
        files = [{"path": f"{EXTRACT_DIR}/{p.name}", "bytes": p.stat().st_size, "sha256": sha256_file(p)}
                 for p in sorted(folder.iterdir())] if folder.is_dir() else []
    sums = release_dir / render.CHART_DIR / "SHA256SUMS"
    if sums.is_file():
        files.append({"path": f"{render.CHART_DIR}/SHA256SUMS", "bytes": sums.stat().st_size,
                      "sha256": sha256_file(sums)})
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
        elif path.endswith(("data_dictionary.md", "data_dictionary.csv")):
            what = "data dictionary"
        elif path == f"{render.CHART_DIR}/SHA256SUMS":
            what = "checksums of the charts' files: sha256sum -c SHA256SUMS"
        elif path.endswith("SHA256SUMS"):
            what = "checksums: sha256sum -c SHA256SUMS"
        rows.append({"path": path, "what": what, "size": _size(int(f["bytes"])), "sha256": f["sha256"]})
    return {"files": rows, "readme": (extracts or {}).get("readme", ""),
            "dictionary": (extracts or {}).get("dictionary", f"{EXTRACT_DIR}/data_dictionary.md")}


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def citations(sources: pd.DataFrame, release_id: str, created: str, code_version: str) -> dict:
    """One entry per source and title (a product with its own title, such as the FBI's CDE
    incident file and its Hate Crime Statistics Table 1, is cited as itself), then the release."""
    entries = []
    for r in sources.drop_duplicates(["source", "title"]).sort_values(["source", "title"]).itertuples():
        page = _text(r.landing_page)
        entries.append({"title": r.title, "source": r.source, "publisher": r.publisher,
                        "link": page if page.startswith(("https://", "http://")) else "",
                        "landing_page": page, "licence": _text(r.licence), "citation": _text(r.citation)})
    return {"sources": entries, "release_id": release_id, "created": created, "code_version": code_version}


def citation_section(sources: pd.DataFrame, release_id: str, created: str, code_version: str) -> str:
    """The citations section alone, as HTML."""
    return html_templates().get_template("page/cite.html").render(
        data=citations(sources, release_id, created, code_version))


def render_page(tables: dict, release_dir: Path, release_id: str, *, created: str, sample: bool,
                extracts: dict | None = None, code_version: str = "") -> str:
    """The release page (HTML) from the public tables (frames, or stored tables read a frame
    at a time); writes its charts' downloads into `release_dir/charts/`."""
    public, rows_of = {}, {}
    for name, data in public_tables(tables).items():
        public[name], rows_of[name] = page_table(name, data)
    sample = is_sample(tables, sample)
    page = Page(public, rows_of, source_info(public["sources"]), release_dir, release_id, created,
                code_version, extracts)
    built = {s.id: s.build(page) for s in SECTIONS if not s.after_charts}
    draw([f for s in SECTIONS if s.id in built for f in figures_in(built[s.id])],
         release_dir / render.CHART_DIR, release_id, sample)
    built.update({s.id: s.build(page) for s in SECTIONS if s.after_charts})
    sections = [{"id": s.id, "nav": s.nav, "data": built[s.id]} for s in SECTIONS]
    title = f"harmstats release {release_id}" + (" (SAMPLE DATA)" if sample else "")
    return html_templates().get_template("page/index.html").render(
        title=title, created=created, code_version=code_version, sample=sample, sections=sections,
        sources_n=public["sources"]["source"].nunique(), css=(ASSETS / "page.css").read_text(encoding="utf-8"),
        messages=MESSAGES, file_labels=FILE_LABELS)


def write_page(tables: dict[str, pd.DataFrame], release_dir: Path, release_id: str, *,
               created: str | None = None, sample: bool = False, extracts: dict | None = None,
               code_version: str = "") -> Path:
    """Write `index.html` (and `charts/`) into `release_dir` and return the page's path."""
    created = created or datetime.now(timezone.utc).isoformat(timespec="seconds")
    page = render_page(tables, release_dir, release_id, created=created, sample=sample,
                       extracts=extracts, code_version=code_version)
    path = release_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
