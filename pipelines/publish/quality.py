"""Great Expectations over the release tables: one checkpoint, Data Docs that work offline.

`run_expectations(tables, docs_dir)` validates every table that has a suite in
`schemas/expectations.py`, in ONE checkpoint run, and writes Data Docs into `docs_dir`
(none when it is None: the setting HARMSTATS_DATA_DOCS=0).

- The context is ephemeral and its files live in a temporary folder: nothing is written into
  the project (no `gx/` folder), and the run leaves only `docs_dir` behind.
- A checkpoint passes the same `batch_parameters` to every validation definition, so in-memory
  dataframe assets cannot give each table its own frame in one run. Each table is written to a
  Feather file in the temporary folder instead, one pandas Feather asset per table (Feather keeps
  the pandas dtypes: str, Int64, bool).
- GX's pages load Bootstrap, jQuery, Font Awesome, vega etc. from CDNs and a logo from S3.
  Afterwards every such URL is rewritten to a relative path into `docs_dir/static/vendor/`,
  copied from `gx_assets/` (vendored from npm by scripts/vendor_gx_assets.sh, listed in
  gx_assets/ASSETS.md). GX's own static files that no page uses are removed.

great_expectations is imported inside the function: the import alone takes about 2 s.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from pipelines.settings import prepare_third_parties
from pipelines.sources.registry import SOURCES

GX_ASSETS = Path(__file__).resolve().parent / "gx_assets"
VENDOR_DIR = "static/vendor"
SITE_NAME = "harmstats"

# Every CDN URL in GX 1.24.1's Data Docs templates -> the vendored file under gx_assets/.
CDN_ASSETS = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap-4.3.1/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap-4.3.1/dist/js/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js-1.12.9/dist/umd/popper.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker-1.9.0/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker-1.9.0/dist/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "fontawesome-free-6.6.0/css/all.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table-1.19.1/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table-1.19.1/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table-1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    # GX also links 1.19.0's filter-control CSS; it equals 1.19.1's but for the version banner.
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table-1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table-1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark-1.1.0/dist/css/bootstrap-prefers-dark.min.css",
    # jsDelivr serves a range's newest release; these are the newest 5.x / 6.x when vendored.
    "https://cdn.jsdelivr.net/npm/vega@5": "vega-5.33.1/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite-5.23.0/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed-6.29.0/build/vega-embed.min.js",
}
# The logo (img, and a CSS background in dark mode) comes from here; GX ships it in static/.
GX_WEB_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
LOCAL_LOGO = "static/images/logo-long.png"

_LOADING_TAG = re.compile(r"<(?:script|link|img)\b[^>]*>", re.IGNORECASE)
_URL_ATTR = re.compile(r'\b(src|href)(\s*=\s*)(["\'])(.*?)\3', re.IGNORECASE | re.DOTALL)
_SRI_ATTRS = re.compile(r'\s+(?:integrity|crossorigin)\s*=\s*(["\']).*?\1', re.IGNORECASE)
_CSS_GX_URL = re.compile(r"url\(\s*(['\"]?)" + re.escape(GX_WEB_ASSETS) + r"[^)'\"]*\1\s*\)")
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^)'\"]+)\1\s*\)")
_GX_STATIC = re.compile(r"^(?:\./|(?:\.\./)+)?static/(.+)$")


def run_expectations(tables: dict[str, pd.DataFrame], docs_dir: Path | None,
                     run_name: str = "harmstats", skip_sources: set[str] | frozenset = frozenset(),
                     without: dict[str, tuple[str, ...]] | None = None) -> dict:
    """Validate the tables that have a suite in ONE checkpoint and write offline Data Docs
    into `docs_dir` (a new or empty folder, e.g. `<release staging>/data_docs`; None: validate
    the same, write no pages: HARMSTATS_DATA_DOCS=0).

    Returns a JSON-able summary: `success` (every expectation passed), per suite the counts
    `evaluated` / `failed`, `failed` (table, expectation, column, observed), `completeness`
    (per source: share of its latest count with a known sex / nationality), and `data_docs`
    (index path relative to docs_dir's parent, `offline`, any `external_refs` left; None
    when no pages were written).

    `skip_sources` get no completeness expectation: the public tier's run passes the
    confidential sources, whose known shares are withheld from the public tables; `without`
    the columns each public table leaves out."""
    started = time.perf_counter()
    prepare_third_parties()  # before great_expectations is imported: no telemetry
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    from schemas.expectations import (batch_frame,  # lazy: imports great_expectations (2 s)
                                      build_suites)

    docs_dir = Path(docs_dir).resolve() if docs_dir is not None else None
    suites = build_suites(tables, deaths_expected=_deaths_source_read(tables), skip_sources=skip_sources,
                          without=without)
    if not suites:
        return {"success": True, "suites": {}, "failed": [], "completeness": [],
                "data_docs": None, "seconds": round(time.perf_counter() - started, 2)}
    with tempfile.TemporaryDirectory(prefix="harmstats-gx-") as scratch:
        context = _context(docs_dir)
        datasource = context.data_sources.add_pandas(SITE_NAME)
        definitions = []
        for name, suite in suites.items():
            path = Path(scratch) / f"{name}.feather"
            batch_frame(name, tables[name]).reset_index(drop=True).to_feather(path)
            batch = datasource.add_feather_asset(name, path=path) \
                .add_batch_definition_whole_dataframe("whole_table")
            definitions.append(context.validation_definitions.add(gx.ValidationDefinition(
                name=name, data=batch, suite=context.suites.add(suite))))
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=SITE_NAME, validation_definitions=definitions,
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 10}))
        result = checkpoint.run(run_id=RunIdentifier(run_name=run_name,
                                                     run_time=datetime.now(timezone.utc)))
        if docs_dir is not None:
            # One build of the site from the context's stores (this run's results and suites):
            # GX's UpdateDataDocsAction rebuilt the site, index and all, once per table.
            context.build_data_docs(site_names=[SITE_NAME])
    summary = summarise(result)
    summary["data_docs"] = None
    if docs_dir is not None:
        external = make_offline(docs_dir)
        scrub_paths(docs_dir, {scratch: "batch"})
        summary["data_docs"] = {"index": f"{docs_dir.name}/index.html", "offline": not external,
                                "external_refs": external}
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


def _context(docs_dir: Path | None):
    """An ephemeral context (nothing on disk) whose only Data Docs site is `docs_dir` (None:
    no site)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX logs every temporary docs folder at INFO on stderr: noise in a nightly run's log.
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # no tqdm on stderr
    for site in list(context.get_site_names()):   # the default site points at a random /tmp
        context.delete_data_docs_site(site)
    if docs_dir is None:
        return context
    context.add_data_docs_site(site_name=SITE_NAME, site_config={
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                          "base_directory": str(docs_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    return context


def _deaths_source_read(tables: dict[str, pd.DataFrame]) -> bool:
    """True when a source of the deaths stream has a file read or carried in this release."""
    sources = tables.get("sources")
    if sources is None or sources.empty:
        return False
    usable = sources[sources["status"] != "failed"]["source"]
    return any(SOURCES[s].spec.stream == "deaths" for s in set(usable) if s in SOURCES)


def summarise(result) -> dict:
    """The checkpoint result as a small JSON-able dict."""
    suites, failed, completeness = {}, [], []
    for run in result.run_results.values():
        table = run.suite_name
        stats = run.statistics
        suites[table] = {"success": bool(run.success),
                         "evaluated": int(stats["evaluated_expectations"]),
                         "failed": int(stats["unsuccessful_expectations"])}
        for item in run.results:
            config = item.expectation_config
            meta = config.meta or {}
            if meta.get("kind") == "completeness":
                # Completeness describes the publisher, not our output: reported, never blocking.
                completeness.append({"source": meta["source"], "dimension": meta["dimension"],
                                     "known_share": _jsonable(item.result.get("observed_value")),
                                     "floor": meta["floor"], "success": bool(item.success)})
                continue
            if item.success:
                continue
            entry = {"table": table, "expectation": config.type,
                     "column": _column_of(config.kwargs), "observed": _observed(item.result)}
            if config.description:
                entry["description"] = config.description
            info = item.exception_info or {}
            if info.get("raised_exception"):
                entry["exception"] = str(info.get("exception_message"))
            failed.append(entry)
    return {"success": not failed, "suites": suites, "failed": failed,
            "completeness": completeness}


def make_offline(docs_dir: Path) -> list[str]:
    """Point every page of the site at local copies of its CDN assets and logo, copy those
    assets into static/vendor/, drop GX static files no page uses. Returns the network
    references left (empty when the site works offline)."""
    docs_dir = Path(docs_dir)
    vendor = docs_dir / VENDOR_DIR
    shutil.rmtree(vendor, ignore_errors=True)
    shutil.copytree(GX_ASSETS, vendor, ignore=shutil.ignore_patterns("__pycache__"))
    pages = sorted(docs_dir.rglob("*.html"))
    for page in pages:
        prefix = "../" * (len(page.relative_to(docs_dir).parts) - 1)
        html = page.read_text(encoding="utf-8")
        html = _LOADING_TAG.sub(lambda m: _local_tag(m.group(0), prefix), html)
        html = _CSS_GX_URL.sub(f"url('{prefix}{LOCAL_LOGO}')", html)
        page.write_text(html, encoding="utf-8")
    for sheet in (docs_dir / "static" / "styles").glob("*.css"):
        css = sheet.read_text(encoding="utf-8")
        sheet.write_text(_CSS_GX_URL.sub(f"url('../../{LOCAL_LOGO}')", css), encoding="utf-8")
    _prune_gx_static(docs_dir, pages)
    return external_refs(docs_dir)


def scrub_paths(docs_dir: Path, replacements: dict[str, str]) -> None:
    """Local paths out of every page (GX prints each batch's file path in its Batch Spec):
    a published page names no folder of the machine that built it."""
    for page in Path(docs_dir).rglob("*.html"):
        text = original = page.read_text(encoding="utf-8")
        for path, label in replacements.items():
            text = text.replace(str(path), label)
        if text != original:
            page.write_text(text, encoding="utf-8")


def external_refs(docs_dir: Path) -> list[str]:
    """`file: url` for every script/link/img or CSS url() of the site that is not local."""
    found = []
    for path in sorted(Path(docs_dir).rglob("*")):
        if path.suffix not in (".html", ".css") or VENDOR_DIR in path.as_posix():
            continue
        text = path.read_text(encoding="utf-8")
        urls = [m.group(4) for tag in _LOADING_TAG.findall(text) for m in _URL_ATTR.finditer(tag)]
        urls += [m.group(2) for m in _CSS_URL.finditer(text)]
        found += [f"{path.relative_to(docs_dir)}: {u}" for u in urls if _is_remote(u)]
    return found


def local_refs(page: Path) -> list[Path]:
    """Files a page loads by relative path (script/link/img and CSS url()), resolved."""
    text = page.read_text(encoding="utf-8")
    urls = [m.group(4) for tag in _LOADING_TAG.findall(text) for m in _URL_ATTR.finditer(tag)]
    urls += [m.group(2) for m in _CSS_URL.finditer(text)]
    return [(page.parent / u.split("?")[0].split("#")[0]).resolve() for u in urls
            if u and not _is_remote(u) and not u.startswith(("#", "data:"))]


def _local_tag(tag: str, prefix: str) -> str:
    """One script/link/img tag with its CDN or S3 URL made a relative local path."""
    def swap(match: re.Match) -> str:
        url = match.group(4)
        if url in CDN_ASSETS:
            local = f"{prefix}{VENDOR_DIR}/{CDN_ASSETS[url]}"
        elif url.startswith(GX_WEB_ASSETS):
            local = prefix + LOCAL_LOGO
        elif static := _GX_STATIC.match(url):
            # GX's own static files; also fixes the validation pages' favicon one level short.
            local = f"{prefix}static/{static.group(1)}"
        else:
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{match.group(3)}{local}{match.group(3)}"
    local_tag = _URL_ATTR.sub(swap, tag)
    # Subresource integrity with crossorigin makes a browser refuse file:// scripts; the
    # vendored files are checked against these same hashes by scripts/vendor_gx_assets.sh.
    return _SRI_ATTRS.sub("", local_tag) if local_tag != tag else tag


def _prune_gx_static(docs_dir: Path, pages: list[Path]) -> None:
    """Remove GX's static files (fonts, tutorial GIFs: ~4 MB) that no page loads."""
    used = {p for page in pages for p in local_refs(page)}
    static = (docs_dir / "static").resolve()
    vendor = (docs_dir / VENDOR_DIR).resolve()
    for path in sorted(static.rglob("*"), reverse=True):
        if path.is_file() and vendor not in path.parents and path not in used:
            path.unlink()
        elif path.is_dir() and path != vendor and not any(path.iterdir()):
            path.rmdir()


def _is_remote(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url.strip(), re.IGNORECASE))


def _column_of(kwargs: dict):
    for key in ("column", "column_list"):
        if key in kwargs:
            return _jsonable(kwargs[key])
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return None


def _observed(result: dict):
    """What GX saw: the observed value, or the count and a few examples of unexpected rows."""
    mismatched = (result.get("details") or {}).get("mismatched")
    if mismatched:                     # column-set expectations: the missing / extra columns
        return _jsonable(mismatched)
    if "observed_value" in result:
        return _jsonable(result["observed_value"])
    if "unexpected_count" in result:
        return {"unexpected_count": _jsonable(result["unexpected_count"]),
                "unexpected_percent": _jsonable(result.get("unexpected_percent")),
                "examples": _jsonable(result.get("partial_unexpected_list", [])[:10])}
    return None


def _jsonable(value):
    """numpy scalars, tuples, NaN and pd.NA made plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, TypeError):
            return str(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, (str, int, bool)):
        return value
    return str(value)
