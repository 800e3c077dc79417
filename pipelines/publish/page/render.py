"""Charts to SVG and PNG with vl-convert, offline, and their download files.

vl-convert runs Vega in an embedded JavaScript engine: no browser, no network (external data is
refused: `allowed_base_urls=[]`), and text is measured with the fonts it ships (Liberation
Sans) and the system's, so labels fit without guessing glyph widths. Its SVG has no script, no
font and no external reference; the page inlines it.

Static SVG shows no Vega tooltip, so each mark's description (its hover text, which Vega writes
as `aria-label`) is copied into an SVG `<title>`: browsers show that on hover, with no script.

Each chart is drawn once, from its spec with a heading (the figure's caption as title, its
source and release as subtitle: `titled`): the page inlines that SVG, and the same drawing is
the SVG download and, rasterised, the PNG, so a chart copied from the page or downloaded
carries where it comes from. Downloads, beside the page (`charts/`): per chart its SVG and PNG,
its Vega-Lite spec (`.vl.json`, data inline) and its data (`.csv`), plus `charts/SHA256SUMS`.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import vl_convert as vlc

from pipelines.publish.page.charts import Chart
from pipelines.snapshots import sha256_file

CHART_DIR = "charts"
PNG_SCALE = 2  # crisp on high-density screens and in print
# A mark vl-convert writes with a description: `<path aria-label="..." role="graphics-symbol" .../>`.
MARK = re.compile(r'<(path|rect|circle|line|symbol|image)( [^<>]*?aria-label="([^"]*)"[^<>]*?)/>')


def with_titles(svg: str) -> str:
    """Each described mark of a vl-convert SVG with its description as an SVG `<title>`
    (the text is already escaped for XML as an attribute value)."""
    return MARK.sub(lambda m: f"<{m[1]}{m[2]}><title>{m[3]}</title></{m[1]}>"
                    if 'role="graphics-symbol"' in m[2] else m[0], svg)


def file_stem(figure_id: str) -> str:
    """A figure's id as a file name: anything but letters, digits, `.`, `_` and `-` replaced."""
    return re.sub(r"[^\w.-]", "_", figure_id, flags=re.ASCII)


def draw_svg(spec: dict) -> str:
    """The chart of a (titled) spec as SVG, its marks with their hover text as `<title>`: what
    the page inlines and the SVG download holds."""
    return with_titles(vlc.vegalite_to_svg(spec, allowed_base_urls=[]))


def titled(spec: dict, title: str, subtitle: list[str]) -> dict:
    """`spec` with a heading: what a downloaded chart needs to stand on its own."""
    spec = copy.deepcopy(spec)
    spec["title"] = {"text": title, "subtitle": subtitle}
    return spec


def write_downloads(chart: Chart, spec: dict, svg: str, folder: Path, stem: str) -> dict[str, Path]:
    """Write `<stem>.svg` (`svg`, the drawing of the titled `spec`), `.png` (that drawing
    rasterised), `.vl.json` and `.csv` of a chart into `folder`; returns kind -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: folder / f"{stem}.{kind}" for kind in ("svg", "png", "vl.json", "csv")}
    paths["svg"].write_text(svg, encoding="utf-8")
    paths["png"].write_bytes(vlc.svg_to_png(svg, scale=PNG_SCALE))
    paths["vl.json"].write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    chart.csv_frame().to_csv(paths["csv"], index=False, encoding="utf-8-sig")
    return paths


def write_checksums(folder: Path) -> list[dict]:
    """`SHA256SUMS` of every file in `folder`; returns every file (the sums too) with its size
    and sha256, paths relative to the folder's parent."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "SHA256SUMS")
    sums = {p.name: sha256_file(p) for p in files}
    (folder / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sums.items()), encoding="utf-8")
    return [{"path": f"{folder.name}/{p.name}", "bytes": p.stat().st_size,
             "sha256": sums.get(p.name) or sha256_file(p)}
            for p in sorted(folder.iterdir()) if p.is_file()]
