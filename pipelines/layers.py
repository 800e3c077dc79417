"""The layers of harmstats, bottom to top. Data flows up: raw file -> source -> statistics ->
release -> operations. A module imports only from its own layer or the layers below it, and no
two modules import each other, directly or round a circle; `tests/test_layers.py` reads this
file and fails on any import that breaks either rule (imports inside functions count too).

An import of a project module inside a function is allowed only where `LAZY_IMPORTS` names it
with its reason and a `# lazy:` comment stands beside it; lazy imports of heavy third-party
libraries (great_expectations, prefect_dask, openpyxl) need neither.
"""

from __future__ import annotations

# (layer, what it holds, its modules). "x.*" is the package x and every module under it; any
# other entry is one module.
LAYERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("schemas", "Pandera models per stage, raw headers, code lists: nothing from pipelines",
     ("schemas.*",)),
    ("base", "settings, raw snapshots and archives on disk, the Parquet/DuckDB table store, "
     "threads and processes, SQL quoting, these layers",
     ("pipelines", "pipelines.config", "pipelines.settings", "pipelines.snapshots",
      "pipelines.archives", "pipelines.stored", "pipelines.concurrency", "pipelines.sql", "pipelines.layers")),
    ("harmonize", "mapping functions over the tables in harmonize/maps/ (sources call them)",
     ("pipelines.harmonize.*",)),
    ("sources", "the Source contract, one module per source, the registry, fetching, and "
     "processing a source's files into parts",
     ("pipelines.sources.*",)),
    ("samples and submissions", "sample writers, and the NGO template and submitter check",
     ("pipelines.samples.*", "pipelines.ngo.*")),
    ("stats", "the release's tables, statistics with margins, reconciliation, blocking checks, "
     "anomaly warnings",
     ("pipelines.stats.*",)),
    ("publish", "the release: catalog, public tier, disclosure control, extracts, page, quality",
     ("pipelines.publish.*",)),
    ("inspection", "looking into releases: diff, lineage (trace)",
     ("pipelines.inspection.*",)),
    ("ops", "one run: lock, incremental plan, the Prefect flow, report, retention, notification, "
     "schedule",
     ("pipelines.ops.*",)),
    ("top", "the Prefect entry points and the command line",
     ("pipelines.flows", "pipelines.cli")),
)

# (importing module, imported module) -> why the import sits inside a function.
LAZY_IMPORTS: dict[tuple[str, str], str] = {
    **{("pipelines.cli", module): "start-up: each command imports what it runs, so `--help`, "
       "`query` and `sources` do not pay for pandas, every source module and Prefect"
       for module in ("pipelines.sources.registry", "pipelines.ops.run", "pipelines.ops.report",
                      "pipelines.inspection.diff", "pipelines.inspection.lineage",
                      "pipelines.publish.export", "pipelines.flows", "pipelines.ngo.template",
                      "pipelines.ngo.check")},
    ("pipelines.ops.run", "pipelines.ops.flow"): "Prefect (about 1 s to import) only when a flow "
    "runs: a run with nothing new never starts it",
    ("pipelines.publish.quality", "schemas.expectations"): "it imports great_expectations (about "
    "2 s): only where the checkpoint runs",
}


def layer_of(module: str) -> int | None:
    """The rank (0 = bottom) of the layer holding `module`, or None when no layer names it."""
    for rank, (_, _, members) in enumerate(LAYERS):
        for member in members:
            if member.endswith(".*"):
                package = member[:-2]
                if module == package or module.startswith(package + "."):
                    return rank
            elif module == member:
                return rank
    return None
